"""The JSON API over real HTTP: contract, policies, limits, errors, audit log."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from handmade.web.audit import export, list_decisions
from handmade.web.config import ServiceConfig
from tests.web.conftest import Server, start


def post_raw(server: Server, data: bytes, **params: str) -> httpx.Response:
    return httpx.post(f"{server.url}/v1/verify", content=data, params=params, timeout=60)


def test_signed_image_is_trusted_and_accepted(server: Server, signed_image: Path) -> None:
    r = httpx.post(f"{server.url}/v1/verify", files={"file": (signed_image.name, signed_image.read_bytes())},
                   timeout=60)
    assert r.status_code == 200
    doc = r.json()
    assert doc["schema"] == "handmade.report/v2" and doc["accepted"] is True and doc["reasons"] == []
    assert doc["policy"] == "handmade"
    result = doc["results"][0]
    assert result["summary"] == "TRUSTED INTACT HUMAN NO-AI NO-TRAINING"
    assert result["path"] == signed_image.name
    assert result["policy"]["accepted"] is True and result["trusted_by"] == "your-anchors"
    assert result["verdict"] == "Made by hand. Trusted: signed by handmade tests (your trust anchors)"


def test_test_key_image_is_refused_even_with_its_root_as_anchor(server: Server, test_key_image: Path) -> None:
    doc = post_raw(server, test_key_image.read_bytes()).json()
    assert doc["accepted"] is False and doc["results"][0]["test_identity"] is True
    assert doc["results"][0]["state"] == "trusted"  # the TEST root is an anchor here, by mistake
    assert "policy.test_identity" in {x["code"] for x in doc["reasons"]}
    assert doc["results"][0]["bottom_line"] == "CLAIMED"
    assert "proves nothing" in doc["results"][0]["verdict"]


def test_policy_query_may_only_tighten(server: Server, corpus: Path) -> None:
    """On a service started with 'handmade', no caller can loosen the policy to get an AI image accepted."""
    ai = (corpus / "ai-adobe-firefly-2025-text-to-image.jpg").read_bytes()
    for looser in ("any", "intact", "claimed"):
        r = post_raw(server, ai, policy=looser)
        assert r.status_code == 403 and r.json()["error"]["code"] == "policy.looser", looser
    doc = post_raw(server, ai, policy="trusted").json()  # as strict: allowed
    assert doc["policy"] == "trusted" and doc["accepted"] is False
    assert post_raw(server, ai, policy="nonsense").status_code == 422


def test_ai_image_rejected_with_reason(server: Server, corpus: Path) -> None:
    r = post_raw(server, (corpus / "ai-adobe-firefly-2025-text-to-image.jpg").read_bytes(), name="ff.jpg")
    doc = r.json()
    assert r.status_code == 200 and doc["accepted"] is False
    assert doc["results"][0]["ai"] == "generative"
    assert "policy.generative" in {x["code"] for x in doc["reasons"]}


def test_no_manifest_rejected_and_a_listed_client_policy_accepts(corpus: Path) -> None:
    data = (corpus / "nomanifest-test-A.jpg").read_bytes()
    for srv in start(ServiceConfig(client_policies=("any",))):
        assert post_raw(srv, data).json()["accepted"] is False
        doc = post_raw(srv, data, policy="any").json()
        assert doc["accepted"] is True and doc["results"][0]["state"] == "no_manifest" and doc["policy"] == "any"
        assert post_raw(srv, data, policy="intact").status_code == 403  # looser, and not listed


def test_french_verdict(server: Server, signed_image: Path) -> None:
    result = post_raw(server, signed_image.read_bytes(), lang="fr").json()["results"][0]
    assert result["verdict"] == "Fait à la main. De confiance : signé par handmade tests (vos ancres de confiance)"
    assert result["training_text"] == "Entraînement d'IA : non autorisé"


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


def _png_header(width: int, height: int) -> bytes:
    """A PNG that announces ``width`` x ``height`` 1-bit pixels and holds none (cheap to make at any size)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


@pytest.mark.parametrize(("side", "said"), [(20000, "20000x20000 pixels is over the limit"),
                                            (30000, "too many pixels to process safely")])
