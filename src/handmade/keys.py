"""Signing keys and certificate chains: load, check against the C2PA certificate profile, generate.

c2pa-rs accepts a signer certificate that is not a CA, has ``digitalSignature`` key usage, an extended key
usage that includes emailProtection (or documentSigning / C2PA claim signing where readers list them), an
AuthorityKeyIdentifier, at most 366 days of validity, and C/O/CN in its subject (C2PA 2.1 §14.5.1,
"Certificate profile"; ../shared/C2PA-NOTES.md). The chain handed to the signer starts with the leaf and
stops before the root; the root is what verifiers configure as a trust anchor.

Private keys never appear in ``repr``, messages or logs. This module does not import c2pa.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from handmade.errors import KeyMaterialError

log = logging.getLogger(__name__)

ALGORITHMS: tuple[str, ...] = ("es256", "es384", "ps256", "ed25519")
PASSPHRASE_ENV = "HANDMADE_KEY_PASSPHRASE"
C2PA_CLAIM_SIGNING = ObjectIdentifier("1.3.6.1.4.1.62558.2.1")
ACCEPTED_EKUS = (ExtendedKeyUsageOID.EMAIL_PROTECTION, ObjectIdentifier("1.3.6.1.5.5.7.3.36"),  # documentSigning
                 C2PA_CLAIM_SIGNING)
MAX_LEAF_DAYS = 366
TEST_CN = "handmade TEST identity - FOR TESTING ONLY"

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey


@dataclass(frozen=True)
class KeyProblem:
    """One problem with a key or chain: a stable code, what is wrong, how to fix it."""

    code: str
    message: str
    hint: str


@dataclass(frozen=True)
class SigningIdentity:
    """A usable signer: algorithm, key (unencrypted PEM, in memory only) and chain (leaf first, no root)."""

    alg: str
    private_key_pem: bytes = field(repr=False)
    chain_pem: bytes = field(repr=False)
    leaf: x509.Certificate = field(repr=False)
    is_test_identity: bool = False

    @property
    def subject_name(self) -> str:
        return _cn(self.leaf.subject)

    @property
    def issuer_name(self) -> str:
        return _cn(self.leaf.issuer)

    def __repr__(self) -> str:
        return f"SigningIdentity(alg={self.alg!r}, subject={self.subject_name!r}, test={self.is_test_identity})"


@dataclass(frozen=True)
class GeneratedIdentity:
    """Where ``create_identity`` wrote the files."""

    key_path: Path
    chain_path: Path
    root_cert_path: Path
    root_key_path: Path
    alg: str
    encrypted: bool


def _cn(name: x509.Name) -> str:
    attrs = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else name.rfc4514_string()


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def alg_for_key(key: Any) -> str:
    """The c2pa signing algorithm for a private key. Raises: KeyMaterialError (``keys.algorithm``)."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if isinstance(key.curve, ec.SECP256R1):
            return "es256"
        if isinstance(key.curve, ec.SECP384R1):
            return "es384"
        if isinstance(key.curve, ec.SECP521R1):
            return "es512"
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise KeyMaterialError(f"RSA keys must have at least 2048 bits (this one has {key.key_size})",
                                   code="keys.algorithm", hint="Create a new key: handmade keys init")
        return "ps256"
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    raise KeyMaterialError(f"unsupported key type {type(key).__name__}", code="keys.algorithm",
                           hint="Use EC P-256/P-384, RSA (PSS) or Ed25519 keys.")


def generate_private_key(alg: str) -> PrivateKey:
    """A new private key for ``alg``. Raises: KeyMaterialError (``keys.algorithm``)."""
    if alg == "es256":
        return ec.generate_private_key(ec.SECP256R1())
    if alg == "es384":
        return ec.generate_private_key(ec.SECP384R1())
    if alg == "ps256":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    if alg == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    raise KeyMaterialError(f"unsupported algorithm '{alg}'", code="keys.algorithm",
                           hint="One of: " + ", ".join(ALGORITHMS))


def _sig_hash(key: Any) -> hashes.SHA256 | None:
    return None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()


def _name(common_name: str, organization: str | None, country: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, country[:2].upper() or "FR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, (organization or common_name)[:64]),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
    ])


def build_root(key: PrivateKey, name: str, *, organization: str | None = None, country: str = "FR",
               days: int = 3650, not_before: dt.datetime | None = None) -> x509.Certificate:
    """A self-signed root CA certificate (the trust anchor verifiers configure)."""
    start = not_before or (_utcnow() - dt.timedelta(hours=1))
    subject = _name(name, organization, country)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, _sig_hash(key)))


