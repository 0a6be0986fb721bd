"""Sign an image as human-made, without ever laundering AI, and prove the result before writing it.

What a signed file carries (C2PA 2.1 manifest, through c2pa-rs only):
- ``c2pa.actions.v2``: ``c2pa.created`` with the IPTC digital source type of ``--made-with`` for a file
  with no manifest, or ``c2pa.opened`` (naming the kept parent) + ``c2pa.edited`` for a file that has one;
  ``allActionsIncluded: true`` and a ``humanEdits`` template for every action (the "handmade" shape
  Adobe's SDK checks with ``isHandmade``);
- ``cawg.metadata`` with ``dc:creator`` and ``dc:rights`` (CAWG metadata; not ``c2pa.metadata``, whose
  allow-list excludes ``dc:creator``, nor the deprecated schema.org CreativeWork);
- the training-and-data-mining assertion under both ``cawg.training-mining`` and the legacy
  ``c2pa.training-mining``, every use ``notAllowed`` unless the author allows it;
- the existing manifest, if any, as the ``parentOf`` ingredient.
The same facts are written where non-C2PA readers look (EXIF Artist/Copyright, XMP IPTC
DigitalSourceType, PLUS DataMining), before signing, without re-encoding pixels.

c2pa-rs does not stop laundering (it drops an old manifest when asked to "create"), so the input is read
first and signing is refused when its own history, or its unsigned metadata, shows a generative step.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import os
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from glob import escape as glob_escape
from pathlib import Path
from typing import Any, BinaryIO, cast

from handmade import __version__, _c2pa, labels
from handmade._background import Background
from handmade.errors import HandmadeError, InputError, SigningError
from handmade.files import (
    DEFAULT_MAX_BYTES,
    FORMAT_NAMES,
    NOT_RASTER,
    SIGNABLE_SUFFIXES,
    FileData,
    LoadedFile,
    StagedWrite,
    jxl_container,
    load_input,
    loaded_from_bytes,
    output_error,
    too_many_pixels,
)
from handmade.fingerprint import Fingerprint, soft_binding_assertion
from handmade.keys import SigningIdentity, bundled_test_identity
from handmade.messages import t as _t
from handmade.models import ProvenanceReport, SignResult
from handmade.verify import TrustAnchors, inspect_loaded
from handmade.workers import Failure, failure_error
from handmade.workers import run as run_workers

log = logging.getLogger(__name__)

PARENT_LABEL = "parent"
THUMBNAIL_SIZE = 512
#: Pillow refuses to decode images above this many pixels (decompression-bomb guard for the thumbnail
#: and the badge); signing itself never decodes pixels.
MAX_PIXELS = 250_000_000

TEST_IDENTITY_WARNING = _t("warn.test_identity")  # the English of the catalog's entry


class TestIdentityWarning(UserWarning):
    """Issued (Python ``warnings``) when a library call signs with the bundled public TEST identity."""

    __test__ = False  # not a test class for pytest


def _warn_test_identity(identity: SigningIdentity, stacklevel: int = 3) -> None:
    if identity.is_test_identity:
        import warnings

        warnings.warn(TEST_IDENTITY_WARNING, TestIdentityWarning, stacklevel=stacklevel)


@dataclass(frozen=True)
class SignOptions:
    """What to assert when signing. ``made_with`` is a key of ``labels.MADE_WITH``."""

    author: str | None = None
    made_with: str = "camera"
    allow_ai_training: bool = False
    rights: str | None = None
    #: ``not-allowed`` | ``allowed`` | ``licensed`` (None: ``allowed`` if ``allow_ai_training``, else not).
    ai_training: str | None = None
    #: Where an AI-training licence can be obtained (a URL or a contact); required by ``licensed``.
    ai_license: str | None = None
    tsa_url: str | None = None
    badge: bool = False
    lang: str = "en"
    thumbnail: bool = True
    write_metadata: bool = True
    #: Write the picture's perceptual fingerprint as a ``c2pa.soft-binding`` assertion (``io.iscc.v0``), so that a
    #: copy that lost its manifest can be matched in a registry (``handmade.fingerprint``); pictures only.
    soft_binding: bool = True

    @property
    def training(self) -> str:
        """The AI-training choice: ``not-allowed``, ``allowed`` or ``licensed``."""
        return self.ai_training or ("allowed" if self.allow_ai_training else "not-allowed")


def check_training(options: SignOptions) -> None:
    """Refuse an AI-training choice that cannot be written. Raises: SigningError (``sign.ai_training``)."""
    if options.training not in labels.TRAINING_CHOICES:
        raise SigningError(f"unknown AI-training choice '{options.training}'", code="sign.ai_training",
                           hint="One of: " + ", ".join(labels.TRAINING_CHOICES))
    if options.training == "licensed" and not (options.ai_license or "").strip():
        raise SigningError("'licensed' AI training needs --ai-license: where a licence can be obtained",
                           code="sign.ai_training", hint="Give a URL or a contact, e.g. --ai-license "
                                                         "https://example.org/licensing")
    if options.ai_license and options.training != "licensed":
        raise SigningError("--ai-license is only written with --ai-training licensed", code="sign.ai_training")
    if options.allow_ai_training and options.ai_training not in (None, "allowed"):
        raise SigningError(f"--allow-ai-training contradicts --ai-training {options.ai_training}",
                           code="sign.ai_training")


#: Findings that say part of the history could not be examined (beyond an unvouched-for origin).
_UNEXAMINED = {"lineage.truncated", "lineage.cycle", "lineage.manifest_missing", "lineage.redacted",
               "lineage.unknown_source_type", "lineage.no_active"}


def _refuse_generative(report: ProvenanceReport) -> None:
    """Refuse inputs whose history cannot honestly be called human-made. Raises: SigningError."""
    if report.error is not None:
        raise SigningError(
            f"{report.path}: its existing Content Credentials cannot be read ({report.error.message}), so "
            "handmade cannot check that its history has no AI step", code="sign.unreadable_history",
            hint="Ask the sender for a file whose Content Credentials can be read.")
    if report.ai in ("generative", "ai_assisted"):
        steps = "; ".join(
            f"{s.action or s.kind} ({s.reason})" for s in report.generative_steps[:3]) or "a generative step"
        raise SigningError(
            f"{report.path}: refused: its own history contains generative AI ({steps}). handmade never labels "
            "AI-made or AI-assisted images as made by hand", code="sign.generative_history",
            hint="Only images whose whole history is human-made can be signed.")
    if report.state == "invalid":
        # A history that does not validate is not evidence of anything: whatever it says about AI could
        # have been written by anyone after the fact.
        why = "; ".join(dict.fromkeys(f.message.rstrip(".") for f in report.findings if f.severity == "error"))
        raise SigningError(
            f"{report.path}: refused: its existing Content Credentials do not validate ({why[:400] or 'invalid'}), "
            "so its history proves nothing and cannot be carried forward as human-made",
            code="sign.broken_history", hint="Sign the original file, or one whose Content Credentials validate.")
    if report.ai == "possibly_generative":
        steps = "; ".join(f"{s.action or s.kind} ({s.reason})" for s in report.possibly_generative_steps[:3])
        raise SigningError(
            f"{report.path}: refused: its history has a step that may contain generative AI "
            f"({steps or 'see the report'})",
            code="sign.possibly_generative_history",
            hint="Only images whose whole history is human-made can be signed.")
    unexamined = [f for f in report.findings if f.code in _UNEXAMINED]
    if report.ai == "unknown" and report.state != "no_manifest" and (
            unexamined or report.provenance != "unknown_origin"):
        why = "; ".join(f.message.rstrip(".") for f in unexamined[:2]) or (
            "its history uses a digital source type handmade does not know")
        raise SigningError(
            f"{report.path}: refused: part of its history cannot be examined ({why}), so it cannot be shown to "
            "be free of AI", code="sign.unknown_history")
    if report.hints_suggest == "generative":
        hint = next(h for h in report.hints if h.signal == "generative")
        raise SigningError(
            f"{report.path}: refused: its metadata says it was made with AI ({hint.field}: {hint.value[:80]})",
            code="sign.generative_hint", hint="handmade never labels AI-made images as made by hand.")


def _actions(parent: bool, options: SignOptions, source_type: str, claim_origin: bool = False) -> dict[str, Any]:
    agent = {"name": "handmade", "version": __version__}
    actions: list[dict[str, Any]]
    if parent:
        # C2PA 2.1 §18.15.4.1: the first action is c2pa.opened naming the parent ingredient.
        opened: dict[str, Any] = {"action": "c2pa.opened", "softwareAgent": agent,
                                  "parameters": {"ingredientIds": [PARENT_LABEL]}}
        if claim_origin:
            # The parent's own base has no Content Credentials (an unsigned RAW under a Lightroom export):
            # the signer states its origin here, as theirs (a source type on c2pa.opened says what was
            # opened; the conformance rubric's evaluator reads a flat ingredient's origin the same way).
            opened["digitalSourceType"] = labels.iptc_uri(source_type)
            opened["description"] = ("The signer states the origin of the part of this history that has no "
                                     f"Content Credentials: {labels.SOURCE_TYPES[source_type.lower()].en}")
        actions = [
            opened,
            {"action": "c2pa.edited", "softwareAgent": agent,
             "digitalSourceType": labels.iptc_uri("humanEdits"),
             "description": "Signed as human-made; authorship and AI-training preferences added"},
        ]
    else:
        actions = [{"action": "c2pa.created", "softwareAgent": agent,
                    "digitalSourceType": labels.iptc_uri(source_type)}]
    if options.badge:
        actions.append({"action": "c2pa.edited", "softwareAgent": agent,
                        "digitalSourceType": labels.iptc_uri("humanEdits"),
                        "description": f"Visible label \"{labels.HANDMADE_LABEL[options.lang]}\" added"})
    return {
        "label": "c2pa.actions.v2",
        "data": {
            "actions": actions,
            "allActionsIncluded": True,
            "templates": [{"action": "*", "digitalSourceType": labels.iptc_uri("humanEdits")}],
        },
    }


def _rights(options: SignOptions) -> str | None:
    if options.rights:
        return options.rights
    if not options.author:
        return None
    year = dt.date.today().year
    suffix = {"allowed": "",
              "licensed": f" AI training and text and data mining only under licence: {options.ai_license}."
              }.get(options.training, " No AI training or text and data mining without permission.")
    return f"© {year} {options.author}. All rights reserved.{suffix}"


def build_manifest(title: str, options: SignOptions, *, parent: bool, claim_origin: bool = False,
                   fingerprint: Fingerprint | None = None) -> dict[str, Any]:
    """The manifest definition handmade signs (see the module docstring); ``fingerprint`` adds the
    ``c2pa.soft-binding`` assertion. Raises: SigningError."""
    if options.made_with not in labels.MADE_WITH:
        raise SigningError(f"unknown --made-with '{options.made_with}'", code="sign.made_with",
                           hint="One of: " + ", ".join(labels.MADE_WITH))
    check_training(options)
    source_type = labels.MADE_WITH[options.made_with]
    assertions: list[dict[str, Any]] = [_actions(parent, options, source_type, claim_origin)]
    metadata: dict[str, Any] = {
        "@context": {"dc": "http://purl.org/dc/elements/1.1/",
                     "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"},
    }
    if options.author:
        metadata["dc:creator"] = [options.author]
    if (rights := _rights(options)) is not None:
        metadata["dc:rights"] = rights
    if not parent:
        metadata["Iptc4xmpExt:DigitalSourceType"] = labels.iptc_uri(source_type)
    if len(metadata) > 1:
        assertions.append({"label": "cawg.metadata", "kind": "Json", "data": metadata})
    for label in labels.TRAINING_LABELS:
        assertions.append(labels.training_assertion(label, use=labels.TRAINING_CHOICES[options.training],
                                                    constraint_info=options.ai_license))
    if fingerprint is not None:
        assertions.append(soft_binding_assertion(fingerprint))
    return {
        "claim_generator_info": [{"name": "handmade", "version": __version__}],
        "title": title[:200],
        "assertions": assertions,
    }


def _decode_guard() -> None:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def check_pixels(loaded: LoadedFile) -> None:
    """Refuse an image whose header announces more than ``MAX_PIXELS`` (nothing is decoded).

    Formats Pillow cannot read pass (c2pa-rs then makes no thumbnail for them either).
    Raises: InputError (``input.too_many_pixels``).
    """
    _decode_guard()
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
    from PIL import Image, UnidentifiedImageError

    from handmade.fingerprint import draft, fingerprint_image

    _decode_guard()
    try:
        with Image.open(io.BytesIO(loaded.data)) as im:
            im.decodermaxblock = max(im.decodermaxblock, len(loaded.data))  # one GIL-free decode call
            # Ask for the thumbnail's own box: libjpeg then decodes at 1/8 scale where it can, which is what makes
            # the thumbnail cheap (a square request would force 1/4 on a 3:2 photo); the fingerprint's lookups
            # decode the same way (``fingerprint.draft``).
            draft(im, THUMBNAIL_SIZE)
            im.load()
            fp = fingerprint_image(im) if fingerprint else None
            if not thumbnail:
                return None, fp
            im.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.BILINEAR, reducing_gap=2.0)
            rgb = im.convert("RGB")
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

    text = text if text is not None else labels.HANDMADE_LABEL.get(lang, labels.HANDMADE_LABEL["en"])
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


def write_plain_metadata(loaded: LoadedFile, options: SignOptions, *, parent: bool) -> LoadedFile:
    """Write authorship, source type and the data-mining refusal as EXIF and XMP, without re-encoding.

    Formats outside JPEG/PNG/WebP/TIFF are returned unchanged (the C2PA manifest still says it all).
    Raises: SigningError (``sign.metadata``) if the metadata library rejects the file.
    """
    if loaded.mime not in _METADATA_FORMATS:
        log.info("%s: no EXIF/XMP written for %s (the C2PA manifest still carries the author, rights and "
                    "AI-training choice)", loaded.path, loaded.mime)
        return loaded
    import pyexiv2

    xmp: dict[str, Any] = {
        "Xmp.plus.DataMining": "http://ns.useplus.org/ldf/vocab/" + labels.PLUS_DATA_MINING[options.training],
    }
    if options.training == "licensed":  # PLUS: DMI-PROHIBITED-SEECONSTRAINT points at Other Constraints
        xmp["Xmp.plus.OtherConstraints"] = {
            'lang="x-default"': f"AI training and data mining only under licence: {options.ai_license}"}
    if not parent:
        xmp["Xmp.iptcExt.DigitalSourceType"] = labels.iptc_uri(labels.MADE_WITH[options.made_with])
    exif: dict[str, Any] = {}
    if options.author:
        xmp["Xmp.dc.creator"] = [options.author]
        exif["Exif.Image.Artist"] = exif_ascii(options.author)
    if (rights := _rights(options)) is not None:
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


def _embed(loaded: LoadedFile, options: SignOptions, identity: SigningIdentity | None,
           out: BinaryIO | None = None) -> tuple[bytes, bool]:
    """Check the history, then write metadata and sign. Returns (signed bytes, parent kept); not yet checked.
    With ``out`` (a big film's staged output file) the signed asset is written there and b"" returned.

    Raises: as ``sign_loaded``.
    """
    if loaded.mime not in _c2pa.writable_mimes():
        raise SigningError(f"{loaded.path}: {loaded.mime} cannot carry an embedded C2PA manifest here",
                           code="sign.unsupported_format",
                           hint="Supported: " + ", ".join(sorted(_c2pa.writable_mimes())))
    if options.badge and loaded.mime in NOT_RASTER:
        raise SigningError(f"{loaded.path}: a visible badge is drawn on pictures only, not on "
                           f"{FORMAT_NAMES.get(loaded.mime, loaded.mime)}", code="sign.badge_format",
                           hint="Sign it without --badge: the Content Credentials do not need one.")
    identity = identity or bundled_test_identity()
    if loaded.mime == "image/jxl" and loaded.data.startswith(b"\xff\x0a"):
        # A bare codestream has no box for a manifest: it goes into the standard container, unchanged.
        loaded = LoadedFile(loaded.path, jxl_container(loaded.data), loaded.mime)
    # A JPEG thumbnail's decode is the slowest step and runs without the GIL (one decode call): it goes on
    # in a thread while the history is checked and the metadata written (pixels are the same before and
    # after; a badge changes them, so its thumbnail is made after it). Other formats get c2pa-rs's own
    # thumbnail, made while it signs.
    # The fingerprint comes from the same decode (at reduced scale) when the thumbnail is made here; else from its
    # own, in a thread too. A badge changes the pixels, so both are taken after it is drawn.
    wants_fp = options.soft_binding and loaded.mime not in NOT_RASTER
    early = (Background(thumbnail_and_fingerprint, loaded, fingerprint=wants_fp)
             if options.thumbnail and not options.badge and loaded.mime == "image/jpeg" else None)
    early_fp = (Background(picture_fingerprint, loaded)
                if wants_fp and not options.badge and early is None else None)
    try:
        before = inspect_loaded(loaded, trust=None, with_digest=False)  # the history check needs no digest
        _refuse_generative(before)
        parent = before.state != "no_manifest"
        work = stamp_badge(loaded, options.lang) if options.badge else loaded
        if options.write_metadata:
            work = write_plain_metadata(work, options, parent=parent)
        fp: Fingerprint | None = None
        thumbnail: bytes | None = None
        if early is not None:
            thumbnail, fp = early.result()
        elif early_fp is not None:
            fp = early_fp.result()
        elif wants_fp and options.thumbnail and work.mime == "image/jpeg":
            thumbnail, fp = thumbnail_and_fingerprint(work)
        elif wants_fp:
            fp = picture_fingerprint(work)
        manifest = build_manifest(Path(loaded.path).name, options, parent=parent,
                                  claim_origin=before.provenance == "unknown_origin", fingerprint=fp)
        ingredient = None
        if parent:
            ingredient = _c2pa.Ingredient(
                data=loaded.data, mime=loaded.mime,
                definition={"title": Path(loaded.path).name, "relationship": "parentOf", "label": PARENT_LABEL})
        engine = None
        if early is not None or (wants_fp and thumbnail is not None):
            pass  # made with the fingerprint
        elif options.thumbnail and work.mime == "image/jpeg":
            thumbnail = make_thumbnail(work)
        elif options.thumbnail and work.mime in NOT_RASTER:
            engine = THUMBNAIL_SIZE  # c2pa-rs makes one if it can (not for films, SVG or PDF here), else none
        elif options.thumbnail:  # PNG, WebP, TIFF...: c2pa-rs decodes them faster than Pillow (PNG 12 MP:
            check_pixels(work)   # 120 ms against 250 ms), once the header shows no decompression bomb
            engine = THUMBNAIL_SIZE
    finally:
        for pending in (early, early_fp):
            if pending is not None:
                pending.wait()  # a refusal never leaves a decode running behind it
    signed = _c2pa.sign_bytes(manifest, work.data, work.mime, identity, ingredient=ingredient,
                              thumbnail=thumbnail, engine_thumbnail=engine, tsa_url=options.tsa_url, out=out)
    return signed, parent


def _self_check(loaded: LoadedFile, signed: bytes, parent: bool, trust: TrustAnchors | None) -> ProvenanceReport:
    """Prove the result before anyone sees it: it must read back intact, well signed and human-made.

    Checked against the caller's anchors only, so the summary printed after signing is what a verifier
    with the same configuration will see (the test identity is not silently trusted).
    Raises: SigningError (``sign.self_check_failed``).
    """
    after = inspect_loaded(LoadedFile(loaded.path, signed, loaded.mime), trust=trust, with_hints=False)
    problems = []
    if after.state not in ("valid", "trusted"):
        problems.append(f"state {after.state}: " + " ".join(f.message for f in after.findings[:3]))
    if after.ai != "none_declared" or not after.human_authored:
        problems.append(f"reads back as ai={after.ai}, human_authored={after.human_authored}")
    if problems:
        raise SigningError(f"{loaded.path}: the signed result does not verify: " + " / ".join(problems),
                           code="sign.self_check_failed")
    return after


def sign_loaded(loaded: LoadedFile, options: SignOptions, identity: SigningIdentity | None = None,
                *, trust: TrustAnchors | None = None) -> tuple[bytes, ProvenanceReport, bool]:
    """Sign an image held in memory. Returns (signed bytes, report of re-reading them, parent kept).

    Raises: SigningError (refused history, unsupported format, signing or self-check failure),
    InputError (undecodable image for a badge, decompression bomb).
    """
    signed, parent = _embed(loaded, options, identity)
    return signed, _self_check(loaded, signed, parent, trust), parent


def sign_image(source: str | os.PathLike[str], output: str | os.PathLike[str], options: SignOptions | None = None,
               identity: SigningIdentity | None = None, *, overwrite: bool = False,
               trust: TrustAnchors | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
               in_place: bool = False) -> SignResult:
    """Sign one image file as human-made and write the result atomically to ``output``.

    The original is never modified unless ``in_place`` is true: an ``output`` that is the input (the same
    path, a symbolic or a hard link to it) is refused otherwise, whatever ``overwrite`` says. The result
    reaches the disk under a temporary name while it is re-verified, and is renamed into place only if that
    check passes (so even in place the original stays whole until then).
    Raises: InputError, SigningError (``output.is_input``, ``output.exists`` ...), KeyMaterialError (bundled
    test identity expired).
    """
    options = options or SignOptions()
    src, dest = Path(source), Path(output)
    if same_file(src, dest):
        if not in_place:
            raise SigningError(f"{dest}: is the input itself; signing would replace the original",
                               code="output.is_input",
                               hint="Choose another output, or pass --in-place to replace the original with "
                                    "its signed version.")
        overwrite = True
    if dest.exists() and not overwrite:
        raise SigningError(f"{dest}: already exists", code="output.exists",
                           hint="Choose another output name, or pass --overwrite (or --skip-existing).")
    loaded = load_input(src, max_bytes=max_bytes)
    identity = identity or bundled_test_identity()
    _warn_test_identity(identity)
    mode = _input_mode(src)
    staging: _StreamedOutput | Background[StagedWrite]
    if loaded.streamed:
        staging = _sign_streamed(loaded, dest, options, identity, overwrite=overwrite, mode=mode)
        signed, parent = staging.signed, staging.parent
    else:
        signed, parent = _embed(loaded, options, identity)
        staging = Background(StagedWrite, dest, signed, overwrite=overwrite, mode=mode)
    try:
        report = _self_check(loaded, signed, parent, trust)
    except BaseException:
        with contextlib.suppress(HandmadeError):
            staging.result().discard()
        raise
    staging.result().commit()
    return SignResult(source=str(src), output=str(dest), report=replace(report, path=str(dest)),
                      source_type=labels.MADE_WITH[options.made_with] if not parent else "humanEdits",
                      parent_kept=parent, bundled_test_identity=identity.is_test_identity, badge=options.badge)


@dataclass
class _StreamedOutput:
    """A big film signed straight into its staged output (read back through a file handle)."""

    staged: StagedWrite
    signed: bytes  # a FileData over the staged file
    parent: bool

    def result(self) -> StagedWrite:
        return self.staged


def _sign_streamed(loaded: LoadedFile, dest: Path, options: SignOptions, identity: SigningIdentity, *,
                   overwrite: bool, mode: int | None) -> _StreamedOutput:
    """Sign a big film without holding it: c2pa-rs reads the input and writes the staged output file."""
    log.debug("%s: %d MB film: signed and checked through file handles", loaded.path, len(loaded.data) // 1_000_000)
    parent: list[bool] = []

    def write(fh: BinaryIO) -> None:
        parent.append(_embed(loaded, options, identity, out=fh)[1])

    staged = StagedWrite(dest, b"", overwrite=overwrite, mode=mode, writer=write)
    assert staged.staged_path is not None
    return _StreamedOutput(staged, cast(bytes, FileData(staged.staged_path)), parent[0])


def _input_mode(src: Path) -> int | None:
    """The input's permission bits, which the signed output keeps (None if it cannot be read now)."""
    try:
        return src.stat().st_mode & 0o777
    except OSError:
        return None


def sign_bytes(data: bytes, name: str, options: SignOptions | None = None,
               identity: SigningIdentity | None = None) -> bytes:
    """Sign an image given as bytes; return the signed bytes. Raises: as ``sign_loaded``."""
    identity = identity or bundled_test_identity()
    _warn_test_identity(identity)
    signed, _, _ = sign_loaded(loaded_from_bytes(data, name), options or SignOptions(), identity)
    return signed


#: How much of a big film signing reads, in film sizes: the file's digest, c2pa-rs's signing pass and its read of
#: the output in the self-check; the progress bar's length (a test pins it).
FILM_SIGN_READS = 3


# --- batches -------------------------------------------------------------------------------------------
#: Names a folder walk offers for signing (one table, in ``handmade.files``).
IMAGE_SUFFIXES = SIGNABLE_SUFFIXES


@dataclass(frozen=True)
class BatchItem:
    """The outcome for one file of a batch: a result or an error, never both."""

    source: str
    output: str
    result: SignResult | None = None
    error_code: str | None = None
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None


@dataclass(frozen=True)
class BatchResult:
    items: tuple[BatchItem, ...] = field(default_factory=tuple)
    skipped: tuple[Skipped, ...] = ()

    @property
    def succeeded(self) -> tuple[BatchItem, ...]:
        return tuple(i for i in self.items if i.ok)

    @property
    def failed(self) -> tuple[BatchItem, ...]:
        return tuple(i for i in self.items if not i.ok)


#: Why a file found in an input folder is not signed (``Skipped.reason``).
SKIP_REASONS = ("not_image", "raw", "sidecar", "hidden", "output_folder", "exists", "duplicate")
_SIDECARS = {".xmp", ".xml", ".txt", ".json", ".pp3", ".dop", ".cos", ".cof", ".on1", ".aae"}
_RAW = {".nef", ".nrw", ".cr2", ".cr3", ".crw", ".arw", ".srf", ".sr2", ".raf", ".orf", ".rw2", ".pef", ".srw",
        ".x3f", ".3fr", ".iiq", ".erf", ".mrw", ".kdc", ".dcr", ".rwl"}


@dataclass(frozen=True)
class Skipped:
    """A file (or folder) a batch does not sign, and why: ``reason`` is one of ``SKIP_REASONS``."""

    path: str
    reason: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason, "message": self.message}


