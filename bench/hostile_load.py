"""Hostile-load test of ``handmade serve`` on loopback: normal uploads while slow clients are held. Figures only.

    python bench/hostile_load.py                 # the full run (about a minute and a half)
    python bench/hostile_load.py --quick         # a smoke run: 200 uploads, 1,000 for the memory check

Starts its own ``handmade serve`` process on 127.0.0.1 with the default limits, then:
1. baseline: 1,000 uploads, 32 at a time (the payloads of bench/load_service.py: a signed JPEG, a Firefly
   image when the corpus is there, raw and multipart), no hostile client;
2. hostile: the same 1,000 uploads while 16 slow clients (complete headers, then one body byte every 2 s)
   and 200 half-open connections (headers never finished) are held, starting 6 s into the hold; a
   connection the server closes is opened again at once, so the hostile load stays the same for the whole
   run; then the baseline again (the p99 ratio is taken against the better baseline);
3. memory: 5,000 more uploads; the server's RSS after the first 500 and at the end;
4. file descriptors: the server's count (``/proc/PID/fd``) before the hostile clients and after they are gone,
   and of those its sockets (the audit log's per-thread SQLite connections may grow with the threads used).
Targets: 0 errors in both runs, p99 under hostile load within 2x of the baseline's, RSS within 10 %, sockets
back to their start. Talks only to 127.0.0.1; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import selectors
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
SLOW_CLIENTS, HALF_OPEN = 16, 200


def _load_service() -> Any:
    spec = importlib.util.spec_from_file_location("load_service", ROOT / "bench" / "load_service.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def socket_count(pid: int) -> int:
    """The server's open sockets: the descriptors a held or leaked connection takes. (The audit log keeps one
    SQLite connection, two descriptors, per thread that has written to it: more threads after the hostile phase
    means more of those, bounded by the thread pool, and no leak.)"""
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with contextlib.suppress(OSError):
            count += os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")
    return count


def settled_fd_count(pid: int, max_s: float = 10.0) -> int:
    """The server's fd count once it stops changing for half a second (closed keep-alive connections take
    a moment to be noticed), within ``max_s``."""
    last, since, end = fd_count(pid), time.monotonic(), time.monotonic() + max_s
    while time.monotonic() < end:
        time.sleep(0.1)
        now = fd_count(pid)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= 0.5:
            break
    return last


class Hostile:
    """16 trickling bodies and 200 unfinished headers, re-opened whenever the server closes one."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sel = selectors.DefaultSelector()
        self.stop = threading.Event()
        self.reopened = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _open(self, kind: str) -> None:
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        if kind == "slow":
            s.sendall(b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n\xff")
        else:
            s.sendall(b"POST /v1/verify HTTP/1.1\r\nHost: x\r\n")
        s.setblocking(False)
        self.sel.register(s, selectors.EVENT_READ, kind)

    def start(self) -> None:
        for _ in range(HALF_OPEN):
            self._open("half")
        for _ in range(SLOW_CLIENTS):
            self._open("slow")
        self.thread.start()

    def _run(self, max_s: float = 900.0) -> None:
        end = time.monotonic() + max_s
        next_byte = time.monotonic() + 2
        while not self.stop.is_set() and time.monotonic() < end:
            for key, _ in self.sel.select(timeout=0.2):
                s: socket.socket = key.fileobj  # type: ignore[assignment]
                try:
                    data = s.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data or data.startswith(b"HTTP/"):  # closed, or answered (408): take its place again
                    self.sel.unregister(s)
                    s.close()
                    self.reopened += 1
                    with contextlib.suppress(OSError):
                        self._open(key.data)
            if time.monotonic() >= next_byte:
                next_byte += 2
                for key in list(self.sel.get_map().values()):
                    if key.data == "slow":
                        with contextlib.suppress(OSError):
                            key.fileobj.send(b"\xd8")  # type: ignore[union-attr]

    def close(self) -> None:
        self.stop.set()
        self.thread.join(10)
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
        self.sel.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))] if ordered else float("nan")


async def uploads(url: str, items: list[tuple[str, bytes, bool]], count: int, concurrency: int,
                  deadline_s: float = 600.0) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    sem = asyncio.Semaphore(concurrency)
    stop_at = time.monotonic() + deadline_s
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        async def one(i: int) -> None:
            name, data, expected = items[i % len(items)]
            async with sem:
                if time.monotonic() > stop_at:
                    errors.append("deadline")
                    return
                t = time.perf_counter()
                try:
                    if (i // len(items)) % 2:
                        r = await client.post("/v1/verify", files={"file": (name, data)})
                    else:
                        r = await client.post("/v1/verify", content=data, params={"name": name})
                    if r.status_code != 200:
                        errors.append(f"{r.status_code}: {r.text[:100]}")
                    elif r.json()["accepted"] is not expected:
                        errors.append(f"{name}: unexpected decision")
                except Exception as exc:
                    errors.append(repr(exc)[:120])
                latencies.append(time.perf_counter() - t)

        t0 = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(count)))
        elapsed = time.perf_counter() - t0
    return {"uploads": count, "concurrency": concurrency, "errors": len(errors), "error_samples": errors[:5],
            "throughput_rps": count / elapsed if elapsed else 0.0,
            "p50_ms": 1000 * percentile(latencies, 0.50), "p95_ms": 1000 * percentile(latencies, 0.95),
            "p99_ms": 1000 * percentile(latencies, 0.99)}


