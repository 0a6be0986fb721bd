"""Killing a batch (SIGKILL or SIGTERM of a real ``handmade sign FOLDER --workers 2`` or ``handmade verify
--workers 2`` process) kills its workers too: none is alive a few seconds later, no output appears after
the kill, and no staged file is left. Every wait is bounded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import make_photo

ROOT = Path(__file__).resolve().parents[2]
FILES = 160


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc: each process's parent)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def wait_for(predicate: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return bool(predicate())  # type: ignore[operator]


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kill-batch-in")
    for i in range(FILES):
        make_photo(folder / f"p{i:03}.jpg", size=(480, 360), seed=i % 7)
    return folder


def handmade(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen([sys.executable, "-m", "handmade", *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def outputs(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killed_sign_batch_leaves_no_worker_no_late_output_no_staged_file(photos: Path, tmp_path: Path,
                                                                         sig: signal.Signals) -> None:
    out = tmp_path / "out"
    proc = handmade("sign", str(photos), "-o", str(out), "--workers", "2", "--no-thumbnail")
    try:
        assert wait_for(lambda: len([p for p in outputs(out) if p.suffix == ".jpg"]) >= 10, 60), "no output came"
        workers = descendants(proc.pid)
        assert len(workers) >= 2
        proc.send_signal(sig)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert wait_for(lambda: not any(alive(p) for p in workers), 15), [p for p in workers if alive(p)]
    at_kill = sorted(outputs(out))
    assert len([p for p in at_kill if p.suffix == ".jpg"]) < FILES, "the batch finished before the kill"
    time.sleep(2)
    after = sorted(outputs(out))
    assert after == at_kill, "outputs appeared after the workers died"
    assert not [p for p in after if p.name.endswith(".part")], "a staged file was left behind"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killed_verify_batch_leaves_no_worker(photos: Path, sig: signal.Signals) -> None:
    files = sorted(str(p) for p in photos.iterdir()) * 20  # long enough to be killed mid-way
    proc = handmade("verify", "--workers", "2", "--timeout", "30", *files)
    try:
        assert wait_for(lambda: len(descendants(proc.pid)) >= 2, 30), "the workers did not start"
        time.sleep(0.3)
        workers = descendants(proc.pid)
        assert proc.poll() is None, "the batch finished before the kill"
        proc.send_signal(sig)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert wait_for(lambda: not any(alive(p) for p in workers), 15), [p for p in workers if alive(p)]


STAGE_AND_DIE = r"""
import os, signal, sys, threading, time
from handmade import files

folder, delay, who = sys.argv[1], float(sys.argv[2]), sys.argv[3]

def stage():  # staged and never committed, as a worker busy signing when its parent dies
    i = 0
    while True:
        files.StagedWrite(os.path.join(folder, f"f{i}.jpg"), b"x")
        i += 1

def die(*_):
    files.discard_all_staged()  # what a worker does when its parent is gone
    os._exit(1)

if who == "watchdog":  # the main thread stages; the watchdog thread cleans
    def watchdog():
        time.sleep(delay)
        die()
    threading.Thread(target=watchdog, daemon=True).start()
    stage()
else:  # signing stages in a helper thread; the death signal's handler cleans, in the main thread
    signal.signal(signal.SIGTERM, die)
    threading.Thread(target=stage, daemon=True).start()
    time.sleep(delay)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(30)
"""


@pytest.mark.parametrize("who", ["watchdog", "signal"])
def test_a_worker_dying_while_it_stages_leaves_no_staged_file(tmp_path: Path, who: str) -> None:
    """A worker cleans (its watchdog thread, or its SIGTERM handler while a helper thread stages) while files are
    being created as fast as they can be, so that cleaning lands in the middle of a creation in some of the 40
    runs: not one is left behind."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    left: list[str] = []
    for run in range(40):
        folder = tmp_path / f"run{run}"
        folder.mkdir()
        done = subprocess.run([sys.executable, "-c", STAGE_AND_DIE, str(folder), str(0.05 + run * 0.002), who],
                              env=env, timeout=60, capture_output=True)
        assert done.returncode == 1, done.stderr.decode()[-500:]
        left += [p.name for p in folder.iterdir()]
    assert not left, f"{len(left)} staged files were left behind, e.g. {left[:3]}"
