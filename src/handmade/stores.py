"""Manifest stores at the container level: find every one in a file, and which one binds its content.

A file carries one C2PA manifest store (C2PA 2.1 §11.3: one per asset). Anyone can copy another file's
store in front of the real one, with no key at all; c2pa-rs then reads the first and reports *its* story
(a genuine photo reads "AI-generated image, Adobe Firefly", state invalid) and never mentions the second.
So when a JPEG or PNG holds more than one store, each is read alone by c2pa-rs (the file with the other
stores cut out), and the one whose hard binding matches the image data is the image's own.

Only the container is walked here (JPEG APP11 segments, PNG ``caBX`` chunks), as ``hints`` walks it for
metadata: which byte spans hold which store. The stores' contents (JUMBF boxes, claims, signatures) are
read by c2pa-rs alone. Other formats are read as c2pa-rs reads them.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import replace

from handmade.messages import finding
from handmade.models import Finding, ProvenanceReport

#: Walkers stop after this many segments/chunks (a file of empty chunks stays fast).
MAX_CHUNKS = 100_000
#: More stores than this are not each re-read (each costs a c2pa-rs read); they are still counted.
MAX_STORES_READ = 8

Span = tuple[int, int]


def _is_c2pa_superbox(box: bytes) -> bool:
    """A JUMBF superbox (``jumb``) whose description box is labelled ``c2pa`` (a manifest store)."""
    return box[4:8] == b"jumb" and box[12:16] == b"jumd" and b"c2pa" in box[16:64]


def _jpeg_stores(data: bytes) -> list[list[Span]]:
    """APP11 JUMBF segments grouped into stores: a store starts at packet sequence 1 (or a new box
    instance), and its continuation segments follow (ISO/IEC 19566-5 / C2PA 2.1 §A.3.2)."""
    stores: list[list[Span]] = []
    current: list[Span] | None = None
    instance = b""
    pos, n = 2, 0
    while pos + 4 <= len(data) and n < MAX_CHUNKS:
        n += 1
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker in (0xDA, 0xD9):  # start of scan / end of image: no manifest segment after this
            break
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if length < 2:
            break
        end = min(pos + 2 + length, len(data))
        if marker == 0xEB and data[pos + 4:pos + 6] == b"JP" and end - pos >= 12:
            en, (seq,) = data[pos + 6:pos + 8], struct.unpack(">I", data[pos + 8:pos + 12])
            if seq == 1 or en != instance or current is None:
                instance = en
                current = [] if _is_c2pa_superbox(data[pos + 12:pos + 80]) else None
                if current is not None:
                    stores.append(current)
            if current is not None:
                current.append((pos, end))
        pos += 2 + length
    return stores


def _png_stores(data: bytes) -> list[list[Span]]:
    """``caBX`` chunks holding a manifest store, one store each (C2PA 2.1 §A.3.4)."""
    stores: list[list[Span]] = []
    pos, n = 8, 0
    while pos + 8 <= len(data) and n < MAX_CHUNKS:
        n += 1
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if end > len(data):
            break
        if ctype == b"caBX" and _is_c2pa_superbox(data[pos + 8:pos + 8 + 80]):
            stores.append([(pos, end)])
        if ctype == b"IEND":
            break
        pos = end
    return stores


def find_stores(data: bytes, mime: str | None) -> list[list[Span]]:
    """The byte spans of each manifest store in ``data``, in file order (JPEG and PNG; [] otherwise)."""
    if mime == "image/jpeg":
        return _jpeg_stores(data)
    if mime == "image/png":
        return _png_stores(data)
    return []


def keep_only(data: bytes, stores: list[list[Span]], keep: int) -> bytes:
    """``data`` with every store but ``stores[keep]`` cut out."""
    cut = sorted(span for i, spans in enumerate(stores) if i != keep for span in spans)
    parts, pos = [], 0
    for start, end in cut:
        parts.append(data[pos:start])
        pos = end
    parts.append(data[pos:])
    return b"".join(parts)


def _describe(report: ProvenanceReport) -> dict[str, str]:
    """The catalog parameters of a store's description: its active manifest, tool and signer."""
    active = next((s for s in report.lineage if s.depth == 0), None)
    params: dict[str, str] = {}
    if active is not None and active.manifest:
        params.update(manifest_k="store.manifest", label=active.manifest)
    if active is not None and active.tool:
        params.update(tool_k="store.tool", tool_name=active.tool, sep=", " if params else "")
    if report.signer is not None and report.signer.name:
        params.update(signer_k="store.signer", who=report.signer.name, sep2=", " if params else "")
    return {"desc_k": "store.desc", **params} if params else {}


def _label(report: ProvenanceReport) -> str | None:
    active = next((s for s in report.lineage if s.depth == 0), None)
    return active.manifest if active is not None else None


def reconcile(report: ProvenanceReport, data: bytes, mime: str | None,
              read_alone: Callable[[bytes], ProvenanceReport]) -> ProvenanceReport:
    """``report`` as it stands when ``data`` holds one manifest store; with several, the report of the
    store that binds the content (each read alone by ``read_alone``), state ``invalid``, and a finding for
    every store: ``manifest.binding_store`` for the image's own, ``manifest.foreign_store`` for each other
    (or for all, when none binds)."""
    stores = find_stores(data, mime)
    if len(stores) < 2:
        return report
    total = len(stores)
    alone = [read_alone(keep_only(data, stores, i)) for i in range(min(total, MAX_STORES_READ))]
    binding = next((i for i, r in enumerate(alone) if r.intact is True), None)
    findings: list[Finding] = []
    for i, candidate in enumerate(alone):
        where = {"i": str(i + 1), "total": str(total), **_describe(candidate)}
        if i == binding:
            findings.append(finding("manifest.binding_store", "info", "finding.binding_store", _label(candidate),
                                    **where))
        else:
            findings.append(finding("manifest.foreign_store", "error", "finding.foreign_store", _label(candidate),
                                    **where))
    if total > len(alone):
        findings.append(finding("manifest.foreign_store", "error", "finding.stores_unread", n=str(total - len(alone))))
    base = report if binding is None else replace(
        alone[binding], path=report.path, format=report.format, sha256=report.sha256, size=report.size,
        hints=report.hints)
    return replace(base, state="invalid", failed=True, findings=(*findings, *base.findings))
