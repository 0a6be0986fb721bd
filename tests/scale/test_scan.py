"""handmade scan: real files in a real tree, real worker processes, a real SIGKILL and a resume."""

from __future__ import annotations

import os
import pty
import random
import select
import signal
import subprocess
import sys
import time
import types
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from handmade.cli import main
from handmade.models import SCHEMA
from handmade.scan import ScanError, read_done, scan, walk
from handmade.verify import load_trust_anchors
from tests.scale.scan_tree import Tree, build_tree, read_lines, sha256

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    return build_tree(tmp_path_factory.mktemp("scan"), copies=12)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}


def test_walk_is_lazy_sorted_and_skips_links_and_non_images(tree: Tree) -> None:
    walked = walk([tree.root])
    assert isinstance(walked, types.GeneratorType)  # lazy: paths come as the tree is read
    assert next(walked) == str(tree.root / "broken.jpg")  # a folder's files, then its sub-folders, sorted
    paths = list(walk([tree.root]))
    assert sorted(paths) == list(tree.images) and len(set(paths)) == len(paths)
    assert not any(p.endswith(("link.jpg", "notes.txt")) for p in paths)
    assert any(p.endswith("notes.txt") for p in walk([tree.root], all_files=True))
    assert list(walk([tree.images[0]])) == [tree.images[0]]  # a root may be a file


def test_scan_writes_one_line_per_file_with_path_sha256_and_decision(tree: Tree, tmp_path: Path) -> None:
    out = tmp_path / "results.jsonl"
    anchors = load_trust_anchors([tree.pki.root_pem])
    summary = scan([str(tree.root)], out, trust=anchors, workers=2)
    lines = read_lines(out)
    assert sorted(line["path"] for line in lines) == list(tree.images)
    by_path = {line["path"]: line for line in lines}
    for path, line in by_path.items():
        assert line["schema"] == SCHEMA and line["sha256"] == sha256(path)
        assert set(line["policy"]) >= {"policy", "accepted"}
    signed = [line for p, line in by_path.items() if "/s0" in p]
    assert len(signed) == tree.signed and all(line["state"] == "trusted" and line["policy"]["accepted"]
                                              for line in signed)
    names = {line["signer"]["name"] for line in signed}
    assert len(names) == 1 and None not in names
    broken = by_path[str(tree.root / "broken.jpg")]
    assert broken["state"] == "error" and broken["error"]["code"].startswith("input.")
    assert summary.total == len(tree.images) and summary.errors == tree.corrupt and summary.earlier == 0
    assert summary.by_verdict == Counter(line["bottom_line"] for line in lines)
    assert summary.by_signer[names.pop()] == tree.signed and summary.by_signer[""] == tree.plain
    assert summary.ai_found == 0


def test_a_scan_takes_films_drawings_pages_and_camera_raw(tmp_path: Path) -> None:
    from tests.media import make_jxl, make_pdf, make_svg, make_video

    root = tmp_path / "deliverables"
    root.mkdir()
    made = {make_video(root / "short.mp4"), make_video(root / "short.mov", container="mov"), make_svg(root / "a.svg"),
            make_pdf(root / "folio.pdf"), make_jxl(root / "p.jxl")}
    (root / "DSC_0001.NEF").write_bytes(b"II*\x00" + bytes(60))  # a name a camera gives: read, not signed
    (root / "notes.txt").write_text("not checked")
    expected = sorted({str(p) for p in made} | {str(root / "DSC_0001.NEF")})
    assert sorted(walk([root])) == expected
    out = tmp_path / "r.jsonl"
    scan([str(root)], out, workers=1)
    by_path = {line["path"]: line for line in read_lines(out)}
    assert sorted(by_path) == expected
    assert all(by_path[str(p)]["state"] == "no_manifest" for p in made), by_path  # read as what they are


def test_the_time_limit_applies_per_file(tree: Tree, tmp_path: Path) -> None:
    out = tmp_path / "slow.jsonl"
    summary = scan([str(tree.root / "2020")], out, workers=2, timeout=0.0001)
    lines = read_lines(out)
    timed_out = [line for line in lines if line["state"] == "error"]
    # A worker killed at its limit is replaced and the scan goes on; a file answered within 0.1 ms is kept.
    assert timed_out and {line["error"]["code"] for line in timed_out} == {"input.timeout"}
    assert all(line["sha256"] == sha256(line["path"]) for line in lines)  # still named and hashed
    assert sorted(line["path"] for line in lines) == sorted(walk([tree.root / "2020"]))
    assert summary.errors == len(timed_out)


