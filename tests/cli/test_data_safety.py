"""No file is ever lost by ``handmade sign``: collisions, outputs that are inputs, reruns, dry runs, unwritable
folders and closed pipes, through the real command line on real images."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from handmade.cli import main
from handmade.verify import inspect
from tests.conftest import make_photo

SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_inputs_with_one_name_refuse_the_batch_before_signing(tmp_path: Path, runner: CliRunner) -> None:
    for d in ("day1", "day2"):
        (tmp_path / d).mkdir()
    a = make_photo(tmp_path / "day1" / "IMG_1.jpg", seed=1)
    b = make_photo(tmp_path / "day2" / "IMG_1.jpg", seed=2)
    out = tmp_path / "out"
    r = runner.invoke(main, ["sign", str(a), str(b), "-o", str(out), "--overwrite"])
    assert r.exit_code == 3, r.output
    assert "output.collision" in r.stderr and str(a) in r.stderr and str(b) in r.stderr
    assert "internal error" not in r.stderr
    assert not out.exists() or not any(out.iterdir())


def test_names_differing_only_in_case_collide(tmp_path: Path, runner: CliRunner) -> None:
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
    a = make_photo(tmp_path / "a" / "Photo.JPG", fmt="JPEG")
    b = make_photo(tmp_path / "b" / "photo.jpg", seed=3)
    r = runner.invoke(main, ["sign", str(a), str(b), "-o", str(tmp_path / "out")])
    assert r.exit_code == 3 and "output.collision" in r.stderr


def test_a_folder_layout_is_mirrored_so_same_names_in_subfolders_both_survive(tmp_path: Path,
                                                                              runner: CliRunner) -> None:
    photos = tmp_path / "photos"
    for i, day in enumerate(("day1", "day2")):
        (photos / day).mkdir(parents=True)
        make_photo(photos / day / "IMG_1.jpg", seed=i + 1)
    out = tmp_path / "out"
    r = runner.invoke(main, ["sign", str(photos), "-o", str(out)])
    assert r.exit_code == 0, r.output
    one, two = out / "day1" / "IMG_1.jpg", out / "day2" / "IMG_1.jpg"
    assert inspect(one).state == "valid" and inspect(two).state == "valid"
    assert one.read_bytes() != two.read_bytes()


@pytest.mark.parametrize("how", ["same path", "symlink", "hard link"])
def test_an_output_that_is_its_input_is_refused_even_with_overwrite(tmp_path: Path, runner: CliRunner,
                                                                    how: str) -> None:
    src = make_photo(tmp_path / "photo.jpg")
    original = src.read_bytes()
    dest = src
    if how == "symlink":
        dest = tmp_path / "link.jpg"
        dest.symlink_to(src)
    elif how == "hard link":
        dest = tmp_path / "hard.jpg"
        os.link(src, dest)
    r = runner.invoke(main, ["sign", str(src), "-o", str(dest), "--overwrite"])
    assert r.exit_code == 3, r.output
    assert "output.is_input" in r.stderr and "--in-place" in r.stderr
    assert src.read_bytes() == original


def test_a_single_file_onto_itself_is_refused_when_planning_with_a_json_error(tmp_path: Path,
                                                                              runner: CliRunner) -> None:
    src = make_photo(tmp_path / "photo.jpg")
    original = src.read_bytes()
    r = runner.invoke(main, ["sign", str(src), "-o", str(src), "--json"])
    assert r.exit_code == 3, r.output
    doc = json.loads(r.stdout)
    assert doc["error"]["code"] == "output.is_input" and doc["results"] == [] and doc["ok"] is False
    # refused before anything about the key: no TEST-identity or timestamp warning, as for `dir -o dir`
    assert "TEST" not in r.stderr and "timestamp" not in r.stderr and "output.is_input" in r.stderr
    assert src.read_bytes() == original
    fr = runner.invoke(main, ["sign", str(src), "-o", str(src), "--json", "--lang", "fr"])
    assert fr.exit_code == 3 and "erreur : la sortie est une entrée" in fr.stderr and "error:" not in fr.stderr
    folder = tmp_path / "shoot"
    folder.mkdir()
    make_photo(folder / "p.jpg")
    r = runner.invoke(main, ["sign", str(folder), "-o", str(folder), "--json"])
    assert r.exit_code == 3 and json.loads(r.stdout)["error"]["code"] == "output.is_input"
    assert "TEST" not in r.stderr and "timestamp" not in r.stderr


def test_a_folder_signed_onto_itself_is_refused_and_untouched(tmp_path: Path, runner: CliRunner) -> None:
    folder = tmp_path / "shoot"
    folder.mkdir()
    for i in range(2):
        make_photo(folder / f"p{i}.jpg", seed=i + 1)
    before = _snapshot(folder)
    r = runner.invoke(main, ["sign", str(folder), "-o", str(folder), "--overwrite"])
    assert r.exit_code == 3 and "output.is_input" in r.stderr
    assert _snapshot(folder) == before


def test_in_place_replaces_the_original_with_its_signed_version(tmp_path: Path, runner: CliRunner) -> None:
    src = make_photo(tmp_path / "photo.jpg")
    assert inspect(src).state == "no_manifest"
    r = runner.invoke(main, ["sign", str(src), "-o", str(src), "--in-place", "--author", "A"])
    assert r.exit_code == 0, r.output
    assert inspect(src).state == "valid"
    assert [p.name for p in tmp_path.iterdir()] == ["photo.jpg"]  # nothing staged left behind


def test_an_output_folder_inside_the_input_is_not_signed_again(tmp_path: Path, runner: CliRunner) -> None:
    folder = tmp_path / "shoot"
    folder.mkdir()
    make_photo(folder / "p.jpg")
    out = folder / "signed"
    assert runner.invoke(main, ["sign", str(folder), "-o", str(out)]).exit_code == 0
    r = runner.invoke(main, ["sign", str(folder), "-o", str(out), "--skip-existing"])
    assert r.exit_code == 0, r.output
    assert not (out / "signed").exists()
    assert f"{out}: skipped (the output folder" in r.stdout


def test_skip_existing_resumes_a_batch_and_leaves_done_files_alone(tmp_path: Path, runner: CliRunner) -> None:
    folder = tmp_path / "shoot"
    folder.mkdir()
    for i in range(3):
        make_photo(folder / f"p{i}.jpg", seed=i + 1)
    out = tmp_path / "out"
    assert runner.invoke(main, ["sign", str(folder), "-o", str(out)]).exit_code == 0
    kept = (out / "p0.jpg").read_bytes()
    rerun = runner.invoke(main, ["sign", str(folder), "-o", str(out)])
    assert rerun.exit_code == 1  # without the flag, existing outputs fail (and are kept)
    assert (out / "p0.jpg").read_bytes() == kept
    (out / "p1.jpg").unlink()  # as if the first run had stopped before it
    r = runner.invoke(main, ["sign", str(folder), "-o", str(out), "--skip-existing", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["counts"] == {"signed": 1, "failed": 0, "planned": 0, "skipped": 2}
    assert {s["reason"] for s in doc["skipped"]} == {"exists"}
    assert (out / "p0.jpg").read_bytes() == kept and inspect(out / "p1.jpg").state == "valid"


def test_skip_existing_and_overwrite_contradict(tmp_path: Path, runner: CliRunner) -> None:
    r = runner.invoke(main, ["sign", str(make_photo(tmp_path / "a.jpg")), "-o", str(tmp_path / "o"),
                             "--skip-existing", "--overwrite"])
    assert r.exit_code == 2


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path: Path, runner: CliRunner) -> None:
    folder = tmp_path / "shoot"
    (folder / "sub").mkdir(parents=True)
    make_photo(folder / "a.jpg")
    make_photo(folder / "sub" / "b.png")
    (folder / "a.xmp").write_text("<x:xmpmeta/>")
    out = tmp_path / "out"
    before = _snapshot(tmp_path)
    r = runner.invoke(main, ["sign", str(folder), "-o", str(out), "--dry-run"])
    assert r.exit_code == 0, r.output
    assert f"{folder / 'a.jpg'} -> {out / 'a.jpg'}: would sign" in r.stdout
    assert f"{folder / 'sub' / 'b.png'} -> {out / 'sub' / 'b.png'}: would sign" in r.stdout
    assert f"{folder / 'a.xmp'}: skipped" in r.stdout
    assert "nothing was written" in r.stderr
    assert not out.exists() and _snapshot(tmp_path) == before
    out.mkdir()
    (out / "a.jpg").write_bytes(b"an earlier output")
    r = runner.invoke(main, ["sign", str(folder), "-o", str(out), "--dry-run"])
    assert f"{folder / 'a.jpg'} -> {out / 'a.jpg'}: would FAIL: the output already exists" in r.stdout
    r = runner.invoke(main, ["sign", str(folder), "-o", str(out), "--dry-run", "--json"])
    planned = {i["source"]: i["error"] for i in json.loads(r.stdout)["results"]}
    assert planned[str(folder / "a.jpg")]["code"] == "output.exists" and planned[str(folder / "sub" / "b.png")] is None
    assert (out / "a.jpg").read_bytes() == b"an earlier output"


def test_folder_signing_lists_what_it_skips_and_why(tmp_path: Path, runner: CliRunner) -> None:
    folder = tmp_path / "shoot"
    folder.mkdir()
    make_photo(folder / "a.jpg")
    (folder / "DSC_1.NEF").write_bytes(b"II*\x00raw")
    (folder / "a.xmp").write_text("<x:xmpmeta/>")
    (folder / "notes.txt").write_text("captions")
    r = runner.invoke(main, ["sign", str(folder), "-o", str(tmp_path / "out"), "--lang", "fr"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert f"{folder / 'DSC_1.NEF'}: ignoré (fichier RAW : il ne peut pas porter de manifeste C2PA ; signez le " \
           "JPEG/TIFF/DNG exporté)" in lines
    assert f"{folder / 'a.xmp'}: ignoré (fichier annexe ou texte, pas une image)" in lines
    assert f"{folder / 'notes.txt'}: ignoré (fichier annexe ou texte, pas une image)" in lines
    assert "1 fichier(s) signé(s) sur 1 ; 0 en échec ; 3 ignoré(s)" in r.stderr


def test_an_output_path_through_a_file_is_a_worded_error(tmp_path: Path, runner: CliRunner) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    photos = [str(make_photo(tmp_path / f"p{i}.jpg", seed=i + 1)) for i in range(2)]
    r = runner.invoke(main, ["sign", *photos, "-o", str(blocker / "out")])
    assert r.exit_code == 3
    assert "output.not_writable" in r.stderr and "internal error" not in r.stderr


def test_an_unwritable_output_parent_is_a_worded_error(tmp_path: Path) -> None:
    """Through the real entry point. Root writes anywhere, so as root the child runs without the capability
    that lets it ignore file modes (setpriv, util-linux)."""
    photos = [make_photo(tmp_path / f"p{i}.jpg", seed=i + 1) for i in range(2)]
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to test permissions as root"
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"]
    for out, args in ((locked / "batch", photos), (locked / "single.jpg", photos[:1])):
        r = subprocess.run([*prefix, sys.executable, "-m", "handmade", "sign", *map(str, args), "-o", str(out)],
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": SRC}, timeout=120,
                           check=False)
        assert r.returncode == 3, r.stderr
        assert "permission denied" in r.stderr and "output.not_writable" in r.stderr
        assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    locked.chmod(0o755)


@pytest.mark.parametrize("command", ["verify", "report"])
def test_a_closed_pipe_ends_quietly(tmp_path: Path, command: str) -> None:
    photos = [str(make_photo(tmp_path / f"p{i}.jpg", seed=i + 1)) for i in range(3)]
    env = {**os.environ, "PYTHONPATH": SRC}
    args = [*photos, "--policy", "any"] if command == "verify" else photos
    proc = subprocess.Popen([sys.executable, "-m", "handmade", command, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| head` that has already gone: every write meets a closed pipe
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert err == "", err


def test_audit_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    from handmade.models import ProvenanceReport
    from handmade.policy import evaluate, load_policy
    from handmade.web.audit import AuditLog

    db = tmp_path / "audit.sqlite"
    log = AuditLog(str(db))
    report = ProvenanceReport(path="x.jpg", state="no_manifest")
    for i in range(3):
        log.record(report, evaluate(load_policy("any"), report), f"upload{i}.jpg")
    for fmt in ("table", "csv", "json"):
        proc = subprocess.Popen([sys.executable, "-m", "handmade", "audit", "--db", str(db), "--format", fmt],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env={**os.environ, "PYTHONPATH": SRC})
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 141, err
        assert err == ""


def test_linked_folders_are_followed_once_and_a_loop_ends(tmp_path: Path, runner: CliRunner) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    make_photo(elsewhere / "far.jpg")
    folder = tmp_path / "shoot"
    folder.mkdir()
    make_photo(folder / "near.jpg", seed=2)
    (folder / "linked").symlink_to(elsewhere, target_is_directory=True)
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    r = runner.invoke(main, ["sign", str(folder), "-o", str(tmp_path / "out"), "--dry-run", "--json"])
    assert r.exit_code == 0, r.output
    planned = sorted(Path(i["output"]).relative_to(tmp_path / "out").as_posix()
                     for i in json.loads(r.stdout)["results"])
    assert planned == ["linked/far.jpg", "near.jpg"]
    r = runner.invoke(main, ["verify", str(folder), "--format", "jsonl", "--policy", "any"])
    assert len(r.stdout.splitlines()) == 2
