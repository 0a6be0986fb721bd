"""Inspect a file: read its manifest through c2pa-rs, turn status codes into separate facets, walk the chain.

Facets are derived from c2pa-rs's validation status codes (C2PA 2.1 §15, "Validation"), not from its
one-word state alone, so that an editor is told *which* check failed:

| facet             | failed by                                                                   |
|-------------------|-----------------------------------------------------------------------------|
| ``intact``        | ``assertion.dataHash/bmffHash/boxesHash.mismatch``, ``assertion.hashedURI.mismatch`` |
| ``signature_valid`` | ``claimSignature.mismatch`` / ``.missing``                                |
| ``credential_ok`` | ``signingCredential.invalid`` / ``.revoked``, ``algorithm.unsupported``      |
| ``expired``       | ``signingCredential.expired`` (no trusted timestamp proves it was signed in time) |
| ``trusted``       | ``signingCredential.trusted`` vs ``.untrusted`` (only against configured anchors) |
| ``ingredients_valid`` | any failure in ``ingredientDeltas``, or recorded with an ingredient (v2/v3) |
| ``identity_valid``  | any ``cawg.*`` failure (CAWG identity assertion); it never voids the claim itself |

Untrusted is never reported as tampered: c2pa-rs lists ``signingCredential.untrusted`` as a failure even
when the file is intact and well signed.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from handmade import _c2pa, labels
from handmade import trust as _trust
from handmade._background import Background
from handmade.errors import HandmadeError, InputError, TrustConfigError
from handmade.files import (
    DEFAULT_MAX_BYTES,
    NOT_RASTER,
    READABLE_SUFFIXES,
    FileData,
    LoadedFile,
    count_reads,
    load_input,
    loaded_from_bytes,
)
from handmade.lineage import analyse
from handmade.messages import error_finding, finding
from handmade.models import (
    Finding,
    Hint,
    ProvenanceReport,
    ReportErrorInfo,
    RevocationInfo,
    Severity,
    SignatureStatus,
    SignerIdentity,
    State,
)
from handmade.stores import reconcile
from handmade.text import clean_text
from handmade.workers import failure_error
from handmade.workers import run as run_workers

log = logging.getLogger(__name__)

T = TypeVar("T")



# --- trust anchors -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrustAnchors:
    """PEM trust anchors for c2pa-rs, and where they came from. No anchors: nothing can be ``trusted``."""

    pem: str
    sources: tuple[str, ...]
    count: int

    @classmethod
    def from_pem(cls, pem: str | bytes, source: str = "<memory>") -> TrustAnchors:
        """Anchors from PEM text. Raises: TrustConfigError if it holds no certificate."""
        from cryptography import x509

        text = pem.decode("ascii", "replace") if isinstance(pem, bytes) else pem
        try:
            certs = x509.load_pem_x509_certificates(text.encode())
        except ValueError as exc:
            raise TrustConfigError(f"{source}: no readable PEM certificate", code="trust.unreadable",
                                   hint="Give a PEM file with one or more root certificates.") from exc
        return cls(pem=text, sources=(source,), count=len(certs))

    def __add__(self, other: TrustAnchors) -> TrustAnchors:
        return TrustAnchors(self.pem.rstrip() + "\n" + other.pem, self.sources + other.sources,
                            self.count + other.count)


def load_trust_anchors(paths: Iterable[str | os.PathLike[str]]) -> TrustAnchors | None:
    """Read trust anchors from PEM files. None when no path is given.

    Raises: TrustConfigError (``trust.not_found``, ``trust.unreadable``).
    """
    result: TrustAnchors | None = None
    for path in paths:
        p = Path(path)
        try:
            pem = p.read_bytes()
        except OSError as exc:
            raise TrustConfigError(f"{p}: trust anchor file cannot be read ({exc.strerror})",
                                   code="trust.not_found") from exc
        anchors = TrustAnchors.from_pem(pem, str(p))
        result = anchors if result is None else result + anchors
    return result


# --- status codes -> facets ---------------------------------------------------------------------------
_BINDING = {"assertion.dataHash.mismatch", "assertion.bmffHash.mismatch", "assertion.boxesHash.mismatch",
            "assertion.collectionHash.mismatch", "claim.hardBindings.missing", "assertion.dataHash.malformed"}
_ASSERTION = {"assertion.hashedURI.mismatch", "assertion.hashedURI.missing", "assertion.missing"}
_SIGNATURE = {"claimSignature.mismatch", "claimSignature.missing"}
_CREDENTIAL = {"signingCredential.invalid", "signingCredential.revoked", "algorithm.unsupported",
               "signingCredential.ocsp.revoked"}
_EXPIRED = {"signingCredential.expired"}

#: code -> (our finding code, severity, catalog key of the message). Messages are for picture editors.
_MESSAGES: dict[str, tuple[str, Severity, str]] = {
    "assertion.dataHash.mismatch": ("binding.mismatch", "error", "c2pa:assertion.dataHash.mismatch"),
    "assertion.bmffHash.mismatch": ("binding.mismatch", "error", "c2pa:image.tampered"),
    "assertion.boxesHash.mismatch": ("binding.mismatch", "error", "c2pa:image.tampered"),
    "assertion.collectionHash.mismatch": ("binding.mismatch", "error", "c2pa:data.tampered"),
    "claim.hardBindings.missing": ("binding.missing", "error", "c2pa:claim.hardBindings.missing"),
    "assertion.hashedURI.mismatch": ("assertion.mismatch", "error", "c2pa:assertion.hashedURI.mismatch"),
    "assertion.hashedURI.missing": ("assertion.missing", "error", "c2pa:assertion.missing"),
    "assertion.missing": ("assertion.missing", "error", "c2pa:assertion.missing"),
    "claimSignature.mismatch": ("signature.mismatch", "error", "c2pa:claimSignature.mismatch"),
    "claimSignature.missing": ("signature.missing", "error", "c2pa:claimSignature.missing"),
    "signingCredential.invalid": ("credential.invalid", "error", "c2pa:signingCredential.invalid"),
    "signingCredential.revoked": ("credential.revoked", "error", "c2pa:signingCredential.revoked"),
    "signingCredential.expired": ("credential.expired", "error", "c2pa:signingCredential.expired"),
    "signingCredential.untrusted": ("credential.untrusted", "warning", "c2pa:signingCredential.untrusted"),
    "algorithm.unsupported": ("credential.algorithm", "error", "c2pa:algorithm.unsupported"),
    "timeStamp.mismatch": ("timestamp.mismatch", "error", "c2pa:timeStamp.mismatch"),
    "timeStamp.untrusted": ("timestamp.untrusted", "warning", "c2pa:timeStamp.untrusted"),
    "timeStamp.outsideValidity": ("timestamp.outside_validity", "error", "c2pa:timeStamp.outsideValidity"),
    "ingredient.manifest.missing": ("ingredient.missing", "error", "c2pa:ingredient.manifest.missing"),
    "ingredient.hashedURI.mismatch": ("ingredient.mismatch", "error", "c2pa:ingredient.hashedURI.mismatch"),
    "claim.malformed": ("manifest.malformed", "error", "c2pa:claim.malformed"),
    "cawg.x509.credential.untrusted": ("identity.untrusted", "warning", "c2pa:cawg.x509.credential.untrusted"),
    "cawg.ica.did_unavailable": ("identity.unverifiable", "warning", "c2pa:cawg.ica.did_unavailable"),
    "ingredient.unknownProvenance": ("ingredient.unknown_provenance", "warning", "c2pa:ingredient.unknownProvenance"),
}

#: CAWG identity codes that do not say the identity is wrong: not trusted here, or not checkable offline.
_IDENTITY_UNDECIDED = {"cawg.x509.credential.untrusted", "cawg.ica.did_unavailable", "cawg.ica.untrusted_issuer"}

_IGNORED_FAILURES = {"signingCredential.ocsp.skipped"}
# Identity (CAWG) failures do not make the C2PA claim itself invalid; they are reported as findings.
_SOFT_FAILURES = {"signingCredential.untrusted", "cawg.x509.credential.untrusted", "cawg.ica.did_unavailable",
                  "timeStamp.untrusted"}


def _codes(entries: Any) -> list[dict[str, Any]]:
    return [e for e in entries or [] if isinstance(e, dict) and isinstance(e.get("code"), str)]


def _finding_for(status: dict[str, Any], where: str) -> Finding:
    # Codes and explanations can quote the file (labels, URIs): through the cleaner, bounded.
    code = clean_text(status["code"], 100) or "?"
    explanation = clean_text(status.get("explanation"), 200)
    ours, severity, key = _MESSAGES.get(code, ("c2pa." + code, "error", "c2pa:other"))  # unknown: reported
    params = {"where_k": where, "status": code}
    if key == "c2pa:other":
        params.update({"explanation": explanation} if explanation else {"explanation_k": "finding.no_detail"})
    return finding(ours, severity, key, code, **params)


@dataclass(frozen=True, kw_only=True)
class _Facets(SignatureStatus):
    """The checks read from c2pa-rs's status codes, with the findings that say why."""

    findings: tuple[Finding, ...] = ()
    unknown_provenance: bool = False  # c2pa-rs's informational ingredient.unknownProvenance

    @property
    def state(self) -> State:
        return self.signature_state


