"""No laundering path: a broken, generative, possibly generative, redacted or unexaminable history is never
signed or reported as human-made (issue "Honest history").

Histories are crafted with c2pa-python's Builder, signed as another tool would sign them (small files),
or taken from ../shared/corpus; every refusal is checked to write nothing.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import c2pa
import pytest
from click.testing import CliRunner

from handmade import labels
from handmade.cli import main
from handmade.errors import SigningError
from handmade.keys import bundled_test_identity
from handmade.policy import PRESETS, Policy, evaluate
from handmade.sign import SignOptions, sign_image
from handmade.trust import TrustConfig
from handmade.verify import inspect, inspect_bytes
from tests.conftest import photo_bytes

PHOTO = photo_bytes("JPEG", (64, 48))
IPTC = labels.IPTC_BASE
FORBID_AI = Policy(name="no-ai", require_manifest=True, forbid_generative=True, forbid_ai_assisted=True)


def craft(assertions: list[dict[str, Any]], ingredients: tuple[tuple[dict[str, Any], bytes], ...] = (),
          data: bytes = PHOTO, generator: str = "OtherTool", **extra: Any) -> bytes:
    """A JPEG signed by another tool (the bundled test identity) with exactly these assertions."""
    identity = bundled_test_identity()
    manifest = {"claim_generator_info": [{"name": generator, "version": "1"}], "assertions": assertions, **extra}
    info = c2pa.C2paSignerInfo(identity.alg.encode(), identity.chain_pem, identity.private_key_pem, None)
    ctx = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}},
                                  "core": {"allowed_network_hosts": []}})
    out = io.BytesIO()
    with c2pa.Signer.from_info(info) as signer, c2pa.Builder.from_json(manifest, context=ctx) as builder:
        for definition, blob in ingredients:
            builder.add_ingredient_from_stream(definition, "image/jpeg", io.BytesIO(blob))
        builder.sign(signer, "image/jpeg", io.BytesIO(data), out)
    return out.getvalue()


def actions(*items: dict[str, Any], all_included: bool | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"actions": list(items)}
    if all_included is not None:
        data["allActionsIncluded"] = all_included
    return {"label": "c2pa.actions.v2", "data": data}


def created(term: str) -> dict[str, Any]:
    return {"action": "c2pa.created", "digitalSourceType": IPTC + term}


def opened(**extra: Any) -> dict[str, Any]:
    return {"action": "c2pa.opened", "parameters": {"ingredientIds": ["p"]}, **extra}


def parent(blob: bytes, title: str = "parent.jpg") -> tuple[dict[str, Any], bytes]:
    return {"title": title, "relationship": "parentOf", "label": "p"}, blob


def assert_refused(blob: bytes, tmp_path: Path, code: str) -> SigningError:
    """``sign`` refuses the file with ``code`` and leaves nothing behind."""
    src = tmp_path / "in.jpg"
    src.write_bytes(blob)
    out = tmp_path / "out.jpg"
    with pytest.raises(SigningError) as exc:
        sign_image(src, out, SignOptions(author="X"))
    assert exc.value.code == code, exc.value.message
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["in.jpg"]
    return exc.value


# --- 1. a broken history is refused, and read as broken ---------------------------------------------------
@pytest.mark.parametrize("name", ["tampered-hash-mismatch-XCA.jpg", "invalid-claim-signature-E-sig-CA.jpg",
                                  "camera-pixel10pro-motionphoto-stripped.jpg"])
def test_broken_history_is_refused_by_sign(name: str, corpus: Path, tmp_path: Path) -> None:
    error = assert_refused((corpus / name).read_bytes(), tmp_path, "sign.broken_history")
    assert "do not validate" in error.message


def test_broken_history_refusal_exits_3_through_the_cli(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jpg"
    result = CliRunner().invoke(main, ["sign", str(corpus / "tampered-hash-mismatch-XCA.jpg"), "-o", str(out)])
    assert result.exit_code == 3 and not out.exists()
    assert "sign.broken_history" in result.output and "Traceback" not in result.output


def test_ai_image_patched_to_digital_capture_is_refused(tmp_path: Path) -> None:
    ai = craft([actions(created("trainedAlgorithmicMedia"))])
    old = (IPTC + "trainedAlgorithmicMedia").encode()
    new = (IPTC + "digitalCapture").encode().ljust(len(old))  # same CBOR length; spaces are trimmed on reading
    assert ai.count(old) == 1
    patched = ai.replace(old, new)
    report = inspect_bytes(patched, "patched.jpg")
    assert report.state == "invalid" and report.intact is False
    assert not report.human_authored and report.ai == "unknown" and "HUMAN" not in report.summary()
    assert_refused(patched, tmp_path, "sign.broken_history")


def test_laundered_output_of_another_tool_fails_the_ingredient_facet(corpus: Path, tmp_path: Path) -> None:
    """Another tool signed over a tampered file: c2pa-rs records the parent's failure in the v3
    ``validation_results`` of the ingredient and reports the file Valid; handmade reads the record."""
    laundered = craft([actions(opened(), {"action": "c2pa.edited", "digitalSourceType": IPTC + "humanEdits"},
                               all_included=True)],
                      ingredients=(parent((corpus / "tampered-hash-mismatch-XCA.jpg").read_bytes()),))
    report = inspect_bytes(laundered, "laundered.jpg")
    assert report.ingredients_valid is False and report.state == "invalid"
    assert not report.human_authored and report.ai == "unknown"
    recorded = [f for f in report.findings if f.code == "ingredient.recorded_failure"]
    assert recorded and recorded[0].source == "assertion.dataHash.mismatch"
    assert_refused(laundered, tmp_path, "sign.broken_history")


def test_ingredient_recorded_bad_signature_fails_the_facet(external: Path) -> None:
    """The v2 form: CIE-sig-CA.jpg, whose ingredient's signature was bad when added; c2pa-rs says Valid."""
    report = inspect(external / "contentauth+c2pa-rs__sdk__tests__fixtures__CIE-sig-CA.jpg")
    assert report.ingredients_valid is False and report.state == "invalid"
    assert {f.source for f in report.findings if f.code == "ingredient.recorded_failure"} == {"claimSignature.mismatch"}


