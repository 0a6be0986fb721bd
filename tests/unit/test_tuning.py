"""handmade.tuning: glibc's thresholds really pinned (checked with mallinfo2), and opt-outs respected."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = """
import ctypes, sys
from handmade.tuning import tune_allocator
applied = tune_allocator()
class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                  "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = MallInfo2
before = libc.mallinfo2().hblks
buf = bytearray(20 * 1024 * 1024)  # a 20 MB image buffer: mapped by default, on the heap once tuned
print(applied, libc.mallinfo2().hblks - before)
"""

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux-only")


def probe(**env: str) -> tuple[str, int]:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("HANDMADE_DEFAULT_MALLOC", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")}
    r = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env={**clean, **env},
                       timeout=60)
    assert r.returncode == 0, r.stderr
    applied, mapped = r.stdout.split()
    return applied, int(mapped)


def test_large_buffers_stay_on_the_heap_once_tuned() -> None:
    assert probe() == ("True", 0)


def test_opt_outs_leave_glibc_alone() -> None:
    assert probe(HANDMADE_DEFAULT_MALLOC="1") == ("False", 1)
    applied, _ = probe(MALLOC_TRIM_THRESHOLD_="1000000")
    assert applied == "False"


def test_the_command_line_tunes_itself() -> None:
    from click.testing import CliRunner

    from handmade.cli import main
    from handmade.tuning import tune_allocator

    tune_allocator.cache_clear()
    CliRunner().invoke(main, ["keys", "--help"])
    assert tune_allocator.cache_info().currsize == 1  # the group callback ran tune_allocator in this process