@dataclass(frozen=True)
class SignPlan:
    """What a batch will do: the (source, destination) pairs to sign, and what it leaves out."""

    pairs: tuple[tuple[Path, Path], ...]
    skipped: tuple[Skipped, ...] = ()


def _skip_reason(f: Path) -> tuple[str, str] | None:
    """Why a file met in a folder walk is not signed, or None to sign it."""
    suffix = f.suffix.lower()
    if f.name.startswith("."):
        return "hidden", "hidden file"
    if suffix in IMAGE_SUFFIXES:
        return None
    if suffix in _RAW:
        return "raw", (f"camera raw ({f.suffix}): C2PA cannot be embedded in it; sign the exported "
                       "JPEG/TIFF/DNG instead")
    if suffix in _SIDECARS:
        return "sidecar", f"sidecar or text file ({f.suffix}), not an image"
    return "not_image", f"{f.suffix or 'no extension'}: not an image format handmade signs"


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name one file: the same path once links are resolved, or a hard link."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def _walk(folder: Path, out: Path, skipped: list[Skipped]) -> Iterator[Path]:
    """Files under ``folder``, sorted, never descending into the output folder (which would sign the
    outputs of the last run again) nor into hidden folders; what is left out goes to ``skipped``."""
    out_real = os.path.realpath(out)
    seen = {os.path.realpath(folder)}  # linked folders are followed, each once (a link to a parent is no loop)
    for root, dirs, files in os.walk(folder, followlinks=True):
        kept = []
        for d in sorted(dirs):
            sub = Path(root, d)
            real = os.path.realpath(sub)
            if real == out_real:
                skipped.append(Skipped(str(sub), "output_folder", "the output folder: not signed again"))
            elif d.startswith("."):
                skipped.append(Skipped(str(sub), "hidden", "hidden folder"))
            elif real not in seen:
                seen.add(real)
                kept.append(d)
        dirs[:] = kept
        for name in sorted(files):
            yield Path(root, name)


