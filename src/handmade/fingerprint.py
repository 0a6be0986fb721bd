"""A perceptual fingerprint of a picture, written at signing as a C2PA soft binding (C2PA 2.2 §9.3).

The algorithm is the ISCC Content-Code Image (ISO 24138, ``io.iscc.v0`` in the C2PA soft-binding algorithm
list), computed offline by ``iscc-core``: a 64-bit DCT hash of the picture brought to 32x32 grey levels.
Pictures are normalised as iscc-core prescribes: EXIF orientation applied, transparency laid on white,
uniform borders cropped, grey levels, 32x32 (bicubic). The assertion's block value is the ISCC code as
iscc-core writes it (``ISCC:EEA...``, self-describing); the registry compares the 64 bits of its body
by Hamming distance.

Only raster pictures get a fingerprint: films, SVG and PDF do not (``fingerprint`` returns None for them).
A JPEG is decoded at reduced scale (``Image.draft``, as for the claim thumbnail, whose decode signing shares):
the fingerprint looks at 32x32 grey levels, so a 1/8-scale decode of a 12 MP photograph gives the same bits as
a full one, for a fraction of the time.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from handmade.errors import InputError

T = TypeVar("T")

__all__ = ["ALG", "BITS", "DEFAULT_THRESHOLD", "LABEL", "MIN_RESEMBLANCE", "Fingerprint", "Look", "body", "distance",
           "fingerprint", "fingerprint_image", "look", "look_image", "resemblance", "soft_binding_assertion",
           "soft_bindings"]

#: The soft binding assertion's label and the algorithm's name in the C2PA soft-binding algorithm list.
LABEL = "c2pa.soft-binding"
ALG = "io.iscc.v0"
BITS = 64
#: Candidates farther than this many bits (of 64) are not offered (see README, "Copies without credentials":
#: recall and false matches at this threshold are measured by bench/registry.py).
DEFAULT_THRESHOLD = 10
#: A candidate whose claim thumbnail correlates less than this with the copy (grey levels at 64x64, the whole
#: picture or its borders trimmed, whichever agrees better) is not offered. Measured over 227 photographs
#: (bench/registry.py): the same picture re-encoded, halved, screenshot or brightened correlated at 0.97 or
#: more; the unrelated pictures that fell within the fingerprint's threshold, at most 0.67 (a stereo pair's
#: other view). Higher costs crops (36.6 % found at 0.75, 27.8 % at 0.80). README, "Copies without credentials".
MIN_RESEMBLANCE = 0.75

_SIDE = 32
#: The side of the grey levels ``resemblance`` compares (box filter): twice the fingerprint's, so that pixels
#: tell apart pictures whose 32x32 layout agrees (measured in bench/registry.py).
_LEVELS_SIDE = 64
#: A JPEG is decoded at the smallest DCT scale that still gives this long edge: the signer's claim thumbnail
#: size, so that signing takes the fingerprint from the thumbnail's decode and a lookup sees the same pixels.
DRAFT_EDGE = 512


@dataclass(frozen=True)
class Fingerprint:
    """An ISCC image code (``ISCC:EEA...``) and the 64 bits of its body (an unsigned integer)."""

    code: str
    bits: int

    @property
    def alg(self) -> str:
        return ALG


def body(code: str) -> int:
    """The 64-bit body of an ISCC Content-Code Image, decoded with iscc-core's codec.

    Raises: InputError (``fingerprint.bad_value``) for anything that is not a 64-bit ISCC image code.
    """
    import iscc_core as ic

    text = code.strip()
    try:
        clean = ic.iscc_clean(text)
        mtype, stype, _version, length, digest = ic.iscc_decode(clean)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise InputError(f"'{text[:80]}' is not an ISCC code ({exc})", code="fingerprint.bad_value",
                         hint="Give an ISCC image code such as ISCC:EEA4GQZQTY6J5DTH.") from exc
    if mtype != ic.MT.CONTENT or stype != ic.ST_CC.IMAGE or len(digest) * 8 != BITS:
        raise InputError(f"'{text[:80]}' is not a 64-bit ISCC image code", code="fingerprint.bad_value",
                         hint="Give an ISCC image code such as ISCC:EEA4GQZQTY6J5DTH.")
    del length
    return int.from_bytes(digest, "big")


def distance(a: int, b: int) -> int:
    """Hamming distance between two 64-bit fingerprints."""
    return (a ^ b).bit_count()


def _whole(im: Any) -> Any:
    """A Pillow image as grey levels: EXIF orientation applied, transparency laid on white."""
    from PIL import Image, ImageOps

    im = ImageOps.exif_transpose(im)
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, rgba).convert("RGB")
    return im.convert("L")


def _trim(grey: Any) -> Any:
    """``grey`` with uniform borders cropped (as iscc-sdk does): what iscc-core's image code expects."""
    from PIL import Image, ImageChops

    background = Image.new("L", grey.size, grey.getpixel((0, 0)))
    box = ImageChops.difference(grey, background).point(lambda v: 255 if v > 12 else 0).getbbox()
    if box and (box[2] - box[0]) * (box[3] - box[1]) >= grey.width * grey.height // 4:
        grey = grey.crop(box)
    return grey


def _grey(im: Any) -> Any:
    """A Pillow image brought to grey levels as iscc-core's image code expects: EXIF orientation applied,
    transparency laid on white, uniform borders cropped (as iscc-sdk does)."""
    return _trim(_whole(im))


