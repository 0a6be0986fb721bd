"""Policies: presets, TOML files, and that a typo can never loosen a policy."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from handmade.models import LineageStep, ProvenanceReport
from handmade.policy import PRESETS, PolicyConfigError, at_least_as_strict, evaluate, load_policy


def report(**kw: object) -> ProvenanceReport:
    base: dict[str, object] = dict(path="x.jpg", state="valid", intact=True, signature_valid=True, trusted=False,
                                   human_authored=True, ai="none_declared", training="not_allowed")
    base.update(kw)
    return ProvenanceReport(**base)  # type: ignore[arg-type]


def codes(policy: str, r: ProvenanceReport) -> set[str]:
    return {f.code for f in evaluate(PRESETS[policy], r).reasons}


def test_handmade_needs_a_trusted_signer_claimed_does_not() -> None:
    assert codes("handmade", report()) == {"policy.not_trusted"}
    assert evaluate(PRESETS["handmade"], report(state="trusted", trusted=True, trusted_by="your-anchors")).accepted
    assert evaluate(PRESETS["claimed"], report()).accepted


@pytest.mark.parametrize("name", [n for n in PRESETS if n != "any"])
def test_test_identity_fails_every_preset_but_any(name: str) -> None:
    r = report(state="trusted", trusted=True, trusted_by="your-anchors", test_identity=True)
    assert "policy.test_identity" in codes(name, r)
    assert evaluate(PRESETS["any"], r).accepted


def test_policy_file_refuses_test_identity_unless_it_says_so(tmp_path: Path) -> None:
    f = tmp_path / "p.toml"
    f.write_text('base = "any"\n')
    assert not evaluate(load_policy(f), report(test_identity=True)).accepted
    f.write_text('base = "any"\naccept_test_identity = true\n')
    assert evaluate(load_policy(f), report(test_identity=True)).accepted


def test_strictness_order_of_presets() -> None:
    strict = PRESETS
    assert at_least_as_strict(strict["handmade"], strict["claimed"])
    assert at_least_as_strict(strict["trusted"], strict["handmade"]) and at_least_as_strict(
        strict["handmade"], strict["trusted"])
    assert at_least_as_strict(strict["claimed"], strict["intact"])
    assert at_least_as_strict(strict["intact"], strict["any"])
    for looser, stricter in (("any", "intact"), ("intact", "claimed"), ("claimed", "handmade"), ("any", "handmade")):
        assert not at_least_as_strict(strict[looser], strict[stricter]), (looser, stricter)
    # accepting files without a manifest, or the TEST key, loosens a policy even if every requirement is kept
    assert not at_least_as_strict(replace(strict["handmade"], accept_test_identity=True), strict["handmade"])
    assert not at_least_as_strict(replace(strict["handmade"], accept_no_manifest=True), strict["handmade"])


def test_trusted_needs_trust() -> None:
    assert codes("trusted", report()) == {"policy.not_trusted"}
    assert evaluate(PRESETS["trusted"], report(state="trusted", trusted=True)).accepted


@pytest.mark.parametrize("ai,code", [("generative", "policy.generative"), ("ai_assisted", "policy.ai_assisted"),
                                     ("unknown", "policy.ai_unknown")])
def test_handmade_rejects_ai(ai: str, code: str) -> None:
    step = LineageStep("m", "c2pa.created", None, None, 0, True)
    assert code in codes("handmade", report(ai=ai, human_authored=False, lineage=(step,)))


def test_no_manifest_fails_handmade_and_trusted_but_not_any() -> None:
    r = report(state="no_manifest", intact=None, signature_valid=None, human_authored=None, ai="unknown")
    assert codes("handmade", r) == {"policy.no_manifest"}
    assert codes("trusted", r) == {"policy.no_manifest"}
    assert evaluate(PRESETS["any"], r).accepted


def test_intact_accepts_ai_but_not_tampering() -> None:
    assert evaluate(PRESETS["intact"], report(ai="generative")).accepted
    assert codes("intact", report(state="invalid", intact=False)) == {"policy.not_intact"}


def test_toml_policy_file(tmp_path: Path) -> None:
    f = tmp_path / "desk.toml"
    f.write_text('base = "intact"\nforbid_generative = true\nrequire_no_training = true\n')
    policy = load_policy(f)
    assert policy.name == "desk" and policy.forbid_generative and policy.require_no_training
    assert not evaluate(policy, report(ai="generative")).accepted
    assert not evaluate(policy, report(training="allowed")).accepted
    assert evaluate(policy, report(ai="ai_assisted")).accepted


def test_typo_in_policy_file_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "p.toml"
    f.write_text("forbid_generatve = true\n")
    with pytest.raises(PolicyConfigError) as exc:
        load_policy(f)
    assert exc.value.code == "policy.keys"


def test_non_boolean_value_refused(tmp_path: Path) -> None:
    f = tmp_path / "p.toml"
    f.write_text('forbid_generative = "yes"\n')
    with pytest.raises(PolicyConfigError):
        load_policy(f)


def test_unknown_preset() -> None:
    with pytest.raises(PolicyConfigError) as exc:
        load_policy("strictest")
    assert exc.value.code == "policy.unknown"


def test_require_manifest_and_accept_no_manifest_are_one_question(tmp_path: Path) -> None:
    f = tmp_path / "p.toml"
    f.write_text('base = "handmade"\nrequire_manifest = false\n')
    loose = load_policy(f)
    assert loose.accept_no_manifest and evaluate(loose, report(state="no_manifest", human_authored=None)).accepted
    f.write_text('base = "any"\naccept_no_manifest = false\n')
    assert load_policy(f).require_manifest
    f.write_text('require_manifest = true\naccept_no_manifest = true\n')
    with pytest.raises(PolicyConfigError) as exc:
        load_policy(f)
    assert "contradict" in exc.value.message


def test_require_raises_with_the_report_and_every_reason() -> None:
    import handmade

    r = report(ai="generative", human_authored=False)
    with pytest.raises(handmade.PolicyViolation) as exc:
        handmade.require(PRESETS["claimed"], r)
    assert exc.value.report is r and exc.value.code == "policy.rejected"
    assert {f.code for f in exc.value.failed} >= {"policy.generative", "policy.not_human"}
    assert handmade.require(PRESETS["any"], r).accepted
