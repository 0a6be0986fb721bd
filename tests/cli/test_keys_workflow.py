"""Keys as people use them: a passphrase asked for on a real terminal (no echo), ``keys check`` saying who
the key signs as, and ``keys init`` with no default country (c2pa-rs still trusts such a signer)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.x509.oid import NameOID

from handmade.cli import main
from handmade.verify import inspect, load_trust_anchors
from tests.conftest import make_photo

SRC = str(Path(__file__).resolve().parents[2] / "src")
PASS = "correct horse battery"
KEYS = Path(__file__).resolve().parents[2] / "keys"

pexpect = pytest.importorskip("pexpect")


@pytest.fixture(scope="module")
def encrypted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("id")
    r = CliRunner().invoke(main, ["keys", "init", "--out", str(out), "--name", "Jane Doe"],
                           env={"HANDMADE_KEY_PASSPHRASE": PASS})
    assert r.exit_code == 0, r.output
    return out


def _spawn(args: list[str]) -> object:
    env = {k: v for k, v in os.environ.items() if k != "HANDMADE_KEY_PASSPHRASE"}
    return pexpect.spawn(sys.executable, ["-m", "handmade", *args], env={**env, "PYTHONPATH": SRC},
                         encoding="utf-8", timeout=60, dimensions=(40, 200))


def test_keys_init_writes_no_country_unless_asked(encrypted: Path, tmp_path: Path) -> None:
    leaf = x509.load_pem_x509_certificate((encrypted / "signer-chain.pem").read_bytes())
    assert not leaf.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)
    root = x509.load_pem_x509_certificate((encrypted / "root-ca.pem").read_bytes())
    assert not root.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)
    r = CliRunner().invoke(main, ["keys", "init", "--out", str(tmp_path / "de"), "--name", "J", "--country", "de",
                                  "--no-passphrase"])
    assert r.exit_code == 0, r.output
    leaf = x509.load_pem_x509_certificate((tmp_path / "de" / "signer-chain.pem").read_bytes())
    assert leaf.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "DE"


def test_a_signer_without_country_is_trusted_by_c2pa(encrypted: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.jpg"
    r = CliRunner().invoke(main, ["sign", str(make_photo(tmp_path / "p.jpg")), "-o", str(out), "--key",
                                  str(encrypted / "signer.key"), "--chain", str(encrypted / "signer-chain.pem")],
                           env={"HANDMADE_KEY_PASSPHRASE": PASS})
    assert r.exit_code == 0, r.output
    assert "lacks" not in r.stderr  # no warning about the missing country
    report = inspect(out, trust=load_trust_anchors([encrypted / "root-ca.pem"]))
    assert report.state == "trusted" and report.signer is not None and report.signer.name == "Jane Doe"


def test_sign_asks_for_the_passphrase_on_a_terminal_without_echo(encrypted: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.jpg"
    child = _spawn(["sign", str(make_photo(tmp_path / "p.jpg")), "-o", str(out), "--key",
                    str(encrypted / "signer.key"), "--chain", str(encrypted / "signer-chain.pem")])
    child.expect("Passphrase for .*signer.key: ")  # type: ignore[attr-defined]
    child.sendline("not it")  # type: ignore[attr-defined]
    child.expect("wrong passphrase")  # type: ignore[attr-defined]
    child.expect("Passphrase for ")  # type: ignore[attr-defined]
    child.sendline(PASS)  # type: ignore[attr-defined]
    child.expect(pexpect.EOF)  # type: ignore[attr-defined]
    shown = str(child.before)  # type: ignore[attr-defined]
    child.close()  # type: ignore[attr-defined]
    assert child.exitstatus == 0, shown  # type: ignore[attr-defined]
    assert "signed (VALID INTACT HUMAN" in shown
    assert PASS not in shown  # the terminal did not echo it
    assert inspect(out).state == "valid"


def test_keys_check_asks_on_a_terminal_and_shows_who_signs(encrypted: Path) -> None:
    child = _spawn(["keys", "check", "--key", str(encrypted / "signer.key"), "--chain",
                    str(encrypted / "signer-chain.pem")])
    child.expect("Passphrase for ")  # type: ignore[attr-defined]
    child.sendline(PASS)  # type: ignore[attr-defined]
    child.expect(pexpect.EOF)  # type: ignore[attr-defined]
    shown = str(child.before)  # type: ignore[attr-defined]
    child.close()  # type: ignore[attr-defined]
    assert child.exitstatus == 0, shown  # type: ignore[attr-defined]
    assert re.search(r"^subject: +CN=Jane Doe,O=Jane Doe\r?$", shown, re.M), shown
    assert re.search(r"^issuer: +CN=Jane Doe Root CA,O=Jane Doe\r?$", shown, re.M)
    assert re.search(r"^algorithm: +es256\r?$", shown, re.M)
    assert re.search(r"^valid until: +\d{4}-\d\d-\d\d \d\d:\d\d UTC\r?$", shown, re.M)
    assert re.search(r"^days left: +36[45]\r?$", shown, re.M)  # 365 days from now
    assert re.search(r"^TEST identity: +no\r?$", shown, re.M)
    assert "ok: this key" in shown and PASS not in shown


def test_without_a_terminal_no_prompt_and_a_worded_error(encrypted: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANDMADE_KEY_PASSPHRASE", raising=False)
    r = CliRunner().invoke(main, ["sign", str(make_photo(tmp_path / "p.jpg")), "-o", str(tmp_path / "s.jpg"),
                                  "--key", str(encrypted / "signer.key"), "--chain",
                                  str(encrypted / "signer-chain.pem")])
    assert r.exit_code == 3 and "keys.passphrase" in r.stderr and "Passphrase for" not in r.output


def test_keys_check_names_the_public_test_identity_in_french() -> None:
    r = CliRunner().invoke(main, ["keys", "check", "--key", str(KEYS / "signer.key"), "--chain",
                                  str(KEYS / "signer-chain.pem"), "--lang", "fr"])
    assert r.exit_code == 0, r.output
    assert re.search(r"^identité de TEST: +OUI : la clé de test publique", r.stdout, re.M), r.stdout
    assert re.search(r"^jours restants: +\d+$", r.stdout, re.M) and "ok : cette clé" in r.stdout


def test_keys_check_words_its_problems_in_french(encrypted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANDMADE_KEY_PASSPHRASE", raising=False)
    args = ["keys", "check", "--key", str(encrypted / "signer.key"), "--chain", str(encrypted / "signer-chain.pem")]
    fr = CliRunner().invoke(main, [*args, "--lang", "fr"])
    assert fr.exit_code == 1, fr.output
    assert "problème [keys.passphrase] : la phrase de passe de la clé manque ou est fausse (détail : " in fr.stdout
    assert "  solution : Donnez la phrase de passe de la clé (ou définissez HANDMADE_KEY_PASSPHRASE)." in fr.stdout
    assert "Give the key's passphrase" not in fr.stdout
    en = CliRunner().invoke(main, args)  # English is unchanged: the message, then the fix
    assert en.exit_code == 1 and "problem [keys.passphrase]: " in en.stdout
    assert "  fix: Give the key's passphrase (or set HANDMADE_KEY_PASSPHRASE)." in en.stdout
