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
| ``ingredients_valid`` | any failure in ``ingredientDeltas``                                     |

Untrusted is never reported as tampered: c2pa-rs lists ``signingCredential.untrusted`` as a failure even
when the file is intact and well signed.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handmade import _c2pa
from handmade._background import Background
from handmade.errors import HandmadeError, InputError, TrustConfigError
from handmade.files import DEFAULT_MAX_BYTES, LoadedFile, load_input, loaded_from_bytes
from handmade.lineage import analyse, clean_text
from handmade.models import Finding, Hint, ProvenanceReport, ReportErrorInfo, Severity, SignerIdentity, State
from handmade.workers import Failure
from handmade.workers import run as run_workers

log = logging.getLogger(__name__)

TRUST_ENV = "HANDMADE_TRUST"


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


def default_trust_paths() -> list[str]:
    """Trust anchor files from ``HANDMADE_TRUST`` (``os.pathsep``-separated) or the settings file.

    The settings file is ``$HANDMADE_CONFIG`` or ``~/.config/handmade/config.toml`` with
    ``trust = ["/path/root.pem", ...]``.
    """
    env = os.environ.get(TRUST_ENV)
    if env:
        return [p for p in env.split(os.pathsep) if p]
    config = Path(os.environ.get("HANDMADE_CONFIG", Path.home() / ".config" / "handmade" / "config.toml"))
    if config.is_file():
        import tomllib

        try:
            data = tomllib.loads(config.read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise TrustConfigError(f"{config}: settings file cannot be read: {exc}", code="trust.config") from exc
        trust = data.get("trust", [])
        if isinstance(trust, str):
            trust = [trust]
        return [str((config.parent / t).expanduser()) for t in trust]
    return []


# --- status codes -> facets ---------------------------------------------------------------------------
_BINDING = {"assertion.dataHash.mismatch", "assertion.bmffHash.mismatch", "assertion.boxesHash.mismatch",
            "assertion.collectionHash.mismatch", "claim.hardBindings.missing", "assertion.dataHash.malformed"}
_ASSERTION = {"assertion.hashedURI.mismatch", "assertion.hashedURI.missing", "assertion.missing"}
_SIGNATURE = {"claimSignature.mismatch", "claimSignature.missing"}
_CREDENTIAL = {"signingCredential.invalid", "signingCredential.revoked", "algorithm.unsupported",
               "signingCredential.ocsp.revoked"}
_EXPIRED = {"signingCredential.expired"}

#: code -> (our finding code, severity, message). Messages are for picture editors.
_MESSAGES: dict[str, tuple[str, Severity, str]] = {
    "assertion.dataHash.mismatch": ("binding.mismatch", "error",
                                    "The image data changed after it was signed: it was edited or tampered "
                                    "with, and the Content Credentials no longer describe it."),
    "assertion.bmffHash.mismatch": ("binding.mismatch", "error",
                                    "The image data changed after it was signed (tampered)."),
    "assertion.boxesHash.mismatch": ("binding.mismatch", "error",
                                     "The image data changed after it was signed (tampered)."),
    "assertion.collectionHash.mismatch": ("binding.mismatch", "error",
                                          "The signed data changed after it was signed (tampered)."),
    "claim.hardBindings.missing": ("binding.missing", "error",
                                   "The manifest is not bound to the image data, so it proves nothing about it."),
    "assertion.hashedURI.mismatch": ("assertion.mismatch", "error",
                                     "A statement inside the manifest was changed after signing (tampered)."),
    "assertion.hashedURI.missing": ("assertion.missing", "error",
                                    "A statement the signature covers is missing from the manifest."),
    "assertion.missing": ("assertion.missing", "error",
                          "A statement the signature covers is missing from the manifest."),
    "claimSignature.mismatch": ("signature.mismatch", "error",
                                "The signature does not match the manifest: it was altered or forged."),
    "claimSignature.missing": ("signature.missing", "error", "The manifest is not signed."),
    "signingCredential.invalid": ("credential.invalid", "error",
                                  "The signer's certificate does not meet the C2PA certificate profile (for "
                                  "example a missing extended key usage). The image was not tampered with, "
                                  "but this signature cannot be accepted as it stands."),
    "signingCredential.revoked": ("credential.revoked", "error", "The signer's certificate was revoked."),
    "signingCredential.expired": ("credential.expired", "error",
                                  "The signer's certificate has expired and no trusted timestamp shows it was "
                                  "signed while valid. This is not tampering."),
    "signingCredential.untrusted": ("credential.untrusted", "warning",
                                    "The signer is not in your trust anchors: the file is intact, but nobody "
                                    "you trust vouches for who signed it."),
    "algorithm.unsupported": ("credential.algorithm", "error", "The signature uses an unsupported algorithm."),
    "timeStamp.mismatch": ("timestamp.mismatch", "error", "The timestamp does not match the signature."),
    "timeStamp.untrusted": ("timestamp.untrusted", "warning", "The timestamp authority is not trusted."),
    "timeStamp.outsideValidity": ("timestamp.outside_validity", "error",
                                  "The timestamp lies outside the certificate's validity."),
    "ingredient.manifest.missing": ("ingredient.missing", "error",
                                    "An ingredient's manifest is missing from the file: part of the history "
                                    "cannot be checked."),
    "ingredient.hashedURI.mismatch": ("ingredient.mismatch", "error",
                                      "An ingredient's manifest was changed after it was recorded."),
    "claim.malformed": ("manifest.malformed", "error", "The manifest is malformed."),
    "cawg.x509.credential.untrusted": ("identity.untrusted", "warning",
                                       "The creator identity assertion is signed by a credential you do not trust."),
    "cawg.ica.did_unavailable": ("identity.unverifiable", "warning",
                                 "The creator identity could not be checked offline (its DID document is "
                                 "not available)."),
}

_IGNORED_FAILURES = {"signingCredential.ocsp.skipped"}
# Identity (CAWG) failures do not make the C2PA claim itself invalid; they are reported as findings.
_SOFT_FAILURES = {"signingCredential.untrusted", "cawg.x509.credential.untrusted", "cawg.ica.did_unavailable",
                  "timeStamp.untrusted"}


def _codes(entries: Any) -> list[dict[str, Any]]:
    return [e for e in entries or [] if isinstance(e, dict) and isinstance(e.get("code"), str)]


def _finding_for(status: dict[str, Any], where: str) -> Finding:
    code = status["code"]
    ours, severity, message = _MESSAGES.get(  # unknown codes are reported, never dropped
        code, ("c2pa." + code, "error", f"c2pa reports '{code}': {status.get('explanation') or 'no detail'}."))
    return Finding(ours, severity, f"{where}{message}", code)


@dataclass(frozen=True)
class _Facets:
    state: State
    intact: bool | None
    signature_valid: bool | None
    trusted: bool | None
    credential_ok: bool | None
    expired: bool
    timestamped: bool | None
    ingredients_valid: bool | None
    findings: tuple[Finding, ...]


def facets_from_status(results: dict[str, Any] | None, c2pa_state: str, has_ingredients: bool,
                       trust_configured: bool) -> _Facets:
    """Derive each verification facet from c2pa-rs's validation results (see the table above)."""
    results = results or {}
    active = results.get("activeManifest") or {}
    success = {e["code"] for e in _codes(active.get("success"))}
    failures = [e for e in _codes(active.get("failure")) if e["code"] not in _IGNORED_FAILURES]
    failure_codes = {e["code"] for e in failures}
    findings = [_finding_for(e, "") for e in failures
                if not (e["code"] == "signingCredential.untrusted" and not trust_configured)]
    if "signingCredential.untrusted" in failure_codes and not trust_configured:
        findings.append(Finding("trust.not_configured", "info",
                                "No trust anchors are configured, so no signer can be trusted; the signature "
                                "and the image data were checked.", "signingCredential.untrusted"))
    ingredient_failures: list[Finding] = []
    for delta in results.get("ingredientDeltas") or []:
        if not isinstance(delta, dict):
            continue
        vd = delta.get("validationDeltas") or {}
        for e in _codes(vd.get("failure")):
            if e["code"] in _SOFT_FAILURES or e["code"] in _IGNORED_FAILURES:
                continue
            f = _finding_for(e, "In an ingredient: ")
            code = f.code if f.code.startswith("ingredient.") else "ingredient." + f.code
            ingredient_failures.append(Finding(code, f.severity, f.message, f.source))
    findings += ingredient_failures

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
    timestamped: bool | None = True if {"timeStamp.validated", "timeStamp.trusted"} & success else False
    ingredients_valid: bool | None = (False if ingredient_failures else True if has_ingredients else None)

    hard = failure_codes - _SOFT_FAILURES
    if intact is False or signature_valid is False or credential_ok is False or expired or hard \
            or ingredients_valid is False or c2pa_state == "Invalid":
        state: State = "invalid"
        if c2pa_state == "Invalid" and not (hard or ingredients_valid is False):
            # c2pa-rs said Invalid for a reason not in its failure list: say so rather than guess.
            soft = sorted(failure_codes & _SOFT_FAILURES - {"signingCredential.untrusted"})
            why = (" because of: " + ", ".join(soft) + " (see the warnings; not tampering)") if soft else ""
            findings.append(Finding("c2pa.invalid", "error", f"c2pa reports the manifest as invalid{why}.",
                                    soft[0] if soft else None))
    elif trusted:
        state = "trusted"
    else:
        state = "valid"
    if c2pa_state == "Trusted" and state == "valid":
        state = "trusted"
    return _Facets(state, intact, signature_valid, trusted, credential_ok, expired, timestamped,
                   ingredients_valid, tuple(findings))


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

    return tuple(read_hints(data))


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Digest:
    """SHA-256 of a buffer, computed in a background thread for buffers worth it (hashlib releases the GIL)."""

    THRESHOLD = 256 * 1024

    def __init__(self, data: bytes) -> None:
        self._job = Background(_sha256_hex, data) if len(data) >= self.THRESHOLD else None
        self._hex = None if self._job is not None else _sha256_hex(data)

    def hexdigest(self) -> str:
        return self._job.result() if self._job is not None else str(self._hex)


def inspect_loaded(loaded: LoadedFile, *, trust: TrustAnchors | None = None, allow_remote: bool = False,
                   with_hints: bool = True, with_digest: bool = True) -> ProvenanceReport:
    """Report on a file already in memory. Never raises for bad content: errors become ``error`` results."""
    # The digest (for audit logs and the JSON) is computed while c2pa-rs reads: both release the GIL.
    digest = _Digest(loaded.data if with_digest else b"")
    hints = _hints(loaded.data) if with_hints else ()
    try:
        raw = _c2pa.read_store(loaded.data, loaded.mime, trust_anchors=trust.pem if trust else None,
                               allow_remote=allow_remote)
    except InputError as exc:
        base: dict[str, Any] = {"path": loaded.path, "format": loaded.mime,
                                "sha256": digest.hexdigest() if with_digest else None, "size": len(loaded.data)}
        # A manifest is there but cannot be read (unknown algorithm, pre-release, remote-only, corrupt
        # container): an ``invalid`` state with the reason, never a crash and never a guess about AI.
        return ProvenanceReport(state="invalid" if exc.code.startswith("manifest.") else "error",
                                error=ReportErrorInfo(exc.code, exc.message), hints=hints,
                                findings=(Finding(exc.code, "error", exc.message, None),), **base)
    base = {"path": loaded.path, "format": loaded.mime, "sha256": digest.hexdigest() if with_digest else None,
            "size": len(loaded.data)}
    if raw is None:
        findings = [Finding("manifest.none", "info", "No Content Credentials in this file.", None)]
        return ProvenanceReport(state="no_manifest", hints=hints, findings=tuple(findings), **base)
    store = raw.store
    raw_manifests = store.get("manifests")
    manifests: dict[str, Any] = raw_manifests if isinstance(raw_manifests, dict) else {}
    found = manifests.get(str(store.get("active_manifest")))
    active: dict[str, Any] = found if isinstance(found, dict) else {}
    facets = facets_from_status(store.get("validation_results"), raw.state, bool(active.get("ingredients")),
                                trust is not None)
    lineage = analyse(store)
    findings = list(facets.findings) + list(lineage.findings)
    if not raw.embedded:
        findings.append(Finding("manifest.remote", "info", f"The manifest was fetched from {raw.remote_url}.",
                                raw.remote_url))
    return ProvenanceReport(
        state=facets.state, intact=facets.intact, signature_valid=facets.signature_valid,
        trusted=facets.trusted, credential_ok=facets.credential_ok, expired=facets.expired,
        timestamped=facets.timestamped, ingredients_valid=facets.ingredients_valid,
        signer=_signer(active), human_authored=lineage.human_declared, authors=lineage.authors,
        training=lineage.training, training_terms=lineage.training_terms,
        ai=lineage.ai, lineage=lineage.steps, hints=hints, findings=tuple(findings),
        manifest_count=len(manifests), **base,
    )


def inspect(path: str | os.PathLike[str], *, trust: TrustAnchors | None = None, allow_remote: bool = False,
            max_bytes: int = DEFAULT_MAX_BYTES, with_hints: bool = True) -> ProvenanceReport:
    """Verify one file and walk its edit chain. Bad files give a report with ``error`` set, not an exception.

    Raises: nothing for file content; TrustConfigError cannot happen here (anchors are already loaded).
    """
    try:
        loaded = load_input(path, max_bytes=max_bytes)
    except HandmadeError as exc:
        return _error_report(str(path), exc)
    return inspect_loaded(loaded, trust=trust, allow_remote=allow_remote, with_hints=with_hints)


def inspect_bytes(data: bytes, name: str = "<upload>", *, trust: TrustAnchors | None = None,
                  allow_remote: bool = False, max_bytes: int = DEFAULT_MAX_BYTES) -> ProvenanceReport:
    """Like ``inspect`` for bytes received another way (an upload)."""
    try:
        loaded = loaded_from_bytes(data, name, max_bytes=max_bytes)
    except HandmadeError as exc:
        return _error_report(name, exc)
    return inspect_loaded(loaded, trust=trust, allow_remote=allow_remote)


@dataclass(frozen=True)
class Thumbnails:
    """Small pictures for a page: ``preview`` of the image itself (JPEG), and each ingredient's thumbnail
    from the manifest as (title, MIME type, bytes)."""

    preview: bytes | None
    ingredients: tuple[tuple[str, str, bytes], ...] = ()


#: Formats a browser cannot show: their preview is made here (Pillow), or taken from the manifest.
_BROWSER_OPAQUE = {"image/tiff", "image/x-adobe-dng", "image/heic", "image/avif"}


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
    if loaded.mime in _BROWSER_OPAQUE and too_many_pixels(loaded.data, max_pixels) is None:
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
class CertificateDetails:
    """A manifest's signing certificate as c2pa-rs reports it (CrJSON ``certificateInfo``), and its
    timestamp. c2pa-python 0.38 exposes neither the certificate itself nor its issuers, so no fingerprint."""

    manifest: str
    algorithm: str | None
    subject: str
    issuer: str
    serial: str | None
    not_before: str | None
    not_after: str | None
    timestamp: str | None = None
    timestamp_authority: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"manifest": self.manifest, "algorithm": self.algorithm, "subject": self.subject,
                "issuer": self.issuer, "serial": self.serial, "not_before": self.not_before,
                "not_after": self.not_after, "timestamp": self.timestamp,
                "timestamp_authority": self.timestamp_authority}


