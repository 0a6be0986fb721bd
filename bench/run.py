"""handmade benchmarks: one command, one run, medians and ratios against raw c2pa-python and the I/O floor.

    python bench/run.py                 # everything (a few minutes on 2 cores)
    python bench/run.py --quick         # smaller sizes and fewer repeats (a smoke run)
    python bench/run.py --json bench/results.json

Everything compared is measured in the same process and run, on the same files, the variants interleaved
(A B C A B C ...: the machine's speed drifts during a run) and reported as medians with min and max; the load
average is recorded at the start and at the end:
- sign: handmade ``sign_image`` (its default cheap thumbnail, metadata, refusal check and re-verification)
  vs raw c2pa-python ``Builder.sign`` with default settings (c2pa-rs makes the thumbnail) and with the
  thumbnail off, vs the floor: read + SHA-256 over the bytes + write + one ECDSA signature;
- verify: handmade ``inspect`` (facets, lineage, hints) vs raw ``c2pa.Reader`` (json + validation state),
  with its defaults (no certificate-chain check against any list) and given the trust lists handmade ships,
  vs the floor: read + SHA-256;
- batches of N files with one worker and with one per core, through the library (sign_batch, inspect_many,
  in a fresh process: bench/_batch.py) and through the command line, beside the machine's own speed-up on
  pure CPU work (the ceiling any pool can reach), and N copies of the 24 MP file through the command line;
  peak memory of one 24 MP sign in a fresh process; CLI wall time of ``--help`` and of one ``verify``, against
  ``python -c pass``, ``python -c "import c2pa"`` and any ``--peer`` tool's own one-file verify (``python -m
  handmade`` of the handmade the bench imports); the service (bench/load_service.py).
The bench pins glibc's allocator thresholds first, as handmade does in every process where it calls c2pa
(``handmade.tuning``), so raw c2pa-python and handmade run under the same allocator; ``--default-malloc``
leaves it alone for comparison (``HANDMADE_DEFAULT_MALLOC=1``).
Nothing here is asserted: targets are read from the printed ratios (README, "Performance").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@dataclass
class Timing:
    """One variant's times from an interleaved run: the median is the figure, min and max show the spread."""

    runs: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def as_dict(self) -> dict[str, float]:
        return {"median_s": self.median, "min_s": min(self.runs), "max_s": max(self.runs), "runs": len(self.runs)}

    def spread(self) -> str:
        return f"[{fmt_s(min(self.runs))}-{fmt_s(max(self.runs))}]"


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def interleaved(variants: dict[str, Callable[[], Any]], repeats: int, warmup: int = 1) -> dict[str, Timing]:
    """Time every variant ``repeats`` times in turn (A B C A B C ...), after ``warmup`` rounds that are not
    counted: the machine's speed drifts during a run (by up to 1.5x from run to run on a shared machine),
    and timing each variant in a block of its own turned that drift into a false ratio."""
    for _ in range(warmup):
        for fn in variants.values():
            fn()
    runs: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeats):
        for name, fn in variants.items():
            t = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - t)
    return {name: Timing(times) for name, times in runs.items()}


