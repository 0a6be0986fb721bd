"""Frozen result types: what a verification, a report and a signing return.

A report is a ``SignatureStatus`` (the checks of the active manifest, each kept once) and what the history
says; its ``state`` for a manifest that was read is derived from those checks.

The JSON contract (``handmade.report/v2``; v2 added ``trusted_by``, ``test_identity``, ``revocation``, the
``CLAIMED`` and ``POSSIBLY-AI`` bottom lines, ``provenance``, ``incomplete_history``, ``identity_valid`` and
``ai: possibly_generative``; later, additively, ``recovered``: candidates from a manifest registry) is
produced by ``to_dict()`` here; it is pinned by a golden
test, so any change to field names or meanings is deliberate and bumps the schema.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

SCHEMA = "handmade.report/v2"

State = Literal["no_manifest", "invalid", "valid", "trusted", "error"]
AiVerdict = Literal["generative", "ai_assisted", "possibly_generative", "none_declared", "unknown"]
#: Where the origins of the chain come from: all signed, a signer's statement about an ingredient without
#: Content Credentials, or unknown (an ingredient without credentials that nobody vouches for).
Provenance = Literal["signed", "signer_claim", "unknown_origin"]
Training = Literal["not_allowed", "allowed", "constrained", "unspecified"]
Severity = Literal["info", "warning", "error"]
HintSignal = Literal["generative", "human", "training_prohibited", "training_allowed", "info"]


@dataclass(frozen=True)
class Finding:
    """One observation that decided (part of) a verdict.

    ``code`` is stable (``binding.mismatch``, ``lineage.generative`` ...); ``source`` names the c2pa
    status code, manifest label or metadata field it came from. ``message`` is English; ``key`` and
    ``params`` (not part of the JSON contract) render it in another language (``handmade.messages``).
    """

    code: str
    severity: Severity
    message: str
    source: str | None = None
    key: str | None = field(default=None, compare=False, repr=False)
    params: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "message": self.message, "source": self.source}


@dataclass(frozen=True)
class SignerIdentity:
    """Who signed a manifest, as the certificate says."""

    name: str | None
    issuer: str | None
    alg: str | None
    signed_at: str | None  # RFC 3339 time from a trusted timestamp, None when unstamped

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "issuer": self.issuer, "alg": self.alg, "signed_at": self.signed_at}


@dataclass(frozen=True)
class LineageStep:
    """One node of the edit chain: an action inside a manifest, or an ingredient pointing further back.

    ``depth`` is 0 for the active manifest, 1 for its ingredients' manifests, and so on.
    """

    manifest: str | None
    action: str | None
    digital_source_type: str | None
    software_agent: str | None
    depth: int
    generative: bool
    kind: Literal["action", "ingredient", "assertion", "manifest"] = "action"
    possibly_generative: bool = False  # a source type or name that may hide generative AI
    relationship: str | None = None
    title: str | None = None
    signer: str | None = None
    reason: str | None = None
    signed_at: str | None = None  # the manifest's signing time (trusted timestamp), when it has one
    tool: str | None = None  # the manifest's claim generator
    # ``reason`` in another language (``handmade.messages``); not part of the JSON contract
    reason_key: str | None = field(default=None, compare=False, repr=False)
    reason_params: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "manifest": self.manifest,
            "action": self.action,
            "digital_source_type": self.digital_source_type,
            "software_agent": self.software_agent,
            "depth": self.depth,
            "generative": self.generative,
            "possibly_generative": self.possibly_generative,
            "kind": self.kind,
            "relationship": self.relationship,
            "title": self.title,
            "signer": self.signer,
            "reason": self.reason,
            "signed_at": self.signed_at,
            "tool": self.tool,
        }


@dataclass(frozen=True)
class Hint:
    """Provenance read outside C2PA (XMP, IPTC, EXIF, PNG text). Unsigned: weaker than a manifest."""

    source: str  # "xmp", "exif", "png", "filename"...
    field: str  # e.g. "Iptc4xmpExt:DigitalSourceType", "EXIF Software", "PNG parameters"
    value: str  # truncated, never trusted
    signal: HintSignal
    message: str
    # see Finding (``dataclasses.field``: this class has a field named ``field``)
    key: str | None = dataclasses.field(default=None, compare=False, repr=False)
    params: dict[str, str] = dataclasses.field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "field": self.field, "value": self.value, "signal": self.signal,
                "message": self.message}


def summarize_hints(hints: tuple[Hint, ...] | list[Hint]) -> HintSignal | None:
    """``generative`` if any hint says so, else ``human`` if any does, else None."""
    signals = {h.signal for h in hints}
    if "generative" in signals:
        return "generative"
    if "human" in signals:
        return "human"
    return None


@dataclass(frozen=True)
class RevocationInfo:
    """A signer certificate revoked by the label authority that vouched for it (from its CRL): the active
    manifest's signer, or (finding ``history.revoked``) the signer of an earlier manifest in the history."""

    date: str  # the revocation date (YYYY-MM-DD)
    reason: str  # keyCompromise, affiliationChanged, superseded, cessationOfOperation, unspecified
    by: str  # the authority's name

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date, "reason": self.reason, "by": self.by}


