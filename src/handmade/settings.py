"""Where handmade's own files are and what the user's settings say: the one configuration module.

- The settings file (TOML): ``$HANDMADE_CONFIG``, else ``$XDG_CONFIG_HOME/handmade/config.toml``, else
  ``~/.config/handmade/config.toml``. Keys: ``trust`` (anchor files, relative to the file's folder),
  ``default_trust`` (false turns the shipped trust lists off), ``tsa_url`` (the timestamp server).
- The data directory (installed trust-list snapshots and label authorities): ``$HANDMADE_DATA_DIR``, else
  ``$XDG_DATA_HOME/handmade``, else ``~/.local/share/handmade``.
- Environment variables that stand for settings: ``HANDMADE_TRUST`` (anchor files, ``os.pathsep``-separated),
  ``HANDMADE_NO_DEFAULT_TRUST`` (1/true/yes).

Policies are files of their own (``policy.load_policy``); the service passes its configuration to its worker
processes through the environment (``web.config``): neither is a user setting.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from handmade.errors import TrustConfigError

__all__ = ["CONFIG_ENV", "DATA_ENV", "NO_DEFAULT_ENV", "TRUST_ENV", "data_dir", "default_trust_paths",
           "read_settings", "settings_path"]

CONFIG_ENV = "HANDMADE_CONFIG"
DATA_ENV = "HANDMADE_DATA_DIR"
TRUST_ENV = "HANDMADE_TRUST"
NO_DEFAULT_ENV = "HANDMADE_NO_DEFAULT_TRUST"


def settings_path() -> Path:
    """The settings file: ``$HANDMADE_CONFIG``, else ``$XDG_CONFIG_HOME/handmade/config.toml``, else
    ``~/.config/handmade/config.toml``."""
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "handmade" / "config.toml"


def read_settings() -> dict[str, Any]:
    """The settings file as a mapping ({} when there is none). Raises: TrustConfigError if unreadable."""
    config = settings_path()
    if not config.is_file():
        return {}
    import tomllib

    try:
        return tomllib.loads(config.read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TrustConfigError(f"{config}: settings file cannot be read: {exc}", code="trust.config") from exc


def default_trust_paths() -> list[str]:
    """Trust anchor files from ``HANDMADE_TRUST`` (``os.pathsep``-separated) or the settings file
    (``trust = ["/path/root.pem", ...]``, relative to the file's folder)."""
    env = os.environ.get(TRUST_ENV)
    if env:
        return [p for p in env.split(os.pathsep) if p]
    trust = read_settings().get("trust", [])
    if isinstance(trust, str):
        trust = [trust]
    base = settings_path().parent
    return [str((base / t).expanduser()) for t in trust if isinstance(t, str)]


def data_dir() -> Path:
    """Where ``trust update`` installs snapshots and ``trust add`` authorities: ``$HANDMADE_DATA_DIR``, else
    ``$XDG_DATA_HOME/handmade``, else ``~/.local/share/handmade``."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "handmade"
