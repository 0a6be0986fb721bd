"""Lineage walk and AI verdicts on manifest stores shaped like c2pa-rs's JSON (hostile shapes included)."""

from __future__ import annotations

from typing import Any

from handmade.lineage import analyse, training_permission

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"


def manifest(actions: list[dict[str, Any]], ingredients: list[dict[str, Any]] | None = None,
             assertions: list[dict[str, Any]] | None = None, generator: str = "Tool/1.0") -> dict[str, Any]:
    return {
        "claim_generator": generator,
        "title": "img.jpg",
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": actions}}, *(assertions or [])],
        "ingredients": ingredients or [],
        "signature_info": {"issuer": "Issuer", "common_name": "Signer"},
    }


def store(active: str, **manifests: dict[str, Any]) -> dict[str, Any]:
    return {"active_manifest": active, "manifests": manifests}


def created(dst: str | None, **extra: Any) -> dict[str, Any]:
    action: dict[str, Any] = {"action": "c2pa.created", **extra}
    if dst:
        action["digitalSourceType"] = IPTC + dst
    return action


def ingredient(label: str, rel: str = "parentOf") -> dict[str, Any]:
    return {"title": f"{label}.jpg", "relationship": rel, "active_manifest": label}


def test_camera_capture_is_none_declared_and_human() -> None:
    result = analyse(store("a", a=manifest([created("digitalCapture")])))
    assert result.ai == "none_declared" and result.human_declared


def test_generated_image_is_generative() -> None:
    assert analyse(store("a", a=manifest([created("trainedAlgorithmicMedia")]))).ai == "generative"


def test_edit_of_generated_parent_is_still_generative() -> None:
    s = store("b", b=manifest([{"action": "c2pa.opened"}, {"action": "c2pa.resized"}], [ingredient("a")]),
              a=manifest([created("trainedAlgorithmicMedia")]))
    result = analyse(s)
    assert result.ai == "generative"
    step = next(x for x in result.steps if x.generative)
    assert step.depth == 1 and step.manifest == "a"


def test_generated_component_makes_ai_assisted() -> None:
    s = store("b", b=manifest([created("digitalCapture"), {"action": "c2pa.placed"}],
                             [ingredient("a", "componentOf")]),
              a=manifest([created("trainedAlgorithmicMedia")]))
    result = analyse(s)
    assert result.ai == "ai_assisted" and not result.human_declared


def test_generative_fill_in_active_manifest_is_ai_assisted() -> None:
    s = store("a", a=manifest([created("digitalCapture"),
                               {"action": "c2pa.edited", "digitalSourceType": IPTC
                                + "compositeWithTrainedAlgorithmicMedia"}]))
    assert analyse(s).ai == "ai_assisted"


def test_adobe_parameter_source_type_https_and_padding() -> None:
    s = store("a", a=manifest([{"action": "c2pa.created", "parameters": {
        "com.adobe.digitalSourceType": " https://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"}}]))
    assert analyse(s).ai == "generative"


def test_adobe_generative_assertion_without_source_type() -> None:
    s = store("a", a=manifest([created(None)], assertions=[
        {"label": "com.adobe.generative-ai", "data": {"description": "Adobe Firefly"}}]))
    result = analyse(s)
    assert result.ai == "generative"
    assert "Adobe Firefly" in (result.steps[0].reason or "")


def test_description_marks_generative() -> None:
    s = store("a", a=manifest([created(None, description="AI Generated Image")]))
    assert analyse(s).ai == "generative"


def test_unknown_source_type_is_unknown_not_no_ai() -> None:
    s = store("a", a=manifest([{"action": "c2pa.created", "digitalSourceType": "http://example.com/dst/mystery"}]))
    result = analyse(s)
    assert result.ai == "unknown"
    assert "lineage.unknown_source_type" in {f.code for f in result.findings}


