"""Batch timings in a fresh process (run by bench/run.py; not a command of its own).

A fresh process is what a user's batch runs in (the command line, a script): the bench's own process has
by then signed and read hundreds of megabytes, and forking it copies that heap's page tables and faults its
pages back in, which is not what a batch costs. Prints one JSON object: each variant's
times, interleaved.

    python bench/_batch.py BATCH_DIR WORK_DIR CORES REPEATS {tuned|default}
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path


def main() -> None:
    batch_dir, work, cores, repeats, allocator = (Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]),
                                                  int(sys.argv[4]), sys.argv[5])
    if allocator == "tuned":
        from handmade.tuning import tune_allocator

        tune_allocator()
    from handmade.keys import bundled_test_identity
    from handmade.sign import SignOptions, sign_batch
    from handmade.verify import inspect_many

    identity = bundled_test_identity()

    def sign(workers: int) -> float:
        out_dir = work / f"batch-out-{workers}"
        shutil.rmtree(out_dir, ignore_errors=True)
        t = time.perf_counter()
        res = sign_batch([batch_dir], out_dir, SignOptions(author="Bench"), identity, workers=workers)
        elapsed = time.perf_counter() - t
        assert not res.failed, res.failed[:3]
        return elapsed

    sign(cores)  # warm-up: page cache, lazy imports
    s1, sn = [], []
    for _ in range(repeats):  # interleaved: 1 worker, N workers, 1, N ... (the machine's speed drifts)
        s1.append(sign(1))
        sn.append(sign(cores))
    signed = sorted((work / f"batch-out-{cores}").iterdir())

    def verify(workers: int) -> float:
        # the library's own API: one worker checks in-process; more use handmade.workers' processes
        t = time.perf_counter()
        reports = inspect_many(signed, workers=workers)
        elapsed = time.perf_counter() - t
        assert all(r.state == "valid" for r in reports), {r.state for r in reports}
        return elapsed

    verify(cores)
    v1, vn = [], []
    for _ in range(repeats):
        v1.append(verify(1))
        vn.append(verify(cores))
    print(json.dumps({"sign_1": s1, "sign_n": sn, "verify_1": v1, "verify_n": vn,
                      "signed_dir": str(work / f"batch-out-{cores}")}))


if __name__ == "__main__":
    main()
