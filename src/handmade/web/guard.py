"""What keeps the service up against slow and hostile clients: deadlines, a connection bound, a memory budget.

Three pieces, each where it has to live:

- ``GuardedH11Protocol`` (uvicorn's h11 protocol, plus two rules): a **header deadline** (a connection must
  send the complete headers of each request within ``header_timeout_s`` of connecting, or of its previous
  answer; otherwise it is closed) and a **bound on open connections** (one more is answered ``503`` and
  closed at once). uvicorn has neither: its ``timeout_keep_alive`` only runs after an answer, so a
  connection that never finishes its headers is held forever, and its ``limit_concurrency`` answers every
  *new request* with 503 once that many connections are open, which would let idle connections lock real
  uploads out. The ASGI application cannot do this job: it is only called once the headers are complete.
- ``read_body``: the body is read with an **idle deadline** (no byte for ``idle_s``) and a **total
  deadline** (``total_s``), answered ``408 input.timeout`` with ``Connection: close``.
- ``ByteBudget``: the bytes of upload bodies held in memory at once. A request takes budget for each chunk
  as it arrives and gives all of it back with its answer (or when it stalls, times out or goes away), so a
  client trickling one byte at a time holds one byte, not a place in a queue; when the budget is spent, a
  chunk waits up to a short time, then the request gets ``503 service.busy``.

``SecurityHeaders`` (ASGI middleware) adds ``X-Content-Type-Options: nosniff`` to every answer. uvicorn's
``server: uvicorn`` header is turned off by ``uvicorn_options``.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import anyio
import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

#: Raw answer to a connection over the bound (the h11 machinery is not started for it).
_BUSY = b'{"error": {"code": "service.busy", "message": "too many connections at once; retry shortly"}}'
_OVER_BOUND = (b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
               b"x-content-type-options: nosniff\r\nconnection: close\r\nretry-after: 2\r\n"
               b"content-length: %d\r\n\r\n%s" % (len(_BUSY), _BUSY))


#: Requests answered on one kept-alive connection before the answer says ``Connection: close``. With
#: ``serve --workers N`` the worker processes share one listening socket, and the one that wakes first
#: accepts every connection waiting: a client that opens its keep-alive pool in one burst (a CMS back end, a
#: proxy, the load test) could land all of them on one worker and keep them there, the other idle for the
#: whole run. Closing a connection every few requests lets its next requests go to whichever worker accepts
#: first. Measured (bench/load_service.py, 2 workers, 16 connections, 400 uploads a run, 5 runs): without
#: the bound one worker took all 400 in one run and 305-322 in two more; with 32 (never reached in such a
#: run) the same; with 8, every run split between 152/248 and 205/195. A new loopback connection costs well
#: under a millisecond, against 5-10 ms for a 1 MP verification. 0 keeps connections open for good
#: (uvicorn's own behaviour).
MAX_REQUESTS_PER_CONNECTION = 8


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header deadline and a bound on open connections (see the module).

    The limits are class attributes set by ``configure`` (uvicorn builds protocols from a class or an import
    string, and a worker process imports this one by name).
    """

    header_timeout_s: ClassVar[float] = 10.0
    max_connections: ClassVar[int] = 512
    max_requests_per_connection: ClassVar[int] = MAX_REQUESTS_PER_CONNECTION

    _header_timer: asyncio.TimerHandle | None = None
    _requests = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            transport.write(_OVER_BOUND)
            transport.close()
            return
        self._arm_header_deadline()

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._header_deadline)

    def _disarm_header_deadline(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_deadline(self) -> None:
        self._header_timer = None
        # IDLE: the request's headers are not complete (or none came). Once they are, the body has its
        # own deadlines in the application, and a finished request waits for its answer.
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()

    def handle_events(self) -> None:
        before = self.cycle
        super().handle_events()
        if self._header_timer is not None and self.conn.their_state is not h11.IDLE:
            self._disarm_header_deadline()
        if self.cycle is not None and self.cycle is not before:  # a new request on this connection
            self._requests += 1
            if 0 < self.max_requests_per_connection <= self._requests:
                # its answer says "Connection: close" (h11 then closes after it): the client's next request
                # opens a new connection, which any worker process may accept (see MAX_REQUESTS_PER_CONNECTION)
                self.cycle.default_headers = [*self.cycle.default_headers, (b"connection", b"close")]

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_deadline()  # the next request's headers, on a kept-alive connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)


def configure(*, header_timeout_s: float, max_connections: int,
              max_requests_per_connection: int = MAX_REQUESTS_PER_CONNECTION) -> None:
    """Set the limits of ``GuardedH11Protocol`` for this process."""
    GuardedH11Protocol.header_timeout_s = float(header_timeout_s)
    GuardedH11Protocol.max_connections = int(max_connections)
    GuardedH11Protocol.max_requests_per_connection = int(max_requests_per_connection)


def uvicorn_options(*, header_timeout_s: float, max_connections: int, keep_alive_s: float) -> dict[str, Any]:
    """The keyword arguments for ``uvicorn.run``/``uvicorn.Config`` that put these limits in place (and
    configure them in this process; a worker process configures itself from the service's config)."""
    configure(header_timeout_s=header_timeout_s, max_connections=max_connections)
    return {"http": "handmade.web.guard:GuardedH11Protocol", "server_header": False,
            "timeout_keep_alive": max(1, round(keep_alive_s)), "h11_max_incomplete_event_size": 16 * 1024}


class BodyTimeout(Exception):
    """The body stalled (``idle``) or took too long in all (``total``)."""

    def __init__(self, kind: str, seconds: float) -> None:
        super().__init__(kind)
        self.kind, self.seconds = kind, seconds


class BudgetExhausted(Exception):
    """No memory budget came free within the wait."""


class ByteBudget:
    """Bytes of request bodies in memory at once, shared by the requests of one process (event loop).

    ``take`` waits up to ``wait_s`` for room, then raises BudgetExhausted; ``give_back`` never waits (it runs in
    ``finally`` blocks of cancelled requests too).
    """

    def __init__(self, total: int) -> None:
        if total < 1:
            raise ValueError("a byte budget must be at least 1")
        self.total = total
        self.used = 0
        self._waiters: list[asyncio.Future[None]] = []

    async def take(self, n: int, wait_s: float) -> None:
        """Reserve ``n`` bytes. Raises: BudgetExhausted (also for ``n`` larger than the whole budget)."""
        if n > self.total:
            raise BudgetExhausted
        deadline = time.monotonic() + wait_s
        while self.used + n > self.total:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BudgetExhausted
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                pass
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
        self.used += n

    def give_back(self, n: int) -> None:
        """Return ``n`` bytes and wake every waiter (each checks again whether its chunk fits)."""
        self.used = max(0, self.used - n)
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)