def test_cycle_is_detected_and_walk_ends() -> None:
    s = store("a", a=manifest([created("digitalCapture")], [ingredient("b")]),
              b=manifest([{"action": "c2pa.opened"}], [ingredient("a")]))
    result = analyse(s)
    assert "lineage.cycle" in {f.code for f in result.findings}


def test_very_deep_chain_is_truncated_not_recursed_forever() -> None:
    manifests = {f"m{i}": manifest([{"action": "c2pa.opened"}], [ingredient(f"m{i + 1}")]) for i in range(500)}
    manifests["m500"] = manifest([created("trainedAlgorithmicMedia")])
    result = analyse(store("m0", **manifests))
    assert "lineage.truncated" in {f.code for f in result.findings}
    assert result.ai != "none_declared"  # an unexamined tail is never called AI-free


def test_missing_ingredient_manifest_is_a_finding() -> None:
    s = store("a", a=manifest([created("digitalCapture")], [ingredient("ghost")]))
    assert "lineage.manifest_missing" in {f.code for f in analyse(s).findings}


def test_no_active_manifest() -> None:
    result = analyse({"manifests": {}})
    assert result.ai == "unknown"


def test_hostile_strings_are_cleaned_and_bounded() -> None:
    evil = "<script>alert(1)</script>\x1b[31m\x00" + "A" * 5000
    s = store("a", a=manifest([created("digitalCapture", softwareAgent={"name": evil})], generator=evil))
    step = analyse(s).steps[0]
    assert step.software_agent is not None
    assert "\x1b" not in step.software_agent and "\x00" not in step.software_agent
    assert len(step.software_agent) <= 300


def test_garbage_shapes_do_not_crash() -> None:
    for bad in ({"active_manifest": "a", "manifests": {"a": {"assertions": "nope", "ingredients": {"x": 1}}}},
                {"active_manifest": "a", "manifests": {"a": {"assertions": [None, 1, {"label": "c2pa.actions",
                                                                                      "data": []}]}}},
                {"active_manifest": 5, "manifests": []}):
        analyse(bad)  # type: ignore[arg-type]


def test_training_permission_forms() -> None:
    def m(entries: dict[str, Any], label: str = "cawg.training-mining") -> dict[str, Any]:
        return {"assertions": [{"label": label, "data": {"entries": entries}}]}

    assert training_permission(m({"cawg.ai_training": {"use": "notAllowed"}})) == "not_allowed"
    assert training_permission(m({"c2pa.ai_training": {"use": "allowed"}}, "c2pa.training-mining")) == "allowed"
    assert training_permission(m({"cawg.ai_training": {"use": "constrained", "constraint_info": "ask"}})) \
        == "constrained"
    assert training_permission(m({"cawg.ai_training": {"use": "notAllowed"},
                                  "cawg.ai_inference": {"use": "allowed"}})) == "constrained"
    assert training_permission({"assertions": []}) == "unspecified"


def test_new_generator_names_as_software_agent_or_claim_generator() -> None:
    """A manifest created by one of the generators added later, with no source type, is generative either
    way: named as the action's software agent, or as the claim generator."""
    for agent in ("Kling AI 2.1", "Recraft v3", "Seedream 4.0", "Qwen-Image", "Image Playground"):
        by_agent = analyse(store("a", a=manifest([created(None, softwareAgent={"name": agent})])))
        by_claim = analyse(store("a", a=manifest([created(None)], generator=agent)))
        assert by_agent.ai == "generative" and by_claim.ai == "generative", agent
    assert analyse(store("a", a=manifest([created(None, softwareAgent={"name": "Lightroom"})]))).ai != "generative"