def build_intermediate(key: PrivateKey, issuer_cert: x509.Certificate, issuer_key: PrivateKey, name: str, *,
                       organization: str | None = None, country: str = "FR", days: int = 3650) -> x509.Certificate:
    """An intermediate CA (path length 0) issued by ``issuer_cert``."""
    start = _utcnow() - dt.timedelta(hours=1)
    return (x509.CertificateBuilder().subject_name(_name(name, organization, country))
            .issuer_name(issuer_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                           critical=False)
            .sign(issuer_key, _sig_hash(issuer_key)))


def build_signer_certificate(key: PrivateKey, issuer_cert: x509.Certificate, issuer_key: PrivateKey, name: str, *,
                             organization: str | None = None, country: str = "FR", days: int = 365,
                             not_before: dt.datetime | None = None,
                             eku: list[ObjectIdentifier] | None = None, ca: bool = False,
                             key_usage_digital_signature: bool = True, aki: bool = True) -> x509.Certificate:
    """A signer (leaf) certificate per the C2PA profile; the keyword knobs exist to build broken ones in tests.

    ``eku=None`` means emailProtection; ``eku=[]`` leaves the extension out.
    """
    start = not_before or (_utcnow() - dt.timedelta(hours=1))
    builder = (x509.CertificateBuilder().subject_name(_name(name, organization, country))
               .issuer_name(issuer_cert.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(start)
               .not_valid_after(start + dt.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=key_usage_digital_signature, content_commitment=False,
                                            key_encipherment=False, data_encipherment=False, key_agreement=False,
                                            key_cert_sign=ca, crl_sign=False, encipher_only=False,
                                            decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    usages = [ExtendedKeyUsageOID.EMAIL_PROTECTION] if eku is None else eku
    if usages:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    if aki:
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                                        critical=False)
    return builder.sign(issuer_key, _sig_hash(issuer_key))


# --- checks ------------------------------------------------------------------------------------------------
def check_certificate(leaf: x509.Certificate, *, now: dt.datetime | None = None) -> tuple[KeyProblem, ...]:
    """Check a signer certificate against the C2PA certificate profile; every problem, in words."""
    now = now or _utcnow()
    problems: list[KeyProblem] = []
    renew = "Get a new certificate (or run: handmade keys init)."
    if leaf.not_valid_after_utc < now:
        problems.append(KeyProblem("keys.expired", f"the certificate expired on {leaf.not_valid_after_utc:%Y-%m-%d}",
                                   renew))
    if leaf.not_valid_before_utc > now:
        problems.append(KeyProblem("keys.not_yet_valid",
                                   f"the certificate is not valid before {leaf.not_valid_before_utc:%Y-%m-%d}",
                                   "Check the computer's clock, or wait until the certificate is valid."))
    if leaf.subject == leaf.issuer:
        problems.append(KeyProblem("keys.self_signed", "the signer certificate is self-signed",
                                   "C2PA needs a signer certificate issued by a CA; handmade keys init makes "
                                   "a local root CA and a signer certificate."))
    try:
        bc = leaf.extensions.get_extension_for_class(x509.BasicConstraints).value
        if bc.ca:
            problems.append(KeyProblem("keys.ca_leaf", "the signer certificate is a CA certificate",
                                       "Sign with an end-entity certificate (BasicConstraints CA=false)."))
    except x509.ExtensionNotFound:
        pass
    try:
        ku = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
        if not ku.digital_signature:
            problems.append(KeyProblem("keys.key_usage", "the certificate's key usage lacks digitalSignature",
                                       renew))
    except x509.ExtensionNotFound:
        problems.append(KeyProblem("keys.key_usage", "the certificate has no key usage extension", renew))
    try:
        ekus = set(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
        if not ekus & set(ACCEPTED_EKUS):
            problems.append(KeyProblem("keys.eku", "the certificate's extended key usage allows neither "
                                       "emailProtection, documentSigning nor C2PA claim signing",
                                       "Ask your CA for a certificate with the emailProtection EKU "
                                       "(C2PA certificate profile)."))
    except x509.ExtensionNotFound:
        problems.append(KeyProblem("keys.eku", "the certificate has no extended key usage",
                                   "Ask your CA for a certificate with the emailProtection EKU "
                                   "(C2PA certificate profile)."))
    try:
        leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    except x509.ExtensionNotFound:
        problems.append(KeyProblem("keys.no_aki", "the certificate has no authority key identifier", renew))
    days = (leaf.not_valid_after_utc - leaf.not_valid_before_utc).days
    if days > MAX_LEAF_DAYS:
        problems.append(KeyProblem("keys.validity_too_long",
                                   f"the certificate is valid for {days} days; C2PA allows at most {MAX_LEAF_DAYS}",
                                   renew))
    subject = {a.oid for a in leaf.subject}
    if not {NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME, NameOID.COUNTRY_NAME} <= subject:
        problems.append(KeyProblem("keys.subject", "the certificate subject lacks C, O or CN", renew))
    return tuple(problems)


def _passphrase(passphrase: bytes | str | None) -> bytes | None:
    if passphrase is None:
        env = os.environ.get(PASSPHRASE_ENV)
        passphrase = env if env else None
    if isinstance(passphrase, str):
        return passphrase.encode()
    return passphrase


def _load_key_and_certs(key_path: Path, chain_path: Path | None, passphrase: bytes | None,
                        ) -> tuple[Any, list[x509.Certificate]]:
    try:
        data = key_path.read_bytes()
    except OSError as exc:
        raise KeyMaterialError(f"{key_path}: cannot read the key ({exc.strerror})", code="keys.unreadable") from exc
    certs: list[x509.Certificate] = []
    key: Any
    if b"-----BEGIN" not in data:
        # PKCS#12 (.p12/.pfx): key and chain in one file.
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase)
        except ValueError as exc:
            raise KeyMaterialError(f"{key_path}: not a readable PEM or PKCS#12 key, or wrong passphrase",
                                   code="keys.passphrase" if passphrase else "keys.unreadable",
                                   hint=f"Set {PASSPHRASE_ENV} to the bundle's password.") from exc
        certs = ([cert] if cert else []) + list(extra or [])
    else:
        try:
            key = serialization.load_pem_private_key(data, passphrase)
        except TypeError as exc:
            code = "keys.passphrase"
            msg = ("the key is encrypted and no passphrase was given" if passphrase is None
                   else "the key is not encrypted but a passphrase was given")
            if passphrase is not None:
                key = serialization.load_pem_private_key(data, None)
            else:
                raise KeyMaterialError(f"{key_path}: {msg}", code=code,
                                       hint=f"Set {PASSPHRASE_ENV} to the key's passphrase.") from exc
        except ValueError as exc:
            if b"ENCRYPTED" in data:
                raise KeyMaterialError(f"{key_path}: wrong passphrase for the key", code="keys.passphrase",
                                       hint=f"Check {PASSPHRASE_ENV}.") from exc
            raise KeyMaterialError(f"{key_path}: not a readable private key", code="keys.unreadable") from exc
        except UnsupportedAlgorithm as exc:
            raise KeyMaterialError(f"{key_path}: unsupported key algorithm", code="keys.algorithm") from exc
        certs = [c for c in _try_load_pem_certs(data)]
    if chain_path is not None:
        try:
            certs = x509.load_pem_x509_certificates(chain_path.read_bytes())
        except OSError as exc:
            raise KeyMaterialError(f"{chain_path}: cannot read the chain ({exc.strerror})",
                                   code="keys.unreadable") from exc
        except ValueError as exc:
            raise KeyMaterialError(f"{chain_path}: not a PEM certificate chain", code="keys.unreadable") from exc
    return key, certs


def _try_load_pem_certs(data: bytes) -> list[x509.Certificate]:
    if b"BEGIN CERTIFICATE" not in data:
        return []
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError:
        return []


def _public_bytes(key: Any) -> bytes:
    return bytes(key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))


def _order_chain(key: Any, certs: list[x509.Certificate]) -> tuple[list[x509.Certificate], list[KeyProblem]]:
    """Leaf (matching the key) first, then each issuer; self-signed roots dropped."""
    problems: list[KeyProblem] = []
    pub = _public_bytes(key.public_key())
    leaves = [c for c in certs if _public_bytes(c.public_key()) == pub]
    if not leaves:
        return [], [KeyProblem("keys.mismatch", "no certificate in the chain matches the private key",
                               "Give the certificate that was issued for this key (--chain).")]
    ordered = [leaves[0]]
    rest = [c for c in certs if c is not leaves[0]]
    while rest:
        issuer = next((c for c in rest if c.subject == ordered[-1].issuer and c is not ordered[-1]), None)
        if issuer is None:
            break
        rest.remove(issuer)
        ordered.append(issuer)
    if certs and certs[0] is not leaves[0]:
        log.info("certificate chain reordered leaf-first")
    ordered = [c for i, c in enumerate(ordered) if i == 0 or c.subject != c.issuer]
    return ordered, problems


def _identity_from(key: Any, certs: list[x509.Certificate], *, test: bool) -> tuple[SigningIdentity | None,
                                                                                   list[KeyProblem]]:
    problems: list[KeyProblem] = []
    try:
        alg = alg_for_key(key)
    except KeyMaterialError as exc:
        return None, [KeyProblem(exc.code, exc.message, exc.hint or "")]
    if not certs:
        return None, [KeyProblem("keys.no_chain", "no certificate was given for the key",
                                 "Give the certificate chain with --chain (leaf first).")]
    ordered, order_problems = _order_chain(key, certs)
    problems += order_problems
    if not ordered:
        return None, problems
    problems += check_certificate(ordered[0])
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    chain_pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in ordered)
    return SigningIdentity(alg, key_pem, chain_pem, ordered[0], test), problems


