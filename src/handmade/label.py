"""Visible labels drawn from a verified history, never from a claim (issue "Visible labels").

``handmade label`` verifies a file first, then picks its label from the report alone:
- ``handmade``: the file passes the ``handmade`` policy (valid, trusted signer, human history, no AI):
  "Made by hand — verified" / "Fait à la main — vérifié", with the signer's name and the authority that
  certifies it;
- ``generative`` "AI-generated" / "Généré par IA", ``ai_assisted`` "AI-modified" / "Modifié par IA",
  ``possibly_generative`` "May contain AI" / "Peut contenir de l'IA": a valid manifest (intact, well
  signed) whose history says so; the same design for every generator (no generator name, no icon);
- anything else (no manifest, invalid, unreadable, signed but not vouched for, AI use unknown): no label,
  a worded refusal (``LabelRefused``).

One renderer (``draw_label``) draws every label, and the signing ``--badge`` too: a box whose height is a
fixed share of the image's short side, in one of four corners, light or dark whichever contrasts more with
the pixels under it, text drawn with the shipped Lato font; the text/box contrast is measured on the
composited pixels (WCAG ratio) and must reach ``MIN_CONTRAST``.

The labelled file is signed again as an edit of the original: ``c2pa.opened`` naming the original (kept as
the ``parentOf`` ingredient, its whole manifest store carried along) and one ``c2pa.edited`` that records the
marking (c2pa-rs refuses ``c2pa.watermarked`` without a soft-binding assertion: that action means an
invisible watermark). Only a ``handmade`` label writes the human-made shape (``humanEdits`` template); an AI
label writes nothing that could read as human, and its self-check requires the AI verdict to be the same
after labelling as before (labelling never launders).
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from handmade import __version__, _c2pa, labels
from handmade.errors import InputError, LabelRefused, SigningError
from handmade.files import DEFAULT_MAX_BYTES, LoadedFile, StagedWrite, load_input
from handmade.keys import SigningIdentity, bundled_test_identity
from handmade.messages import LANGUAGES, t
from handmade.models import ProvenanceReport

Kind = Literal["handmade", "generative", "ai_assisted", "possibly_generative", "badge"]
Corner = Literal["br", "bl", "tr", "tl"]
CORNERS: tuple[str, ...] = ("br", "bl", "tr", "tl")
#: The label's height as a share of the image's short side (``--size``), and its bounds.
DEFAULT_SIZE = 0.06
MIN_SIZE, MAX_SIZE = 0.02, 0.25
#: WCAG 2.x contrast ratio required between the text and the box under it (AA for normal text).
MIN_CONTRAST = 4.5
AI_KINDS = ("generative", "ai_assisted", "possibly_generative")

#: The labels' words (catalog keys ``label.head.*`` and ``label.sub.*`` in ``handmade.messages``), by kind and
#: language.
HEADLINES: dict[str, dict[str, str]] = {
    kind: {lang: t(f"label.head.{kind}" if kind != "badge" else "handmade", lang) for lang in LANGUAGES}
    for kind in ("handmade", "generative", "ai_assisted", "possibly_generative", "badge")}
_SUB: dict[str, dict[str, str]] = {
    kind: {lang: t(f"label.sub.{kind}", lang) for lang in LANGUAGES} for kind in ("certified", "ai")}
#: The accent bar's colour by kind: one for human-made, one for every AI kind (the same for every generator).
_ACCENT = {"handmade": (0, 122, 61), "badge": (0, 122, 61), "generative": (196, 52, 0), "ai_assisted": (196, 52, 0),
           "possibly_generative": (196, 52, 0)}
_LIGHT = ((250, 250, 250), (17, 17, 17))  # (box, text)
_DARK = ((17, 17, 17), (250, 250, 250))

#: The reasons a file gets no label (their words, English and French, are in report.py's table).
REFUSALS = ("label.no_manifest", "label.invalid", "label.unreadable", "label.not_verified")


def refusal_text(code: str, lang: str = "en") -> str:
    """The reason a file gets no label, in ``lang``."""
    from handmade.report import t

    return t(code if code in REFUSALS else "label.not_verified", lang)


@dataclass(frozen=True)
class LabelSpec:
    """What a label says: its kind, headline and second line (None: one line)."""

    kind: Kind
    headline: str
    subline: str | None = None


@dataclass(frozen=True)
class Placement:
    """Where a label was drawn and how legible it is (pixels of the output image)."""

    box: tuple[int, int, int, int]  # left, top, right, bottom (exclusive)
    corner: str
    scheme: Literal["light", "dark"]
    text_contrast: float  # WCAG ratio between the text colour and the box, measured after compositing
    surround_contrast: float  # WCAG ratio between the box and the mean colour of the pixels it covers


@dataclass(frozen=True)
class LabelResult:
    """One labelled file: its label, where it went, and the report of reading the output back."""

    source: str
    output: str
    spec: LabelSpec
    placement: Placement
    report: ProvenanceReport
    before: ProvenanceReport
    bundled_test_identity: bool

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "output": self.output, "kind": self.spec.kind,
                "text": [t for t in (self.spec.headline, self.spec.subline) if t],
                "box": list(self.placement.box), "corner": self.placement.corner,
                "contrast": round(self.placement.text_contrast, 2), "bottom_line": self.report.bottom_line,
                "summary": self.report.summary(), "bundled_test_identity": self.bundled_test_identity}


# --- choosing the label from the verified report ------------------------------------------------------
def choose(report: ProvenanceReport, lang: str = "en") -> LabelSpec:
    """The label the verified ``report`` backs. Raises: LabelRefused (no label for this history)."""
    from handmade.policy import evaluate, load_policy

    if report.state == "error" or report.error is not None:
        code = "label.unreadable"
    elif report.state == "no_manifest":
        code = "label.no_manifest"
    elif report.state == "invalid":
        code = "label.invalid"
    elif report.ai in AI_KINDS and report.state in ("valid", "trusted"):
        return LabelSpec(report.ai, HEADLINES[report.ai][lang], _SUB["ai"][lang])  # type: ignore[arg-type]
    elif evaluate(load_policy("handmade"), report).accepted:
        who = (report.signer.name if report.signer else None) or "?"
        sub = who
        if report.trusted_by and report.trusted_by.startswith("authority:"):
            sub = _SUB["certified"][lang].format(who=who, by=report.trusted_by.split(":", 1)[1])
        return LabelSpec("handmade", HEADLINES["handmade"][lang], sub[:120])
    else:
        code = "label.not_verified"
    from handmade.report import verdict

    raise LabelRefused(f"{report.path}: {refusal_text(code, 'en')} ({verdict(report, 'en')})", report=report,
                       code=code, hint="Only a file whose Content Credentials verify (made by hand with a trusted "
                                       "signer, or AI declared in a valid manifest) gets a label.")


# --- drawing ------------------------------------------------------------------------------------------
def _luminance(rgb: tuple[float, float, float]) -> float:
    def lin(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """The WCAG 2.x contrast ratio of two sRGB colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def check_size(size: float) -> float:
    """``size`` if it is a sensible share of the short side. Raises: InputError (``label.size``)."""
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise InputError(f"label size {size:g} is outside {MIN_SIZE:g}..{MAX_SIZE:g} (a share of the short side)",
                         code="label.size")
    return size


