"""Acceptance policies: what an editor or a press site accepts, as small data the CLI and the service share.

A policy is a set of requirements checked against a ``ProvenanceReport``; ``evaluate`` returns every
requirement that failed, in words. Presets:

| name       | accepts                                                                               |
|------------|---------------------------------------------------------------------------------------|
| `handmade` | a valid (or trusted) manifest that claims human authorship and declares no AI step    |
| `trusted`  | the same, and the signer chains to one of your trust anchors                          |
| `intact`   | any manifest whose data and signature are intact (AI allowed, trust not required)     |
| `any`      | everything that could be read (report only)                                           |

A TOML policy file sets the same keys (see ``Policy``), optionally starting from a preset::

    base = "trusted"
    forbid_ai_assisted = false
    require_no_training = true
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import tomllib

from handmade.errors import HandmadeError
from handmade.models import Finding, ProvenanceReport


class PolicyConfigError(HandmadeError):
    """A policy name or file that cannot be used."""

    default_code = "policy.config"


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

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


PRESETS: dict[str, Policy] = {
    "any": Policy(name="any"),
    "intact": Policy(name="intact", require_manifest=True, require_intact=True, accept_no_manifest=False),
    "handmade": Policy(name="handmade", require_manifest=True, require_intact=True, require_valid=True,
                       forbid_generative=True, forbid_ai_assisted=True, require_human=True,
                       accept_no_manifest=False),
    "trusted": Policy(name="trusted", require_manifest=True, require_intact=True, require_valid=True,
                      require_trusted=True, forbid_generative=True, forbid_ai_assisted=True, require_human=True,
                      accept_no_manifest=False),
}


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
    return replace(PRESETS[base_name], name=str(data.get("name", default_name)), **{
        k: v for k, v in values.items() if k != "name"})


def evaluate(policy: Policy, report: ProvenanceReport) -> Decision:
    """Check ``report`` against ``policy``; every failed requirement becomes a reason."""
    reasons: list[Finding] = []

    def fail(code: str, message: str) -> None:
        reasons.append(Finding(f"policy.{code}", "error", message, policy.name))

    if report.error is not None and report.state == "error":
        fail("unreadable", f"The file could not be processed: {report.error.message}")
        return Decision(False, policy.name, tuple(reasons))
    if report.state == "no_manifest":
        if policy.require_manifest or not policy.accept_no_manifest:
            fail("no_manifest", "The file has no Content Credentials.")
        return Decision(not reasons, policy.name, tuple(reasons))
    if report.error is not None and (policy.require_intact or policy.require_valid):
        fail("unreadable", f"The Content Credentials cannot be read: {report.error.message}")
    if policy.require_intact and not (report.intact and report.signature_valid):
        fail("not_intact", "The image or its manifest changed after signing, or the signature does not match.")
    if policy.require_valid and report.state not in ("valid", "trusted"):
        fail("not_valid", "The Content Credentials do not validate (see the findings).")
    if policy.require_trusted and report.state != "trusted":
        fail("not_trusted", "The signer is not in the trust anchors.")
    if policy.forbid_generative and report.ai == "generative":
        fail("generative", "The image was generated by AI.")
    if policy.forbid_ai_assisted and report.ai == "ai_assisted":
        fail("ai_assisted", "Part of the image's history is generative AI.")
    if (policy.forbid_generative or policy.forbid_ai_assisted) and report.ai == "unknown":
        fail("ai_unknown", "The history cannot be shown to be free of AI.")
    if policy.require_human and not report.human_authored:
        fail("not_human", "The Content Credentials make no human-authorship claim.")
    if policy.require_no_training and report.training not in ("not_allowed", "constrained"):
        fail("training", "The Content Credentials do not forbid AI training.")
    return Decision(not reasons, policy.name, tuple(reasons))
