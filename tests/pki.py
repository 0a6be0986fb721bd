"""A throwaway PKI for tests, built at test time with handmade.keys' building blocks (root -> intermediate ->
signer), valid around now so fixtures never expire; knobs build the broken variants the key checks must refuse
(``odd_signer_certificate``: the library builds only certificates that meet the C2PA profile)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from handmade.keys import build_intermediate, build_root, build_signer_certificate, generate_private_key

PEM = serialization.Encoding.PEM


def odd_signer_certificate(key: Any, issuer_cert: x509.Certificate, issuer_key: Any, name: str, *,
                           organization: str | None = None, country: str | None = "FR", days: int = 365,
                           not_before: dt.datetime | None = None, eku: Sequence[ObjectIdentifier] | None = None,
                           ca: bool = False, digital_signature: bool = True, aki: bool = True) -> x509.Certificate:
    """A signer certificate as ``handmade.keys.build_signer_certificate`` makes it (which it is, with every knob
    off), with parts of the C2PA profile changed: ``eku=None`` means [emailProtection], ``eku=[]`` leaves the
    extension out; ``ca``, ``digital_signature`` and ``aki`` do what they say."""
    if eku is None and not ca and digital_signature and aki:
        return build_signer_certificate(key, issuer_cert, issuer_key, name, organization=organization,
                                        country=country, days=days, not_before=not_before)
    start = not_before or (dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5))
    subject = ([x509.NameAttribute(NameOID.COUNTRY_NAME, country)] if country else []) + (
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization)] if organization else []) + [
        x509.NameAttribute(NameOID.COMMON_NAME, name)]
    builder = (x509.CertificateBuilder().subject_name(x509.Name(subject))
               .issuer_name(issuer_cert.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(start)
               .not_valid_after(start + dt.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=digital_signature, content_commitment=False,
                                            key_encipherment=False, data_encipherment=False, key_agreement=False,
                                            key_cert_sign=ca, crl_sign=False, encipher_only=False,
                                            decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    usages = [ExtendedKeyUsageOID.EMAIL_PROTECTION] if eku is None else list(eku)
    if usages:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    if aki:
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                                        critical=False)
    return builder.sign(issuer_key, None if isinstance(issuer_key, ed25519.Ed25519PrivateKey) else hashes.SHA256())


@dataclass(frozen=True)
class Pki:
    """Files and objects of one throwaway PKI (``chain_pem`` holds the signer then the intermediate)."""

    alg: str
    root_pem: Path
    chain_pem: Path
    key_pem: Path
    root_cert: x509.Certificate
    leaf_cert: x509.Certificate
    leaf_key: Any
    intermediate_cert: x509.Certificate | None = None


def make_pki(folder: Path, alg: str = "es256", *, intermediate: bool = True, expired: bool = False,
             not_yet_valid: bool = False, no_eku: bool = False, server_auth_only: bool = False,
             eku: Sequence[ObjectIdentifier] | None = None, self_signed: bool = False, ca_leaf: bool = False,
             no_digital_signature: bool = False, no_aki: bool = False, leaf_days: int = 365,
             mismatched_key: bool = False, root_first: bool = False, include_root: bool = False,
             passphrase: bytes | None = None) -> Pki:
    """Write ``signer.key``, ``chain.pem`` and ``root.pem`` into ``folder`` and return them.

    Knobs (all off = a good identity): ``expired`` / ``not_yet_valid`` leaf, ``no_eku``,
    ``server_auth_only`` or an explicit ``eku`` list, ``self_signed`` leaf (no CA), ``ca_leaf``,
    ``no_digital_signature``, ``no_aki``, ``leaf_days``, ``mismatched_key`` (the key file holds another
    key), ``root_first`` (chain written root, intermediate, leaf), ``include_root`` (root appended),
    ``passphrase`` (key encrypted), ``intermediate=False`` (leaf issued by the root directly).
    """
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc)
    root_key = generate_private_key(alg)
    root = build_root(root_key, f"Test Root {alg}", organization="handmade tests")
    issuer, issuer_key, mid = root, root_key, None
    if intermediate:
        mid_key = generate_private_key(alg)
        mid = build_intermediate(mid_key, root, root_key, f"Test Intermediate {alg}", organization="handmade tests")
        issuer, issuer_key = mid, mid_key
    leaf_key = generate_private_key(alg)
    if no_eku:
        eku = []
    elif server_auth_only:
        eku = [ExtendedKeyUsageOID.SERVER_AUTH]
    not_before, days = None, leaf_days
    if expired:
        not_before, days = now - dt.timedelta(days=400), 30
    elif not_yet_valid:
        not_before, days = now + dt.timedelta(days=10), 30
    if self_signed:
        self_root = build_root(leaf_key, "Self Signer", organization="handmade tests")
        leaf = build_signer_certificate(leaf_key, self_root, leaf_key, "Self Signer", organization="handmade tests")
    else:
        leaf = odd_signer_certificate(leaf_key, issuer, issuer_key, f"Test Signer {alg}",
                                      organization="handmade tests", eku=eku, not_before=not_before, days=days,
                                      ca=ca_leaf, digital_signature=not no_digital_signature, aki=not no_aki)
    certs = [leaf] + ([mid] if mid is not None and not self_signed else [])
    if root_first:
        certs = [root, *reversed(certs)]
    elif include_root:
        certs = [*certs, root]
    key_to_write = generate_private_key(alg) if mismatched_key else leaf_key
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption())
    key_path = folder / "signer.key"
    key_path.write_bytes(key_to_write.private_bytes(PEM, serialization.PrivateFormat.PKCS8, enc))
    chain_path = folder / "chain.pem"
    chain_path.write_bytes(b"".join(c.public_bytes(PEM) for c in certs))
    root_path = folder / "root.pem"
    root_path.write_bytes(root.public_bytes(PEM))
    return Pki(alg, root_path, chain_path, key_path, root, leaf, leaf_key, mid)
