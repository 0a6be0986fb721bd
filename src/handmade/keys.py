"""Signing keys and certificate chains: load, check against the C2PA certificate profile, generate.

A signer certificate c2pa-rs accepts (C2PA 2.1 §14.5.1 "Certificate profile"; ../shared/C2PA-NOTES.md)
is not a CA, has the ``digitalSignature`` key usage, an extended key usage that includes
emailProtection, an AuthorityKeyIdentifier, and is valid now. The chain handed to the signer starts
with the leaf and stops before the root; the root is what verifiers configure as a trust anchor.

What c2pa-python 0.38.1 (c2pa-rs 0.91.3) was seen to do with other leaves, which decides how severe
each problem found here is:

- refused at signing ("the certificate is invalid"): no EKU, serverAuth-only or anyExtendedKeyUsage EKU,
  no AKI, no digitalSignature, a CA leaf, expired or not yet valid, a chain given root-first;
- refused by its own verify-after-sign (``signingCredential.invalid: certificate missing required
  EKU``): documentSigning-only or C2PA-claim-signing-only EKU, unless the trust settings list them;
- accepted, and ``Trusted`` by its root: a leaf valid for more than 366 days, a subject lacking C or O,
  a root included at the end of the chain, a chain through an intermediate, a self-signed leaf that is
  itself the trust anchor (refused here all the same: the profile wants a CA-issued signer);
- a chain missing its intermediate signs, but reads ``Valid`` with ``signingCredential.untrusted``.

Problems are therefore ``error`` (cannot sign, or should not) or ``warning`` (outside the profile, but
c2pa signs and validates). Private keys and passphrases never appear in ``repr``, messages or logs.
This module does not import c2pa.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from handmade import labels
from handmade.errors import KeyMaterialError

__all__ = [
    "ACCEPTED_EKUS",
    "ALGORITHMS",
    "C2PA_CLAIM_SIGNING",
    "DOCUMENT_SIGNING",
    "MAX_LEAF_DAYS",
    "PASSPHRASE_ENV",
    "GeneratedIdentity",
    "KeyProblem",
    "SigningIdentity",
    "alg_for_key",
    "build_intermediate",
    "build_root",
    "build_signer_certificate",
    "bundled_test_identity",
    "bundled_test_root_pem",
    "check_certificate",
    "check_identity",
    "create_identity",
    "generate_private_key",
    "load_identity",
    "regenerate_test_identity",
]

log = logging.getLogger(__name__)

ALGORITHMS: tuple[str, ...] = ("es256", "es384", "ps256", "ed25519")
PASSPHRASE_ENV = "HANDMADE_KEY_PASSPHRASE"
C2PA_CLAIM_SIGNING = ObjectIdentifier("1.3.6.1.4.1.62558.2.1")
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
ACCEPTED_EKUS: tuple[ObjectIdentifier, ...] = (ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING,
                                               C2PA_CLAIM_SIGNING)
MAX_LEAF_DAYS = 366
TEST_CN = labels.TEST_CN
TEST_ORG = "handmade (testing only)"
TEST_COUNTRY = "FR"
TEST_CA_DAYS = 7305  # 20 years

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey

_RENEW = "Get a certificate made for C2PA signing from your CA, or make your own: handmade keys init."
_EKU_HINT = "Ask your CA for a certificate with the emailProtection extended key usage (C2PA certificate profile)."
_PASS_HINT = f"Give the key's passphrase (or set {PASSPHRASE_ENV})."
_EXISTS_HINT = "Choose another folder, or pass --overwrite."


@dataclass(frozen=True)
class KeyProblem:
    """One problem with a key or chain: a stable code, what is wrong, how to fix it.

    ``severity`` is ``"error"`` (``load_identity`` refuses the identity) or ``"warning"`` (outside the
    C2PA certificate profile, but c2pa signs with it and validates the result; only logged).
    """

    code: str
    message: str
    hint: str
    severity: Literal["error", "warning"] = "error"


@dataclass(frozen=True)
class SigningIdentity:
    """A usable signer: algorithm, key (unencrypted PKCS#8 PEM, in memory only), chain (leaf first, no root).

    ``repr`` shows the algorithm and subject, never the key.
    """

    alg: str
    private_key_pem: bytes = field(repr=False)
    chain_pem: bytes = field(repr=False)
    leaf: x509.Certificate = field(repr=False)
    is_test_identity: bool = False
    #: Set when the key stays in a PKCS#11 token (``handmade._pkcs11``); ``private_key_pem`` is then empty.
    pkcs11: Any = field(default=None, repr=False, compare=False)

    @property
    def subject_name(self) -> str:
        """The signer certificate's common name (or the whole subject if it has none)."""
        return _cn(self.leaf.subject)

    @property
    def issuer_name(self) -> str:
        """The issuing CA's common name (or its whole name if it has none)."""
        return _cn(self.leaf.issuer)

    def __repr__(self) -> str:
        return f"SigningIdentity(alg={self.alg!r}, subject={self.subject_name!r}, test={self.is_test_identity})"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Certificates do not pickle; batch workers started by a fork server rebuild the leaf from the PEM.
        return (_rebuild_identity, (self.alg, self.private_key_pem, self.chain_pem, self.is_test_identity,
                                    self.pkcs11))


def _rebuild_identity(alg: str, key_pem: bytes, chain_pem: bytes, test: bool, pkcs11: Any = None) -> SigningIdentity:
    return SigningIdentity(alg, key_pem, chain_pem, x509.load_pem_x509_certificates(chain_pem)[0], test, pkcs11)


@dataclass(frozen=True)
class GeneratedIdentity:
    """Where ``create_identity`` wrote the files, and how."""

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


# --- algorithms and building blocks ------------------------------------------------------------------------
def alg_for_key(key: object) -> str:
    """The c2pa signing algorithm for a private key: P-256 es256, P-384 es384, RSA ps256, Ed25519 ed25519.

    Raises: KeyMaterialError (``keys.algorithm``) for any other key (P-521, RSA under 2048 bits, DSA ...).
    """
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if isinstance(key.curve, ec.SECP256R1):
            return "es256"
        if isinstance(key.curve, ec.SECP384R1):
            return "es384"
        raise KeyMaterialError(f"EC keys on curve {key.curve.name} are not supported", code="keys.algorithm",
                               hint="Use an EC P-256 or P-384, RSA (2048 bits or more) or Ed25519 key.")
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise KeyMaterialError(f"RSA keys must have at least 2048 bits (this one has {key.key_size})",
                                   code="keys.algorithm", hint="Make a new key: handmade keys init.")
        return "ps256"
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    raise KeyMaterialError(f"unsupported key type {type(key).__name__}", code="keys.algorithm",
                           hint="Use an EC P-256 or P-384, RSA (2048 bits or more) or Ed25519 key.")


def alg_for_public_key(public_key: object) -> str:
    """``alg_for_key`` for a public key (a certificate's, when the private key is in a token).

    Raises: KeyMaterialError (``keys.algorithm``).
    """
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        if isinstance(public_key.curve, ec.SECP256R1 | ec.SECP384R1):
            return "es256" if isinstance(public_key.curve, ec.SECP256R1) else "es384"
    elif isinstance(public_key, rsa.RSAPublicKey) and public_key.key_size >= 2048:
        return "ps256"
    elif isinstance(public_key, ed25519.Ed25519PublicKey):
        return "ed25519"
    raise KeyMaterialError("the signer certificate's key type is not supported", code="keys.algorithm",
                           hint="Use an EC P-256 or P-384, RSA (2048 bits or more) or Ed25519 key.")


def generate_private_key(alg: str) -> PrivateKey:
    """A new private key for a c2pa algorithm in ``ALGORITHMS`` (RSA keys are 3072 bits).

    Raises: KeyMaterialError (``keys.algorithm``) for an algorithm not in ``ALGORITHMS``.
    """
    if alg == "es256":
        return ec.generate_private_key(ec.SECP256R1())
    if alg == "es384":
        return ec.generate_private_key(ec.SECP384R1())
    if alg == "ps256":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    if alg == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    raise KeyMaterialError(f"unsupported algorithm '{alg}'", code="keys.algorithm",
                           hint="One of: " + ", ".join(ALGORITHMS) + ".")


def _sig_hash(key: PrivateKey) -> hashes.SHA256 | None:
    return None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()


def _name(common_name: str, organization: str | None, country: str | None) -> x509.Name:
    attrs = []
    if country:
        attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, country))
    if organization:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attrs)


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                         encipher_only=False, decipher_only=False)


