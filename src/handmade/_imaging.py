"""Pillow and pyexiv2 for signing: the claim thumbnail, the fingerprint's decode, the badge, EXIF/XMP writing.

This module also owns Pillow's global decompression-bomb guard (``Image.MAX_IMAGE_PIXELS``): every part of
handmade that opens an image with Pillow (signing, ``files.too_many_pixels``, ``fingerprint``, ``label``) sets
it through ``decode_guard``, and nothing else assigns it, so its value does not depend on which of them ran
first in a process.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

from handmade import labels
from handmade.errors import InputError, SigningError
from handmade.files import LoadedFile, too_many_pixels
from handmade.fingerprint import Fingerprint
from handmade.messages import t

log = logging.getLogger(__name__)

THUMBNAIL_SIZE = 512
#: Pillow's decompression-bomb guard (``decode_guard``) and the most pixels signing decodes for the thumbnail and
#: the badge; signing itself never decodes pixels.
MAX_PIXELS = 250_000_000
_guard = MAX_PIXELS  # the highest limit asked of ``decode_guard`` in this process


def decode_guard(at_least: int = MAX_PIXELS) -> None:
    """Set Pillow's global decompression-bomb guard: the one place handmade assigns ``Image.MAX_IMAGE_PIXELS``.

    It is ``MAX_PIXELS``, or the highest ``at_least`` asked so far in this process (a service configured for
    bigger images than that): it is only ever raised, so a caller's limit is never undercut by another's.
    Pillow warns above the guard and refuses to open an image above twice the guard
    (``Image.DecompressionBombError``), so ``files.too_many_pixels`` reads any size up to a limit from the header.
    """
    global _guard
    from PIL import Image

    _guard = max(_guard, at_least)
    Image.MAX_IMAGE_PIXELS = _guard


def check_pixels(loaded: LoadedFile) -> None:
    """Refuse an image whose header announces more than ``MAX_PIXELS`` (nothing is decoded).

    Formats Pillow cannot read pass (c2pa-rs then makes no thumbnail for them either).
    Raises: InputError (``input.too_many_pixels``).
    """
    if (problem := too_many_pixels(loaded.data, MAX_PIXELS)) is not None:
        raise InputError(f"{loaded.path}: {problem}", code="input.too_many_pixels")


def make_thumbnail(loaded: LoadedFile) -> bytes | None:
    """A small JPEG claim thumbnail, made cheaply: JPEGs are decoded at reduced scale (``Image.draft``).

    Returns None when Pillow cannot decode the format (HEIC, DNG ...): the manifest then has no thumbnail.
    Raises: InputError (``input.too_many_pixels``) for a decompression bomb.
    """
    return thumbnail_and_fingerprint(loaded, fingerprint=False)[0]


def thumbnail_and_fingerprint(loaded: LoadedFile, *, thumbnail: bool = True,
                              fingerprint: bool = True) -> tuple[bytes | None, Fingerprint | None]:
    """The claim thumbnail and the picture's fingerprint from one decode (a 12 MP JPEG's decode, even at 1/8
    scale, is most of the cost of both: two decodes made the fingerprint cost 70 % of a signature).

    Either is None when not asked for, or when Pillow cannot decode the format (HEIC, DNG ...: the manifest
    then has no thumbnail, and no soft binding).
    Raises: InputError (``input.too_many_pixels``) for a decompression bomb.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    from handmade.fingerprint import draft, fingerprint_image

    decode_guard()
    try:
        with Image.open(io.BytesIO(loaded.data)) as im:
            im.decodermaxblock = max(im.decodermaxblock, len(loaded.data))  # one GIL-free decode call
            # Ask for the thumbnail's own box: libjpeg then decodes at 1/8 scale where it can, which is what makes
            # the thumbnail cheap (a square request would force 1/4 on a 3:2 photo); the fingerprint's lookups
            # decode the same way (``fingerprint.draft``).
            draft(im, THUMBNAIL_SIZE)
            im.load()
            upright = ImageOps.exif_transpose(im)  # the thumbnail shows the picture as viewers do
            fp = fingerprint_image(upright) if fingerprint else None
            if not thumbnail:
                return None, fp
            upright.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.BILINEAR, reducing_gap=2.0)
            rgb = upright.convert("RGB")
            out = io.BytesIO()
            rgb.save(out, "JPEG", quality=75, optimize=False)
            return out.getvalue(), fp
    except Image.DecompressionBombError as exc:
        raise InputError(f"{loaded.path}: too many pixels to process safely ({exc})",
                         code="input.too_many_pixels") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        log.info("no thumbnail or fingerprint for %s: %s", loaded.path, exc)
        return None, None


#: The badge's typeface: Lato Semibold, unmodified, under the SIL Open Font License 1.1 (fonts/OFL.txt). It
#: covers Latin-1 and Latin Extended-A; Pillow's built-in font has no "à" and drew "Fait ▯ la main".
BADGE_FONT = Path(__file__).resolve().parent / "fonts" / "Lato-Semibold.ttf"