def _identity_findings(entries: list[dict[str, Any]], subjects: Sequence[str], where: str = "empty") -> list[Finding]:
    """One finding per CAWG identity code: who the identity names and why it does not verify (``where``: the
    catalog key of a prefix)."""
    named = {"named_k": "identity.naming", "subjects": ", ".join(subjects[:3])} if subjects else {}
    out: list[Finding] = []
    seen: set[str] = set()
    for e in entries:
        code = e["code"]
        if code in seen:
            continue
        seen.add(code)
        if code in _MESSAGES:
            ours, severity, key = _MESSAGES[code]
            out.append(finding(ours, severity, key, code, where_k=where, **named))
            continue
        why = clean_text(e.get("explanation"), 160) or code
        out.append(finding("identity.invalid", "warning", "finding.identity_invalid", code, where_k=where, why=why,
                           **named))
    return out


def _in_other_manifest(entry: dict[str, Any], active_label: str | None) -> bool:
    """True when a status entry's URL points into a manifest other than the active one (an ingredient's)."""
    url = entry.get("url")
    if not active_label or not isinstance(url, str) or "/c2pa/" not in url:
        return False
    return url.split("/c2pa/", 1)[1].split("/", 1)[0] != active_label


def facets_from_status(results: dict[str, Any] | None, c2pa_state: str, has_ingredients: bool,
                       trust_configured: bool, identity_subjects: Sequence[str] = (),
                       active_label: str | None = None) -> _Facets:
    """Derive each verification facet from c2pa-rs's validation results (see the table above).

    CAWG identity codes (``cawg.*``) concern the identity assertion, not the claim (c2pa-rs: "the blast
    radius is only that assertion, never the enclosing manifest"): they decide ``identity_valid`` only.
    """
    results = results or {}
    active = results.get("activeManifest") or {}
    success = {e["code"] for e in _codes(active.get("success"))}
    all_failures = [e for e in _codes(active.get("failure")) if e["code"] not in _IGNORED_FAILURES]
    identity_failures = [e for e in all_failures if e["code"].startswith("cawg.")]
    failures = [e for e in all_failures if not e["code"].startswith("cawg.")]
    failure_codes = {e["code"] for e in failures}
    findings = [_finding_for(e, "empty") for e in failures
                if not (e["code"] == "signingCredential.untrusted" and not trust_configured)]
    if "signingCredential.untrusted" in failure_codes and not trust_configured:
        findings.append(finding("trust.not_configured", "info", "finding.trust_not_configured",
                                "signingCredential.untrusted"))
    # An ingredient's identity assertion is reported as such; identity_valid is the active manifest's.
    ingredient_identity = [e for e in identity_failures if _in_other_manifest(e, active_label)]
    identity_failures = [e for e in identity_failures if not _in_other_manifest(e, active_label)]
    findings += _identity_findings(identity_failures, identity_subjects)
    findings += _identity_findings(ingredient_identity, (), "where.ingredient")
    # C2PA 2.2 §15.11.3.3: c2pa-rs records an ingredient without credentials as an *informational* code.
    unknown_provenance = any(e["code"] == "ingredient.unknownProvenance" for e in _codes(active.get("informational")))
    if unknown_provenance:
        findings.append(_finding_for({"code": "ingredient.unknownProvenance"}, "empty"))
    identity_codes = {e["code"] for e in identity_failures}
    identity_valid: bool | None
    if identity_codes - _IDENTITY_UNDECIDED:
        identity_valid = False
    elif identity_codes:
        identity_valid = None  # untrusted or not checkable offline: neither valid nor proven wrong
    elif any(e["code"].startswith("cawg.") and not _in_other_manifest(e, active_label)
             for e in _codes(active.get("success"))):
        identity_valid = True
    else:
        identity_valid = None
    ingredient_failures: list[Finding] = []
    for delta in results.get("ingredientDeltas") or []:
        if not isinstance(delta, dict):
            continue
        vd = delta.get("validationDeltas") or {}
        for e in _codes(vd.get("failure")):
            if e["code"] in _SOFT_FAILURES or e["code"] in _IGNORED_FAILURES or e["code"].startswith("cawg."):
                continue  # an ingredient's identity assertion is not its history
            f = _finding_for(e, "where.ingredient")
            code = f.code if f.code.startswith("ingredient.") else "ingredient." + f.code
            ingredient_failures.append(replace(f, code=code))
    findings += list({(f.code, f.message): f for f in ingredient_failures}.values())

    binding_fail = bool(failure_codes & _BINDING)
    assertion_fail = bool(failure_codes & _ASSERTION)
    binding_ok = any(c.endswith(("dataHash.match", "bmffHash.match", "boxesHash.match",
                                 "collectionHash.match")) for c in success)
    intact: bool | None = False if (binding_fail or assertion_fail) else (True if binding_ok else None)
    signature_valid: bool | None = (False if failure_codes & _SIGNATURE
                                    else True if "claimSignature.validated" in success else None)
    credential_ok: bool | None = False if failure_codes & _CREDENTIAL else (
        True if signature_valid else None)
    expired = bool(failure_codes & _EXPIRED)
    trusted: bool | None = (True if "signingCredential.trusted" in success
                            else False if "signingCredential.untrusted" in failure_codes or not trust_configured
                            else None)
    # Only a timestamp from a trusted time-stamping authority counts: anyone can run a TSA that says any time.
    timestamped: bool | None = "timeStamp.trusted" in success
    if "timeStamp.validated" in success and not timestamped:
        findings.append(finding("timestamp.untrusted", "warning", "finding.timestamp_untrusted", "timeStamp.validated"))
    ingredients_valid: bool | None = (False if ingredient_failures else True if has_ingredients else None)

    hard = failure_codes - _SOFT_FAILURES
    # c2pa-rs says Invalid for a failing identity assertion too: that alone does not void the claim.
    c2pa_invalid = c2pa_state == "Invalid" and not ((identity_failures or ingredient_identity) and not hard)
    if c2pa_invalid and not (hard or ingredients_valid is False):
        # c2pa-rs said Invalid for a reason not in its failure list: say so rather than guess.
        soft = sorted(failure_codes & _SOFT_FAILURES - {"signingCredential.untrusted"})
        findings.append(finding("c2pa.invalid", "error", "finding.c2pa_invalid_soft", soft[0],
                                codes=", ".join(soft)) if soft else
                        finding("c2pa.invalid", "error", "finding.c2pa_invalid"))
    # The state is derived from these checks (``SignatureStatus.signature_state``); c2pa-rs's one word is not
    # a trust decision: ``trusted`` comes from its signingCredential codes alone.
    return _Facets(intact=intact, signature_valid=signature_valid, trusted=trusted, credential_ok=credential_ok,
                   expired=expired, timestamped=timestamped, ingredients_valid=ingredients_valid,
                   identity_valid=identity_valid, failed=bool(hard) or c2pa_invalid, findings=tuple(findings),
                   unknown_provenance=unknown_provenance)