def _window(not_before: dt.datetime | None, days: int) -> tuple[dt.datetime, dt.datetime]:
    start = not_before or (_utcnow() - dt.timedelta(minutes=5))  # a little slack for clock skew
    return start, start + dt.timedelta(days=days)


def build_root(key: PrivateKey, name: str, *, organization: str | None = None, country: str | None = "FR",
               days: int = 3650, not_before: dt.datetime | None = None) -> x509.Certificate:
    """A self-signed root CA certificate (CA, keyCertSign), the trust anchor verifiers configure.

    Raises: ValueError from cryptography for an invalid name (a country that is not two letters).
    """
    start, end = _window(not_before, days)
    subject = _name(name, organization, country)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_ca_key_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, _sig_hash(key)))


def build_intermediate(key: PrivateKey, issuer_cert: x509.Certificate, issuer_key: PrivateKey, name: str, *,
                       organization: str | None = None, country: str | None = "FR", days: int = 3650,
                       not_before: dt.datetime | None = None) -> x509.Certificate:
    """An intermediate CA (path length 0, keyCertSign) issued by ``issuer_cert``.

    Raises: ValueError from cryptography for an invalid name.
    """
    start, end = _window(not_before, days)
    return (x509.CertificateBuilder().subject_name(_name(name, organization, country))
            .issuer_name(issuer_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_ca_key_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                           critical=False)
            .sign(issuer_key, _sig_hash(issuer_key)))


