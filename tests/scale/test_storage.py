"""The storage layer and the audit log on a real PostgreSQL server (and the same checks on SQLite)."""

from __future__ import annotations

import io
import json
import socket
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from handmade.cli import main
from handmade.models import ProvenanceReport
from handmade.policy import PRESETS, evaluate
from handmade.storage import Migration, StorageError, open_database, redact
from handmade.web.audit import MIGRATIONS, AuditConfigError, AuditLog, export, list_decisions


def _report(name: str, sha: str) -> ProvenanceReport:
    return ProvenanceReport(path=name, state="no_manifest", sha256=sha, size=123)


def _fill(log: AuditLog) -> None:
    rep = _report("a.jpg", "a" * 64)
    log.record(rep, evaluate(PRESETS["any"], rep), "dir/a.jpg")
    rep = _report("b.jpg", "b" * 64)
    log.record(rep, evaluate(PRESETS["handmade"], rep), "=HYPERLINK(1).jpg")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'audit.sqlite'}"
    return str(request.getfixturevalue("pg_url"))


def test_audit_log_round_trip(db_url: str) -> None:
    log = AuditLog(db_url)
    _fill(log)
    assert log.count() == 2
    rows = list_decisions(db_url)
    assert [(r["filename"], r["accepted"]) for r in rows] == [("=HYPERLINK(1).jpg", False), ("a.jpg", True)]
    assert rows[0]["reasons"] and rows[0]["reasons"][0]["code"].startswith("policy.")
    assert [r["filename"] for r in list_decisions(db_url, accepted=True)] == ["a.jpg"]
    assert len(list_decisions(db_url, limit=1)) == 1
    out = io.StringIO()
    assert export(db_url, "csv", out, accepted=False) == 1
    assert "'=HYPERLINK" in out.getvalue()
    out = io.StringIO()
    export(db_url, "json", out)
    assert [d["sha256"] for d in json.loads(out.getvalue())["decisions"]] == ["b" * 64, "a" * 64]
    # The badges' lookup: the latest decision for a file, by its SHA-256 (any case), or None.
    latest = log.latest("A" * 64)
    assert latest is not None and latest["filename"] == "a.jpg" and latest["accepted"] is True
    assert log.latest("c" * 64) is None
    # Opening again neither loses rows nor migrates twice.
    assert AuditLog(db_url).count() == 2
    with open_database(db_url).connect() as db:
        versions = db.execute("SELECT version FROM schema_versions WHERE component = ?", ("audit",)).fetchall()
        assert versions == [(len(MIGRATIONS),)]


def test_audit_cli_reads_postgresql(pg_url: str) -> None:
    _fill(AuditLog(pg_url))
    r = CliRunner().invoke(main, ["audit", "--db", pg_url, "--format", "json"])
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.output)["decisions"]) == 2
    r = CliRunner().invoke(main, ["audit", "--db", pg_url, "--accepted"])
    assert r.exit_code == 0 and "ACCEPTED" in r.output and "REJECTED" not in r.output


def test_postgres_column_types_are_native(pg_url: str) -> None:
    AuditLog(pg_url)
    with open_database(pg_url).connect() as db:
        types = dict(db.execute("SELECT column_name, data_type FROM information_schema.columns "
                                "WHERE table_name = ?", ("decisions",)).fetchall())
    assert types["accepted"] == "boolean" and types["id"] == "bigint"


def test_migrations_step_forward_once(db_url: str) -> None:
    store = open_database(db_url)
    first = [Migration(1, "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL);")]
    assert store.migrate("things", first) == 1
    with store.connect() as db:
        db.execute("INSERT INTO things (id, name) VALUES (?, ?)", (1, "kept"))
    second = [*first, Migration(2, "ALTER TABLE things ADD COLUMN note TEXT;\n"
                                   "CREATE INDEX things_name ON things(name);")]
    assert store.migrate("things", second) == 2
    assert store.migrate("things", second) == 2  # nothing left to do
    with store.connect() as db:
        assert db.execute("SELECT id, name, note FROM things").fetchall() == [(1, "kept", None)]
        assert db.execute("SELECT component, version FROM schema_versions ORDER BY component").fetchall() == [
            ("things", 2)]
    store.close()


def test_failed_transaction_is_rolled_back(db_url: str) -> None:
    store = open_database(db_url)
    store.migrate("t", [Migration(1, "CREATE TABLE t (v TEXT NOT NULL);")])
    with pytest.raises(Exception), store.connect() as db:  # noqa: B017 - each driver has its own error
        db.execute("INSERT INTO t (v) VALUES (?)", ("first",))
        db.execute("INSERT INTO t (v) VALUES (?)", (None,))
    with store.connect() as db:  # and the pooled connection is usable again
        assert db.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0
        db.execute("INSERT INTO t (v) VALUES (?)", ("50% off",))  # a literal % survives placeholder mapping
    with store.connect() as db:
        assert db.execute("SELECT v FROM t").fetchall() == [("50% off",)]


def test_processes_starting_at_once_migrate_once(pg_url: str) -> None:
    errors: list[BaseException] = []

    def open_log() -> None:
        try:
            AuditLog(pg_url).close()
        except BaseException as exc:  # pragma: no cover - the failure is reported below
            errors.append(exc)

    def open_other() -> None:  # another component (a registry) migrating the same fresh database
        try:
            store = open_database(pg_url)
            store.migrate("registry", [Migration(1, "CREATE TABLE IF NOT EXISTS registry (k TEXT PRIMARY KEY);")])
            store.close()
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=open_log if i % 2 else open_other) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with open_database(pg_url).connect() as db:
        assert db.execute("SELECT component, version FROM schema_versions ORDER BY component").fetchall() == [
            ("audit", len(MIGRATIONS)), ("registry", 1)]