def plan_signing(inputs: Sequence[str | os.PathLike[str]], out_dir: str | os.PathLike[str], *,
                 in_place: bool = False, skip_existing: bool = False,
                 overwrite: bool = False) -> SignPlan:
    """Plan a batch before anything is signed, so that no file can be lost.

    Folders are walked and their layout is mirrored under ``out_dir``; the output folder is never walked
    (if it lies inside an input folder); files that are not images are listed in ``skipped`` with the
    reason. The plan is refused when two inputs would be written to one output (compared without case, as
    macOS and Windows file systems do), when an output would replace another input, or when an output is
    its own input (the same path, a link to it or a hard link) without ``in_place``. With
    ``skip_existing`` an output that exists is skipped; with ``in_place`` but without ``overwrite`` an
    existing output that is not its own input is refused here rather than failing later.
    Raises: InputError (``input.not_found``), SigningError (``output.collision``, ``output.is_input``,
    ``output.exists``).
    """
    out = Path(out_dir)
    pairs: list[tuple[Path, Path]] = []
    skipped: list[Skipped] = []
    seen_sources: set[str] = set()
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = []
            for f in _walk(p, out, skipped):
                why = _skip_reason(f)
                if why is None and f.is_file():
                    found.append((f, out / f.relative_to(p)))
                elif why is not None:
                    skipped.append(Skipped(str(f), *why))
        elif p.exists():
            found = [(p, out / p.name)]
        else:
            raise InputError(f"{p}: no such file or folder", code="input.not_found")
        for src, dest in found:
            key = os.path.realpath(src)
            if key in seen_sources:
                skipped.append(Skipped(str(src), "duplicate", "given twice: signed once"))
                continue
            seen_sources.add(key)
            pairs.append((src, dest))
    by_dest: dict[str, list[Path]] = {}
    for src, dest in pairs:
        by_dest.setdefault(os.path.realpath(dest).casefold(), []).append(src)
    clashes = [srcs for srcs in by_dest.values() if len(srcs) > 1]
    if clashes:
        listed = "; ".join(" and ".join(str(s) for s in srcs) for srcs in clashes[:5])
        more = f" (and {len(clashes) - 5} more)" if len(clashes) > 5 else ""
        raise SigningError(f"{len(clashes)} output name(s) would be written by two inputs: {listed}{more}; "
                           "nothing was signed", code="output.collision",
                           hint="Give their common parent folder (its layout is mirrored in the output), "
                                "or sign them into different output folders.")
    sources = {os.path.realpath(s): s for s, _ in pairs}
    kept: list[tuple[Path, Path]] = []
    for src, dest in pairs:
        if same_file(src, dest):
            if not in_place:
                raise SigningError(f"{dest}: is the input itself; signing would replace the original. Nothing "
                                   "was signed", code="output.is_input",
                                   hint="Choose another output, or pass --in-place to replace the originals "
                                        "with their signed versions.")
        else:
            other = sources.get(os.path.realpath(dest))
            if other is not None:
                raise SigningError(f"{dest}: would replace the input {other}; nothing was signed",
                                   code="output.is_input", hint="Choose an output folder outside the inputs.")
            if dest.exists():
                if skip_existing:
                    skipped.append(Skipped(str(src), "exists", f"{dest} already exists"))
                    continue
                if in_place and not overwrite:
                    raise SigningError(f"{dest}: already exists and is not its own input; nothing was signed",
                                       code="output.exists", hint="Pass --overwrite, or --skip-existing.")
        kept.append((src, dest))
    return SignPlan(tuple(kept), tuple(skipped))