@dataclass(frozen=True)
class RecoveredCandidate:
    """A registered original whose fingerprint matches a file that has no manifest, or whose manifest does not
    validate (``handmade.recovery``). A candidate, never the file's own provenance: the report's ``state``,
    ``ai`` and ``human_authored`` stay those of the file itself.

    ``state``, ``ai``, ``human_authored``, ``test_identity`` and ``training`` are the registered manifest's own
    verdict: its claim signature verified, its credential checked under the same trust configuration, its
    history examined (only the binding to these pixels is not: they are not the signed ones).
    """

    manifest_id: str
    alg: str
    value: str
    distance: int
    signer: str | None
    author: str | None
    signed_at: str | None
    registered_at: str
    state: State
    ai: AiVerdict
    human_authored: bool
    test_identity: bool = False
    training: Training = "unspecified"
    bits: int = 64
    #: Correlation (-1 to 1) of the copy's grey levels with the registered claim thumbnail's; None without one.
    resemblance: float | None = None

    @property
    def claims_handmade(self) -> bool:
        return self.state in ("valid", "trusted") and self.human_authored and self.ai == "none_declared"

    def to_dict(self) -> dict[str, Any]:
        return {"manifest_id": self.manifest_id, "alg": self.alg, "value": self.value, "distance": self.distance,
                "bits": self.bits, "signer": self.signer, "author": self.author, "signed_at": self.signed_at,
                "registered_at": self.registered_at, "resemblance": self.resemblance,
                "verdict": {"state": self.state, "ai": self.ai, "human_authored": self.human_authored,
                            "test_identity": self.test_identity, "training": self.training}}


@dataclass(frozen=True)
class ReportErrorInfo:
    """Why a file could not be processed (the JSON ``error`` object)."""

    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True, kw_only=True)
class SignatureStatus:
    """The checks of a file's active manifest, each kept once (pyHanko's ``SignatureStatus`` is the model):
    ``valid``, ``state`` and the summary's check tokens are derived from them, never stored beside them.

    ``trusted``: a trust source vouches for the signer (c2pa-rs's ``signingCredential.trusted``, then handmade's
    own rules: attribution, the interim list's freeze, an authority's CRL); it stays True for a trusted signer
    whose history does not validate. ``failed``: a failure that none of the other checks names (a malformed
    claim, a timestamp that does not match, an unknown code, c2pa-rs's own Invalid, a revoked signer earlier in
    the history, a foreign manifest store, a manifest that cannot be read); its finding says which.
    """

    intact: bool | None = None
    signature_valid: bool | None = None
    trusted: bool | None = None
    credential_ok: bool | None = None
    expired: bool | None = None
    timestamped: bool | None = None
    ingredients_valid: bool | None = None
    identity_valid: bool | None = None  # the CAWG identity assertion: never voids the claim itself
    failed: bool = False

    @property
    def valid(self) -> bool:
        """No check failed (the identity assertion aside: judged apart)."""
        return not (self.intact is False or self.signature_valid is False or self.credential_ok is False
                    or self.expired or self.ingredients_valid is False or self.failed)

    @property
    def signature_state(self) -> Literal["invalid", "valid", "trusted"]:
        """``invalid`` if any check failed, else ``trusted`` when a trust source vouches, else ``valid``."""
        if not self.valid:
            return "invalid"
        return "trusted" if self.trusted else "valid"

    def checks(self) -> dict[str, Any]:
        """These checks alone, by name: what a report is built with (``ProvenanceReport(**status.checks(), ...)``)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(SignatureStatus)}

    def check_tokens(self) -> list[str]:
        """The summary's tokens for these checks: ``TRUSTED INTACT``, ``INVALID TAMPERED BAD-SIGNATURE`` ..."""
        tokens = [self.signature_state.upper()]
        tokens.append("INTACT" if self.intact else "TAMPERED" if self.intact is False else "INTACT-UNKNOWN")
        if self.signature_valid is False:
            tokens.append("BAD-SIGNATURE")
        if self.credential_ok is False:
            tokens.append("BAD-CREDENTIAL")
        if self.expired:
            tokens.append("EXPIRED")
        if self.ingredients_valid is False:
            tokens.append("BAD-INGREDIENT")
        return tokens


