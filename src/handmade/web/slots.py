"""Verification slots: at most ``max_concurrent`` verifications at once, each within ``timeout_s``.

A request waits up to ``queue_wait_s`` for a slot (``503 service.busy`` with Retry-After), then up to
``timeout_s`` for its result (``504 service.timeout``). A verification that times out keeps its slot until its
worker thread really ends, so timed-out work cannot pile up beyond ``max_concurrent`` threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar

import anyio

from handmade.web.errors import ApiError, busy

_T = TypeVar("_T")


async def run_in_slot(limiter: anyio.CapacityLimiter, fn: Callable[[], _T], *,
                      queue_wait_s: float, timeout_s: float) -> _T:
    """Run ``fn`` in a worker thread holding one slot of ``limiter``.

    Waits up to ``queue_wait_s`` for a slot (ApiError 503 ``service.busy``), then up to ``timeout_s`` for the
    result (ApiError 504 ``service.timeout``). A timed-out thread cannot be killed: it keeps its slot until it
    really ends, so abandoned work never exceeds the limiter's size.
    """
    token = object()
    try:
        with anyio.fail_after(queue_wait_s):
            await limiter.acquire_on_behalf_of(token)
    except TimeoutError:
        raise busy("verifications") from None
    loop = asyncio.get_running_loop()
    lock = threading.Lock()
    state = {"phase": "queued"}  # queued -> running -> done, or queued -> cancelled

    def release() -> None:
        with contextlib.suppress(RuntimeError):  # the loop is gone at shutdown: nothing left to release
            loop.call_soon_threadsafe(limiter.release_on_behalf_of, token)

    def work() -> _T | None:
        with lock:
            if state["phase"] == "cancelled":
                return None
            state["phase"] = "running"
        try:
            return fn()
        finally:
            release()

    try:
        with anyio.fail_after(timeout_s):
            result = await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
    except BaseException as exc:
        with lock:
            never_started = state["phase"] == "queued"
            state["phase"] = "cancelled"
        if never_started:
            limiter.release_on_behalf_of(token)
        if isinstance(exc, TimeoutError):
            raise ApiError(504, "service.timeout", f"verification took longer than {timeout_s:g} s") from None
        raise
    assert result is not None  # work() only returns None once cancelled
    return result
