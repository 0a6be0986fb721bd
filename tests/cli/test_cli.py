"""The command line: exit codes, JSON on stdout only, summary tokens, messages without tracebacks."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from handmade.cli import main
from handmade.keys import bundled_test_root_pem
from tests.conftest import make_photo, photo_folder
from tests.pki import Pki, make_pki


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    """A real signer (not the public TEST key) under its own root: what a newsroom or a photographer has."""
    return make_pki(tmp_path / "pki")


@pytest.fixture
def root_pem(pki: Pki) -> Path:
    return pki.root_pem


@pytest.fixture
def signed(tmp_path: Path, runner: CliRunner, pki: Pki) -> Path:
    out = tmp_path / "signed.jpg"
    r = runner.invoke(main, ["sign", str(make_photo(tmp_path / "in.jpg")), "-o", str(out), "--author", "Jane Doe",
                             "--key", str(pki.key_pem), "--chain", str(pki.chain_pem)])
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture
def test_signed(tmp_path: Path, runner: CliRunner) -> Path:
    out = tmp_path / "test-signed.jpg"
    r = runner.invoke(main, ["sign", str(make_photo(tmp_path / "t.jpg")), "-o", str(out), "--author", "Jane Doe"])
    assert r.exit_code == 0, r.output
    return out


def test_sign_warns_about_test_identity_on_stderr(tmp_path: Path, runner: CliRunner) -> None:
    r = runner.invoke(main, ["sign", str(make_photo(tmp_path / "in.jpg")), "-o", str(tmp_path / "o.jpg")])
    assert r.exit_code == 0
    assert "FOR TESTING ONLY" in r.stderr
    assert "FOR TESTING ONLY" not in r.stdout


def test_verify_trusted_summary_and_exit_0(signed: Path, root_pem: Path, runner: CliRunner) -> None:
    r = runner.invoke(main, ["verify", str(signed), "--trust", str(root_pem)])
    assert r.exit_code == 0, r.output
    assert f"{signed}: TRUSTED INTACT HUMAN NO-AI NO-TRAINING" in r.stdout


def test_verify_without_anchor_is_only_a_claim(signed: Path, runner: CliRunner,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A label nobody you trust vouches for fails the default policy and passes only 'claimed', worded as a claim."""
    monkeypatch.delenv("HANDMADE_TRUST", raising=False)
    r = runner.invoke(main, ["verify", str(signed)])
    assert r.exit_code == 1
    assert "VALID INTACT HUMAN NO-AI NO-TRAINING" in r.stdout
    claim = "Claims to be made by hand (signed by Test Signer es256); nobody you trust vouches for the signer"
    assert claim in r.stdout
    assert "policy handmade: FAIL - Nobody you trust vouches for the signer" in r.stdout
    r = runner.invoke(main, ["verify", str(signed), "--policy", "claimed"])
    assert r.exit_code == 0 and "policy claimed: PASS" in r.stdout
    r = runner.invoke(main, ["verify", str(signed), "--policy", "claimed", "--lang", "fr"])
    assert "Se dit fait à la main (signé par Test Signer es256) ; personne en qui vous avez confiance" in r.stdout


def test_public_test_key_passes_no_policy_but_any(test_signed: Path, runner: CliRunner, tmp_path: Path) -> None:
    """Even with the TEST root given as an anchor by mistake, the TEST key proves nothing."""
    root = tmp_path / "test-root.pem"
    root.write_bytes(bundled_test_root_pem())
    for policy in ("handmade", "trusted", "claimed", "intact"):
        r = runner.invoke(main, ["verify", str(test_signed), "--trust", str(root), "--policy", policy])
        assert r.exit_code == 1, (policy, r.output)
        assert "TRUSTED INTACT TEST-KEY" in r.stdout
        assert "signed with the public TEST key: proves nothing" in r.stdout
    custom = tmp_path / "p.toml"
    custom.write_text('base = "any"\nrequire_intact = true\n')
    assert runner.invoke(main, ["verify", str(test_signed), "--policy", str(custom)]).exit_code == 1
    r = runner.invoke(main, ["verify", str(test_signed), "--trust", str(root), "--policy", "any", "--lang", "fr"])
    assert r.exit_code == 0 and "signé avec la clé de TEST publique : ne prouve rien" in r.stdout


