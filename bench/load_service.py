"""Bounded load test of the service on loopback: N uploads, C at a time, then figures (not assertions).

    python bench/load_service.py                       # 500 uploads, 16 at a time, own server on 127.0.0.1
    python bench/load_service.py --requests 100 --concurrency 8 --url http://127.0.0.1:8000

Mixes a handmade-signed JPEG and a third-party AI image (corpus, when present), sent alternately as a raw body
and as a multipart upload. Counts errors (a transport error, a status other than 200, or an answer that is not
the expected decision) and checks that no temporary file was left behind. Talks only to 127.0.0.1; the request
loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("HANDMADE_CORPUS", ROOT.parent / "shared" / "corpus"))


def temp_entries() -> set[str]:
    """The temporary folder's entries, less multiprocessing's own (``pymp-*``: any Python process on the machine
    that starts a fork server or a pool makes one), which are not uploads."""
    return {n for n in os.listdir(tempfile.gettempdir()) if not n.startswith("pymp-")}


def _identity(folder: Path) -> Any:
    """A throwaway signer whose root the load test's server trusts (the public TEST key passes no policy)."""
    from handmade.keys import create_identity, load_identity

    made = create_identity(folder / "load-identity", "Load Test", passphrase=None, overwrite=True)
    return load_identity(made.key_path, made.chain_path)


def load_anchors(folder: Path) -> Any:
    from handmade.verify import load_trust_anchors

    return load_trust_anchors([folder / "load-identity" / "root-ca.pem"])


def payloads(folder: Path) -> list[tuple[str, bytes, bool]]:
    """(name, bytes, expected ``accepted`` under the default ``handmade`` policy)."""
    from PIL import Image

    from handmade.sign import SignOptions, sign_image

    src = folder / "load-in.jpg"
    Image.effect_noise((800, 600), 40).convert("RGB").save(src, quality=90)
    signed = folder / "load-signed.jpg"
    sign_image(src, signed, SignOptions(author="Load Test"), _identity(folder), overwrite=True)
    items = [("signed.jpg", signed.read_bytes(), True)]
    ai = CORPUS / "ai-adobe-firefly-2025-text-to-image.jpg"
    if ai.exists():
        items.append(("ai.jpg", ai.read_bytes(), False))
    else:
        print(f"load_service: corpus not found at {CORPUS}: signed uploads only", file=sys.stderr)
    return items


async def load(url: str, items: list[tuple[str, bytes, bool]], requests: int, concurrency: int,
               deadline_s: float) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    sem = asyncio.Semaphore(concurrency)
    stop_at = time.monotonic() + deadline_s
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
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
                    statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
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
    lat = sorted(latencies)
    return {"requests": requests, "concurrency": concurrency, "elapsed_s": elapsed,
            "throughput_rps": requests / elapsed if elapsed else 0.0, "statuses": statuses,
            "errors": len(errors), "error_samples": errors[:5], "payloads": [n for n, _, _ in items],
            "p50_ms": 1000 * statistics.median(lat) if lat else None,
            "p95_ms": 1000 * lat[int(0.95 * (len(lat) - 1))] if lat else None}


def own_server(config: Any) -> tuple[str, Any, threading.Thread]:
    import uvicorn

    from handmade.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server, thread


def run(requests: int = 500, concurrency: int = 16, url: str | None = None, deadline_s: float = 300.0,
        max_concurrent: int = 4) -> dict[str, Any]:
    from handmade.web.config import ServiceConfig

    with tempfile.TemporaryDirectory() as work:
        items = payloads(Path(work))
        before = temp_entries()
        server = None
        if url is None:
            # queue_wait long enough that a bounded burst waits for a slot instead of being refused
            url, server, thread = own_server(ServiceConfig(trust=load_anchors(Path(work)),
                                                           max_concurrent=max_concurrent, queue_wait_s=120))
        try:
            result = asyncio.run(load(url, items, requests, concurrency, deadline_s))
        finally:
            if server is not None:
                server.should_exit = True
                thread.join(10)
        leaked = sorted(temp_entries() - before)
    result["leaked_temp_files"] = leaked
    return result


def main() -> None:
    p = argparse.ArgumentParser(description="bounded loopback load test of handmade serve")
    p.add_argument("--requests", type=int, default=500)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--url", help="an already running service on 127.0.0.1 (default: start one here)")
    p.add_argument("--json", default=str(Path(__file__).resolve().parent / "results-service.json"))
    args = p.parse_args()
    if args.url and not args.url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        sys.exit("load tests only target loopback addresses")
    result = run(args.requests, args.concurrency, args.url)
    Path(args.json).write_text(json.dumps(result, indent=2))
    print(f"{result['requests']} uploads, {result['concurrency']} at a time: {result['throughput_rps']:.1f} req/s, "
          f"p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, errors {result['errors']}, "
          f"statuses {result['statuses']}, leaked temp files {len(result['leaked_temp_files'])}")


if __name__ == "__main__":
    main()