# --- inspection ----------------------------------------------------------------------------------------
def _signer(manifest: dict[str, Any]) -> SignerIdentity | None:
    info = manifest.get("signature_info")
    if not isinstance(info, dict):
        return None
    return SignerIdentity(name=clean_text(info.get("common_name")), issuer=clean_text(info.get("issuer")),
                          alg=clean_text(str(info["alg"]).lower(), 20) if info.get("alg") else None,
                          signed_at=clean_text(info.get("time"), 40))


def _hints(data: bytes) -> tuple[Hint, ...]:
    from handmade.hints import read_hints

    if isinstance(data, FileData):  # a big film: its boxes but the frames ('mdat'), where metadata lives
        data = _film_metadata(data)
    return tuple(read_hints(data))


def _film_metadata(data: FileData, budget: int = 64 * 1024 * 1024) -> bytes:
    """The top-level ISO BMFF boxes of a film except its media data, joined (at most ``budget`` bytes, at
    most 10,000 boxes): XMP sits in a ``uuid`` box or in ``moov``, never among the frames."""
    parts, pos, total = [], 0, 0
    for _ in range(10_000):
        head = data[pos:pos + 16]
        if len(head) < 8:
            break
        size = int.from_bytes(head[:4], "big")
        if size == 1 and len(head) == 16:
            size = int.from_bytes(head[8:16], "big")
        elif size == 0:
            size = len(data) - pos
        if size < 8:
            break
        if head[4:8] != b"mdat" and total + size <= budget:
            parts.append(data[pos:pos + size])
            total += size
        pos += size
    return b"".join(parts)


def _sha256_hex(data: bytes) -> str:
    if isinstance(data, FileData):
        return data.sha256()
    return hashlib.sha256(data).hexdigest()


class _Digest:
    """SHA-256 of a buffer, computed in a background thread for buffers worth it (hashlib releases the GIL)."""

    THRESHOLD = 256 * 1024

    def __init__(self, data: bytes) -> None:
        self._job = Background(_sha256_hex, data) if len(data) >= self.THRESHOLD else None
        self._hex = None if self._job is not None else _sha256_hex(data)

    def hexdigest(self) -> str:
        return self._job.result() if self._job is not None else str(self._hex)


TrustArg = Any  # a trust.TrustConfig, a TrustAnchors (added to the shipped lists), or None (the shipped lists)


def _test_identity(manifest: dict[str, Any]) -> bool:
    """True when a manifest is signed with handmade's public TEST identity (anyone can sign with it)."""
    info = manifest.get("signature_info")
    return isinstance(info, dict) and str(info.get("common_name") or "").strip() == labels.TEST_CN


def _trusted_pool(store: dict[str, Any]) -> str | None:
    """Which of c2pa-rs's anchor pools vouched (``user_anchors`` or ``system_anchors``), from the explanation of
    its ``signingCredential.trusted`` code; None when it does not say. Only narrows the search in ``attribute``."""
    active = (store.get("validation_results") or {}).get("activeManifest") or {}
    for entry in _codes(active.get("success")):
        if entry["code"] == "signingCredential.trusted":
            text = str(entry.get("explanation") or "")
            for pool in ("user_anchors", "system_anchors"):
                if f"[{pool}]" in text:
                    return pool
    return None


def attribute(loaded: LoadedFile, config: _trust.TrustConfig, allow_remote: bool = False,
              pool: str | None = None) -> str | None:
    """Which source of ``config`` vouches for the active manifest's signer (c2pa-rs says only "trusted"): the one
    under which, alone, c2pa-rs gives ``signingCredential.trusted`` for that signer.

    Each signer source is tried alone (your anchors and authorities first, then the C2PA Trust List, then the
    interim list), first without the TSA list; a signer that needs the TSA list (an expired certificate with a
    trusted timestamp) is tried again with it, and is never credited to the TSA list itself: a time-stamping
    CA vouches for times, not for signers. ``pool`` (c2pa-rs's anchor pool that vouched, when it said) narrows
    the candidates: your own sources are given as ``user_anchors``, the shipped ones as ``system_anchors``;
    a single candidate outside the shipped pool (which also holds the TSA list) needs no second reading.
    None when no single source vouches.
    """
    order = sorted(config.signer_sources(), key=lambda sid: (
        0 if sid == _trust.YOURS else 1 if sid.startswith(_trust.AUTHORITY_PREFIX) else
        2 if sid == _trust.OFFICIAL else 3))
    shipped = {s.id for s in config.sources if s.shipped}
    if pool == "user_anchors":
        order = [sid for sid in order if sid not in shipped] or order
    elif pool == "system_anchors":
        order = [sid for sid in order if sid in shipped] or order
    if len(order) == 1 and (order[0] not in shipped or config.source(_trust.TSA) is None):
        return order[0]
    for with_tsa in (False, True):
        if with_tsa and _signer_trusted_under(loaded, _tsa_only(config), allow_remote):
            return None
        for sid in order:
            if _signer_trusted_under(loaded, _alone(config, sid, with_tsa), allow_remote):
                return sid
    return None