# --- 2. a generator named as the agent of any action -----------------------------------------------------
@pytest.mark.parametrize("action", ["c2pa.color_adjustments", "c2pa.resized", "c2pa.drawing", "c2pa.cropped"])
@pytest.mark.parametrize("agent", ["Midjourney", "Stable Diffusion XL img2img"])
def test_generator_as_agent_of_any_action(action: str, agent: str, tmp_path: Path) -> None:
    blob = craft([actions(created("digitalCapture"), {"action": action, "softwareAgent": {"name": agent}})])
    report = inspect_bytes(blob, "x.jpg")
    assert report.ai == "ai_assisted" and not report.human_authored
    assert any(agent.split()[0] in (s.reason or "") for s in report.generative_steps)
    assert_refused(blob, tmp_path, "sign.generative_history")


# --- 3. a redacted assertion is a part of the history that cannot be examined ----------------------------
def test_redacted_generative_assertion_is_not_no_ai(tmp_path: Path) -> None:
    marked = craft([actions(created("digitalCapture")),
                    {"label": "com.adobe.generative-ai", "data": {"description": "Some Model"}}])
    assert inspect_bytes(marked, "a.jpg").ai == "generative"
    with c2pa.Reader("image/jpeg", io.BytesIO(marked)) as reader:
        label = json.loads(reader.json())["active_manifest"]
    uri = f"self#jumbf=/c2pa/{label}/c2pa.assertions/com.adobe.generative-ai"
    redacted = craft([actions(opened(), {"action": "c2pa.redacted", "parameters": {"redacted": uri}})],
                     ingredients=(parent(marked),), redactions=[uri])
    report = inspect_bytes(redacted, "b.jpg")
    assert report.ai == "unknown" and not report.human_authored
    assert "lineage.redacted" in {f.code for f in report.findings}
    assert_refused(redacted, tmp_path, "sign.unknown_history")


