"""Keys: generation, loading, profile checks, and proof with c2pa itself that what we accept signs and is Trusted.

The c2pa calls here are made directly (not through handmade.sign) so that these tests pin down what
c2pa-python 0.38.1 / c2pa-rs accept, independently of the signing module.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import c2pa
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image
from tests.pki import make_pki

import handmade.keys as keys_module
from handmade.errors import KeyMaterialError
from handmade.keys import (
    ALGORITHMS,
    C2PA_CLAIM_SIGNING,
    DOCUMENT_SIGNING,
    MAX_LEAF_DAYS,
    SigningIdentity,
    build_root,
    build_signer_certificate,
    bundled_test_identity,
    bundled_test_root_pem,
    check_certificate,
    check_identity,
    create_identity,
    load_identity,
    regenerate_test_identity,
)

SECRET = "Tr0ub4dor&3-horse"
WRONG = "Wr0ng-Zebra-passphrase"
PEM = serialization.Encoding.PEM
MANIFEST: dict[str, Any] = {
    "claim_generator_info": [{"name": "t", "version": "1"}],
    "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [{
        "action": "c2pa.created",
        "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}}],
}


@pytest.fixture(scope="module")
def jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((64, 48), 40).convert("RGB").save(out, "JPEG")
    return out.getvalue()


def c2pa_sign(alg: str, chain_pem: bytes, key_pem: bytes, src: bytes) -> bytes:
    """Sign ``src`` with c2pa directly. Raises: c2pa.C2paError when c2pa refuses the credentials."""
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(alg.encode(), chain_pem, key_pem, None))
    builder = c2pa.Builder.from_json(MANIFEST, context=c2pa.Context.from_dict({"builder": {"thumbnail": {
        "enabled": False}}}))
    out = io.BytesIO()
    builder.sign(signer, "image/jpeg", io.BytesIO(src), out)
    return out.getvalue()


def c2pa_read(signed: bytes, root_pem: bytes | None) -> tuple[str, list[str]]:
    """Validation state and failure codes of ``signed``, with ``root_pem`` as the only trust anchor."""
    settings = {"trust": {"trust_anchors": root_pem.decode()}} if root_pem else {}
    reader = c2pa.Reader("image/jpeg", io.BytesIO(signed), context=c2pa.Context.from_dict(settings))
    results = json.loads(reader.json()).get("validation_results", {}).get("activeManifest", {})
    return reader.get_validation_state(), [f["code"] for f in results.get("failure", [])]


def sign_and_read(identity: SigningIdentity, src: bytes, root_pem: bytes | None) -> tuple[str, list[str]]:
    return c2pa_read(c2pa_sign(identity.alg, identity.chain_pem, identity.private_key_pem, src), root_pem)


def pem_certs(data: bytes) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(data)


# --- the proof with c2pa -------------------------------------------------------------------------------------
@pytest.mark.parametrize("alg", ALGORITHMS)
def test_created_identity_signs_and_is_trusted_by_its_root(alg: str, tmp_path: Path, jpeg: bytes) -> None:
    made = create_identity(tmp_path / "id", "Jane Doe", alg=alg, passphrase=SECRET, organization="Atelier Doe")
    assert made.encrypted and made.alg == alg
    for p in (made.key_path, made.root_key_path):
        assert (p.stat().st_mode & 0o777) == 0o600
        assert b"ENCRYPTED PRIVATE KEY" in p.read_bytes()
    chain = pem_certs(made.chain_path.read_bytes())
    assert len(chain) == 1 and chain[0].issuer == pem_certs(made.root_cert_path.read_bytes())[0].subject
    assert check_certificate(chain[0]) == ()

    identity = load_identity(made.key_path, made.chain_path, SECRET)
    assert identity.alg == alg and not identity.is_test_identity
    assert identity.subject_name == "Jane Doe" and identity.issuer_name == "Jane Doe Root CA"
    assert identity.private_key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")  # unencrypted PKCS#8 for c2pa

    signed = c2pa_sign(identity.alg, identity.chain_pem, identity.private_key_pem, jpeg)
    assert c2pa_read(signed, made.root_cert_path.read_bytes()) == ("Trusted", [])
    state, failures = c2pa_read(signed, None)  # no anchors: valid, but nobody vouches for the signer
    assert state == "Valid" and "signingCredential.untrusted" in failures


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_chain_through_an_intermediate_is_trusted_by_the_root(alg: str, tmp_path: Path, jpeg: bytes) -> None:
    pki = make_pki(tmp_path / "pki", alg, intermediate=True)
    identity = load_identity(pki.key_pem, pki.chain_pem)
    assert pem_certs(identity.chain_pem) == [pki.leaf_cert, pki.intermediate_cert]  # leaf first, no root
    assert sign_and_read(identity, jpeg, pki.root_pem.read_bytes()) == ("Trusted", [])


def test_bundled_test_identity_signs_and_is_trusted_by_bundled_root(jpeg: bytes) -> None:
    identity = bundled_test_identity()
    assert identity is bundled_test_identity()  # loaded once
    assert identity.is_test_identity and identity.alg == "es256"
    subject = identity.leaf.subject
    assert identity.subject_name == "handmade TEST identity - FOR TESTING ONLY"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "handmade (testing only)"
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "FR"
    assert check_certificate(identity.leaf) == ()
    chain = pem_certs(identity.chain_pem)
    root = pem_certs(bundled_test_root_pem())[0]
    assert len(chain) == 2 and chain[1].issuer == root.subject and root.subject == root.issuer
    assert (root.not_valid_after_utc - root.not_valid_before_utc).days >= 20 * 365
    assert sign_and_read(identity, jpeg, bundled_test_root_pem()) == ("Trusted", [])


def test_bundled_files_are_what_the_readme_says() -> None:
    folder = Path(keys_module.__file__).resolve().parents[2] / "keys"
    key = (folder / "signer.key").read_bytes()
    assert key.startswith(b"-----BEGIN PRIVATE KEY-----")  # unencrypted PKCS#8, public on purpose
    assert not (folder / ".keep").exists()
    readme = (folder / "README.md").read_text()
    for words in ("FOR TESTING ONLY", "TRUSTED BY NOBODY", "ANYONE CAN SIGN", "handmade keys init",
                  "scripts/make-test-keys.py"):
        assert words in readme


def test_bundled_identity_refused_once_expired(monkeypatch: pytest.MonkeyPatch) -> None:
    bundled_test_identity()
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=MAX_LEAF_DAYS + 1)
    monkeypatch.setattr(keys_module, "_utcnow", lambda: later)
    with pytest.raises(KeyMaterialError) as exc:
        bundled_test_identity()
    assert exc.value.code == "keys.expired" and "scripts/make-test-keys.py" in (exc.value.hint or "")


def test_bundled_identity_with_expired_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pki = make_pki(tmp_path / "old", expired=True)
    pki.chain_pem.rename(tmp_path / "old" / "signer-chain.pem")
    monkeypatch.setattr(keys_module, "_test_dir", lambda: tmp_path / "old")
    with pytest.raises(KeyMaterialError) as exc:
        bundled_test_identity()
    assert exc.value.code == "keys.expired" and "scripts/make-test-keys.py" in (exc.value.hint or "")


def test_regenerated_test_identity(tmp_path: Path, jpeg: bytes) -> None:
    folder = regenerate_test_identity(tmp_path / "k")
    identity = load_identity(folder / "signer.key", folder / "signer-chain.pem")
    leaf = identity.leaf
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc == dt.timedelta(days=MAX_LEAF_DAYS)
    assert abs(leaf.not_valid_after_utc - dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=366)) < \
        dt.timedelta(minutes=5)
    assert identity.subject_name == "handmade TEST identity - FOR TESTING ONLY"
    assert sign_and_read(identity, jpeg, (folder / "root-ca.pem").read_bytes()) == ("Trusted", [])
    script = Path(keys_module.__file__).resolve().parents[2] / "scripts" / "make-test-keys.py"
    r = subprocess.run([sys.executable, str(script), "--out", str(tmp_path / "k2")], capture_output=True, text=True,
                       timeout=120, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    assert (tmp_path / "k2" / "root-ca.pem").is_file()
    assert "FOR TESTING ONLY" in r.stdout


# --- passphrases -------------------------------------------------------------------------------------------
def test_wrong_passphrase_refused_and_never_echoed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    made = create_identity(tmp_path / "id", "Jane", passphrase=SECRET)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(KeyMaterialError) as exc:
        load_identity(made.key_path, made.chain_path, WRONG)
    assert exc.value.code == "keys.passphrase" and exc.value.hint
    problems = check_identity(made.key_path, made.chain_path, WRONG)
    assert [p.code for p in problems] == ["keys.passphrase"]
    texts = [str(exc.value), exc.value.diagnostics(), repr(exc.value), caplog.text, repr(problems)]
    for text in texts:
        assert WRONG not in text and SECRET not in text


def test_encrypted_key_without_passphrase_uses_the_environment(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANDMADE_KEY_PASSPHRASE", raising=False)
    made = create_identity(tmp_path / "id", "Jane", passphrase=SECRET)
    with pytest.raises(KeyMaterialError) as exc:
        load_identity(made.key_path, made.chain_path)
    assert exc.value.code == "keys.passphrase" and "HANDMADE_KEY_PASSPHRASE" in (exc.value.hint or "")
    monkeypatch.setenv("HANDMADE_KEY_PASSPHRASE", SECRET)
    assert load_identity(made.key_path, made.chain_path).alg == "es256"
    assert check_identity(made.key_path, made.chain_path) == ()


def test_unencrypted_key_ignores_a_passphrase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDMADE_KEY_PASSPHRASE", "irrelevant")
    made = create_identity(tmp_path / "id", "Jane", passphrase=None)
    assert not made.encrypted and b"ENCRYPTED" not in made.key_path.read_bytes()
    assert (made.key_path.stat().st_mode & 0o777) == 0o600
    assert load_identity(made.key_path, made.chain_path, "also irrelevant").alg == "es256"


@pytest.mark.parametrize("alg", ["es256", "ps256"])
def test_traditional_encrypted_pem_loads(alg: str, tmp_path: Path, jpeg: bytes) -> None:
    pki = make_pki(tmp_path / "pki", alg)
    traditional = pki.leaf_key.private_bytes(PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                             serialization.BestAvailableEncryption(SECRET.encode()))
    assert b"Proc-Type: 4,ENCRYPTED" in traditional
    pki.key_pem.write_bytes(traditional)
    with pytest.raises(KeyMaterialError) as exc:
        load_identity(pki.key_pem, pki.chain_pem, WRONG)
    assert exc.value.code == "keys.passphrase"
    identity = load_identity(pki.key_pem, pki.chain_pem, SECRET.encode())
    assert sign_and_read(identity, jpeg, pki.root_pem.read_bytes()) == ("Trusted", [])


# --- bad identities ------------------------------------------------------------------------------------------
BAD = [
    ("mismatched_key", "keys.mismatch"),
    ("expired", "keys.expired"),
    ("not_yet_valid", "keys.not_yet_valid"),
    ("no_eku", "keys.eku"),
    ("server_auth_only", "keys.eku"),
    ("self_signed", "keys.self_signed"),
    ("ca_leaf", "keys.ca_leaf"),
    ("no_digital_signature", "keys.key_usage"),
    ("no_aki", "keys.no_aki"),
]


@pytest.mark.parametrize(("knob", "code"), BAD)
def test_bad_identities_refused_before_signing(knob: str, code: str, tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki", **{knob: True})
    problems = check_identity(pki.key_pem, pki.chain_pem)
    assert code in {p.code for p in problems if p.severity == "error"}
    assert all(p.message and p.hint for p in problems)
    with pytest.raises(KeyMaterialError) as exc:
        load_identity(pki.key_pem, pki.chain_pem)
    assert exc.value.code == code and exc.value.hint


@pytest.mark.parametrize(("knob", "code"), [b for b in BAD if b[0] != "self_signed"])
def test_c2pa_itself_refuses_what_we_refuse(knob: str, code: str, tmp_path: Path, jpeg: bytes) -> None:
    # Our checks only say earlier and in words what c2pa-rs would refuse anyway (its message is just
    # "the certificate is invalid"). The exception: a self-signed leaf, which c2pa signs with and
    # reports Trusted when that very certificate is the anchor; the C2PA profile wants a CA-issued
    # signer, so we refuse it all the same.
    pki = make_pki(tmp_path / "pki", **{knob: True})
    with pytest.raises(c2pa.C2paError):
        c2pa_sign("es256", pki.chain_pem.read_bytes(), pki.key_pem.read_bytes(), jpeg)


@pytest.mark.parametrize("eku", [[DOCUMENT_SIGNING], [C2PA_CLAIM_SIGNING]], ids=["documentSigning", "claimSigning"])
def test_eku_without_email_protection_is_a_warning(eku: list[Any], tmp_path: Path, jpeg: bytes,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    # The profile allows them, but c2pa-rs's default trust settings refuse them: signing fails in
    # c2pa's own verify-after-sign with "signingCredential.invalid: certificate missing required EKU".
    pki = make_pki(tmp_path / "pki", eku=eku)
    problems = check_identity(pki.key_pem, pki.chain_pem)
    assert [(p.code, p.severity) for p in problems] == [("keys.eku", "warning")]
    with caplog.at_level(logging.WARNING, logger="handmade.keys"):
        identity = load_identity(pki.key_pem, pki.chain_pem)
    assert "emailProtection" in caplog.text
    with pytest.raises(c2pa.C2paError, match="EKU"):
        c2pa_sign(identity.alg, identity.chain_pem, identity.private_key_pem, jpeg)
    pki2 = make_pki(tmp_path / "pki2", eku=[C2PA_CLAIM_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION])
    assert check_identity(pki2.key_pem, pki2.chain_pem) == ()


def test_long_validity_is_a_warning_and_c2pa_accepts_it(tmp_path: Path, jpeg: bytes) -> None:
    pki = make_pki(tmp_path / "pki", leaf_days=800)
    problems = check_identity(pki.key_pem, pki.chain_pem)
    assert [(p.code, p.severity) for p in problems] == [("keys.validity_too_long", "warning")]
    identity = load_identity(pki.key_pem, pki.chain_pem)
    assert sign_and_read(identity, jpeg, pki.root_pem.read_bytes()) == ("Trusted", [])


def test_check_certificate_at_a_given_time(tmp_path: Path) -> None:
    leaf = make_pki(tmp_path / "pki").leaf_cert
    assert check_certificate(leaf) == ()
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=400)
    assert [p.code for p in check_certificate(leaf, now=later)] == ["keys.expired"]
    earlier = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
    assert [p.code for p in check_certificate(leaf, now=earlier)] == ["keys.not_yet_valid"]


def test_subject_without_organization_is_a_warning_but_no_country_is_fine(tmp_path: Path) -> None:
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = build_root(root_key, "R", organization="o")
    leaf = build_signer_certificate(ec.generate_private_key(ec.SECP256R1()), root, root_key, "Only CN",
                                    organization=None, country=None)
    assert [(p.code, p.severity, p.message) for p in check_certificate(leaf)] == [
        ("keys.subject", "warning", "the signer certificate's subject lacks O")]


def test_p521_key_refused(tmp_path: Path) -> None:
    # c2pa-rs would sign es512, but handmade supports only ALGORITHMS.
    key = tmp_path / "k.pem"
    key.write_bytes(ec.generate_private_key(ec.SECP521R1()).private_bytes(
        PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    with pytest.raises(KeyMaterialError) as exc:
        load_identity(key, make_pki(tmp_path / "pki").chain_pem)
    assert exc.value.code == "keys.algorithm"


# --- chain order and formats ---------------------------------------------------------------------------------
def test_root_first_chain_is_reordered_and_trusted(tmp_path: Path, jpeg: bytes) -> None:
    # c2pa-rs refuses a chain that does not start with the signer ("the certificate is invalid").
    pki = make_pki(tmp_path / "pki", root_first=True)
    with pytest.raises(c2pa.C2paError):
        c2pa_sign("es256", pki.chain_pem.read_bytes(), pki.key_pem.read_bytes(), jpeg)
    identity = load_identity(pki.key_pem, pki.chain_pem)
    chain = pem_certs(identity.chain_pem)
    assert chain == [pki.leaf_cert, pki.intermediate_cert]
    assert pki.root_cert not in chain
    assert sign_and_read(identity, jpeg, pki.root_pem.read_bytes()) == ("Trusted", [])


def test_included_root_is_dropped(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki", include_root=True)
    assert pem_certs(load_identity(pki.key_pem, pki.chain_pem).chain_pem) == [pki.leaf_cert, pki.intermediate_cert]


def test_stray_certificate_is_left_out_with_a_warning(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki")
    other = make_pki(tmp_path / "other")
    pki.chain_pem.write_bytes(pki.chain_pem.read_bytes() + other.leaf_cert.public_bytes(PEM))
    problems = check_identity(pki.key_pem, pki.chain_pem)
    assert [(p.code, p.severity) for p in problems] == [("keys.chain_order", "warning")]
    assert other.leaf_cert not in pem_certs(load_identity(pki.key_pem, pki.chain_pem).chain_pem)


def test_pkcs12_bundle_loads_without_a_chain_file(tmp_path: Path, jpeg: bytes) -> None:
    pki = make_pki(tmp_path / "pki")
    assert pki.intermediate_cert is not None
    p12 = tmp_path / "id.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"jane", pki.leaf_key, pki.leaf_cert, [pki.root_cert, pki.intermediate_cert],
        serialization.BestAvailableEncryption(b"p12-pass")))
    identity = load_identity(p12, None, "p12-pass")
    assert identity.leaf == pki.leaf_cert
    assert pem_certs(identity.chain_pem) == [pki.leaf_cert, pki.intermediate_cert]
    assert sign_and_read(identity, jpeg, pki.root_pem.read_bytes()) == ("Trusted", [])
    for wrong in (None, "nope"):
        with pytest.raises(KeyMaterialError) as exc:
            load_identity(p12, None, wrong)
        assert exc.value.code == "keys.passphrase"


def test_pkcs12_without_password(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki", intermediate=False)
    p12 = tmp_path / "id.pfx"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"j", pki.leaf_key, pki.leaf_cert, None,
                                                          serialization.NoEncryption()))
    assert load_identity(p12).leaf == pki.leaf_cert


def test_key_file_holding_its_certificates(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki")
    both = tmp_path / "both.pem"
    both.write_bytes(pki.chain_pem.read_bytes() + pki.key_pem.read_bytes())
    assert load_identity(both).leaf == pki.leaf_cert


def test_key_without_any_certificate(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki")
    assert [p.code for p in check_identity(pki.key_pem)] == ["keys.no_chain"]


@pytest.mark.parametrize("content", [b"-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n",
                                     b"\x00\x01garbage", b"", b"-----BEGIN CERTIFICATE-----\n"])
def test_unreadable_key_is_a_problem_not_an_exception(content: bytes, tmp_path: Path) -> None:
    bad = tmp_path / "k.pem"
    bad.write_bytes(content)
    problems = check_identity(bad, None)
    assert [p.code for p in problems] == ["keys.unreadable"] and problems[0].hint
    with pytest.raises(KeyMaterialError) as exc:
        load_identity(bad)
    assert exc.value.code == "keys.unreadable"


def test_missing_files(tmp_path: Path) -> None:
    assert check_identity(tmp_path / "missing.pem")[0].code == "keys.unreadable"
    pki = make_pki(tmp_path / "pki")
    assert check_identity(pki.key_pem, tmp_path / "nochain.pem")[0].code == "keys.unreadable"
    (tmp_path / "notpem.pem").write_text("hello")
    assert check_identity(pki.key_pem, tmp_path / "notpem.pem")[0].code == "keys.unreadable"


# --- generation --------------------------------------------------------------------------------------------
def test_create_refuses_to_overwrite(tmp_path: Path) -> None:
    first = create_identity(tmp_path / "id", "Jane", passphrase=None)
    before = first.key_path.read_bytes()
    with pytest.raises(KeyMaterialError) as exc:
        create_identity(tmp_path / "id", "Jane", passphrase=None)
    assert exc.value.code == "keys.exists" and exc.value.hint
    assert first.key_path.read_bytes() == before
    first.key_path.chmod(0o644)
    again = create_identity(tmp_path / "id", "Jane", passphrase=SECRET, overwrite=True)
    assert again.key_path.read_bytes() != before
    assert (again.key_path.stat().st_mode & 0o777) == 0o600  # a new file, not the old one's mode
    assert load_identity(again.key_path, again.chain_path, SECRET).subject_name == "Jane"


def test_partial_existing_identity_is_not_touched(tmp_path: Path) -> None:
    (tmp_path / "id").mkdir()
    (tmp_path / "id" / "root-ca.pem").write_text("mine")
    with pytest.raises(KeyMaterialError):
        create_identity(tmp_path / "id", "Jane", passphrase=None)
    assert sorted(p.name for p in (tmp_path / "id").iterdir()) == ["root-ca.pem"]


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"alg": "rsa1024"}, "keys.algorithm"),
    ({"alg": "es512"}, "keys.algorithm"),
    ({"days": 367}, "keys.validity_too_long"),
    ({"days": 0}, "keys.validity_too_long"),
    ({"country": "France"}, "keys.subject"),
    ({"name": ""}, "keys.subject"),
    ({"name": "x" * 80}, "keys.subject"),
])
def test_create_rejects_bad_parameters(kwargs: dict[str, Any], code: str, tmp_path: Path) -> None:
    args: dict[str, Any] = {"name": "Jane", "passphrase": None, **kwargs}
    with pytest.raises(KeyMaterialError) as exc:
        create_identity(tmp_path / "id", **args)
    assert exc.value.code == code
    assert not (tmp_path / "id").exists()


# --- secrets never shown -------------------------------------------------------------------------------------
def test_repr_never_shows_the_key(tmp_path: Path) -> None:
    identity = bundled_test_identity()
    made = create_identity(tmp_path / "id", "Jane", passphrase=None)
    for ident in (identity, load_identity(made.key_path, made.chain_path)):
        text = repr(ident) + str(ident) + f"{ident}"
        body = b"".join(ident.private_key_pem.splitlines()[1:-1]).decode()
        assert "PRIVATE KEY" not in text and body[:24] not in text and body[-24:] not in text
        assert "Jane" in text or "TESTING" in text


def test_keys_never_in_sign_json(tmp_path: Path) -> None:
    from tests.conftest import make_photo

    from handmade.sign import sign_image

    result = sign_image(make_photo(tmp_path / "in.jpg"), tmp_path / "s.jpg")
    blob = json.dumps(result.to_dict())
    assert "PRIVATE" not in blob and bundled_test_identity().private_key_pem.decode().splitlines()[1] not in blob


def test_library_module_does_not_import_c2pa() -> None:
    code = "import sys, handmade.keys; print('c2pa' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
