"""The decision log: every verification the service decides, so a desk can answer "what did we accept last
week, and why". SQLite by default (a path or ``sqlite:///path``: one connection per thread, kept open, WAL mode
so several workers of one host can write); PostgreSQL (``postgresql://user@host:port/database``, ``pip install
'handmade[postgres]'``) for several hosts sharing one log. The tables live in ``handmade.storage``, which
creates or migrates them when the log is opened (component ``audit``).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from typing import Any, TextIO

from handmade.errors import AuditConfigError
from handmade.models import ProvenanceReport
from handmade.policy import Decision
from handmade.report import join_reasons
from handmade.storage import Database, Migration, open_component
from handmade.text import file_name

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS decisions (
    id {id},
    time TEXT NOT NULL,            -- UTC, ISO 8601
    sha256 TEXT,
    size {int},
    filename TEXT,
    state TEXT NOT NULL,
    ai TEXT NOT NULL,
    summary TEXT NOT NULL,
    policy TEXT NOT NULL,
    accepted {bool} NOT NULL,
    reasons TEXT NOT NULL          -- JSON list of {{code, severity, message, source}}
);
CREATE INDEX IF NOT EXISTS decisions_time ON decisions(time);
"""
#: Version 2: badges look decisions up by the file's SHA-256.
SHA256_INDEX_SQL = "CREATE INDEX IF NOT EXISTS decisions_sha256 ON decisions(sha256);"
#: The audit component's schema, step by step (``IF NOT EXISTS``: a log written before versions were recorded
#: is adopted as version 1 as it is).
MIGRATIONS = (
    Migration(1, sqlite=SCHEMA_SQL.format(id="INTEGER PRIMARY KEY AUTOINCREMENT", int="INTEGER", bool="INTEGER"),
              postgresql=SCHEMA_SQL.format(id="BIGSERIAL PRIMARY KEY", int="BIGINT", bool="BOOLEAN")),
    Migration(2, sqlite=SHA256_INDEX_SQL, postgresql=SHA256_INDEX_SQL),
)
COLUMNS = ("id", "time", "sha256", "size", "filename", "state", "ai", "summary", "policy", "accepted", "reasons")


def check_url(url: str) -> None:
    """Refuse, before anything starts, a decision log that cannot be used: an unsupported scheme, a database
    that cannot be reached or refuses the table (the log is opened, migrated and closed).

    Raises: AuditConfigError (``audit.unsupported``, ``audit.unavailable``, ``audit.config``).
    """
    AuditLog(url).db.close()


class AuditLog:
    """Append decisions; list and export them. Opening it creates or migrates its table."""

    def __init__(self, url: str) -> None:
        self.db: Database = open_component(url, "audit", MIGRATIONS, AuditConfigError, "audit log")
        self.url = url

    def close(self) -> None:
        self.db.close()

    def record(self, report: ProvenanceReport, decision: Decision, filename: str) -> None:
        """Write one decision."""
        row = (dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), report.sha256, report.size,
               file_name(filename), report.state, report.ai, report.summary(), decision.policy,
               bool(decision.accepted),
               json.dumps([r.to_dict() for r in decision.reasons], ensure_ascii=False))
        with self.db.connect() as db:
            db.execute("INSERT INTO decisions (time, sha256, size, filename, state, ai, summary, policy, accepted,"
                       " reasons) VALUES (?,?,?,?,?,?,?,?,?,?)", row)

    def count(self) -> int:
        """How many decisions the log holds."""
        with self.db.connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0])

    def latest(self, sha256: str) -> dict[str, Any] | None:
        """The latest decision recorded for a file, by its SHA-256 (lower-case hex), or None."""
        with self.db.connect() as db:
            row = db.execute(f"SELECT {', '.join(COLUMNS)} FROM decisions WHERE sha256 = ? ORDER BY id DESC LIMIT 1",
                             (sha256.lower(),)).fetchone()
        if row is None:
            return None
        item = dict(zip(COLUMNS, row, strict=True))
        item["accepted"] = bool(item["accepted"])
        item["reasons"] = json.loads(item["reasons"])
        return item

    def list(self, since: dt.datetime | None = None, until: dt.datetime | None = None,
             accepted: bool | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        clauses: list[str] = []
        args: list[str | int | bool] = []
        if since is not None:
            clauses.append("time >= ?")
            args.append(_iso(since))
        if until is not None:
            clauses.append("time < ?")
            args.append(_iso(until))
        if accepted is not None:
            clauses.append("accepted = ?")
            args.append(bool(accepted))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self.db.connect() as db:
            rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM decisions {where} ORDER BY id DESC LIMIT ?",
                              (*args, max(0, int(limit)))).fetchall()
        out = []
        for r in rows:
            item = dict(zip(COLUMNS, r, strict=True))
            item["accepted"] = bool(item["accepted"])
            item["reasons"] = json.loads(item["reasons"])
            out.append(item)
        return out


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
    log = AuditLog(db_url)
    try:
        return log.list(since=since, until=until, accepted=accepted, limit=limit)
    finally:
        log.close()


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