def test_recorded_ingredient_failures_v2_and_v3_break_the_history() -> None:
    v2 = {"title": "a.jpg", "relationship": "parentOf", "active_manifest": "a",
          "validation_status": [{"code": "claimSignature.mismatch"}, {"code": "assertion.hashedURI.match"}]}
    v3 = {"title": "a.jpg", "relationship": "parentOf", "active_manifest": "a", "validation_results": {
        "activeManifest": {"success": [], "failure": [{"code": "assertion.dataHash.mismatch"},
                                                      {"code": "signingCredential.untrusted"},
                                                      {"code": "cawg.identity.pad.invalid"}]}}}
    for ing, code in ((v2, "claimSignature.mismatch"), (v3, "assertion.dataHash.mismatch")):
        result = analyse(store("b", b=manifest([{"action": "c2pa.opened"}], [ing]),
                               a=manifest([created("digitalCapture")])))
        assert result.broken_ingredient
        assert [f.source for f in result.findings if f.code == "ingredient.recorded_failure"] == [code]
    untrusted_only = {**v3, "validation_results": {"activeManifest": {"failure": [
        {"code": "signingCredential.untrusted"}, {"code": "cawg.ica.invalid_issuer"}]}}}
    result = analyse(store("b", b=manifest([{"action": "c2pa.opened"}], [untrusted_only]),
                           a=manifest([created("digitalCapture")])))
    assert not result.broken_ingredient  # trust and identity are not the history


def test_many_ingredients_with_one_recorded_failure_give_one_finding() -> None:
    ings = [{"title": f"i{n}.jpg", "relationship": "componentOf", "active_manifest": "a",
             "validation_status": [{"code": "signingCredential.expired", "explanation": "expired"}]} for n in range(11)]
    result = analyse(store("b", b=manifest([created("digitalCapture")], ings), a=manifest([created("digitalCapture")])))
    found = [f for f in result.findings if f.code == "ingredient.recorded_failure"]
    assert len(found) == 1 and "and 9 more" in found[0].message


def test_claim_of_origin_covers_the_opened_asset_only() -> None:
    flat = {"title": "raw.dng", "relationship": "parentOf"}
    claimed = analyse(store("b", b=manifest([{"action": "c2pa.opened", "digitalSourceType": IPTC + "digitalCapture"},
                                             {"action": "c2pa.edited", "digitalSourceType": IPTC + "humanEdits"}],
                                            [ingredient("a")]),
                            a=manifest([{"action": "c2pa.opened"}], [flat])))
    assert claimed.provenance == "signer_claim" and claimed.ai == "none_declared"
    placed = analyse(store("b", b=manifest([{"action": "c2pa.opened", "digitalSourceType": IPTC + "digitalCapture"}],
                                           [ingredient("a"), {"title": "sticker.png", "relationship": "componentOf"}]),
                           a=manifest([created("digitalCapture")])))
    assert placed.provenance == "unknown_origin" and placed.ai == "unknown"  # placed beside it: not covered


def test_identity_codes_decide_identity_valid_not_the_state() -> None:
    from handmade.verify import facets_from_status

    results = {"activeManifest": {
        "success": [{"code": "claimSignature.validated"}, {"code": "assertion.dataHash.match"},
                    {"code": "cawg.identity.well-formed"}],
        "failure": [{"code": "cawg.identity.pad.invalid", "explanation": "invalid value in pad fields"}],
        "informational": [{"code": "ingredient.unknownProvenance"}]}}
    facets = facets_from_status(results, "Invalid", False, False, ("Jane",))
    assert facets.state == "valid" and facets.identity_valid is False and facets.unknown_provenance
    message = next(f.message for f in facets.findings if f.code == "identity.invalid")
    assert "Jane" in message and "pad fields" in message
    ok = {"activeManifest": {"success": [*results["activeManifest"]["success"]], "failure": []}}
    assert facets_from_status(ok, "Valid", False, False).identity_valid is True
    assert facets_from_status({"activeManifest": {"failure": [{"code": "cawg.ica.did_unavailable"}]}}, "Invalid",
                              False, False).identity_valid is None


def test_possibly_generative_template_is_not_no_ai() -> None:
    m = manifest([created("digitalCapture")])
    m["assertions"][0]["data"]["templates"] = [{"action": "*", "digitalSourceType": IPTC + "composite"}]
    result = analyse(store("a", a=m))
    assert result.ai == "possibly_generative"
    assert any(s.possibly_generative and s.action == "*" for s in result.steps)