#: Who vouched, by the question's whole input but the file: the configuration, the anchor pool c2pa-rs named,
#: remote access, and the signer's certificate (issuer and serial) with its signing time. ``attribute`` costs one
#: more c2pa-rs read per source tried (a Firefly file: three reads in all), and a service meets the same signers
#: again and again; c2pa-rs has already found this signer trusted under the whole configuration before it is
#: asked, so the same certificate gets the same source. Bounded: emptied when full.
_ATTRIBUTED: dict[tuple[object, ...], str | None] = {}
_ATTRIBUTED_MAX = 4096


def _attributed(loaded: LoadedFile, config: _trust.TrustConfig, allow_remote: bool, pool: str | None,
                signer: SignerIdentity | None, serial: str | None, timestamped: bool | None) -> str | None:
    """``attribute``, remembered per signer certificate and signing time (see ``_ATTRIBUTED``)."""
    if signer is None or not serial or not signer.issuer:
        return attribute(loaded, config, allow_remote, pool)
    key = (config.key, pool, allow_remote, signer.issuer, serial, signer.signed_at, timestamped)
    if key in _ATTRIBUTED:
        return _ATTRIBUTED[key]
    by = attribute(loaded, config, allow_remote, pool)
    if len(_ATTRIBUTED) >= _ATTRIBUTED_MAX:
        _ATTRIBUTED.clear()
    _ATTRIBUTED[key] = by
    return by


@lru_cache(maxsize=64)
def _alone(config: _trust.TrustConfig, sid: str, with_tsa: bool) -> _trust.TrustConfig:
    """``config`` with one signer source alone (and the TSA list or not), built once: a configuration hashes
    its PEM for its key, and ``attribute`` asks for the same few on every trusted file."""
    alone = config.only(sid)
    return alone if with_tsa else _trust.TrustConfig(tuple(s for s in alone.sources if s.role != "tsa"))


@lru_cache(maxsize=16)
def _tsa_only(config: _trust.TrustConfig) -> _trust.TrustConfig:
    return _trust.TrustConfig(tuple(s if s.role == "tsa" else replace(s, anchors_pem="", allowed_pem="", count=0)
                                    for s in config.sources if s.role == "tsa" or s.eku.strip()))


def _signer_trusted_under(loaded: LoadedFile, config: _trust.TrustConfig, allow_remote: bool) -> bool:
    """True when c2pa-rs, validating under ``config``, gives ``signingCredential.trusted`` for the active manifest's
    signer. Its one-word state is no answer to that question: an ingredient nobody vouches for, or a CAWG identity
    assertion that fails (judged apart, ``identity_valid``), makes it Valid or Invalid for a trusted signer."""
    try:
        raw = _c2pa.read_store(loaded.data, loaded.mime, trust=config.settings(), trust_key=config.key,
                               allow_remote=allow_remote)
    except InputError:
        return False
    if raw is None:
        return False
    label = raw.store.get("active_manifest")
    active = (raw.store.get("validation_results") or {}).get("activeManifest") or {}
    return any(e["code"] == "signingCredential.trusted" and not _in_other_manifest(e, str(label) if label else None)
               for e in _codes(active.get("success")))


def _untrusted_finding(config: _trust.TrustConfig, f: Finding) -> Finding:
    titles = [s.title for s in config.sources if s.role == "signers" and s.id in config.signer_sources()]
    lists = {"lists": ", ".join(titles)} if titles else {"lists_k": "finding.untrusted_anchors"}
    return finding(f.code, f.severity, "finding.untrusted", f.source, **lists)


def _trust_verdict(loaded: LoadedFile, config: _trust.TrustConfig, facets: _Facets, signer: SignerIdentity | None,
                   allow_remote: bool, pool: str | None = None, serial: str | None = None,
                   ) -> tuple[_Facets, str | None, list[Finding], RevocationInfo | None]:
    """Who vouched; the frozen interim list's rule (it vouches only for what a trusted timestamp shows was signed
    before it froze); and a label authority's CRL (c2pa-rs checks OCSP only). Returns (facets, trusted_by,
    findings to add, the revocation if the vouching authority revoked the signer)."""
    findings: list[Finding] = []
    if facets.signature_state != "trusted":
        return facets, None, findings, None
    by = _attributed(loaded, config, allow_remote, pool, signer, serial, facets.timestamped)
    if by is None:
        findings.append(finding("trust.unattributed", "warning", "finding.unattributed"))
        return replace(facets, trusted=False), None, findings, None
    source = config.source(by)
    if source is not None and source.crl_pem:
        from handmade.authority import check_revocation

        name = by[len(_trust.AUTHORITY_PREFIX):]
        revoked = check_revocation(source.crl_pem, serial, name)
        if revoked is not None:
            findings.append(finding("credential.revoked", "error", "finding.revoked", by, name=name,
                                    date=revoked.date, reason=revoked.reason))
            info = RevocationInfo(revoked.date, revoked.reason, name)
            return replace(facets, credential_ok=False, trusted=False), None, findings, info
    frozen = _trust.parse_time(source.frozen) if source else None
    if frozen is not None:
        signed = _trust.parse_time(signer.signed_at) if signer and facets.timestamped else None
        if signed is None or signed >= frozen:
            when = ({"when_k": "finding.interim_signed_on", "signed": signed.date().isoformat()} if signed is not None
                    else {"when_k": "finding.interim_no_time"})
            findings.append(finding("trust.interim_frozen", "warning", "finding.interim_frozen", by,
                                    frozen=frozen.date().isoformat(), **when))
            return replace(facets, trusted=False), None, findings, None
    return facets, by, findings, None


