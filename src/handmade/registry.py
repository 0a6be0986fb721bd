"""The manifest registry: signed files' fingerprints and manifest stores, so that a copy that lost its
manifest (a social network's re-encode, a CMS thumbnail, a screenshot) can be matched to its registered
original (README, "Copies without credentials").

Each entry keeps, for one signed file: the soft binding written in its manifest (``io.iscc.v0``, the ISCC
image code, and its 64-bit body), the whole manifest store (the bytes c2pa-rs exports), the file's SHA-256,
signer, author, signing time, and when it was added. A file is added only if its own manifest validates and
carries a soft binding.

Storage is ``handmade.storage`` (component ``registry``, its own migrations): a SQLite file by default, or
a ``postgresql://`` URL shared by several hosts, as for the audit log.

Lookups run over an in-memory index of the fingerprints (one ``uint64`` per entry: 8 MB per million), a
vectorised Hamming distance (XOR then ``np.bitwise_count``) that reads new rows from the database before each
lookup, so entries added by another process are found too.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from handmade import _c2pa
from handmade.errors import HandmadeError, InputError, RegistryError
from handmade.files import DEFAULT_MAX_BYTES, LoadedFile, load_input
from handmade.fingerprint import ALG, DEFAULT_THRESHOLD, body, soft_bindings
from handmade.storage import Database, Migration, open_component
from handmade.text import clean_text

__all__ = ["MAX_RESULTS", "Match", "Registry", "RegistryEntry", "RegistryError", "open_registry"]

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS registry_entries (
    id {id},
    manifest_id TEXT NOT NULL UNIQUE,   -- the active manifest's label (urn:c2pa:...)
    alg TEXT NOT NULL,                  -- the soft binding's algorithm (io.iscc.v0)
    value TEXT NOT NULL,                -- the soft binding as the manifest carries it (ISCC:EEA...)
    bits {int} NOT NULL,                -- its 64-bit body, as a signed 64-bit integer
    sha256 TEXT NOT NULL,               -- the signed file's SHA-256
    mime TEXT NOT NULL,
    signer TEXT,
    author TEXT,
    signed_at TEXT,
    added_at TEXT NOT NULL,             -- UTC, ISO 8601
    store {blob} NOT NULL               -- the manifest store (JUMBF), as c2pa-rs exports it
);
CREATE INDEX IF NOT EXISTS registry_value ON registry_entries(alg, value);
CREATE INDEX IF NOT EXISTS registry_sha256 ON registry_entries(sha256);
"""
MIGRATIONS = (
    Migration(1, sqlite=SCHEMA_SQL.format(id="INTEGER PRIMARY KEY AUTOINCREMENT", int="INTEGER", blob="BLOB"),
              postgresql=SCHEMA_SQL.format(id="BIGSERIAL PRIMARY KEY", int="BIGINT", blob="BYTEA")),
)
_COLUMNS = ("id", "manifest_id", "alg", "value", "bits", "sha256", "mime", "signer", "author", "signed_at",
            "added_at")
#: The most candidates one lookup returns.
MAX_RESULTS = 100


@dataclass(frozen=True)
class RegistryEntry:
    """One registered file (without its manifest store: ``Registry.manifest`` gives that)."""

    id: int
    manifest_id: str
    alg: str
    value: str
    bits: int
    sha256: str
    mime: str
    signer: str | None
    author: str | None
    signed_at: str | None
    added_at: str

    def to_dict(self) -> dict[str, Any]:
        return {"manifest_id": self.manifest_id, "alg": self.alg, "value": self.value, "sha256": self.sha256,
                "format": self.mime, "signer": self.signer, "author": self.author, "signed_at": self.signed_at,
                "added_at": self.added_at}


@dataclass(frozen=True)
class Match:
    """An entry whose fingerprint is ``distance`` bits (of 64) from the one looked up."""

    entry: RegistryEntry
    distance: int


def _signed64(bits: int) -> int:
    return bits - (1 << 64) if bits >= 1 << 63 else bits


