"""A label authority for collectives: a union, an agency or a studio runs its own "fait à la main" label.

The authority is a small CA made with ``cryptography`` (no hand-made X.509): an offline **root** (its
certificate is what verifiers trust) and an **issuing CA** that certifies members and signs the CRL. A member
makes a key and a certificate request on their own machine (``keys request``); the key never leaves it. The
authority issues a certificate with the C2PA signer profile that carries the collective's name, revokes it
when a member leaves or loses their key, and exports a **bundle** (root, issuing CA, a freshly signed CRL with
a next-update date, the name, the TSA URL) that verifiers install with ``handmade trust add``.

c2pa-rs checks revocation by OCSP only, so handmade checks the bundle's CRL itself for every manifest a
bundle vouches for (``check_revocation``).

Folder of an authority (``authority init --out AUTH``)::

    authority.json      name, algorithm, TSA URL, CRL validity
    root-ca.pem/.key    the root (keep the key offline)
    issuing-ca.pem/.key the issuing CA (certifies members, signs CRLs)
    issued.jsonl        one line per issued certificate (serial, name, validity)
    revoked.json        the revocations (serial, time, reason)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from handmade.errors import KeyMaterialError, TrustConfigError
from handmade.keys import (
    ALGORITHMS,
    MAX_LEAF_DAYS,
    _key_pem,
    _load_pem_key,
    _read,
    _resolve_passphrase,
    _sig_hash,
    _write_private,
    _write_public,
    build_intermediate,
    build_root,
    build_signer_certificate,
    generate_private_key,
)
from handmade.trust import BUNDLE_SCHEMA, is_bundle  # noqa: F401 - is_bundle is part of this module's API

AUTHORITY_FILE = "authority.json"
PEM = serialization.Encoding.PEM
REASONS = {
    "unspecified": x509.ReasonFlags.unspecified,
    "keyCompromise": x509.ReasonFlags.key_compromise,
    "affiliationChanged": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessationOfOperation": x509.ReasonFlags.cessation_of_operation,
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def slug(name: str) -> str:
    """A file-name-safe form of an authority's name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "authority"