def badge_font(size: int) -> Any:
    """The badge's font at ``size`` pixels (Pillow's built-in one, with a warning, if FreeType is missing)."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype(str(BADGE_FONT), size)
    except (OSError, ImportError) as exc:  # no FreeType in this Pillow, or the file is missing
        log.warning("badge font %s unusable (%s): Pillow's built-in font has no accented letters", BADGE_FONT, exc)
        try:
            return ImageFont.load_default(size=size)
        except TypeError:
            return ImageFont.load_default()


def stamp_badge(loaded: LoadedFile, lang: str = "en", *, text: str | None = None) -> LoadedFile:
    """Draw the "Made by hand" / "Fait à la main" mark in the bottom-right corner (re-encodes pixels).

    Drawn by the label renderer (``handmade.label.draw_label``: one way to draw a label), as the signer's own
    mark: it says "Made by hand", not "verified" (``handmade label`` draws that one from a verified history).
    ``text`` replaces the label (tests compare renderings with it).
    Raises: InputError (undecodable image, decompression bomb, image too small for a legible mark).
    """
    from handmade.label import LabelSpec, draw_on_loaded

    text = text if text is not None else t("handmade", lang)
    return draw_on_loaded(loaded, LabelSpec("badge", text), corner="br")[0]


_METADATA_FORMATS = {"image/jpeg", "image/png", "image/webp", "image/tiff"}
#: Formats that get EXIF/XMP written (``write_plain_metadata``); others carry the manifest only.
METADATA_FORMATS = frozenset(_METADATA_FORMATS)
_ASCII_SUBSTITUTES = {"©": "(c)", "®": "(R)", "™": "(TM)", "‘": "'", "’": "'", "“": '"', "”": '"', "–": "-",
                      "—": "-", "…": "...", "\u00a0": " ", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                      "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"}


def exif_ascii(text: str) -> str:
    """``text`` as EXIF ASCII tags (Artist, Copyright) allow: 7-bit ASCII (EXIF 2.32 §4.6.2, type ASCII).

    ``©`` becomes ``(c)``, accents are dropped (``Zoë`` -> ``Zoe``), other characters become ``?``; the exact
    text is in XMP ``dc:creator``/``dc:rights`` (UTF-8), which readers prefer. Writing UTF-8 into an ASCII
    tag, as before, made Pillow and others read ``©`` as ``Â©``.
    """
    import unicodedata

    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
        elif ch in _ASCII_SUBSTITUTES:
            out.append(_ASCII_SUBSTITUTES[ch])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if c.isascii())
            out.append(base or "?")
    return "".join(out)


def write_plain_metadata(loaded: LoadedFile, *, author: str | None, rights: str | None, training: str,
                         ai_license: str | None, source_type: str | None) -> LoadedFile:
    """Write authorship, source type and the data-mining refusal as EXIF and XMP, without re-encoding.

    ``training`` is a key of ``labels.TRAINING_CHOICES``; ``source_type`` (an IPTC digital source type name) is
    None for a file that keeps a parent (its own history says where it comes from).

    Formats outside JPEG/PNG/WebP/TIFF are returned unchanged (the C2PA manifest still says it all).
    Raises: SigningError (``sign.metadata``) if the metadata library rejects the file.
    """
    if loaded.mime not in _METADATA_FORMATS:
        log.info("%s: no EXIF/XMP written for %s (the C2PA manifest still carries the author, rights and "
                    "AI-training choice)", loaded.path, loaded.mime)
        return loaded
    import pyexiv2

    xmp: dict[str, Any] = {
        "Xmp.plus.DataMining": "http://ns.useplus.org/ldf/vocab/" + labels.PLUS_DATA_MINING[training],
    }
    if training == "licensed":  # PLUS: DMI-PROHIBITED-SEECONSTRAINT points at Other Constraints
        xmp["Xmp.plus.OtherConstraints"] = {
            'lang="x-default"': f"AI training and data mining only under licence: {ai_license}"}
    if source_type is not None:
        xmp["Xmp.iptcExt.DigitalSourceType"] = labels.iptc_uri(source_type)
    exif: dict[str, Any] = {}
    if author:
        xmp["Xmp.dc.creator"] = [author]
        exif["Exif.Image.Artist"] = exif_ascii(author)
    if rights is not None:
        xmp["Xmp.dc.rights"] = {'lang="x-default"': rights}
        exif["Exif.Image.Copyright"] = exif_ascii(rights)
    try:
        with pyexiv2.ImageData(loaded.data) as img:
            img.modify_xmp(xmp)
            if exif:
                img.modify_exif(exif)
            data = img.get_bytes()
    except (RuntimeError, ValueError, OSError) as exc:
        raise SigningError(f"{loaded.path}: cannot write EXIF/XMP metadata ({exc})", code="sign.metadata",
                           hint="Use --no-metadata to sign without writing plain metadata.") from exc
    return LoadedFile(path=loaded.path, data=bytes(data), mime=loaded.mime)


def picture_fingerprint(loaded: LoadedFile) -> Fingerprint | None:
    """The fingerprint to sign for ``loaded``, or None when Pillow cannot decode it (HEIC without its plugin, a
    camera DNG...): the file is then signed without a soft binding, as films, SVG and PDF are.

    Raises: InputError (``input.too_many_pixels``) for a decompression bomb.
    """
    from handmade.fingerprint import fingerprint

    try:
        return fingerprint(loaded.data, loaded.mime, loaded.path)
    except InputError as exc:
        if exc.code != "fingerprint.undecodable":
            raise
        log.info("%s: signed without a soft binding: %s", loaded.path, exc.message)
        return None

