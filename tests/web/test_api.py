"""The JSON API over real HTTP: contract, policies, limits, errors, audit log."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import pytest

from handmade.web.app import ServiceConfig
from handmade.web.audit import export, list_decisions
from tests.web.conftest import Server, start


def post_raw(server: Server, data: bytes, **params: str) -> httpx.Response:
    return httpx.post(f"{server.url}/v1/verify", content=data, params=params, timeout=60)


def test_signed_image_is_trusted_and_accepted(server: Server, signed_image: Path) -> None:
    r = httpx.post(f"{server.url}/v1/verify", files={"file": (signed_image.name, signed_image.read_bytes())},
                   timeout=60)
    assert r.status_code == 200
    doc = r.json()
    assert doc["schema"] == "handmade.report/v1" and doc["accepted"] is True and doc["reasons"] == []
    result = doc["results"][0]
    assert result["summary"] == "TRUSTED INTACT HUMAN NO-AI NO-TRAINING"
    assert result["path"] == signed_image.name
    assert result["policy"]["accepted"] is True
    assert result["verdict"].startswith("Made by hand, signed by handmade TEST identity")


def test_ai_image_rejected_with_reason(server: Server, corpus: Path) -> None:
    r = post_raw(server, (corpus / "ai-adobe-firefly-2025-text-to-image.jpg").read_bytes(), name="ff.jpg")
    doc = r.json()
    assert r.status_code == 200 and doc["accepted"] is False
    assert doc["results"][0]["ai"] == "generative"
    assert "policy.generative" in {x["code"] for x in doc["reasons"]}


def test_no_manifest_rejected_and_any_policy_accepts(server: Server, corpus: Path) -> None:
    data = (corpus / "nomanifest-test-A.jpg").read_bytes()
    assert post_raw(server, data).json()["accepted"] is False
    doc = post_raw(server, data, policy="any").json()
    assert doc["accepted"] is True and doc["results"][0]["state"] == "no_manifest"


def test_french_verdict(server: Server, signed_image: Path) -> None:
    result = post_raw(server, signed_image.read_bytes(), lang="fr").json()["results"][0]
    assert result["verdict"].startswith("Fait à la main, signé par")
    assert result["training_text"] == "Entraînement d'IA: non autorisé"


@pytest.mark.parametrize("data,status,code", [
    (b"", 422, "input.empty"),
    (b"just some text, not an image", 415, "input.not_image"),
])
def test_bad_uploads(server: Server, data: bytes, status: int, code: str) -> None:
    r = post_raw(server, data)
    assert r.status_code == status
    assert r.json()["error"]["code"] == code


def test_missing_multipart_field(server: Server) -> None:
    r = httpx.post(f"{server.url}/v1/verify", files={"other": ("x.jpg", b"123")}, timeout=30)
    assert r.status_code == 422 and r.json()["error"]["code"] == "input.missing"


def test_unknown_policy(server: Server, signed_image: Path) -> None:
    r = post_raw(server, signed_image.read_bytes(), policy="nope")
    assert r.status_code == 422 and r.json()["error"]["code"] == "policy.unknown"


def test_too_large(server: Server) -> None:
    r = post_raw(server, b"\xff\xd8\xff" + b"\0" * (9 * 1024 * 1024))
    assert r.status_code == 413 and r.json()["error"]["code"] == "input.too_large"


def test_pixel_bomb_refused_from_header(server: Server, tmp_path: Path) -> None:
    from PIL import Image

    bomb = tmp_path / "bomb.png"
    Image.new("1", (10000, 10000)).save(bomb)  # 100 MP, tiny on disk
    r = post_raw(server, bomb.read_bytes())
    assert r.status_code == 413 and r.json()["error"]["code"] == "input.too_many_pixels"


def test_busy_service_answers_503_then_recovers(signed_image: Path) -> None:
    for srv in start(ServiceConfig(max_concurrent=1, queue_wait_s=0.2)):
        import asyncio

        limiter, loop = srv.app.state.limiter, srv.app.state.loop
        holder = object()
        # take the only slot inside the server's own event loop
        asyncio.run_coroutine_threadsafe(limiter.acquire_on_behalf_of(holder), loop).result(5)
        try:
            r = post_raw(srv, signed_image.read_bytes())
            assert r.status_code == 503 and r.json()["error"]["code"] == "service.busy"
            assert r.headers["retry-after"] == "2"
        finally:
            loop.call_soon_threadsafe(limiter.release_on_behalf_of, holder)
        assert post_raw(srv, signed_image.read_bytes()).status_code == 200


def test_healthz_and_openapi(server: Server) -> None:
    assert httpx.get(f"{server.url}/healthz").json()["status"] == "ok"
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert spec["openapi"].startswith("3.") and "/v1/verify" in spec["paths"]
    assert set(spec["paths"]["/v1/verify"]["post"]["responses"]) >= {"200", "413", "415", "422", "503", "504"}


def test_page_is_served_with_language_and_csp(server: Server) -> None:
    r = httpx.get(f"{server.url}/?lang=fr")
    assert r.status_code == 200 and '<html lang="fr"' in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    r = httpx.get(f"{server.url}/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr"' in r.text
    assert httpx.get(f"{server.url}/static/app.js").status_code == 200
    assert httpx.get(f"{server.url}/static/../app.py").status_code == 404


def test_every_decision_is_audited(server: Server, signed_image: Path, corpus: Path) -> None:
    post_raw(server, signed_image.read_bytes(), name="audit-me.jpg")
    post_raw(server, (corpus / "composite-photoshop-generative-fill.jpg").read_bytes(), name="fill.jpg")
    db = server.config.audit_db
    assert db is not None
    rows = list_decisions(db)
    by_name = {r["filename"]: r for r in rows}
    assert by_name["audit-me.jpg"]["accepted"] is True
    assert by_name["fill.jpg"]["accepted"] is False and by_name["fill.jpg"]["ai"] == "ai_assisted"
    assert len(by_name["audit-me.jpg"]["sha256"]) == 64
    assert list_decisions(db, accepted=False)
    out = io.StringIO()
    assert export(db, "csv", out) == len(rows)
    assert out.getvalue().splitlines()[0].startswith("id,time,sha256")
    out = io.StringIO()
    export(db, "json", out)
    assert json.loads(out.getvalue())["schema"] == "handmade.audit/v1"


def test_audit_cli(server: Server, signed_image: Path) -> None:
    from click.testing import CliRunner

    from handmade.cli import main
    from tests.conftest import photo_bytes

    post_raw(server, photo_bytes(), name="no-credentials.jpg")  # rejected: no manifest
    post_raw(server, signed_image.read_bytes(), name="accepted.jpg")
    db = server.config.audit_db
    assert db is not None
    r = CliRunner().invoke(main, ["audit", "--db", db, "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["decisions"]
    r = CliRunner().invoke(main, ["audit", "--db", db, "--rejected"])
    assert r.exit_code == 0 and "REJECTED" in r.stdout and "ACCEPTED" not in r.stdout


def test_slow_verification_answers_504(corpus: Path) -> None:
    for srv in start(ServiceConfig(timeout_s=0.001)):
        r = post_raw(srv, (corpus / "ai-google-30-manifest-edit-chain.png").read_bytes())
        assert r.status_code == 504 and r.json()["error"]["code"] == "service.timeout"
        assert httpx.get(f"{srv.url}/healthz").status_code == 200  # still serving
