"""Long-lived worker processes, each task within a time limit: the only sure bound on native parsing.

Native code (c2pa-rs, image decoders) cannot be interrupted from Python, so a file that makes it spin is
stopped by killing its process. Workers live for a whole batch (a process per file cost a fork, and from a
fork server a re-import, for each file); a worker that overruns its task or dies is replaced, and that
task alone gets a ``Failure`` (``failure_error`` words it as that file's error, for checking or signing).
Plain pipes and ``multiprocessing.connection.wait``: no helper threads in this process.

Workers die with their parent, however it ends (SIGKILL included), so a killed batch never goes on signing:
- a forked worker closes the copies it inherited of the parent's pipe ends (its own and those of the
  workers started before it), so the parent's death is an end of file on its pipe;
- on Linux it asks the kernel for SIGTERM when its parent dies (``PR_SET_PDEATHSIG``; a worker from the
  fork server gets it when the fork server exits, which it does when this process is gone);
- a watchdog thread in the worker checks every half second that the parent is still there, for a worker
  whose main thread is stuck in native code (a Python signal handler only runs between bytecodes).
On the parent's death the worker removes the files it had staged and not committed
(``handmade.files.discard_all_staged``, which first stops any further file being created) and exits
at once.

Why not pebble or loky: neither gives a per-task time limit with kill-and-replace over long-lived workers
that receive their shared arguments once, without a helper thread in the parent.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

from handmade import _background, _c2pa
from handmade.errors import HandmadeError, InputError, SigningError
from handmade.files import discard_all_staged
from handmade.tuning import tune_allocator

#: How often a worker's watchdog checks that its parent is alive, in seconds.
WATCHDOG_S = 0.5
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Failure:
    """A task that gave no answer: ``timeout`` (killed after the limit) or ``crash`` (its process died)."""

    kind: str
    exitcode: int | None = None


def failure_error(value: object, path: str, timeout: float | None, *, signing: bool = False) -> HandmadeError:
    """The error of a file whose task gave no answer, from what ``run`` yielded instead: the HandmadeError it
    raised, as it is; a ``Failure``: ``input.timeout`` (after ``timeout`` seconds) or ``input.crash``, and
    ``sign.timeout`` or ``sign.crash`` when ``signing``; any other exception: a crash, in its own words."""
    if isinstance(value, HandmadeError):
        return value
    if isinstance(value, Failure) and value.kind == "timeout":
        gave_up = f"{path}: gave up after {timeout or 0:g} s"
        if signing:
            return SigningError(gave_up, code="sign.timeout")
        return InputError(gave_up, code="input.timeout",
                          hint="The file may be hostile; raise --timeout if it is merely huge.")
    if isinstance(value, Failure):
        what = f"{path}: the {'signer' if signing else 'checker'} crashed (exit code {value.exitcode})"
    else:
        what = f"{path}: {str(value)[:300]}"
    return SigningError(what, code="sign.crash") if signing else InputError(what, code="input.crash")


def _die_with_parent(parent_pid: int) -> None:  # pragma: no cover - runs in the worker
    """Make this worker end when ``parent_pid`` (the process that runs the pool) ends: death signal, and a
    watchdog thread; either removes what this worker staged, then exits."""
    def on_parent_death(*_: object) -> None:
        discard_all_staged()
        os._exit(1)

    signal.signal(signal.SIGTERM, on_parent_death)
    ppid = os.getppid()  # the pool's process, or the fork server it asked for this worker
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)

    def parent_gone() -> bool:
        if os.getppid() != ppid:
            return True
        if ppid != parent_pid:  # from the fork server: the pool's process itself is not our parent
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                return True
            except PermissionError:
                pass
        return False

    if parent_gone():  # it died before the death signal was armed
        on_parent_death()

    def watch() -> None:
        while not parent_gone():
            time.sleep(WATCHDOG_S)
        on_parent_death()

    threading.Thread(target=watch, name="handmade-worker-watchdog", daemon=True).start()


def _serve(conn: Any, fn: Callable[..., Any], shared: tuple[Any, ...], saturated: bool, parent_pid: int,
           inherited: tuple[int, ...]) -> None:  # pragma: no cover - runs in the worker
    for fd in inherited:  # the parent's pipe ends copied by fork: holding them would hide its death
        with contextlib.suppress(OSError):
            os.close(fd)
    _die_with_parent(parent_pid)
    tune_allocator()  # a forked worker inherits its parent's setting; one from the fork server does not
    _background.INLINE = saturated  # every core has a worker: no helper threads
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops and reaps the workers
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, args = task
        try:
            value = fn(*shared, *args)
        except Exception as exc:  # the caller decides; it must be picklable, so keep only what pickles
            value = exc
        try:
            conn.send((index, value))
        except Exception as exc:  # an unpicklable value or exception
            conn.send((index, RuntimeError(f"{type(exc).__name__}: {exc}"[:300])))


@dataclass
class _Worker:
    conn: Any
    proc: Any
    #: Tasks handed out, in order: the first is running (its deadline counts), the next one waits in the
    #: pipe so the worker never idles for a round trip through this process.
    tasks: list[int] = field(default_factory=list)
    deadline: float = float("inf")


#: Tasks in flight per worker: the running one and the next.
DEPTH = 2


def run(fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], *, shared: tuple[Any, ...] = (),
        workers: int = 1, timeout: float | None = None) -> Generator[tuple[int, Any], None, None]:
    """Run ``fn(*shared, *task)`` for every task in worker processes; yield ``(index, value)`` as each
    finishes. ``shared`` reaches each worker once, at its start (a signing identity, options).

    ``value`` is what ``fn`` returned, the exception it raised, or a ``Failure``. At most ``workers``
    processes run at once; each task must finish within ``timeout`` seconds of its start (for a worker's
    first task that includes the worker's own start). ``fn`` must be a module-level function.
    """
    from multiprocessing.connection import wait

    ctx = _c2pa.worker_context()
    queue = list(enumerate(tasks))[::-1]
    saturated = max(1, workers) >= (os.cpu_count() or 1) and len(queue) > 1
    pool: list[_Worker] = []
    limit = timeout if timeout else float("inf")

    def start() -> None:
        parent, child = ctx.Pipe(duplex=True)
        # A forked child inherits every descriptor: it must close this process's ends (its own pipe's and
        # the other workers'). A child of the fork server gets only ``child``; the numbers mean nothing there.
        inherited = tuple(c.fileno() for c in [parent, *(w.conn for w in pool)]) if (
            ctx.get_start_method() == "fork") else ()
        proc = ctx.Process(target=_serve, args=(child, fn, shared, saturated, os.getpid(), inherited),
                           daemon=True)
        proc.start()
        child.close()
        worker = _Worker(parent, proc)
        pool.append(worker)
        fill(worker)

    restarts = len(queue) + max(1, workers)  # a bound, in case workers die as soon as they start

    def fill(worker: _Worker) -> None:
        nonlocal restarts
        while queue and len(worker.tasks) < DEPTH:
            index, args = queue[-1]
            try:
                worker.conn.send((index, args))
            except OSError:  # the worker died after its last answer (a crash between tasks, a kill)
                if not worker.tasks:  # nothing of its own to report: replace it, the task waits
                    retire(worker)
                    restarts -= 1
                    if restarts < 0:
                        raise RuntimeError("worker processes keep dying as soon as they start") from None
                    start()
                return  # otherwise its EOF is read with its current task, which gets the crash
            queue.pop()
            if not worker.tasks:
                worker.deadline = time.monotonic() + limit
            worker.tasks.append(index)

    def retire(worker: _Worker) -> None:
        """Stop a worker; the tasks it had not started go back to the queue."""
        pool.remove(worker)
        for index in reversed(worker.tasks[1:]):
            queue.append((index, tasks[index]))
        worker.tasks.clear()
        if worker.proc.is_alive():
            worker.proc.kill()
        worker.proc.join(5)
        worker.conn.close()

    try:
        for _ in range(min(max(1, workers), len(queue))):
            start()
        while any(w.tasks for w in pool):
            busy = [w for w in pool if w.tasks]
            nearest = min(w.deadline for w in busy)
            wait_for = None if nearest == float("inf") else max(0.0, nearest - time.monotonic())
            ready = set(wait([w.conn for w in busy], timeout=wait_for))
            now = time.monotonic()
            for worker in busy:
                index = worker.tasks[0]
                replace = False
                if worker.conn in ready:
                    try:
                        _, value = worker.conn.recv()
                    except (EOFError, OSError):  # the process died mid-task
                        retire(worker)
                        value, replace = Failure("crash", worker.proc.exitcode), True
                    else:
                        worker.tasks.pop(0)
                        worker.deadline = now + limit
                elif worker.deadline <= now:
                    retire(worker)
                    value, replace = Failure("timeout"), True
                else:
                    continue
                yield index, value
                if replace and queue:
                    start()
                elif not replace:
                    fill(worker)
    finally:
        for worker in list(pool):
            if not worker.tasks and worker.proc.is_alive():
                try:
                    worker.conn.send(None)  # a clean exit
                except OSError:
                    pass
                worker.proc.join(1)
            retire(worker)
