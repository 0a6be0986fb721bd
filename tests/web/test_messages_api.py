"""The service in French: ``?lang=fr`` gives every message of the answer in French with the same keys and codes,
and ``GET /v1/messages`` serves the catalog the page reads."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from handmade.messages import CATALOG
from tests.web.conftest import Server

FILES = ("composite-photoshop-opened-firefly-ingredient.jpg", "nomanifest-ai-midjourney-xmp-dst.png",
         "tampered-hash-mismatch-XCA.jpg", "edit-photoshop-2022-composite-ingredients.jpeg")


def _verify(server: Server, data: bytes, lang: str) -> dict:
    r = httpx.post(f"{server.url}/v1/verify", content=data, params={"lang": lang}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def _messages(doc: dict) -> list[tuple[str, str, str]]:
    """(where, code or field, words) of every message in an answer."""
    result = doc["results"][0]
    out = [("reason", x["code"], x["message"]) for x in doc["reasons"]]
    out += [("policy", x["code"], x["message"]) for x in result["policy"]["reasons"]]
    out += [("finding", x["code"], x["message"]) for x in result["findings"]]
    out += [("hint", x["field"], x["message"]) for x in result["hints"]]
    out += [("step", str(i), x["reason"]) for i, x in enumerate(result["lineage"]) if x["reason"]]
    return out


@pytest.mark.corpus
@pytest.mark.parametrize("name", FILES)
def test_french_answer_has_the_same_shape_and_french_words(server: Server, corpus: Path, name: str) -> None:
    data = (corpus / name).read_bytes()
    en, fr = _verify(server, data, "en"), _verify(server, data, "fr")
    english, french = _messages(en), _messages(fr)
    assert english and [m[:2] for m in english] == [m[:2] for m in french]  # same keys, codes and order
    for (where, code, words_en), (_, _, words_fr) in zip(english, french, strict=True):
        assert words_fr != words_en, (where, code, words_en)
    # only the words change: the facts (states, codes, values) are the same
    strip = ("findings", "hints", "lineage", "policy", "verdict", "training_text")
    assert {k: v for k, v in en["results"][0].items() if k not in strip} == \
        {k: v for k, v in fr["results"][0].items() if k not in strip}


def test_catalog_is_served_in_each_language(server: Server) -> None:
    fr = httpx.get(f"{server.url}/v1/messages", params={"lang": "fr"}, timeout=10).json()
    en = httpx.get(f"{server.url}/v1/messages", headers={"Accept-Language": "en-GB"}, timeout=10).json()
    assert fr["lang"] == "fr" and en["lang"] == "en"
    assert set(fr["messages"]) == set(en["messages"]) == set(CATALOG)
    assert fr["messages"]["page.findings"] == "Constats" and en["messages"]["page.findings"] == "Findings"
    assert fr["messages"]["action.c2pa.created"] == "Création"
    spec = httpx.get(f"{server.url}/openapi.json", timeout=10).json()
    assert "/v1/messages" in spec["paths"]
