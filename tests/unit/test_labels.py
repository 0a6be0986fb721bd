"""The digital source type table: one case per IPTC entry, in both URI forms and as bare words."""

from __future__ import annotations

import pytest

from handmade import labels

# term -> category (IPTC NewsCodes digitalsourcetype, plus C2PA's own trainedAlgorithmicData)
TABLE = {
    "digitalCapture": "human",
    "computationalCapture": "human",
    "negativeFilm": "human",
    "positiveFilm": "human",
    "print": "human",
    "humanEdits": "human",
    "minorHumanEdits": "human",
    "digitalCreation": "human",
    "digitalArt": "human",
    "compositeCapture": "human",
    "screenCapture": "neutral",
    "virtualRecording": "neutral",
    "algorithmicallyEnhanced": "neutral",
    "dataDrivenMedia": "neutral",
    "algorithmicMedia": "neutral",
    "composite": "neutral",
    "compositeSynthetic": "neutral",
    "softwareImage": "neutral",
    "trainedAlgorithmicMedia": "generative",
    "compositeWithTrainedAlgorithmicMedia": "generative",
    "trainedAlgorithmicData": "generative",
}


def test_table_covers_every_entry() -> None:
    assert set(TABLE) == {s.term for s in labels.SOURCE_TYPES.values()}


@pytest.mark.parametrize("term", sorted(TABLE))
@pytest.mark.parametrize("form", [
    "http://cv.iptc.org/newscodes/digitalsourcetype/{}",
    "https://cv.iptc.org/newscodes/digitalsourcetype/{}",
    " http://cv.iptc.org/newscodes/digitalsourcetype/{} ",
    "http://cv.iptc.org/newscodes/digitalsourcetype/{}/",
    "{}",
])
def test_source_type_classification(term: str, form: str) -> None:
    entry = labels.classify_source_type(form.format(term))
    assert entry is not None
    assert entry.category == TABLE[term]
    assert entry.term == term


@pytest.mark.parametrize("term", sorted(TABLE))
def test_bare_word_case_insensitive(term: str) -> None:
    entry = labels.classify_source_type(term[0].upper() + term[1:])
    assert entry is not None and entry.category == TABLE[term]


def test_full_vs_partial_generative() -> None:
    assert labels.classify_source_type("trainedAlgorithmicMedia").fully_generative  # type: ignore[union-attr]
    assert not labels.classify_source_type(  # type: ignore[union-attr]
        "compositeWithTrainedAlgorithmicMedia").fully_generative


@pytest.mark.parametrize("value", ["http://cv.iptc.org/newscodes/digitalsourcetype/somethingNew",
                                   "https://example.com/dst/magic", "banana"])
def test_unknown_uri_is_unknown_never_no_ai(value: str) -> None:
    entry = labels.classify_source_type(value)
    assert entry is not None and entry.category == "unknown"


@pytest.mark.parametrize("value", [None, "", "   ", 42])
def test_absent_is_none(value: object) -> None:
    assert labels.classify_source_type(value) is None


def test_c2pa_empty_source_type_is_neutral() -> None:
    entry = labels.classify_source_type("http://c2pa.org/digitalsourcetype/empty")
    assert entry is not None and entry.category == "neutral"


@pytest.mark.parametrize("text,product", [
    ("Adobe_Firefly/1.0 c2pa-rs/0.17.0", "Firefly"),
    ("DALL·E 3", "DALL·E"),
    ("Midjourney v6", "Midjourney"),
    ("ComfyUI", "ComfyUI"),
])
def test_known_generators(text: str, product: str) -> None:
    assert (labels.known_generator(text) or "").lower() == product.lower()


@pytest.mark.parametrize("text", ["Adobe Photoshop 26.9", "Lightroom Classic", "Nikon Z 9", "GIMP 2.10",
                                  "Capture One", "titanium frame", "reflux"])
def test_not_generators(text: str) -> None:
    assert labels.known_generator(text) is None


def test_generative_wording() -> None:
    assert labels.generative_wording("AI Generated Image")
    assert labels.generative_wording("Generative Fill")
    assert not labels.generative_wording("Opened a pre-existing file")


def test_training_assertion_shape() -> None:
    cawg = labels.training_assertion("cawg.training-mining", allow=False)
    assert cawg["data"] == {"entries": {f"cawg.{u}": {"use": "notAllowed"} for u in labels.TRAINING_USES}}
    legacy = labels.training_assertion("c2pa.training-mining", allow=True)
    assert set(legacy["data"]["entries"]) == {f"c2pa.{u}" for u in labels.TRAINING_USES}  # type: ignore[index]
