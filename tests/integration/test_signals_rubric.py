"""handmade never says less than the official C2PA signals rubric, over both corpora.

The rubric is c2pa-org/conformance-public ``asset-rubrics/asset-rubric-signals-local.yml`` (v1.0,
2026-08-06), evaluated by its ``c2pa_signals_rubric_evaluator.py`` on crJSON, each statement against each
manifest (and against a pseudo manifest for an ingredient without credentials that states a source type).
Its few json-formula expressions are reproduced below, each citing the statement it implements, so the test
needs no json-formula engine. Wherever the rubric finds fully, partly or possibly generative content or
media of unknown provenance, handmade must say so too. Where handmade says more, the file is named with
the reason the rubric misses it (it reads only ``c2pa.actions.v2`` and ``c2pa.ingredient.v3``, exact
``http://`` IRIs, and source types only).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import c2pa
import pytest

from handmade.verify import inspect
from tests.conftest import CORPUS, EXTERNAL, catalog_entries, external_entries

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
# globals-actions.yml: $inception_actions, $non_editorial_actions
INCEPTION = {"c2pa.created", "c2pa.opened"}
NON_EDITORIAL = {"c2pa.converted", "c2pa.published", "c2pa.repackaged", "c2pa.transcoded",
                 "c2pa.resized.proportional", "c2pa.enhanced", "c2pa.edited.metadata", "c2pa.watermarked",
                 "c2pa.watermarked.bound", "c2pa.watermarked.unbound", "c2pa.redacted"}
# globals-signals.yml: $genai_dst_types, $possibly_genai_dst_types
GENAI = {IPTC + "trainedAlgorithmicMedia", IPTC + "compositeWithTrainedAlgorithmicMedia", IPTC + "compositeSynthetic",
         "http://c2pa.org/digitalsourcetype/trainedAlgorithmicData"}
POSSIBLY = {IPTC + "digitalArt", IPTC + "composite"}


def _signal_actions(m: dict[str, Any]) -> list[dict[str, Any]]:
    # globals-manifest.yml: _manifest_signalActions: $args[0].assertions.'c2pa.actions.v2'.actions
    a = (m.get("assertions") or {}).get("c2pa.actions.v2")
    acts = a.get("actions") if isinstance(a, dict) else None
    return [x for x in acts if isinstance(x, dict)] if isinstance(acts, list) else []


def _created_with(m: dict[str, Any], dst: str) -> bool:
    # _manifest_createdWithDst: length(actions[? (action == "c2pa.created" || action == "c2pa.opened")
    #                                             && digitalSourceType == $args[1]]) > 0
    return any(x.get("action") in INCEPTION and x.get("digitalSourceType") == dst for x in _signal_actions(m))


def _transformation(m: dict[str, Any], dsts: set[str]) -> bool:
    # signal_perceptibleGenAI / signal_perceptiblePossiblyGenAI: length(_signalActions()[? action != null &&
    #   !contains($inception_actions, action) && !contains($non_editorial_actions, action) &&
    #   contains($..._dst_types, digitalSourceType)]) > 0
    return any(x.get("action") is not None and x.get("action") not in INCEPTION
               and x.get("action") not in NON_EDITORIAL and x.get("digitalSourceType") in dsts
               for x in _signal_actions(m))


def _unknown_provenance(m: dict[str, Any]) -> dict[str, Any] | None:
    # signal_mediaUnknownProvenance: assertions.'c2pa.ingredient.v3' != null &&
    #                                assertions.'c2pa.ingredient.v3'.activeManifest == null
    ing = (m.get("assertions") or {}).get("c2pa.ingredient.v3")
    return ing if isinstance(ing, dict) and ing.get("activeManifest") is None else None


def _pseudo_manifests(m: dict[str, Any]) -> list[dict[str, Any]]:
    """build_provenance_dag: a flat ingredient (no activeManifest url) with a digitalSourceType of its own,
    or of a c2pa.opened action in its manifest, becomes a manifest with one c2pa.created of that type."""
    out = []
    assertions = m.get("assertions") or {}
    for key, value in assertions.items():
        if not key.startswith("c2pa.ingredient") or not isinstance(value, dict):
            continue
        if (value.get("activeManifest") or {}).get("url"):
            continue
        dst = value.get("digitalSourceType")
        for akey, aval in assertions.items():
            if dst or not akey.startswith("c2pa.actions") or not isinstance(aval, dict):
                continue
            dst = next((a["digitalSourceType"] for a in aval.get("actions", [])
                        if a.get("action") == "c2pa.opened" and a.get("digitalSourceType")), None)
        if dst:
            out.append({"assertions": {"c2pa.actions.v2": {"actions": [{"action": "c2pa.created",
                                                                        "digitalSourceType": dst}]}}})
    return out


def rubric_signals(crjson: dict[str, Any]) -> tuple[set[str], bool]:
    """({"genai", "possibly", "unknown"} found, whether every unknown-provenance hit is an inputTo)."""
    found: set[str] = set()
    nodes = [m for m in crjson.get("manifests") or [] if isinstance(m, dict)]
    nodes += [p for m in list(nodes) for p in _pseudo_manifests(m)]
    inputs_only = True
    for m in nodes:
        # signal_fullyGenAIMedia, signal_partlyGenAICreation, signal_perceptibleGenAI
        if (_created_with(m, IPTC + "trainedAlgorithmicMedia")
                or _created_with(m, IPTC + "compositeWithTrainedAlgorithmicMedia") or _transformation(m, GENAI)):
            found.add("genai")
        # signal_compositionMayContainGenAI, signal_screenCaptureMayContainGenAI, signal_perceptiblePossiblyGenAI
        if (_created_with(m, IPTC + "composite") or _created_with(m, IPTC + "screenCapture")
                or _transformation(m, POSSIBLY)):
            found.add("possibly")
        if (ing := _unknown_provenance(m)) is not None:
            found.add("unknown")
            inputs_only = inputs_only and ing.get("relationship") == "inputTo"
    return found, inputs_only


def _flat_ingredients_outside_v3(crjson: dict[str, Any]) -> bool:
    """An ingredient without credentials that the rubric cannot see: a v1/v2 ingredient assertion, or a
    second one (``c2pa.ingredient.v3__1``), which its ``assertions.'c2pa.ingredient.v3'`` does not read."""
    for m in crjson.get("manifests") or []:
        for key, value in (m.get("assertions") or {}).items():
            if key.startswith("c2pa.ingredient") and key != "c2pa.ingredient.v3" and isinstance(value, dict) \
                    and value.get("relationship") != "inputTo" and not value.get("activeManifest") \
                    and not value.get("c2pa_manifest"):
                return True
    return False


# Where handmade finds generative AI and the rubric does not, and why (C2PA 2.2 Table 19 requires
# validators to accept the v1 c2pa.actions; the rest are markers without a source type).
HANDMADE_SEES_MORE_AI = {
    "ai-adobe-firefly-2023-custom-assertion-only.jpg": "no source type; Adobe's com.adobe.generative-ai assertion",
    "ai-adobe-firefly-2025-text-to-image.jpg": "trainedAlgorithmicMedia in the v1 c2pa.actions",
    "ai-adobe-firefly-thirdparty-imagen3.png": "source type in parameters['com.adobe.digitalSourceType']",
    "ai-amazon-titan-bedrock.png": "trainedAlgorithmicMedia in the v1 c2pa.actions",
    "ai-microsoft-bing-image-creator-no-dst.jpg": "no source type; the description 'AI Generated Image'",
    "ai-openai-dalle3-via-chatgpt.webp": "trainedAlgorithmicMedia in the v1 c2pa.actions",
    "composite-dst-declared-test.jpg": "an https:// IRI in the v1 c2pa.actions",
    "composite-photoshop-generative-fill.jpg": "trainedAlgorithmicMedia on c2pa.placed in the v1 c2pa.actions",
}
# Where the rubric reports unknown provenance for an inputTo ingredient: C2PA 2.2 §15.11.3.3 exempts inputTo
# from ingredient.unknownProvenance (an input, such as a prompt image, is not part of the asset).
RUBRIC_INPUT_TO = {"ai-google-30-manifest-edit-chain.png", "ai-google-gemini-visible-watermark-chain.png"}


def _files() -> list[tuple[Path, str]]:
    return ([(CORPUS, e["file"]) for e in catalog_entries()]
            + [(EXTERNAL, e["file"]) for e in external_entries() if not e.get("not_an_image")])


def _crjson(path: Path, mime: str) -> dict[str, Any] | None:
    ctx = c2pa.Context.from_dict({"core": {"allowed_network_hosts": []},
                                  "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}})
    try:
        reader = c2pa.Reader.try_create(mime, io.BytesIO(path.read_bytes()), context=ctx)
    except c2pa.C2paError:
        return None  # unreadable or remote-only: handmade reports it as such, the rubric has nothing
    if reader is None:
        return None
    with reader:
        return dict(json.loads(reader.crjson()))


@pytest.mark.parametrize(("root", "name"), _files(), ids=[n for _, n in _files()])
def test_handmade_never_says_less_than_the_rubric(root: Path, name: str) -> None:
    path = root / name
    if not path.is_file():
        pytest.skip(f"CORPUS FILE NOT FOUND: {path}")
    report = inspect(path)
    if report.state in ("no_manifest", "error") or report.format is None:
        return
    crjson = _crjson(path, report.format)
    if crjson is None:
        assert report.ai == "unknown" and not report.human_authored
        return
    found, inputs_only = rubric_signals(crjson)
    says_ai = report.ai in ("generative", "ai_assisted")
    says_possibly = says_ai or report.ai == "possibly_generative"
    says_unknown = report.provenance in ("unknown_origin", "signer_claim")
    if "genai" in found:
        assert says_ai, f"the rubric finds generative AI, handmade says {report.ai}"
    if "possibly" in found:
        assert says_possibly, f"the rubric finds possible generative AI, handmade says {report.ai}"
    if "unknown" in found and not says_unknown:
        assert inputs_only and name in RUBRIC_INPUT_TO, "the rubric finds media of unknown provenance"
    if found & {"genai", "possibly", "unknown"}:
        assert not report.human_authored
    # Where handmade says more, the reason is named.
    if says_ai and "genai" not in found:
        assert name in HANDMADE_SEES_MORE_AI, f"handmade finds AI the rubric does not: add the reason ({name})"
    if says_unknown and "unknown" not in found:
        assert _flat_ingredients_outside_v3(crjson), "unknown origin without an ingredient the rubric misses"


def test_the_named_cases_are_real() -> None:
    """Every file named above still is a case (the lists cannot go stale silently)."""
    for name in [*HANDMADE_SEES_MORE_AI, *RUBRIC_INPUT_TO]:
        path = CORPUS / name
        if not path.is_file():
            pytest.skip(f"CORPUS FILE NOT FOUND: {path}")
        report = inspect(path)
        found, inputs_only = rubric_signals(_crjson(path, str(report.format)) or {})
        if name in HANDMADE_SEES_MORE_AI:
            assert "genai" not in found and report.ai in ("generative", "ai_assisted"), name
        else:
            assert "unknown" in found and inputs_only and report.provenance == "signed", name


def test_rubric_expressions_on_crafted_manifests() -> None:
    """The reproduced expressions give the rubric's answers on the shapes each statement tests."""
    def m(*actions: dict[str, Any], **assertions: Any) -> dict[str, Any]:
        return {"manifests": [{"assertions": {"c2pa.actions.v2": {"actions": list(actions)}, **assertions}}]}

    assert rubric_signals(m({"action": "c2pa.created", "digitalSourceType": IPTC + "trainedAlgorithmicMedia"}))[0] \
        == {"genai"}
    assert rubric_signals(m({"action": "c2pa.created", "digitalSourceType": IPTC + "screenCapture"}))[0] == {"possibly"}
    assert rubric_signals(m({"action": "c2pa.edited", "digitalSourceType": IPTC + "digitalArt"}))[0] == {"possibly"}
    assert rubric_signals(m({"action": "c2pa.converted", "digitalSourceType": IPTC + "digitalArt"}))[0] == set()
    assert rubric_signals(m({"action": "c2pa.created", "digitalSourceType": IPTC + "digitalArt"}))[0] == set()
    assert rubric_signals(m({"action": "c2pa.opened"},
                            **{"c2pa.ingredient.v3": {"relationship": "parentOf"}}))[0] == {"unknown"}
