"""Signing with a key that stays in a PKCS#11 token (SoftHSM2, a real PKCS#11 module): through the real CLI,
with the PIN from the environment or asked for on a real terminal, one process or worker processes; the
result verifies and chains to the test PKI's root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.x509.oid import NameOID

from handmade.cli import main
from handmade.verify import inspect, load_trust_anchors
from tests.conftest import make_photo
from tests.pki import Pki, make_pki

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "4321"
URI = "pkcs11:token=handmade-test;object=signer"
SRC = str(Path(__file__).resolve().parents[2] / "src")

pytest.importorskip("pkcs11", reason="python-pkcs11 NOT INSTALLED: pip install 'handmade[pkcs11]'")
if not (shutil.which("softhsm2-util") and Path(MODULE).exists()):
    pytest.skip("SOFTHSM2 NOT INSTALLED: run scripts/install-softhsm.sh (Debian package softhsm2)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pki]:
    """A fresh SoftHSM2 token holding the test PKI's signer key (imported, as keys are put into HSMs)."""
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    saved = {k: os.environ.get(k) for k in ("SOFTHSM2_CONF", "HANDMADE_PKCS11_MODULE")}
    os.environ["SOFTHSM2_CONF"] = str(conf)
    os.environ["HANDMADE_PKCS11_MODULE"] = MODULE
    pki = make_pki(folder / "pki")
    for args in (["--init-token", "--free", "--label", "handmade-test", "--so-pin", "0000", "--pin", PIN],
                 ["--import", str(pki.key_pem), "--token", "handmade-test", "--label", "signer", "--id", "01",
                  "--pin", PIN]):
        subprocess.run(["softhsm2-util", *args], check=True, capture_output=True, timeout=60)
    pki.key_pem.unlink()  # from now on the key is only in the token
    yield pki
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def test_a_token_key_signs_and_the_result_is_trusted(token: Pki, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDMADE_PKCS11_PIN", PIN)
    out = tmp_path / "s.jpg"
    r = CliRunner().invoke(main, ["sign", str(make_photo(tmp_path / "p.jpg")), "-o", str(out), "--key", URI,
                                  "--chain", str(token.chain_pem), "--author", "Jane"])
    assert r.exit_code == 0, r.output
    assert "FOR TESTING ONLY" not in r.stderr
    report = inspect(out, trust=load_trust_anchors([token.root_pem]))
    assert report.state == "trusted" and report.is_handmade
    cn = token.leaf_cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert report.signer is not None and report.signer.name == cn


def test_a_token_key_signs_in_worker_processes(token: Pki, tmp_path: Path) -> None:
    """In its own process (as a user runs it): this test process's worker pool may predate the token's
    environment variables, which its workers would then lack."""
    photos = [str(make_photo(tmp_path / f"p{i}.jpg", seed=i + 1)) for i in range(3)]
    r = subprocess.run([sys.executable, "-m", "handmade", "sign", *photos, "-o", str(tmp_path / "out"), "--key",
                        URI, "--chain", str(token.chain_pem), "--workers", "2"], capture_output=True, text=True,
                       timeout=120, check=False,
                       env={**os.environ, "PYTHONPATH": SRC, "HANDMADE_PKCS11_PIN": PIN})
    assert r.returncode == 0, r.stdout + r.stderr
    anchors = load_trust_anchors([token.root_pem])
    assert [inspect(tmp_path / "out" / f"p{i}.jpg", trust=anchors).state for i in range(3)] == ["trusted"] * 3


def test_the_pin_is_asked_for_on_a_terminal(token: Pki, tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    out = tmp_path / "s.jpg"
    env = {k: v for k, v in os.environ.items() if k != "HANDMADE_PKCS11_PIN"}
    child = pexpect.spawn(sys.executable, ["-m", "handmade", "sign", str(make_photo(tmp_path / "p.jpg")), "-o",
                                           str(out), "--key", URI, "--chain", str(token.chain_pem)],
                          env={**env, "PYTHONPATH": SRC}, encoding="utf-8", timeout=60)
    child.expect("PIN for pkcs11:")
    child.sendline("0000000")
    child.expect("wrong PIN")
    child.expect("PIN for pkcs11:")
    child.sendline(PIN)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert PIN not in str(child.before)
    assert inspect(out).state == "valid"


def test_a_certificate_for_another_key_is_refused_before_signing(token: Pki, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDMADE_PKCS11_PIN", PIN)
    other = make_pki(tmp_path / "other")
    out = tmp_path / "s.jpg"
    r = CliRunner().invoke(main, ["sign", str(make_photo(tmp_path / "p.jpg")), "-o", str(out), "--key", URI,
                                  "--chain", str(other.chain_pem)])
    assert r.exit_code == 3 and "keys.mismatch" in r.stderr and not out.exists()


@pytest.mark.parametrize(("uri", "code"), [
    ("pkcs11:token=nosuch;object=signer", "keys.pkcs11"),
    ("pkcs11:token=handmade-test;object=nosuch", "keys.pkcs11"),
    ("pkcs11:object=signer", "keys.pkcs11"),
])
def test_bad_token_names_are_worded_errors(token: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           uri: str, code: str) -> None:
    monkeypatch.setenv("HANDMADE_PKCS11_PIN", PIN)
    r = CliRunner().invoke(main, ["sign", str(make_photo(tmp_path / "p.jpg")), "-o", str(tmp_path / "s.jpg"),
                                  "--key", uri, "--chain", str(token.chain_pem)])
    assert r.exit_code == 3 and f"[{code}]" in r.stderr and "internal error" not in r.stderr


def test_keys_check_shows_the_token_keys_certificate(token: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDMADE_PKCS11_PIN", PIN)
    r = CliRunner().invoke(main, ["keys", "check", "--key", URI, "--chain", str(token.chain_pem)])
    assert r.exit_code == 0, r.output
    cn = token.leaf_cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert f"CN={cn}" in r.stdout and "TEST identity:    no" in r.stdout and "ok: this key" in r.stdout
    monkeypatch.setenv("HANDMADE_PKCS11_PIN", "999999")
    r = CliRunner().invoke(main, ["keys", "check", "--key", URI, "--chain", str(token.chain_pem)])
    assert r.exit_code == 1 and "keys.pin" in r.stdout
