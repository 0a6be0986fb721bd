"""handmade.tuning: glibc's thresholds really pinned (checked with mallinfo2), and opt-outs respected."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


LIBRARY_PROBE = """
import ctypes, sys, warnings
warnings.simplefilter("ignore")
class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                  "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = MallInfo2
def mapped(size):
    before = libc.mallinfo2().hblks
    buf = bytearray(size)
    return libc.mallinfo2().hblks - before
from handmade.verify import inspect_bytes
inspect_bytes(open(sys.argv[1], "rb").read(), "x.jpg")  # a library caller's first verification
small = mapped(20 * 1024 * 1024)  # on the heap once tuned
big_before = mapped(48 * 1024 * 1024)  # over glibc's largest mmap threshold: mapped
from handmade.tuning import tune_for_size
tune_for_size(int(sys.argv[2]))  # as before handling a file of that size
print(small, big_before, mapped(48 * 1024 * 1024))
"""


def library_probe(image: str, size: int, **env: str) -> tuple[int, int, int]:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("HANDMADE_DEFAULT_MALLOC", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")}
    r = subprocess.run([sys.executable, "-c", LIBRARY_PROBE, image, str(size)], capture_output=True, text=True,
                       env={**clean, **env}, timeout=120)
    assert r.returncode == 0, r.stderr
    small, big, after = r.stdout.split()
    return int(small), int(big), int(after)


def test_a_library_caller_is_tuned_from_its_first_c2pa_call(tmp_path: Path) -> None:
    from tests.conftest import make_photo

    image = str(make_photo(tmp_path / "p.jpg"))
    # thresholds pinned by the first verification; mmap left on until a file over 16 MB is handled
    assert library_probe(image, 1024 * 1024) == (0, 1, 1)
    assert library_probe(image, 17 * 1024 * 1024) == (0, 1, 0)
    # opted out: glibc left alone, big files included
    assert library_probe(image, 17 * 1024 * 1024, HANDMADE_DEFAULT_MALLOC="1") == (1, 1, 1)