def test_sqlite_log_from_before_versions_is_adopted(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as raw:  # the table as the previous release created it, with one row
        raw.executescript("""CREATE TABLE decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL,
            sha256 TEXT, size INTEGER, filename TEXT, state TEXT NOT NULL, ai TEXT NOT NULL, summary TEXT NOT NULL,
            policy TEXT NOT NULL, accepted INTEGER NOT NULL, reasons TEXT NOT NULL);
            INSERT INTO decisions VALUES (1, '2026-01-01T00:00:00+00:00', NULL, 1, 'old.jpg', 'no_manifest',
            'unknown', 'NO_MANIFEST', 'any', 1, '[]');""")
    log = AuditLog(str(path))
    assert log.count() == 1 and list_decisions(str(path))[0]["filename"] == "old.jpg"


def test_unreachable_server_is_a_worded_error_without_the_password() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once we leave: nothing listens there
    url = f"postgresql://desk:s3cret-pw@127.0.0.1:{port}/audit"
    with pytest.raises(AuditConfigError) as exc:
        AuditLog(url)
    assert exc.value.code == "audit.unavailable"
    assert "s3cret-pw" not in exc.value.message and "***" in exc.value.message
    assert redact("postgresql://u:p@h/db") == "postgresql://u:***@h/db"
    r = CliRunner().invoke(main, ["audit", "--db", url])
    assert r.exit_code == 3 and "s3cret-pw" not in r.output and "cannot reach" in r.output
    assert "Traceback" not in r.output


def test_other_schemes_are_refused() -> None:
    with pytest.raises(StorageError) as exc:
        open_database("mysql://h/db")
    assert exc.value.code == "storage.unsupported"


def test_service_on_postgresql_records_and_never_answers_without_its_row(pg_url: str) -> None:
    import httpx

    from handmade.web.config import ServiceConfig
    from tests.conftest import photo_bytes
    from tests.web.conftest import start

    config = ServiceConfig(audit_db=pg_url)
    for server in start(config):
        r = httpx.post(f"{server.url}/v1/verify", content=photo_bytes(), params={"name": "desk.jpg"}, timeout=30)
        assert r.status_code == 200 and r.json()["accepted"] is False
        assert [d["filename"] for d in list_decisions(pg_url)] == ["desk.jpg"]
        with open_database(pg_url).connect() as db:  # the log becomes unwritable under the running service
            db.execute("DROP TABLE decisions")
        r = httpx.post(f"{server.url}/v1/verify", content=photo_bytes(), params={"name": "lost.jpg"}, timeout=30)
        assert r.status_code == 500  # an answer without its audit row would be a lie


def test_threads_write_through_their_own_kept_connection_and_close_releases_them(db_url: str) -> None:
    """Each thread of a service's pool writes through one connection it keeps (SQLite: per thread, opened on first
    use); concurrent writers lose no row, and ``close`` releases what was opened."""
    log = AuditLog(db_url)
    rep = _report("t.jpg", "c" * 64)
    decision = evaluate(PRESETS["any"], rep)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(25):
                log.record(rep, decision, "t.jpg")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and log.count() == 100
    if log.db.dialect == "sqlite":
        opened = list(log.db._opened)  # type: ignore[attr-defined]
        assert 1 <= len(opened) <= 5  # one per thread that wrote (and the opening thread), not one per write
        log.close()
        for _, conn in opened:
            with pytest.raises(sqlite3.ProgrammingError):
                conn.execute("SELECT 1")  # closed
    log.close()
    assert AuditLog(db_url).count() == 100  # still there, and the log opens again after close


def test_the_registry_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    """The manifest registry (issue 14) through the same storage layer: add, find a copy, give back the store,
    recover it in a verdict; a second add is no second row."""
    from PIL import Image

    from handmade.keys import load_identity
    from handmade.registry import Registry
    from handmade.sign import SignOptions, sign_image
    from handmade.verify import inspect, load_trust_anchors
    from tests.conftest import make_scene
    from tests.pki import make_pki

    pki = make_pki(tmp_path / "pki")
    signed = tmp_path / "signed.jpg"
    sign_image(make_scene(tmp_path / "in.jpg", size=(800, 600), seed=61), signed, SignOptions(author="Jane Doe"),
               load_identity(pki.key_pem, pki.chain_pem))
    registry = Registry(pg_url)
    before = registry.count()
    entry, added = registry.add_file(signed)
    assert added and registry.count() == before + 1
    assert registry.add_file(signed)[1] is False and registry.count() == before + 1
    assert registry.entry(entry.manifest_id) == entry
    store = registry.manifest(entry.manifest_id)
    assert store is not None and store[4:8] == b"jumb"
    copy = tmp_path / "copy.png"
    with Image.open(signed) as im:
        im.resize((400, 300)).save(copy, "PNG")
    report = inspect(copy, registry=pg_url, trust=load_trust_anchors([pki.root_pem]))
    assert report.state == "no_manifest" and report.human_authored is None
    assert [c.manifest_id for c in report.recovered] == [entry.manifest_id]
    assert report.recovered[0].author == "Jane Doe" and report.recovered[0].state == "trusted"
    registry.close()
