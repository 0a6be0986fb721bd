"""A real, throwaway PostgreSQL server for tests and benches: ``initdb`` and ``pg_ctl`` in a temporary folder,
listening on a free port of 127.0.0.1 only, trust authentication (nothing else can reach it), fsync off.

As root the server runs as the ``postgres`` user (``initdb`` refuses root). scripts/install-postgres.sh
installs Debian's ``postgresql``; ``find_binaries`` looks on PATH, then in /usr/lib/postgresql/*/bin.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class PostgresUnavailable(RuntimeError):
    """Why no server could be started (the tests skip with this text)."""


def find_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, newest version first."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    def version(p: str) -> float:
        try:
            return float(Path(p).parents[1].name)
        except ValueError:
            return 0.0
    for initdb in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version, reverse=True):
        if (Path(initdb).parent / "pg_ctl").exists():
            return Path(initdb).parent
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    bindir: Path
    folder: Path
    port: int
    user: str
    _run_as: dict[str, Any] = field(default_factory=dict)

    @property
    def admin_url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def new_database(self, prefix: str = "handmade") -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _pg(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.bindir / args[0]), *args[1:]], capture_output=True, text=True,
                              timeout=timeout, cwd=self.folder, env={**os.environ, "LC_ALL": "C.UTF-8"},
                              **self._run_as)

    def stop(self) -> None:
        try:
            self._pg("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop", timeout=60)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_server(max_connections: int = 200, durable: bool = False) -> PostgresServer:
    """Start a server; raises PostgresUnavailable with the reason when it cannot. ``durable=False`` (tests)
    turns fsync and synchronous commit off; a bench comparing databases keeps PostgreSQL's defaults."""
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise PostgresUnavailable(f"psycopg is not installed ({exc}): pip install -e '.[test]'") from exc
    bindir = find_binaries()
    if bindir is None:
        raise PostgresUnavailable("initdb/pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin: "
                                  "run scripts/install-postgres.sh (Debian's postgresql package)")
    run_as: dict[str, Any] = {}
    user = pwd.getpwuid(os.getuid()).pw_name
    if os.getuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable("running as root and there is no 'postgres' user to run initdb as") from None
        run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        user = "postgres"
    folder = Path(tempfile.mkdtemp(prefix="handmade-pg-"))
    if run_as:
        os.chown(folder, run_as["user"], run_as["group"])
    server = PostgresServer(bindir, folder, _free_port(), user, run_as)
    init = server._pg("initdb", "-D", str(folder / "data"), "-U", user, "--auth=trust", "-E", "UTF8",
                      "--no-sync", "--no-instructions")
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise PostgresUnavailable(f"initdb failed: {init.stderr.strip()[-500:]}")
    options = f"-c listen_addresses=127.0.0.1 -p {server.port} -k {folder} -c max_connections={max_connections}"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    started = server._pg("pg_ctl", "-D", str(folder / "data"), "-l", str(folder / "server.log"), "-o", options,
                         "-w", "-t", "60", "start")
    if started.returncode != 0:
        log = (folder / "server.log").read_text(errors="replace")[-800:] if (folder / "server.log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise PostgresUnavailable(f"pg_ctl start failed: {started.stderr.strip()[-300:]} {log}")
    return server
