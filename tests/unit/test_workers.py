"""handmade.workers: long-lived worker processes with a time limit per task, for real (no fakes)."""

from __future__ import annotations

import multiprocessing
import os
import time

from handmade.workers import Failure, run


def square_or_misbehave(scale: int, x: int) -> int:
    if x == -1:
        time.sleep(60)  # hangs like native code spinning on a hostile file
    if x == -2:
        os._exit(7)  # dies like a crash in native code
    if x == -3:
        raise ValueError("bad task")
    return scale * x * x


def test_every_task_answered_once_with_shared_arguments() -> None:
    tasks = [(i,) for i in range(40)]
    results = dict(run(square_or_misbehave, tasks, shared=(3,), workers=2))
    assert results == {i: 3 * i * i for i in range(40)}


def test_an_overrunning_task_is_killed_alone_and_the_rest_go_on() -> None:
    tasks = [(1,), (-1,), (2,), (3,), (4,), (5,)]
    t = time.monotonic()
    results = dict(run(square_or_misbehave, tasks, shared=(1,), workers=2, timeout=1.0))
    assert time.monotonic() - t < 15
    assert results[1] == Failure("timeout")
    assert {i: results[i] for i in (0, 2, 3, 4, 5)} == {0: 1, 2: 4, 3: 9, 4: 16, 5: 25}
    assert not multiprocessing.active_children()


def test_a_crashing_task_fails_alone_and_the_task_queued_behind_it_is_done_elsewhere() -> None:
    # one worker: the task after the crash was already handed to the dying worker (two in flight)
    results = dict(run(square_or_misbehave, [(2,), (-2,), (3,), (4,)], shared=(1,), workers=1, timeout=30))
    assert results == {0: 4, 1: Failure("crash", 7), 2: 9, 3: 16}


def test_an_exception_comes_back_as_a_value() -> None:
    results = dict(run(square_or_misbehave, [(-3,), (2,)], shared=(1,), workers=1))
    assert isinstance(results[0], ValueError) and "bad task" in str(results[0])
    assert results[1] == 4


def test_stopping_early_leaves_no_worker_behind() -> None:
    answers = run(square_or_misbehave, [(i,) for i in range(20)], shared=(1,), workers=2)
    next(answers)
    answers.close()
    assert not multiprocessing.active_children()


def test_plain_fork_is_kept_after_c2pa_ran_while_one_thread_runs() -> None:
    """Fork is only unsafe once c2pa-rs has started threads; a process that read an ordinary manifest still
    forks (cheap), which is what keeps worker start-up at a few milliseconds."""
    import subprocess
    import sys
    from pathlib import Path

    sample = Path(__file__).resolve().parents[2] / "samples" / "harbour.jpg"
    code = ("import sys; from handmade.sign import sign_bytes; from handmade.verify import inspect_bytes; "
            "from handmade import _c2pa; signed = sign_bytes(open(sys.argv[1], 'rb').read(), 'x.jpg'); "
            "assert inspect_bytes(signed).state == 'valid'; print(_c2pa.worker_context().get_start_method())")
    r = subprocess.run([sys.executable, "-c", code, str(sample)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "fork"


def helper_threads_inline() -> bool:
    from handmade import _background

    return _background.INLINE


def test_workers_of_a_pool_that_fills_every_core_use_no_helper_threads() -> None:
    cores = os.cpu_count() or 1
    full = dict(run(helper_threads_inline, [()] * 4, workers=cores))
    assert set(full.values()) == {True}
    if cores > 1:  # one worker leaves a core free for its helper threads
        assert set(dict(run(helper_threads_inline, [()] * 4, workers=1)).values()) == {False}


def test_background_inline_gives_the_same_results_and_errors() -> None:
    import threading

    import pytest

    from handmade import _background
    from handmade._background import Background

    try:
        _background.INLINE = True
        before = threading.active_count()
        assert Background(square_or_misbehave, 2, 3).result() == 18
        with pytest.raises(ValueError):
            Background(square_or_misbehave, 1, -3).result()
        assert threading.active_count() == before and _background.running() == 0
    finally:
        _background.INLINE = False


def test_background_threads_give_results_and_errors_and_are_counted_until_done() -> None:
    import threading

    import pytest

    from handmade import _background
    from handmade._background import Background

    gate = threading.Event()
    job = Background(lambda: gate.wait(5) and 7)
    assert _background.running() == 1
    gate.set()
    assert job.result() == 7 and job.result() == 7 and _background.running() == 0
    with pytest.raises(ValueError):
        Background(square_or_misbehave, 1, -3).result()
    assert Background(square_or_misbehave, 2, 3).result() == 18 and _background.running() == 0


def test_one_mapping_words_a_failure_as_the_files_error_for_checking_and_signing() -> None:
    from handmade.errors import InputError
    from handmade.workers import failure_error

    def said(value: object, signing: bool = False) -> tuple[str, str]:
        error = failure_error(value, "a.jpg", 2.5, signing=signing)
        return error.code, error.message

    assert said(Failure("timeout")) == ("input.timeout", "a.jpg: gave up after 2.5 s")
    assert said(Failure("timeout"), signing=True) == ("sign.timeout", "a.jpg: gave up after 2.5 s")
    assert said(Failure("crash", -9)) == ("input.crash", "a.jpg: the checker crashed (exit code -9)")
    assert said(Failure("crash", -9), signing=True) == ("sign.crash", "a.jpg: the signer crashed (exit code -9)")
    assert said(RuntimeError("x" * 400), signing=True) == ("sign.crash", "a.jpg: " + "x" * 300)
    raised = InputError("a.jpg: not an image", code="input.not_image")
    assert failure_error(raised, "a.jpg", None) is raised
