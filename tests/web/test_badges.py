"""Badges for web pages (issue 16, part 3): GET /v1/badge/{sha256}.svg|.json from the audit log, POST /v1/verify
?label=1, CORS for a press site's origin, and the <handmade-credentials> component in headless Chromium on a
page of another 127.0.0.1 origin under a strict Content-Security-Policy."""

from __future__ import annotations

import hashlib
import http.server
import shutil
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from handmade.label import badge_svg
from handmade.web.config import ServiceConfig
from tests.web.conftest import Server, free_port, start
from tests.web.test_page_browser import browser  # noqa: F401  (the fixture)

SVG_NS = "{http://www.w3.org/2000/svg}"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify(url: str, path: Path, **params: str) -> dict[str, Any]:
    r = httpx.post(f"{url}/v1/verify", params=params, files={"file": (path.name, path.read_bytes())}, timeout=60)
    assert r.status_code == 200, r.text
    return dict(r.json())


def assert_plain_svg(text: str) -> ET.Element:
    """A self-contained SVG: only rect/text/title elements, no script, no link, no foreign content."""
    root = ET.fromstring(text)
    assert root.tag == f"{SVG_NS}svg"
    tags = {el.tag.replace(SVG_NS, "") for el in root.iter()}
    assert tags <= {"svg", "rect", "text", "title"}, tags
    for el in root.iter():
        assert not any("href" in name or name.startswith("on") for name in el.attrib), el.attrib
        assert not any("url(" in value for value in el.attrib.values()), el.attrib
    return root


def test_a_checked_file_has_its_badge_and_its_label(server: Server, signed_image: Path, corpus: Path) -> None:
    doc = verify(server.url, signed_image, label="1")
    label = doc["results"][0]["label"]
    assert label["kind"] == "handmade" and label["headline"] == "Made by hand — verified"
    assert label["subline"] == "Test Signer es256"
    r = httpx.get(f"{server.url}/v1/badge/{sha(signed_image)}.svg")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert r.headers["content-security-policy"] == "default-src 'none'"
    root = assert_plain_svg(r.text)
    assert root.get("data-kind") == "handmade" and "Made by hand — verified" in r.text
    fr = httpx.get(f"{server.url}/v1/badge/{sha(signed_image).upper()}.json", params={"lang": "fr"}).json()
    assert fr["kind"] == "handmade" and fr["headline"] == "Fait à la main — vérifié"
    assert fr["subline"].startswith("vérifié le 20")
    ai = corpus / "ai-adobe-firefly-2025-text-to-image.jpg"
    assert verify(server.url, ai, label="1", lang="fr")["results"][0]["label"]["headline"] == "Généré par IA"
    badge = httpx.get(f"{server.url}/v1/badge/{sha(ai)}.json").json()
    assert badge["kind"] == "generative" and badge["headline"] == "AI-generated"


def test_a_file_without_a_verified_history_gets_no_label(server: Server, test_key_image: Path) -> None:
    label = verify(server.url, test_key_image, label="1", lang="fr")["results"][0]["label"]
    assert label["kind"] == "none" and label["refusal"] == "label.not_verified"
    assert label["headline"] == "Aucune étiquette vérifiée"
    badge = httpx.get(f"{server.url}/v1/badge/{sha(test_key_image)}.json").json()
    assert badge["kind"] == "none"  # a TEST-key claim is recorded, and never shown as made by hand


def test_unknown_malformed_and_no_log(server: Server, signed_image: Path) -> None:
    r = httpx.get(f"{server.url}/v1/badge/{'0' * 64}.svg", params={"lang": "fr"})
    assert r.status_code == 404 and "Non vérifié par ce service" in r.text
    assert_plain_svg(r.text)
    assert httpx.get(f"{server.url}/v1/badge/{'0' * 64}.json").json()["code"] == "badge.unknown"
    for bad in ("abc.svg", f"{'0' * 64}.png", f"{'g' * 64}.svg", f"{'0' * 64}"):
        r = httpx.get(f"{server.url}/v1/badge/{bad}")
        assert r.status_code == 400 and r.json()["error"]["code"] == "badge.bad_name", bad
    for srv in start(ServiceConfig(trust=server.config.trust)):  # no audit log: nothing is ever recorded
        verify(srv.url, signed_image)
        r = httpx.get(f"{srv.url}/v1/badge/{sha(signed_image)}.json")
        assert r.status_code == 404 and r.json()["code"] == "badge.no_log" and r.json()["kind"] == "unknown"
        assert "keeps no record" in r.json()["subline"]