# --- 4. an unknown digital source type: not human, and cleaned before any output -------------------------
def test_unknown_source_type_is_not_human_and_is_cleaned(tmp_path: Path) -> None:
    hostile = "http://example.com/dst/\x1b[31mmystery\x07\u202e" + "A" * 1_000_000
    blob = craft([actions({"action": "c2pa.created", "digitalSourceType": hostile},
                          {"action": "c2pa.edited", "digitalSourceType": IPTC + "humanEdits"})])
    report = inspect_bytes(blob, "x.jpg")
    assert report.ai == "unknown" and report.human_authored is False and "HUMAN" not in report.summary()
    texts = [s.reason or "" for s in report.lineage] + [s.digital_source_type or "" for s in report.lineage]
    texts += [f.message for f in report.findings]
    assert any("mystery" in t for t in texts)
    for text in texts:
        assert not any(c in text for c in "\x1b\x07\u202e") and len(text) <= 1000
    assert_refused(blob, tmp_path, "sign.unknown_history")


@pytest.mark.parametrize("args", [["verify"], ["verify", "--json"], ["report"], ["report", "--json"],
                                  ["report", "--detailed"], ["report", "--certs"]])
def test_hostile_strings_never_reach_any_output_raw_or_unbounded(args: list[str], tmp_path: Path) -> None:
    hostile = "http://example.com/dst/\x1b[31mmystery\x07\u202e" + "A" * 1_000_000
    blob = craft([actions({"action": "c2pa.created", "digitalSourceType": hostile})])
    path = tmp_path / "x.jpg"
    path.write_bytes(blob)
    r = CliRunner().invoke(main, [*args, str(path)])
    assert r.exit_code in (0, 1), r.output
    assert not any(c in r.output for c in "\x1b\x07\u202e"), args
    assert len(r.output) < 200_000 and max(len(line) for line in r.output.splitlines()) < 20_000, args
    if "--detailed" in args:  # the store is shown, the long value cut and marked, the escapes kept as escapes
        assert "more characters]" in r.output and "\\u202e" in r.output and "\\u001b" in r.output


# --- 5. possibly generative, unknown provenance, incomplete history --------------------------------------
@pytest.mark.parametrize(("steps", "ai"), [
    ([created("composite")], "possibly_generative"),
    ([created("screenCapture")], "possibly_generative"),
    ([created("compositeSynthetic")], "possibly_generative"),
    ([created("digitalCapture"), {"action": "c2pa.edited", "digitalSourceType": IPTC + "digitalArt"}],
     "possibly_generative"),
    ([created("digitalCapture"), {"action": "c2pa.edited", "digitalSourceType": IPTC + "composite"}],
     "possibly_generative"),
    ([created("digitalCapture"), {"action": "c2pa.edited", "digitalSourceType": IPTC + "compositeSynthetic"}],
     "ai_assisted"),
])
def test_may_contain_generative_classes(steps: list[dict[str, Any]], ai: str, tmp_path: Path) -> None:
    blob = craft([actions(*steps, all_included=True)])
    report = inspect_bytes(blob, "x.jpg")
    assert report.ai == ai and not report.human_authored
    assert evaluate(FORBID_AI, report).accepted is False
    if ai == "possibly_generative":
        assert report.bottom_line == "POSSIBLY-AI" and "AI-POSSIBLE" in report.summary()
        assert "policy.possibly_generative" in {r.code for r in evaluate(FORBID_AI, report).reasons}
        error = assert_refused(blob, tmp_path, "sign.possibly_generative_history")
        assert "may contain generative AI" in error.message


