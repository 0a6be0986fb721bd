"""Strings taken from files (manifests, metadata, uploads' names) made fit to show: the one cleaner every such
string goes through before it reaches any output (text, JSON, HTML, the audit log), with a bound."""

from __future__ import annotations

from typing import Any

__all__ = ["clean_text", "file_name"]


def clean_text(value: Any, limit: int = 300) -> str | None:
    """A display string for an untrusted value (manifest or metadata): control and format characters
    removed, white space folded, length bounded; None when nothing printable is left."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, dict):
        name = value.get("name")
        version = value.get("version")
        value = f"{name} {version}" if name and version else name
        if value is None:
            return None
    text = str(value)[: max(limit, 1) * 4 + 64]  # bound the work on a huge value before cleaning it
    if not text.isprintable():  # the common case (all printable) skips the per-character pass
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())
    return text[:limit] if text else None


def file_name(raw: str | None) -> str:
    """A file name fit for display and the audit log: its last path component (``/`` or ``\\``), cleaned and
    bounded to 200 characters; ``upload`` when nothing is left."""
    base = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    return clean_text(base, 200) or "upload"
