"""Issue 12 in the service: a licensed AI-training permission told in words, the upload limit in MB."""

from __future__ import annotations

from pathlib import Path

import httpx
from click.testing import CliRunner

from handmade.cli import main
from tests.conftest import make_photo
from tests.web.conftest import Server
from tests.web.test_api import post_raw

LICENCE = "https://jane.example/ai-licence"


def test_the_service_tells_the_licence_in_both_languages(server: Server, tmp_path: Path) -> None:
    out = tmp_path / "licensed.jpg"
    r = CliRunner().invoke(main, ["sign", str(make_photo(tmp_path / "in.jpg")), "-o", str(out), "--author", "J",
                                  "--ai-training", "licensed", "--ai-license", LICENCE])
    assert r.exit_code == 0, r.output
    fr = post_raw(server, out.read_bytes(), lang="fr").json()["results"][0]
    assert fr["training"] == "constrained" and fr["training_terms"] == LICENCE
    assert fr["training_text"] == f"Entraînement d'IA : uniquement sous licence, voir {LICENCE}"
    en = post_raw(server, out.read_bytes(), lang="en").json()["results"][0]
    assert en["training_text"] == f"AI training: only under licence, see {LICENCE}"


def test_the_upload_limit_is_said_in_megabytes(server: Server) -> None:
    r = httpx.post(f"{server.url}/v1/verify", content=b"\xff\xd8\xff" + b"\x00" * (9 * 1024 * 1024), timeout=60)
    assert r.status_code == 413
    assert r.json()["error"]["message"] == "the upload is larger than the limit of 8 MB"


def test_size_text() -> None:
    from handmade.web.uploads import size_text

    assert [size_text(n) for n in (52428800, 1536 * 1024, 300 * 1024, 12)] == ["50 MB", "1.5 MB", "300 KB",
                                                                               "12 bytes"]


def test_thumbnails_on_request_preview_and_ingredients(server: Server, tmp_path: Path, corpus: Path) -> None:
    import base64
    import io

    from PIL import Image

    from handmade.sign import sign_image

    def picture(uri: str) -> Image.Image:
        head, _, body = uri.partition(",")
        assert head.startswith("data:image/") and head.endswith(";base64")
        return Image.open(io.BytesIO(base64.b64decode(body)))

    tiff = tmp_path / "scan.tif"
    sign_image(make_photo(tmp_path / "in.tif", size=(800, 600)), tiff)
    plain = post_raw(server, tiff.read_bytes()).json()["results"][0]
    assert "thumbnails" not in plain  # only when asked for
    got = post_raw(server, tiff.read_bytes(), thumbnails="1").json()["results"][0]["thumbnails"]
    preview = picture(got["preview"])
    assert preview.format == "JPEG" and max(preview.size) == 320
    heic = post_raw(server, (corpus / "heic-origo-training-notallowed.heic").read_bytes(),
                    thumbnails="1").json()["results"][0]["thumbnails"]
    assert heic["preview"] is not None and picture(heic["preview"]).size[0] > 0  # the manifest's thumbnail
    composite = post_raw(server, (corpus / "composite-photoshop-opened-firefly-ingredient.jpg").read_bytes(),
                         thumbnails="1").json()["results"][0]["thumbnails"]
    assert composite["preview"] is None  # a JPEG: the browser draws it itself
    assert composite["ingredients"] and all(picture(i["src"]).size[0] > 0 for i in composite["ingredients"])