def test_ingredient_without_credentials_is_unknown_provenance() -> None:
    blob = craft([actions(opened(), all_included=True)], ingredients=(parent(PHOTO, "base.jpg"),))
    report = inspect_bytes(blob, "x.jpg")
    assert report.provenance == "unknown_origin" and report.ai == "unknown" and not report.human_authored
    assert "ORIGIN-UNKNOWN" in report.summary()
    finding = next(f for f in report.findings if f.code == "ingredient.unknown_provenance")
    assert "'base.jpg'" in finding.message
    decision = evaluate(FORBID_AI, report)
    assert not decision.accepted
    assert "without Content Credentials" in next(r.message for r in decision.reasons if r.code == "policy.ai_unknown")


def test_component_ingredient_without_credentials_is_unknown_provenance(tmp_path: Path) -> None:
    """C2PA 2.2 §15.11.3.3 names componentOf with parentOf: a placed element of unknown origin."""
    blob = craft([actions(created("digitalCapture"),
                          {"action": "c2pa.placed", "parameters": {"ingredientIds": ["c"]}}, all_included=True)],
                 ingredients=(({"title": "sticker.png", "relationship": "componentOf", "label": "c"}, PHOTO),))
    report = inspect_bytes(blob, "x.jpg")
    assert report.provenance == "unknown_origin" and report.ai == "unknown" and not report.human_authored
    assert "ORIGIN-UNKNOWN" in report.summary()


def test_input_ingredient_without_credentials_is_not_unknown_provenance() -> None:
    """C2PA 2.2 §15.11.3.3: ingredient.unknownProvenance does not apply to inputTo."""
    blob = craft([actions(created("digitalCapture"), all_included=True)],
                 ingredients=(({"title": "ref.jpg", "relationship": "inputTo"}, PHOTO),))
    report = inspect_bytes(blob, "x.jpg")
    assert report.provenance == "signed" and report.ai == "none_declared" and report.human_authored


def test_lightroom_export_over_unsigned_raw_is_signable_as_the_signers_claim(tmp_path: Path) -> None:
    export = craft([actions(opened(), {"action": "c2pa.color_adjustments"})],
                   ingredients=(parent(PHOTO, "IMG_0001.CR3"),), generator="Adobe Lightroom")
    assert inspect_bytes(export, "export.jpg").provenance == "unknown_origin"
    src, out = tmp_path / "export.jpg", tmp_path / "signed.jpg"
    src.write_bytes(export)
    result = sign_image(src, out, SignOptions(author="Jane", made_with="camera"))
    report = inspect(out)
    assert report.provenance == "signer_claim" and report.ai == "none_declared" and report.human_authored
    assert "ORIGIN-CLAIMED" in report.summary() and result.report.human_authored
    assert "signer's own statement" in next(f.message for f in report.findings if f.code == "ingredient.origin_claimed")
    with c2pa.Reader(str(out)) as reader:
        store = json.loads(reader.json())
    ours = next(a for a in store["manifests"][store["active_manifest"]]["assertions"]
                if a["label"] == "c2pa.actions.v2")["data"]["actions"][0]
    assert ours["action"] == "c2pa.opened" and ours["digitalSourceType"] == IPTC + "digitalCapture"


def test_unsigned_ingredient_named_after_a_generator_is_refused(tmp_path: Path) -> None:
    blob = craft([actions(opened(), all_included=True)], ingredients=(parent(PHOTO, "dalle.png"),))
    report = inspect_bytes(blob, "x.jpg")
    assert report.ai == "possibly_generative"
    assert any("DALLE" in (s.reason or "").upper() for s in report.possibly_generative_steps)
    error = assert_refused(blob, tmp_path, "sign.possibly_generative_history")
    assert "dalle.png" in error.message.lower() or "DALL" in error.message.upper()


def test_all_actions_included_false_is_an_incomplete_history() -> None:
    report = inspect_bytes(craft([actions(created("digitalCapture"), all_included=False)]), "x.jpg")
    assert report.incomplete_history is True
    assert "lineage.incomplete_history" in {f.code for f in report.findings}
    complete = inspect_bytes(craft([actions(created("digitalCapture"), all_included=True)]), "x.jpg")
    assert complete.incomplete_history is False


