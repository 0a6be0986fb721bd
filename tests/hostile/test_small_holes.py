"""Small holes found from outside: key files written through symbolic links or world-writable, signed
outputs that lose their input's mode, the exit code of a wrong passphrase under --verbose, the audit
database's mode, and the fuzz harness's summary line."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from handmade.cli import main
from handmade.keys import create_identity
from handmade.sign import SignOptions, sign_image
from tests.conftest import make_photo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def umask_000() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_keys_init_under_umask_000_writes_explicit_modes(tmp_path: Path, umask_000: None) -> None:
    made = create_identity(tmp_path / "ids", "Jane Doe", passphrase=None)
    assert mode(made.key_path) == 0o600 and mode(made.root_key_path) == 0o600
    assert mode(made.chain_path) == 0o644 and mode(made.root_cert_path) == 0o644


def test_keys_init_refuses_a_dangling_link_and_creates_nothing_through_it(tmp_path: Path) -> None:
    out = tmp_path / "ids"
    out.mkdir()
    target = tmp_path / "elsewhere.pem"
    (out / "root-ca.pem").symlink_to(target)
    r = CliRunner().invoke(main, ["keys", "init", "--out", str(out), "--name", "Jane Doe", "--no-passphrase"])
    assert r.exit_code == 3 and "keys.exists" in r.output
    assert not target.exists()
    assert not (out / "signer.key").exists()


def test_keys_init_overwrite_replaces_a_live_link_instead_of_writing_through_it(tmp_path: Path) -> None:
    out = tmp_path / "ids"
    create_identity(out, "Jane Doe", passphrase=None)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / "signer-chain.pem").unlink()
    (out / "signer-chain.pem").symlink_to(victim)
    create_identity(out, "Jane Doe", passphrase=None, overwrite=True)
    assert victim.read_text() == "keep me"
    assert not (out / "signer-chain.pem").is_symlink()
    assert (out / "signer-chain.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")


@pytest.mark.parametrize("input_mode", [0o644, 0o640])
def test_signed_output_keeps_the_input_mode(tmp_path: Path, input_mode: int) -> None:
    src = make_photo(tmp_path / "in.jpg")
    src.chmod(input_mode)
    out = tmp_path / "out.jpg"
    sign_image(src, out, SignOptions(author="Jane Doe"))
    assert mode(out) == input_mode
    assert mode(src) == input_mode


def test_wrong_passphrase_exits_3_with_verbose_too(tmp_path: Path) -> None:
    made = create_identity(tmp_path / "ids", "Jane Doe", passphrase="right passphrase")
    photo = make_photo(tmp_path / "in.jpg")
    args = ["sign", str(photo), "-o", str(tmp_path / "o.jpg"), "--key", str(made.key_path),
            "--chain", str(made.chain_path)]
    env = {"HANDMADE_KEY_PASSPHRASE": "wrong"}
    plain = CliRunner().invoke(main, args, env=env)
    verbose = CliRunner().invoke(main, ["-v", *args], env=env)
    assert plain.exit_code == 3, plain.output
    assert verbose.exit_code == 3, verbose.output
    assert "Traceback" in verbose.output and "Traceback" not in plain.output


def test_audit_database_is_created_private(tmp_path: Path) -> None:
    from handmade.models import ProvenanceReport
    from handmade.policy import PRESETS, evaluate
    from handmade.web.audit import AuditLog

    old = os.umask(0o022)
    try:
        log = AuditLog(str(tmp_path / "audit.sqlite"))
        report = ProvenanceReport(path="x.jpg", state="no_manifest")
        log.record(report, evaluate(PRESETS["any"], report), "x.jpg")
    finally:
        os.umask(old)
    files = sorted(tmp_path.glob("audit.sqlite*"))
    assert files and {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_fuzz_harness_prints_its_summary_line(tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HANDMADE_CORPUS": str(tmp_path / "no-corpus")}
    r = subprocess.run([sys.executable, str(ROOT / "fuzz" / "fuzz_inspect.py"), "-runs=20"], env=env,
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    lines = [line for line in r.stderr.splitlines() if line.startswith("handmade fuzz summary: ")]
    assert len(lines) == 1, r.stderr[-2000:]
    assert '"inputs": ' in lines[0]
