"""Process-wide tuning of glibc's allocator: in the processes handmade owns (the command line, its workers), and
in a library caller's process from the first time handmade calls c2pa there (``HANDMADE_DEFAULT_MALLOC=1``,
or the user's own ``MALLOC_MMAP_THRESHOLD_``/``MALLOC_TRIM_THRESHOLD_``, leaves glibc alone).

glibc's malloc moves its mmap threshold as buffers are freed (up to 32 MB) and gives memory back to the
system above a trim threshold that moves with it. With the multi-megabyte buffers of image signing and
verification, that makes the same c2pa call fast or up to twice as slow depending on the heap's history
(measured: verify of a 24 MP JPEG 14.5 ms or 27 ms in the same process). Pinning both thresholds keeps
large buffers on the heap, reused instead of mapped, zeroed and faulted in again; peak memory does not
change (what is freed is kept for reuse instead of returned). Measured in ``bench/run.py``.

glibc's mmap threshold cannot go above 32 MB, so the buffers of files over about 16 MB (c2pa-rs grows its
vectors by doubling) were still mapped and faulted in afresh on every call: verify of a 48 MP JPEG (18 MB)
took 66 ms against 35 ms with mmap off (``M_MMAP_MAX = 0``; peak 89 MB against 107 MB), with no change at
24 MP and below (measured in fresh library processes, 3 rounds of 9, interleaved). ``tune_for_size`` turns
mmap off in a tuned process the first time it handles such a file; a process that never sees one keeps
glibc's default there.
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys

#: glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_MMAP_MAX = -4
#: The largest mmap threshold glibc accepts on 64-bit (a larger value is refused, silently for the
#: MALLOC_MMAP_THRESHOLD_ environment variable).
MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 256 * 1024 * 1024
#: Files larger than this turn glibc's mmap off in a tuned process (see the module).
BIG_FILE = 16 * 1024 * 1024

@functools.cache
def tune_allocator() -> bool:
    """Pin glibc's mmap and trim thresholds for this process (and children forked from it).

    Does nothing, and returns False, off glibc, when ``HANDMADE_DEFAULT_MALLOC`` is set, or when the
    user set ``MALLOC_MMAP_THRESHOLD_``/``MALLOC_TRIM_THRESHOLD_`` themselves. Runs once per process
    (``functools.cache``); never raises.
    """
    ok = False
    if (sys.platform.startswith("linux") and not os.environ.get("HANDMADE_DEFAULT_MALLOC")
            and not any(k in os.environ for k in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"))):
        try:
            libc = ctypes.CDLL(None)  # the running process, libc included (find_library forks ldconfig)
            mallopt = getattr(libc, "mallopt", None)
            if mallopt is not None:
                ok = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD,
                                                                                      TRIM_THRESHOLD))
        except (OSError, AttributeError):
            ok = False
    return ok


@functools.cache
def _no_mmap() -> bool:
    try:
        return bool(ctypes.CDLL(None).mallopt(_M_MMAP_MAX, 0))
    except (OSError, AttributeError):
        return False


def tune_for_size(size: int) -> bool:
    """Before handling a file of ``size`` bytes: in a tuned process (``tune_allocator``), a file over
    ``BIG_FILE`` turns glibc's mmap off for good, so that its large buffers are reused from the heap instead of
    mapped and faulted in on every call. Returns whether mmap is off; never raises."""
    return size > BIG_FILE and tune_allocator() and _no_mmap()
