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


def test_certs_show_each_manifests_whole_chain_with_fingerprints(corpus: Path) -> None:
    """Adobe's files: two manifests, each signed by a leaf under an Adobe intermediate (G3, G4) of Adobe Root CA G2;
    the chain comes from the COSE signature's x5chain, signer first, and agrees with c2pa-rs's certificate info."""
    r = CliRunner().invoke(main, ["report", str(corpus / COMPOSITE), "--certs", "--json"])
    assert r.exit_code == 0, r.output
    certificates = json.loads(r.stdout)["results"][0]["certificates"]
    assert len(certificates) == 2
    for c in certificates:
        chain = c["chain"]
        assert len(chain) == 2, c["manifest"]
        assert chain[0]["serial"] == c["serial"] and chain[0]["not_after"] == c["not_after"]
        assert chain[0]["issuer"] == chain[1]["subject"]  # each certificate issued by the next
        assert chain[1]["issuer"] == "C=US, O=Adobe Systems Incorporated, OU=Adobe Trust Services, CN=Adobe Root CA G2"
        assert all(len(x["sha256"]) == 95 for x in chain)  # 32 bytes as AB:CD:...
    assert [c["chain"][1]["subject"].rsplit("CN=", 1)[1] for c in certificates] == [
        "Adobe Product Services G3", "Adobe Product Services G4"]
    text = CliRunner().invoke(main, ["report", str(corpus / COMPOSITE), "--certs"]).stdout.splitlines()
    assert text.count("    chain (2 certificate(s), signer first):") == 2
    assert "      2. subject:      C=US, O=Adobe Systems Incorporated, OU=Adobe Trust Services, CN=Adobe Product " \
           "Services G3" in text
    assert any(line.startswith("         SHA-256:      D5:F3:56:79:03:50:AF:D6") for line in text)


def test_certs_chain_of_a_file_signed_with_a_three_level_pki(tmp_path: Path) -> None:
    """Root -> intermediate -> signer (tests/pki.py): the chain shown is the signer and the intermediate given with
    --chain, with the fingerprints of those very certificates; the root is the verifier's, not in the file."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    from tests.pki import make_pki

    pki = make_pki(tmp_path / "pki")
    signed = tmp_path / "s.jpg"
    r = CliRunner().invoke(main, ["sign", str(make_photo(tmp_path / "p.jpg")), "-o", str(signed), "--key",
                                  str(pki.key_pem), "--chain", str(pki.chain_pem)])
    assert r.exit_code == 0, r.output
    given = x509.load_pem_x509_certificates(pki.chain_pem.read_bytes())
    root = x509.load_pem_x509_certificate(pki.root_pem.read_bytes())
    assert len(given) == 2
    r = CliRunner().invoke(main, ["report", str(signed), "--certs", "--json"])
    (certificate,) = json.loads(r.stdout)["results"][0]["certificates"]
    chain = certificate["chain"]
    assert [c["sha256"] for c in chain] == [g.fingerprint(hashes.SHA256()).hex(":").upper() for g in given]
    assert [c["serial"] for c in chain] == [format(g.serial_number, "x") for g in given]
    assert chain[1]["issuer"] == ", ".join(a.rfc4514_string() for a in root.subject)
    assert chain[0]["not_before"] == given[0].not_valid_before_utc.isoformat()
