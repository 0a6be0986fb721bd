"""Archive scan figures, as ratios measured in one run (figures, not assertions).

    python bench/scan_bench.py                    # 10,000 files of about 1 MP (and 1,000 for the memory check)
    python bench/scan_bench.py --files 2000       # smaller
    python bench/scan_bench.py --no-dask          # skip the LocalCluster run

Builds a tree of ~1 MP JPEGs (half signed by a throwaway identity whose root is trusted, half unsigned; hard
links to two files, so the tree costs no disk and the page cache holds it), then measures, each scan in its
own fresh process, in --rounds interleaved rounds (best time of each kept: the machine may be shared):
- ``handmade scan`` with 1 and with 2 local workers (speed-up);
- the machine's own 2-process ceiling: the same files verified by 2 plain processes (``verify.inspect`` in a
  loop, half the files each, no pool, no time limit, no output) against 1 such process;
- peak RSS of the scanning process (and of its largest worker) for 1,000 and for N files;
- the same scan on a 2-worker Dask LocalCluster (processes, non-daemonic workers) against the local pool.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]


def build_tree(folder: Path, count: int) -> tuple[Path, Path]:
    """``count`` hard links (100 per folder) to a signed and an unsigned ~1 MP JPEG; returns (tree, root CA)."""
    from tests.conftest import make_photo

    from handmade.keys import create_identity, load_identity
    from handmade.sign import SignOptions, sign_image

    src = make_photo(folder / "src.jpg", size=(1155, 866))
    made = create_identity(folder / "identity", "Scan Bench", passphrase=None, overwrite=True)
    signed = folder / "signed.jpg"
    sign_image(src, signed, SignOptions(author="Bench"), load_identity(made.key_path, made.chain_path),
               overwrite=True)
    tree = folder / f"tree-{count}"
    for i in range(count):
        sub = tree / f"{i // 100:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        os.link(signed if i % 2 else src, sub / f"{i:06d}.jpg")
    return tree, folder / "identity" / "root-ca.pem"


def _child(mode: str, tree: str, root_ca: str, out: str, workers: int, part: int, parts: int,
           scheduler: str | None) -> None:
    """Runs in a fresh process; prints one JSON line of figures."""
    from handmade.verify import load_trust_anchors

    anchors = load_trust_anchors([root_ca])
    t0 = time.perf_counter()
    if mode == "plain":
        from handmade.scan import walk
        from handmade.trust import resolve
        from handmade.verify import inspect

        trust = resolve(anchors)
        mine = [p for i, p in enumerate(walk([tree])) if i % parts == part]
        inspect(mine[0], trust=trust)  # warm: imports, c2pa context; then start together with the others
        print("ready", flush=True)
        sys.stdin.readline()
        t0 = time.perf_counter()
        for path in mine:
            inspect(path, trust=trust)
        n = len(mine)
    else:
        from handmade.scan import scan

        summary = scan([tree], out, trust=anchors, workers=workers, dask=scheduler)
        n = summary.total
    elapsed = time.perf_counter() - t0
    print(json.dumps({"files": n, "elapsed_s": elapsed,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))


def _spawn(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    return subprocess.Popen([sys.executable, __file__, "--child", *args], env=env, stdout=subprocess.PIPE,
                            stdin=subprocess.PIPE, text=True)


def _result(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = proc.communicate(timeout=3600)
    if proc.returncode:
        raise RuntimeError(f"a bench process failed ({proc.returncode})")
    return dict(json.loads(out.strip().splitlines()[-1]))


def scan_once(tree: Path, root_ca: Path, work: Path, workers: int, scheduler: str | None = None) -> dict[str, Any]:
    out = work / f"out-{time.monotonic_ns()}.jsonl"
    r = _result(_spawn("scan", str(tree), str(root_ca), str(out), str(workers), "0", "1", scheduler or ""))
    out.unlink()
    return r


def plain(tree: Path, root_ca: Path, parts: int) -> float:
    """Seconds for ``parts`` plain processes to verify the tree between them: each imports and verifies one
    file first, then all start together; the slowest one's time (interpreter start-up left out)."""
    procs = [_spawn("plain", str(tree), str(root_ca), "-", "1", str(i), str(parts), "") for i in range(parts)]
    for p in procs:  # each has imported and verified one file: now all start at once
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    return max(float(_result(p)["elapsed_s"]) for p in procs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000, help="the smaller tree of the memory check")
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best time of each is kept")
    parser.add_argument("--child", nargs=8, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, tree, root_ca, out, workers, part, parts, scheduler = args.child
        _child(mode, tree, root_ca, out, int(workers), int(part), int(parts), scheduler or None)
        return
    with tempfile.TemporaryDirectory() as work_s:
        work = Path(work_s)
        (work / "big").mkdir()
        (work / "small").mkdir()
        big, root_ca = build_tree(work / "big", args.files)
        small, small_ca = build_tree(work / "small", args.small)
        n = args.files
        # Other work on the machine comes and goes: every measure runs in each of --rounds interleaved
        # rounds and the best (shortest) time of each is kept, so a burst elsewhere hits all of them alike.
        times: dict[str, list[float]] = {"scan1": [], "scan2": [], "plain1": [], "plain2": [], "dask": []}
        rss: dict[str, Any] = {}
        cluster = None
        if not args.no_dask:
            import dask
            import distributed

            with dask.config.set({"distributed.worker.daemon": False}):
                cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                                   host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                                   silence_logs=40)
        try:
            for _ in range(args.rounds):
                one = scan_once(big, root_ca, work, 1)
                times["scan1"].append(one["elapsed_s"])
                two = scan_once(big, root_ca, work, 2)
                times["scan2"].append(two["elapsed_s"])
                rss["big"] = two
                times["plain1"].append(plain(big, root_ca, 1))
                times["plain2"].append(plain(big, root_ca, 2))
                if cluster is not None:
                    on_dask = scan_once(big, root_ca, work, 0, cluster.scheduler_address)
                    times["dask"].append(on_dask["elapsed_s"])
                    rss["dask"] = on_dask
        finally:
            if cluster is not None:
                cluster.close()
        small_run = scan_once(small, small_ca, work, 2)
        best = {k: min(v) for k, v in times.items() if v}
        figures: dict[str, Any] = {
            "files": n, "cores": os.cpu_count(), "rounds": args.rounds,
            "scan_1_worker_files_per_s": n / best["scan1"], "scan_2_workers_files_per_s": n / best["scan2"],
            "speedup_2_vs_1": best["scan1"] / best["scan2"],
            "plain_1_process_files_per_s": n / best["plain1"], "plain_2_processes_files_per_s": n / best["plain2"],
            "ceiling_2_vs_1": best["plain1"] / best["plain2"],
            "scan_2_share_of_ceiling": best["plain2"] / best["scan2"],
            "rss_mb": {str(args.small): small_run["rss_mb"], str(n): rss["big"]["rss_mb"]},
            "worker_rss_mb": {str(args.small): small_run["worker_rss_mb"], str(n): rss["big"]["worker_rss_mb"]},
            "rss_ratio": rss["big"]["rss_mb"] / small_run["rss_mb"],
            "all_times_s": times,
        }
        if "dask" in best:
            figures["dask_2_workers_files_per_s"] = n / best["dask"]
            figures["dask_slowdown_vs_local_pool"] = best["dask"] / best["scan2"] - 1
            figures["dask_client_rss_mb"] = rss["dask"]["rss_mb"]
    for key, value in figures.items():
        print(f"{key:32} {value:.3f}" if isinstance(value, float) else f"{key:32} {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