def check_identity(key_path: Path | str, chain_path: Path | str | None = None,
                   passphrase: bytes | str | None = None) -> tuple[KeyProblem, ...]:
    """Every problem with a key and its chain, in words; an empty tuple means it can sign.

    Raises: nothing (an unreadable file is reported as a problem).
    """
    try:
        key, certs = _load_key_and_certs(Path(key_path), Path(chain_path) if chain_path else None,
                                         _passphrase(passphrase))
    except KeyMaterialError as exc:
        return (KeyProblem(exc.code, exc.message, exc.hint or ""),)
    _, problems = _identity_from(key, certs, test=False)
    return tuple(problems)


def load_identity(key_path: Path | str, chain_path: Path | str | None = None,
                  passphrase: bytes | str | None = None, *, _test: bool = False) -> SigningIdentity:
    """Load a key (PEM or PKCS#12) and its chain, checked against the C2PA certificate profile.

    An encrypted key takes ``passphrase`` or ``$HANDMADE_KEY_PASSPHRASE``. A chain given root-first is
    reordered leaf-first and a self-signed root in it dropped.
    Raises: KeyMaterialError with the first problem's code (``keys.passphrase``, ``keys.mismatch``,
    ``keys.expired``, ``keys.eku`` ...) and a hint on how to fix it.
    """
    key, certs = _load_key_and_certs(Path(key_path), Path(chain_path) if chain_path else None,
                                     _passphrase(passphrase))
    identity, problems = _identity_from(key, certs, test=_test)
    blocking = [p for p in problems if p.code != "keys.validity_too_long"]
    if identity is None or blocking:
        first = (blocking or problems)[0]
        more = f" (and {len(blocking) - 1} more problem(s): handmade keys check)" if len(blocking) > 1 else ""
        raise KeyMaterialError(f"{key_path}: {first.message}{more}", code=first.code, hint=first.hint)
    for p in problems:
        log.warning("%s: %s", key_path, p.message)
    return identity


