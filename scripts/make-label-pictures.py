"""Draw the README's pictures of every label (docs/labels/*.png) with the label renderer itself.

    PYTHONPATH=src python scripts/make-label-pictures.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageFilter

from handmade.label import HEADLINES, LabelSpec, draw_label

OUT = Path(__file__).resolve().parents[1] / "docs" / "labels"
SUBLINES = {"handmade": {"en": "Jane Doe · certified by Collectif des illustrateurs",
                         "fr": "Jane Doe · certifié par Collectif des illustrateurs"},
            "ai": {"en": "per its Content Credentials", "fr": "selon ses Content Credentials"}}


def backdrop(size: tuple[int, int]) -> Image.Image:
    """A photographic-like backdrop: a gradient under soft noise (light at the top, darker below)."""
    base = Image.linear_gradient("L").rotate(90).resize(size).convert("RGB")
    noise = Image.effect_noise(size, 40).convert("RGB")
    return Image.blend(base, noise, 0.35).filter(ImageFilter.GaussianBlur(2))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    image = backdrop((900, 600))
    for kind in ("handmade", "generative", "ai_assisted", "possibly_generative", "badge"):
        for lang in ("en", "fr"):
            sub = None if kind == "badge" else SUBLINES["handmade" if kind == "handmade" else "ai"][lang]
            drawn, placement = draw_label(image, LabelSpec(kind, HEADLINES[kind][lang], sub), corner="br", size=0.08)
            left, top = placement.box[:2]
            crop = drawn.convert("RGB").crop((max(0, left - 40), max(0, top - 30), 900, 600))
            crop.save(OUT / f"{kind}-{lang}.png", optimize=True)


if __name__ == "__main__":
    main()