async def read_body(chunks: AsyncIterator[bytes], *, idle_s: float, total_s: float) -> AsyncIterator[bytes]:
    """The chunks of a request body, each within ``idle_s`` of the previous one and all within ``total_s``.

    Raises: BodyTimeout.
    """
    deadline = time.monotonic() + total_s
    iterator = chunks.__aiter__()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise BodyTimeout("total", total_s)
        wait = min(idle_s, remaining)
        try:
            with anyio.fail_after(wait):
                chunk = await iterator.__anext__()
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise BodyTimeout("idle" if wait == idle_s else "total", idle_s if wait == idle_s else total_s) from None
        yield chunk


#: Set (to anything but empty) in the service's environment, every answer names the worker process that made
#: it (``X-Handmade-Worker: PID``): for load tests that count the requests each ``--workers`` process served.
#: Off by default: a process id is nothing a client needs.
WORKER_HEADER_ENV = "HANDMADE_WORKER_HEADER"


class SecurityHeaders:
    """ASGI middleware: ``X-Content-Type-Options: nosniff`` on every answer that does not set it (and
    ``X-Handmade-Worker`` when ``HANDMADE_WORKER_HEADER`` asks for it)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.extra: list[tuple[bytes, bytes]] = (
            [(b"x-handmade-worker", str(os.getpid()).encode())] if os.environ.get(WORKER_HEADER_ENV) else [])

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"x-content-type-options" for k, _ in headers):
                    headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers + self.extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)
