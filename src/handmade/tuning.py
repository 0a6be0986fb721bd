"""Process-wide tuning that handmade applies in the processes it owns (the command line, its workers).

glibc's malloc moves its mmap threshold as buffers are freed (up to 32 MB) and gives memory back to the
system above a trim threshold that moves with it. With the multi-megabyte buffers of image signing and
verification, that makes the same c2pa call fast or up to twice as slow depending on the heap's history
(measured: verify of a 24 MP JPEG 14.5 ms or 27 ms in the same process). Pinning both thresholds keeps
large buffers on the heap, reused instead of mapped, zeroed and faulted in again; peak memory does not
change (what is freed is kept for reuse instead of returned). Measured in ``bench/run.py``.
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys

#: glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: The largest mmap threshold glibc accepts on 64-bit (a larger value is refused, silently for the
#: MALLOC_MMAP_THRESHOLD_ environment variable).
MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 256 * 1024 * 1024

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
