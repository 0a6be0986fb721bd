"""One call run in a thread while the caller goes on (for work that releases the GIL: hashing, decoding, I/O).

Not ``concurrent.futures``: an executor keeps threads alive between calls and joins them at interpreter exit,
and a process that forks workers (handmade's pools fork while a single OS thread runs) must not carry a pool's
threads or its locks into the child. Here each call has its own daemon thread that ends with the call, and
``INLINE`` runs the call in the caller where a pool already keeps every core busy.

The thread is a bare ``_thread`` one, waited for through a lock of its own: ``threading.Thread.start()`` waits
until the new thread has run, a round trip through the scheduler that cost a verify of a 1 MP JPEG 0.14 ms of
its 3.4 (median; 0.5 ms on average, as it waits for a time slice when the other core is busy). It is what a
daemon ``Thread`` was: not joined at exit, and ``_run`` hands every exception to the caller."""

from __future__ import annotations

import _thread
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


#: True in the worker processes of a pool that already keeps every core busy: a helper thread there only
#: competes with the other workers (measured: verify batches 7 % slower), so the call runs inline.
INLINE = False

#: The locks of the calls running in their threads now (``running``); set.add/discard are atomic.
_LIVE: set[_thread.LockType] = set()


def running() -> int:
    """How many ``Background`` calls are running in their threads now (a call is done, and counted out, before
    ``wait`` returns): what a test checks where ``threading.active_count`` does not see these threads."""
    return len(_LIVE)


class Background(Generic[T]):
    """``fn(*args, **kwargs)`` started in a daemon thread at once; ``result()`` waits for it and returns its value or
    raises its exception; ``wait()`` only waits (for cleanup paths that must not leave it running)."""

    def __init__(self, fn: Callable[..., T], *args: object, **kwargs: object) -> None:
        self._value: T | None = None
        self._error: BaseException | None = None
        self._running: _thread.LockType | None = None  # held while the call runs in its thread
        if INLINE:
            self._run(fn, args, kwargs)
        else:
            self._running = _thread.allocate_lock()
            self._running.acquire()
            _LIVE.add(self._running)
            try:
                _thread.start_new_thread(self._run, (fn, args, kwargs))
            except BaseException:
                _LIVE.discard(self._running)
                self._running.release()
                raise

    def _run(self, fn: Callable[..., T], args: tuple[object, ...], kwargs: dict[str, object]) -> None:
        try:
            self._value = fn(*args, **kwargs)
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc
        finally:
            if self._running is not None:
                _LIVE.discard(self._running)
                self._running.release()

    def wait(self) -> None:
        if self._running is not None:
            with self._running:  # free once the call has returned
                pass

    def result(self) -> T:
        self.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
