"""The label renderer, looked at in pixels: where the label is, how big, how legible, and its accents.

Every label (handmade, the AI kinds, the signing badge) is drawn by ``handmade.label.draw_label``; these tests
read the rendered pixels back with Pillow, never the renderer's own numbers alone.
"""

from __future__ import annotations

import pytest
from PIL import Image, ImageChops, ImageStat

from handmade._imaging import BADGE_FONT
from handmade.errors import InputError
from handmade.label import CORNERS, HEADLINES, LabelSpec, contrast, draw_label

MISSING = "\u0378"  # an unassigned code point: drawn as the font's "missing glyph" box
AI = LabelSpec("generative", HEADLINES["generative"]["en"], "per its Content Credentials")


def ink_box(before: Image.Image, after: Image.Image) -> tuple[int, int, int, int]:
    box = ImageChops.difference(before.convert("RGB"), after.convert("RGB")).getbbox()
    assert box is not None, "nothing was drawn"
    return box


@pytest.mark.parametrize("corner", CORNERS)
def test_the_label_is_in_the_corner_asked_for(corner: str) -> None:
    image = Image.new("RGB", (1200, 800), (120, 160, 200))
    drawn, placement = draw_label(image, AI, corner=corner)
    left, top, right, bottom = ink_box(image, drawn)
    assert (left, top, right, bottom) == placement.box  # the pixels changed are exactly the label's box
    margin = 800 * 0.06 * 0.3
    if corner[1] == "l":
        assert left == pytest.approx(margin, abs=2) and right < 600
    else:
        assert 1200 - right == pytest.approx(margin, abs=2) and left > 600
    if corner[0] == "t":
        assert top == pytest.approx(margin, abs=2) and bottom < 400
    else:
        assert 800 - bottom == pytest.approx(margin, abs=2) and top > 400


def test_the_same_relative_size_on_a_1_mp_and_a_24_mp_image() -> None:
    small = Image.new("RGB", (1224, 816), (90, 90, 90))  # 1 MP
    big = Image.new("RGB", (6000, 4000), (90, 90, 90))  # 24 MP
    boxes = []
    for image in (small, big):
        drawn, _ = draw_label(image, AI, corner="br", size=0.06)
        left, top, right, bottom = ink_box(image, drawn)
        short = min(image.size)
        boxes.append(((bottom - top) / short, (right - left) / short))
    (h1, w1), (h2, w2) = boxes
    assert h1 == pytest.approx(0.06, abs=0.002) and h2 == pytest.approx(0.06, abs=0.001)
    assert w1 == pytest.approx(w2, rel=0.04)  # the text scales with the box


def test_size_option_changes_the_height_and_nonsense_is_refused() -> None:
    image = Image.new("RGB", (1000, 1000), (200, 200, 200))
    heights = []
    for size in (0.04, 0.12):
        drawn, _ = draw_label(image, AI, size=size)
        _, top, _, bottom = ink_box(image, drawn)
        heights.append(bottom - top)
    assert heights == [40, 120]
    with pytest.raises(InputError) as exc:
        draw_label(image, AI, size=0.9)
    assert exc.value.code == "label.size"
    with pytest.raises(InputError) as exc:
        draw_label(Image.new("RGB", (40, 20)), AI)
    assert exc.value.code == "label.too_small"


def _measured_contrasts(image: Image.Image) -> tuple[float, float]:
    """(text against box, box against what surrounds it), measured on the rendered pixels."""
    drawn, placement = draw_label(image, AI)
    rgb = drawn.convert("RGB")
    left, top, right, bottom = placement.box
    inner = rgb.crop((left + 6, top + 6, right - 6, bottom - 6))
    colours = sorted(inner.getcolors(maxcolors=1 << 16) or [], reverse=True)
    box_colour = colours[0][1]  # the most common colour inside is the box's fill
    # the text: the inner colour that differs most from the fill
    text_colour = max((c for _, c in colours), key=lambda c: contrast(c, box_colour))
    ring = image.convert("RGB").crop((max(0, left - 20), max(0, top - 20), left, top))
    mean = tuple(ImageStat.Stat(ring).mean)
    return contrast(text_colour, box_colour), contrast(box_colour, (mean[0], mean[1], mean[2]))


@pytest.mark.parametrize("background", [(255, 255, 255), (0, 0, 0), (128, 128, 128), (250, 220, 30),
                                        (20, 40, 160)])
