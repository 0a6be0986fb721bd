"""``report --detailed`` (the manifest store, as c2patool's --detailed) and ``report --certs`` (each manifest's
signing certificate), on real third-party files and on our own."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from handmade.cli import main
from tests.conftest import make_photo

COMPOSITE = "composite-photoshop-opened-firefly-ingredient.jpg"


def test_certs_lists_every_manifests_certificate_with_dates(corpus: Path) -> None:
    r = CliRunner().invoke(main, ["report", str(corpus / COMPOSITE), "--certs"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == f"{corpus / COMPOSITE}:"
    assert sum(1 for line in lines if line.startswith("  manifest ")) == 2
    assert "    subject:      CN=Adobe C2PA, OU=Content Authenticity Initiative, O=Adobe Inc., L=San Jose, " \
           "ST=California, C=US" in lines
    assert "    valid:        2024-10-15T00:00:00+00:00 -> 2025-10-15T23:59:59+00:00" in lines
    assert any(line.startswith("    timestamp:    2025-08-13T16:30:55+00:00 (C=US, O=DigiCert") for line in lines)


def test_certs_as_json_and_in_french(corpus: Path, tmp_path: Path) -> None:
    plain = make_photo(tmp_path / "plain.jpg")
    r = CliRunner().invoke(main, ["report", str(corpus / COMPOSITE), str(plain), "--certs", "--json"])
    doc = json.loads(r.stdout)
    assert doc["schema"] == "handmade.manifest-views/v1"
    first, second = doc["results"]
    assert [c["algorithm"] for c in first["certificates"]] == ["ps256", "ps256"]
    assert first["certificates"][0]["serial"] == "158dff27ac23d2b8254b4e63371e1d9e"
    assert second["certificates"] == [] and second["error"] is None
    r = CliRunner().invoke(main, ["report", str(corpus / COMPOSITE), "--certs", "--lang", "fr"])
    assert "    émetteur:         C=US, O=Adobe Systems Incorporated" in r.stdout
    assert "    numéro de série:  158dff27ac23d2b8254b4e63371e1d9e" in r.stdout  # a space after every label


def test_detailed_prints_the_manifest_store(tmp_path: Path) -> None:
    signed = tmp_path / "s.jpg"
    assert CliRunner().invoke(main, ["sign", str(make_photo(tmp_path / "p.jpg")), "-o", str(signed),
                                     "--author", "Jane"]).exit_code == 0
    r = CliRunner().invoke(main, ["report", str(signed), "--detailed"])
    assert r.exit_code == 0, r.output
    store = json.loads(r.stdout)["results"][0]["manifest_store"]
    active = store["manifests"][store["active_manifest"]]
    labels = {a["label"] for a in active["assertion_store"]} if isinstance(active["assertion_store"], list) \
        else set(active["assertion_store"])
    assert {"c2pa.actions.v2", "cawg.training-mining", "c2pa.training-mining"} <= labels
    assert active["claim"]["claim_generator_info"]["name"] == "handmade"


def test_an_unreadable_file_is_an_error_result(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image")
    r = CliRunner().invoke(main, ["report", str(bad), "--certs"])
    assert r.exit_code == 3 and "input.not_image" in r.stdout
