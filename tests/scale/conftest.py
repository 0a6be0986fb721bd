"""A real PostgreSQL server for the whole session (tests/postgres.py); tests that need it skip loudly without it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.postgres import PostgresServer, PostgresUnavailable, start_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        pytest.skip(f"POSTGRESQL NOT AVAILABLE, PostgreSQL tests skipped: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(postgres: PostgresServer) -> str:
    """A fresh empty database on the session's server."""
    return postgres.new_database()
