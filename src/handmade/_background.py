"""One call run in a thread while the caller goes on (for work that releases the GIL: hashing, decoding, I/O)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """``fn(*args, **kwargs)`` started in a daemon thread at once; ``result()`` waits for it and returns its value or
    raises its exception; ``wait()`` only waits (for cleanup paths that must not leave it running)."""

    def __init__(self, fn: Callable[..., T], *args: object, **kwargs: object) -> None:
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fn, args, kwargs), daemon=True)
        self._thread.start()

    def _run(self, fn: Callable[..., T], args: tuple[object, ...], kwargs: dict[str, object]) -> None:
        try:
            self._value = fn(*args, **kwargs)
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
