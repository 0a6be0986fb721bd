"""A throwaway PKI for tests, built at test time with handmade.keys' building blocks (root -> intermediate ->
signer), valid around now so fixtures never expire; knobs build the broken variants the key checks must refuse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier

from handmade.keys import build_intermediate, build_root, build_signer_certificate, generate_private_key

PEM = serialization.Encoding.PEM


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
        leaf = build_signer_certificate(leaf_key, issuer, issuer_key, f"Test Signer {alg}",
                                        organization="handmade tests", eku=eku, not_before=not_before, days=days,
                                        ca=ca_leaf, key_usage_digital_signature=not no_digital_signature,
                                        aki=not no_aki)
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
