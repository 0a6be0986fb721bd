"""Load test of a real ``handmade serve`` process over loopback sockets: figures, not assertions.

    python bench/load_service.py                       # 1 and 2 workers, 3 runs each of 1,000 uploads, 16 at a time
    python bench/load_service.py --requests 500 --runs 1 --workers 2
    python bench/load_service.py --url http://127.0.0.1:8000 --requests 100   # a service already running

Starts ``handmade serve`` (``python -m handmade`` of this tree, default limits, its own audit log) once per
``--workers`` count asked for (default: 1 and 2), each on its own free port of 127.0.0.1, with
``HANDMADE_WORKER_HEADER=1`` so that every answer names the worker process that made it. The runs then
alternate between the servers (1, 2, 1, 2 ...: the machine's speed drifts), each with a fresh client of
``--concurrency`` keep-alive connections, and report throughput, p50/p95/p99 latency, errors and the requests
each worker process answered. The uploads are a handmade-signed 1 MP JPEG and, when the corpus is there, a
third-party AI image, sent alternately as a raw body and as a multipart upload. An error is a transport error,
a status other than 200, or an answer that is not the expected decision; the servers run with a temporary
folder of their own, and what is left in it is reported. Talks only to 127.0.0.1; every loop is bounded in
count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("HANDMADE_CORPUS", ROOT.parent / "shared" / "corpus"))


def temp_entries(folder: str | None = None) -> set[str]:
    """The temporary folder's entries, less multiprocessing's own (``pymp-*``: any Python process on the machine
    that starts a fork server or a pool makes one), which are not uploads."""
    return {n for n in os.listdir(folder or tempfile.gettempdir()) if not n.startswith("pymp-")}


def _identity(folder: Path) -> Any:
    """A throwaway signer whose root the load test's server trusts (the public TEST key passes no policy)."""
    from handmade.keys import create_identity, load_identity

    made = create_identity(folder / "load-identity", "Load Test", passphrase=None, overwrite=True)
    return load_identity(made.key_path, made.chain_path)


def root_pem(folder: Path) -> Path:
    return folder / "load-identity" / "root-ca.pem"


def load_anchors(folder: Path) -> Any:
    from handmade.verify import load_trust_anchors

    return load_trust_anchors([root_pem(folder)])


def payloads(folder: Path) -> list[tuple[str, bytes, bool]]:
    """(name, bytes, expected ``accepted`` under the default ``handmade`` policy): a signed 1 MP JPEG, and the
    corpus's Firefly image when it is there."""
    from PIL import Image

    from handmade.sign import SignOptions, sign_image

    src = folder / "load-in.jpg"
    Image.effect_noise((1224, 816), 40).convert("RGB").save(src, quality=90)  # 1.0 MP
    signed = folder / "load-signed.jpg"
    sign_image(src, signed, SignOptions(author="Load Test"), _identity(folder), overwrite=True)
    items = [("signed.jpg", signed.read_bytes(), True)]
    ai = CORPUS / "ai-adobe-firefly-2025-text-to-image.jpg"
    if ai.exists():
        items.append(("ai.jpg", ai.read_bytes(), False))
    else:
        print(f"load_service: corpus not found at {CORPUS}: signed uploads only", file=sys.stderr)
    return items


def start_server(work: Path, workers: int = 1, args: list[str] | None = None,
                 env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str, int]:
    """``handmade serve`` of this tree on a free port of 127.0.0.1, its audit log in ``work``; returns once
    ``/healthz`` answers (within 60 s)."""
    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {**os.environ, **(env or {}), "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "handmade", "serve", "--port", str(port), "--workers", str(workers),
                             "--audit-db", str(work / f"audit-{port}.sqlite"), *(args or [])], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url, port
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("the service did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` and its living descendants (Linux ``/proc``; 0.0 elsewhere):
    the server's worker processes included."""
    stats: dict[int, tuple[int, float]] = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += stats.get(current, (0, 0.0))[1]
        todo += [child for child, (parent, _) in stats.items() if parent == current]
    return total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))] if ordered else float("nan")