def build_signer_certificate(key: PrivateKey, issuer_cert: x509.Certificate, issuer_key: PrivateKey, name: str, *,
                             organization: str | None = None, country: str | None = "FR", days: int = 365,
                             not_before: dt.datetime | None = None) -> x509.Certificate:
    """A signer (leaf) certificate per the C2PA profile, issued by ``issuer_cert``.

    BasicConstraints CA=false, KeyUsage digitalSignature (critical), EKU emailProtection, AKI and SKI;
    ``days`` is not capped here (the tests' broken certificates are built in ``tests/pki.py``).
    Raises: ValueError from cryptography for an invalid name.
    """
    start, end = _window(not_before, days)
    return (x509.CertificateBuilder().subject_name(_name(name, organization, country))
            .issuer_name(issuer_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                           critical=False)
            .sign(issuer_key, _sig_hash(issuer_key)))


# --- checks ------------------------------------------------------------------------------------------------
def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether ``issuer`` signed ``cert`` (names and signature)."""
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError):
        return False
    except UnsupportedAlgorithm:
        return True  # a signature scheme cryptography cannot check: trust the names
    return True


def _self_signed(cert: x509.Certificate) -> bool:
    return _issued_by(cert, cert)


def check_certificate(leaf: x509.Certificate, *, now: dt.datetime | None = None) -> tuple[KeyProblem, ...]:
    """Check a signer certificate against the C2PA certificate profile; every problem found, in words.

    Errors: expired, not yet valid, self-signed, CA, no digitalSignature, no accepted EKU, no AKI.
    Warnings: documentSigning / claim signing without emailProtection (c2pa's default trust settings
    refuse them), longer than 366 days, subject without O/CN.
    Raises: nothing.
    """
    now = now or _utcnow()
    problems: list[KeyProblem] = []
    if leaf.not_valid_after_utc < now:
        problems.append(KeyProblem("keys.expired", f"the signer certificate expired on "
                                   f"{leaf.not_valid_after_utc:%Y-%m-%d}", _RENEW))
    if leaf.not_valid_before_utc > now:
        problems.append(KeyProblem("keys.not_yet_valid", f"the signer certificate is not valid before "
                                   f"{leaf.not_valid_before_utc:%Y-%m-%d %H:%M} UTC",
                                   "Check the computer's clock, or wait until the certificate is valid."))
    if leaf.subject == leaf.issuer and _self_signed(leaf):
        problems.append(KeyProblem("keys.self_signed", "the signer certificate is self-signed",
                                   "C2PA wants a signer certificate issued by a CA; 'handmade keys init' makes "
                                   "a local root CA and a signer certificate issued by it."))
    try:
        if leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            problems.append(KeyProblem("keys.ca_leaf", "the signer certificate is a CA certificate",
                                       "Sign with an end-entity certificate (BasicConstraints CA=false), "
                                       "not with the CA's own certificate."))
    except x509.ExtensionNotFound:
        pass
    try:
        if not leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature:
            problems.append(KeyProblem("keys.key_usage", "the signer certificate's key usage lacks "
                                       "digitalSignature", _RENEW))
    except x509.ExtensionNotFound:
        problems.append(KeyProblem("keys.key_usage", "the signer certificate has no key usage extension", _RENEW))
    try:
        ekus = set(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        problems.append(KeyProblem("keys.eku", "the signer certificate has no extended key usage", _EKU_HINT))
    else:
        if not ekus & set(ACCEPTED_EKUS):
            problems.append(KeyProblem("keys.eku", "the signer certificate's extended key usage allows neither "
                                       "emailProtection, documentSigning nor C2PA claim signing", _EKU_HINT))
        elif ExtendedKeyUsageOID.EMAIL_PROTECTION not in ekus:
            problems.append(KeyProblem("keys.eku", "the signer certificate allows documentSigning or C2PA claim "
                                       "signing but not emailProtection; c2pa's default trust settings refuse it",
                                       _EKU_HINT, "warning"))
    try:
        leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    except x509.ExtensionNotFound:
        problems.append(KeyProblem("keys.no_aki", "the signer certificate has no authority key identifier", _RENEW))
    span = leaf.not_valid_after_utc - leaf.not_valid_before_utc
    if span > dt.timedelta(days=MAX_LEAF_DAYS):
        problems.append(KeyProblem("keys.validity_too_long", f"the signer certificate is valid for {span.days} "
                                   f"days; the C2PA profile allows at most {MAX_LEAF_DAYS}", _RENEW, "warning"))
    present = {a.oid for a in leaf.subject}
    # C (country) is not asked for: c2pa-rs 0.38 signs with, validates and trusts a signer whose subject has
    # no C (tests/unit/test_keys_workflow.py), and a person need not name a country to sign.
    missing = [label for oid, label in ((NameOID.ORGANIZATION_NAME, "O"), (NameOID.COMMON_NAME, "CN"))
               if oid not in present]
    if missing:
        problems.append(KeyProblem("keys.subject", f"the signer certificate's subject lacks {', '.join(missing)}",
                                   _RENEW, "warning"))
    return tuple(problems)


# --- loading -------------------------------------------------------------------------------------------------
def _resolve_passphrase(passphrase: bytes | str | None, *, use_env: bool = True) -> bytes | None:
    if passphrase is None and use_env:
        passphrase = os.environ.get(PASSPHRASE_ENV) or None
    if isinstance(passphrase, str):
        passphrase = passphrase.encode()
    return passphrase


def _load_pkcs12(path: Path, data: bytes, passphrase: bytes | None) -> tuple[object, list[x509.Certificate]]:
    attempts = [passphrase] if passphrase is not None else [None, b""]
    for attempt in attempts:
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, attempt)
        except ValueError:
            continue
        except UnsupportedAlgorithm as exc:
            raise KeyMaterialError(f"{path}: the PKCS#12 bundle uses an unsupported algorithm",
                                   code="keys.algorithm", hint="Export it again with AES encryption.") from exc
        if key is None:
            raise KeyMaterialError(f"{path}: the PKCS#12 bundle holds no private key", code="keys.unreadable",
                                   hint="Export the bundle again with its private key.")
        return key, ([cert] if cert else []) + list(extra)
    if not data.startswith(b"\x30"):
        raise KeyMaterialError(f"{path}: neither a PEM private key nor a PKCS#12 bundle", code="keys.unreadable",
                               hint="Give a PEM private key (with --chain) or a .p12/.pfx bundle.")
    if passphrase is None:
        raise KeyMaterialError(f"{path}: the PKCS#12 bundle is protected and no passphrase was given, "
                               "or it is damaged", code="keys.passphrase", hint=_PASS_HINT)
    raise KeyMaterialError(f"{path}: wrong passphrase for the PKCS#12 bundle, or it is damaged",
                           code="keys.passphrase", hint=f"Check the passphrase ({PASSPHRASE_ENV}).")


def _load_pem_key(path: Path, data: bytes, passphrase: bytes | None) -> object:
    encrypted = b"ENCRYPTED" in data  # PKCS#8 "ENCRYPTED PRIVATE KEY" and traditional "Proc-Type: 4,ENCRYPTED"
    if encrypted and not passphrase:
        raise KeyMaterialError(f"{path}: the key is encrypted and no passphrase was given", code="keys.passphrase",
                               hint=_PASS_HINT)
    try:
        return serialization.load_pem_private_key(data, passphrase if encrypted else None)
    except ValueError as exc:
        if encrypted:
            raise KeyMaterialError(f"{path}: wrong passphrase for the key, or the key is damaged",
                                   code="keys.passphrase", hint=f"Check the passphrase ({PASSPHRASE_ENV}).") from exc
        raise KeyMaterialError(f"{path}: no readable private key in this file", code="keys.unreadable",
                               hint="Give the signer's private key (PEM or .p12/.pfx).") from exc
    except TypeError as exc:
        raise KeyMaterialError(f"{path}: no readable private key in this file", code="keys.unreadable",
                               hint="Give the signer's private key (PEM or .p12/.pfx).") from exc
    except UnsupportedAlgorithm as exc:
        raise KeyMaterialError(f"{path}: the key uses an unsupported algorithm or encryption",
                               code="keys.algorithm", hint="Use an EC P-256/P-384, RSA or Ed25519 key.") from exc


def _pem_certs(data: bytes) -> list[x509.Certificate]:
    if b"-----BEGIN CERTIFICATE-----" not in data:
        return []
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError:
        return []


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise KeyMaterialError(f"{path}: cannot read the {what} ({exc.strerror or type(exc).__name__})",
                               code="keys.unreadable", hint=f"Check the {what} file's path and permissions.") from exc


def _load_key_and_certs(key_path: Path, chain_path: Path | None, passphrase: bytes | None,
                        ) -> tuple[object, list[x509.Certificate]]:
    data = _read(key_path, "key")
    if b"-----BEGIN" in data:
        key = _load_pem_key(key_path, data, passphrase)
        certs = _pem_certs(data)  # a PEM may hold the certificates next to the key
    else:
        key, certs = _load_pkcs12(key_path, data, passphrase)
    if chain_path is not None:
        chain_data = _read(chain_path, "certificate chain")
        try:
            from_chain = x509.load_pem_x509_certificates(chain_data)
        except ValueError as exc:
            raise KeyMaterialError(f"{chain_path}: no PEM certificate in this file", code="keys.unreadable",
                                   hint="Give the certificate chain as PEM, signer certificate first.") from exc
        seen = {c.fingerprint(hashes.SHA256()) for c in from_chain}
        certs = from_chain + [c for c in certs if c.fingerprint(hashes.SHA256()) not in seen]
    return key, certs


def _spki(public_key: Any) -> bytes:
    return bytes(public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))


class _PublicOnly:
    """What ``_order_chain`` needs of a key (its public half) when the private half is elsewhere."""

    def __init__(self, public_key: Any) -> None:
        self._public = public_key

    def public_key(self) -> Any:
        return self._public


def order_certificates(leaf: x509.Certificate, certs: list[x509.Certificate]) -> list[x509.Certificate]:
    """``leaf`` then its issuers found in ``certs``, a self-signed root left out (as for file keys)."""
    ordered, _ = _order_chain(_PublicOnly(leaf.public_key()), certs, _utcnow())
    return ordered or [leaf]


def _order_chain(key: Any, certs: list[x509.Certificate], now: dt.datetime,
                 ) -> tuple[list[x509.Certificate], list[KeyProblem]]:
    """The signer's path: the certificate matching ``key`` first, then each issuer; self-signed roots left out."""
    pub = _spki(key.public_key())
    leaves = [c for c in certs if _spki(c.public_key()) == pub]
    if not leaves:
        return [], [KeyProblem("keys.mismatch", "no certificate in the chain matches the private key",
                               "Give the certificate that was issued for this key (signer certificate first).")]
    # Several certificates for one key (a renewal): prefer one valid now, then the latest.
    leaf = max(leaves, key=lambda c: (c.not_valid_before_utc <= now <= c.not_valid_after_utc, c.not_valid_after_utc))
    ordered, pool = [leaf], [c for c in certs if c is not leaf and c not in leaves]
    while not (len(ordered) > 1 and _self_signed(ordered[-1])):
        issuer = next((c for c in pool if _issued_by(ordered[-1], c)), None)
        if issuer is None:
            break
        pool.remove(issuer)
        ordered.append(issuer)
    if len(ordered) > 1 and _self_signed(ordered[-1]):
        ordered.pop()  # the root is the verifier's trust anchor, not part of what the signer embeds
    if certs[0] is not leaf:
        log.info("certificate chain reordered: signer certificate first")
    problems = []
    strays = [c for c in pool if not _self_signed(c)]
    if strays:
        problems.append(KeyProblem("keys.chain_order", f"{len(strays)} certificate(s) in the chain do not issue "
                                   "the signer certificate or its CAs; they were left out",
                                   "Give only the signer certificate and its intermediate CA(s).", "warning"))
    return ordered, problems