def plan_batch(inputs: Sequence[str | os.PathLike[str]], out_dir: str | os.PathLike[str]) -> list[tuple[Path, Path]]:
    """Pairs (source, destination) for files and folders (see ``plan_signing``, whose checks apply).

    Raises: as ``plan_signing``.
    """
    return list(plan_signing(inputs, out_dir).pairs)


def _sign_one(options: SignOptions, identity: SigningIdentity | None, overwrite: bool, in_place: bool,
              src: Path, dest: Path) -> BatchItem:
    try:
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise output_error(dest.parent, exc) from exc
        import warnings

        with warnings.catch_warnings():  # the batch warned once, not once per file (nor from workers)
            warnings.simplefilter("ignore", TestIdentityWarning)
            result = sign_image(src, dest, options, identity, overwrite=overwrite, in_place=in_place)
        return BatchItem(str(src), str(dest), result=result)
    except HandmadeError as exc:
        return BatchItem(str(src), str(dest), error_code=exc.code, error_message=exc.message)
    except OSError as exc:
        return BatchItem(str(src), str(dest), error_code="output.failed", error_message=str(exc))


def _remove_staged(dest: Path) -> None:
    """Remove what a killed worker may have staged for ``dest`` (``StagedWrite``'s temporary name)."""
    with contextlib.suppress(OSError):
        for part in dest.parent.glob(f".{glob_escape(dest.name)}.*.part"):
            part.unlink()


