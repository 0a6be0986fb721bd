"""Batch verification and machine-readable output: folders, summary line, text/json/jsonl/csv, several files
for report, one sign JSON schema for every case, and a progress counter that never runs into the outcome
lines on a real terminal (a pty)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from handmade.cli import main
from tests.conftest import make_photo
from tests.pki import Pki, make_pki

SRC = str(Path(__file__).resolve().parents[2] / "src")
SIGN_TOP_KEYS = {"schema", "dry_run", "ok", "error", "counts", "results", "skipped"}
SIGN_ITEM_KEYS = {"source", "output", "status", "ok", "error", "summary", "parent_kept", "bundled_test_identity",
                  "report"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("batch-pki"))


@pytest.fixture(autouse=True)
def _trust_the_signer(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    """The signer's root is a trust anchor (HANDMADE_TRUST), as for a newsroom checking its photographers."""
    monkeypatch.setenv("HANDMADE_TRUST", str(pki.root_pem))


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Path:
    """A folder tree: two signed photos (one in a subfolder), one unsigned, one broken, one text file."""
    root = tmp_path_factory.mktemp("mixed")
    raw = root / "raw"
    raw.mkdir()
    tree = root / "tree"
    (tree / "sub").mkdir(parents=True)
    key = ["--key", str(pki.key_pem), "--chain", str(pki.chain_pem)]
    r = CliRunner().invoke(main, ["sign", str(make_photo(raw / "a.jpg")), "-o", str(tree / "a.jpg"),
                                  "--author", "A", *key])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["sign", str(make_photo(raw / "b.png", seed=2)), "-o", str(tree / "sub" / "b.png"),
                                  *key])
    assert r.exit_code == 0, r.output
    make_photo(tree / "sub" / "plain.jpg", seed=3)
    (tree / "sub" / "broken.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 40)
    (tree / "notes.txt").write_text("not an image")
    (tree / ".hidden.jpg").write_bytes((tree / "a.jpg").read_bytes())
    return tree


def test_verify_walks_a_folder_and_ends_with_a_summary_line(mixed: Path, runner: CliRunner) -> None:
    r = runner.invoke(main, ["verify", str(mixed), "--policy", "intact", "--workers", "2"])
    assert r.exit_code == 3, r.output  # the broken file cannot be read
    tokens = [line for line in r.stdout.splitlines() if line and not line.startswith(" ")]
    assert [t.split(":")[0] for t in tokens[:-1]] == [str(mixed / "a.jpg"), str(mixed / "sub" / "b.png"),
                                                       str(mixed / "sub" / "broken.jpg"),
                                                       str(mixed / "sub" / "plain.jpg")]
    assert tokens[-1] == ("4 file(s): 2 handmade, 0 AI, 1 without credentials, 0 invalid, 0 signed otherwise, "
                          "1 unreadable; policy intact: 2 pass, 2 fail")
    assert "\r" not in r.stderr  # no progress counter when stderr is not a terminal


def test_verify_summary_in_french(mixed: Path, runner: CliRunner) -> None:
    r = runner.invoke(main, ["verify", str(mixed / "a.jpg"), str(mixed / "sub" / "plain.jpg"), "--policy", "any",
                             "--lang", "fr"])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[-1] == ("2 fichier(s) : 1 fait(s) main, 0 IA, 1 sans Content Credentials, "
                                         "0 invalide(s), 0 signé(s) autrement, 0 illisible(s) ; politique any : "
                                         "2 accepté(s), 0 refusé(s)")


def test_jsonl_is_one_result_per_line_in_input_order(mixed: Path, runner: CliRunner) -> None:
    r = runner.invoke(main, ["verify", str(mixed), "--format", "jsonl", "--policy", "any", "--workers", "3"])
    lines = r.stdout.splitlines()
    assert len(lines) == 4
    docs = [json.loads(line) for line in lines]
    assert [d["path"] for d in docs] == [str(mixed / "a.jpg"), str(mixed / "sub" / "b.png"),
                                         str(mixed / "sub" / "broken.jpg"), str(mixed / "sub" / "plain.jpg")]
    assert all(d["schema"] == "handmade.report/v2" and "policy" in d for d in docs)
    assert [d["bottom_line"] for d in docs] == ["HANDMADE", "HANDMADE", "ERROR", "NO-MANIFEST"]
    assert "4 file(s)" in r.stderr  # the summary never mixes into the machine-readable stdout


def test_csv_has_a_header_and_a_row_per_file(mixed: Path, runner: CliRunner) -> None:
    r = runner.invoke(main, ["verify", str(mixed), "--format", "csv", "--policy", "intact"])
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["path"] for row in rows][:2] == [str(mixed / "a.jpg"), str(mixed / "sub" / "b.png")]
    first = rows[0]
    assert first["state"] == "trusted" and first["accepted"] == "true" and first["authors"] == "A"
    assert first["summary"] == "TRUSTED INTACT HUMAN NO-AI NO-TRAINING"
    assert rows[2]["error_code"] and rows[2]["accepted"] == "false"


