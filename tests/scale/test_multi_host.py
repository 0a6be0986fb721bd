"""Three real `handmade serve` processes sharing one real PostgreSQL audit log, under a bounded load: every
answered upload is one audit row, and nothing answers 5xx. (The full 2,000-upload run is bench/multi_host.py;
no timing is asserted here.)"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from tests.postgres import PostgresServer

ROOT = Path(__file__).resolve().parents[2]


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("multi_host", ROOT / "bench" / "multi_host.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_three_services_share_one_postgresql_audit_log(postgres: PostgresServer) -> None:
    result = _bench().run(requests=300, concurrency=32, services=3, db="postgresql", pg_server=postgres,
                          deadline_s=300)
    assert result["errors"] == 0, result["error_samples"]
    assert result["server_errors"] == 0 and result["statuses"] == {200: 300}
    assert result["per_service"] == [100, 100, 100]  # each service answered its share
    assert result["audit_rows"] == result["answered"] == 300
    print(f"3 services on PostgreSQL: {result['throughput_rps']:.1f} req/s, p99 {result['p99_ms']:.0f} ms")