def _identity_from(key: object, certs: list[x509.Certificate], *, test: bool,
                   ) -> tuple[SigningIdentity | None, list[KeyProblem]]:
    try:
        alg = alg_for_key(key)
    except KeyMaterialError as exc:
        return None, [KeyProblem(exc.code, exc.message, exc.hint or "")]
    if not certs:
        return None, [KeyProblem("keys.no_chain", "no certificate was given for the key",
                                 "Give the certificate chain (signer certificate first) with --chain.")]
    now = _utcnow()
    ordered, problems = _order_chain(key, certs, now)
    if not ordered:
        return None, problems
    problems = list(check_certificate(ordered[0], now=now)) + problems
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        return None, [KeyProblem("keys.algorithm", "unsupported key type", "Use an EC, RSA or Ed25519 key.")]
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    chain_pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in ordered)
    return SigningIdentity(alg, key_pem, chain_pem, ordered[0], test), problems


def _paths(key_path: Path | str, chain_path: Path | str | None) -> tuple[Path, Path | None]:
    return Path(key_path), (Path(chain_path) if chain_path is not None and str(chain_path) else None)


def check_identity(key_path: Path | str, chain_path: Path | str | None = None,
                   passphrase: bytes | str | None = None) -> tuple[KeyProblem, ...]:
    """Every problem with a key and its chain, in words, for ``handmade keys check``.

    An empty tuple means the identity can sign; a tuple holding only warnings means it can sign too.
    An encrypted key with no ``passphrase`` takes ``$HANDMADE_KEY_PASSPHRASE``.
    Raises: nothing for bad key material (an unreadable file is reported as a ``keys.unreadable`` problem).
    """
    key_file, chain_file = _paths(key_path, chain_path)
    try:
        key, certs = _load_key_and_certs(key_file, chain_file, _resolve_passphrase(passphrase))
        _, problems = _identity_from(key, certs, test=False)
    except KeyMaterialError as exc:
        return (KeyProblem(exc.code, exc.message, exc.hint or ""),)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:  # malformed input cryptography chokes on
        return (KeyProblem("keys.unreadable", f"{key_file}: unreadable key material ({type(exc).__name__})",
                           "Give a PEM private key with its PEM chain, or a .p12/.pfx bundle."),)
    return tuple(problems)