@dataclass(frozen=True, kw_only=True)
class ProvenanceReport(SignatureStatus):
    """Everything handmade can say about one file. Each trust question is its own field.

    ``state`` is the bottom line of the signature checks: ``no_manifest``, ``invalid`` (something failed:
    see ``intact``/``signature_valid``/``credential_ok``), ``valid`` (intact and well signed, signer not
    in the trust anchors), ``trusted`` (valid, and the chain ends at a configured anchor; ``trusted_by``
    names the list that vouched), or ``error`` (the file could not be processed; see ``error``).

    For a file whose manifest was read, ``state`` is the checks' own (``SignatureStatus.signature_state``): a
    report that says otherwise cannot be built (ValueError); ``invalid`` given for checks that all passed sets
    ``failed``. An ``error`` result holds its error twice by contract: as ``error`` and as its one error finding
    (both made from one ``HandmadeError`` by ``verify``).
    """

    path: str
    state: State
    trusted_by: str | None = None  # which trust source vouched: c2pa-trust-list, c2pa-interim-list, your-anchors...
    test_identity: bool = False  # signed with handmade's public TEST key: proves nothing
    revocation: RevocationInfo | None = None  # an authority revoked the certificate of a signer in the history
    signer: SignerIdentity | None = None
    human_authored: bool | None = None
    authors: tuple[str, ...] = ()
    training: Training = "unspecified"
    #: For ``training == "constrained"``: the terms stated (CAWG ``constraint_info``), e.g. a licence URL.
    training_terms: str | None = None
    ai: AiVerdict = "unknown"
    lineage: tuple[LineageStep, ...] = ()
    hints: tuple[Hint, ...] = ()
    findings: tuple[Finding, ...] = ()
    error: ReportErrorInfo | None = None
    manifest_count: int = 0
    format: str | None = None
    sha256: str | None = None
    size: int | None = None
    provenance: Provenance | None = None
    incomplete_history: bool | None = None
    #: Registered originals that match this file's fingerprint (only looked up for a file without a manifest,
    #: or whose manifest does not validate, when a registry is given). Candidates, not this file's provenance.
    recovered: tuple[RecoveredCandidate, ...] = ()

    def __post_init__(self) -> None:
        if self.state not in ("invalid", "valid", "trusted"):
            return  # no manifest was read: nothing to check the state against
        if self.state == "invalid" and self.valid:
            object.__setattr__(self, "failed", True)  # a failure none of the checks names
        elif self.state != self.signature_state:
            raise ValueError(f"{self.path}: state {self.state!r} contradicts its checks, which say "
                             f"{self.signature_state!r}")

    # -- derived ----------------------------------------------------------------------------------------
    @property
    def valid(self) -> bool:
        """A manifest was read and none of its checks failed (``state`` is ``valid`` or ``trusted``)."""
        return self.state not in ("no_manifest", "error") and super().valid

    @property
    def generative_steps(self) -> tuple[LineageStep, ...]:
        return tuple(s for s in self.lineage if s.generative)

    @property
    def hints_suggest(self) -> HintSignal | None:
        """What unsigned metadata suggests ("generative" wins over "human"); never part of ``ai``."""
        return summarize_hints(self.hints)

    @property
    def possibly_generative_steps(self) -> tuple[LineageStep, ...]:
        return tuple(s for s in self.lineage if s.possibly_generative)

    @property
    def claims_handmade(self) -> bool:
        """A valid manifest that claims human authorship with no generative or possibly generative step and
        no origin that nobody vouches for, whoever signed it."""
        return (
            self.valid
            and bool(self.human_authored)
            and self.ai == "none_declared"
            and self.provenance != "unknown_origin"
        )

    @property
    def is_handmade(self) -> bool:
        """The strongest claim: ``claims_handmade``, and a signer that a trust source vouches for (never the
        public TEST key)."""
        return self.claims_handmade and self.trusted is True and not self.test_identity

    @property
    def bottom_line(self) -> str:
        """One word for the whole verdict."""
        if self.state == "error":
            return "ERROR"
        if self.state == "no_manifest":
            return "NO-MANIFEST"
        if self.state == "invalid":
            return "INVALID"
        if self.ai in ("generative", "ai_assisted"):
            return "AI"
        if self.ai == "possibly_generative":
            return "POSSIBLY-AI"
        if self.is_handmade:
            return "HANDMADE"
        return "CLAIMED" if self.claims_handmade else "SIGNED"

    def summary(self) -> str:
        """A machine-parseable token line: ``TRUSTED INTACT HUMAN NO-AI NO-TRAINING``."""
        if self.error is not None:
            prefix = "" if self.state == "error" else f"{self.state.upper()} "
            return f"{prefix}ERROR {self.error.code}"
        if self.state == "no_manifest":
            tokens = ["NO-MANIFEST"]
            hint = self.hints_suggest
            if hint:
                tokens.append(f"HINT-{hint.upper()}")
            return " ".join(tokens)
        tokens = self.check_tokens()
        if self.test_identity:
            tokens.append("TEST-KEY")
        if self.human_authored:
            tokens.append("HUMAN")
        tokens.append({
            "generative": "AI-GENERATED",
            "ai_assisted": "AI-ASSISTED",
            "possibly_generative": "AI-POSSIBLE",
            "none_declared": "NO-AI",
            "unknown": "AI-UNKNOWN",
        }[self.ai])
        if self.provenance == "unknown_origin":
            tokens.append("ORIGIN-UNKNOWN")
        elif self.provenance == "signer_claim":
            tokens.append("ORIGIN-CLAIMED")
        if self.identity_valid is False:
            tokens.append("BAD-IDENTITY")
        tokens.append({
            "not_allowed": "NO-TRAINING",
            "constrained": "TRAINING-CONSTRAINED",
            "allowed": "TRAINING-ALLOWED",
            "unspecified": "TRAINING-UNSPECIFIED",
        }[self.training])
        return " ".join(tokens)

    def to_dict(self) -> dict[str, Any]:
        """One result object of the ``handmade.report/v2`` JSON contract."""
        return {
            "path": self.path,
            "state": self.state,
            "bottom_line": self.bottom_line,
            "summary": self.summary(),
            "intact": self.intact,
            "signature_valid": self.signature_valid,
            "trusted": self.trusted,
            "trusted_by": self.trusted_by,
            "test_identity": self.test_identity,
            "revocation": self.revocation.to_dict() if self.revocation else None,
            "credential_ok": self.credential_ok,
            "expired": self.expired,
            "timestamped": self.timestamped,
            "ingredients_valid": self.ingredients_valid,
            "ai": self.ai,
            "human_authored": self.human_authored,
            "provenance": self.provenance,
            "incomplete_history": self.incomplete_history,
            "identity_valid": self.identity_valid,
            "authors": list(self.authors),
            "training": self.training,
            "training_terms": self.training_terms,
            "signer": self.signer.to_dict() if self.signer else None,
            "manifest_count": self.manifest_count,
            "lineage": [s.to_dict() for s in self.lineage],
            "hints": [h.to_dict() for h in self.hints],
            "hints_suggest": self.hints_suggest,
            "findings": [f.to_dict() for f in self.findings],
            "error": self.error.to_dict() if self.error else None,
            "format": self.format,
            "sha256": self.sha256,
            "size": self.size,
            "recovered": [c.to_dict() for c in self.recovered],
        }


def results_document(reports: list[ProvenanceReport] | tuple[ProvenanceReport, ...]) -> dict[str, Any]:
    """The top-level JSON document: ``{"schema": "handmade.report/v2", "results": [...]}``."""
    return {"schema": SCHEMA, "results": [r.to_dict() for r in reports]}


@dataclass(frozen=True)
class SignResult:
    """What ``sign_image`` did: where the output is, and the report of re-reading it."""

    source: str
    output: str
    report: ProvenanceReport
    source_type: str
    parent_kept: bool
    bundled_test_identity: bool
    badge: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "output": self.output,
            "source_type": self.source_type,
            "parent_kept": self.parent_kept,
            "bundled_test_identity": self.bundled_test_identity,
            "badge": self.badge,
            "report": self.report.to_dict(),
        }