def test_csv_cells_cannot_become_spreadsheet_formulas() -> None:
    from handmade.models import ProvenanceReport
    from handmade.report import csv_row

    row = csv_row(ProvenanceReport(path="=HYPERLINK(\"http://x\")", state="no_manifest", authors=("@SUM(A1)",)))
    assert row[0].startswith("'=") and row[10].startswith("'@")


def test_json_alias_and_format_json_are_the_same(mixed: Path, runner: CliRunner) -> None:
    a = runner.invoke(main, ["verify", str(mixed / "a.jpg"), "--json", "--policy", "any"])
    b = runner.invoke(main, ["verify", str(mixed / "a.jpg"), "--format", "json", "--policy", "any"])
    assert a.exit_code == b.exit_code == 0
    da, db = json.loads(a.stdout), json.loads(b.stdout)
    assert da["schema"] == db["schema"] == "handmade.report/v2"
    assert da["results"][0]["summary"] == db["results"][0]["summary"]
    assert runner.invoke(main, ["verify", str(mixed / "a.jpg"), "--json", "--format", "csv"]).exit_code == 2


def test_report_takes_several_files_and_folders(mixed: Path, runner: CliRunner) -> None:
    r = runner.invoke(main, ["report", str(mixed / "a.jpg"), str(mixed / "sub" / "plain.jpg")])
    assert r.exit_code == 0, r.output
    assert f"{mixed / 'a.jpg'}: TRUSTED" in r.stdout and f"{mixed / 'sub' / 'plain.jpg'}: NO-MANIFEST" in r.stdout
    assert "history (1 manifest)" in r.stdout
    r = runner.invoke(main, ["report", str(mixed), "--json"])
    assert r.exit_code == 3  # the broken file
    assert len(json.loads(r.stdout)["results"]) == 4


def _sign_doc(r: object) -> dict[str, object]:
    doc = json.loads(r.stdout)  # type: ignore[attr-defined]
    assert set(doc) == SIGN_TOP_KEYS and doc["schema"] == "handmade.sign/v1"
    for item in doc["results"]:
        assert set(item) == SIGN_ITEM_KEYS
    return dict(doc)


