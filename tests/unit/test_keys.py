"""Keys: generation, loading, and refusal of every bad identity before anything is signed."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from tests.conftest import make_photo
from tests.pki import make_pki

from handmade.errors import KeyMaterialError
from handmade.keys import (
    ALGORITHMS,
    bundled_test_identity,
    bundled_test_root_pem,
    check_identity,
    create_identity,
    load_identity,
)
from handmade.sign import SignOptions, sign_image
from handmade.verify import TrustAnchors, inspect

SECRET = "Tr0ub4dor&3-horse"


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_created_identity_signs_and_is_trusted_by_its_root(alg: str, tmp_path: Path) -> None:
    made = create_identity(tmp_path / "id", "Jane Doe", alg=alg, passphrase=SECRET)
    assert made.encrypted
    for p in (made.key_path, made.root_key_path):
        assert (p.stat().st_mode & 0o777) == 0o600
        assert b"ENCRYPTED" in p.read_bytes()
    identity = load_identity(made.key_path, made.chain_path, SECRET)
    assert identity.alg == alg and not identity.is_test_identity
    out = tmp_path / "s.jpg"
    sign_image(make_photo(tmp_path / "in.jpg"), out, SignOptions(author="Jane Doe"), identity)
    report = inspect(out, trust=TrustAnchors.from_pem(made.root_cert_path.read_bytes()))
    assert report.state == "trusted"
    assert report.signer is not None and report.signer.name == "Jane Doe"


def test_bundled_test_identity_is_marked_and_chains_to_bundled_root(tmp_path: Path) -> None:
    identity = bundled_test_identity()
    assert identity.is_test_identity and "FOR TESTING ONLY" in identity.subject_name
    out = tmp_path / "s.jpg"
    sign_image(make_photo(tmp_path / "in.jpg"), out)
    assert inspect(out, trust=TrustAnchors.from_pem(bundled_test_root_pem())).state == "trusted"
    assert inspect(out).state == "valid"


def test_wrong_passphrase_refused_and_never_echoed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    made = create_identity(tmp_path / "id", "Jane", passphrase=SECRET)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(KeyMaterialError) as exc:
        load_identity(made.key_path, made.chain_path, "Wr0ng-Zebra-passphrase")
    assert exc.value.code == "keys.passphrase"
    for text in (str(exc.value), exc.value.diagnostics(), caplog.text):
        assert "Wr0ng-Zebra-passphrase" not in text and SECRET not in text


def test_encrypted_key_without_passphrase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANDMADE_KEY_PASSPHRASE", raising=False)
    made = create_identity(tmp_path / "id", "Jane", passphrase=SECRET)
    with pytest.raises(KeyMaterialError) as exc:
        load_identity(made.key_path, made.chain_path)
    assert exc.value.code == "keys.passphrase" and "HANDMADE_KEY_PASSPHRASE" in (exc.value.hint or "")
    monkeypatch.setenv("HANDMADE_KEY_PASSPHRASE", SECRET)
    assert load_identity(made.key_path, made.chain_path).alg == "es256"


@pytest.mark.parametrize("knob,code", [
    ("mismatched_key", "keys.mismatch"),
    ("expired", "keys.expired"),
    ("no_eku", "keys.eku"),
    ("server_auth_only", "keys.eku"),
    ("self_signed", "keys.self_signed"),
    ("ca_leaf", "keys.ca_leaf"),
])
def test_bad_identities_refused_before_signing(knob: str, code: str, tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki", **{knob: True})
    problems = check_identity(pki.key_pem, pki.chain_pem)
    assert code in {p.code for p in problems}
    assert all(p.message and p.hint for p in problems)
    with pytest.raises(KeyMaterialError) as exc:
        load_identity(pki.key_pem, pki.chain_pem)
    assert exc.value.code == code
    assert exc.value.hint


def test_root_first_chain_is_reordered(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki", root_first=True)
    identity = load_identity(pki.key_pem, pki.chain_pem)
    assert identity.chain_pem.startswith(pki.leaf_cert.public_bytes(serialization.Encoding.PEM))
    assert pki.root_cert.public_bytes(serialization.Encoding.PEM) not in identity.chain_pem
    out = tmp_path / "s.jpg"
    sign_image(make_photo(tmp_path / "in.jpg"), out, identity=identity)
    assert inspect(out, trust=TrustAnchors.from_pem(pki.root_pem.read_bytes())).state == "trusted"


def test_pkcs12_bundle_loads(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki")
    from cryptography import x509

    chain = x509.load_pem_x509_certificates(pki.chain_pem.read_bytes())
    p12 = tmp_path / "id.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"jane", pki.leaf_key, chain[0], chain[1:], serialization.BestAvailableEncryption(b"p12-pass")))
    identity = load_identity(p12, None, "p12-pass")
    assert identity.leaf == pki.leaf_cert


def test_create_refuses_to_overwrite(tmp_path: Path) -> None:
    create_identity(tmp_path / "id", "Jane", passphrase=None)
    with pytest.raises(KeyMaterialError) as exc:
        create_identity(tmp_path / "id", "Jane", passphrase=None)
    assert exc.value.code == "keys.exists"


def test_unsupported_algorithm(tmp_path: Path) -> None:
    with pytest.raises(KeyMaterialError) as exc:
        create_identity(tmp_path / "id", "Jane", alg="rsa1024", passphrase=None)
    assert exc.value.code == "keys.algorithm"


def test_repr_never_shows_the_key() -> None:
    identity = bundled_test_identity()
    text = repr(identity) + str(identity)
    assert "PRIVATE KEY" not in text and identity.private_key_pem.decode()[40:80] not in text


def test_unreadable_key_file(tmp_path: Path) -> None:
    bad = tmp_path / "k.pem"
    bad.write_text("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
    problems = check_identity(bad, None)
    assert problems and problems[0].code == "keys.unreadable"
    assert check_identity(tmp_path / "missing.pem")[0].code == "keys.unreadable"


def test_keys_never_in_json(tmp_path: Path) -> None:
    out = tmp_path / "s.jpg"
    result = sign_image(make_photo(tmp_path / "in.jpg"), out)
    blob = io.StringIO()
    import json

    json.dump(result.to_dict(), blob)
    assert "PRIVATE" not in blob.getvalue()
