"""A throwaway PKI for tests, built at test time with cryptography (root -> intermediate -> signer),
valid around now so fixtures never expire; knobs build the broken variants the key checks must refuse."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from handmade.keys import build_intermediate, build_root, build_signer_certificate, generate_private_key

PEM = serialization.Encoding.PEM


@dataclass(frozen=True)
class Pki:
    alg: str
    root_pem: Path
    chain_pem: Path
    key_pem: Path
    root_cert: x509.Certificate
    leaf_cert: x509.Certificate
    leaf_key: Any


def make_pki(folder: Path, alg: str = "es256", *, intermediate: bool = True, expired: bool = False,
             no_eku: bool = False, server_auth_only: bool = False, self_signed: bool = False,
             ca_leaf: bool = False, mismatched_key: bool = False, root_first: bool = False,
             passphrase: bytes | None = None) -> Pki:
    folder.mkdir(parents=True, exist_ok=True)
    root_key = generate_private_key(alg)
    root = build_root(root_key, f"Test Root {alg}", organization="handmade tests")
    issuer, issuer_key, extra = root, root_key, []
    if intermediate:
        mid_key = generate_private_key(alg)
        mid = build_intermediate(mid_key, root, root_key, f"Test Intermediate {alg}", organization="handmade tests")
        issuer, issuer_key, extra = mid, mid_key, [mid]
    leaf_key = generate_private_key(alg)
    eku = [] if no_eku else [ExtendedKeyUsageOID.SERVER_AUTH] if server_auth_only else None
    not_before = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=400) if expired else None
    if self_signed:
        leaf = build_signer_certificate(leaf_key, build_root(leaf_key, "Self Signer", organization="x"), leaf_key,
                                        "Self Signer", organization="x")
        extra = []
    else:
        leaf = build_signer_certificate(leaf_key, issuer, issuer_key, f"Test Signer {alg}",
                                        organization="handmade tests", eku=eku, not_before=not_before,
                                        days=30 if expired else 365, ca=ca_leaf)
    certs = [leaf, *extra]
    if root_first:
        certs = [root, *reversed(certs)]
    key_to_write = generate_private_key(alg) if mismatched_key else leaf_key
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption())
    key_path = folder / "signer.key"
    key_path.write_bytes(key_to_write.private_bytes(PEM, serialization.PrivateFormat.PKCS8, enc))
    chain_path = folder / "chain.pem"
    chain_path.write_bytes(b"".join(c.public_bytes(PEM) for c in certs))
    root_path = folder / "root.pem"
    root_path.write_bytes(root.public_bytes(PEM))
    return Pki(alg, root_path, chain_path, key_path, root, leaf, leaf_key)
