"""Acceptance policies: what an editor or a press site accepts, as small data the CLI and the service share.

A policy is a set of requirements checked against a ``ProvenanceReport``; ``evaluate`` returns every
requirement that failed, in words. Presets:

- `handmade`: a trusted manifest (a trust source vouches for the signer) that claims human authorship and
  declares no AI step;
- `trusted`: the same as `handmade` (kept for existing configurations);
- `claimed`: a valid manifest that claims human authorship and declares no AI step, whoever signed it: the
  signer's own claim, which nobody you trust vouches for;
- `intact`: any manifest whose data and signature are intact (AI allowed, trust not required);
- `any`: everything that could be read (report only).

Every preset but `any` refuses a file signed with handmade's public TEST key (``accept_test_identity``),
whatever the trust anchors say: anyone can sign with it.

A TOML policy file sets the same keys (see ``Policy``), optionally starting from a preset::

    base = "trusted"
    forbid_ai_assisted = false
    require_no_training = true

``accept_recovered = true`` accepts a file without Content Credentials (or whose credentials do not validate)
when a registered original matches it and meets the rest of the policy (``verify --registry``): off by default.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from handmade.errors import PolicyConfigError

__all__ = ["PRESETS", "Decision", "Policy", "PolicyConfigError", "at_least_as_strict", "candidate_passes", "evaluate",
           "load_policy", "policy_from_mapping", "require"]
from handmade.messages import CATALOG, finding
from handmade.models import Finding, ProvenanceReport, RecoveredCandidate


@dataclass(frozen=True)
class Policy:
    """Requirements a file must meet. Every field is one requirement, off by default."""

    name: str = "custom"
    require_manifest: bool = False
    require_intact: bool = False
    require_valid: bool = False
    require_trusted: bool = False
    forbid_generative: bool = False
    forbid_ai_assisted: bool = False
    require_human: bool = False
    require_no_training: bool = False
    accept_no_manifest: bool = True
    accept_test_identity: bool = False
    #: Accept a file without a manifest (or whose manifest does not validate) when a registered original matches
    #: it (``ProvenanceReport.recovered``) and that original meets the rest of this policy. Off in every preset:
    #: a fingerprint match is a likeness, not a signature over these pixels.
    accept_recovered: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_CLAIMED = Policy(name="claimed", require_manifest=True, require_intact=True, require_valid=True,
                  forbid_generative=True, forbid_ai_assisted=True, require_human=True, accept_no_manifest=False)

PRESETS: dict[str, Policy] = {
    "any": Policy(name="any", accept_test_identity=True),
    "intact": Policy(name="intact", require_manifest=True, require_intact=True, accept_no_manifest=False),
    "claimed": _CLAIMED,
    "handmade": replace(_CLAIMED, name="handmade", require_trusted=True),
    "trusted": replace(_CLAIMED, name="trusted", require_trusted=True),
}

#: Keys that make a policy stricter when true (``accept_*`` keys loosen it).
_TIGHTENING = ("require_manifest", "require_intact", "require_valid", "require_trusted", "forbid_generative",
               "forbid_ai_assisted", "require_human", "require_no_training")
_LOOSENING = ("accept_no_manifest", "accept_test_identity", "accept_recovered")


def at_least_as_strict(candidate: Policy, base: Policy) -> bool:
    """True when ``candidate`` accepts nothing that ``base`` refuses: every requirement of ``base`` is also
    one of ``candidate``'s, and ``candidate`` accepts nothing more (the service lets a caller tighten its
    policy, never loosen it)."""
    return (all(getattr(candidate, k) or not getattr(base, k) for k in _TIGHTENING)
            and all(getattr(base, k) or not getattr(candidate, k) for k in _LOOSENING))


@dataclass(frozen=True)
class Decision:
    """A policy's answer for one report."""

    accepted: bool
    policy: str
    reasons: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "policy": self.policy, "reasons": [r.to_dict() for r in self.reasons]}


