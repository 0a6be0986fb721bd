"""Coverage-guided fuzzing of the inspect/report path (and the hints parsers) with atheris.

One command (seeds: every file of ../shared/corpus, copied to a scratch folder, never into the repo):

    python fuzz/fuzz_inspect.py                      # 10,000 inputs, then a summary
    python fuzz/fuzz_inspect.py -runs=100000         # any libFuzzer flag passes through

Each input goes through ``inspect_bytes`` (c2pa-rs reading, status-code facets, lineage walk, hints),
the JSON and text renderings. A crash is any exception escaping handmade, or a broken invariant:
no manifest or an unreadable one must never be reported as AI or human. Crashes are written by libFuzzer
as ``crash-*`` files: turn each into a regression test in tests/hostile/.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["handmade"]):
    from handmade.hints import read_hints
    from handmade.report import render_tree, verdict
    from handmade.verify import inspect_bytes

CORPUS = Path(os.environ.get("HANDMADE_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
_AT_EXIT: object = None
STATS = {"inputs": 0, "no_manifest": 0, "error": 0, "invalid": 0, "valid": 0, "trusted": 0}


def one_input(data: bytes) -> None:
    STATS["inputs"] += 1
    read_hints(data)
    report = inspect_bytes(data, "fuzz.bin")
    STATS[report.state] = STATS.get(report.state, 0) + 1
    json.dumps(report.to_dict())
    render_tree(report)
    verdict(report, "fr")
    if report.state == "no_manifest" or report.error is not None:
        if report.ai != "unknown" or report.human_authored is not None:
            raise AssertionError(f"unreadable/no manifest reported as ai={report.ai} human={report.human_authored}")


def main() -> None:
    seeds = Path(tempfile.mkdtemp(prefix="handmade-fuzz-seeds-"))
    if CORPUS.is_dir():
        for f in CORPUS.iterdir():
            if f.suffix.lower() not in (".json", ".md") and f.stat().st_size <= 3_000_000:
                shutil.copy(f, seeds / f.name)
    else:
        print(f"warning: no seed corpus at {CORPUS} (set HANDMADE_CORPUS)", file=sys.stderr)
    args = [sys.argv[0], str(seeds)]
    if not any(a.startswith("-runs=") for a in sys.argv[1:]):
        args.append("-runs=10000")
    if not any(a.startswith("-max_len=") for a in sys.argv[1:]):
        args.append("-max_len=3000000")
    args += sys.argv[1:]

    def finish() -> None:
        print(f"handmade fuzz summary: {json.dumps(STATS)}", file=sys.stderr, flush=True)
        shutil.rmtree(seeds, ignore_errors=True)

    # libFuzzer ends the process with the C library's exit(), which never runs Python's atexit handlers:
    # register with the C library's own (atexit is __cxa_atexit in glibc; the callback must outlive this).
    global _AT_EXIT
    _AT_EXIT = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(lambda _: finish())
    ctypes.CDLL(None).__cxa_atexit(_AT_EXIT, None, None)
    atheris.Setup(args, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