def _normalise(grey: Any) -> list[int]:
    """1024 grey levels (32x32, bicubic) of a picture brought to grey by ``_grey``: the image code's input."""
    from PIL import Image

    return list(grey.resize((_SIDE, _SIDE), Image.Resampling.BICUBIC).tobytes())


@dataclass(frozen=True)
class Look:
    """What a lookup needs of a picture, from one decode: its fingerprint, and its grey levels at 64x64 (box
    filter; mean removed, unit norm) for ``resemblance`` with a registered original's claim thumbnail: of the
    whole picture (``levels``), and with uniform borders trimmed as for the fingerprint (``trimmed``: a copy
    framed by a screenshot or a letterbox lines up again). The whole picture is the steadier of the two: where
    a corner fades into the picture (a sky's gradient), the place where the trim cuts moves with the decoding
    scale."""

    fingerprint: Fingerprint
    levels: tuple[float, ...]
    trimmed: tuple[float, ...]


def _levels(grey: Any) -> tuple[float, ...]:
    import numpy as np
    from PIL import Image

    a = np.asarray(grey.resize((_LEVELS_SIDE, _LEVELS_SIDE), Image.Resampling.BOX), dtype=np.float64)
    a -= a.mean()
    norm = float(np.linalg.norm(a))
    return tuple((a / norm).ravel().tolist()) if norm else tuple(a.ravel().tolist())


def resemblance(a: Look, b: Look) -> float:
    """How alike two pictures look (-1 to 1): the correlation of their grey levels, of the whole pictures or of
    the trimmed ones, whichever is higher. 1 for the same picture, whatever its size, encoding or brightness; a
    flat picture (no levels) resembles nothing (0)."""
    import numpy as np

    return max(float(np.dot(np.asarray(a.levels), np.asarray(b.levels))),
               float(np.dot(np.asarray(a.trimmed), np.asarray(b.trimmed))))


def draft(im: Any, long_edge: int = DRAFT_EDGE) -> None:
    """Ask libjpeg for the smallest DCT scale of a JPEG that keeps ``long_edge`` (others are left alone)."""
    if im.format == "JPEG":
        scale = long_edge / max(im.size)
        im.draft("RGB", (max(1, int(im.width * scale)), max(1, int(im.height * scale))))


def fingerprint_image(im: Any) -> Fingerprint:
    """The fingerprint of a decoded Pillow image."""
    return _code(_normalise(_grey(im)))


def _code(pixels: list[int]) -> Fingerprint:
    import iscc_core as ic

    code = str(ic.gen_image_code_v0(pixels, bits=BITS)["iscc"])
    return Fingerprint(code, body(code))


def look_image(im: Any) -> Look:
    """The fingerprint and resemblance levels of a decoded Pillow image (one normalisation serves both)."""
    whole = _whole(im)
    grey = _trim(whole)
    levels = _levels(whole)
    return Look(_code(_normalise(grey)), levels, levels if grey is whole else _levels(grey))  # no border: the same


def fingerprint(data: bytes, mime: str | None = None, name: str = "<image>") -> Fingerprint | None:
    """The fingerprint of an encoded picture; None for formats that are not pictures (films, SVG, PDF).

    Raises: InputError (``fingerprint.undecodable``) when Pillow cannot decode the picture,
    (``input.too_many_pixels``) for a decompression bomb.
    """
    return _decoded(data, mime, name, fingerprint_image)


def look(data: bytes, mime: str | None = None, name: str = "<image>") -> Look | None:
    """``fingerprint`` and the resemblance levels of an encoded picture, from one decode; None for formats that
    are not pictures. Raises as ``fingerprint``."""
    return _decoded(data, mime, name, look_image)


def _decoded(data: bytes, mime: str | None, name: str, what: Callable[[Any], T]) -> T | None:
    """``what`` of the decoded picture (a JPEG at reduced scale, ``draft``); None for formats that are not
    pictures. Raises as ``fingerprint``."""
    from PIL import Image, UnidentifiedImageError

    from handmade._imaging import decode_guard
    from handmade.files import NOT_RASTER

    if mime in NOT_RASTER:
        return None

    decode_guard()
    try:
        with Image.open(io.BytesIO(data)) as im:
            draft(im)
            return what(im)
    except Image.DecompressionBombError as exc:
        raise InputError(f"{name}: too many pixels to process safely ({exc})", code="input.too_many_pixels") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise InputError(f"{name}: the picture cannot be decoded for its fingerprint ({str(exc)[:200]})",
                         code="fingerprint.undecodable",
                         hint="Sign with --no-soft-binding, or give a JPEG, PNG, WebP, TIFF or GIF.") from exc


def soft_binding_assertion(fp: Fingerprint) -> dict[str, Any]:
    """The ``c2pa.soft-binding`` assertion carrying ``fp`` for the whole picture (an empty scope)."""
    return {"label": LABEL, "data": {"alg": ALG, "blocks": [{"scope": {}, "value": fp.code}], "pad": [0]}}


def soft_bindings(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """(alg, value) of every block of the soft-binding assertions of one manifest (as c2pa-rs's JSON gives it)."""
    out: list[tuple[str, str]] = []
    for assertion in manifest.get("assertions") or []:
        if not isinstance(assertion, dict) or str(assertion.get("label", "")).split("__")[0] != LABEL:
            continue
        data = assertion.get("data")
        if not isinstance(data, dict) or not isinstance(data.get("alg"), str):
            continue
        for block in data.get("blocks") or []:
            if isinstance(block, dict) and isinstance(block.get("value"), str):
                out.append((data["alg"], block["value"]))
    return out