def test_trust_from_environment(signed: Path, root_pem: Path, runner: CliRunner,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDMADE_TRUST", str(root_pem))
    r = runner.invoke(main, ["verify", str(signed), "--policy", "trusted"])
    assert r.exit_code == 0 and "TRUSTED" in r.stdout


def test_verify_json_is_pure_json(signed: Path, runner: CliRunner) -> None:
    r = runner.invoke(main, ["verify", str(signed), "--json"])
    doc = json.loads(r.stdout)
    assert doc["schema"] == "handmade.report/v2"
    assert doc["results"][0]["state"] == "valid" and doc["results"][0]["trusted_by"] is None
    assert doc["results"][0]["policy"]["accepted"] is False  # nobody vouches: not accepted as handmade


def test_tampered_file_exit_1(signed: Path, tmp_path: Path, runner: CliRunner) -> None:
    data = bytearray(signed.read_bytes())
    data[-200] ^= 0xFF
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(bytes(data))
    r = runner.invoke(main, ["verify", str(bad)])
    assert r.exit_code == 1
    assert "INVALID TAMPERED" in r.stdout


def test_no_manifest_fails_handmade_passes_any(tmp_path: Path, runner: CliRunner) -> None:
    plain = make_photo(tmp_path / "plain.jpg")
    assert runner.invoke(main, ["verify", str(plain)]).exit_code == 1
    assert runner.invoke(main, ["verify", str(plain), "--policy", "any"]).exit_code == 0


@pytest.mark.parametrize("content", [b"", b"not an image at all"])
def test_bad_input_exit_3_without_traceback(content: bytes, tmp_path: Path, runner: CliRunner) -> None:
    f = tmp_path / "x.jpg"
    f.write_bytes(content)
    r = runner.invoke(main, ["verify", str(f)])
    assert r.exit_code == 3
    assert "Traceback" not in r.output
    r = runner.invoke(main, ["sign", str(f), "-o", str(tmp_path / "o.jpg")])
    assert r.exit_code == 3 and "error:" in r.stderr and "Traceback" not in r.output


def test_missing_file_and_directory(tmp_path: Path, runner: CliRunner) -> None:
    assert runner.invoke(main, ["verify", str(tmp_path / "nope.jpg")]).exit_code == 3
    assert runner.invoke(main, ["report", str(tmp_path)]).exit_code == 3


def test_usage_error_exit_2(runner: CliRunner) -> None:
    assert runner.invoke(main, ["verify"]).exit_code == 2
    assert runner.invoke(main, ["sign", "x.jpg"]).exit_code == 2
    assert runner.invoke(main, ["verify", "x.jpg", "--policy", "nonsense"]).exit_code == 3


def test_report_tree_marks_ai(corpus: Path, runner: CliRunner) -> None:
    r = runner.invoke(main, ["report", str(corpus / "composite-photoshop-opened-firefly-ingredient.jpg")])
    assert r.exit_code == 0
    assert "AI-ASSISTED" in r.stdout and "AI c2pa.created" in r.stdout and "ingredient" in r.stdout


def test_report_json_and_french(corpus: Path, runner: CliRunner) -> None:
    r = runner.invoke(main, ["report", str(corpus / "ai-adobe-firefly-2025-text-to-image.jpg"), "--json"])
    assert json.loads(r.stdout)["results"][0]["ai"] == "generative"
    r = runner.invoke(main, ["report", str(corpus / "ai-adobe-firefly-2025-text-to-image.jpg"), "--lang", "fr"])
    assert "Image générée par IA" in r.stdout


def test_sign_refuses_ai_exit_3(corpus: Path, tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "o.jpg"
    r = runner.invoke(main, ["sign", str(corpus / "ai-adobe-firefly-2025-text-to-image.jpg"), "-o", str(out)])
    assert r.exit_code == 3
    assert "sign.generative_history" in r.stderr
    assert not out.exists()


def test_sign_batch_exit_1_and_lines(tmp_path: Path, runner: CliRunner) -> None:
    a = make_photo(tmp_path / "a.jpg")
    bad = tmp_path / "b.jpg"
    bad.write_bytes(b"\xff\xd8\xffjunk")
    c = make_photo(tmp_path / "c.jpg", seed=3)
    r = runner.invoke(main, ["sign", str(a), str(bad), str(c), "-o", str(tmp_path / "out"), "--json"])
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert [x["ok"] for x in doc["results"]].count(True) == 2
    assert "signed 2 of 3 file(s); 1 failed" in r.stderr


def test_sign_batch_timeout_option(tmp_path: Path, runner: CliRunner) -> None:
    files = [str(make_photo(tmp_path / f"{n}.jpg", seed=i)) for i, n in enumerate("ab")]
    r = runner.invoke(main, ["sign", *files, "-o", str(tmp_path / "out"), "--timeout", "0.001"])
    assert r.exit_code == 1
    assert r.stdout.count("FAILED sign.timeout") == 2 and "gave up after 0.001 s" in r.stdout
    r = runner.invoke(main, ["sign", *files, "-o", str(tmp_path / "out2"), "--timeout", "0"])
    assert r.exit_code == 0 and "signed 2 of 2" in r.stderr


def test_ctrl_c_during_a_batch_exits_130_cleanly(tmp_path: Path) -> None:
    """SIGINT to the whole process group (what a terminal sends): exit 130, no traceback from the parent
    or its workers, no staged file left, no worker left running."""
    import os
    import signal
    import sys
    import time

    folder = photo_folder(tmp_path / "in", 80, (2400, 1600))
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "handmade", "sign", str(folder), "-o", str(out), "--workers", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not (out.exists() and any(out.glob("p*.jpg"))) and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()[-2000:]
    assert "Traceback" not in err.decode() and "interrupted" in err.decode()
    assert not [p.name for p in out.iterdir() if p.name.endswith(".part")]
    assert len(list(out.glob("p*.jpg"))) < 80
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # the whole group (its workers) is gone


def test_keys_init_and_check(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "id"
    r = runner.invoke(main, ["keys", "init", "--out", str(out), "--name", "Jane Doe"],
                      env={"HANDMADE_KEY_PASSPHRASE": "correct horse"})
    assert r.exit_code == 0, r.output
    assert "trust anchor" in r.stdout
    key, chain = out / "signer.key", out / "signer-chain.pem"
    assert (key.stat().st_mode & 0o777) == 0o600
    r = runner.invoke(main, ["keys", "check", "--key", str(key), "--chain", str(chain)],
                      env={"HANDMADE_KEY_PASSPHRASE": "correct horse"})
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["keys", "check", "--key", str(key), "--chain", str(chain)],
                      env={"HANDMADE_KEY_PASSPHRASE": "Zebra-9-not-it"})
    assert r.exit_code == 1 and "keys.passphrase" in r.stdout and "Zebra-9-not-it" not in r.output
    photo = make_photo(tmp_path / "p.jpg")
    r = runner.invoke(main, ["sign", str(photo), "-o", str(tmp_path / "s.jpg"), "--key", str(key), "--chain",
                             str(chain)], env={"HANDMADE_KEY_PASSPHRASE": "correct horse"})
    assert r.exit_code == 0, r.output
    assert "FOR TESTING ONLY" not in r.stderr
    r = runner.invoke(main, ["verify", str(tmp_path / "s.jpg"), "--trust", str(out / "root-ca.pem"),
                             "--policy", "trusted"])
    assert r.exit_code == 0 and "Jane Doe" in r.stdout


def test_real_entry_point_and_help_in_readme() -> None:
    exe = shutil.which("handmade")
    cmd = [exe] if exe else [sys.executable, "-m", "handmade"]
    r = subprocess.run([*cmd, "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    # README shows `handmade --help` verbatim: keep it in sync.
    assert r.stdout.strip() in readme


def test_trust_from_settings_file(signed: Path, root_pem: Path, tmp_path: Path, runner: CliRunner,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANDMADE_TRUST", raising=False)
    config = root_pem.parent / "config.toml"
    config.write_text(f'trust = ["{root_pem.name}"]\n')  # relative to the settings file
    monkeypatch.setenv("HANDMADE_CONFIG", str(config))
    r = runner.invoke(main, ["verify", str(signed), "--policy", "trusted"])
    assert r.exit_code == 0 and "TRUSTED" in r.stdout
    config.write_text('trust = ["missing.pem"]\n')
    r = runner.invoke(main, ["verify", str(signed)])
    assert r.exit_code == 3 and "trust.not_found" in r.stderr


def test_verify_many_files_in_parallel_keeps_order(corpus: Path, runner: CliRunner) -> None:
    names = ["ai-adobe-firefly-2025-text-to-image.jpg", "edit-photoshop-2025-opened-resized.jpg",
             "nomanifest-test-A.jpg", "tampered-hash-mismatch-XCA.jpg", "hostile-tiff-too-many-subfiles.tiff"]
    r = runner.invoke(main, ["verify", "--json", "--workers", "2", *[str(corpus / n) for n in names]])
    assert r.exit_code == 3  # the hostile TIFF cannot be processed
    results = json.loads(r.stdout)["results"]
    assert [Path(x["path"]).name for x in results] == names
    assert [x["state"] for x in results] == ["trusted", "trusted", "no_manifest", "invalid", "error"]
    assert results[0]["trusted_by"] == results[1]["trusted_by"] == "c2pa-interim-list"


def test_readme_names_the_report_schema_in_force() -> None:
    """The README's JSON examples (the sign document's ``report``) name the report schema the code writes."""
    from handmade.models import SCHEMA

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    named = set(re.findall(r"handmade\.report/v\d+", readme))
    assert named == {SCHEMA}, named


def _modules_after(args: list[str], cwd: Path) -> set[str]:
    """The heavy modules a fresh ``handmade ARGS`` process imported (its own process, as a user runs it)."""
    code = ("import sys, contextlib, io\nfrom handmade.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
            f"    try:\n        main({args!r}, prog_name='handmade')\n    except SystemExit:\n        pass\n"
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & {'c2pa', 'PIL', 'cryptography'})))")
    src = Path(__file__).resolve().parents[2] / "src"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=cwd,
                         env={"PYTHONPATH": str(src), "PATH": "", "HOME": str(cwd)})
    return set(out.stdout.split())


def test_help_imports_neither_c2pa_nor_pillow(tmp_path: Path) -> None:
    assert _modules_after(["--help"], tmp_path) == set()


def test_a_one_file_verify_imports_pillow_only_for_exif(runner: CliRunner, tmp_path: Path) -> None:
    """Pillow reads EXIF for the hints (its own parser, not one of ours), imported only when a file has an EXIF
    block; cryptography never. In this process (--timeout 0: no worker child), so what the check imported is
    seen here."""
    photo = make_photo(tmp_path / "p.jpg")
    bare, with_exif = tmp_path / "bare.jpg", tmp_path / "exif.jpg"
    for out, extra in ((bare, ["--no-metadata"]), (with_exif, [])):
        r = runner.invoke(main, ["sign", str(photo), "-o", str(out), "--author", "Jane", *extra])
        assert r.exit_code == 0, r.output
    assert _modules_after(["verify", "--timeout", "0", str(bare)], tmp_path) == {"c2pa"}
    assert _modules_after(["verify", "--timeout", "0", str(with_exif)], tmp_path) == {"c2pa", "PIL"}


def test_the_command_lines_copies_of_library_names_agree_with_their_owners() -> None:
    """cli.py writes a few names of the library itself (so that --help imports little): each must be the owner's."""
    from handmade import cli, keys, labels, messages

    assert cli.MADE_WITH_CHOICES == list(labels.MADE_WITH)
    assert cli.ALGORITHM_CHOICES == list(keys.ALGORITHMS)
    assert cli.LANGUAGE_CHOICES == list(messages.LANGUAGES)
    assert cli.PASSPHRASE_ENV == keys.PASSPHRASE_ENV
