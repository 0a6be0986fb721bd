"""Signing keys that stay in a PKCS#11 token (a hardware security module, a smart card, a cloud HSM's PKCS#11
library, SoftHSM), through c2pa-python's callback signer: the private key never sits in a file or in memory.

A key is named by a PKCS#11 URI (RFC 7512): ``pkcs11:token=Studio;object=signer`` (or ``id=%01``), with the
module (the vendor's ``.so``) in the ``module-path`` query attribute or ``$HANDMADE_PKCS11_MODULE``, and the
user PIN in ``pin-value`` or ``$HANDMADE_PKCS11_PIN`` (the CLI asks for it on a terminal). The certificate
chain is given as PEM (``--chain``), as for file keys. Needs the ``pkcs11`` extra (python-pkcs11).

Signatures: ES256/ES384 hash in Python and ask the token for ``CKM_ECDSA`` (raw r||s, the COSE form c2pa-rs
expects); PS256 is ``CKM_SHA256_RSA_PKCS_PSS`` (MGF1-SHA256, 32-byte salt); Ed25519 is ``CKM_EDDSA``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote_to_bytes

from handmade.errors import KeyMaterialError

MODULE_ENV = "HANDMADE_PKCS11_MODULE"
PIN_ENV = "HANDMADE_PKCS11_PIN"
_PROBE = b"handmade: does this token key match the signer certificate?"


@dataclass(frozen=True)
class Pkcs11Key:
    """Where a token key is: the module, the token label, the key's label and/or id, and the PIN."""

    module: str
    token: str
    label: str | None = None
    key_id: bytes | None = None
    pin: str | None = field(default=None, repr=False)

    def describe(self) -> str:
        what = f"object={self.label}" if self.label else f"id={self.key_id.hex() if self.key_id else '?'}"
        return f"pkcs11:token={self.token};{what}"


def is_uri(value: str | os.PathLike[str] | None) -> bool:
    return isinstance(value, str) and value.lower().startswith("pkcs11:")