def load_policy(name_or_path: str | Path) -> Policy:
    """A preset by name, or a TOML policy file. Raises: PolicyConfigError."""
    text = str(name_or_path)
    if text in PRESETS:
        return PRESETS[text]
    path = Path(text)
    if path.suffix.lower() == ".toml" or os.sep in text or "/" in text:
        if path.is_dir():
            raise PolicyConfigError(f"{path}: is a folder, not a policy file", code="policy.unreadable",
                                    hint="Give the path of a TOML policy file.")
        if not path.exists():
            raise PolicyConfigError(f"{path}: the policy file does not exist", code="policy.not_found",
                                    hint="Check the path, or use one of " + ", ".join(PRESETS) + ".")
    if not path.is_file():
        raise PolicyConfigError(f"unknown policy '{text}'", code="policy.unknown",
                                hint="Use one of " + ", ".join(PRESETS) + ", or a path to a TOML policy file.")
    import tomllib  # only for a policy file: a preset (every one-file verify by default) needs no parser

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PolicyConfigError(f"{path}: cannot read policy file: {exc}", code="policy.unreadable") from exc
    return policy_from_mapping(data, default_name=path.stem)


def policy_from_mapping(data: dict[str, Any], default_name: str = "custom") -> Policy:
    """Build a policy from a mapping (a parsed TOML file). Raises: PolicyConfigError for unknown keys."""
    base_name = data.get("base", "any")
    if base_name not in PRESETS:
        raise PolicyConfigError(f"unknown base policy '{base_name}'", code="policy.unknown")
    known = {f.name for f in fields(Policy)}
    unknown = set(data) - known - {"base"}
    if unknown:
        # A typo must not silently loosen a policy.
        raise PolicyConfigError(f"unknown policy keys: {', '.join(sorted(unknown))}", code="policy.keys",
                                hint="Known keys: " + ", ".join(sorted(known - {'name'})))
    values = {k: v for k, v in data.items() if k in known}
    for key, value in values.items():
        if key != "name" and not isinstance(value, bool):
            raise PolicyConfigError(f"policy key '{key}' must be true or false", code="policy.keys")
    # require_manifest and accept_no_manifest ask one question: one sets the other, and they may not disagree
    # (before, base = "handmade" with require_manifest = false still refused files without a manifest).
    if "require_manifest" in values and "accept_no_manifest" in values:
        if values["require_manifest"] == values["accept_no_manifest"]:
            raise PolicyConfigError("require_manifest and accept_no_manifest contradict each other",
                                    code="policy.keys", hint="Set only require_manifest.")
    elif "require_manifest" in values:
        values["accept_no_manifest"] = not values["require_manifest"]
    elif "accept_no_manifest" in values:
        values["require_manifest"] = not values["accept_no_manifest"]
    # A policy file accepts the public TEST key only if it says so itself, even on ``base = "any"``.
    values.setdefault("accept_test_identity", False)
    return replace(PRESETS[base_name], name=str(data.get("name", default_name)), **{
        k: v for k, v in values.items() if k != "name"})


def require(policy: Policy, report: ProvenanceReport) -> Decision:
    """``evaluate``, strict: the decision when ``report`` is accepted.

    Raises: PolicyViolation (with the report and every failed requirement) when it is not.
    """
    from handmade.errors import PolicyViolation

    decision = evaluate(policy, report)
    if not decision.accepted:
        raise PolicyViolation(f"{report.path}: refused by policy '{policy.name}': "
                              + " ".join(r.message for r in decision.reasons), report=report, failed=decision.reasons)
    return decision


