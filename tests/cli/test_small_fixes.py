"""The smaller daily-work fixes of issue 12, each through the real thing: worded limits and missing files,
``serve`` failing before its banner, HEIC metadata said, EXIF Copyright round trip, help text that is true."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from handmade.cli import main
from handmade.hints import read_hints
from tests.conftest import make_photo

SRC = str(Path(__file__).resolve().parents[2] / "src")
HEIC = "heic-origo-training-notallowed.heic"


def test_a_missing_policy_file_is_said_to_be_missing(tmp_path: Path) -> None:
    photo = make_photo(tmp_path / "p.jpg")
    r = CliRunner().invoke(main, ["verify", str(photo), "--policy", str(tmp_path / "nosuch.toml")])
    assert r.exit_code == 3
    assert "the policy file does not exist [policy.not_found]" in r.stderr and "unknown policy" not in r.stderr
    r = CliRunner().invoke(main, ["verify", str(photo), "--policy", "nosuch"])
    assert r.exit_code == 3 and "unknown policy 'nosuch'" in r.stderr


@pytest.mark.parametrize("url,code", [("mysql://db/audit", "audit.unsupported"),
                                      ("postgresql://nobody@127.0.0.1:1/audit", "audit.unavailable")])
def test_serve_with_an_unusable_audit_url_fails_before_its_banner(url: str, code: str) -> None:
    r = subprocess.run([sys.executable, "-m", "handmade", "serve", "--audit-db", url, "--port", "1"],
                       capture_output=True, text=True, timeout=60, check=False, env={**os.environ, "PYTHONPATH": SRC})
    assert r.returncode == 3, r.stderr
    assert code in r.stderr and "service on" not in r.stderr


def test_heic_output_says_it_gets_no_exif_or_xmp(tmp_path: Path, corpus: Path) -> None:
    r = CliRunner().invoke(main, ["sign", str(corpus / HEIC), "-o", str(tmp_path / "o.heic"), "--author", "A"])
    assert r.exit_code == 0, r.output
    assert "no EXIF/XMP written for image/heic" in r.stderr
    r = CliRunner().invoke(main, ["sign", str(corpus / HEIC), "-o", str(tmp_path / "fr.heic"), "--lang", "fr"])
    assert "pas d'EXIF/XMP écrits pour image/heic" in r.stderr
    r = CliRunner().invoke(main, ["sign", str(make_photo(tmp_path / "p.jpg")), "-o", str(tmp_path / "o.jpg")])
    assert "EXIF/XMP" not in r.stderr  # a JPEG gets them


def test_exif_copyright_is_written_as_ascii_and_read_back_right(tmp_path: Path) -> None:
    import piexif
    import pyexiv2

    out = tmp_path / "o.jpg"
    r = CliRunner().invoke(main, ["sign", str(make_photo(tmp_path / "p.jpg")), "-o", str(out), "--author", "Zoë",
                                  "--rights", "© 2026 Zoë Dupré"])
    assert r.exit_code == 0, r.output
    exif = piexif.load(str(out))["0th"]
    assert exif[piexif.ImageIFD.Copyright] == b"(c) 2026 Zoe Dupre"  # EXIF ASCII is 7-bit
    assert exif[piexif.ImageIFD.Artist] == b"Zoe"
    with pyexiv2.Image(str(out)) as img:  # the exact text stays in XMP
        assert img.read_xmp()["Xmp.dc.rights"] == {'lang="x-default"': "© 2026 Zoë Dupré"}
    hints = {h.field: h.value for h in read_hints(out.read_bytes())}
    assert hints["EXIF Copyright"] == "(c) 2026 Zoe Dupre"


def test_utf8_in_an_exif_ascii_tag_from_another_tool_reads_right(tmp_path: Path) -> None:
    import pyexiv2

    photo = make_photo(tmp_path / "p.jpg")
    with pyexiv2.Image(str(photo)) as img:  # as many tools do: UTF-8 bytes in the ASCII tag
        img.modify_exif({"Exif.Image.Copyright": "© 2026 Zoë", "Exif.Image.Artist": "Zoë"})
    hints = {h.field: h.value for h in read_hints(photo.read_bytes())}
    assert hints["EXIF Copyright"] == "© 2026 Zoë" and hints["EXIF Artist"] == "Zoë"


def test_verify_help_says_what_it_prints() -> None:
    r = CliRunner().invoke(main, ["verify", "--help"])
    assert "one summary line per file" not in r.stdout
    assert "block" in r.stdout and "--format" in r.stdout and "folders" in r.stdout.lower()


def test_serve_help_says_trust_takes_a_bundle_as_verify_does() -> None:
    for command in ("serve", "verify"):
        r = CliRunner().invoke(main, [command, "--help"])
        words = " ".join(r.stdout.split())
        assert "PEM file of your own trust anchors, or a label authority's bundle" in words, command


def test_the_new_errors_are_told_in_french(tmp_path: Path) -> None:
    from handmade.messages import CATALOG as _T

    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        make_photo(tmp_path / d / "x.jpg")
    r = CliRunner().invoke(main, ["sign", str(tmp_path / "a" / "x.jpg"), str(tmp_path / "b" / "x.jpg"), "-o",
                                  str(tmp_path / "out"), "--lang", "fr"])
    assert r.exit_code == 3
    assert r.stderr.splitlines()[0] == ("erreur : deux entrées seraient écrites dans une même sortie ; rien n'a été "
                                        "signé [output.collision]")
    assert "  conseil : Donnez leur dossier parent commun" in r.stderr
    r = CliRunner().invoke(main, ["verify", str(tmp_path / "a"), "--policy", str(tmp_path / "no.toml"), "--lang",
                                  "fr"])
    assert "erreur : le fichier de politique n'existe pas [policy.not_found]" in r.stderr
    for key, entry in _T.items():  # every entry of the table has both languages
        assert set(entry) == {"en", "fr"}, key