class _Index:
    """The fingerprints in memory: ``uint64`` bodies and the row id of each, grown as rows are added."""

    def __init__(self) -> None:
        self.bits = np.zeros(0, dtype=np.uint64)
        self.ids = np.zeros(0, dtype=np.int64)
        self.last_id = 0
        self.lock = threading.Lock()

    def extend(self, rows: list[tuple[int, int]]) -> None:
        if not rows:
            return
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        bits = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows)).view(np.uint64)
        self.ids = np.concatenate([self.ids, ids])
        self.bits = np.concatenate([self.bits, bits])
        self.last_id = max(self.last_id, int(ids.max()))

    def search(self, bits: int, max_distance: int, limit: int) -> list[tuple[int, int]]:
        """(row id, distance) of the nearest entries within ``max_distance``, nearest first."""
        if self.bits.size == 0:
            return []
        distances = np.bitwise_count(self.bits ^ np.uint64(bits))
        near = np.flatnonzero(distances <= max_distance)
        if near.size > limit:
            near = near[np.argpartition(distances[near], limit - 1)[:limit]]
        order = near[np.lexsort((self.ids[near], distances[near]))]
        return [(int(self.ids[i]), int(distances[i])) for i in order]


class Registry:
    """Add signed files; look them up by soft binding or fingerprint; give back their manifest stores.

    Opening it creates or migrates its table. Raises: RegistryError.
    """

    def __init__(self, url: str) -> None:
        self.db: Database = open_component(url, "registry", MIGRATIONS, RegistryError, "registry")
        self.url = url
        self._index = _Index()

    def close(self) -> None:
        self.db.close()

    # -- adding -----------------------------------------------------------------------------------------
    def add_file(self, path: str | os.PathLike[str], *, trust: Any = None,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[RegistryEntry, bool]:
        """Register a signed file. Returns (its entry, True if it was added now; False if it was there).

        Raises: InputError (unreadable file), RegistryError (``registry.not_signed``, ``registry.invalid``,
        ``registry.no_soft_binding``).
        """
        return self.add_loaded(load_input(path, max_bytes=max_bytes), trust=trust)

    def add_loaded(self, loaded: LoadedFile, *, trust: Any = None) -> tuple[RegistryEntry, bool]:
        """``add_file`` for a file in memory (an upload)."""
        from handmade.verify import inspect_loaded

        report = inspect_loaded(loaded, trust=trust, with_hints=False)
        name = loaded.path
        if report.state == "no_manifest":
            raise RegistryError(f"{name}: has no Content Credentials to register", code="registry.not_signed",
                                hint="Register the signed file (handmade sign writes one).")
        if report.state not in ("valid", "trusted"):
            raise RegistryError(f"{name}: its Content Credentials do not validate ({report.summary()}); only "
                                "files whose own manifest validates are registered", code="registry.invalid")
        exported = _c2pa.manifest_store_bytes(loaded.data, loaded.mime)
        if exported is None:  # pragma: no cover - the report just read one
            raise RegistryError(f"{name}: has no Content Credentials to register", code="registry.not_signed")
        manifest_id, store = exported
        raw = _c2pa.read_store(loaded.data, loaded.mime)
        manifest = (raw.store.get("manifests") or {}).get(manifest_id, {}) if raw is not None else {}
        bindings = [(alg, value) for alg, value in soft_bindings(manifest) if alg == ALG]
        if not bindings:
            raise RegistryError(f"{name}: its manifest carries no {ALG} soft binding (fingerprint)",
                                code="registry.no_soft_binding",
                                hint="Sign it again without --no-soft-binding (pictures only: not films, SVG or "
                                     "PDF).")
        value = bindings[0][1]
        bits = body(value)
        existing = self.entry(manifest_id)
        if existing is not None:
            return existing, False
        signer = report.signer.name if report.signer else None
        signed_at = report.signer.signed_at if report.signer else None
        author = ", ".join(report.authors) or None
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        sha256 = report.sha256 or ""
        with self.db.connect() as db:
            db.execute("INSERT INTO registry_entries (manifest_id, alg, value, bits, sha256, mime, signer, author,"
                       " signed_at, added_at, store) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                       (manifest_id, ALG, value, _signed64(bits), sha256, loaded.mime, signer, author, signed_at,
                        now, store))
        entry = self.entry(manifest_id)
        assert entry is not None
        return entry, True

    # -- reading ----------------------------------------------------------------------------------------
    def _row(self, row: Any) -> RegistryEntry:
        item = dict(zip(_COLUMNS, row, strict=True))
        item["bits"] = int(item["bits"]) & ((1 << 64) - 1)
        return RegistryEntry(**item)

    def entry(self, manifest_id: str) -> RegistryEntry | None:
        with self.db.connect() as db:
            row = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM registry_entries WHERE manifest_id = ?",
                             (manifest_id,)).fetchone()
        return None if row is None else self._row(row)

    def entries_by_id(self, ids: list[int]) -> dict[int, RegistryEntry]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with self.db.connect() as db:
            rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM registry_entries WHERE id IN ({marks})",
                              ids).fetchall()
        return {int(r[0]): self._row(r) for r in rows}

    def manifest(self, manifest_id: str) -> bytes | None:
        """The registered manifest store (``application/c2pa``), or None."""
        with self.db.connect() as db:
            row = db.execute("SELECT store FROM registry_entries WHERE manifest_id = ?", (manifest_id,)).fetchone()
        return None if row is None else bytes(row[0])

    def count(self) -> int:
        with self.db.connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM registry_entries").fetchone()[0])

    def _refresh(self) -> None:
        with self._index.lock:
            with self.db.connect() as db:
                rows = db.execute("SELECT id, bits FROM registry_entries WHERE id > ? ORDER BY id",
                                  (self._index.last_id,)).fetchall()
            self._index.extend([(int(r[0]), int(r[1])) for r in rows])

    def nearest(self, bits: int, *, max_distance: int = DEFAULT_THRESHOLD,
                max_results: int = 10) -> list[Match]:
        """Entries whose fingerprint is within ``max_distance`` bits of ``bits``, nearest first."""
        self._refresh()
        found = self._index.search(bits, max_distance, max(1, min(max_results, MAX_RESULTS)))
        entries = self.entries_by_id([i for i, _ in found])
        return [Match(entries[i], d) for i, d in found if i in entries]

    def by_binding(self, alg: str, value: str, *, max_results: int = 10,
                   max_distance: int = DEFAULT_THRESHOLD) -> list[Match]:
        """Matches for a soft binding value: for ``io.iscc.v0`` the nearest fingerprints (an exact value is at
        distance 0). Raises: InputError (``fingerprint.bad_value``), RegistryError (``registry.alg``)."""
        if alg != ALG:
            raise RegistryError(f"soft binding algorithm '{clean_text(alg, 80)}' is not supported here",
                                code="registry.alg", hint=f"This registry holds {ALG} fingerprints.")
        return self.nearest(body(value), max_distance=max_distance, max_results=max_results)


_OPEN: dict[tuple[int, str], Registry] = {}
_OPEN_LOCK = threading.Lock()


def open_registry(url: str) -> Registry:
    """The registry at ``url``, opened once per process (its fingerprint index stays in memory).

    Raises: RegistryError.
    """
    key = (os.getpid(), url)
    with _OPEN_LOCK:
        found = _OPEN.get(key)
        if found is None:
            found = _OPEN[key] = Registry(url)
        return found


def check_url(url: str) -> None:
    """Refuse, before anything starts, a registry that cannot be used (opened, migrated, closed).

    Raises: RegistryError."""
    Registry(url).close()


def register_files(url: str, paths: list[str], *, trust: Any = None) -> list[tuple[str, RegistryEntry | None,
                                                                                   bool, HandmadeError | None]]:
    """Register each file; one (path, entry, added now, error) per file, going on past bad files."""
    registry = open_registry(url)
    out: list[tuple[str, RegistryEntry | None, bool, HandmadeError | None]] = []
    for path in paths:
        try:
            entry, added = registry.add_file(Path(path), trust=trust)
            out.append((path, entry, added, None))
        except (InputError, RegistryError) as exc:
            out.append((path, None, False, exc))
    return out