@dataclass(frozen=True)
class IdentityDetails:
    """What ``handmade keys check`` shows about a signer: who, by whom, which algorithm, how long."""

    subject: str
    issuer: str
    alg: str
    not_before: dt.datetime
    not_after: dt.datetime
    days_left: int
    chain_length: int
    sha256: str
    is_test_identity: bool


def identity_details(key_path: Path | str, chain_path: Path | str | None = None,
                     passphrase: bytes | str | None = None, *, now: dt.datetime | None = None,
                     ) -> tuple[IdentityDetails | None, tuple[KeyProblem, ...]]:
    """``check_identity``'s problems, and the signer certificate's details when the key and chain could be
    read (None when they could not). ``is_test_identity`` is true when the key is the bundled public TEST
    key, wherever the file lies.
    Raises: nothing for bad key material (as ``check_identity``).
    """
    key_file, chain_file = _paths(key_path, chain_path)
    try:
        key, certs = _load_key_and_certs(key_file, chain_file, _resolve_passphrase(passphrase))
        identity, problems = _identity_from(key, certs, test=False)
    except KeyMaterialError as exc:
        return None, (KeyProblem(exc.code, exc.message, exc.hint or ""),)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        return None, (KeyProblem("keys.unreadable", f"{key_file}: unreadable key material ({type(exc).__name__})",
                                 "Give a PEM private key with its PEM chain, or a .p12/.pfx bundle."),)
    if identity is None:
        return None, tuple(problems)
    return details_of(identity, now=now), tuple(problems)


