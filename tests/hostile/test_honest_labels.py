"""No crafted history makes `sign` emit a human-made label over a generative step.

Hypothesis builds third-party parents with random actions (every source type in every spelling, Adobe's
parameter form, descriptions, generative assertions), signs them with c2pa-python directly as another tool
would, and hands them to handmade: it must refuse exactly when some step is generative.
"""

from __future__ import annotations

import io
import json
from typing import Any

import c2pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handmade import labels
from handmade.errors import SigningError
from handmade.keys import bundled_test_identity
from handmade.sign import SignOptions, sign_bytes
from handmade.verify import inspect_bytes
from tests.conftest import photo_bytes

PHOTO = photo_bytes("JPEG", (64, 48))
TERMS = sorted(s.term for s in labels.SOURCE_TYPES.values())
FORMS = ["http://cv.iptc.org/newscodes/digitalsourcetype/{}", "https://cv.iptc.org/newscodes/digitalsourcetype/{}",
         " http://cv.iptc.org/newscodes/digitalsourcetype/{} ", "{}"]


@st.composite
def action(draw: Any) -> tuple[dict[str, Any], bool]:
    term = draw(st.sampled_from(TERMS))
    uri = draw(st.sampled_from(FORMS)).format(term)
    name = draw(st.sampled_from(["c2pa.edited", "c2pa.color_adjustments", "c2pa.cropped", "c2pa.resized"]))
    # Generative, or possibly generative on an edit (digitalArt, composite; compositeSynthetic is generative
    # there, per the C2PA signals rubric): every one of them is refused.
    generative = (labels.SOURCE_TYPES[term.lower()].category == "generative"
                  or labels.generative_on_edit(term, name) or labels.possibly_generative(term, name))
    where = draw(st.sampled_from(["dst", "adobe_param", "description", "none"]))
    a: dict[str, Any] = {"action": name}
    if where == "dst":
        a["digitalSourceType"] = uri
    elif where == "adobe_param":
        a["parameters"] = {"com.adobe.digitalSourceType": uri}
    elif where == "description":
        a["description"] = draw(st.sampled_from(["AI Generated Image", "Generative Fill", "Cropped by hand"]))
        generative = a["description"] != "Cropped by hand"
    else:
        generative = False
    return a, generative


def third_party_parent(actions: list[dict[str, Any]], created_term: str, generative_assertion: bool) -> bytes:
    identity = bundled_test_identity()
    assertions: list[dict[str, Any]] = [{"label": "c2pa.actions.v2", "data": {"actions": [
        {"action": "c2pa.created", "digitalSourceType": labels.iptc_uri(created_term)}, *actions]}}]
    if generative_assertion:
        assertions.append({"label": "com.adobe.generative-ai", "data": {"description": "Some Model"}})
    manifest = {"claim_generator_info": [{"name": "OtherTool", "version": "1"}], "assertions": assertions}
    info = c2pa.C2paSignerInfo(identity.alg.encode(), identity.chain_pem, identity.private_key_pem, None)
    ctx = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})
    out = io.BytesIO()
    with c2pa.Signer.from_info(info) as signer, c2pa.Builder.from_json(manifest, context=ctx) as builder:
        builder.sign(signer, "image/jpeg", io.BytesIO(PHOTO), out)
    return out.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=st.lists(action(), max_size=4),
       created=st.sampled_from(TERMS),
       generative_assertion=st.booleans())
def test_sign_refuses_exactly_the_generative_histories(actions: list[tuple[dict[str, Any], bool]], created: str,
                                                       generative_assertion: bool) -> None:
    parent = third_party_parent([a for a, _ in actions], created, generative_assertion)
    created_gen = (labels.SOURCE_TYPES[created.lower()].category == "generative"
                   or labels.possibly_generative(created, "c2pa.created"))
    expect_refusal = created_gen or generative_assertion or any(g for _, g in actions)
    try:
        signed = sign_bytes(parent, "parent.jpg", SignOptions(author="X"))
    except SigningError as exc:
        assert expect_refusal, f"refused a non-generative history: {exc.message}"
        assert exc.code in ("sign.generative_history", "sign.possibly_generative_history")
        return
    assert not expect_refusal, "a generative history came out signed as human-made"
    report = inspect_bytes(signed, "out.jpg")
    assert report.human_authored and report.ai == "none_declared"
    store_json = json.dumps([s.to_dict() for s in report.lineage])
    assert "parentOf" in store_json  # the third-party history is kept, not dropped
