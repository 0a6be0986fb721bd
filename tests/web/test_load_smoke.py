"""A small run of the bench load test against a real ``handmade serve --workers 2``: 40 uploads, 8 at a time, no
error, no leaked temp file, every answer naming its worker process.
(No timing is asserted; the figures belong to bench/load_service.py.)"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_load_smoke_no_errors_no_leaks() -> None:
    spec = importlib.util.spec_from_file_location("load_service", ROOT / "bench" / "load_service.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.run(requests=40, concurrency=8, worker_counts=(2,), runs=1, deadline_s=120)
    (run,) = result["runs"]["workers_2"]
    assert run["errors"] == 0, run["error_samples"]
    assert run["statuses"] == {200: 40}
    # every answer named the worker process that made it (HANDMADE_WORKER_HEADER, set by the load test)
    assert "?" not in run["per_worker"] and sum(run["per_worker"].values()) == 40
    assert result["leaked_temp_files"] == []
    print(f"load smoke: {run['throughput_rps']:.1f} req/s, p50 {run['p50_ms']:.0f} ms, "
          f"p95 {run['p95_ms']:.0f} ms, per worker {run['per_worker']}, payloads {run['payloads']}")