def details_of(identity: SigningIdentity, *, now: dt.datetime | None = None) -> IdentityDetails:
    """``IdentityDetails`` of a loaded identity (a file key or a token key). Raises: nothing."""
    leaf = identity.leaf
    try:
        test_spki = _spki(_cached_test_identity(_test_dir()).leaf.public_key())
    except KeyMaterialError:
        test_spki = b""
    left = leaf.not_valid_after_utc - (now or _utcnow())
    return IdentityDetails(
        subject=leaf.subject.rfc4514_string(), issuer=leaf.issuer.rfc4514_string(), alg=identity.alg,
        not_before=leaf.not_valid_before_utc, not_after=leaf.not_valid_after_utc,
        days_left=left.days, chain_length=len(x509.load_pem_x509_certificates(identity.chain_pem)),
        sha256=leaf.fingerprint(hashes.SHA256()).hex(":").upper(),
        is_test_identity=_spki(leaf.public_key()) == test_spki)


def _load(key_path: Path | str, chain_path: Path | str | None, passphrase: bytes | None, *,
          test: bool) -> SigningIdentity:
    key_file, chain_file = _paths(key_path, chain_path)
    key, certs = _load_key_and_certs(key_file, chain_file, passphrase)
    identity, problems = _identity_from(key, certs, test=test)
    errors = [p for p in problems if p.severity == "error"]
    if identity is None or errors:
        first = (errors or problems)[0]
        more = f" (and {len(errors) - 1} more problem(s): see handmade keys check)" if len(errors) > 1 else ""
        raise KeyMaterialError(f"{key_file}: {first.message}{more}", code=first.code, hint=first.hint)
    for p in problems:
        log.warning("%s: %s [%s]", key_file, p.message, p.code)
    return identity


def load_identity(key_path: Path | str, chain_path: Path | str | None = None,
                  passphrase: bytes | str | None = None) -> SigningIdentity:
    """Load a signer's key and chain, checked against the C2PA certificate profile, ready for c2pa.

    ``key_path``: a PEM private key (PKCS#8 or traditional EC/RSA, encrypted or not; it may also hold the
    certificates) or a PKCS#12 bundle (.p12/.pfx; then ``chain_path`` may be None). ``chain_path``: PEM
    certificates in any order; the result is the signer certificate then its intermediates, a
    self-signed root left out. An encrypted key with no ``passphrase`` takes
    ``$HANDMADE_KEY_PASSPHRASE``. Warning-level problems are logged, not raised.
    Raises: KeyMaterialError with the first error's code (``keys.unreadable``, ``keys.passphrase``,
    ``keys.algorithm``, ``keys.mismatch``, ``keys.no_chain``, ``keys.expired``, ``keys.eku`` ...) and a hint.
    """
    return _load(key_path, chain_path, _resolve_passphrase(passphrase), test=False)