async def load(url: str, items: list[tuple[str, bytes, bool]], requests: int, concurrency: int,
               deadline_s: float) -> dict[str, Any]:
    """``requests`` uploads, ``concurrency`` at a time, through one client holding up to ``concurrency``
    keep-alive connections (as a CMS back end or a proxy would)."""
    import httpx

    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    workers: Counter[str] = Counter()
    errors: list[str] = []
    sem = asyncio.Semaphore(concurrency)
    stop_at = time.monotonic() + deadline_s
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        async def one(i: int) -> None:
            name, data, expected = items[i % len(items)]
            multipart = (i // len(items)) % 2 == 1
            async with sem:
                if time.monotonic() > stop_at:
                    errors.append("deadline")
                    return
                t = time.perf_counter()
                try:
                    if multipart:
                        r = await client.post("/v1/verify", files={"file": (name, data)})
                    else:
                        r = await client.post("/v1/verify", content=data, params={"name": name})
                    statuses[r.status_code] += 1
                    workers[r.headers.get("x-handmade-worker", "?")] += 1
                    if r.status_code != 200:
                        errors.append(f"{r.status_code}: {r.text[:100]}")
                    else:
                        doc = r.json()
                        if doc["accepted"] is not expected or doc["results"][0]["path"] != name:
                            errors.append(f"{name}: accepted={doc['accepted']} ({doc['results'][0]['summary']})")
                except Exception as exc:
                    errors.append(repr(exc)[:120])
                latencies.append(time.perf_counter() - t)

        t0 = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(requests)))
        elapsed = time.perf_counter() - t0
    return {"requests": requests, "concurrency": concurrency, "elapsed_s": elapsed,
            "throughput_rps": requests / elapsed if elapsed else 0.0, "statuses": dict(statuses),
            "errors": len(errors), "error_samples": errors[:5], "payloads": [n for n, _, _ in items],
            "per_worker": dict(sorted(workers.items())),
            "p50_ms": 1000 * statistics.median(latencies) if latencies else None,
            "p95_ms": 1000 * percentile(latencies, 0.95), "p99_ms": 1000 * percentile(latencies, 0.99)}


