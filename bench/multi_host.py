"""Several `handmade serve` processes (stand-ins for hosts) sharing one audit database, under a bounded load.

    python bench/multi_host.py                              # 2,000 uploads, 32 at a time, 3 services, PostgreSQL
    python bench/multi_host.py --db sqlite                  # the same on one shared SQLite file
    python bench/multi_host.py --db both                    # PostgreSQL and SQLite side by side
    python bench/multi_host.py --db postgresql://u@h/db     # an existing PostgreSQL database

Starts its own throwaway PostgreSQL server on 127.0.0.1 (tests/postgres.py: initdb/pg_ctl in a temporary folder,
PostgreSQL's default durability) unless given a URL. Uploads are spread round-robin over the services, which is
what any load balancer does. Checks: no 5xx, no transport error, every answer the expected decision, and the
audit log holds exactly one row per answered request. Prints throughput and latency percentiles (figures, not
assertions). Talks only to 127.0.0.1; the request loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def payloads(folder: Path) -> tuple[Path, list[tuple[str, bytes, bool]]]:
    """A throwaway identity (its root is the services' trust anchor), a file it signed (accepted under the
    default policy) and an unsigned photo (rejected); returns the root and (name, bytes, accepted)."""
    from PIL import Image

    from handmade.keys import create_identity, load_identity
    from handmade.sign import SignOptions, sign_image

    made = create_identity(folder / "identity", "Multi Host Bench", passphrase=None, overwrite=True)
    src = folder / "in.jpg"
    Image.effect_noise((640, 480), 40).convert("RGB").save(src, quality=90)
    signed = folder / "signed.jpg"
    sign_image(src, signed, SignOptions(author="Bench"), load_identity(made.key_path, made.chain_path),
               overwrite=True)
    return folder / "identity" / "root-ca.pem", [("signed.jpg", signed.read_bytes(), True),
                                                 ("plain.jpg", src.read_bytes(), False)]


def start_services(count: int, db_url: str, root: Path, max_concurrent: int, log_dir: Path) -> list[tuple[str, Any]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    procs = []
    for i in range(count):
        port = _free_port()
        log = open(log_dir / f"service-{i}.log", "wb")  # the child keeps it
        proc = subprocess.Popen([sys.executable, "-m", "handmade", "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--audit-db", db_url, "--trust", str(root), "--max-concurrent", str(max_concurrent)],
                                env=env, stdout=log, stderr=subprocess.STDOUT)
        procs.append((f"http://127.0.0.1:{port}", proc))
    import httpx

    deadline = time.monotonic() + 120
    for url, proc in procs:
        while True:
            if proc.poll() is not None:
                stop_services(procs)
                raise RuntimeError(f"a service exited at start: see {log_dir}")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                stop_services(procs)
                raise RuntimeError("the services did not start within 120 s")
            time.sleep(0.1)
    return procs


def stop_services(procs: list[tuple[str, Any]]) -> None:
    for _, proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for _, proc in procs:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


async def load(urls: list[str], items: list[tuple[str, bytes, bool]], requests: int, concurrency: int,
               deadline_s: float) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    per_service = [0] * len(urls)
    sem = asyncio.Semaphore(concurrency)
    stop_at = time.monotonic() + deadline_s
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    clients = [httpx.AsyncClient(base_url=u, timeout=120, limits=limits) for u in urls]
    try:
        async def one(i: int) -> None:
            name, data, expected = items[i % len(items)]
            target = i % len(clients)
            async with sem:
                if time.monotonic() > stop_at:
                    errors.append("deadline")
                    return
                t = time.perf_counter()
                try:
                    r = await clients[target].post("/v1/verify", files={"file": (name, data)})
                except Exception as exc:
                    errors.append(repr(exc)[:120])
                    return
                latencies.append(time.perf_counter() - t)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                if r.status_code == 200:
                    per_service[target] += 1
                    if r.json()["accepted"] is not expected:
                        errors.append(f"{name}: accepted={r.json()['accepted']}")
                else:
                    errors.append(f"{r.status_code}: {r.text[:100]}")

        t0 = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(requests)))
        elapsed = time.perf_counter() - t0
    finally:
        for c in clients:
            await c.aclose()
    lat = sorted(latencies)

    def pct(q: float) -> float | None:
        return 1000 * lat[min(len(lat) - 1, int(q * len(lat)))] if lat else None

    return {"requests": requests, "concurrency": concurrency, "services": len(urls), "elapsed_s": elapsed,
            "throughput_rps": requests / elapsed if elapsed else 0.0, "statuses": statuses,
            "answered": statuses.get(200, 0), "per_service": per_service,
            "server_errors": sum(n for s, n in statuses.items() if s >= 500),
            "errors": len(errors), "error_samples": errors[:5],
            "p50_ms": 1000 * statistics.median(lat) if lat else None, "p95_ms": pct(0.95), "p99_ms": pct(0.99)}


def run(requests: int = 2000, concurrency: int = 32, services: int = 3, db: str = "postgresql",
        max_concurrent: int = 12, deadline_s: float = 900.0, pg_server: Any = None) -> dict[str, Any]:
    """One run against ``db`` (``postgresql``: a throwaway server, or ``pg_server``'s; ``sqlite``: one file; or
    a URL). Returns the figures with ``audit_rows`` (rows in the log afterwards)."""
    from handmade.web.audit import AuditLog

    with tempfile.TemporaryDirectory() as work_s:
        work = Path(work_s)
        root, items = payloads(work)
        own = None
        if db == "postgresql":
            if pg_server is None:
                from tests.postgres import start_server

                pg_server = own = start_server(durable=True)
            db_url = pg_server.new_database("multihost")
        elif db == "sqlite":
            db_url = str(work / "audit.sqlite")
        else:
            db_url = db
        before = AuditLog(db_url).count()
        try:
            procs = start_services(services, db_url, root, max_concurrent, work)
            try:
                result = asyncio.run(load([u for u, _ in procs], items, requests, concurrency, deadline_s))
            finally:
                stop_services(procs)
            result["audit_rows"] = AuditLog(db_url).count() - before
            result["db"] = "sqlite" if db == "sqlite" else "postgresql"
        finally:
            if own is not None:
                own.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--services", type=int, default=3)
    parser.add_argument("--db", default="postgresql", help="postgresql, sqlite, both, or a postgresql:// URL")
    parser.add_argument("--max-concurrent", type=int, default=12, help="verifications at once per service")
    args = parser.parse_args()
    kinds = ["postgresql", "sqlite"] if args.db == "both" else [args.db]
    results = []
    for kind in kinds:
        r = run(args.requests, args.concurrency, args.services, kind, args.max_concurrent)
        results.append(r)
        print(f"{r['db']:<10} {r['services']} services, {r['requests']} uploads {r['concurrency']} at a time: "
              f"{r['throughput_rps']:.1f} req/s, p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, "
              f"p99 {r['p99_ms']:.0f} ms; answered {r['answered']} (per service {r['per_service']}), "
              f"audit rows {r['audit_rows']}, 5xx {r['server_errors']}, errors {r['errors']}")
    print(json.dumps(results, indent=2))
    bad = [r for r in results if r["errors"] or r["server_errors"] or r["audit_rows"] != r["answered"]]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
