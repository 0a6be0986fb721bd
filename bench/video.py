"""Film benchmark: sign and verify one MP4 with handmade, with raw c2pa-python, and the read+hash floor.

    python bench/video.py                  # a 300 MB film (about 330 MB of disk for it, the same for each output)
    python bench/video.py --mb 100 --repeat 3 --json bench/video.json

The film is made with PyAV (the 'test' extra): 1280x720 noise frames, MPEG-4 part 2 at the highest quality,
about 1.1 MB a frame, so the size is reached quickly. Each measurement runs in a fresh process, which reports
its wall time and its peak resident memory (ru_maxrss), so memory is not hidden by an earlier step:

- floor, verify: read the file in 1 MiB blocks and SHA-256 it;  floor, sign: the same plus writing a copy;
- raw c2pa-python: ``Builder.sign`` between two open files (thumbnail off), ``Reader`` on an open file
  (json + validation state); and, for memory, ``Builder.sign`` between two in-memory buffers;
- handmade: ``sign_image`` (history check, signing, self-verification, atomic write) and ``inspect``.
Nothing is asserted; the README's "Performance" section quotes a run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"

CHILD = r'''
import hashlib, io, json, os, resource, sys, time
sys.path.insert(0, {src!r})
step, film, out = sys.argv[1], sys.argv[2], sys.argv[3]
t0 = time.perf_counter()
if step.startswith("floor"):
    h = hashlib.sha256()
    dst = open(out, "wb") if step == "floor-sign" else None
    with open(film, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
            if dst: dst.write(block)
    if dst: dst.flush(); os.fsync(dst.fileno()); dst.close()
elif step.startswith("c2pa"):
    import c2pa
    from handmade.keys import bundled_test_identity
    ident = bundled_test_identity()
    ctx = c2pa.Context.from_dict({{"builder": {{"thumbnail": {{"enabled": False}}}},
                                  "verify": {{"remote_manifest_fetch": False}}}})
    if step == "c2pa-read":
        with open(film, "rb") as fh:
            r = c2pa.Reader.try_create("video/mp4", fh, context=ctx)
            r.json(); r.get_validation_state()
    else:
        manifest = {{"claim_generator_info": [{{"name": "bench", "version": "1"}}],
                    "assertions": [{{"label": "c2pa.actions.v2", "data": {{"actions": [{{"action": "c2pa.created",
                    "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation"}}]}}}}]}}
        info = c2pa.C2paSignerInfo(ident.alg.encode(), ident.chain_pem, ident.private_key_pem, None)
        with c2pa.Signer.from_info(info) as signer, c2pa.Builder.from_json(manifest, context=ctx) as b:
            if step == "c2pa-sign-memory":
                src, dst = io.BytesIO(open(film, "rb").read()), io.BytesIO()
                b.sign(signer, "video/mp4", src, dst)
                open(out, "wb").write(dst.getvalue())
            else:
                with open(film, "rb") as src, open(out, "w+b") as dst:
                    b.sign(signer, "video/mp4", src, dst)
elif step == "handmade-sign":
    import warnings
    warnings.simplefilter("ignore")
    from handmade.sign import SignOptions, sign_image
    sign_image(film, out, SignOptions(author="Bench", made_with="animation"))
elif step == "handmade-verify":
    from handmade.verify import inspect
    r = inspect(film)
    assert r.state == "valid", r.summary()
dt = time.perf_counter() - t0
print(json.dumps({{"seconds": dt, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
'''

STEPS = ["floor-verify", "c2pa-read", "handmade-verify", "floor-sign", "c2pa-sign", "c2pa-sign-memory",
         "handmade-sign"]


def make_film(path: Path, mb: int) -> None:
    import av
    import numpy as np

    rng = np.random.default_rng(1)
    pool = [rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8) for _ in range(8)]
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
        stream.bit_rate = 400_000_000
        stream.options = {"qscale": "1"}
        for i in range(int(mb / 1.1) + 1):  # about 1.1 MB a frame
            for packet in stream.encode(av.VideoFrame.from_ndarray(pool[i % len(pool)], format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def run(step: str, film: Path, out: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.run([sys.executable, "-c", CHILD.format(src=str(SRC)), step, str(film), str(out)],
                          capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{step} failed:\n{proc.stderr[-2000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=300, help="film size in MB (default 300)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--dir", default=None, help="where the film and outputs go (default: a temporary folder)")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="handmade-video-bench-") as tmp:
        folder = Path(tmp)
        film = folder / "film.mp4"
        t0 = time.perf_counter()
        # made in a child: the parent stays small, since a child's peak memory counts from before its exec
        subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(HERE)!r}); import video; "
                        f"video.make_film(__import__('pathlib').Path({str(film)!r}), {args.mb})"], check=True)
        size = film.stat().st_size
        print(f"film: {size / 1e6:.0f} MB, made in {time.perf_counter() - t0:.1f} s", flush=True)
        signed = folder / "signed.mp4"
        run("handmade-sign", film, signed)  # the file handmade-verify reads
        results: dict[str, dict[str, float]] = {}
        for step in STEPS:
            rows = []
            for _ in range(args.repeat):
                out = folder / f"out-{step}.mp4"
                rows.append(run(step, signed if step.endswith(("verify", "read")) else film, out))
                out.unlink(missing_ok=True)
            results[step] = {"seconds": statistics.median(r["seconds"] for r in rows),
                             "peak_mb": max(r["peak_mb"] for r in rows)}
            print(f"{step:18} {results[step]['seconds']:7.2f} s   peak {results[step]['peak_mb']:7.0f} MB",
                  flush=True)
        for a, b in (("handmade-verify", "c2pa-read"), ("handmade-verify", "floor-verify"),
                     ("handmade-sign", "c2pa-sign"), ("handmade-sign", "floor-sign")):
            print(f"{a} / {b}: {results[a]['seconds'] / results[b]['seconds']:.2f}x")
        if args.json:
            Path(args.json).write_text(json.dumps({"film_bytes": size, "results": results}, indent=2))


if __name__ == "__main__":
    main()