def test_the_label_is_legible_on_any_background(background: tuple[int, int, int]) -> None:
    text, surround = _measured_contrasts(Image.new("RGB", (900, 600), background))
    assert text >= 7  # WCAG AAA between the letters and their box
    assert surround >= 4  # the box stands out from the picture under and around it


def test_a_light_picture_gets_a_dark_box_and_a_dark_picture_a_light_one() -> None:
    _, light = draw_label(Image.new("RGB", (600, 400), (245, 245, 245)), AI)
    _, dark = draw_label(Image.new("RGB", (600, 400), (10, 10, 10)), AI)
    assert (light.scheme, dark.scheme) == ("dark", "light")


def test_french_accents_are_drawn() -> None:
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(BADGE_FONT)).getBestCmap()
    for kind, words in HEADLINES.items():
        for lang, text in words.items():
            assert all(ord(c) in cmap for c in text), (kind, lang, text)
    image = Image.new("RGB", (900, 600), (128, 128, 128))

    def render(text: str) -> Image.Image:
        return draw_label(image, LabelSpec("generative", text, "selon ses Content Credentials"))[0].convert("RGB")

    french = render(HEADLINES["generative"]["fr"])  # "Généré par IA"
    assert ImageChops.difference(french, render("Genere par IA")).getbbox() is not None
    assert ImageChops.difference(french, render(f"G{MISSING}n{MISSING}r{MISSING} par IA")).getbbox() is not None
    verified = draw_label(image, LabelSpec("handmade", HEADLINES["handmade"]["fr"], "Zoë"))[0].convert("RGB")
    plain = draw_label(image, LabelSpec("handmade", "Fait a la main - verifie", "Zoë"))[0].convert("RGB")
    assert ImageChops.difference(verified, plain).getbbox() is not None


def test_every_ai_kind_has_one_design() -> None:
    """Same box height, same accent colour, same corner for every AI kind (and every generator: no name)."""
    image = Image.new("RGB", (1200, 800), (128, 128, 128))
    seen = set()
    for kind in ("generative", "ai_assisted", "possibly_generative"):
        drawn, placement = draw_label(image, LabelSpec(kind, HEADLINES[kind]["en"], "per its Content Credentials"))
        left, top, right, bottom = placement.box
        accent = drawn.convert("RGB").getpixel((left + 3, (top + bottom) // 2))
        seen.add((top, bottom, right, accent))
    assert len(seen) == 1
    handmade = draw_label(image, LabelSpec("handmade", HEADLINES["handmade"]["en"], "Jane Doe"))[0]
    box = draw_label(image, LabelSpec("handmade", HEADLINES["handmade"]["en"], "Jane Doe"))[1].box
    assert handmade.convert("RGB").getpixel((box[0] + 3, (box[1] + box[3]) // 2)) != next(iter(seen))[3]


def test_a_long_signer_name_is_drawn_smaller_inside_the_image() -> None:
    image = Image.new("RGB", (400, 300), (128, 128, 128))
    drawn, placement = draw_label(image, LabelSpec("handmade", HEADLINES["handmade"]["en"], "W" * 120))
    left, _, right, _ = ink_box(image, drawn)
    assert left >= 0 and right <= 400 and placement.box[2] <= 400


def test_a_sideways_stored_photo_gets_its_label_in_the_corner_a_viewer_sees() -> None:
    """EXIF orientation 6 (a portrait photo stored sideways): the label goes bottom-right of the upright
    picture, and the output is stored upright (orientation 1)."""
    import io

    from PIL import ImageOps

    from handmade.files import LoadedFile
    from handmade.label import draw_on_loaded

    stored = Image.new("RGB", (600, 400), (128, 128, 128))  # shown as 400 x 600 after rotation
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    stored.save(buf, "JPEG", quality=95, exif=exif.tobytes())
    out, placement = draw_on_loaded(LoadedFile("p.jpg", buf.getvalue(), "image/jpeg"), AI, corner="br")
    with Image.open(io.BytesIO(out.data)) as labelled:
        assert labelled.size == (400, 600) and labelled.getexif().get(0x0112, 1) == 1
        shown = ImageOps.exif_transpose(labelled) or labelled
        _, top, right, bottom = placement.box
        assert right > 300 and bottom > 500  # bottom-right of the picture as it is seen
        assert shown.size == (400, 600) and shown.convert("L").getpixel((right - 3, (top + bottom) // 2)) < 60
        assert shown.convert("L").getpixel((20, 20)) > 100  # and the top-left is still the picture