def _dn(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    return clean_text(", ".join(f"{k}={v}" for k, v in value.items() if isinstance(v, str | int)), 400) or ""


def _obj(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _certificates(crjson: dict[str, Any]) -> tuple[CertificateDetails, ...]:
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
            timestamp_authority=_dn(ts_info.get("subject")) or None))
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
        return ManifestViews(str(path), error=ReportErrorInfo(exc.code, exc.message))
    if views is None:
        return ManifestViews(str(path))
    detailed, crjson = views
    return ManifestViews(str(path), detailed, _certificates(crjson))


def _views_task(path: str) -> ManifestViews:  # pragma: no cover - in a worker
    return manifest_views(path)


def iter_manifest_views(paths: Sequence[str], *, timeout: float | None = None) -> Iterator[ManifestViews]:
    """``manifest_views`` for each path in input order, each in a worker process within ``timeout``."""
    if timeout is None:
        for p in paths:
            yield manifest_views(p)
        return
    results: dict[int, ManifestViews] = {}
    next_index = 0
    answers = run_workers(_views_task, [(p,) for p in paths], workers=1, timeout=timeout)
    try:
        for index, value in answers:
            if not isinstance(value, ManifestViews):
                what = f"gave up after {timeout:g} s" if isinstance(value, Failure) and value.kind == "timeout" \
                    else "the reader crashed"
                value = ManifestViews(paths[index], error=ReportErrorInfo(
                    "input.timeout" if "gave up" in what else "input.crash", f"{paths[index]}: {what}"))
            results[index] = value
            while next_index in results:
                yield results.pop(next_index)
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
                 **kwargs: Any) -> Generator[ProvenanceReport, None, None]:
    """``inspect_many`` as a stream: each report is yielded, in input order, as soon as it and those before
    it are done, so a million-file run holds only the few results that finished early, not the list."""
    if timeout is None and workers <= 1:
        for p in paths:
            yield inspect(p, **kwargs)
        return
    yield from _inspect_in_children(paths, timeout, max(1, workers), kwargs)