@lru_cache(maxsize=32)
def _issuer_names(source: _trust.TrustSource) -> frozenset[str]:
    """The organisation and common names of an authority's CAs: a certificate that chains to one of them has
    one of these as its issuer (c2pa-rs reports it as ``signature_info.issuer``); only narrows the search."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    names: set[str] = set()
    for pem in (source.issuing_pem, source.anchors_pem):
        try:
            certs = x509.load_pem_x509_certificates(pem.encode()) if pem.strip() else []
        except ValueError:
            continue
        for cert in certs:
            for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
                names.update(str(a.value) for a in cert.subject.get_attributes_for_oid(oid))
    return frozenset(names)


def history_revocation(loaded: LoadedFile, config: _trust.TrustConfig, manifests: dict[str, Any],
                        active_label: str | None, allow_remote: bool,
                        store: bytes | None = None) -> tuple[RevocationInfo, Finding] | None:
    """A label authority's revocation of the signer of any manifest in the store (c2pa-rs checks OCSP only).

    For each authority whose CA could have issued one of the signers, the store is validated against that
    authority alone; each manifest whose signer c2pa-rs then finds trusted (it chains to the authority's root) has
    its certificate's serial looked up in the authority's CRL. The first revocation found is returned, with a
    finding that names the signer of that step: the active manifest's own revocation is ``_trust_verdict``'s.
    ``store``: a manifest store kept apart (a registry's candidate), read against ``loaded``'s bytes.
    """
    from handmade.authority import check_revocation

    for source in config.sources:
        if not source.crl_pem or not source.id.startswith(_trust.AUTHORITY_PREFIX):
            continue
        names = _issuer_names(source)
        if not any(isinstance(m, dict) and isinstance(m.get("signature_info"), dict)
                   and str(m["signature_info"].get("issuer") or "") in names for m in manifests.values()):
            continue
        alone = _alone(config, source.id, False)
        try:
            doc = _c2pa.read_crjson(loaded.data, loaded.mime, trust=alone.settings(), trust_key=alone.key,
                                    allow_remote=allow_remote, store=store)
        except InputError:
            continue
        name = source.id[len(_trust.AUTHORITY_PREFIX):]
        for manifest in (doc or {}).get("manifests") or []:
            if not isinstance(manifest, dict):
                continue
            results = manifest.get("validationResults") or {}
            if not any(e["code"] == "signingCredential.trusted" for e in _codes(results.get("success"))):
                continue  # this signer does not chain to this authority
            signature = manifest.get("signature")
            cert = signature.get("certificateInfo") if isinstance(signature, dict) else None
            if not isinstance(cert, dict):
                continue
            try:
                serial = str(int(str(cert.get("serialNumber")), 16))
            except ValueError:
                continue
            revoked = check_revocation(source.crl_pem, serial, name)
            if revoked is None:
                continue
            info = RevocationInfo(revoked.date, revoked.reason, name)
            if manifest.get("label") == active_label:
                found = finding("credential.revoked", "error", "finding.revoked", source.id, name=name,
                                date=revoked.date, reason=revoked.reason)
            else:
                subject = cert.get("subject")
                subject = subject if isinstance(subject, dict) else {}
                who = clean_text(subject.get("CN") or subject.get("O"), 80) or "?"
                found = finding("history.revoked", "error", "finding.revoked_history", source.id, name=name,
                                signer=who, date=revoked.date, reason=revoked.reason)
            return info, found
    return None


def inspect_loaded(loaded: LoadedFile, *, trust: TrustArg = None, allow_remote: bool = False,
                   with_hints: bool = True, with_digest: bool = True, registry: str | None = None) -> ProvenanceReport:
    """Report on a file already in memory. Never raises for bad content: errors become ``error`` results.

    ``trust``: a ``TrustConfig``; or ``TrustAnchors``, added on top of the shipped trust lists; or None, the
    shipped lists alone (``TrustConfig.none()`` trusts nobody). ``registry``: a manifest registry's URL; a
    file without a manifest, or whose manifest does not validate, is looked up there and the registered
    originals that match go in ``recovered`` (``handmade.recovery``), nothing else changing.
    """
    report = _inspect_loaded(loaded, trust=trust, allow_remote=allow_remote, with_hints=with_hints,
                             with_digest=with_digest)
    if registry is None:
        return report
    from handmade.recovery import recover

    return recover(loaded, report, registry, trust=trust)


def _inspect_loaded(loaded: LoadedFile, *, trust: TrustArg, allow_remote: bool, with_hints: bool,
                    with_digest: bool) -> ProvenanceReport:
    config = _trust.resolve(trust)
    # The digest (for audit logs and the JSON) is computed while c2pa-rs reads: both release the GIL.
    digest = _Digest(loaded.data if with_digest else b"")
    hints = _hints(loaded.data) if with_hints else ()

    def known() -> dict[str, Any]:  # asked once c2pa-rs has read: the digest was computed meanwhile
        return {"format": loaded.mime, "sha256": digest.hexdigest() if with_digest else None, "size": len(loaded.data)}

    def alone(data: bytes) -> ProvenanceReport:  # the file with one of several manifest stores left in it
        return inspect_loaded(LoadedFile(loaded.path, data, loaded.mime), trust=trust, allow_remote=allow_remote,
                              with_hints=False, with_digest=False)

    try:
        raw = _c2pa.read_store(loaded.data, loaded.mime, trust=config.settings(), trust_key=config.key,
                               allow_remote=allow_remote)
    except InputError as exc:
        # A manifest is there but cannot be read (unknown algorithm, pre-release, remote-only, corrupt
        # container): an ``invalid`` state with the reason, never a crash and never a guess about AI.
        failed = _error_report(loaded.path, exc, manifest=exc.code.startswith("manifest."), hints=hints, **known())
        # c2pa-rs refuses a PNG with two stores ("more than one manifest store"): say which one binds.
        return reconcile(failed, loaded.data, loaded.mime, alone) if failed.state == "invalid" else failed
    base = {"path": loaded.path, **known()}
    if raw is None:
        findings = [finding("manifest.none", "info", "finding.none")]
        return ProvenanceReport(state="no_manifest", hints=hints, findings=tuple(findings), **base)
    store = raw.store
    raw_manifests = store.get("manifests")
    manifests: dict[str, Any] = raw_manifests if isinstance(raw_manifests, dict) else {}
    found = manifests.get(str(store.get("active_manifest")))
    active: dict[str, Any] = found if isinstance(found, dict) else {}
    lineage = analyse(store)
    facets = facets_from_status(store.get("validation_results"), raw.state, bool(active.get("ingredients")),
                                config.configured, lineage.identity, str(store.get("active_manifest")))
    signer = _signer(active)
    sig = active.get("signature_info")
    info: dict[str, Any] = sig if isinstance(sig, dict) else {}
    facets, trusted_by, trust_findings, revocation = _trust_verdict(
        loaded, config, facets, signer, allow_remote, _trusted_pool(store),
        str(info.get("cert_serial_number") or "") or None)
    # (One manifest whose signer an authority vouched for: _trust_verdict has already looked it up in that CRL.)
    checked = len(manifests) <= 1 and (trusted_by or "").startswith(_trust.AUTHORITY_PREFIX)
    if revocation is None and not checked and any(s.crl_pem for s in config.sources):
        # A revoked signer anywhere in the history, not only the active one: the history is then invalid
        # (who vouches for the active signer is still said: a trusted signer is not a valid history).
        revoked = history_revocation(loaded, config, manifests, str(store.get("active_manifest")), allow_remote)
        if revoked is not None:
            revocation = revoked[0]
            trust_findings.append(revoked[1])
            active_revoked = revoked[1].code == "credential.revoked"
            facets = replace(facets, failed=True, credential_ok=False if active_revoked else facets.credential_ok,
                             trusted=False if active_revoked else facets.trusted)
            trusted_by = None if active_revoked else trusted_by
    findings = [_untrusted_finding(config, f) if f.code == "credential.untrusted" else f for f in facets.findings]
    findings += trust_findings
    test_identity = _test_identity(active)
    if test_identity:
        findings.insert(0, finding("signer.test_identity", "warning", "finding.test_identity", _c2pa_cn(active)))
    findings += list(config.stale_findings())
    findings += list(lineage.findings)
    if not raw.embedded:
        url = clean_text(raw.remote_url, 300) or ""
        findings.append(finding("manifest.remote", "info", "finding.remote", url, url=url))
    if lineage.broken_ingredient:
        # An ingredient recorded as failing validation when it was added (c2pa-rs does not re-validate it).
        facets = replace(facets, ingredients_valid=False)
    ai, provenance = lineage.ai, lineage.provenance
    if facets.unknown_provenance and provenance == "signed":
        provenance = "unknown_origin"  # c2pa-rs saw an ingredient without credentials that the walk did not
        ai = "unknown" if ai == "none_declared" else ai
    # Any manifest that does not validate (tampered, bad signature or credential, expired without a trusted
    # timestamp, a malformed claim, a failed ingredient): what it declares is not evidence.
    broken = not facets.valid
    if broken and ai == "none_declared":
        ai = "unknown"  # a history that does not validate is not evidence that it has no AI step
    # human_authored: the whole history signed, valid, examinable, free of generative and possibly
    # generative steps, every origin signed or stated by a signer (README, "Verdicts").
    human = (lineage.human_declared and facets.valid and ai == "none_declared"
             and provenance != "unknown_origin")
    report = ProvenanceReport(
        state=facets.signature_state, **facets.checks(), trusted_by=trusted_by, test_identity=test_identity,
        revocation=revocation, signer=signer, human_authored=human, authors=lineage.authors,
        training=lineage.training, training_terms=lineage.training_terms,
        ai=ai, lineage=lineage.steps, hints=hints, findings=tuple(findings),
        manifest_count=len(manifests), provenance=provenance,
        incomplete_history=lineage.incomplete_history, **base,
    )
    # A store copied in front of the real one (c2pa-rs reads only the first): report the one that binds.
    return reconcile(report, loaded.data, loaded.mime, alone)


def _c2pa_cn(manifest: dict[str, Any]) -> str | None:
    info = manifest.get("signature_info")
    return clean_text(info.get("common_name")) if isinstance(info, dict) else None


def crjson(path: str | os.PathLike[str], *, trust: TrustArg = None, allow_remote: bool = False,
           max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, Any] | None:
    """The file's manifest store as crJSON, validated under ``trust`` (the conformance harness's output).

    Returns None when the file has no manifest. Raises: InputError.
    """
    config = _trust.resolve(trust)
    loaded = load_input(path, max_bytes=max_bytes)
    return _c2pa.read_crjson(loaded.data, loaded.mime, trust=config.settings(), trust_key=config.key,
                             allow_remote=allow_remote)


def inspect(path: str | os.PathLike[str], *, trust: TrustArg = None, allow_remote: bool = False,
            max_bytes: int = DEFAULT_MAX_BYTES, with_hints: bool = True,
            registry: str | None = None) -> ProvenanceReport:
    """Verify one file and walk its edit chain. Bad files give a report with ``error`` set, not an exception.

    Raises: nothing for file content; TrustConfigError cannot happen here (anchors are already loaded).
    """
    try:
        loaded = load_input(path, max_bytes=max_bytes)
    except HandmadeError as exc:
        return _error_report(str(path), exc)
    return inspect_loaded(loaded, trust=trust, allow_remote=allow_remote, with_hints=with_hints, registry=registry)


def inspect_bytes(data: bytes, name: str = "<upload>", *, trust: TrustArg = None,
                  allow_remote: bool = False, max_bytes: int = DEFAULT_MAX_BYTES,
                  registry: str | None = None) -> ProvenanceReport:
    """Like ``inspect`` for bytes received another way (an upload)."""
    try:
        loaded = loaded_from_bytes(data, name, max_bytes=max_bytes)
    except HandmadeError as exc:
        return _error_report(name, exc)
    return inspect_loaded(loaded, trust=trust, allow_remote=allow_remote, registry=registry)


@dataclass(frozen=True)
class Thumbnails:
    """Small pictures for a page: ``preview`` of the image itself (JPEG), and each ingredient's thumbnail
    from the manifest as (title, MIME type, bytes)."""

    preview: bytes | None
    ingredients: tuple[tuple[str, str, bytes], ...] = ()


#: Formats the page does not draw from the file: their preview is made here (Pillow, raster formats only), or
#: taken from the manifest's claim thumbnail (a raster picture), or there is none. An SVG is never rasterised
#: here (no renderer without a system-wide install) and never sent back.
_BROWSER_OPAQUE = {"image/tiff", "image/x-adobe-dng", "image/heic", "image/avif", "image/jxl", "image/x-nikon-nef",
                   "image/x-sony-arw", "image/svg+xml", "video/mp4", "video/x-m4v", "video/quicktime",
                   "application/pdf"}


def thumbnails(data: bytes, name: str = "<upload>", *, size: int = 320,
               max_pixels: int = 100_000_000) -> Thumbnails:
    """A preview for formats browsers do not show (TIFF and DNG decoded with Pillow, HEIC and AVIF with
    pillow-heif, at reduced size; else the manifest's claim thumbnail), and the ingredients' thumbnails.

    Never raises for bad content: what cannot be made is left out.
    """
    from handmade.files import too_many_pixels

    try:
        loaded = loaded_from_bytes(data, name)
    except HandmadeError:
        return Thumbnails(None)
    try:
        claim, ingredients = _c2pa.read_thumbnails(loaded.data, loaded.mime)
    except HandmadeError:
        claim, ingredients = None, []
    preview = None
    if (loaded.mime in _BROWSER_OPAQUE and loaded.mime not in NOT_RASTER
            and too_many_pixels(loaded.data, max_pixels) is None):
        preview = _pillow_preview(loaded.data, size, loaded.mime, max_pixels)
    if preview is None and loaded.mime in _BROWSER_OPAQUE and claim is not None:
        preview = claim[1]
    return Thumbnails(preview, tuple(ingredients))


def _pillow_preview(data: bytes, size: int, mime: str = "", max_pixels: int = 100_000_000) -> bytes | None:
    """A JPEG of at most ``size`` pixels; HEIC/AVIF through pillow-heif (the ``web`` extra) when installed."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        if mime in ("image/heic", "image/avif"):
            try:
                import pillow_heif
            except ImportError:
                return None
            heif = pillow_heif.open_heif(io.BytesIO(data))  # not registered with Pillow: no global side effect
            width, height = heif.size
            if width * height > max_pixels:  # read from the header; nothing decoded yet
                return None
            im = heif.to_pillow()
        else:
            im = Image.open(io.BytesIO(data))
        with im:
            im.thumbnail((size, size))
            out = io.BytesIO()
            im.convert("RGB").save(out, "JPEG", quality=80)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, RuntimeError, Image.DecompressionBombError):
        return None


@dataclass(frozen=True)
class ChainCertificate:
    """One certificate of a signature's chain (its COSE ``x5chain``), read with ``cryptography``."""

    subject: str
    issuer: str
    serial: str
    not_before: str
    not_after: str
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"subject": self.subject, "issuer": self.issuer, "serial": self.serial,
                "not_before": self.not_before, "not_after": self.not_after, "sha256": self.sha256}


