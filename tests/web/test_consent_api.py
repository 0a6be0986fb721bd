"""The service and the page tell a licensed AI-training permission in words, with its terms."""

from __future__ import annotations

from pathlib import Path

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
    assert fr["training_text"] == f"Entraînement d'IA: uniquement sous licence, voir {LICENCE}"
    en = post_raw(server, out.read_bytes(), lang="en").json()["results"][0]
    assert en["training_text"] == f"AI training: only under licence, see {LICENCE}"