# --- the bundled test identity -------------------------------------------------------------------------------
def _repo_keys_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "keys"


def _test_dir() -> Path:
    packaged = Path(__file__).resolve().parent / "_testkeys"  # wheels (pyproject force-include)
    if (packaged / "signer.key").is_file():
        return packaged
    return _repo_keys_dir()  # source checkouts and editable installs


_REGENERATE_HINT = ("Regenerate it in a source checkout: python scripts/make-test-keys.py "
                    "(or upgrade handmade), or sign with your own key and chain.")


@functools.lru_cache(maxsize=1)
def _cached_test_identity(folder: Path) -> SigningIdentity:
    return _load(folder / "signer.key", folder / "signer-chain.pem", None, test=True)


def bundled_test_identity() -> SigningIdentity:
    """The bundled FOR TESTING ONLY identity (``keys/``, or ``handmade/_testkeys`` in a wheel). Trusted by nobody.

    Loaded once per process; its expiry is checked on every call.
    Raises: KeyMaterialError when it is missing or unusable, or its certificate has expired
    (``keys.expired``; the hint says how to regenerate it).
    """
    try:
        identity = _cached_test_identity(_test_dir())
    except KeyMaterialError as exc:
        raise KeyMaterialError(f"the bundled test identity cannot be used: {exc.message}", code=exc.code,
                               hint=_REGENERATE_HINT) from exc
    if identity.leaf.not_valid_after_utc < _utcnow():
        raise KeyMaterialError(f"the bundled test identity expired on {identity.leaf.not_valid_after_utc:%Y-%m-%d}",
                               code="keys.expired", hint=_REGENERATE_HINT)
    return identity


def bundled_test_root_pem() -> bytes:
    """The bundled test root certificate (PEM), a trust anchor for tests and the README demo.

    Raises: KeyMaterialError (``keys.unreadable``) when the file is missing.
    """
    return _read(_test_dir() / "root-ca.pem", "test root certificate")


# --- generation ----------------------------------------------------------------------------------------------
def _write_new(path: Path, data: bytes, mode: int, overwrite: bool) -> None:
    """Write ``data`` into a file created now with exactly ``mode`` (whatever the umask).

    The file is opened with ``O_CREAT | O_EXCL | O_NOFOLLOW``: a symbolic link in its place is never
    followed (a dangling link cannot create its target, a live one is not written through). With
    ``overwrite`` the old entry (file or link) is removed first, so an old file's looser mode is not kept.
    Raises: KeyMaterialError (``keys.exists``).
    """
    if overwrite:
        path.unlink(missing_ok=True)  # unlink removes a link itself, never its target
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
    except FileExistsError as exc:
        raise KeyMaterialError(f"{path}: already exists", code="keys.exists", hint=_EXISTS_HINT) from exc
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fh.fileno(), mode)  # the umask narrowed or widened nothing
        fh.write(data)


def _write_private(path: Path, data: bytes, overwrite: bool) -> None:
    """Write a private key into a file created with mode 0600 (never readable by others, even briefly)."""
    _write_new(path, data, 0o600, overwrite)


def _write_public(path: Path, data: bytes, overwrite: bool) -> None:
    """Write a certificate into a file created with mode 0644 (readable, writable by its owner only)."""
    _write_new(path, data, 0o644, overwrite)


def _key_pem(key: PrivateKey, passphrase: bytes | None) -> bytes:
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)