#: The COSE header label of the certificate chain (RFC 9360 ``x5chain``); pre-2.0 C2PA signers used the name.
_X5CHAIN = 33


def certificate_chain(cose_sign1: bytes) -> tuple[ChainCertificate, ...]:
    """The certificates of a C2PA signature (COSE_Sign1, RFC 9052), signer first, as its ``x5chain`` header
    gives them (protected, else unprotected); () when the signature cannot be decoded or names none.
    CBOR is decoded by cbor2; the certificates by cryptography."""
    import cbor2
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    try:
        message = cbor2.loads(cose_sign1)
        if isinstance(message, cbor2.CBORTag):  # tag 18: COSE_Sign1 (the tag is optional)
            message = message.value
        if not isinstance(message, list | tuple) or len(message) != 4:  # cbor2 may give immutable forms
            return ()
        protected = cbor2.loads(message[0]) if isinstance(message[0], bytes) and message[0] else {}
        unprotected = message[1]
        chain: Any = None
        for header in (protected, unprotected):
            if isinstance(header, Mapping):
                chain = header.get(_X5CHAIN, header.get("x5chain"))
                if chain is not None:
                    break
        ders = [chain] if isinstance(chain, bytes) else [c for c in chain or [] if isinstance(c, bytes)]
        certs = [x509.load_der_x509_certificate(der) for der in ders]
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError):  # a damaged or hostile signature
        return ()

    def name(n: x509.Name) -> str:  # in the certificate's order, as the CrJSON subject above is shown
        return clean_text(", ".join(a.rfc4514_string() for a in n), 400) or ""

    return tuple(ChainCertificate(
        subject=name(c.subject), issuer=name(c.issuer), serial=format(c.serial_number, "x"),
        not_before=c.not_valid_before_utc.isoformat(), not_after=c.not_valid_after_utc.isoformat(),
        sha256=c.fingerprint(hashes.SHA256()).hex(":").upper()) for c in certs)