def evaluate(policy: Policy, report: ProvenanceReport) -> Decision:
    """Check ``report`` against ``policy``; every failed requirement becomes a reason."""
    reasons: list[Finding] = []

    def fail(code: str, key: str | None = None, **params: str) -> None:
        reasons.append(finding(f"policy.{code}", "error", key or f"policy.{code}", policy.name, **params))

    def error() -> dict[str, str]:  # the error's sentence in the reader's language, when the catalog has it
        message, code = (report.error.message, report.error.code) if report.error else ("", "")
        return {"message": message, **({"error_k": f"error.{code}"} if f"error.{code}" in CATALOG else
                                       {"error": message})}

    if report.error is not None and report.state == "error":
        fail("unreadable", **error())
        return Decision(False, policy.name, tuple(reasons))
    recoverable = report.state in ("no_manifest", "invalid") and bool(report.recovered)
    if recoverable and policy.accept_recovered and any(candidate_passes(policy, c) for c in report.recovered):
        return Decision(True, policy.name, ())
    decision = _evaluate_own(policy, report, reasons, fail, error)
    if recoverable and not decision.accepted:
        fail("recovered_refused" if policy.accept_recovered else "recovered_not_accepted")
        return Decision(False, policy.name, tuple(reasons))
    return decision


def candidate_passes(policy: Policy, c: RecoveredCandidate) -> bool:
    """Whether a registered original (a ``recovered`` candidate) meets ``policy``'s requirements on its own verdict
    (the binding to the file's pixels aside: it is a likeness, which only ``accept_recovered`` accepts)."""
    if c.state not in ("valid", "trusted") or (c.test_identity and not policy.accept_test_identity):
        return False
    if policy.require_trusted and c.state != "trusted":
        return False
    if (policy.forbid_generative or policy.forbid_ai_assisted) and c.ai != "none_declared":
        return False
    if policy.require_human and not c.human_authored:
        return False
    return not (policy.require_no_training and c.training not in ("not_allowed", "constrained"))


def _evaluate_own(policy: Policy, report: ProvenanceReport, reasons: list[Finding], fail: Callable[..., None],
                  error: Callable[[], dict[str, str]]) -> Decision:
    """The policy against the file's own Content Credentials."""
    if report.state == "no_manifest":
        if policy.require_manifest or not policy.accept_no_manifest:
            fail("no_manifest")
        return Decision(not reasons, policy.name, tuple(reasons))
    if report.error is not None and (policy.require_intact or policy.require_valid):
        fail("unreadable", "policy.unreadable_store", **error())
    if policy.require_intact and not (report.intact and report.signature_valid):
        if report.intact is False:
            fail("not_intact")
        elif report.signature_valid is False:
            fail("bad_signature")
        else:  # unreadable, remote-only: nothing was compared, so nothing is known to have changed
            fail("not_checked")
    if (policy.require_intact or policy.require_valid) and any(
            f.code == "manifest.foreign_store" for f in report.findings):  # see handmade.stores
        fail("foreign_store")
    if policy.require_valid and not report.valid:
        fail("not_valid")
    revoked = report.revocation
    if revoked is not None and (policy.require_manifest or policy.require_intact or policy.require_valid
                                or policy.require_trusted):
        in_history = any(f.code == "history.revoked" for f in report.findings)
        fail("revoked", "policy.revoked_history" if in_history else None, by=revoked.by, date=revoked.date,
             reason=revoked.reason)
    if report.test_identity and not policy.accept_test_identity:
        fail("test_identity")
    if policy.require_trusted and not (report.valid and report.trusted) and revoked is None:
        fail("not_trusted")
    if policy.forbid_generative and report.ai == "generative":
        fail("generative")
    if policy.forbid_ai_assisted and report.ai == "ai_assisted":
        fail("ai_assisted")
    if (policy.forbid_generative or policy.forbid_ai_assisted) and report.ai == "possibly_generative":
        fail("possibly_generative")
    if (policy.forbid_generative or policy.forbid_ai_assisted) and report.ai == "unknown":
        if report.provenance == "unknown_origin":
            fail("ai_unknown", "policy.ai_unknown_origin")
        else:
            fail("ai_unknown")
    if policy.require_human and not report.human_authored:
        fail("not_human")
    if policy.require_no_training and report.training not in ("not_allowed", "constrained"):
        fail("training")
    return Decision(not reasons, policy.name, tuple(reasons))
