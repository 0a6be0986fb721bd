"""Where handmade keeps tables: SQLite by default (a path or ``sqlite:///path``), PostgreSQL for several hosts
sharing one database (``postgresql://user@host:port/db``, through psycopg 3: ``pip install 'handmade[postgres]'``).

One ``Database`` per URL; each caller (the audit log today, a registry tomorrow) names itself as a component
and gives its ordered migrations; ``migrate`` applies those not yet applied, recorded in ``schema_versions``,
under a lock (SQLite ``BEGIN IMMEDIATE``, PostgreSQL an advisory transaction lock), so several processes
starting at once migrate once. SQL is written once with ``?`` placeholders; a migration may give one text
per dialect where their DDL differs.

SQLite: one connection per thread, kept open (opening one cost more than a write), WAL mode so several
processes on one host can write; every call is its own transaction, committed (and synced) before it returns.
PostgreSQL: a small pool of open connections per process (a connection costs a round trip and an authentication), each
call in its own transaction, a connection that failed is closed rather than reused. A password in the URL
never appears in an error message (``redact``).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import threading
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handmade.errors import StorageError

__all__ = ["Database", "Migration", "StorageError", "open_component", "open_database", "redact"]


@dataclass(frozen=True)
class Migration:
    """One step of a component's schema: ``sql`` for both dialects, or ``sqlite`` and ``postgresql`` apart."""

    version: int
    sql: str = ""
    sqlite: str = ""
    postgresql: str = ""

    def text(self, dialect: str) -> str:
        return (self.sqlite if dialect == "sqlite" else self.postgresql) or self.sql


_VERSIONS_SQL = ("CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)")


#: The advisory lock key under which PostgreSQL migrations run.
_SCHEMA_LOCK = zlib.crc32(b"handmade.storage.schema")


def redact(url: str) -> str:
    """The URL with any password replaced by ``***`` (for messages and logs)."""
    return re.sub(r"^([a-z][a-z0-9+.-]*://[^:/@]*):[^@]*@", r"\1:***@", url, flags=re.IGNORECASE)


def is_url(url: str) -> bool:
    return "://" in url


class Database:
    """A SQLite file or a PostgreSQL database; ``connect()`` gives a transaction, ``migrate`` the schema."""

    dialect: str

    def connect(self) -> contextlib.AbstractContextManager[Connection]:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:
        """Close pooled connections (SQLite holds none)."""

    def migrate(self, component: str, migrations: Sequence[Migration]) -> int:
        """Apply the ``migrations`` of ``component`` not yet recorded; returns the schema version now."""
        with self.connect() as db:
            db.lock(component)
            db.execute(_VERSIONS_SQL)
            row = db.execute("SELECT version FROM schema_versions WHERE component = ?", (component,)).fetchone()
            current = int(row[0]) if row else 0
            for step in sorted(migrations, key=lambda m: m.version):
                if step.version <= current:
                    continue
                db.script(step.text(self.dialect))
                current = step.version
            if row is None:
                db.execute("INSERT INTO schema_versions (component, version) VALUES (?, ?)", (component, current))
            else:
                db.execute("UPDATE schema_versions SET version = ? WHERE component = ?", (current, component))
        return current


class Connection:
    """One open transaction: ``execute(sql, args)`` with ``?`` placeholders returns a cursor (``fetchone``,
    ``fetchall``; rows are tuples), ``script`` runs several statements."""

    def __init__(self, raw: Any, dialect: str) -> None:
        self.raw, self.dialect = raw, dialect

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        if self.dialect == "postgresql":
            sql = sql.replace("%", "%%").replace("?", "%s")
        return self.raw.execute(sql, tuple(args))

    def script(self, sql: str) -> None:
        for statement in _statements(sql):
            self.raw.execute(statement)  # no parameters: no placeholder processing

    def lock(self, component: str) -> None:
        """Serialise schema changes between processes for the rest of this transaction. One lock for every
        component: two components migrating a fresh database at once both create ``schema_versions``."""
        if self.dialect == "postgresql":
            self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        else:
            self.raw.execute("BEGIN IMMEDIATE")


def _statements(sql: str) -> list[str]:
    """Split a migration script at semicolons that end a line (no procedural code in our migrations);
    ``--`` comments are kept inside their statement (both databases accept them)."""
    return [s.strip() for s in re.split(r";\s*(?:--[^\n]*)?\n", sql + "\n") if s.strip()]


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


class SQLiteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = str(path)
        # One open connection per thread (a service writes from a pool of threads; sqlite3 connections belong
        # to their thread), made again in a forked child: opening one costs more than the write itself.
        self._local = threading.local()
        self._opened: list[tuple[int, sqlite3.Connection]] = []
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _create_private(self.path)
            with self._open() as db:
                db.execute("PRAGMA journal_mode=WAL")
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"cannot open the database {path}: {exc}", code="storage.unavailable",
                               hint="Check the path and its permissions.") from exc

    @contextlib.contextmanager
    def _open(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, opened on first use (transactions are ours: autocommit mode)."""
        db = getattr(self._local, "db", None)
        if db is None or self._local.pid != os.getpid():
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            self._local.db, self._local.pid = db, os.getpid()
            with self._lock:
                self._opened.append((os.getpid(), db))
        yield db

    def close(self) -> None:
        """Close every thread's connection (a thread that uses the database again opens a new one); a forked
        child leaves its parent's alone."""
        with self._lock:
            opened, self._opened = self._opened, []
        for pid, db in opened:
            if pid == os.getpid():
                with contextlib.suppress(sqlite3.Error):
                    db.close()
        self._local = threading.local()

    @contextlib.contextmanager
    def connect(self) -> Iterator[Connection]:
        """One short connection and transaction: committed on success, rolled back on error, always closed."""
        with self._open() as raw:
            conn = _SQLiteConnection(raw, "sqlite")
            try:
                yield conn
            except BaseException:
                if raw.in_transaction:
                    raw.rollback()
                raise
            if raw.in_transaction:
                raw.commit()


class _SQLiteConnection(Connection):
    def execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        if not self.raw.in_transaction and not sql.lstrip().upper().startswith(("BEGIN", "PRAGMA")):
            self.raw.execute("BEGIN")
        return self.raw.execute(sql, tuple(args))

    def script(self, sql: str) -> None:
        for statement in _statements(sql):
            self.execute(statement)

    def lock(self, component: str) -> None:
        if not self.raw.in_transaction:
            self.raw.execute("BEGIN IMMEDIATE")


class PostgresDatabase(Database):
    dialect = "postgresql"
    #: Idle connections kept open per process.
    POOL = 8

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError as exc:
            raise StorageError("PostgreSQL needs psycopg 3, which is not installed", code="storage.unsupported",
                               hint="pip install 'handmade[postgres]' (psycopg[binary] 3.x)") from exc
        self._psycopg = psycopg
        self.url = url
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        with self.connect() as db:  # fail now, with a clear message, rather than at the first write
            db.execute("SELECT 1")

    def _new(self) -> Any:
        try:
            return self._psycopg.connect(self.url, connect_timeout=10)
        except self._psycopg.Error as exc:
            raise StorageError(f"cannot reach the database {redact(self.url)}: {_first_line(exc)}",
                               code="storage.unavailable",
                               hint="Check that PostgreSQL runs, the host, port, database name and credentials "
                                    "(a password may also come from PGPASSWORD or ~/.pgpass).") from exc

    @contextlib.contextmanager
    def connect(self) -> Iterator[Connection]:
        with self._lock:
            raw = self._idle.pop() if self._idle else None
        if raw is None or raw.closed:
            raw = self._new()
        healthy = False
        try:
            with raw.transaction():
                yield Connection(raw, "postgresql")
            healthy = True
        finally:
            idle = raw.info.transaction_status == self._psycopg.pq.TransactionStatus.IDLE
            with self._lock:
                if healthy and idle and not raw.closed and len(self._idle) < self.POOL:
                    self._idle.append(raw)
                    raw = None
            if raw is not None:
                raw.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for raw in idle:
            raw.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def open_component(url: str, component: str, migrations: Sequence[Migration], error: type[StorageError],
                   what: str) -> Database:
    """The database of ``url`` with ``component``'s tables created or migrated, its problems told in the
    component's own words: ``error`` (a StorageError) with the code ``<component>.unsupported`` /
    ``.unavailable`` / ``.config`` and the message prefixed by ``what`` ("audit log", "registry").

    Raises: ``error``.
    """
    try:
        db = open_database(url)
    except StorageError as exc:
        raise error(f"{what}: {exc.message}", code=exc.code.replace("storage.", f"{component}.", 1),
                    hint=exc.hint) from exc
    try:
        db.migrate(component, migrations)
    except StorageError:
        db.close()
        raise
    except Exception as exc:  # a driver error: the database refused the schema
        db.close()
        raise error(f"{what}: cannot create its table: {type(exc).__name__}: {str(exc)[:200]}",
                    code=f"{component}.unavailable") from exc
    return db


def open_database(url: str) -> Database:
    """The database of ``url``: a file path or ``sqlite:///path`` (``sqlite:////abs``), or
    ``postgresql://`` / ``postgres://`` (libpq URL: user, password, host, port, database, parameters).

    Raises: StorageError for another scheme, an empty path, a missing driver or an unreachable server.
    """
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if not path:
            raise StorageError("empty database path", hint="Give a file path or sqlite:///path.")
        return SQLiteDatabase(Path(path))
    scheme = url.split("://", 1)[0].lower() if is_url(url) else ""
    if scheme in ("postgresql", "postgres"):
        return PostgresDatabase(url)
    if scheme:
        raise StorageError(f"database '{scheme}://' is not supported", code="storage.unsupported",
                           hint="Use a file path, sqlite:///path or postgresql://user@host:port/database.")
    if not url:
        raise StorageError("empty database path", hint="Give a file path or sqlite:///path.")
    return SQLiteDatabase(Path(url))