def draw_label(image: Any, spec: LabelSpec, *, corner: str = "br", size: float = DEFAULT_SIZE) -> tuple[Any, Placement]:
    """Draw ``spec`` on a copy of the Pillow ``image`` (any mode). Returns (RGBA image, placement).

    Raises: InputError (``label.size``, ``label.corner``, ``label.too_small``).
    """
    from PIL import Image, ImageDraw, ImageStat

    from handmade._imaging import badge_font

    check_size(size)
    if corner not in CORNERS:
        raise InputError(f"unknown corner '{corner}'", code="label.corner", hint="One of: " + ", ".join(CORNERS))
    base = image.convert("RGBA")
    short = min(base.size)
    h = max(14, round(short * size))
    margin = max(2, round(h * 0.3))
    pad = max(2, round(h * 0.28))
    bar = max(2, round(h * 0.1))
    if h + 2 * margin > short:
        raise InputError(f"the image ({base.width}x{base.height}) is too small for a legible label",
                         code="label.too_small")
    lines = [spec.headline] + ([spec.subline] if spec.subline else [])
    head_px = round(h * (0.4 if spec.subline else 0.5))
    sub_px = round(h * 0.25)
    room = base.width - 2 * margin - 2 * pad - bar
    measure = ImageDraw.Draw(Image.new("L", (1, 1)))

    def fitted(text: str, px: int) -> tuple[Any, tuple[float, float, float, float]]:
        while True:  # a long name is drawn smaller rather than cut or overflowing the image
            font = badge_font(max(6, px))
            bbox = measure.textbbox((0, 0), text, font=font)
            if bbox[2] - bbox[0] <= room or px <= 6:
                return font, bbox
            px = int(px * 0.9)

    fonts = [fitted(lines[0], head_px)] + ([fitted(lines[1], sub_px)] if len(lines) > 1 else [])
    text_w = round(max(b[2] - b[0] for _, b in fonts))
    w = min(base.width - 2 * margin, text_w + 2 * pad + bar)
    x0 = margin if corner in ("bl", "tl") else base.width - margin - w
    y0 = margin if corner in ("tl", "tr") else base.height - margin - h
    box = (x0, y0, x0 + w, y0 + h)
    under = ImageStat.Stat(base.convert("RGB").crop(box)).mean
    mean = (under[0], under[1], under[2])
    scheme: Literal["light", "dark"] = "light" if contrast(_LIGHT[0], mean) >= contrast(_DARK[0], mean) else "dark"
    fill, ink = _LIGHT if scheme == "light" else _DARK
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    radius = max(2, h // 6)
    draw.rounded_rectangle((box[0], box[1], box[2] - 1, box[3] - 1), radius=radius, fill=(*fill, 255),
                           outline=(*ink, 255), width=max(1, h // 40))
    draw.rectangle((x0 + max(1, h // 40), y0 + radius, x0 + bar, y0 + h - radius), fill=(*_ACCENT[spec.kind], 255))
    heights = [round(b[3] - b[1]) for _, b in fonts]
    gap = round(h * 0.08) if len(fonts) > 1 else 0
    y = y0 + (h - sum(heights) - gap) // 2
    for (font, bbox), line, lh in zip(fonts, lines, heights, strict=True):
        draw.text((x0 + bar + pad - bbox[0], y - bbox[1]), line, font=font, fill=(*ink, 255))
        y += lh + gap
    result = Image.alpha_composite(base, overlay)
    # Legibility, measured: the box's own pixels (a corner sample inside the outline) against the text colour.
    inset = max(2, h // 20) + max(1, h // 40)
    px: Any = result.getpixel((box[2] - inset - 1, box[1] + h // 2))
    text_contrast = contrast(ink, (float(px[0]), float(px[1]), float(px[2])))
    if text_contrast < MIN_CONTRAST:  # pragma: no cover - the box is opaque; kept as a guard
        raise InputError(f"label contrast {text_contrast:.1f} is below {MIN_CONTRAST}", code="label.contrast")
    return result, Placement(box, corner, scheme, text_contrast, contrast(fill, mean))


def draw_on_loaded(loaded: LoadedFile, spec: LabelSpec, *, corner: str = "br",
                   size: float = DEFAULT_SIZE) -> tuple[LoadedFile, Placement]:
    """Draw a label on an image file held in memory, in its own format (re-encodes; EXIF/ICC kept).

    The picture is first turned upright by its EXIF orientation (a phone's portrait photo is stored sideways),
    so the label is in the corner a viewer sees; the output is stored upright with orientation 1. A CMYK
    picture's ICC profile is dropped, since the output is RGB.
    Raises: InputError (undecodable image, decompression bomb, bad size or corner).
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    from handmade._imaging import decode_guard

    decode_guard()
    try:
        with Image.open(io.BytesIO(loaded.data)) as im:
            fmt = im.format or "PNG"
            icc = im.info.get("icc_profile") if im.mode != "CMYK" else None
            im.load()
            upright = ImageOps.exif_transpose(im) or im
            exif_data = upright.getexif()
            if 0x0112 in exif_data:
                exif_data[0x0112] = 1
            exif = exif_data.tobytes() if len(exif_data) else None
            result, placement = draw_label(upright, spec, corner=corner, size=size)
    except Image.DecompressionBombError as exc:
        raise InputError(f"{loaded.path}: too many pixels to process safely", code="input.too_many_pixels") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InputError(f"{loaded.path}: cannot draw a label on this image ({exc})",
                         code="input.undecodable") from exc
    out = io.BytesIO()
    save_kwargs: dict[str, Any] = {}
    if exif:
        save_kwargs["exif"] = exif
    if icc:
        save_kwargs["icc_profile"] = icc
    if fmt == "JPEG":
        result.convert("RGB").save(out, "JPEG", quality=92, **save_kwargs)
    else:
        result.save(out, fmt, **save_kwargs)
    return LoadedFile(path=loaded.path, data=out.getvalue(), mime=loaded.mime), placement


# --- signing the labelled file ------------------------------------------------------------------------
PARENT_LABEL = "parent"


_TRAINING_USE = {"not_allowed": "notAllowed", "allowed": "allowed", "constrained": "constrained"}


def marking_manifest(title: str, spec: LabelSpec, training: str = "unspecified",
                     training_terms: str | None = None) -> dict[str, Any]:
    """The manifest of a labelled file: the original opened as the parent, one edit that records the marking.

    The original's AI-training choice (``training``, as the verified report read it) is written again, so that
    labelling does not turn a refusal into "not stated".

    Only a ``handmade`` label carries the human-made shape (``humanEdits`` on the edit and as the template);
    an AI label asserts nothing about who made the pixels, so the parent's verdict is what readers see.
    """
    agent = {"name": "handmade", "version": __version__}
    # The description must not itself read as generative wording (lineage reads descriptions): it names the
    # kind, not the label's text.
    marking: dict[str, Any] = {
        "action": "c2pa.edited", "softwareAgent": agent,
        "description": f"Visible label added from the verified Content Credentials (handmade label: {spec.kind})",
        "parameters": {"org.handmade.label": spec.kind},
    }
    data: dict[str, Any] = {"actions": [
        {"action": "c2pa.opened", "softwareAgent": agent, "parameters": {"ingredientIds": [PARENT_LABEL]}},
        marking,
    ], "allActionsIncluded": True}
    if spec.kind == "handmade":
        marking["digitalSourceType"] = labels.iptc_uri("humanEdits")
        data["templates"] = [{"action": "*", "digitalSourceType": labels.iptc_uri("humanEdits")}]
    assertions: list[dict[str, Any]] = [{"label": "c2pa.actions.v2", "data": data}]
    if training in _TRAINING_USE:
        assertions += [labels.training_assertion(label, use=_TRAINING_USE[training], constraint_info=training_terms)
                       for label in labels.TRAINING_LABELS]
    return {"claim_generator_info": [{"name": "handmade", "version": __version__}], "title": title[:200],
            "assertions": assertions}


def _self_check(path: str, spec: LabelSpec, before: ProvenanceReport, after: ProvenanceReport) -> None:
    """The labelled output must read back valid, with the marking on top and the same verdict as before.

    An AI file must stay AI (the same ``ai`` and bottom line); a handmade one must still read human-made.
    Raises: SigningError (``label.self_check_failed``).
    """
    problems = []
    if after.state not in ("valid", "trusted"):
        problems.append(f"state {after.state}")
    top = after.lineage[:2]
    if not any(s.action == "c2pa.edited" and (s.software_agent or "").startswith("handmade") for s in top):
        problems.append("the marking action is missing")
    if spec.kind in AI_KINDS:
        if after.ai != before.ai or after.bottom_line != before.bottom_line or after.human_authored:
            problems.append(f"reads back as ai={after.ai} ({after.bottom_line}), not {before.ai} "
                            f"({before.bottom_line})")
    elif after.ai != "none_declared" or not after.claims_handmade:
        problems.append(f"reads back as ai={after.ai}, human_authored={after.human_authored}")
    if problems:
        raise SigningError(f"{path}: the labelled result does not verify: " + " / ".join(problems),
                           code="label.self_check_failed")


def label_loaded(loaded: LoadedFile, *, trust: Any = None, identity: SigningIdentity | None = None,
                 corner: str = "br", size: float = DEFAULT_SIZE, lang: str = "en",
                 before: ProvenanceReport | None = None, tsa_url: str | None = None,
                 ) -> tuple[bytes, LabelSpec, Placement, ProvenanceReport, ProvenanceReport]:
    """Verify, choose, draw, sign and re-check one image in memory.

    Returns (signed bytes, label, placement, report before, report after).
    Raises: LabelRefused, InputError, SigningError.
    """
    from handmade._imaging import make_thumbnail
    from handmade.verify import inspect_loaded

    if loaded.mime not in _c2pa.writable_mimes():
        raise SigningError(f"{loaded.path}: {loaded.mime} cannot carry an embedded C2PA manifest here",
                           code="sign.unsupported_format")
    if before is not None and before.sha256 != hashlib.sha256(loaded.data).hexdigest():
        raise InputError(f"{loaded.path}: the file changed while it was being verified; nothing was labelled",
                         code="label.changed", hint="Label it again once nothing else writes to it.")
    before = before or inspect_loaded(loaded, trust=trust)
    spec = choose(before, lang)
    work, placement = draw_on_loaded(loaded, spec, corner=corner, size=size)
    identity = identity or bundled_test_identity()
    ingredient = _c2pa.Ingredient(data=loaded.data, mime=loaded.mime, definition={
        "title": Path(loaded.path).name, "relationship": "parentOf", "label": PARENT_LABEL})
    thumbnail = make_thumbnail(work) if work.mime == "image/jpeg" else None
    signed = _c2pa.sign_bytes(marking_manifest(Path(loaded.path).name, spec, before.training,
                                               before.training_terms), work.data, work.mime, identity,
                              ingredient=ingredient, thumbnail=thumbnail,
                              engine_thumbnail=None if thumbnail else 512, tsa_url=tsa_url)
    after = inspect_loaded(LoadedFile(loaded.path, signed, loaded.mime), trust=trust, with_hints=False)
    _self_check(loaded.path, spec, before, after)
    return signed, spec, placement, before, after


def label_image(source: str | os.PathLike[str], output: str | os.PathLike[str], *, trust: Any = None,
                identity: SigningIdentity | None = None, corner: str = "br", size: float = DEFAULT_SIZE,
                lang: str = "en", overwrite: bool = False, max_bytes: int = DEFAULT_MAX_BYTES,
                timeout: float | None = None, allow_remote: bool = False, tsa_url: str | None = None) -> LabelResult:
    """Label one file from its verified history and write the signed result atomically to ``output``.

    ``trust`` is the trust configuration verify uses (``load_trust_anchors`` / ``trust.build``); without it
    no signer is trusted and only AI labels can be drawn. ``timeout`` verifies in a time-limited worker (as
    ``verify --timeout``), ``allow_remote`` fetches a remote-only manifest, ``tsa_url`` timestamps the new
    signature (RFC 3161). The original is never modified.
    Raises: LabelRefused (no label backed), InputError, SigningError (``output.is_input``, ``output.exists``,
    ``label.self_check_failed`` ...).
    """
    from handmade.files import same_file
    from handmade.sign import _input_mode, _warn_test_identity

    src, dest = Path(source), Path(output)
    if same_file(src, dest):
        raise SigningError(f"{dest}: is the input itself; labelling never replaces the original",
                           code="output.is_input", hint="Choose another output.")
    if dest.exists() and not overwrite:
        raise SigningError(f"{dest}: already exists", code="output.exists",
                           hint="Choose another output name, or pass --overwrite.")
    loaded = load_input(src, max_bytes=max_bytes)
    check_size(size)
    before = None
    if timeout is not None or allow_remote:
        from handmade.verify import iter_inspect

        reports = iter_inspect([src], timeout=timeout, trust=trust, allow_remote=allow_remote)
        try:
            before = next(reports)
        finally:
            reports.close()
    identity = identity or bundled_test_identity()
    _warn_test_identity(identity)
    signed, spec, placement, before, after = label_loaded(loaded, trust=trust, identity=identity, corner=corner,
                                                          size=size, lang=lang, before=before, tsa_url=tsa_url)
    StagedWrite(dest, signed, overwrite=overwrite, mode=_input_mode(src)).commit()
    return LabelResult(str(src), str(dest), spec, placement, replace(after, path=str(dest)), before,
                       identity.is_test_identity)


# --- web: the label as data and as a small SVG ----------------------------------------------------------
#: Kinds of a web badge beyond the drawn labels: ``none`` (checked, no label backed), ``unknown`` (never
#: checked by this service, or the service keeps no log).
BADGE_KINDS = ("handmade", "generative", "ai_assisted", "possibly_generative", "none", "unknown")
_GREY = (110, 110, 110)
_BAD_TOKENS = {"TEST-KEY", "TAMPERED", "BAD-SIGNATURE", "BAD-CREDENTIAL", "EXPIRED", "BAD-INGREDIENT",
               "ORIGIN-UNKNOWN", "BAD-IDENTITY"}


def web_words(key: str, lang: str = "en", **kwargs: Any) -> str:
    """The web badge's words (catalog keys ``label.web.*`` in ``handmade.messages``)."""
    return t(f"label.web.{key}", lang, **kwargs)


def label_payload(report: ProvenanceReport, lang: str = "en") -> dict[str, Any]:
    """The label a verified report backs, as data for web pages: ``kind`` (``BADGE_KINDS``), ``headline``,
    ``subline``; for no label, ``kind: none`` and the reason (``refusal``)."""
    try:
        spec = choose(report, lang)
    except LabelRefused as exc:
        return {"kind": "none", "headline": web_words("none", lang), "subline": refusal_text(exc.code, lang),
                "refusal": exc.code}
    return {"kind": spec.kind, "headline": spec.headline, "subline": spec.subline, "refusal": None}


def kind_from_decision(row: dict[str, Any]) -> str:
    """The badge kind of a decision recorded in the audit log (state, ai and the summary's tokens).

    Made by hand needs what ``is_handmade`` needs, read from the recorded tokens: a trusted signer (no TEST
    key), a human history with no AI step, nothing broken. AI kinds need a valid or trusted manifest.
    """
    state, ai = str(row.get("state")), str(row.get("ai"))
    tokens = set(str(row.get("summary") or "").split())
    if state in ("valid", "trusted") and ai in AI_KINDS and not tokens & {"TAMPERED", "BAD-SIGNATURE"}:
        return ai
    if state == "trusted" and {"TRUSTED", "HUMAN", "NO-AI"} <= tokens and not tokens & _BAD_TOKENS:
        return "handmade"
    return "none"


def decision_payload(row: dict[str, Any] | None, lang: str = "en", *, log: bool = True) -> dict[str, Any]:
    """The badge of a sha256 from its latest recorded decision (None: never checked here)."""
    if row is None:
        return {"kind": "unknown", "headline": web_words("unknown", lang),
                "subline": None if log else web_words("no_log", lang), "checked": None}
    kind = kind_from_decision(row)
    date = str(row.get("time") or "")[:10]
    headline = HEADLINES[kind][lang] if kind in HEADLINES else web_words("none", lang)
    return {"kind": kind, "headline": headline, "subline": web_words("checked", lang, date=date),
            "checked": row.get("time")}


def badge_svg(kind: str, headline: str, subline: str | None = None) -> str:
    """A small self-contained SVG badge (no script, no external reference, text escaped).

    Its text is handmade's own words and, for a handmade label, the signer's name from the certificate,
    escaped: nothing from a manifest is ever drawn as SVG, HTML or an icon (C2PA 2.1 §4.3.3.1)."""
    from xml.sax.saxutils import escape

    accent = _ACCENT.get(kind, _GREY)
    fill, ink = _DARK
    h = 44 if subline else 30
    chars = max(len(headline) * 8.2, len(subline or "") * 6.2)
    w = int(chars + 30)

    def rgb(c: tuple[int, int, int]) -> str:
        return f"rgb({c[0]},{c[1]},{c[2]})"

    label = escape(headline + (f" — {subline}" if subline else ""), {'"': "&quot;"})
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
             f'role="img" aria-label="{label}" data-kind="{escape(kind)}">',
             f"<title>{escape(headline)}</title>",
             f'<rect x="0.5" y="0.5" width="{w - 1}" height="{h - 1}" rx="6" fill="{rgb(fill)}" stroke="{rgb(ink)}"/>',
             f'<rect x="3" y="6" width="4" height="{h - 12}" fill="{rgb(accent)}"/>',
             f'<text x="14" y="{19 if subline else 20}" font-family="Lato, \'Helvetica Neue\', Arial, sans-serif" '
             f'font-size="14" font-weight="600" fill="{rgb(ink)}">{escape(headline)}</text>']
    if subline:
        parts.append(f'<text x="14" y="36" font-family="Lato, \'Helvetica Neue\', Arial, sans-serif" font-size="10.5" '
                     f'fill="{rgb(ink)}">{escape(subline)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def label_svg_file(source: str | os.PathLike[str], output: str | os.PathLike[str], *, trust: Any = None,
                   lang: str = "en", overwrite: bool = False, timeout: float | None = None,
                   allow_remote: bool = False) -> tuple[LabelSpec, ProvenanceReport]:
    """``handmade label --svg``: verify ``source`` and write the SVG badge of the label it backs to ``output``
    (the image itself is left alone and nothing is signed). Returns (label, report).

    Raises: LabelRefused (nothing written), InputError, SigningError (``output.exists`` ...).
    """
    from handmade.verify import iter_inspect

    dest = Path(output)
    if dest.exists() and not overwrite:
        raise SigningError(f"{dest}: already exists", code="output.exists",
                           hint="Choose another output name, or pass --overwrite.")
    reports = iter_inspect([source], timeout=timeout, trust=trust, allow_remote=allow_remote)
    try:
        report = next(reports)
    finally:
        reports.close()
    if report.state == "error" and report.error is not None and report.error.code.startswith("input."):
        raise InputError(f"{source}: {report.error.message}", code=report.error.code)
    spec = choose(report, lang)
    StagedWrite(dest, badge_svg(spec.kind, spec.headline, spec.subline).encode(), overwrite=overwrite,
                mode=0o644).commit()
    return spec, report