def test_all_actions_included_missing_is_an_incomplete_history(tmp_path: Path) -> None:
    blob = craft([actions(created("digitalCapture"))])
    report = inspect_bytes(blob, "x.jpg")
    assert report.incomplete_history is True
    assert "lineage.incomplete_history" in {f.code for f in report.findings}
    src, out = tmp_path / "in.jpg", tmp_path / "out.jpg"
    src.write_bytes(PHOTO)
    sign_image(src, out, SignOptions(author="X"))
    assert inspect(out).incomplete_history is False  # handmade's own manifests list every action


# --- 6. c2pa.opened of a generative asset --------------------------------------------------------------
def test_opened_generative_origin_is_generative(corpus: Path) -> None:
    imagen = inspect(corpus / "ai-adobe-firefly-thirdparty-imagen3.png")
    assert imagen.ai == "generative"
    assert "policy.generative" in {r.code for r in evaluate(Policy(forbid_generative=True), imagen).reasons}
    blob = craft([actions({"action": "c2pa.opened", "parameters": {
        "ingredientIds": ["p"], "com.adobe.digitalSourceType": IPTC + "trainedAlgorithmicMedia"}})],
        ingredients=(parent(PHOTO, "Generated Image"),))
    assert inspect_bytes(blob, "x.jpg").ai == "generative"