def test_pixel_bomb_beyond_pillows_own_guard_is_refused_too(side: int, said: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: Pillow refuses to even open a header announcing more than twice its guard (179 MP by
    default), and the service took that as "not an image Pillow reads" and let a 400 MP image through its
    100 MP limit. Pillow's guard is a global that only ``handmade._imaging.decode_guard`` sets (to 250 MP, or
    a bigger limit asked for), so this runs in the test process, from Pillow's default as a fresh service's
    process has it: 400 MP is read from the header (above the guard, below twice it), 900 MP is refused by
    Pillow itself (above twice the guard); both are over the limit."""
    from PIL import Image

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1024 * 1024 * 1024 // 4 // 3)  # Pillow's default
    for srv in start(ServiceConfig()):  # a real server on 127.0.0.1, in this process (so it sees that default)
        r = post_raw(srv, _png_header(side, side))
    assert (r.status_code, r.json()["error"]["code"]) == (413, "input.too_many_pixels")
    assert said in r.json()["error"]["message"]
    assert Image.MAX_IMAGE_PIXELS == 250_000_000  # set by the one guard, whatever ran before


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


def test_upload_bytes_held_in_memory_are_bounded(signed_image: Path) -> None:
    """Uploads take memory budget chunk by chunk (twice max_concurrent full-size uploads in all): two slow
    uploads that sent almost a full upload each spend it, one more request gets 503, and the service
    recovers when they go away."""
    import socket
    import time
    from urllib.parse import urlsplit

    config = ServiceConfig(max_concurrent=1, queue_wait_s=0.3, max_upload_bytes=1024 * 1024)
    for srv in start(config):
        u = urlsplit(srv.url)
        slow = []
        sent = config.memory_budget // 2 - 1000
        for _ in range(2):
            s = socket.create_connection((u.hostname, u.port), timeout=10)
            s.sendall(b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (sent + 500)
                      + b"\xff" * sent)
            slow.append(s)
        admission = srv.app.state.admission
        deadline = time.monotonic() + 10
        while admission.used < 2 * sent and time.monotonic() < deadline:
            time.sleep(0.01)
        assert admission.used == 2 * sent
        t = time.monotonic()
        r = post_raw(srv, signed_image.read_bytes())
        assert r.status_code == 503 and r.json()["error"]["code"] == "service.busy"
        assert r.headers["retry-after"] == "2" and time.monotonic() - t < 5
        for s in slow:
            s.close()
        deadline = time.monotonic() + 10
        while admission.used and time.monotonic() < deadline:
            time.sleep(0.01)
        assert admission.used == 0  # a client that goes away gives its bytes back
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


# --- in memory, never on disk -----------------------------------------------------------------------------------
def _temp_entries() -> set[str]:
    import os
    import tempfile

    # multiprocessing's own folders (pymp-*), made by any Python process on the machine, are not uploads
    return {n for n in os.listdir(tempfile.gettempdir()) if not n.startswith("pymp-")}


def test_big_multipart_upload_stays_in_memory(server: Server, signed_image: Path, monkeypatch: pytest.MonkeyPatch,
                                              ) -> None:
    """A 3 MB multipart part (over Starlette's 1 MB spool size) is parsed without any temporary file."""
    import tempfile

    opened: list[str] = []
    for name in ("SpooledTemporaryFile", "TemporaryFile", "NamedTemporaryFile", "mkstemp"):
        real = getattr(tempfile, name)

        def spy(*args: object, _real: object = real, _name: str = name, **kwargs: object) -> object:
            opened.append(_name)
            return _real(*args, **kwargs)  # type: ignore[operator]

        monkeypatch.setattr(tempfile, name, spy)
    before = _temp_entries()
    big = signed_image.read_bytes() + b"\0" * (3 * 1024 * 1024)  # trailing bytes after the JPEG: still a JPEG
    r = httpx.post(f"{server.url}/v1/verify", files={"file": ("big.jpg", big, "image/jpeg")},
                   data={"note": "x"}, timeout=60)
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["path"] == "big.jpg"
    assert opened == []
    assert _temp_entries() - before == set()


def test_multipart_and_raw_body_give_the_same_result(server: Server, signed_image: Path) -> None:
    data = signed_image.read_bytes()
    a = httpx.post(f"{server.url}/v1/verify", files={"file": ("same.jpg", data)}, timeout=60).json()
    b = httpx.post(f"{server.url}/v1/verify", content=data, headers={"X-Filename": "same.jpg"}, timeout=60).json()
    assert a == b


def test_malformed_multipart_is_a_json_400(server: Server) -> None:
    r = httpx.post(f"{server.url}/v1/verify", content=b"--x\r\nnot a header line\r\n\r\n",
                   headers={"Content-Type": "multipart/form-data; boundary=x"}, timeout=30)
    assert r.status_code in (400, 422) and r.json()["error"]["code"] in ("input.malformed", "input.missing")
    r = httpx.post(f"{server.url}/v1/verify", content=b"abc", headers={"Content-Type": "multipart/form-data"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "input.malformed"


def test_streamed_upload_too_large_without_content_length(server: Server) -> None:
    sent = 0

    def chunks() -> object:
        nonlocal sent
        for _ in range(64):  # up to 16 MB, the limit is 8 MB: the server stops reading first
            sent += 256 * 1024
            yield b"\xff" * (256 * 1024)

    try:
        r = httpx.post(f"{server.url}/v1/verify", content=chunks(), timeout=60)  # type: ignore[arg-type]
    except httpx.HTTPError:
        # The server cut the connection while we were still sending (its 413 then never reaches httpx, which
        # reads only once the body is sent): it must have stopped near its 8 MB limit, not taken all 16 MB,
        # and still serve.
        assert sent < 64 * 256 * 1024, "the whole 16 MB body was taken: the limit did not stop the upload"
        assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
        return
    assert r.status_code == 413 and r.json()["error"]["code"] == "input.too_large"


def test_declared_content_length_refused_before_reading(server: Server) -> None:
    import socket
    from urllib.parse import urlsplit

    u = urlsplit(server.url)
    with socket.create_connection((u.hostname, u.port), timeout=10) as s:
        s.sendall(b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n")
        reply = ""  # answered without sending a single body byte
        while "}}" not in reply:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk.decode("latin-1")
    assert reply.startswith("HTTP/1.1 413") and "input.too_large" in reply


def test_every_error_is_json(server: Server) -> None:
    r = httpx.get(f"{server.url}/nope")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = httpx.get(f"{server.url}/v1/verify")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"


def test_file_names_are_cleaned(server: Server, signed_image: Path) -> None:
    data = signed_image.read_bytes()
    r = httpx.post(f"{server.url}/v1/verify", files={"file": ("C:\\Users\\x\\..\\evil.jpg", data)}, timeout=60)
    assert r.json()["results"][0]["path"] == "evil.jpg"
    r = post_raw(server, data, name="../../x/evil\x07\u202e\nname.jpg")
    assert r.json()["results"][0]["path"] == "evil name.jpg"


def test_accept_language_quality_values(server: Server, signed_image: Path) -> None:
    data = signed_image.read_bytes()
    fr = post_raw_headers(server, data, {"Accept-Language": "de-DE, fr;q=0.8, en;q=0.5"})
    assert fr.json()["results"][0]["verdict"].startswith("Fait à la main")
    en = post_raw_headers(server, data, {"Accept-Language": "fr;q=0.2, en-GB;q=0.9"})
    assert en.json()["results"][0]["verdict"].startswith("Made by hand")
    assert post_raw(server, data, lang="en").json()["results"][0]["verdict"].startswith("Made by hand")


def post_raw_headers(server: Server, data: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{server.url}/v1/verify", content=data, headers=headers, timeout=60)


def test_policy_query_and_default_policy(signed_image: Path, corpus: Path) -> None:
    from handmade.policy import load_policy

    for srv in start(ServiceConfig(policy=load_policy("intact"))):
        ai = (corpus / "ai-adobe-firefly-2025-text-to-image.jpg").read_bytes()
        doc = post_raw(srv, ai).json()
        assert doc["accepted"] is True and doc["results"][0]["policy"]["policy"] == "intact"
        doc = post_raw(srv, ai, policy="handmade").json()
        assert doc["accepted"] is False and doc["results"][0]["policy"]["policy"] == "handmade"
        # the newsroom's root is not an anchor here: the signed file is only the signer's claim
        doc = post_raw(srv, signed_image.read_bytes(), policy="handmade").json()
        assert doc["results"][0]["state"] == "valid" and doc["results"][0]["bottom_line"] == "CLAIMED"
        assert [x["code"] for x in doc["reasons"]] == ["policy.not_trusted"]
        assert post_raw(srv, signed_image.read_bytes(), policy="claimed").json()["accepted"] is True


# --- slots and time ---------------------------------------------------------------------------------------------
def test_a_timed_out_verification_keeps_its_slot_until_it_ends() -> None:
    import threading
    import time

    import anyio

    from handmade.web.errors import ApiError
    from handmade.web.slots import run_in_slot

    gate = threading.Event()
    finished = threading.Event()

    def slow() -> object:
        gate.wait(10)
        finished.set()
        return "done"

    async def scenario() -> None:
        limiter = anyio.CapacityLimiter(1)
        with pytest.raises(ApiError) as timeout:
            await run_in_slot(limiter, slow, queue_wait_s=0.1, timeout_s=0.1)  # type: ignore[arg-type]
        assert timeout.value.status == 504
        assert limiter.borrowed_tokens == 1  # the abandoned thread still runs, so its slot is taken
        with pytest.raises(ApiError) as busy:
            await run_in_slot(limiter, lambda: "x", queue_wait_s=0.1, timeout_s=1)  # type: ignore[arg-type,return-value]
        assert busy.value.status == 503 and busy.value.headers["Retry-After"] == "2"
        gate.set()
        deadline = time.monotonic() + 5
        while limiter.borrowed_tokens and time.monotonic() < deadline:
            await anyio.sleep(0.01)
        assert finished.is_set() and limiter.borrowed_tokens == 0
        assert await run_in_slot(limiter, lambda: "x", queue_wait_s=0.1, timeout_s=1) == "x"  # type: ignore[arg-type,return-value]

    anyio.run(scenario)


# --- configuration ----------------------------------------------------------------------------------------------
def test_config_travels_to_workers_through_the_environment(tmp_path: Path) -> None:
    from handmade.keys import bundled_test_root_pem
    from handmade.policy import load_policy
    from handmade.trust import TrustConfig
    from handmade.verify import TrustAnchors
    from handmade.web.config import config_from_env, config_to_env

    policy_file = tmp_path / "desk.toml"
    policy_file.write_text('base = "trusted"\nrequire_no_training = true\n')
    config = ServiceConfig(trust=TrustAnchors.from_pem(bundled_test_root_pem(), "test root"),
                           policy=load_policy(policy_file), audit_db=str(tmp_path / "a.sqlite"),
                           max_upload_bytes=1234, max_pixels=5678, timeout_s=3.5, max_concurrent=2)
    back = config_from_env(config_to_env(config))
    assert back.policy == config.policy and back.policy.name == "desk" and back.policy.require_no_training
    assert back.trust == config.trust and back.trust.key == config.trust.key
    assert [s.id for s in back.trust.sources] == ["c2pa-trust-list", "c2pa-tsa-trust-list", "c2pa-interim-list",
                                                  "your-anchors"]
    assert config_from_env(config_to_env(ServiceConfig(trust=TrustConfig.none()))).trust.sources == ()
    assert (back.audit_db, back.max_upload_bytes, back.max_pixels, back.timeout_s, back.max_concurrent) == (
        config.audit_db, 1234, 5678, 3.5, 2)
    assert config_from_env('{"policy": "any", "max_concurrent": 3}').policy.name == "any"
    with pytest.raises(ValueError):
        config_from_env('{"max_concurent": 3}')
    with pytest.raises(ValueError):
        ServiceConfig(max_concurrent=0)


def test_app_from_env_serves(monkeypatch: pytest.MonkeyPatch, signed_image: Path) -> None:
    from handmade.tuning import tune_allocator
    from handmade.web import app as web_app

    monkeypatch.setenv(web_app.CONFIG_ENV, json.dumps({"policy": "any", "max_concurrent": 2}))
    tune_allocator.cache_clear()
    application = web_app.app_from_env()
    assert application.state.config.policy.name == "any" and application.state.limiter.total_tokens == 2
    assert tune_allocator.cache_info().currsize == 1  # a service worker pins the allocator as the CLI does


# --- audit log --------------------------------------------------------------------------------------------------
def test_audit_filters_urls_and_safe_exports(tmp_path: Path, signed_image: Path) -> None:
    import datetime as dt

    from handmade import inspect
    from handmade.policy import PRESETS, evaluate
    from handmade.web.audit import AuditConfigError, AuditLog

    url = f"sqlite:///{tmp_path / 'log' / 'audit.sqlite'}"
    log = AuditLog(url)
    report = inspect(signed_image)
    log.record(report, evaluate(PRESETS["claimed"], report), "=cmd|' -C calc'!A0\n.jpg")
    log.record(report, evaluate(PRESETS["trusted"], report), "../../etc/passwd")
    rows = list_decisions(url)
    assert [r["filename"] for r in rows] == ["passwd", "=cmd|' -C calc'!A0 .jpg"]
    assert [r["accepted"] for r in rows] == [False, True]
    assert rows[0]["reasons"][0]["code"] == "policy.not_trusted"
    now = dt.datetime.now(dt.timezone.utc)
    assert len(list_decisions(url, now - dt.timedelta(minutes=1))) == 2  # positional since
    assert list_decisions(url, since=now + dt.timedelta(minutes=1)) == []
    assert list_decisions(url, until=now - dt.timedelta(minutes=1)) == []
    assert len(list_decisions(url, accepted=True, limit=5)) == 1
    assert len(list_decisions(url, limit=1)) == 1
    out = io.StringIO()
    assert export(url, "csv", out, accepted=True) == 1
    assert "'=cmd|" in out.getvalue()  # stays text in a spreadsheet
    with pytest.raises(AuditConfigError) as exc:
        list_decisions("mysql://db.example/audit")
    assert exc.value.code == "audit.unsupported" and "postgresql://" in (exc.value.hint or "")
    with pytest.raises(AuditConfigError):
        export(url, "xml", io.StringIO())
    import sqlite3

    with sqlite3.connect(tmp_path / "log" / "audit.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_openapi_document_is_valid_and_describes_real_answers(server: Server, signed_image: Path) -> None:
    validator = pytest.importorskip("openapi_spec_validator", reason="openapi-spec-validator not installed")
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema not installed")
    spec = httpx.get(f"{server.url}/openapi.json").json()
    validator.validate(spec)
    ok = spec["paths"]["/v1/verify"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    resolver_doc = {**ok, "components": spec["components"]}
    jsonschema.validate(post_raw(server, signed_image.read_bytes()).json(), resolver_doc)
    error = {"$ref": "#/components/schemas/Error", "components": spec["components"]}
    jsonschema.validate(post_raw(server, b"").json(), error)


def test_serve_with_two_workers_carries_the_trust_configuration(tmp_path: Path, signed_image: Path,
                                                                 newsroom: Any, corpus: Path) -> None:
    """`handmade serve --workers 2` for real: each spawned worker gets the shipped lists and the operator's
    anchors through its environment (which must stay under Linux's 128 KB limit for one string)."""
    from tests.web.conftest import serve_process

    with serve_process("--workers", "2", "--trust", str(newsroom.root_pem), "--audit-db", "none") as (url, _, _):
        google = (corpus / "ai-google-generative-single.png").read_bytes()
        for _ in range(4):  # whichever worker answers: the operator's anchors and the shipped lists
            doc = httpx.post(f"{url}/v1/verify", content=signed_image.read_bytes(), timeout=60).json()
            assert doc["accepted"] is True and doc["results"][0]["trusted_by"] == "your-anchors"
            doc = httpx.post(f"{url}/v1/verify", content=google, params={"name": "g.png"}, timeout=60).json()
            assert doc["results"][0]["trusted_by"] == "c2pa-trust-list"
