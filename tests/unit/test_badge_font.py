"""The visible badge's font has every letter of every label: "Fait à la main" is drawn with its "à", checked
on the font's character map (fontTools) and on rendered pixels."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageChops
from tests.conftest import make_photo

from handmade._imaging import BADGE_FONT, badge_font, stamp_badge
from handmade.cli import main
from handmade.files import load_input
from handmade.messages import LANGUAGES, t

MISSING = "\u0378"  # an unassigned code point: every font draws its "missing glyph" box for it


def test_the_font_ships_with_its_licence_and_covers_every_label() -> None:
    from fontTools.ttLib import TTFont

    assert (BADGE_FONT.parent / "OFL.txt").read_text().count("SIL Open Font License") >= 1
    cmap = TTFont(str(BADGE_FONT)).getBestCmap()
    for lang, text in ((lang, t("handmade", lang)) for lang in LANGUAGES):
        assert all(ord(c) in cmap for c in text), (lang, [c for c in text if ord(c) not in cmap])
    assert ord(MISSING) not in cmap


@pytest.mark.parametrize("size", [12, 24, 60])
def test_a_accent_grave_is_drawn_as_itself_not_as_a_missing_glyph(size: int) -> None:
    font = badge_font(size)

    def ink(text: str) -> bytes:
        return bytes(font.getmask(text, mode="L"))

    assert ink("à") != ink(MISSING)
    assert ink("à") != ink("a")  # the accent is there
    assert ink("Fait à la main") != ink(f"Fait {MISSING} la main")


def test_the_french_badge_in_a_signed_file_has_its_accent(tmp_path: Path) -> None:
    src = make_photo(tmp_path / "p.png", size=(900, 600))
    out = tmp_path / "badged.png"
    r = CliRunner().invoke(main, ["sign", str(src), "-o", str(out), "--badge", "--lang", "fr"])
    assert r.exit_code == 0, r.output
    signed = Image.open(out).convert("RGB")
    loaded = load_input(src)
    french = Image.open(io.BytesIO(stamp_badge(loaded, "fr").data)).convert("RGB")
    tofu = Image.open(io.BytesIO(stamp_badge(loaded, text=f"Fait {MISSING} la main").data)).convert("RGB")
    plain = Image.open(io.BytesIO(stamp_badge(loaded, text="Fait a la main").data)).convert("RGB")
    assert ImageChops.difference(signed, french).getbbox() is None  # the file carries this very rendering
    assert ImageChops.difference(signed, tofu).getbbox() is not None
    assert ImageChops.difference(signed, plain).getbbox() is not None