def parse_uri(uri: str, pin: str | None = None) -> Pkcs11Key:
    """A ``Pkcs11Key`` from an RFC 7512 URI. Raises: KeyMaterialError (``keys.pkcs11``)."""
    body = uri[len("pkcs11:"):]
    path, _, query = body.partition("?")
    attrs: dict[str, bytes] = {}
    for part in path.split(";"):
        if part:
            name, _, value = part.partition("=")
            attrs[name.strip().lower()] = unquote_to_bytes(value)
    params = {k.lower(): v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    module = params.get("module-path") or os.environ.get(MODULE_ENV)
    token = attrs.get("token")
    if not token:
        raise KeyMaterialError(f"{uri}: the PKCS#11 URI names no token (token=...)", code="keys.pkcs11",
                               hint="Name the token and the key: pkcs11:token=LABEL;object=KEY-LABEL")
    if "object" not in attrs and "id" not in attrs:
        raise KeyMaterialError(f"{uri}: the PKCS#11 URI names no key (object=... or id=...)", code="keys.pkcs11",
                               hint="Name the key: pkcs11:token=LABEL;object=KEY-LABEL")
    if not module:
        raise KeyMaterialError(f"{uri}: no PKCS#11 module given", code="keys.pkcs11",
                               hint=f"Set {MODULE_ENV} to the token's library (e.g. "
                                    "/usr/lib/softhsm/libsofthsm2.so), or add ?module-path=... to the URI.")
    return Pkcs11Key(module=module, token=token.decode("utf-8", "replace"),
                     label=attrs["object"].decode("utf-8", "replace") if "object" in attrs else None,
                     key_id=attrs.get("id"), pin=pin or params.get("pin-value") or os.environ.get(PIN_ENV))


_LIBS: dict[str, tuple[int, Any]] = {}


def _lib(module: str) -> Any:
    """The loaded module; initialised again in a forked child (PKCS#11 §5.1: a child must C_Initialize)."""
    try:
        import pkcs11
    except ImportError as exc:
        raise KeyMaterialError("PKCS#11 keys need python-pkcs11", code="keys.pkcs11",
                               hint="pip install 'handmade[pkcs11]'") from exc
    known = _LIBS.get(module)
    if known is not None and known[0] == os.getpid():
        return known[1]
    if not Path(module).is_file():
        raise KeyMaterialError(f"{module}: no such PKCS#11 module", code="keys.pkcs11",
                               hint=f"Set {MODULE_ENV} to the token's library file.")
    try:
        lib = pkcs11.lib(module)
        if known is not None:
            lib.reinitialize()
    except (RuntimeError, OSError, pkcs11.PKCS11Error) as exc:
        raise KeyMaterialError(f"{module}: the PKCS#11 module cannot be loaded ({exc})", code="keys.pkcs11") from exc
    _LIBS[module] = (os.getpid(), lib)
    return lib


def _mechanism(alg: str) -> tuple[Any, Any, Callable[[bytes], bytes]]:
    """The PKCS#11 mechanism, its parameter, and what to do to the data first, for a c2pa algorithm."""
    from pkcs11 import MGF, Mechanism

    if alg == "es256":
        return Mechanism.ECDSA, None, lambda d: hashlib.sha256(d).digest()
    if alg == "es384":
        return Mechanism.ECDSA, None, lambda d: hashlib.sha384(d).digest()
    if alg == "ps256":
        return Mechanism.SHA256_RSA_PKCS_PSS, (Mechanism.SHA256, MGF.SHA256, 32), lambda d: d
    if alg == "ed25519":
        return Mechanism.EDDSA, None, lambda d: d
    raise KeyMaterialError(f"algorithm {alg} is not supported for PKCS#11 keys", code="keys.algorithm")


def _token_lock(key: Pkcs11Key) -> Any:
    """An exclusive lock (``flock``) on a file named after the token, held while a session is open.

    Two batch workers logging in to one SoftHSM token at the same moment made one of them fail with
    ``GeneralError`` (seen in 2 of 5 runs of a 3-file batch on 2 workers); hardware tokens often allow one
    session at a time too. Signing is short, so serialising it costs little.
    """
    import fcntl
    import tempfile

    name = hashlib.sha256(f"{key.module}|{key.token}".encode()).hexdigest()[:16]
    handle = open(Path(tempfile.gettempdir()) / f"handmade-pkcs11-{name}.lock", "a+b")
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    return handle


class TokenSession:
    """An open, logged-in session on the token holding ``key``; ``sign(data)`` is c2pa's callback.

    Raises (constructor): KeyMaterialError (``keys.pkcs11``, ``keys.pin`` for a missing or wrong PIN).
    """

    def __init__(self, key: Pkcs11Key, alg: str) -> None:
        self._lock = _token_lock(key)  # one session on a token at a time, across batch workers
        try:
            self._open(key, alg)
        except BaseException:
            self._unlock()
            raise

    def _open(self, key: Pkcs11Key, alg: str) -> None:
        import pkcs11
        from pkcs11 import ObjectClass

        lib = _lib(key.module)
        try:
            token = lib.get_token(token_label=key.token)
        except (pkcs11.NoSuchToken, pkcs11.MultipleTokensReturned) as exc:
            raise KeyMaterialError(f"{key.describe()}: no single token labelled '{key.token}'",
                                   code="keys.pkcs11", hint="Check the token label (pkcs11-tool -L).") from exc
        if not key.pin:
            raise KeyMaterialError(f"{key.describe()}: the token needs its PIN", code="keys.pin",
                                   hint=f"Give the user PIN (set {PIN_ENV}).")
        try:
            self._session = token.open(user_pin=key.pin)
        except (pkcs11.PinIncorrect, pkcs11.PinLenRange) as exc:
            raise KeyMaterialError(f"{key.describe()}: wrong PIN for the token", code="keys.pin",
                                   hint=f"Check the PIN ({PIN_ENV}).") from exc
        except pkcs11.PKCS11Error as exc:
            raise KeyMaterialError(f"{key.describe()}: the token cannot be opened ({type(exc).__name__})",
                                   code="keys.pkcs11") from exc
        query: dict[str, Any] = {"object_class": ObjectClass.PRIVATE_KEY}
        if key.label is not None:
            query["label"] = key.label
        if key.key_id is not None:
            query["id"] = key.key_id
        try:
            self._key = self._session.get_key(**query)
        except (pkcs11.NoSuchKey, pkcs11.MultipleObjectsReturned) as exc:
            self.close()
            raise KeyMaterialError(f"{key.describe()}: no single private key with that label/id on the token",
                                   code="keys.pkcs11", hint="List the token's objects: pkcs11-tool -O.") from exc
        self._mech, self._param, self._prepare = _mechanism(alg)

    def sign(self, data: bytes) -> bytes:
        """The signature of ``data`` as c2pa-rs wants it (raw r||s for ECDSA)."""
        return bytes(self._key.sign(self._prepare(data), mechanism=self._mech, mechanism_param=self._param))

    def close(self) -> None:
        import contextlib

        with contextlib.suppress(Exception):
            self._session.close()
        self._unlock()

    def _unlock(self) -> None:
        import contextlib

        lock, self._lock = getattr(self, "_lock", None), None
        if lock is not None:
            with contextlib.suppress(OSError):
                lock.close()  # closing the file releases its flock

    def __enter__(self) -> TokenSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _verifies(cert: Any, alg: str, signature: bytes) -> bool:
    """Whether ``signature`` (token form) of the probe verifies with ``cert``'s public key."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

    pub = cert.public_key()
    try:
        if alg in ("es256", "es384") and isinstance(pub, ec.EllipticCurvePublicKey):
            half = len(signature) // 2
            der = utils.encode_dss_signature(int.from_bytes(signature[:half], "big"),
                                             int.from_bytes(signature[half:], "big"))
            pub.verify(der, _PROBE, ec.ECDSA(hashes.SHA256() if alg == "es256" else hashes.SHA384()))
        elif alg == "ps256" and isinstance(pub, rsa.RSAPublicKey):
            pub.verify(signature, _PROBE, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
        elif alg == "ed25519" and isinstance(pub, ed25519.Ed25519PublicKey):
            pub.verify(signature, _PROBE)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def load_token_identity(uri: str, chain_path: str | os.PathLike[str] | None, pin: str | None = None) -> Any:
    """A ``SigningIdentity`` whose key stays in the token named by ``uri``; the chain is read from PEM.

    The token signs a probe that must verify with the signer certificate (so a wrong key or certificate is
    found now, not after signing), and the certificate is checked against the C2PA profile.
    Raises: KeyMaterialError (``keys.pkcs11``, ``keys.pin``, ``keys.no_chain``, ``keys.mismatch``, profile
    errors such as ``keys.expired`` or ``keys.eku``).
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from handmade.keys import SigningIdentity, alg_for_public_key, check_certificate, order_certificates

    key = parse_uri(uri, pin)
    if chain_path is None:
        raise KeyMaterialError(f"{key.describe()}: a token key needs its certificate chain", code="keys.no_chain",
                               hint="Give the signer certificate (and its intermediates) with --chain.")
    try:
        certs = x509.load_pem_x509_certificates(Path(chain_path).read_bytes())
    except (OSError, ValueError) as exc:
        raise KeyMaterialError(f"{chain_path}: no readable PEM certificate chain", code="keys.unreadable",
                               hint="Give the certificate chain as PEM, signer certificate first.") from exc
    leaf_alg = alg_for_public_key(certs[0].public_key())
    with TokenSession(key, leaf_alg) as session:
        probe = session.sign(_PROBE)
    leaves = [c for c in certs if _verifies(c, leaf_alg, probe)]
    if not leaves:
        raise KeyMaterialError(f"{key.describe()}: the token's key does not match the signer certificate",
                               code="keys.mismatch",
                               hint="Give the certificate issued for this token key (signer certificate first).")
    ordered = order_certificates(leaves[0], certs)
    errors = [p for p in check_certificate(ordered[0]) if p.severity == "error"]
    if errors:
        raise KeyMaterialError(f"{key.describe()}: {errors[0].message}", code=errors[0].code, hint=errors[0].hint)
    chain_pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in ordered)
    return SigningIdentity(leaf_alg, b"", chain_pem, ordered[0], False, pkcs11=key)