def iter_sign_batch(pairs: Sequence[tuple[Path, Path]], options: SignOptions, identity: SigningIdentity | None,
                    *, overwrite: bool = False, workers: int = 1,
                    timeout: float | None = None, in_place: bool = False) -> Generator[BatchItem, None, None]:
    """Sign many files, yielding one ``BatchItem`` per file as each finishes; goes on past bad files.

    ``workers > 1``, or a ``timeout``, signs in worker processes (``handmade.workers``: forked, or from a
    clean fork server once this process has used c2pa; spawn re-imported c2pa per worker and was slower
    than one process). A file that overruns ``timeout`` seconds or kills its worker fails alone
    (``sign.timeout``/``sign.crash``; nothing is written for it). Results arrive in completion order.
    """
    if (workers <= 1 and timeout is None) or not pairs:
        for src, dest in pairs:
            yield _sign_one(options, identity, overwrite, in_place, src, dest)
        return
    identity = identity or bundled_test_identity()  # resolved once, not in every worker
    answers = run_workers(_sign_one, pairs, shared=(options, identity, overwrite, in_place), workers=max(1, workers),
                          timeout=timeout)
    pending = set(range(len(pairs)))
    try:
        for index, value in answers:
            pending.discard(index)
            src, dest = pairs[index]
            if isinstance(value, BatchItem):
                yield value
                continue
            if isinstance(value, Failure):  # killed or dead: what it staged is left behind
                _remove_staged(dest)
            error = failure_error(value, str(src), timeout, signing=True)
            yield BatchItem(str(src), str(dest), error_code=error.code, error_message=error.message)
    finally:  # stopped early (Ctrl-C, an error, the caller): workers are killed first, then their leftovers go
        answers.close()
        for index in pending:
            _remove_staged(pairs[index][1])