def test_badge_text_is_escaped() -> None:
    name = 'Eve <script>alert(1)</script> & "Co" <image href="x"/>'
    root = assert_plain_svg(badge_svg("handmade", "Made by hand — verified", name))
    assert [t.text for t in root.iter(f"{SVG_NS}text")] == ["Made by hand — verified", name]


def test_cors_only_for_the_listed_origin(signed_image: Path, server: Server) -> None:
    site = "http://127.0.0.1:9"
    for srv in start(ServiceConfig(trust=server.config.trust, cors_origins=(site,))):
        pre = httpx.options(f"{srv.url}/v1/verify", headers={"Origin": site, "Access-Control-Request-Method": "POST"})
        assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == site
        assert "content-type" in pre.headers["access-control-allow-headers"]
        ok = httpx.post(f"{srv.url}/v1/verify", content=signed_image.read_bytes(), headers={"Origin": site})
        assert ok.headers["access-control-allow-origin"] == site
        other = httpx.post(f"{srv.url}/v1/verify", content=signed_image.read_bytes(),
                           headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers
    plain = httpx.post(f"{server.url}/v1/verify", content=signed_image.read_bytes(), headers={"Origin": site})
    assert "access-control-allow-origin" not in plain.headers  # default: same origin only


# --- the web component in Chromium -------------------------------------------------------------------------
PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>press</title>
<script src="/violations.js"></script>
<script src="{service}/static/handmade-credentials.js" defer></script></head>
<body>
<figure><img src="/signed.jpg" alt="">
<handmade-credentials id="signed" src="/signed.jpg"></handmade-credentials></figure>
<figure><img src="/ai.jpg" alt=""><handmade-credentials id="ai" src="/ai.jpg"></handmade-credentials></figure>
<handmade-credentials id="byhash" sha256="{digest}"></handmade-credentials>
<handmade-credentials id="unknown" sha256="{zeros}"></handmade-credentials>
<div lang="en"><handmade-credentials id="english" sha256="{digest}"></handmade-credentials></div>
</body></html>"""
VIOLATIONS = """window.__violations = [];
document.addEventListener("securitypolicyviolation",
                          (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
"""


def press_site(folder: Path, service: str) -> Iterator[str]:
    """A press site on its own 127.0.0.1 origin, every page under a strict CSP that allows the service only."""
    csp = (f"default-src 'none'; script-src 'self' {service}; connect-src 'self' {service}; img-src 'self'; "
           "style-src 'none'; base-uri 'none'; object-src 'none'")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def end_headers(self) -> None:
            self.send_header("Content-Security-Policy", csp)
            super().end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    port = free_port()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    httpd.shutdown()
    thread.join(10)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_component_on_a_press_site_under_a_strict_csp(browser: Any, server: Server, signed_image: Path,  # noqa: F811
                                                          corpus: Path, tmp_path: Path, lang: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    folder = tmp_path / "site"
    folder.mkdir()
    shutil.copy(signed_image, folder / "signed.jpg")
    shutil.copy(corpus / "ai-adobe-firefly-2025-text-to-image.jpg", folder / "ai.jpg")
    (folder / "violations.js").write_text(VIOLATIONS)
    service_port = free_port()
    service = f"http://127.0.0.1:{service_port}"
    (folder / "index.html").write_text(PAGE.format(lang=lang, service=service, digest=sha(signed_image),
                                                   zeros="0" * 64))
    for site in press_site(folder, service):
        config = ServiceConfig(trust=server.config.trust, audit_db=str(tmp_path / "audit.sqlite"),
                               cors_origins=(site,))
        for srv in start(config, port=service_port):
            verify(srv.url, signed_image)  # checked once before: the sha256 card finds its decision
            browser.get(f"{site}/index.html")
            # The cards are read in the same script that sees every one of them done (one snapshot of the page),
            # not in a second call after the wait.
            cards = WebDriverWait(browser, 60).until(lambda d: d.execute_script("""
                const all = [...document.querySelectorAll('handmade-credentials')];
                if (!all.every(e => e.getAttribute('data-phase') === 'done')) return null;
                const out = {};
                for (const e of all) {
                  const r = e.shadowRoot;
                  out[e.id] = {kind: e.getAttribute('data-kind'),
                               headline: r.querySelector('.headline').textContent,
                               subline: (r.querySelector('.subline') || {}).textContent || '',
                               verdict: (r.querySelector('.verdict') || {}).textContent || '',
                               foreign: r.querySelectorAll('img, svg, iframe, object, style, link').length};
                }
                return out;"""))
            violations = browser.execute_script("return window.__violations")
    assert violations == []  # nothing the component did broke the page's CSP
    assert all(c["foreign"] == 0 for c in cards.values())  # text only: no image, SVG or markup in the cards
    signed, ai, byhash = cards["signed"], cards["ai"], cards["byhash"]
    if lang == "fr":
        assert (signed["kind"], signed["headline"], signed["subline"]) == (
            "handmade", "Fait à la main — vérifié", "Test Signer es256")
        assert signed["verdict"].startswith("Fait à la main. De confiance")
        assert ai["kind"] == "generative" and ai["headline"] == "Généré par IA"
        assert byhash["kind"] == "handmade" and byhash["subline"].startswith("vérifié le")
        assert cards["unknown"]["headline"] == "Non vérifié par ce service"
    else:
        assert (signed["kind"], signed["headline"]) == ("handmade", "Made by hand — verified")
        assert ai["kind"] == "generative" and ai["headline"] == "AI-generated"
        assert byhash["kind"] == "handmade" and byhash["subline"].startswith("checked 20")
        assert cards["unknown"]["kind"] == "unknown"
    assert cards["english"]["headline"] == "Made by hand — verified"  # the nearest lang wins


def test_without_cors_the_component_says_it_could_not_check(browser: Any, server: Server,  # noqa: F811
                                                            signed_image: Path, tmp_path: Path) -> None:
    """A service that does not list the site's origin: the browser keeps the answer from the page, and the
    card says so instead of showing anything."""
    from selenium.webdriver.support.ui import WebDriverWait

    folder = tmp_path / "site"
    folder.mkdir()
    shutil.copy(signed_image, folder / "signed.jpg")
    shutil.copy(signed_image, folder / "ai.jpg")
    (folder / "violations.js").write_text(VIOLATIONS)
    service_port = free_port()
    service = f"http://127.0.0.1:{service_port}"
    (folder / "index.html").write_text(PAGE.format(lang="en", service=service, digest=sha(signed_image),
                                                   zeros="0" * 64))
    for site in press_site(folder, service):
        for _ in start(ServiceConfig(trust=server.config.trust), port=service_port):
            browser.get(f"{site}/index.html")
            kinds = WebDriverWait(browser, 60).until(lambda d: d.execute_script(  # one snapshot, as above
                "const all = [...document.querySelectorAll('handmade-credentials')];"
                "return all.every(e => e.getAttribute('data-phase') === 'done')"
                " ? all.map(e => e.getAttribute('data-kind')) : null"))
    assert set(kinds) == {"error"}


def test_cors_origins_reach_every_worker() -> None:
    """serve --workers N hands the configuration to each worker through the environment: the origins too."""
    from handmade.web.config import config_from_env, config_to_env

    config = ServiceConfig(cors_origins=("https://news.example", "https://other.example"))
    assert config_from_env(config_to_env(config)).cors_origins == config.cors_origins
