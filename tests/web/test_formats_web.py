"""The service and the page take films, SVG and PDF like images; an uploaded SVG is never put in the page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from handmade.keys import load_identity
from handmade.sign import SignOptions, sign_image
from tests.media import make_pdf, make_svg, make_video
from tests.pki import Pki
from tests.web.conftest import Server
from tests.web.test_page_browser import browser, upload_and_read  # noqa: F401  (the fixture)

#: An SVG that runs a script wherever it is rendered as a document (inline, or opened as a page).
HOSTILE_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" '
               b'onload="window.parent.svgRan = true; document.title = \'pwned\'">'
               b"<script>window.parent.svgRan = true; top.svgRan = true;</script>"
               b'<rect width="40" height="40" fill="red"/></svg>')


@pytest.fixture(scope="module")
def signed_media(tmp_path_factory: pytest.TempPathFactory, newsroom: Pki) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("web-media")
    identity = load_identity(newsroom.key_pem, newsroom.chain_pem)
    out = {}
    for name, made, made_with in (("reel.mp4", make_video(folder / "in.mp4"), "animation"),
                                  ("fox.svg", make_svg(folder / "in.svg", HOSTILE_SVG), "illustration"),
                                  ("book.pdf", make_pdf(folder / "in.pdf"), "digital-art")):
        sign_image(made, folder / name, SignOptions(author="Jane Doe", made_with=made_with), identity)
        out[name] = folder / name
    return out


@pytest.mark.parametrize("name,fmt", [("reel.mp4", "video/mp4"), ("fox.svg", "image/svg+xml"),
                                      ("book.pdf", "application/pdf")])
def test_service_verifies_films_drawings_and_pages(server: Server, signed_media: dict[str, Path], name: str,
                                                   fmt: str) -> None:
    data = signed_media[name].read_bytes()
    r = httpx.post(f"{server.url}/v1/verify", params={"thumbnails": "1"}, files={"file": (name, data)}, timeout=60)
    assert r.status_code == 200, r.text
    doc = r.json()
    result = doc["results"][0]
    assert doc["accepted"] is True and result["state"] == "trusted" and result["format"] == fmt
    assert result["summary"] == "TRUSTED INTACT HUMAN NO-AI NO-TRAINING"
    if name.endswith(".svg"):  # the upload never comes back: no preview made of it, no SVG in the answer
        assert result["thumbnails"]["preview"] is None and b"<script" not in r.content
        assert "svg+xml;base64" not in r.text


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg">&b;</svg>',
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
])
def test_hostile_xml_is_refused_as_unsupported(server: Server, body: bytes) -> None:
    r = httpx.post(f"{server.url}/v1/verify", content=body, timeout=30)
    assert r.status_code == 415 and r.json()["error"]["code"] == "input.not_image"


def test_page_never_draws_an_uploaded_svg(browser: Any, server: Server,  # noqa: F811
                                          signed_media: dict[str, Path]) -> None:
    from selenium.webdriver.common.by import By

    files = [signed_media["fox.svg"], signed_media["reel.mp4"], signed_media["book.pdf"]]
    cards = upload_and_read(browser, f"{server.url}/", files)
    assert {cards[f.name]["state"] for f in files} == {"trusted"}
    assert "Jane Doe" in cards["fox.svg"]["text"]
    card = browser.find_element(By.CSS_SELECTOR, ".card[data-file='fox.svg']")
    src = card.find_element(By.CSS_SELECTOR, "img").get_attribute("src") or ""
    assert not src.startswith("blob:") and "svg" not in src
    assert not browser.find_elements(By.CSS_SELECTOR, "#cards svg, #cards object, #cards iframe, #cards embed")
    assert browser.execute_script("return window.svgRan === undefined && document.title !== 'pwned'")