def test_sign_refuses_an_image_opened_from_a_generative_asset(corpus: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.png"
    src.write_bytes((corpus / "ai-adobe-firefly-thirdparty-imagen3.png").read_bytes())
    out = tmp_path / "out.png"
    with pytest.raises(SigningError) as exc:
        sign_image(src, out, SignOptions(author="X"))
    assert exc.value.code == "sign.generative_history" and not out.exists()


@pytest.mark.parametrize(("steps", "code"), [
    ([created("trainedAlgorithmicMedia")], "sign.generative_history"),
    ([created("screenCapture")], "sign.possibly_generative_history"),
    ([{"action": "c2pa.created", "digitalSourceType": "http://example.com/dst/mystery"}], "sign.unknown_history"),
])
def test_every_history_refusal_exits_3_through_the_cli(steps: list[dict[str, Any]], code: str,
                                                        tmp_path: Path) -> None:
    src, out = tmp_path / "in.jpg", tmp_path / "out.jpg"
    src.write_bytes(craft([actions(*steps, all_included=True)]))
    result = CliRunner().invoke(main, ["sign", str(src), "-o", str(out)])
    assert result.exit_code == 3 and code in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jpg"]


# --- 7. CAWG identity is its own facet -------------------------------------------------------------------
def test_identity_failure_is_not_a_manifest_failure(external: Path, tmp_path: Path) -> None:
    name = "contentauth+c2pa-rs__sdk__src__identity__tests__fixtures__validation_method__pad1_invalid.jpg"
    report = inspect(external / name)
    assert report.state == "valid" and report.intact and report.signature_valid
    assert report.identity_valid is False and "BAD-IDENTITY" in report.summary()
    identity = next(f for f in report.findings if f.code == "identity.invalid")
    assert identity.source == "cawg.identity.pad.invalid" and "C2PA Signer" in identity.message
    out = tmp_path / "out.jpg"
    sign_image(external / name, out, SignOptions(author="X"))  # such a parent is kept
    after = inspect(out)
    assert after.state == "valid" and after.ingredients_valid is True
    assert after.human_authored and after.provenance == "signer_claim"  # the fixture's base is unsigned
    # The failing identity is the parent's, not handmade's: said so, and not the output's own identity facet.
    assert after.identity_valid is None and "BAD-IDENTITY" not in after.summary()
    assert any(f.message.startswith("In an ingredient: ") and f.source == "cawg.identity.pad.invalid"
               for f in after.findings)


def test_identity_claims_aggregation_names_who(external: Path) -> None:
    name = ("contentauth+c2pa-rs__sdk__src__identity__tests__fixtures__claim_aggregation__ica_validation__"
            "invalid_issuer_did.jpg")
    report = inspect(external / name)
    assert report.state == "valid" and report.identity_valid is False
    message = next(f.message for f in report.findings if f.source == "cawg.ica.invalid_issuer")
    assert "First-Name Last-Name" in message


# --- 9. words ----------------------------------------------------------------------------------------------
def test_remote_only_manifest_is_not_called_changed(corpus: Path) -> None:
    report = inspect(corpus / "remote-manifest-cloud.jpg")
    reasons = evaluate(Policy(require_intact=True), report).reasons
    assert "policy.not_intact" not in {r.code for r in reasons}
    message = next(r.message for r in reasons if r.code == "policy.not_checked")
    assert "could not be checked" in message and "changed after signing" not in message


def test_binding_failure_says_byte_ranges(corpus: Path) -> None:
    from handmade.report import verdict

    report = inspect(corpus / "camera-truepic-lens-hash-mismatch.jpg")
    assert "signed byte ranges do not match" in verdict(report)
    assert "byte ranges" in next(f.message for f in report.findings if f.code == "binding.mismatch")
    assert "plages d'octets" in verdict(report, "fr")


def test_a_binding_failure_is_not_called_a_change_and_an_untrusted_signer_not_intact(corpus: Path) -> None:
    """The policy line says what failed (the signed byte ranges or a statement), not that someone changed the
    picture; a warning about who vouches never calls a tampered file intact."""
    truepic = inspect(corpus / "camera-truepic-lens-hash-mismatch.jpg")
    reasons = " ".join(r.message for r in evaluate(PRESETS["intact"], truepic).reasons)
    assert "signed byte ranges" in reasons and "changed after signing" not in reasons
    for trust in (None, TrustConfig.none()):  # the shipped lists (untrusted signer), none (not configured)
        tampered = inspect(corpus / "tampered-hash-mismatch-XCA.jpg", trust=trust)
        assert tampered.intact is False and tampered.findings
        assert not [f.message for f in tampered.findings if "intact" in f.message]
    assert "credential.untrusted" in {f.code for f in inspect(corpus / "tampered-hash-mismatch-XCA.jpg").findings}


def test_tampered_token_line_claims_nothing(corpus: Path) -> None:
    summary = inspect(corpus / "camera-pixel10pro-motionphoto-stripped.jpg").summary()
    assert "TAMPERED" in summary and "HUMAN" not in summary and "NO-AI" not in summary


def test_long_chain_does_not_repeat_warnings(corpus: Path) -> None:
    report = inspect(corpus / "ai-google-30-manifest-edit-chain.png")
    messages = [f.message for f in report.findings if f.code.startswith("ingredient.")]
    assert len(messages) == len(set(messages)) and len(messages) <= 3
    generative = [f.message for f in report.findings if f.code == "lineage.generative"]
    assert len(report.generative_steps) >= 11 and len(generative) == 4  # three told, the rest counted
    assert "in this image's own manifest" in generative[0] and "more such steps" in generative[-1]


def test_policy_reasons_are_joined_as_sentences(corpus: Path) -> None:
    result = CliRunner().invoke(main, ["verify", "--policy", "handmade",
                                       str(corpus / "ai-adobe-firefly-2025-text-to-image.jpg")])
    line = next(x for x in result.output.splitlines() if "policy handmade" in x)
    assert ".;" not in line and ". " in line


def test_every_policy_reason_has_french_words() -> None:
    """Every policy reason has its French words in the message catalog (handmade.messages), which the page
    and the command line read: a new reason needs its entry."""
    import re

    from handmade.messages import CATALOG

    root = Path(__file__).resolve().parents[2] / "src" / "handmade"
    codes = set(re.findall(r'fail\("([a-z_]+)"', (root / "policy.py").read_text()))
    assert {"possibly_generative", "not_checked", "bad_signature"} <= codes
    for code in codes:
        entry = CATALOG[f"policy.{code}"]
        assert entry["fr"] and entry["fr"] != entry["en"], code