def _check_name(name: str, what: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 56:
        raise KeyMaterialError(f"the {what} must have 1 to 56 characters", code="keys.subject",
                               hint="Give a shorter name.")
    return name


# --- the authority ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AuthorityPaths:
    folder: Path

    @property
    def meta(self) -> Path:
        return self.folder / AUTHORITY_FILE

    @property
    def root_cert(self) -> Path:
        return self.folder / "root-ca.pem"

    @property
    def root_key(self) -> Path:
        return self.folder / "root-ca.key"

    @property
    def issuing_cert(self) -> Path:
        return self.folder / "issuing-ca.pem"

    @property
    def issuing_key(self) -> Path:
        return self.folder / "issuing-ca.key"

    @property
    def issued(self) -> Path:
        return self.folder / "issued.jsonl"

    @property
    def revoked(self) -> Path:
        return self.folder / "revoked.json"


def init_authority(out: Path | str, name: str, *, passphrase: bytes | str | None, alg: str = "es256",
                   country: str | None = None, tsa_url: str | None = None, crl_days: int = 30,
                   overwrite: bool = False) -> AuthorityPaths:
    """Create an authority: a root CA (20 years) and an issuing CA (10 years) named after the collective.

    Keys are written 0600, encrypted with ``passphrase`` (None or empty: not encrypted).
    Raises: KeyMaterialError (``keys.exists``, ``keys.subject``, ``keys.algorithm``).
    """
    if alg not in ALGORITHMS:
        raise KeyMaterialError(f"unsupported algorithm '{alg}'", code="keys.algorithm",
                               hint="One of: " + ", ".join(ALGORITHMS) + ".")
    name = _check_name(name, "authority's name")
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise KeyMaterialError(f"'{country}' is not a two-letter country code", code="keys.subject",
                               hint="Use an ISO 3166 code such as FR, DE, US.")
    paths = AuthorityPaths(Path(out))
    if paths.meta.exists() and not overwrite:
        raise KeyMaterialError(f"{paths.folder}: an authority already lives here", code="keys.exists",
                               hint="Choose another folder (an authority is made once; members' trust depends on "
                                    "its root).")
    paths.folder.mkdir(parents=True, exist_ok=True)
    pw = _resolve_passphrase(passphrase, use_env=False) or None
    c = country.upper() if country else None
    root_key = generate_private_key(alg)
    root = build_root(root_key, f"{name} Root CA", organization=name, country=c, days=7305)
    issuing_key = generate_private_key(alg)
    issuing = build_intermediate(issuing_key, root, root_key, f"{name} Issuing CA", organization=name, country=c,
                                 days=3650)
    _write_private(paths.root_key, _key_pem(root_key, pw), overwrite)
    _write_private(paths.issuing_key, _key_pem(issuing_key, pw), overwrite)
    _write_public(paths.root_cert, root.public_bytes(PEM), overwrite)
    _write_public(paths.issuing_cert, issuing.public_bytes(PEM), overwrite)
    meta = {"schema": "handmade.authority/v1", "name": name, "alg": alg, "country": c, "tsa_url": tsa_url,
            "crl_days": crl_days, "created": _now().isoformat()}
    _write_public(paths.meta, json.dumps(meta, indent=2).encode(), overwrite)
    _write_public(paths.revoked, b"[]\n", overwrite)
    return paths


def _meta(paths: AuthorityPaths) -> dict[str, Any]:
    try:
        meta = json.loads(paths.meta.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KeyMaterialError(f"{paths.folder}: not an authority folder ({AUTHORITY_FILE} cannot be read)",
                               code="authority.not_found", hint="Give the folder made by 'handmade authority init'.") \
            from exc
    if not isinstance(meta, dict) or "name" not in meta:
        raise KeyMaterialError(f"{paths.meta}: not an authority description", code="authority.not_found")
    return meta


def _cert(path: Path, what: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(_read(path, what))
    except ValueError as exc:
        raise KeyMaterialError(f"{path}: no readable {what}", code="keys.unreadable") from exc


def _issuing(paths: AuthorityPaths, passphrase: bytes | str | None) -> tuple[x509.Certificate, Any]:
    pw = _resolve_passphrase(passphrase)
    key = _load_pem_key(paths.issuing_key, _read(paths.issuing_key, "issuing CA key"), pw)
    return _cert(paths.issuing_cert, "issuing CA certificate"), key


# --- members ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Request:
    key_path: Path
    csr_path: Path
    encrypted: bool


def make_request(out: Path | str, name: str, *, passphrase: bytes | str | None, alg: str = "es256",
                 overwrite: bool = False) -> Request:
    """A member's key (0600, encrypted with ``passphrase`` unless None/empty) and certificate request.

    Only the request (``signer.csr``) goes to the authority; the key stays in ``out``.
    Raises: KeyMaterialError.
    """
    if alg not in ALGORITHMS:
        raise KeyMaterialError(f"unsupported algorithm '{alg}'", code="keys.algorithm",
                               hint="One of: " + ", ".join(ALGORITHMS) + ".")
    name = _check_name(name, "name")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    pw = _resolve_passphrase(passphrase, use_env=False) or None
    key = generate_private_key(alg)
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
           .sign(key, _sig_hash(key)))
    made = Request(folder / "signer.key", folder / "signer.csr", pw is not None)
    _write_private(made.key_path, _key_pem(key, pw), overwrite)
    _write_public(made.csr_path, csr.public_bytes(PEM), overwrite)
    return made


class _PublicKeyOnly:
    """A member's public key where ``build_signer_certificate`` asks for a key pair: it only reads the public
    half (the member's private key never reaches the authority)."""

    def __init__(self, public: Any) -> None:
        self._public = public

    def public_key(self) -> Any:
        return self._public


def issue(authority: Path | str, csr_path: Path | str, out: Path | str, *, passphrase: bytes | str | None = None,
          days: int = 365, overwrite: bool = False) -> x509.Certificate:
    """Certify a member: a C2PA signer certificate for the request's key and name, with the collective's name
    as its organisation, issued by the issuing CA; ``out`` gets the chain (member, issuing CA; not the root).

    Raises: KeyMaterialError (unreadable or forged request, validity over 366 days, wrong passphrase).
    """
    paths = AuthorityPaths(Path(authority))
    meta = _meta(paths)
    if not 1 <= days <= MAX_LEAF_DAYS:
        raise KeyMaterialError(f"a signer certificate must be valid between 1 and {MAX_LEAF_DAYS} days",
                               code="keys.validity_too_long", hint=f"Use --days {MAX_LEAF_DAYS} or less.")
    try:
        csr = x509.load_pem_x509_csr(_read(Path(csr_path), "certificate request"))
    except ValueError as exc:
        raise KeyMaterialError(f"{csr_path}: not a PEM certificate request", code="authority.csr",
                               hint="Give the signer.csr made by 'handmade keys request'.") from exc
    if not csr.is_signature_valid:
        raise KeyMaterialError(f"{csr_path}: the request's signature does not match its key", code="authority.csr",
                               hint="Ask the member for a new request.")
    names = csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not names:
        raise KeyMaterialError(f"{csr_path}: the request names nobody (no common name)", code="authority.csr")
    member = _check_name(str(names[0].value), "member's name")
    issuing, issuing_key = _issuing(paths, passphrase)
    cert = build_signer_certificate(_PublicKeyOnly(csr.public_key()), issuing, issuing_key,  # type: ignore[arg-type]
                                    member, organization=meta["name"], country=meta.get("country"), days=days)
    destination = Path(out)
    destination.parent.mkdir(parents=True, exist_ok=True)
    _write_public(destination, cert.public_bytes(PEM) + issuing.public_bytes(PEM), overwrite)
    with paths.issued.open("a", encoding="utf-8") as log:
        log.write(json.dumps({"serial": format(cert.serial_number, "x"), "name": member,
                              "not_after": cert.not_valid_after_utc.isoformat(), "issued": _now().isoformat()}) + "\n")
    return cert


def revoke(authority: Path | str, cert_path: Path | str, *, reason: str = "unspecified",
           when: dt.datetime | None = None) -> dict[str, str]:
    """Record that a member's certificate is revoked (the next exported bundle's CRL lists it).

    Raises: KeyMaterialError (unknown reason, a certificate the authority did not issue).
    """
    paths = AuthorityPaths(Path(authority))
    _meta(paths)
    if reason not in REASONS:
        raise KeyMaterialError(f"unknown revocation reason '{reason}'", code="authority.reason",
                               hint="One of: " + ", ".join(REASONS) + ".")
    cert = x509.load_pem_x509_certificates(_read(Path(cert_path), "certificate"))[0]
    issuing = _cert(paths.issuing_cert, "issuing CA certificate")
    if cert.issuer != issuing.subject:
        raise KeyMaterialError(f"{cert_path}: this certificate was not issued by this authority",
                               code="authority.not_issued")
    entries = _revocations(paths)
    serial = format(cert.serial_number, "x")
    entry = next((e for e in entries if e["serial"] == serial), None)
    if entry is None:
        entry = {"serial": serial, "time": (when or _now()).isoformat(), "reason": reason,
                 "name": str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)}
        entries.append(entry)
        paths.revoked.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    return entry


def _revocations(paths: AuthorityPaths) -> list[dict[str, str]]:
    try:
        data = json.loads(paths.revoked.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise KeyMaterialError(f"{paths.revoked}: cannot be read ({exc})", code="authority.revoked") from exc
    return list(data) if isinstance(data, list) else []


def export_bundle(authority: Path | str, out: Path | str, *, passphrase: bytes | str | None = None,
                  crl_days: int | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """Write the bundle verifiers install: root, issuing CA, a CRL signed now (valid ``crl_days``), name, TSA URL.

    Raises: KeyMaterialError.
    """
    paths = AuthorityPaths(Path(authority))
    meta = _meta(paths)
    issuing, issuing_key = _issuing(paths, passphrase)
    at = now or _now()
    days = int(crl_days if crl_days is not None else meta.get("crl_days", 30))
    builder = (x509.CertificateRevocationListBuilder().issuer_name(issuing.subject).last_update(at)
               .next_update(at + dt.timedelta(days=days)))
    for entry in _revocations(paths):
        revoked = (x509.RevokedCertificateBuilder().serial_number(int(entry["serial"], 16))
                   .revocation_date(dt.datetime.fromisoformat(entry["time"]))
                   .add_extension(x509.CRLReason(REASONS.get(entry["reason"], x509.ReasonFlags.unspecified)),
                                  critical=False).build())
        builder = builder.add_revoked_certificate(revoked)
    crl = builder.sign(issuing_key, _sig_hash(issuing_key))
    bundle = {"schema": BUNDLE_SCHEMA, "name": meta["name"], "tsa_url": meta.get("tsa_url"),
              "exported": at.isoformat(), "root_pem": _cert(paths.root_cert, "root").public_bytes(PEM).decode(),
              "issuing_pem": issuing.public_bytes(PEM).decode(), "crl_pem": crl.public_bytes(PEM).decode()}
    Path(out).write_text(json.dumps(bundle, indent=2) + "\n", encoding="utf-8")
    os.chmod(out, 0o644)
    return bundle


# --- verifiers' side --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bundle:
    """An authority as a verifier knows it, checked: the issuing CA is the root's, the CRL the issuing CA's."""

    name: str
    root_pem: str
    issuing_pem: str
    crl_pem: str
    tsa_url: str | None
    source: str

    @property
    def id(self) -> str:
        return f"authority:{self.name}"


def load_bundle(path: Path | str) -> Bundle:
    """Read and check an authority bundle. Raises: TrustConfigError (``trust.bundle``)."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
        if doc.get("schema") != BUNDLE_SCHEMA:
            raise ValueError(f"schema is not {BUNDLE_SCHEMA}")
        root = x509.load_pem_x509_certificate(doc["root_pem"].encode())
        issuing = x509.load_pem_x509_certificate(doc["issuing_pem"].encode())
        crl = x509.load_pem_x509_crl(doc["crl_pem"].encode())
        issuing.verify_directly_issued_by(root)
        if not crl.is_signature_valid(issuing.public_key()):  # type: ignore[arg-type]
            raise ValueError("the CRL is not signed by the issuing CA")
        orgs = root.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        if not orgs or orgs[0].value != doc["name"]:
            raise ValueError("the name does not match the root certificate's organisation")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise TrustConfigError(f"{p}: not a usable authority bundle ({exc})", code="trust.bundle",
                               hint="Ask the authority for a bundle made by 'handmade authority export'.") from exc
    except Exception as exc:  # cryptography's InvalidSignature and friends
        raise TrustConfigError(f"{p}: the authority bundle's certificates do not check out ({type(exc).__name__})",
                               code="trust.bundle") from exc
    return Bundle(str(doc["name"]), doc["root_pem"], doc["issuing_pem"], doc["crl_pem"], doc.get("tsa_url"), str(p))


@dataclass(frozen=True)
class Revocation:
    date: str
    reason: str
    by: str


def check_revocation(crl_pem: str, serial: str | None, authority: str) -> Revocation | None:
    """The revocation of the certificate with ``serial`` (decimal, as c2pa-rs reports it; or hex) in a CRL."""
    if not serial:
        return None
    try:
        number = int(serial) if serial.isdigit() else int(serial, 16)
        crl = x509.load_pem_x509_crl(crl_pem.encode())
    except ValueError:
        return None
    entry = crl.get_revoked_certificate_by_serial_number(number)
    if entry is None:
        return None
    reason = "unspecified"
    try:
        flag = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        reason = next((k for k, v in REASONS.items() if v == flag), flag.value)
    except x509.ExtensionNotFound:
        pass
    return Revocation(entry.revocation_date_utc.date().isoformat(), reason, authority)


def crl_next_update(crl_pem: str) -> dt.datetime | None:
    try:
        return x509.load_pem_x509_crl(crl_pem.encode()).next_update_utc
    except ValueError:
        return None


def installed_dir() -> Path:
    from handmade.settings import data_dir

    return data_dir() / "authorities"


def install_bundle(path: Path | str) -> Path:
    """``handmade trust add``: copy a checked bundle into the data directory (it then vouches by default).

    Raises: TrustConfigError.
    """
    bundle = load_bundle(path)
    target = installed_dir() / f"{slug(bundle.name)}.bundle"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    tmp.write_bytes(Path(path).read_bytes())
    os.replace(tmp, target)
    return target


def installed_bundles() -> list[Bundle]:
    folder = installed_dir()
    if not folder.is_dir():
        return []
    out = []
    for f in sorted(folder.glob("*.bundle")):
        try:
            out.append(load_bundle(f))
        except TrustConfigError:
            continue
    return out


def renew(key_path: Path | str, chain_path: Path | str, root_key: Path | str, root_cert: Path | str,
          out: Path | str, *, days: int = 365, passphrase: bytes | str | None = None,
          overwrite: bool = False) -> x509.Certificate:
    """``keys renew``: a new signer certificate for the same key, name and organisation, issued by the same root
    (or issuing CA) as before, so that verifiers' trust files keep working.

    Raises: KeyMaterialError.
    """
    if not 1 <= days <= MAX_LEAF_DAYS:
        raise KeyMaterialError(f"a signer certificate must be valid between 1 and {MAX_LEAF_DAYS} days",
                               code="keys.validity_too_long", hint=f"Use --days {MAX_LEAF_DAYS} or less.")
    pw = _resolve_passphrase(passphrase)
    key = _load_pem_key(Path(key_path), _read(Path(key_path), "key"), pw)
    old = x509.load_pem_x509_certificates(_read(Path(chain_path), "certificate chain"))[0]
    issuer = _cert(Path(root_cert), "root certificate")
    issuer_key = _load_pem_key(Path(root_key), _read(Path(root_key), "root key"), pw)
    if old.issuer != issuer.subject:
        raise KeyMaterialError(f"{chain_path}: the old certificate was not issued by {root_cert}",
                               code="keys.renew_issuer", hint="Give the root that issued the old certificate.")
    pub = key.public_key()  # type: ignore[attr-defined]
    if pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) != \
            old.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo):
        raise KeyMaterialError(f"{key_path} is not the key of {chain_path}", code="keys.mismatch")

    def attr(oid: x509.ObjectIdentifier) -> str | None:
        found = old.subject.get_attributes_for_oid(oid)
        return str(found[0].value) if found else None

    cert = build_signer_certificate(key, issuer, issuer_key, attr(NameOID.COMMON_NAME) or "signer",  # type: ignore[arg-type]
                                    organization=attr(NameOID.ORGANIZATION_NAME),
                                    country=attr(NameOID.COUNTRY_NAME), days=days)
    rest = x509.load_pem_x509_certificates(_read(Path(chain_path), "certificate chain"))[1:]
    data = cert.public_bytes(PEM) + b"".join(c.public_bytes(PEM) for c in rest)
    destination = Path(out)
    if destination.exists() and overwrite:
        destination.unlink()
    _write_public(destination, data, overwrite=False)
    return cert


__all__ = ["Bundle", "Revocation", "check_revocation", "export_bundle", "fingerprint", "init_authority",
           "install_bundle", "installed_bundles", "issue", "load_bundle", "make_request", "renew", "revoke"]


def fingerprint(pem: str) -> str:
    return x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA256()).hex()