@dataclass(frozen=True)
class CertificateDetails:
    """A manifest's signing certificate as c2pa-rs reports it (CrJSON ``certificateInfo``), its timestamp,
    and the signature's whole certificate chain, signer first (``chain``: read from the COSE signature's
    ``x5chain``, with SHA-256 fingerprints)."""

    manifest: str
    algorithm: str | None
    subject: str
    issuer: str
    serial: str | None
    not_before: str | None
    not_after: str | None
    timestamp: str | None = None
    timestamp_authority: str | None = None
    chain: tuple[ChainCertificate, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"manifest": self.manifest, "algorithm": self.algorithm, "subject": self.subject,
                "issuer": self.issuer, "serial": self.serial, "not_before": self.not_before,
                "not_after": self.not_after, "timestamp": self.timestamp,
                "timestamp_authority": self.timestamp_authority, "chain": [c.to_dict() for c in self.chain]}


def _dn(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    return clean_text(", ".join(f"{k}={v}" for k, v in value.items() if isinstance(v, str | int)), 400) or ""


def _obj(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _certificates(crjson: dict[str, Any], signatures: dict[str, bytes]) -> tuple[CertificateDetails, ...]:
    out = []
    for m in crjson.get("manifests") or []:
        if not isinstance(m, dict):
            continue
        sig = _obj(m, "signature")
        info = _obj(sig, "certificateInfo")
        validity = _obj(info, "validity")
        ts = _obj(sig, "timeStampInfo")
        ts_info = _obj(ts, "certificateInfo")
        out.append(CertificateDetails(
            manifest=clean_text(m.get("label"), 200) or "?", algorithm=clean_text(sig.get("algorithm"), 20),
            subject=_dn(info.get("subject")), issuer=_dn(info.get("issuer")),
            serial=clean_text(info.get("serialNumber"), 100), not_before=clean_text(validity.get("notBefore"), 40),
            not_after=clean_text(validity.get("notAfter"), 40), timestamp=clean_text(ts.get("timestamp"), 40),
            timestamp_authority=_dn(ts_info.get("subject")) or None,
            chain=certificate_chain(signatures[m["label"]]) if m.get("label") in signatures else ()))
    return tuple(out)


@dataclass(frozen=True)
class ManifestViews:
    """What ``handmade report --detailed`` / ``--certs`` show for one file (``error`` when it cannot be read)."""

    path: str
    store: dict[str, Any] | None = None
    certificates: tuple[CertificateDetails, ...] = ()
    error: ReportErrorInfo | None = None


def manifest_views(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> ManifestViews:
    """The detailed manifest store and each manifest's signing certificate (c2patool's ``--detailed`` and
    certificate views). Bad files give ``error``, not an exception; no manifest gives ``store=None``."""
    try:
        loaded = load_input(path, max_bytes=max_bytes)
        views = _c2pa.read_views(loaded.data, loaded.mime)
    except HandmadeError as exc:
        return ManifestViews(str(path), error=exc.info)
    if views is None:
        return ManifestViews(str(path))
    detailed, crjson, signatures = views
    return ManifestViews(str(path), bounded_strings(detailed), _certificates(crjson, signatures))


#: The longest string from a file that ``report --detailed`` shows whole; longer ones are cut and marked.
DETAILED_STRING_LIMIT = 4096


def bounded_strings(value: Any, limit: int = DETAILED_STRING_LIMIT) -> Any:
    """A copy of a JSON value taken from a file with every string cut at ``limit`` characters, marked with how
    much was left out (a 1 MB assertion value must not become a 1 MB line). The characters themselves are
    kept: the JSON output escapes what is not printable ASCII, so nothing reaches a terminal raw."""
    if isinstance(value, str):
        return value if len(value) <= limit else f"{value[:limit]}... [{len(value) - limit} more characters]"
    if isinstance(value, dict):
        return {bounded_strings(k, limit): bounded_strings(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [bounded_strings(v, limit) for v in value]
    return value


def _views_task(path: str) -> ManifestViews:  # pragma: no cover - in a worker
    return manifest_views(path)


def iter_manifest_views(paths: Sequence[str], *, timeout: float | None = None) -> Iterator[ManifestViews]:
    """``manifest_views`` for each path in input order, each in a worker process within ``timeout``."""
    if timeout is None:
        for p in paths:
            yield manifest_views(p)
        return
    yield from _in_input_order(_views_answers(paths, timeout))


def _views_answers(paths: Sequence[str], timeout: float) -> Generator[tuple[int, ManifestViews], None, None]:
    """``(index, views)`` as each worker finishes; a worker that overran or crashed gives an error view."""
    answers = run_workers(_views_task, [(p,) for p in paths], workers=1, timeout=timeout)
    try:
        for index, value in answers:
            if not isinstance(value, ManifestViews):
                value = ManifestViews(paths[index], error=failure_error(value, paths[index], timeout).info)
            yield index, value
    finally:
        answers.close()


def _in_input_order(answers: Generator[tuple[int, T], None, None]) -> Generator[T, None, None]:
    """The values of ``(index, value)`` pairs that arrive in finishing order, yielded in input order (those
    that finish early wait in a small buffer). Closing it closes ``answers`` (and so stops their workers)."""
    waiting: dict[int, T] = {}
    next_index = 0
    try:
        for index, value in answers:
            waiting[index] = value
            while next_index in waiting:
                yield waiting.pop(next_index)
                next_index += 1
    finally:
        answers.close()


def inspect_many(paths: Sequence[str | os.PathLike[str]], *, timeout: float | None = None, workers: int = 1,
                 **kwargs: Any) -> list[ProvenanceReport]:
    """``inspect`` over several files, results in input order.

    With ``timeout`` each file runs in its own forked child, killed after that many seconds; with
    ``workers > 1`` that many children run at once (one per core is the useful maximum).
    """
    return list(iter_inspect(paths, timeout=timeout, workers=workers, **kwargs))


def iter_inspect(paths: Sequence[str | os.PathLike[str]], *, timeout: float | None = None, workers: int = 1,
                 read_counter: Any = None, **kwargs: Any) -> Generator[ProvenanceReport, None, None]:
    """``inspect_many`` as a stream: each report is yielded, in input order, as soon as it and those before
    it are done, so a million-file run holds only the few results that finished early, not the list.
    ``read_counter``: a ``multiprocessing.Value`` (from ``_c2pa.worker_context()``) that counts the bytes read
    of big films, wherever they are read (a progress bar's source)."""
    if timeout is None and workers <= 1:
        for p in paths:
            if read_counter is None:
                yield inspect(p, **kwargs)
            else:
                with count_reads(read_counter):
                    yield inspect(p, **kwargs)
        return
    yield from _inspect_in_children(paths, timeout, max(1, workers), kwargs, read_counter)


#: The file names a folder walk verifies (the formats handmade reads; one table, in ``handmade.files``); hidden
#: files are left out.
VERIFY_SUFFIXES = READABLE_SUFFIXES


def expand_inputs(inputs: Iterable[str | os.PathLike[str]]) -> Iterator[str]:
    """Files given, and for a folder every image under it (recursively, sorted, hidden ones left out).

    A path that does not exist is passed on as given: ``inspect`` reports it as an error of its own.
    """
    for item in inputs:
        p = Path(item)
        if not p.is_dir():
            yield str(p)
            continue
        seen = {os.path.realpath(p)}  # linked folders are followed, each once
        for root, dirs, files in os.walk(p, followlinks=True):
            kept = []
            for d in sorted(dirs):
                real = os.path.realpath(os.path.join(root, d))
                if not d.startswith(".") and real not in seen:
                    seen.add(real)
                    kept.append(d)
            dirs[:] = kept
            for name in sorted(files):
                if not name.startswith(".") and Path(name).suffix.lower() in VERIFY_SUFFIXES:
                    yield os.path.join(root, name)


def inspect_with_timeout(path: str | os.PathLike[str], timeout: float, **kwargs: Any) -> ProvenanceReport:
    """``inspect`` in a forked child that is killed after ``timeout`` seconds.

    Native parsing of hostile files cannot be interrupted from Python, so the only sure bound is a process
    boundary. A fork costs a few milliseconds; the child shares the already imported c2pa library. A
    child that dies (a crash in native code) or overruns gives an ``error`` result, never a hang.
    """
    [report] = _inspect_in_children([path], timeout, 1, kwargs)
    return report


def _error_report(path: str, err: HandmadeError, *, manifest: bool = False, **known: Any) -> ProvenanceReport:
    """The report of a file that could not be processed (state ``error``), or whose manifest could not be read
    (``manifest``: state ``invalid``, a failure none of the checks names). The error is its ``error`` and, by
    the JSON contract, its one error finding too (a reader of the findings alone sees it): both from ``err``."""
    return ProvenanceReport(path=path, state="invalid" if manifest else "error", failed=manifest, error=err.info,
                            findings=(error_finding(err.code, err.message),), **known)


def _inspect_task(kwargs: dict[str, Any], path: str) -> ProvenanceReport:  # pragma: no cover - in a worker
    return inspect(path, **kwargs)


#: How much of a big film ``verify`` reads, in film sizes: its SHA-256 and c2pa-rs's read (a test pins it).
FILM_VERIFY_READS = 2


def _inspect_counted(kwargs: dict[str, Any], counter: Any, path: str) -> ProvenanceReport:  # pragma: no cover
    with count_reads(counter):
        return inspect(path, **kwargs)


def _inspect_in_children(paths: Sequence[str | os.PathLike[str]], timeout: float | None, workers: int,
                         kwargs: dict[str, Any], read_counter: Any = None) -> Generator[ProvenanceReport, None, None]:
    """Run ``inspect`` for each path in worker processes (``workers`` at a time), each within ``timeout``;
    yield the reports in input order (those that finish early wait in a small buffer).

    A file that overruns or kills its worker gets an ``error`` report (``input.timeout``/``input.crash``);
    its worker is replaced and the others go on (see ``handmade.workers``).
    """
    yield from _in_input_order(inspect_as_done(paths, timeout=timeout, workers=workers, read_counter=read_counter,
                                               **kwargs))


def inspect_as_done(paths: Sequence[str | os.PathLike[str]], *, timeout: float | None = None, workers: int = 1,
                    read_counter: Any = None, **kwargs: Any) -> Generator[tuple[int, ProvenanceReport], None, None]:
    """Like ``inspect_many`` in worker processes, yielding ``(index, report)`` as each file finishes (in
    finishing order), so a caller can keep each result the moment it is known (``handmade.scan``). Closing
    it stops the workers."""
    fn, shared = (_inspect_task, (kwargs,)) if read_counter is None else (_inspect_counted, (kwargs, read_counter))
    answers = run_workers(fn, [(str(p),) for p in paths], shared=shared, workers=max(1, workers), timeout=timeout)
    try:
        for index, value in answers:
            path = str(paths[index])
            yield index, value if isinstance(value, ProvenanceReport) else report_for_failure(path, value, timeout)
    finally:
        answers.close()


def report_for_failure(path: str, value: object, timeout: float | None) -> ProvenanceReport:
    """The ``error`` report of a file whose worker gave no report: a HandmadeError it raised, a
    ``workers.Failure`` (``input.timeout`` after ``timeout`` seconds, ``input.crash``), any other exception
    (``workers.failure_error``)."""
    return _error_report(path, failure_error(value, path, timeout))