def make_image(path: Path, megapixels: float, fmt: str) -> Path:
    """A photographic-like image: smooth gradients, shapes and sensor-like noise (compresses like a photo)."""
    from PIL import Image, ImageDraw, ImageFilter

    w = int((megapixels * 1e6 * 3 / 2) ** 0.5)
    h = int(w * 2 / 3)
    small = Image.linear_gradient("L").resize((w // 8, h // 8)).convert("RGB")
    draw = ImageDraw.Draw(small)
    for i in range(40):
        x, y = (i * 97) % small.width, (i * 53) % small.height
        draw.ellipse((x, y, x + small.width // 6, y + small.height // 5),
                     fill=((i * 40) % 256, (i * 90) % 256, (i * 150) % 256))
    img = small.filter(ImageFilter.GaussianBlur(3)).resize((w, h), Image.Resampling.BICUBIC)
    # sensor-like noise, calibrated so a 12 MP JPEG q90 weighs about 4.5 MB, like a camera file
    noise = Image.effect_noise((w, h), 40).convert("RGB")
    img = Image.blend(img, noise, 0.28)
    if fmt == "JPEG":
        img.save(path, "JPEG", quality=90)
    else:
        img.save(path, fmt, compress_level=6)
    return path


def floor_sign(src: Path, dest: Path, key: Any) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    data = src.read_bytes()
    digest = hashlib.sha256(data).digest()
    key.sign(digest, ec.ECDSA(hashes.SHA256()))
    dest.write_bytes(data)


def floor_verify(src: Path) -> None:
    hashlib.sha256(src.read_bytes()).digest()


def raw_sign(src: Path, dest: Path, identity: Any, thumbnail: bool) -> None:
    import c2pa

    manifest = {
        "claim_generator_info": [{"name": "bench", "version": "1"}],
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
            {"action": "c2pa.created",
             "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}}],
    }
    settings = {} if thumbnail else {"builder": {"thumbnail": {"enabled": False}}}
    ctx = c2pa.Context.from_dict(settings) if settings else c2pa.Context()
    info = c2pa.C2paSignerInfo(identity.alg.encode(), identity.chain_pem, identity.private_key_pem, None)
    with c2pa.Signer.from_info(info) as signer, c2pa.Builder.from_json(manifest, context=ctx) as builder:
        mime = "image/png" if src.suffix == ".png" else "image/jpeg"
        with open(src, "rb") as s, open(dest, "w+b") as d:
            builder.sign(signer, mime, s, d)


@lru_cache(maxsize=4)
def _raw_context(trust_json: str) -> Any:
    """c2pa-python's read context, built once per settings and reused, as a script reading many files would."""
    import c2pa

    settings: dict[str, Any] = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
    if trust_json != "null":
        settings["trust"] = json.loads(trust_json)
    return c2pa.Context.from_dict(settings)


def raw_read(src: Path, trust: dict[str, Any] | None = None) -> None:
    """c2pa-python's own read of a file; ``trust``: c2pa-rs's trust settings (the lists handmade ships, given as
    plain PEM data), so that the comparison with handmade includes the same certificate-chain work."""
    import c2pa

    ctx = _raw_context(json.dumps(trust, sort_keys=True))
    mime = "image/png" if src.suffix == ".png" else "image/jpeg"
    with open(src, "rb") as f, c2pa.Reader(mime, f, context=ctx) as reader:
        json.loads(reader.json())
        reader.get_validation_state()


def _burn(n: int) -> int:
    x = 0
    for i in range(n):
        x += i * i % 7
    return x


def machine_scaling(cores: int, n: int = 6_000_000) -> float:
    """Speed-up of ``cores`` forked processes over one, on pure CPU work with no I/O and no sharing: what
    the machine itself allows a pool to reach (virtual cores are not always whole cores)."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    t = time.perf_counter()
    for _ in range(cores):
        _burn(n)
    serial = time.perf_counter() - t
    t = time.perf_counter()
    procs = [ctx.Process(target=_burn, args=(n,)) for _ in range(cores)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return serial / (time.perf_counter() - t)


def cli_times(commands: dict[str, list[str]], repeats: int, env: dict[str, str] | None = None) -> dict[str, Timing]:
    """Whole-command wall times, the commands interleaved (A B C A B C ...)."""
    def runner(args: list[str]) -> Callable[[], None]:
        return lambda: subprocess.run(args, check=False, capture_output=True, env=env) and None

    return interleaved({name: runner(args) for name, args in commands.items()}, repeats)


PEAK_SCRIPT = """
import resource, sys
from handmade.tuning import tune_allocator
if sys.argv[3] == "tuned":
    tune_allocator()
from handmade.sign import SignOptions, sign_image
sign_image(sys.argv[1], sys.argv[2], SignOptions(author="Bench"), overwrite=True)
# VmHWM is this process's own peak: ru_maxrss survives exec on Linux, so a child started from a big
# process reports at least its parent's size (the earlier figure, 344 MB, was the bench's own).
try:
    hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
    print(int(hwm.split()[1]))
except (OSError, IndexError):
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats (smoke run)")
    parser.add_argument("--peer", action="append", default=[], metavar="NAME=COMMAND",
                        help="another tool's one-file verify, timed beside handmade's: a command with {file} "
                             "where the file goes, e.g. 'c2pax=/tmp/c2paxenv/bin/c2pax verify {file}' "
                             "(repeatable; peers are not dependencies: install them in a venv of their own)")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--batch", type=int, default=None, help="files per batch (default 200; quick: 24)")
    parser.add_argument("--json", default=str(HERE / "results.json"), help="where to write the results")
    parser.add_argument("--keep", action="store_true", help="keep the generated images in bench/_work")
    parser.add_argument("--default-malloc", action="store_true",
                        help="leave glibc's allocator as it is (by default the bench, like the command line, "
                             "pins its thresholds: handmade.tuning)")
    opts = parser.parse_args()
    import warnings

    warnings.filterwarnings("ignore", message="Signing with the bundled TEST identity")
    from handmade.tuning import tune_allocator

    if opts.default_malloc:  # handmade tunes a library caller's process itself, unless told not to
        os.environ["HANDMADE_DEFAULT_MALLOC"] = "1"
    allocator = "default" if opts.default_malloc else ("tuned" if tune_allocator() else "default")

    from cryptography.hazmat.primitives.asymmetric import ec

    from handmade import __file__ as handmade_file
    from handmade import __version__
    from handmade._c2pa import sdk_versions
    from handmade.keys import bundled_test_identity
    from handmade.sign import SignOptions, sign_image
    from handmade.trust import TrustConfig
    from handmade.verify import inspect

    shipped_trust = TrustConfig.default().settings()  # the lists as data: PEM anchors, allowed list, EKUs
    repeats = opts.repeats or (3 if opts.quick else 7)
    sizes = [("1MP", 1, "JPEG"), ("12MP", 12, "JPEG"), ("24MP", 24, "JPEG"), ("12MP-png", 12, "PNG")]
    if opts.quick:
        sizes = [("1MP", 1, "JPEG"), ("4MP", 4, "JPEG"), ("2MP-png", 2, "PNG")]
    batch_n = opts.batch or (24 if opts.quick else 200)
    work = HERE / "_work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    identity = bundled_test_identity()
    ec_key = ec.generate_private_key(ec.SECP256R1())
    load_start = os.getloadavg()
    results: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "handmade": __version__, **sdk_versions()},
        "repeats": repeats, "allocator": allocator, "interleaved": True,
        "load_average_start": load_start, "sign": {}, "verify": {},
    }
    #: (label, variant, timing, note); a timing is seconds with min and max, or a plain figure
    rows: list[tuple[str, str, Timing | float, str]] = []

    with_thumb, no_thumb = SignOptions(author="Bench"), SignOptions(author="Bench", thumbnail=False)
    for name, mp, fmt in sizes:
        ext = ".png" if fmt == "PNG" else ".jpg"
        src = make_image(work / f"{name}{ext}", mp, fmt)
        out = work / f"{name}.out{ext}"
        size_mb = src.stat().st_size / 1e6
        st = interleaved({
            "floor": lambda src=src, out=out: floor_sign(src, out, ec_key),
            "raw_default": lambda src=src, out=out: raw_sign(src, out, identity, True),
            "raw_no_thumbnail": lambda src=src, out=out: raw_sign(src, out, identity, False),
            "handmade": lambda src=src, out=out: sign_image(src, out, with_thumb, identity, overwrite=True),
            "handmade_no_thumbnail": lambda src=src, out=out: sign_image(src, out, no_thumb, identity,
                                                                         overwrite=True),
        }, repeats)
        t_floor, t_raw_default, t_hm = st["floor"].median, st["raw_default"].median, st["handmade"].median
        t_raw_nothumb, t_hm_nothumb = st["raw_no_thumbnail"].median, st["handmade_no_thumbnail"].median
        results["sign"][name] = {"bytes": src.stat().st_size, "floor_s": t_floor, "raw_default_s": t_raw_default,
                                 "raw_no_thumbnail_s": t_raw_nothumb, "handmade_s": t_hm,
                                 "handmade_no_thumbnail_s": t_hm_nothumb,
                                 "handmade_over_floor": t_hm / t_floor,
                                 "raw_default_over_floor": t_raw_default / t_floor,
                                 "handmade_over_raw_default": t_hm / t_raw_default,
                                 "timings": {k: v.as_dict() for k, v in st.items()}}
        rows += [(f"sign {name} ({size_mb:.1f} MB)", "floor", st["floor"], ""),
                 ("", "raw c2pa (defaults)", st["raw_default"], f"{t_raw_default / t_floor:.1f}x floor"),
                 ("", "raw c2pa (no thumbnail)", st["raw_no_thumbnail"], f"{t_raw_nothumb / t_floor:.1f}x floor"),
                 ("", "handmade sign", st["handmade"],
                  f"{t_hm / t_floor:.1f}x floor, {t_hm / t_raw_default:.2f}x raw"),
                 ("", "handmade sign --no-thumbnail", st["handmade_no_thumbnail"],
                  f"{t_hm_nothumb / t_floor:.1f}x floor")]
        # verify the handmade-signed file
        sign_image(src, out, SignOptions(author="Bench"), identity, overwrite=True)
        vt = interleaved({"floor": lambda out=out: floor_verify(out), "raw": lambda out=out: raw_read(out),
                          "raw_trust": lambda out=out: raw_read(out, shipped_trust),
                          "handmade": lambda out=out: inspect(out)}, repeats)
        v_floor, v_raw, v_hm = vt["floor"].median, vt["raw"].median, vt["handmade"].median
        v_raw_trust = vt["raw_trust"].median
        results["verify"][name] = {"floor_s": v_floor, "raw_reader_s": v_raw, "raw_reader_trust_s": v_raw_trust,
                                   "handmade_s": v_hm, "handmade_over_raw": v_hm / v_raw,
                                   "handmade_over_raw_trust": v_hm / v_raw_trust,
                                   "handmade_over_floor": v_hm / v_floor,
                                   "timings": {k: v.as_dict() for k, v in vt.items()}}
        rows += [(f"verify {name}", "floor (read+hash)", vt["floor"], ""),
                 ("", "raw c2pa.Reader", vt["raw"], f"{v_raw / v_floor:.1f}x floor"),
                 ("", "raw c2pa.Reader, shipped trust lists", vt["raw_trust"], f"{v_raw_trust / v_floor:.1f}x floor"),
                 ("", "handmade inspect", vt["handmade"],
                  f"{v_hm / v_raw:.2f}x raw, {v_hm / v_raw_trust:.2f}x raw with the lists, "
                  f"{v_hm / v_floor:.1f}x floor")]

    # batches
    cores = os.cpu_count() or 1
    batch_dir = work / "batch"
    batch_dir.mkdir()
    seed = make_image(work / "batch-seed.jpg", 1, "JPEG").read_bytes()
    for i in range(batch_n):
        (batch_dir / f"b{i:04d}.jpg").write_bytes(seed)

    batch_repeats = 3 if not opts.quick else 1
    r = subprocess.run([sys.executable, str(HERE / "_batch.py"), str(batch_dir), str(work), str(cores),
                        str(batch_repeats), allocator], capture_output=True, text=True, check=True,
                       env={**os.environ, **({"HANDMADE_DEFAULT_MALLOC": "1"} if allocator == "default" else {})})
    batch = json.loads(r.stdout.strip().splitlines()[-1])
    bt = {k: Timing(batch[k]) for k in ("sign_1", "sign_n", "verify_1", "verify_n")}
    b1, bn, vb1, vbn = (bt[k].median for k in ("sign_1", "sign_n", "verify_1", "verify_n"))
    signed_files = sorted(Path(batch["signed_dir"]).iterdir())
    # the same batches through the command line (what a photographer or an editor runs): ``python -m
    # handmade`` of the handmade imported here, not whatever ``handmade`` script is first on PATH
    handmade_cmd = [sys.executable, "-m", "handmade"]
    cli_env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(handmade_file).resolve().parents[1]), *filter(None, [os.environ.get("PYTHONPATH")])])}

    def cli_sign(workers: int) -> None:
        out_dir = work / f"cli-out-{workers}"
        shutil.rmtree(out_dir, ignore_errors=True)
        subprocess.run([*handmade_cmd, "sign", str(batch_dir), "-o", str(out_dir), "--workers", str(workers)],
                       check=True, capture_output=True, env=cli_env)

    def cli_verify(workers: int, files: list[Path] = signed_files) -> None:
        subprocess.run([*handmade_cmd, "verify", "--policy", "any", "--workers", str(workers), *map(str, files)],
                       check=True, capture_output=True, env=cli_env)

    ct = interleaved({"sign_1": lambda: cli_sign(1), "sign_n": lambda: cli_sign(cores),
                      "verify_1": lambda: cli_verify(1), "verify_n": lambda: cli_verify(cores)},
                     batch_repeats, warmup=0)
    cs1, csn, cv1, cvn = (ct[k].median for k in ("sign_1", "sign_n", "verify_1", "verify_n"))
    ceiling = machine_scaling(cores)
    results["batch"] = {"files": batch_n, "cores": cores, "sign_1_worker_s": b1, f"sign_{cores}_workers_s": bn,
                        "sign_speedup": b1 / bn, "verify_1_worker_s": vb1, f"verify_{cores}_workers_s": vbn,
                        "verify_speedup": vb1 / vbn, "machine_cpu_scaling": ceiling,
                        "cli_sign_1_worker_s": cs1, f"cli_sign_{cores}_workers_s": csn, "cli_sign_speedup": cs1 / csn,
                        "cli_verify_1_worker_s": cv1, f"cli_verify_{cores}_workers_s": cvn,
                        "cli_verify_speedup": cv1 / cvn,
                        "timings": {**{f"library_{k}": v.as_dict() for k, v in bt.items()},
                                    **{f"cli_{k}": v.as_dict() for k, v in ct.items()}}}
    rows += [(f"batch sign {batch_n} x 1MP (library, median of {batch_repeats})", "1 worker", bt["sign_1"], ""),
             ("", f"{cores} workers", bt["sign_n"], f"{b1 / bn:.2f}x speed-up"),
             (f"batch verify {batch_n} (library)", "1 worker (in-process)", bt["verify_1"], ""),
             ("", f"{cores} workers", bt["verify_n"], f"{vb1 / vbn:.2f}x speed-up"),
             (f"batch sign {batch_n} (CLI)", "--workers 1", ct["sign_1"], ""),
             ("", f"--workers {cores}", ct["sign_n"], f"{cs1 / csn:.2f}x speed-up"),
             (f"batch verify {batch_n} (CLI)", "--workers 1", ct["verify_1"], ""),
             ("", f"--workers {cores}", ct["verify_n"], f"{cv1 / cvn:.2f}x speed-up"),
             (f"machine: {cores} processes of pure CPU work", "", ceiling, "speed-up (the ceiling)")]

    # big files through the command line: the same 24 MP signed file under many names (hard links, so that the
    # page cache holds one copy and the figure is the work, not the disk)
    big_signed = work / "24MP.out.jpg"
    if big_signed.exists() and not opts.quick:
        big_dir = work / "batch-24MP"
        big_dir.mkdir()
        for i in range(batch_n):
            os.link(big_signed, big_dir / f"big{i:04d}.jpg")
        big_files = sorted(big_dir.iterdir())
        bg = interleaved({"1": lambda: cli_verify(1, big_files), "n": lambda: cli_verify(cores, big_files)},
                         batch_repeats, warmup=0)
        results["batch"]["cli_verify_24MP_1_worker_s"] = bg["1"].median
        results["batch"][f"cli_verify_24MP_{cores}_workers_s"] = bg["n"].median
        results["batch"]["cli_verify_24MP_speedup"] = bg["1"].median / bg["n"].median
        rows += [(f"batch verify {batch_n} x 24MP (CLI)", "--workers 1", bg["1"], ""),
                 ("", f"--workers {cores}", bg["n"], f"{bg['1'].median / bg['n'].median:.2f}x speed-up")]

    # peak memory of one large sign, in a fresh process
    big = next((work / f"{n}.jpg" for n, _, f in reversed(sizes) if f == "JPEG"), None)
    if big is not None and big.exists():
        results["peak_memory"] = {"file": big.name, "bytes": big.stat().st_size}
        for mode in ("tuned", "default"):
            r = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, str(big), str(work / "peak.jpg"), mode],
                               capture_output=True, text=True, check=True,
                               env={**os.environ, **({"HANDMADE_DEFAULT_MALLOC": "1"} if mode == "default" else {})})
            peak_kb = int(r.stdout.strip().splitlines()[-1])
            results["peak_memory"][f"max_rss_mb_{mode}_allocator"] = peak_kb / 1024
            rows.append((f"peak RSS, sign {big.name} ({mode} allocator)", "", peak_kb / 1024, ""))

    # CLI: whole commands, interleaved, against the interpreter's own start and a bare ``import c2pa``.
    # Byte-compiled first, as pip does at install: under PYTHONDONTWRITEBYTECODE (or a read-only tree) a
    # source checkout would compile every module on every start (~15 ms for handmade.cli alone).
    import compileall

    compileall.compile_dir(str(Path(handmade_file).resolve().parent), quiet=2)
    cli_repeats = 5 if opts.quick else 11
    verify_target = work / "1MP.out.jpg"
    peers = {}
    for spec in opts.peer:
        name, _, command = spec.partition("=")
        peers[f"peer_{name}"] = [part.replace("{file}", str(verify_target)) for part in shlex.split(command)]
    cl = cli_times({"pass": [sys.executable, "-c", "pass"],
                    "import_c2pa": [sys.executable, "-c", "import c2pa"],
                    "help": [*handmade_cmd, "--help"],
                    "verify_one": [*handmade_cmd, "verify", str(verify_target)], **peers}, cli_repeats, env=cli_env)
    t_py, t_c2pa, t_help, t_verify = (cl[k].median for k in ("pass", "import_c2pa", "help", "verify_one"))
    results["cli"] = {"python_pass_s": t_py, "import_c2pa_s": t_c2pa, "help_s": t_help, "verify_one_s": t_verify,
                      "help_over_pass": t_help / t_py, "verify_one_over_import_c2pa": t_verify / t_c2pa,
                      "timings": {k: v.as_dict() for k, v in cl.items()}}
    rows += [("CLI (whole command, wall)", "python -c pass", cl["pass"], ""),
             ("", 'python -c "import c2pa"', cl["import_c2pa"], ""),
             ("", "handmade --help", cl["help"], f"{t_help / t_py:.2f}x python -c pass (target <= 3x)"),
             ("", "handmade verify (1 file)", cl["verify_one"],
              f"{t_verify / t_c2pa:.2f}x import c2pa (target <= 1.5x)")]
    for key in peers:
        t_peer = cl[key].median
        results["cli"][f"{key}_s"] = t_peer
        results["cli"][f"verify_one_over_{key}"] = t_verify / t_peer
        rows.append(("", f"{key[5:]} (1 file, a peer)", cl[key], f"handmade {t_verify / t_peer:.2f}x its time"))

    # the service, when its load test exists
    load = HERE / "load_service.py"
    if load.exists():
        r = subprocess.run([sys.executable, str(load), "--requests", "100" if opts.quick else "1000",
                            "--runs", "1" if opts.quick else "3", "--json", str(HERE / "results-service.json")],
                           capture_output=True, text=True, env=cli_env)
        results["service"] = {"exit_code": r.returncode, "output": r.stdout.strip()[-2000:]}

    load_end = os.getloadavg()
    results["load_average_end"] = load_end
    width = max(len(r[0]) for r in rows) + 2
    print(f"\nhandmade {__version__} on {platform.platform()} ({cores} cores), medians of {repeats} "
          f"[min-max], variants interleaved, {allocator} glibc allocator thresholds")
    print("load average (1, 5, 15 min): at start " + ", ".join(f"{x:.2f}" for x in load_start)
          + "; at end " + ", ".join(f"{x:.2f}" for x in load_end) + "\n")
    for label, what, value, note in rows:
        if isinstance(value, Timing):
            print(f"{label:<{width}}{what:<32}{fmt_s(value.median):>10}  {value.spread():<22} {note}")
        else:
            unit = " MB" if "RSS" in label else "x"
            print(f"{label:<{width}}{what:<32}{value:>9.2f}{unit}  {'':<22} {note}")
    if "service" in results:
        print("\nservice load test:\n" + results["service"]["output"])
    Path(opts.json).write_text(json.dumps(results, indent=2))
    print(f"\nwrote {opts.json}")
    if not opts.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