def start_server(work: Path) -> tuple[subprocess.Popen[bytes], str, int]:
    """``handmade serve`` of this tree, default limits, trusting the load test's signer (bench/load_service.py
    starts it; ``payloads`` must have made that signer in ``work`` first)."""
    service = _load_service()
    proc, url, port = service.start_server(work, args=["--trust", str(service.root_pem(work))])
    return proc, url, port


def run(quick: bool = False) -> dict[str, Any]:
    n, memory_n, concurrency = (200, 1000, 32) if quick else (1000, 5000, 32)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        items = _load_service().payloads(work)
        proc, url, port = start_server(work)
        try:
            asyncio.run(uploads(url, items, 100, concurrency))  # warm-up
            baseline = asyncio.run(uploads(url, items, n, concurrency))
            fds_start = settled_fd_count(proc.pid)
            sockets_start = socket_count(proc.pid)
            hostile = Hostile(port)
            started = time.monotonic()
            hostile.start()
            try:
                wanted = fds_start + HALF_OPEN + SLOW_CLIENTS
                while fd_count(proc.pid) < wanted and time.monotonic() - started < 10:
                    time.sleep(0.05)
                held_fds = fd_count(proc.pid)
                # start 6 s into the hold, so the 10 s header deadline cuts (and the re-opening hits) mid-run
                time.sleep(max(0.0, 6 - (time.monotonic() - started)))
                under_attack = asyncio.run(uploads(url, items, n, concurrency))
            finally:
                hostile.close()
            baseline_after = asyncio.run(uploads(url, items, n, concurrency))
            deadline = time.monotonic() + 30
            while fd_count(proc.pid) > fds_start and time.monotonic() < deadline:
                time.sleep(0.1)
            fds_end = settled_fd_count(proc.pid)
            sockets_end = socket_count(proc.pid)
            first = asyncio.run(uploads(url, items, memory_n // 10, concurrency))
            rss_first = rss_kb(proc.pid)
            rest = asyncio.run(uploads(url, items, memory_n - memory_n // 10, concurrency))
            rss_end = rss_kb(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    # against the better of the two baselines (before and after the attack): the stricter comparison
    best_p99 = min(baseline["p99_ms"], baseline_after["p99_ms"])
    ratio = under_attack["p99_ms"] / best_p99 if best_p99 else float("nan")
    attack = {**under_attack, "slow_clients": SLOW_CLIENTS, "half_open": HALF_OPEN, "server_fds_held": held_fds,
              "reopened": hostile.reopened}
    return {"baseline": baseline, "baseline_after": baseline_after, "hostile": attack,
            "p99_ratio": ratio,
            "memory": {"uploads": memory_n, "errors": first["errors"] + rest["errors"],
                       "rss_kb_after_first_tenth": rss_first, "rss_kb_end": rss_end,
                       "growth": (rss_end - rss_first) / rss_first if rss_first else float("nan")},
            "fds": {"start": fds_start, "held": held_fds, "end": fds_end, "sockets_start": sockets_start,
                    "sockets_end": sockets_end},
            "targets_met": {"no_errors": baseline["errors"] + baseline_after["errors"] + under_attack["errors"] == 0,
                            "p99_within_2x": ratio <= 2.0,
                            "rss_flat_10pct": abs(rss_end - rss_first) <= 0.10 * rss_first,
                            "sockets_back": sockets_end <= sockets_start}}


def main() -> None:
    p = argparse.ArgumentParser(description="hostile-load test of handmade serve on 127.0.0.1")
    p.add_argument("--quick", action="store_true", help="a smoke run (fewer uploads)")
    p.add_argument("--json", default=str(Path(__file__).resolve().parent / "results-hostile.json"))
    args = p.parse_args()
    r = run(args.quick)
    Path(args.json).write_text(json.dumps(r, indent=2))
    h, m, f = r["hostile"], r["memory"], r["fds"]
    for label in ("baseline", "baseline_after"):
        b = r[label]
        print(f"{label}: {b['uploads']} uploads, {b['concurrency']} at a time: {b['throughput_rps']:.0f} req/s, "
              f"p50 {b['p50_ms']:.0f} ms, p99 {b['p99_ms']:.0f} ms, errors {b['errors']}")
    print(f"hostile ({h['slow_clients']} slow + {h['half_open']} half-open held, {h['reopened']} re-opened): "
          f"{h['throughput_rps']:.0f} req/s, p50 {h['p50_ms']:.0f} ms, p99 {h['p99_ms']:.0f} ms "
          f"({r['p99_ratio']:.2f}x), errors {h['errors']}")
    print(f"memory: {m['uploads']} uploads, RSS {m['rss_kb_after_first_tenth'] / 1024:.0f} MB -> "
          f"{m['rss_kb_end'] / 1024:.0f} MB ({100 * m['growth']:+.1f} %), errors {m['errors']}")
    print(f"fds: {f['start']} at start, {f['held']} held, {f['end']} after (sockets {f['sockets_start']} -> "
          f"{f['sockets_end']}); targets met: {r['targets_met']}")


if __name__ == "__main__":
    main()