def create_identity(out_dir: Path | str, name: str, *, alg: str = "es256", passphrase: bytes | str | None,
                    organization: str | None = None, country: str | None = None, days: int = 365,
                    overwrite: bool = False) -> GeneratedIdentity:
    """Make a local root CA and a C2PA signer certificate and key, and write them to ``out_dir``.

    Files: ``signer.key`` and ``root-ca.key`` (created 0600, encrypted with ``passphrase`` unless it is
    None or empty), ``signer-chain.pem`` (the signer certificate; the root is not included),
    ``root-ca.pem`` (give it to verifiers as a trust anchor). The root is valid 10 years, the signer
    ``days`` (at most 366). Without ``country`` the certificates name none (no C in the subject).
    Nothing is written if any of the four files exists and not ``overwrite``.
    Raises: KeyMaterialError (``keys.algorithm``, ``keys.exists``, ``keys.validity_too_long``,
    ``keys.subject`` for an empty or over-long name or a country that is not two letters).
    """
    if alg not in ALGORITHMS:
        raise KeyMaterialError(f"unsupported algorithm '{alg}'", code="keys.algorithm",
                               hint="One of: " + ", ".join(ALGORITHMS) + ".")
    if not 1 <= days <= MAX_LEAF_DAYS:
        raise KeyMaterialError(f"a signer certificate must be valid between 1 and {MAX_LEAF_DAYS} days",
                               code="keys.validity_too_long", hint=f"Use --days {MAX_LEAF_DAYS} or less.")
    if not name.strip() or len(name) > 56:  # CN is at most 64 characters, and the root adds " Root CA"
        raise KeyMaterialError("the name must have 1 to 56 characters", code="keys.subject",
                               hint="Give a shorter name (your name or your organisation's).")
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise KeyMaterialError(f"'{country}' is not a two-letter country code", code="keys.subject",
                               hint="Use an ISO 3166 code such as FR, DE, US.")
    org = (organization or name)[:64]
    pw = _resolve_passphrase(passphrase, use_env=False) or None
    out = Path(out_dir)
    made = GeneratedIdentity(out / "signer.key", out / "signer-chain.pem", out / "root-ca.pem",
                             out / "root-ca.key", alg, pw is not None)
    if not overwrite:
        for p in (made.key_path, made.chain_path, made.root_cert_path, made.root_key_path):
            if os.path.lexists(p):  # a link, even dangling, counts: nothing is written through it
                raise KeyMaterialError(f"{p}: already exists", code="keys.exists", hint=_EXISTS_HINT)
    out.mkdir(parents=True, exist_ok=True)
    root_key = generate_private_key(alg)
    c = country.upper() if country else None
    root = build_root(root_key, f"{name} Root CA", organization=org, country=c, days=3650)
    leaf_key = generate_private_key(alg)
    leaf = build_signer_certificate(leaf_key, root, root_key, name, organization=org, country=c, days=days)
    _write_private(made.root_key_path, _key_pem(root_key, pw), overwrite)
    _write_private(made.key_path, _key_pem(leaf_key, pw), overwrite)
    _write_public(made.chain_path, leaf.public_bytes(serialization.Encoding.PEM), overwrite)
    _write_public(made.root_cert_path, root.public_bytes(serialization.Encoding.PEM), overwrite)
    log.info("created a %s signing identity for %r in %s (key %s)", alg, name, out,
             "encrypted" if pw else "NOT encrypted")
    return made


def regenerate_test_identity(folder: Path | str | None = None) -> Path:
    """Rewrite the bundled FOR TESTING ONLY identity; returns the folder written.

    Root (20 years) -> intermediate (20 years) -> signer (366 days from now), all EC P-256; writes
    ``signer.key`` (unencrypted PKCS#8: the key is public on purpose), ``signer-chain.pem`` (signer then
    intermediate) and ``root-ca.pem``. ``folder`` defaults to the source checkout's ``keys/``.
    ``scripts/make-test-keys.py`` runs it.
    Raises: KeyMaterialError (``keys.unreadable``) when no folder is given and this is not a source checkout.
    """
    if folder is None:
        target = _repo_keys_dir()
        if not (target.parent / "pyproject.toml").is_file():
            raise KeyMaterialError(f"{target.parent} is not a handmade source checkout", code="keys.unreadable",
                                   hint="Run it from a git checkout of handmade, or give a folder.")
    else:
        target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    root_key = generate_private_key("es256")
    root = build_root(root_key, "handmade TEST root - FOR TESTING ONLY", organization=TEST_ORG,
                      country=TEST_COUNTRY, days=TEST_CA_DAYS)
    mid_key = generate_private_key("es256")
    mid = build_intermediate(mid_key, root, root_key, "handmade TEST intermediate - FOR TESTING ONLY",
                             organization=TEST_ORG, country=TEST_COUNTRY, days=TEST_CA_DAYS)
    leaf_key = generate_private_key("es256")
    leaf = build_signer_certificate(leaf_key, mid, mid_key, TEST_CN, organization=TEST_ORG, country=TEST_COUNTRY,
                                    days=MAX_LEAF_DAYS, not_before=_utcnow())
    pem = serialization.Encoding.PEM
    (target / "signer.key").write_bytes(_key_pem(leaf_key, None))
    (target / "signer-chain.pem").write_bytes(leaf.public_bytes(pem) + mid.public_bytes(pem))
    (target / "root-ca.pem").write_bytes(root.public_bytes(pem))
    _cached_test_identity.cache_clear()
    log.info("rewrote the test identity in %s; its signer certificate expires on %s", target,
             f"{leaf.not_valid_after_utc:%Y-%m-%d}")
    return target