def sign_batch(inputs: Sequence[str | os.PathLike[str]], out_dir: str | os.PathLike[str],
               options: SignOptions | None = None, identity: SigningIdentity | None = None, *,
               overwrite: bool = False, workers: int = 1, timeout: float | None = None,
               progress: Callable[[BatchItem], None] | None = None, in_place: bool = False,
               skip_existing: bool = False) -> BatchResult:
    """Sign files and folders into ``out_dir`` (see ``iter_sign_batch`` for ``workers`` and ``timeout``).

    The batch is planned first (``plan_signing``): collisions and outputs that would replace an input are
    refused before anything is signed; what is left out is in ``BatchResult.skipped``.
    Raises: InputError for inputs that do not exist; SigningError for a refused plan.
    """
    plan = plan_signing(inputs, out_dir, in_place=in_place, skip_existing=skip_existing, overwrite=overwrite)
    pairs = plan.pairs
    identity = identity or bundled_test_identity()
    _warn_test_identity(identity)
    items = []
    for item in iter_sign_batch(pairs, options or SignOptions(), identity, overwrite=overwrite,
                                workers=workers, timeout=timeout, in_place=in_place):
        items.append(item)
        if progress:
            progress(item)
    order = {str(s): i for i, (s, _) in enumerate(pairs)}
    return BatchResult(tuple(sorted(items, key=lambda i: order.get(i.source, 0))), plan.skipped)
