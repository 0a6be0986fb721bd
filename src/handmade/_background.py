"""One call run in a thread while the caller goes on (for work that releases the GIL: hashing, decoding, I/O).

Not ``concurrent.futures``: an executor keeps threads alive between calls and joins them at interpreter exit,
and a process that forks workers (handmade's pools fork while a single OS thread runs) must not carry a pool's
threads or its locks into the child. Here each call has its own daemon thread that ends with the call, and
``INLINE`` runs the call in the caller where a pool already keeps every core busy."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


#: True in the worker processes of a pool that already keeps every core busy: a helper thread there only
#: competes with the other workers (measured: verify batches 7 % slower), so the call runs inline.
INLINE = False


class Background(Generic[T]):
    """``fn(*args, **kwargs)`` started in a daemon thread at once; ``result()`` waits for it and returns its value or
    raises its exception; ``wait()`` only waits (for cleanup paths that must not leave it running)."""

    def __init__(self, fn: Callable[..., T], *args: object, **kwargs: object) -> None:
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if INLINE:
            self._run(fn, args, kwargs)
        else:
            self._thread = threading.Thread(target=self._run, args=(fn, args, kwargs), daemon=True)
            self._thread.start()

    def _run(self, fn: Callable[..., T], args: tuple[object, ...], kwargs: dict[str, object]) -> None:
        try:
            self._value = fn(*args, **kwargs)
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def result(self) -> T:
        self.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
