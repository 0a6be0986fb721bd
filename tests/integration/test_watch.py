"""``handmade watch``: a real process watching a real folder into which files are written, as an exporter
does (whole, slowly, renamed from a temporary name), including files that are not images; restarted without
signing anything twice."""

from __future__ import annotations

import hashlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from handmade.cli import main
from handmade.verify import inspect
from tests.conftest import make_photo

pytest.importorskip("watchdog")

SRC = str(Path(__file__).resolve().parents[2] / "src")
SETTLE = "1.0"


class Watch:
    """``handmade watch IN -o OUT`` in its own process; its stdout lines arrive in a queue."""

    def __init__(self, src: Path, out: Path, *extra: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "handmade", "watch", str(src), "-o", str(out), "--settle", SETTLE,
             "--author", "Jane", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": SRC})
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert self.proc.stdout is not None
        threading.Thread(target=self._pump, args=(self.proc.stdout,), daemon=True).start()
        self.expect_stderr("watching")

    def _pump(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.lines.put(line.rstrip("\n"))

    def expect_stderr(self, text: str) -> None:
        assert self.proc.stderr is not None
        line = self.proc.stderr.readline()
        while "warning:" in line:  # the TEST identity warning comes first
            line = self.proc.stderr.readline()
        assert text in line, line

    def wait_for(self, *names: str, timeout: float = 60) -> dict[str, str]:
        """The outcome line of each file named, waiting for all of them."""
        found: dict[str, str] = {}
        deadline = time.monotonic() + timeout
        while len(found) < len(names):
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no outcome for {set(names) - set(found)}; seen {self.seen}") from None
            self.seen.append(line)
            for name in names:
                if line.startswith(f"{name}:") or line.startswith(f"{name} ->") or f"/{name}:" in line \
                        or f"/{name} ->" in line:
                    found[name] = line
        return found

    def quiet_for(self, seconds: float) -> list[str]:
        """Lines printed during ``seconds`` (expected: none)."""
        time.sleep(seconds)
        got = []
        while not self.lines.empty():
            got.append(self.lines.get())
        return got

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=30)
        assert self.proc.returncode == 0, err
        return err


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_watch_signs_finished_files_once_and_survives_a_restart(tmp_path: Path) -> None:
    src, out = tmp_path / "export", tmp_path / "signed"
    src.mkdir()
    photo_a = make_photo(tmp_path / "a.jpg", size=(640, 480), seed=1).read_bytes()
    photo_b = make_photo(tmp_path / "b.jpg", size=(1200, 900), seed=2).read_bytes()
    watch = Watch(src, out)
    try:
        # An exporter that writes under a temporary name, then renames.
        (src / ".a.jpg.tmp").write_bytes(photo_a)
        os.replace(src / ".a.jpg.tmp", src / "a.jpg")
        # A slow write: chunks with pauses shorter than the settle time, longer than the poll interval.
        (src / "day2").mkdir()
        with open(src / "day2" / "b.jpg", "wb") as fh:
            for i in range(0, len(photo_b), len(photo_b) // 5 + 1):
                fh.write(photo_b[i:i + len(photo_b) // 5 + 1])
                fh.flush()
                time.sleep(0.4)
        (src / "notes.txt").write_text("captions, not an image")
        (src / "broken.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 64)
        lines = watch.wait_for("a.jpg", "b.jpg", "notes.txt", "broken.jpg")
        assert lines["a.jpg"].endswith(": ok (VALID INTACT TEST-KEY HUMAN NO-AI NO-TRAINING)"), lines
        assert lines["b.jpg"] == f"{src / 'day2' / 'b.jpg'} -> {out / 'day2' / 'b.jpg'}: ok " \
                                 "(VALID INTACT TEST-KEY HUMAN NO-AI NO-TRAINING)"
        assert lines["notes.txt"] == f"{src / 'notes.txt'}: skipped (not an image format handmade signs)"
        assert "FAILED" in lines["broken.jpg"]
        assert watch.quiet_for(2.5) == []  # nothing is signed twice in one run
    finally:
        err = watch.stop()
    assert "watch stopped: 2 signed, 1 failed" in err
    state = json.loads((out / ".handmade-watch.json").read_text())
    assert state["files"]["day2/b.jpg"]["sha256"] == hashlib.sha256(photo_b).hexdigest()  # the whole file
    for name in ("a.jpg", "day2/b.jpg"):
        assert inspect(out / name).state == "valid"
    assert not (out / "notes.txt").exists() and not (out / "broken.jpg").exists()
    assert (src / "a.jpg").read_bytes() == photo_a  # the original is untouched
    before = {name: _sha(out / name) for name in ("a.jpg", "day2/b.jpg")}

    # Restarted: what was done is not done again; a new file and a re-export are signed.
    watch = Watch(src, out)
    try:
        assert watch.quiet_for(2.5) == []
        make_photo(src / "c.png", seed=3)
        reexport = make_photo(tmp_path / "a2.jpg", size=(640, 480), seed=9).read_bytes()
        (src / "a.jpg").write_bytes(reexport)
        lines = watch.wait_for("c.png", "a.jpg")
        assert ": ok (" in lines["c.png"] and ": ok (" in lines["a.jpg"]
    finally:
        watch.stop()
    assert _sha(out / "day2" / "b.jpg") == before["day2/b.jpg"]
    assert _sha(out / "a.jpg") != before["a.jpg"] and inspect(out / "a.jpg").state == "valid"


def test_watch_refuses_its_own_folder_as_output_and_keeps_an_output_it_did_not_write(tmp_path: Path) -> None:
    src = tmp_path / "export"
    src.mkdir()
    r = CliRunner().invoke(main, ["watch", str(src), "-o", str(src), "--once"])
    assert r.exit_code == 3 and "output.is_input" in r.stderr
    out = tmp_path / "signed"
    out.mkdir()
    (out / "a.jpg").write_bytes(b"someone else's file")
    make_photo(src / "a.jpg")
    r = CliRunner().invoke(main, ["watch", str(src), "-o", str(out), "--once", "--settle", "0.1", "--lang", "fr"])
    assert r.exit_code == 0, r.output
    assert "ÉCHEC output.exists" in r.stdout
    assert (out / "a.jpg").read_bytes() == b"someone else's file"
    assert "surveillance arrêtée : 0 signé(s), 1 en échec" in r.stderr


def test_watch_skips_an_output_folder_inside_the_watched_one(tmp_path: Path) -> None:
    src = tmp_path / "export"
    src.mkdir()
    make_photo(src / "a.jpg")
    r = CliRunner().invoke(main, ["watch", str(src), "-o", str(src / "signed"), "--once", "--settle", "0.1"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["watch", str(src), "-o", str(src / "signed"), "--once", "--settle", "0.1"])
    assert r.exit_code == 0 and r.stdout == ""  # neither a.jpg again nor signed/a.jpg
    assert not (src / "signed" / "signed").exists()


def test_a_file_that_vanishes_before_it_is_signed_is_no_error(tmp_path: Path) -> None:
    from handmade.keys import bundled_test_identity
    from handmade.sign import SignOptions
    from handmade.watch import FolderWatcher

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    photo = make_photo(src / "a.jpg")
    seen: list[object] = []
    watcher = FolderWatcher(src, out, SignOptions(), bundled_test_identity(), settle=0.0, report=seen.append)
    watcher.feed(photo)
    watcher.poll(now=0.0)  # looked at once
    watcher._process = lambda p: (p.unlink(), FolderWatcher._process(watcher, p))[1]  # type: ignore[method-assign]
    assert watcher.poll(now=1.0) == [] and seen == []  # gone as it was about to be signed: no crash