def test_cli_scan_summary_exit_codes_and_french(tree: Tree, tmp_path: Path) -> None:
    out = tmp_path / "cli.jsonl"
    r = CliRunner().invoke(main, ["scan", str(tree.root), "--out", str(out), "--trust", str(tree.pki.root_pem),
                                  "--workers", "2", "--lang", "fr"])
    assert r.exit_code == 0, r.output
    assert f"{len(tree.images)} fichiers dans" in r.output and "par signataire" in r.output
    assert "erreurs: 1 (input." in r.output
    again = CliRunner().invoke(main, ["scan", str(tree.root), "--out", str(out)])
    assert again.exit_code == 3 and "--resume" in again.output and "Traceback" not in again.output
    resumed = CliRunner().invoke(main, ["scan", str(tree.root), "--out", str(out), "--resume"])
    assert resumed.exit_code == 0 and f"{len(tree.images)} files in" in resumed.output
    assert len(read_lines(out)) == len(tree.images)  # nothing done twice
    missing = CliRunner().invoke(main, ["scan", str(tmp_path / "nowhere"), "--out", str(tmp_path / "x.jsonl")])
    assert missing.exit_code == 3 and "no such file or folder" in missing.output


def test_torn_last_line_is_cut_and_redone(tree: Tree, tmp_path: Path) -> None:
    out = tmp_path / "torn.jsonl"
    scan([str(tree.root)], out, workers=2)
    text = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(text[:5]) + text[5][: len(text[5]) // 2])  # five whole lines, half a sixth
    warnings: list[str] = []
    assert len(read_done(out, warn=warnings.append)) == 5
    assert warnings and "cut short" in warnings[0]
    assert out.read_bytes() == b"".join(text[:5])  # the half line is gone
    summary = scan([str(tree.root)], out, workers=2, resume=True)
    assert summary.earlier == 5 and summary.total == len(tree.images)
    assert Counter(line["path"] for line in read_lines(out)) == Counter(tree.images)


def test_sigkill_at_a_random_point_then_resume_has_every_file_once(tmp_path: Path) -> None:
    big = build_tree(tmp_path / "big", copies=150)
    out = tmp_path / "killed.jsonl"
    cmd = [sys.executable, "-m", "handmade", "scan", str(big.root), "--out", str(out), "--workers", "2",
           "--trust", str(big.pki.root_pem)]
    rng = random.Random()
    stop_after = rng.randrange(5, len(big.images) - 20)  # lines written before the kill
    proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and out.read_bytes().count(b"\n") >= stop_after:
            break
        time.sleep(0.01)
    assert proc.poll() is None, f"the scan ended before the kill: {proc.stderr.read() if proc.stderr else ''}"
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    if proc.stderr:
        proc.stderr.close()
    before = out.read_bytes().count(b"\n")
    assert 0 < before < len(big.images)
    with open(out, "ab") as f:  # and as if the kill had come mid-write: a torn last line
        f.write(b'{"schema": "handmade.report/v2", "path": "')
    r = subprocess.run([*cmd, "--resume"], env=_env(), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "cut short" in r.stderr and f"{before} from an earlier run" in r.stderr
    counts = Counter(line["path"] for line in read_lines(out))
    assert counts == Counter(big.images), f"killed after {before} lines: missing or doubled files"


def test_progress_bar_on_a_terminal(tree: Tree, tmp_path: Path) -> None:
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "handmade", "scan", str(tree.root), "--out",
                             str(tmp_path / "tty.jsonl"), "--workers", "2"], env=_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert proc.wait(60) == 0
    text = seen.decode(errors="replace")
    assert f"{len(tree.images)}/{len(tree.images)} 100.0%" in text and "[######" in text, text[-500:]


def test_output_that_cannot_be_written_is_a_worded_error(tree: Tree, tmp_path: Path) -> None:
    with pytest.raises(ScanError) as exc:
        scan([str(tree.root)], tmp_path / "no" / "such" / "dir" / "r.jsonl")
    assert exc.value.code == "scan.output"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_full_disk_is_a_worded_error(tree: Tree) -> None:
    r = CliRunner().invoke(main, ["scan", str(tree.root), "--out", "/dev/full", "--workers", "1"])
    assert r.exit_code == 3 and "cannot write /dev/full" in r.output and "--resume" in r.output
    assert "Traceback" not in r.output and "internal error" not in r.output


def test_a_root_inside_another_is_not_scanned_twice(tree: Tree, tmp_path: Path) -> None:
    out = tmp_path / "overlap.jsonl"
    scan([str(tree.root / "2021"), str(tree.root), str(tree.root) + "/", str(tree.root / "broken.jpg")], out)
    assert Counter(line["path"] for line in read_lines(out)) == Counter(tree.images)
