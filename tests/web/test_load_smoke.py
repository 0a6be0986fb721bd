"""A small run of the bench load test: 40 uploads, 8 at a time, no error, no leaked temp file.
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
    result = module.run(requests=40, concurrency=8, deadline_s=120)
    assert result["errors"] == 0, result["error_samples"]
    assert result["statuses"] == {200: 40}
    assert result["leaked_temp_files"] == []
    print(f"load smoke: {result['throughput_rps']:.1f} req/s, p50 {result['p50_ms']:.0f} ms, "
          f"p95 {result['p95_ms']:.0f} ms, payloads {result['payloads']}")
