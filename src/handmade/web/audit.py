"""The decision log: every verification the service decides, so a desk can answer "what did we accept last
week, and why". SQLite by default (a path or ``sqlite:///path``), one short connection per call, WAL mode so
several workers can write.

Swapping in PostgreSQL (several hosts sharing one log): install a driver (``pip install "psycopg[binary]"``),
create the ``decisions`` table below (``id`` as ``BIGSERIAL``, ``accepted`` as ``BOOLEAN``), and give
``AuditLog`` a ``_connect`` for ``postgresql://`` URLs that returns a psycopg connection with ``%s``
placeholders instead of ``?``; everything else is plain SQL. This build refuses such URLs with a clear error
(``audit.unsupported``) rather than silently logging nowhere.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from handmade.errors import HandmadeError
from handmade.models import ProvenanceReport
from handmade.policy import Decision
from handmade.report import join_reasons

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,            -- UTC, ISO 8601
    sha256 TEXT,
    size INTEGER,
    filename TEXT,
    state TEXT NOT NULL,
    ai TEXT NOT NULL,
    summary TEXT NOT NULL,
    policy TEXT NOT NULL,
    accepted INTEGER NOT NULL,
    reasons TEXT NOT NULL          -- JSON list of {code, severity, message, source}
);
CREATE INDEX IF NOT EXISTS decisions_time ON decisions(time);
CREATE INDEX IF NOT EXISTS decisions_sha256 ON decisions(sha256);
"""
COLUMNS = ("id", "time", "sha256", "size", "filename", "state", "ai", "summary", "policy", "accepted", "reasons")


class AuditConfigError(HandmadeError):
    default_code = "audit.config"


def _path(url: str) -> Path:
    """The SQLite file of a path or ``sqlite:///path`` URL (``sqlite:////abs`` or ``sqlite:///rel``)."""
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///"):])
    if "://" in url:
        scheme = url.split("://", 1)[0]
        hint = ("Use a file path or sqlite:///path. PostgreSQL needs a driver (pip install 'psycopg[binary]') "
                "and a _connect for it: see the module docstring of handmade/web/audit.py.")
        raise AuditConfigError(f"audit database '{scheme}://' is not supported in this build",
                               code="audit.unsupported", hint=hint)
    if not url:
        raise AuditConfigError("empty audit database path", hint="Give a file path or sqlite:///path.")
    return Path(url)


def _create_private(path: Path) -> None:
    """Create the database file 0600 if it is not there (file names and hashes of uploads are nobody else's
    business); SQLite then gives its -wal and -shm files the same mode. An existing file is left as it is."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def check_url(url: str) -> None:
    """Refuse, before anything starts, a decision-log URL this build cannot open (``postgresql://`` ...).

    Raises: AuditConfigError (``audit.unsupported``, ``audit.config``).
    """
    _path(url)


class AuditLog:
    """Append decisions; list and export them."""

    def __init__(self, url: str) -> None:
        self.path = _path(url)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _create_private(self.path)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA_SQL)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One short connection: committed on success, rolled back on error, always closed."""
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.row_factory = sqlite3.Row
            with db:
                yield db
        finally:
            db.close()

    def record(self, report: ProvenanceReport, decision: Decision, filename: str) -> None:
        """Write one decision."""
        row = (dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), report.sha256, report.size,
               _clean_name(filename), report.state, report.ai, report.summary(), decision.policy,
               int(decision.accepted),
               json.dumps([r.to_dict() for r in decision.reasons], ensure_ascii=False))
        with self._connect() as db:
            db.execute("INSERT INTO decisions (time, sha256, size, filename, state, ai, summary, policy, accepted,"
                       " reasons) VALUES (?,?,?,?,?,?,?,?,?,?)", row)

    def latest(self, sha256: str) -> dict[str, Any] | None:
        """The latest decision recorded for a file, by its SHA-256 (lower-case hex), or None."""
        with self._connect() as db:
            row = db.execute(f"SELECT {', '.join(COLUMNS)} FROM decisions WHERE sha256 = ? ORDER BY id DESC LIMIT 1",
                             (sha256.lower(),)).fetchone()
        if row is None:
            return None
        item = dict(row)
        item["accepted"] = bool(item["accepted"])
        item["reasons"] = json.loads(item["reasons"])
        return item

    def list(self, since: dt.datetime | None = None, until: dt.datetime | None = None,
             accepted: bool | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        clauses: list[str] = []
        args: list[str | int] = []
        if since is not None:
            clauses.append("time >= ?")
            args.append(_iso(since))
        if until is not None:
            clauses.append("time < ?")
            args.append(_iso(until))
        if accepted is not None:
            clauses.append("accepted = ?")
            args.append(int(accepted))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._connect() as db:
            rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM decisions {where} ORDER BY id DESC LIMIT ?",
                              (*args, max(0, int(limit)))).fetchall()
        out = []
        for r in rows:
            item = dict(r)
            item["accepted"] = bool(item["accepted"])
            item["reasons"] = json.loads(item["reasons"])
            out.append(item)
        return out


def _clean_name(name: str) -> str:
    """Printable, one line, last path component, at most 200 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return " ".join("".join(ch if ch.isprintable() else " " for ch in base).split())[:200] or "upload"


def _csv_cell(value: Any) -> Any:
    """A file name like ``=HYPERLINK(...)`` must stay text when the export is opened in a spreadsheet."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _iso(t: dt.datetime) -> str:
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def list_decisions(db_url: str, since: dt.datetime | None = None, until: dt.datetime | None = None,
                   accepted: bool | None = None, limit: int = 1000) -> list[dict[str, Any]]:
    """Decisions, newest first: ``since <= time < until`` (naive datetimes are UTC), only accepted or only
    rejected ones, at most ``limit``. Each row: id, time, sha256, size, filename, state, ai, summary, policy,
    accepted (bool), reasons (list of finding dicts). Raises: AuditConfigError for an unsupported URL."""
    return AuditLog(db_url).list(since=since, until=until, accepted=accepted, limit=limit)


def export(db_url: str, fmt: str, out: TextIO, **filters: Any) -> int:
    """Write decisions as ``csv`` or ``json`` to ``out``; returns how many. Raises: AuditConfigError."""
    rows = list_decisions(db_url, **filters)
    if fmt == "json":
        json.dump({"schema": "handmade.audit/v1", "decisions": rows}, out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
        writer.writeheader()
        for r in rows:
            row = {**r, "reasons": join_reasons([x["message"] for x in r["reasons"]])}
            writer.writerow({k: _csv_cell(v) for k, v in row.items()})
    else:
        raise AuditConfigError(f"unknown export format '{fmt}'", hint="csv or json")
    return len(rows)