def run(requests: int = 1000, concurrency: int = 16, worker_counts: tuple[int, ...] = (1, 2), runs: int = 3,
        url: str | None = None, deadline_s: float = 300.0, server_args: list[str] | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        items = payloads(work)
        # the servers get a temporary folder of their own: what is left in it is theirs (the machine's own
        # /tmp is shared with other work)
        server_tmp = work / "server-tmp"
        server_tmp.mkdir()
        servers: dict[str, tuple[subprocess.Popen[bytes] | None, str]] = {}
        try:
            if url is not None:
                servers["given"] = (None, url)
            else:
                for n in worker_counts:
                    proc, u, _ = start_server(work, n, ["--trust", str(root_pem(work)), *(server_args or [])],
                                              env={"HANDMADE_WORKER_HEADER": "1", "TMPDIR": str(server_tmp)})
                    servers[f"workers_{n}"] = (proc, u)
            for _, u in servers.values():  # warm-up: imports, trust lists, caches in every worker
                asyncio.run(load(u, items, 4 * concurrency, concurrency, deadline_s))
            results: dict[str, list[dict[str, Any]]] = {name: [] for name in servers}
            for _ in range(runs):  # interleaved: 1 worker, 2 workers, 1, 2 ...
                for name, (proc, u) in servers.items():
                    # CPU of the server's processes and of this client (it shares the machine's cores)
                    server_cpu = tree_cpu_s(proc.pid) if proc is not None else 0.0
                    client_cpu = time.process_time()
                    r = asyncio.run(load(u, items, requests, concurrency, deadline_s))
                    r["server_cpu_ms_per_request"] = 1000 * ((tree_cpu_s(proc.pid) if proc is not None else 0.0)
                                                             - server_cpu) / requests
                    r["client_cpu_ms_per_request"] = 1000 * (time.process_time() - client_cpu) / requests
                    # cores the server kept busy on average: one worker process can use more than one
                    # (verifications run in threads, and c2pa-rs releases the GIL)
                    r["server_cores_busy"] = r["server_cpu_ms_per_request"] * requests / 1000 / r["elapsed_s"]
                    results[name].append(r)
        finally:
            for proc, _ in servers.values():
                if proc is not None:
                    stop_server(proc)
        leaked = sorted(temp_entries(str(server_tmp)))
    summary: dict[str, Any] = {}
    for name, rs in results.items():
        summary[name] = {"throughput_rps_median": statistics.median(r["throughput_rps"] for r in rs),
                         "throughput_rps_min": min(r["throughput_rps"] for r in rs),
                         "throughput_rps_max": max(r["throughput_rps"] for r in rs),
                         "p99_ms_median": statistics.median(r["p99_ms"] for r in rs),
                         "p99_ms_max": max(r["p99_ms"] for r in rs),
                         "errors": sum(r["errors"] for r in rs),
                         "runs_with_an_idle_worker": sum(len(r["per_worker"]) < int(name.split("_")[1])
                                                         for r in rs) if name.startswith("workers_") else None}
    out: dict[str, Any] = {"requests": requests, "concurrency": concurrency, "runs": results, "summary": summary,
                           "leaked_temp_files": leaked, "load_average": os.getloadavg()}
    if "workers_1" in summary and "workers_2" in summary:
        # pair by pair (run i of 1 worker beside run i of 2 workers), then the median
        out["speedup_2_over_1"] = statistics.median(
            b["throughput_rps"] / a["throughput_rps"]
            for a, b in zip(results["workers_1"], results["workers_2"], strict=True))
    return out


def report(result: dict[str, Any]) -> str:
    lines = [f"{result['requests']} uploads a run, {result['concurrency']} at a time, `handmade serve` over loopback"
             f" (load average at the end {', '.join(f'{x:.2f}' for x in result['load_average'])})"]
    for name, rs in result["runs"].items():
        for i, r in enumerate(rs):
            shares = ", ".join(str(n) for n in r["per_worker"].values())
            lines.append(f"  {name} run {i + 1}: {r['throughput_rps']:.0f} req/s, p50 {r['p50_ms']:.0f} ms, "
                         f"p95 {r['p95_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms, errors {r['errors']}, "
                         f"requests per worker process: {shares}; CPU per request: server "
                         f"{r['server_cpu_ms_per_request']:.1f} ms, client {r['client_cpu_ms_per_request']:.1f} ms; "
                         f"server cores busy {r['server_cores_busy']:.2f} of {os.cpu_count()}")
        s = result["summary"][name]
        lines.append(f"  {name}: median {s['throughput_rps_median']:.0f} req/s "
                     f"[{s['throughput_rps_min']:.0f}-{s['throughput_rps_max']:.0f}], p99 median "
                     f"{s['p99_ms_median']:.0f} ms (max {s['p99_ms_max']:.0f}), errors {s['errors']}"
                     + (f", runs with an idle worker: {s['runs_with_an_idle_worker']}"
                        if s["runs_with_an_idle_worker"] is not None else ""))
    if "speedup_2_over_1" in result:
        lines.append(f"  2 workers over 1 (median of the paired runs): {result['speedup_2_over_1']:.2f}x")
    lines.append(f"  leaked temp files: {len(result['leaked_temp_files'])}")
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description="load test of a real handmade serve process on 127.0.0.1")
    p.add_argument("--requests", type=int, default=1000, help="uploads per run")
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--runs", type=int, default=3, help="runs per worker count, interleaved")
    p.add_argument("--workers", type=int, action="append",
                   help="a --workers count to serve with (repeatable; default: 1 and 2)")
    p.add_argument("--url", help="an already running service on 127.0.0.1 (default: start handmade serve here)")
    p.add_argument("--json", default=str(Path(__file__).resolve().parent / "results-service.json"))
    p.add_argument("server_args", nargs="*", help="more `handmade serve` options, after --")
    args = p.parse_args()
    if args.url and not args.url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        sys.exit("load tests only target loopback addresses")
    result = run(args.requests, args.concurrency, tuple(args.workers or (1, 2)), args.runs, args.url,
                 server_args=args.server_args)
    Path(args.json).write_text(json.dumps(result, indent=2))
    print(report(result))


if __name__ == "__main__":
    main()