# --- the bundled test identity -------------------------------------------------------------------------------
def _test_dir() -> Path:
    packaged = Path(__file__).resolve().parent / "_testkeys"
    if (packaged / "signer.key").is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "keys"


@functools.lru_cache(maxsize=1)
def bundled_test_identity() -> SigningIdentity:
    """The bundled FOR TESTING ONLY identity (keys/ in the repository). Trusted by nobody.

    Raises: KeyMaterialError when it is missing or its certificate has expired (regenerate it with
    ``python -m handmade.keys --regenerate-test-identity``).
    """
    folder = _test_dir()
    try:
        return load_identity(folder / "signer.key", folder / "signer-chain.pem", b"", _test=True)
    except KeyMaterialError as exc:
        raise KeyMaterialError(f"the bundled test identity cannot be used: {exc.message}", code=exc.code,
                               hint="Regenerate it: python -m handmade.keys --regenerate-test-identity, "
                                    "or sign with your own --key/--chain.") from exc


def bundled_test_root_pem() -> bytes:
    """The bundled test root certificate, a trust anchor for tests and the README demo."""
    return (_test_dir() / "root-ca.pem").read_bytes()


# --- generation ----------------------------------------------------------------------------------------------
def _write_private(path: Path, data: bytes, overwrite: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o600)  # created 0600: the key is never readable by others, even briefly
    except FileExistsError as exc:
        raise KeyMaterialError(f"{path}: already exists", code="keys.exists",
                               hint="Choose another folder, or pass --overwrite.") from exc
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)


