"""Consent on the author's terms: ``--ai-training not-allowed|allowed|licensed`` and ``--ai-license``, written
under both training labels and in XMP, shown by verify/report/the service, and read back from files that
another tool wrote."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import c2pa
import pytest
from click.testing import CliRunner

from handmade.cli import main
from handmade.keys import bundled_test_identity
from handmade.report import training_text
from handmade.verify import inspect_bytes
from tests.conftest import make_photo, photo_bytes

LICENCE = "https://jane.example/ai-licence"


def _training_assertions(path: Path) -> dict[str, Any]:
    with c2pa.Reader(str(path)) as reader:
        store = json.loads(reader.json())
    active = store["manifests"][store["active_manifest"]]
    return {a["label"]: a["data"] for a in active["assertions"] if "training-mining" in a["label"]}


def _xmp(path: Path) -> dict[str, Any]:
    import pyexiv2

    with pyexiv2.Image(str(path)) as img:
        return dict(img.read_xmp())


@pytest.fixture(scope="module")
def licensed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("consent")
    out = folder / "licensed.jpg"
    r = CliRunner().invoke(main, ["sign", str(make_photo(folder / "in.jpg")), "-o", str(out), "--author", "Jane",
                                  "--ai-training", "licensed", "--ai-license", LICENCE])
    assert r.exit_code == 0, r.output
    return out


def test_licensed_writes_constrained_with_the_licence_for_every_use_under_both_labels(licensed: Path) -> None:
    found = _training_assertions(licensed)
    assert set(found) == {"cawg.training-mining", "c2pa.training-mining"}
    for label, data in found.items():
        prefix = label.split(".")[0]
        assert data["entries"] == {f"{prefix}.{use}": {"use": "constrained", "constraint_info": LICENCE}
                                   for use in ("ai_generative_training", "ai_training", "ai_inference",
                                               "data_mining")}


def test_licensed_writes_the_matching_plus_data_mining_value(licensed: Path) -> None:
    xmp = _xmp(licensed)
    assert xmp["Xmp.plus.DataMining"] == "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-SEECONSTRAINT"
    assert LICENCE in xmp["Xmp.plus.OtherConstraints"]['lang="x-default"']
    assert "only under licence: " + LICENCE in xmp["Xmp.dc.rights"]['lang="x-default"']


def test_verify_and_report_say_only_under_licence_in_both_languages(licensed: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(main, ["verify", str(licensed), "--policy", "any"])
    assert r.exit_code == 0, r.output
    assert "TRAINING-CONSTRAINED" in r.stdout
    assert f"  AI training: only under licence, see {LICENCE}" in r.stdout.splitlines()
    r = runner.invoke(main, ["report", str(licensed), "--lang", "fr"])
    assert f"  Entraînement d'IA : uniquement sous licence, voir {LICENCE}" in r.stdout.splitlines()
    doc = json.loads(runner.invoke(main, ["verify", str(licensed), "--json", "--policy", "any"]).stdout)
    assert doc["results"][0]["training"] == "constrained" and doc["results"][0]["training_terms"] == LICENCE


@pytest.mark.parametrize(("args", "use", "dmi"), [
    ([], "notAllowed", "DMI-PROHIBITED-AIMLTRAINING"),
    (["--ai-training", "not-allowed"], "notAllowed", "DMI-PROHIBITED-AIMLTRAINING"),
    (["--ai-training", "allowed"], "allowed", "DMI-ALLOWED"),
    (["--allow-ai-training"], "allowed", "DMI-ALLOWED"),
])
def test_the_other_choices_and_the_old_alias(tmp_path: Path, args: list[str], use: str, dmi: str) -> None:
    out = tmp_path / "o.jpg"
    r = CliRunner().invoke(main, ["sign", str(make_photo(tmp_path / "i.jpg")), "-o", str(out), *args])
    assert r.exit_code == 0, r.output
    for data in _training_assertions(out).values():
        assert {e["use"] for e in data["entries"].values()} == {use}
        assert not any("constraint_info" in e for e in data["entries"].values())
    assert _xmp(out)["Xmp.plus.DataMining"].endswith(dmi)


@pytest.mark.parametrize("args", [
    ["--ai-training", "licensed"],
    ["--ai-license", LICENCE],
    ["--ai-training", "not-allowed", "--ai-license", LICENCE],
    ["--allow-ai-training", "--ai-training", "not-allowed"],
])
def test_contradictory_or_incomplete_choices_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "o.jpg"
    r = CliRunner().invoke(main, ["sign", str(make_photo(tmp_path / "i.jpg")), "-o", str(out), *args])
    assert r.exit_code == 2, r.output
    assert not out.exists()


def test_a_constraint_written_by_another_tool_is_read_back() -> None:
    """A third party's manifest (c2pa Builder, not handmade): only training is licensed, the rest refused."""
    identity = bundled_test_identity()
    terms = "Licences: rights@agency.example"
    manifest = {"claim_generator_info": [{"name": "OtherTool", "version": "2"}], "assertions": [
        {"label": "c2pa.actions.v2", "data": {"actions": [
            {"action": "c2pa.created",
             "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}},
        {"label": "cawg.training-mining", "data": {"entries": {
            "cawg.ai_training": {"use": "constrained", "constraint_info": terms},
            "cawg.ai_generative_training": {"use": "notAllowed"},
            "cawg.data_mining": {"use": "notAllowed"}}}}]}
    info = c2pa.C2paSignerInfo(identity.alg.encode(), identity.chain_pem, identity.private_key_pem, None)
    ctx = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})
    out = io.BytesIO()
    with c2pa.Signer.from_info(info) as signer, c2pa.Builder.from_json(manifest, context=ctx) as builder:
        builder.sign(signer, "image/jpeg", io.BytesIO(photo_bytes()), out)
    report = inspect_bytes(out.getvalue(), "agency.jpg")
    assert report.state == "valid"
    assert report.training == "constrained" and report.training_terms == terms
    assert training_text(report, "en") == f"AI training: only under licence, see {terms}"
    assert training_text(report, "fr") == f"Entraînement d'IA : uniquement sous licence, voir {terms}"
