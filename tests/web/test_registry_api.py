"""Step 4 of issue 14: the C2PA Soft Binding Resolution API and the token-guarded registry against a real
`handmade serve --registry DB --registry-token-file F` process on 127.0.0.1."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from handmade import _c2pa
from handmade.fingerprint import fingerprint
from handmade.keys import load_identity
from handmade.registry import Registry
from handmade.sign import SignOptions, sign_image
from tests.conftest import make_lookalike, make_scene
from tests.pki import Pki
from tests.web.conftest import serve_process

TOKEN = "s3cret-registry-token-0123456789"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, newsroom: Pki) -> Iterator[tuple[str, Path, Path]]:
    folder = tmp_path_factory.mktemp("registry-service")
    signed = folder / "harbour.jpg"
    sign_image(make_scene(folder / "in.jpg", size=(1200, 900), seed=51), signed, SignOptions(author="Jane Doe"),
               load_identity(newsroom.key_pem, newsroom.chain_pem))
    db = folder / "registry.sqlite"
    token_file = folder / "token"
    token_file.write_text(TOKEN + "\n")
    with serve_process("--registry", str(db), "--registry-token-file", str(token_file), "--trust",
                       str(newsroom.root_pem), "--audit-db", "none") as (url, _port, _proc):
        yield url, signed, db


def _copy(signed: Path) -> bytes:
    out = io.BytesIO()
    with Image.open(signed) as im:
        im.convert("RGB").resize((600, 450)).save(out, "JPEG", quality=60)
    return out.getvalue()


def test_adding_needs_the_token(service: tuple[str, Path, Path]) -> None:
    url, signed, _ = service
    data = signed.read_bytes()
    for headers in ({}, {"Authorization": "Bearer wrong-token-wrong-token"}, {"Authorization": f"Basic {TOKEN}"}):
        r = httpx.post(f"{url}/v1/registry", content=data, headers={"content-type": "image/jpeg", **headers})
        assert r.status_code == 401 and r.json()["error"]["code"] == "registry.unauthorized"
        assert r.headers["www-authenticate"].startswith("Bearer")
    r = httpx.post(f"{url}/v1/registry", files={"file": ("harbour.jpg", data, "image/jpeg")},
                   headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code in (200, 201), r.text
    assert r.json()["entry"]["author"] == "Jane Doe"
    again = httpx.post(f"{url}/v1/registry", content=data, headers={"Authorization": f"Bearer {TOKEN}"})
    assert again.status_code == 200 and again.json()["added"] is False
    plain = httpx.post(f"{url}/v1/registry", content=_copy(signed), headers={"Authorization": f"Bearer {TOKEN}"})
    assert plain.status_code == 422 and plain.json()["error"]["code"] == "registry.not_signed"


def test_resolution_api(service: tuple[str, Path, Path]) -> None:
    url, signed, db = service
    httpx.post(f"{url}/v1/registry", content=signed.read_bytes(), headers={"Authorization": f"Bearer {TOKEN}"})
    algs = httpx.get(f"{url}/v1/services/supportedAlgorithms").json()
    assert algs == {"watermarks": [], "fingerprints": [{"alg": "io.iscc.v0"}]}
    entry = Registry(str(db)).nearest(0, max_distance=64)[0].entry
    # byBinding: the exact value, no token needed
    r = httpx.get(f"{url}/v1/matches/byBinding", params={"alg": "io.iscc.v0", "value": entry.value,
                                                         "maxResults": "5"})
    assert r.status_code == 200
    [match] = r.json()["matches"]
    assert match["manifestId"] == entry.manifest_id and match["similarityScore"] == 100
    # byContent: a re-encoded, resized copy without credentials
    r = httpx.post(f"{url}/v1/matches/byContent", content=_copy(signed), headers={"content-type": "image/jpeg"})
    assert r.status_code == 200
    [match] = r.json()["matches"]
    assert match["manifestId"] == entry.manifest_id and match["distance"] <= 6
    assert match["resemblance"] > 0.9 and match["state"] == "trusted" and match["author"] == "Jane Doe"
    # the manifest store, as application/c2pa, which validates against the original file
    r = httpx.get(f"{url}/v1/manifests/{entry.manifest_id}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/c2pa"
    raw = _c2pa.read_store_against(signed.read_bytes(), "image/jpeg", r.content, trust=None, trust_key="none")
    assert raw.store["active_manifest"] == entry.manifest_id
    assert httpx.get(f"{url}/v1/manifests/urn:c2pa:nope").status_code == 404


def test_bad_requests_get_codes(service: tuple[str, Path, Path]) -> None:
    url, _, _ = service
    cases = [
        (httpx.get(f"{url}/v1/matches/byBinding", params={"alg": "com.adobe.trustmark.Q", "value": "x"}),
         400, "registry.alg"),
        (httpx.get(f"{url}/v1/matches/byBinding", params={"alg": "io.iscc.v0", "value": "ISCC:nonsense"}),
         400, "fingerprint.bad_value"),
        (httpx.get(f"{url}/v1/matches/byBinding", params={"alg": "io.iscc.v0"}), 400, "registry.value"),
        (httpx.get(f"{url}/v1/matches/byBinding", params={"value": "ISCC:EEA4GQZQTY6J5DTH", "maxResults": "0"}),
         422, "registry.max_results"),
        (httpx.post(f"{url}/v1/matches/byContent", content=b"not a picture"), 415, "input.not_image"),
    ]
    for r, status, code in cases:
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text


def test_verify_upload_of_a_stripped_copy_shows_the_candidate(service: tuple[str, Path, Path]) -> None:
    url, signed, _ = service
    httpx.post(f"{url}/v1/registry", content=signed.read_bytes(), headers={"Authorization": f"Bearer {TOKEN}"})
    r = httpx.post(f"{url}/v1/verify", params={"lang": "fr"}, files={"file": ("copy.jpg", _copy(signed), "image/jpeg")})
    assert r.status_code == 200, r.text
    result = r.json()["results"][0]
    assert result["state"] == "no_manifest" and result["human_authored"] is None
    [candidate] = result["recovered"]
    assert candidate["verdict"]["state"] == "trusted" and candidate["author"] == "Jane Doe"
    assert any("Un original enregistré correspond" in line for line in result["recovered_text"])
    assert r.json()["accepted"] is False


def test_a_service_without_token_is_read_only(tmp_path: Path) -> None:
    db = tmp_path / "reg.sqlite"
    with serve_process("--registry", str(db), "--audit-db", "none") as (url, _port, _proc):
        r = httpx.post(f"{url}/v1/registry", content=b"x", headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 403 and r.json()["error"]["code"] == "registry.read_only"
    with serve_process("--audit-db", "none") as (url, _port, _proc):
        r = httpx.get(f"{url}/v1/matches/byBinding", params={"value": "ISCC:EEA4GQZQTY6J5DTH"})
        assert r.status_code == 404 and r.json()["error"]["code"] == "registry.off"


def test_by_content_decodes_within_the_services_slots_and_time_limit(tmp_path: Path, newsroom: Pki) -> None:
    """Fingerprinting an upload is decoding work, bounded as a verification is: a time limit too short for it
    answers 504, as /v1/verify would."""
    from handmade.web.config import ServiceConfig
    from tests.web.conftest import start

    picture = make_scene(tmp_path / "big.jpg", size=(2400, 1800), seed=71).read_bytes()
    for srv in start(ServiceConfig(registry_db=str(tmp_path / "r.sqlite"), timeout_s=0.000001)):
        r = httpx.post(f"{srv.url}/v1/matches/byContent", content=picture, timeout=30)
        assert r.status_code == 504 and r.json()["error"]["code"] == "service.timeout", r.text
    for srv in start(ServiceConfig(registry_db=str(tmp_path / "r.sqlite"))):
        r = httpx.post(f"{srv.url}/v1/matches/byContent", content=picture, timeout=30)
        assert r.status_code == 200 and r.json()["matches"] == []


def test_by_content_refuses_a_lookalike_that_by_binding_names(service: tuple[str, Path, Path], tmp_path: Path) -> None:
    """A picture crafted to share the registered original's fingerprint (its layout) but not its pixels: byBinding,
    which has only the fingerprint, names the original; byContent checks the pixels against the registered claim
    thumbnail, as recovery does, and names nothing."""
    url, signed, _ = service
    httpx.post(f"{url}/v1/registry", content=signed.read_bytes(), headers={"Authorization": f"Bearer {TOKEN}"})
    fake = make_lookalike(signed, tmp_path / "lookalike.png")
    seen = fingerprint(fake.read_bytes())
    assert seen is not None
    by_value = httpx.get(f"{url}/v1/matches/byBinding", params={"alg": "io.iscc.v0", "value": seen.code})
    assert [m["author"] for m in by_value.json()["matches"]] == ["Jane Doe"], by_value.text
    r = httpx.post(f"{url}/v1/matches/byContent", content=fake.read_bytes(), headers={"content-type": "image/png"})
    assert r.status_code == 200 and r.json()["matches"] == [], r.text


def test_the_openapi_document_describes_the_registry_s_real_answers(service: tuple[str, Path, Path]) -> None:
    validator = pytest.importorskip("openapi_spec_validator", reason="openapi-spec-validator not installed")
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema not installed")
    url, signed, _ = service
    spec = httpx.get(f"{url}/openapi.json").json()
    validator.validate(spec)

    def check(answer: httpx.Response, path: str, method: str) -> None:
        schema = spec["paths"][path][method]["responses"][str(answer.status_code)]["content"]["application/json"]
        jsonschema.validate(answer.json(), {**schema["schema"], "components": spec["components"]})

    added = httpx.post(f"{url}/v1/registry", content=signed.read_bytes(), headers={"Authorization": f"Bearer {TOKEN}"})
    check(added, "/v1/registry", "post")
    check(httpx.post(f"{url}/v1/registry", content=b"x"), "/v1/registry", "post")  # 401
    check(httpx.get(f"{url}/v1/services/supportedAlgorithms"), "/v1/services/supportedAlgorithms", "get")
    value = added.json()["entry"]["value"]
    by_binding = httpx.get(f"{url}/v1/matches/byBinding", params={"value": value})
    assert by_binding.json()["matches"], by_binding.text
    check(by_binding, "/v1/matches/byBinding", "get")
    by_content = httpx.post(f"{url}/v1/matches/byContent", content=_copy(signed))
    assert by_content.json()["matches"], by_content.text
    check(by_content, "/v1/matches/byContent", "post")
    check(httpx.post(f"{url}/v1/matches/byContent", content=b"not a picture"), "/v1/matches/byContent", "post")