def _write_public(path: Path, data: bytes, overwrite: bool) -> None:
    if path.exists() and not overwrite:
        raise KeyMaterialError(f"{path}: already exists", code="keys.exists",
                               hint="Choose another folder, or pass --overwrite.")
    path.write_bytes(data)


def _key_pem(key: PrivateKey, passphrase: bytes | None) -> bytes:
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)


def create_identity(out_dir: Path | str, name: str, *, alg: str = "es256", passphrase: bytes | str | None,
                    organization: str | None = None, country: str = "FR", days: int = 365,
                    overwrite: bool = False) -> GeneratedIdentity:
    """Create a local root CA and a signer certificate + key shaped for C2PA; write them to ``out_dir``.

    Files: ``signer.key`` (0600, encrypted unless ``passphrase`` is None), ``signer-chain.pem`` (the leaf),
    ``root-ca.pem`` (give it to verifiers as a trust anchor), ``root-ca.key`` (0600, keep offline).
    Raises: KeyMaterialError (``keys.algorithm``, ``keys.exists``).
    """
    if alg not in ALGORITHMS:
        raise KeyMaterialError(f"unsupported algorithm '{alg}'", code="keys.algorithm",
                               hint="One of: " + ", ".join(ALGORITHMS))
    if days > MAX_LEAF_DAYS:
        raise KeyMaterialError(f"a signer certificate may be valid for at most {MAX_LEAF_DAYS} days",
                               code="keys.validity_too_long")
    pw = passphrase.encode() if isinstance(passphrase, str) else passphrase
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = GeneratedIdentity(out / "signer.key", out / "signer-chain.pem", out / "root-ca.pem",
                              out / "root-ca.key", alg, bool(pw))
    if not overwrite:
        for p in (paths.key_path, paths.chain_path, paths.root_cert_path, paths.root_key_path):
            if p.exists():
                raise KeyMaterialError(f"{p}: already exists", code="keys.exists",
                                       hint="Choose another folder, or pass --overwrite.")
    root_key = generate_private_key(alg)
    root = build_root(root_key, f"{name} Root CA"[:64], organization=organization or name, country=country,
                      days=3650)
    leaf_key = generate_private_key(alg)
    leaf = build_signer_certificate(leaf_key, root, root_key, name, organization=organization or name,
                                    country=country, days=days)
    _write_private(paths.root_key_path, _key_pem(root_key, pw), overwrite)
    _write_private(paths.key_path, _key_pem(leaf_key, pw), overwrite)
    _write_public(paths.chain_path, leaf.public_bytes(serialization.Encoding.PEM), overwrite)
    _write_public(paths.root_cert_path, root.public_bytes(serialization.Encoding.PEM), overwrite)
    return paths


def regenerate_test_identity(folder: Path | None = None) -> None:
    """Rewrite the bundled test identity: root (20 years) -> intermediate (20 years) -> leaf (366 days)."""
    folder = folder or Path(__file__).resolve().parents[2] / "keys"
    folder.mkdir(parents=True, exist_ok=True)
    org = "handmade (testing only)"
    root_key = generate_private_key("es256")
    root = build_root(root_key, "handmade TEST root - FOR TESTING ONLY", organization=org, days=7300)
    mid_key = generate_private_key("es256")
    mid = build_intermediate(mid_key, root, root_key, "handmade TEST intermediate - FOR TESTING ONLY",
                             organization=org, days=7300)
    leaf_key = generate_private_key("es256")
    leaf = build_signer_certificate(leaf_key, mid, mid_key, TEST_CN, organization=org, days=MAX_LEAF_DAYS)
    pem = serialization.Encoding.PEM
    (folder / "signer.key").write_bytes(_key_pem(leaf_key, None))
    (folder / "signer-chain.pem").write_bytes(leaf.public_bytes(pem) + mid.public_bytes(pem))
    (folder / "root-ca.pem").write_bytes(root.public_bytes(pem))


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--regenerate-test-identity"]:
        regenerate_test_identity()
        print("rewrote keys/: signer.key, signer-chain.pem, root-ca.pem (FOR TESTING ONLY)")
    else:
        print("usage: python -m handmade.keys --regenerate-test-identity", file=sys.stderr)
        sys.exit(2)