#: The file names a folder walk verifies (the formats handmade reads); hidden files are left out.
VERIFY_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".dng", ".gif", ".heic", ".heif", ".avif"}


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


def _error_report(path: str, err: HandmadeError) -> ProvenanceReport:
    return ProvenanceReport(path=path, state="error", error=ReportErrorInfo(err.code, err.message),
                            findings=(Finding(err.code, "error", err.message, None),))


def _inspect_task(kwargs: dict[str, Any], path: str) -> ProvenanceReport:  # pragma: no cover - in a worker
    return inspect(path, **kwargs)


def _inspect_in_children(paths: Sequence[str | os.PathLike[str]], timeout: float | None, workers: int,
                         kwargs: dict[str, Any]) -> Generator[ProvenanceReport, None, None]:
    """Run ``inspect`` for each path in worker processes (``workers`` at a time), each within ``timeout``;
    yield the reports in input order (those that finish early wait in a small buffer).

    A file that overruns or kills its worker gets an ``error`` report (``input.timeout``/``input.crash``);
    its worker is replaced and the others go on (see ``handmade.workers``).
    """
    results: dict[int, ProvenanceReport] = {}
    next_index = 0
    answers = run_workers(_inspect_task, [(str(p),) for p in paths], shared=(kwargs,), workers=workers,
                          timeout=timeout)
    try:
        for index, value in answers:
            path = str(paths[index])
            results[index] = _answer_report(path, value, timeout)
            while next_index in results:
                yield results.pop(next_index)
                next_index += 1
    finally:
        answers.close()


def _answer_report(path: str, value: Any, timeout: float | None) -> ProvenanceReport:
    """What a worker answered for ``path``, as a report."""
    if isinstance(value, ProvenanceReport):
        return value
    if isinstance(value, HandmadeError):
        return _error_report(path, value)
    if isinstance(value, Failure) and value.kind == "timeout":
        return _error_report(path, InputError(
            f"{path}: gave up after {timeout:g} s", code="input.timeout",
            hint="The file may be hostile; raise --timeout if it is merely huge."))
    if isinstance(value, Failure):
        return _error_report(path, InputError(
            f"{path}: the checker crashed (exit code {value.exitcode})", code="input.crash"))
    return _error_report(path, InputError(f"{path}: {str(value)[:300]}", code="input.crash"))