def test_sign_json_has_one_schema_for_every_case(tmp_path: Path, runner: CliRunner, corpus: Path) -> None:
    photo = make_photo(tmp_path / "a.jpg")
    single = runner.invoke(main, ["sign", str(photo), "-o", str(tmp_path / "s.jpg"), "--json"])
    assert single.exit_code == 0
    doc = _sign_doc(single)
    assert doc["ok"] is True and doc["counts"] == {"signed": 1, "failed": 0, "planned": 0, "skipped": 0}
    assert doc["results"][0]["summary"] == "VALID INTACT TEST-KEY HUMAN NO-AI NO-TRAINING"  # type: ignore[index]

    ai = corpus / "ai-adobe-firefly-2025-text-to-image.jpg"
    refused = runner.invoke(main, ["sign", str(ai), "-o", str(tmp_path / "ai.jpg"), "--json"])
    assert refused.exit_code == 3
    doc = _sign_doc(refused)
    assert doc["ok"] is False and doc["results"][0]["error"]["code"] == "sign.generative_history"  # type: ignore[index]

    batch = runner.invoke(main, ["sign", str(photo), str(ai), "-o", str(tmp_path / "out"), "--json"])
    assert batch.exit_code == 1
    doc = _sign_doc(batch)
    assert [i["status"] for i in doc["results"]] == ["signed", "failed"]  # type: ignore[attr-defined]

    (tmp_path / "x").mkdir()
    clash = runner.invoke(main, ["sign", str(photo), str(make_photo(tmp_path / "x" / "a.jpg")), "-o",
                                 str(tmp_path / "out2"), "--json"])
    assert clash.exit_code == 3
    doc = _sign_doc(clash)
    assert doc["error"]["code"] == "output.collision" and doc["results"] == []  # type: ignore[index]

    dry = runner.invoke(main, ["sign", str(photo), "-o", str(tmp_path / "d.jpg"), "--json", "--dry-run"])
    doc = _sign_doc(dry)
    assert doc["dry_run"] is True and doc["results"][0]["status"] == "planned"  # type: ignore[index]
    assert not (tmp_path / "d.jpg").exists()


def _screen(raw: str) -> list[str]:
    """What a terminal shows: each line is what is left after its last carriage return and erase-line."""
    lines = []
    for line in raw.replace("\r\n", "\n").split("\n"):
        lines.append(line.split("\r")[-1].replace("\x1b[K", ""))
    return [line for line in lines if line]


def _run_in_pty(args: list[str]) -> str:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(sys.executable, ["-m", "handmade", *args], env={**os.environ, "PYTHONPATH": SRC},
                          encoding="utf-8", timeout=120, dimensions=(40, 200))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus in (0, 1), child.before
    return str(child.before)


def test_on_a_terminal_the_counter_and_outcome_lines_never_run_together(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        make_photo(folder / f"p{i}.jpg", seed=i + 1)
    raw = _run_in_pty(["sign", str(folder), "-o", str(tmp_path / "out")])
    assert re.search(r"signing \d/3", raw), raw  # the counter is drawn on a terminal
    screen = _screen(raw)
    outcomes = [line for line in screen if " -> " in line]
    assert outcomes == [f"{folder / f'p{i}.jpg'} -> {tmp_path / 'out' / f'p{i}.jpg'}: ok" for i in range(3)], screen
    raw = _run_in_pty(["verify", str(tmp_path / "out"), "--policy", "any"])
    assert re.search(r"checking \d/3", raw), raw
    screen = _screen(raw)
    assert [line.split(":")[0] for line in screen if line.startswith("/")] == [
        str(tmp_path / "out" / f"p{i}.jpg") for i in range(3)], screen


def test_on_a_terminal_a_claim_is_amber_and_a_trusted_label_green(mixed: Path, tmp_path: Path) -> None:
    """The words say it everywhere; on a terminal the colour too: a label nobody you trust vouches for is never
    shown in the green of a trusted one (and a pipe gets no colour codes at all)."""
    claimed = tmp_path / "claimed.jpg"
    r = CliRunner().invoke(main, ["sign", str(make_photo(tmp_path / "c.jpg")), "-o", str(claimed)])  # TEST key
    assert r.exit_code == 0, r.output
    raw = _run_in_pty(["verify", str(mixed / "a.jpg"), str(claimed), "--policy", "any"])
    green, amber = "\x1b[32m", "\x1b[33m"
    trusted_line = next(line for line in raw.splitlines() if "Made by hand. Trusted" in line)
    claim_line = next(line for line in raw.splitlines() if "Claims to be made by hand" in line)
    assert green in trusted_line and amber not in trusted_line
    assert amber in claim_line and green not in claim_line
    piped = CliRunner().invoke(main, ["verify", str(claimed), "--policy", "any"])
    assert "\x1b[" not in piped.stdout
