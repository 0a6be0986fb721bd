"""Provenance hints outside C2PA: XMP/IPTC, PLUS data mining, EXIF, PNG text chunks of AI tools.

Hints are unsigned: anyone can write or strip them. They are reported beside the C2PA verdict, never
instead of it (a file with no manifest is ``unknown``, whatever its metadata says), and signing refuses a
file whose own metadata says it was AI-generated.

Reading never decodes pixels and never raises on garbage: a damaged file gives the hints found so far.
Metadata is located by small walkers over the container (JPEG segments, PNG chunks, RIFF chunks, the TIFF
header), each bounded by the file's size and by fixed budgets, with a byte search for XMP packets as the
fallback (it covers AVIF, HEIF, trailers and anything else) over every byte that is not compressed image
data. XMP is parsed with defusedxml (entity bombs and external entities are refused); EXIF with Pillow's
``Image.Exif`` on the raw EXIF block (never ``Image.load()``).
"""

from __future__ import annotations

import json
import logging
import re
import struct
import warnings
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from handmade import labels
from handmade.files import sniff_mime
from handmade.messages import CATALOG, t
from handmade.models import Hint, HintSignal, summarize_hints
from handmade.text import clean_text

log = logging.getLogger(__name__)

#: Longest XMP packet parsed (a real packet is a few KB; Adobe's own limit for JPEG is 64 KB per segment).
MAX_XMP_BYTES = 4 * 1024 * 1024
#: At most this many XMP bytes parsed per file, over all packets.
MAX_XMP_TOTAL = 8 * 1024 * 1024
MAX_XMP_PACKETS = 16
#: Longest PNG text value read (after decompression), and the budget over all text chunks of a file.
MAX_TEXT_CHUNK = 1024 * 1024
MAX_TEXT_TOTAL = 8 * 1024 * 1024
MAX_TEXT_CHUNKS = 256
#: Container walkers stop after this many chunks/segments (a 64 MB file of empty chunks stays fast).
MAX_CHUNKS = 100_000
MAX_VALUE = 300
#: At most this many hints per file, and per field (a hostile packet can repeat one property 100 000 times).
MAX_HINTS = 200
MAX_PER_FIELD = 20

UNSIGNED = t("hint.unsigned")

NS_IPTC_EXT = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
NS_PLUS = "http://ns.useplus.org/ldf/xmp/1.0/"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_XMP = "http://ns.adobe.com/xap/1.0/"
NS_DCTERMS = "http://purl.org/dc/terms/"
NS_PHOTOSHOP = "http://ns.adobe.com/photoshop/1.0/"
NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_PREFIXES = {NS_IPTC_EXT: "Iptc4xmpExt", NS_PLUS: "plus", NS_DC: "dc", NS_XMP: "xmp", NS_DCTERMS: "dcterms",
             NS_PHOTOSHOP: "photoshop", "http://ns.adobe.com/exif/1.0/": "exif",
             "http://ns.adobe.com/tiff/1.0/": "tiff", "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Iptc4xmpCore"}
_RDF_CONTAINERS = {f"{{{NS_RDF}}}Seq", f"{{{NS_RDF}}}Bag", f"{{{NS_RDF}}}Alt"}
_RDF_LI = f"{{{NS_RDF}}}li"
_RDF_RESOURCE = f"{{{NS_RDF}}}resource"

_JPEG_XMP = b"http://ns.adobe.com/xap/1.0/\x00"
_DMI = re.compile(r"DMI-([A-Z-]+)", re.IGNORECASE)
_DST_URI = re.compile(r"(?:cv\.iptc\.org/newscodes|c2pa\.org)/digitalsourcetype/[A-Za-z]+", re.IGNORECASE)
_A1111 = re.compile(r"(Steps:\s*\d+|Sampler:|CFG scale:|Negative prompt:)", re.IGNORECASE)
# Midjourney writes its prompt with its parameters and job id into the PNG Description (corpus:
# nomanifest-ai-midjourney-xmp-dst.png: "... --ar 4:3 --v 5.2 Job ID: 2b6e053b-...").
_MIDJOURNEY = re.compile(
    r"Job ID:\s*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|\s--(?:v|niji)\s+\d+(?:\.\d+)?\b",
    re.IGNORECASE,
)
# xAI's Grok writes a long base64 "Signature:" into EXIF ImageDescription/UserComment and nothing else
# (corpus: nomanifest-ai-grok-exif-signature.jpg; its EXIF Artist is a bare UUID).
_GROK_SIGNATURE = re.compile(r"^Signature: [A-Za-z0-9+/=]{64,}")
# In prose (captions, comments, names) a product name alone is weak: a news caption can say "OpenAI's CEO",
# a photographer can be called Aurora. There it counts only as the first words or after "made with" & co.
_MADE_WITH = re.compile(
    r"\b(?:made|created|generated|rendered|produced|drawn|painted|designed|imagined|upscaled|edited|expanded|"
    r"extended|composed|enhanced|done|image|art|artwork|picture)\s+(?:with|by|using|in|on|via|through|from)\s+"
    r"(?:the\s+|an?\s+)?$",
    re.IGNORECASE,
)
_NOVELAI_KEYS = ('"steps"', '"sampler"', '"uc"', '"n_samples"', '"request_type"', '"noise_schedule"')


@dataclass
class _Collector:
    """The hints found so far, deduplicated on (source, field, value)."""

    hints: list[Hint] = field(default_factory=list)
    seen: set[tuple[str, str, str]] = field(default_factory=set)
    per_field: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, source: str, name: str, value: object, signal: HintSignal, message: str, **params: str) -> None:
        """A hint whose message is the catalog entry ``message`` with ``params`` (``handmade.messages``)."""
        if len(self.hints) >= MAX_HINTS:
            return
        if isinstance(value, str):
            value = value[:MAX_VALUE * 4]  # bound the cleaner's work on a 10 MB value
        text = clean_text(value, MAX_VALUE) or ""
        name = clean_text(name, 120) or "?"
        key = (source, name, text)
        if key in self.seen or self.per_field.get((source, name), 0) >= MAX_PER_FIELD:
            return
        self.seen.add(key)
        self.per_field[(source, name)] = self.per_field.get((source, name), 0) + 1
        params = {**params, "body_k": message, "unsigned_k": "hint.unsigned"}
        self.hints.append(Hint(source=source, field=name, value=text, signal=signal,
                               message=t("hint.message", "en", **params), key="hint.message", params=params))


def _tool_maker(tool: str) -> str | None:
    """What a software field (EXIF Software, PNG Software/Source) names as generative: a known product, or
    "generative AI" when it says so in words; None for an ordinary tool."""
    return labels.known_generator(tool) or ("generative AI" if labels.generative_wording(tool) else None)


def _prose_generator(text: str) -> str | None:
    """The generative product a free-text or name field credits as the maker of the image, if any.

    A name counts when the field starts with it (``"Midjourney v6"``) or after "made with", "generated by"
    and the like; names that are also ordinary words (Aurora, Runway, Gemini...) count only in the latter.
    """
    product = labels.known_generator(text)
    if not product:
        return None
    idx = text.lower().find(product.lower())
    if idx < 0:  # the regex matched a differently spelled variant: be conservative
        return None
    if _MADE_WITH.search(text[max(0, idx - 80):idx]):
        return product
    if idx <= 2 and product.lower() not in labels.AMBIGUOUS_GENERATORS:
        return product
    return None


# --- Container walkers -----------------------------------------------------------------------------------------
@dataclass
class _Blocks:
    """Metadata blocks found by walking the container: raw EXIF, XMP packets with their offsets, PNG text."""

    exif: list[bytes] = field(default_factory=list)
    xmp: list[tuple[int, int, bytes]] = field(default_factory=list)  # (start, end) in data; -1 if decompressed
    text: list[tuple[str, str]] = field(default_factory=list)
    #: Spans of compressed image data (JPEG entropy-coded scans, PNG IDAT, WebP VP8): no metadata lives
    #: there, so the fallback search for XMP skips them (on a 12 MP photo that search was 5 ms of 5.1).
    pixels: list[tuple[int, int]] = field(default_factory=list)

    def add_pixels(self, start: int, end: int) -> None:
        if self.pixels and start - self.pixels[-1][1] <= 16:  # consecutive chunks: one span
            self.pixels[-1] = (self.pixels[-1][0], end)
        else:
            self.pixels.append((start, end))


def _walk_jpeg(data: bytes, out: _Blocks) -> None:
    """APP1 EXIF and XMP segments, up to the first scan (SOS)."""
    pos, n = 2, 0
    while pos + 4 <= len(data) and n < MAX_CHUNKS:
        n += 1
        if data[pos] != 0xFF:
            return
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:  # no length
            pos += 2
            continue
        if marker == 0xDA:  # SOS: metadata segments are over; the scans run to the last EOI
            eoi = data.rfind(b"\xff\xd9")
            if eoi > pos:
                out.add_pixels(pos, eoi)
            return
        if marker == 0xD9:  # EOI
            return
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if length < 2:
            return
        start, end = pos + 4, min(pos + 2 + length, len(data))
        if marker == 0xE1:
            if data.startswith(b"Exif\x00\x00", start):
                out.exif.append(data[start:end])
            elif data.startswith(_JPEG_XMP, start):
                out.xmp.append((start + len(_JPEG_XMP), end, data[start + len(_JPEG_XMP):end]))
        pos += 2 + length


def _decompress(body: bytes, limit: int) -> bytes:
    """At most ``limit`` bytes of a zlib stream (a decompression bomb stops at the limit).

    Raises: zlib.error on a corrupt stream.
    """
    return zlib.decompressobj().decompress(body, limit)


def _decode_text(raw: bytes) -> str:
    """PNG tEXt/zTXt is Latin-1 by the standard, but generators (Midjourney) write UTF-8: try that first."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _walk_png(data: bytes, out: _Blocks) -> None:
    """tEXt, zTXt and iTXt chunks (XMP among them) and the eXIf chunk; decompression bounded."""
    pos, n, text_budget, text_chunks = 8, 0, MAX_TEXT_TOTAL, 0
    while pos + 8 <= len(data) and n < MAX_CHUNKS:
        n += 1
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        start, end = pos + 8, pos + 8 + length
        pos = end + 4
        if ctype == b"IEND" or end > len(data):
            return
        if ctype in (b"IDAT", b"fdAT"):
            out.add_pixels(start, end)
            continue
        if ctype == b"eXIf":
            out.exif.append(data[start:end])
            continue
        if ctype not in (b"tEXt", b"zTXt", b"iTXt") or text_chunks >= MAX_TEXT_CHUNKS or text_budget <= 0:
            continue
        text_chunks += 1
        limit = min(MAX_TEXT_CHUNK, text_budget)
        body = data[start:end]
        key_raw, sep, rest = body.partition(b"\x00")
        if not sep:
            continue
        key = key_raw[:79].decode("latin-1")
        try:
            if ctype == b"tEXt":
                raw = rest[:limit]
            elif ctype == b"zTXt":
                raw = _decompress(rest[1:], limit)
            else:
                compressed = rest[:1] == b"\x01"
                _lang, _, rest = rest[2:].partition(b"\x00")
                _tkey, _, raw = rest.partition(b"\x00")
                if compressed:
                    raw = _decompress(raw, limit)
                elif key == "XML:com.adobe.xmp" and len(raw) <= MAX_XMP_BYTES:
                    off = end - len(raw)
                    out.xmp.append((off, end, raw))
                    continue
                raw = raw[:limit]
        except zlib.error as exc:
            log.debug("unreadable PNG %s chunk: %s", ctype.decode("latin-1"), exc)
            continue
        text_budget -= len(raw)
        if key == "XML:com.adobe.xmp":
            out.xmp.append((-1, -1, raw))
        else:
            out.text.append((key, raw.decode("utf-8", "replace") if ctype == b"iTXt" else _decode_text(raw)))


def _walk_riff(data: bytes, out: _Blocks) -> None:
    """WebP ``EXIF`` and ``XMP `` chunks."""
    pos, n = 12, 0
    while pos + 8 <= len(data) and n < MAX_CHUNKS:
        n += 1
        fourcc, size = struct.unpack("<4sI", data[pos:pos + 8])
        start, end = pos + 8, min(pos + 8 + size, len(data))
        if fourcc in (b"VP8 ", b"VP8L", b"ANMF"):
            out.add_pixels(start, end)
        elif fourcc == b"EXIF":
            out.exif.append(data[start:end])
        elif fourcc == b"XMP ":
            out.xmp.append((start, end, data[start:end]))
        pos += 8 + size + (size & 1)


def _find_embedded_exif(data: bytes, out: _Blocks) -> None:
    """HEIF/AVIF: the ``Exif`` item is an ``Exif\\0\\0`` header followed by a TIFF header."""
    for header in (b"Exif\x00\x00II*\x00", b"Exif\x00\x00MM\x00*"):
        i = data.find(header)
        if i >= 0:
            out.exif.append(data[i:])
            return


def _blocks(data: bytes) -> _Blocks:
    """Every metadata block the container walkers find.

    Raises: struct.error or IndexError only on bugs (the walkers check their bounds); callers guard anyway.
    """
    out = _Blocks()
    mime = sniff_mime(data)
    if mime == "image/jpeg":
        _walk_jpeg(data, out)
    elif mime == "image/png":
        _walk_png(data, out)
    elif mime == "image/webp":
        _walk_riff(data, out)
    elif mime in ("image/tiff", "image/x-adobe-dng"):
        out.exif.append(data)  # the file is itself a TIFF structure; IFD0 also holds XMP (tag 700)
    elif mime in ("image/heic", "image/avif"):
        _find_embedded_exif(data, out)
    return out


# --- EXIF ------------------------------------------------------------------------------------------------------
_EXIF_0TH = {0x0131: "Software", 0x013B: "Artist", 0x8298: "Copyright", 0x010E: "ImageDescription",
             0x010F: "Make", 0x0110: "Model"}
_EXIF_SUB = {0x9286: "UserComment"}
_EXIF_IFD = 0x8769
_TIFF_XMP = 700


def _user_comment(raw: object) -> str:
    """EXIF UserComment: an 8-byte character-code prefix, then the text."""
    if not isinstance(raw, bytes):
        return str(raw)
    prefix, body = raw[:8], raw[8:]
    if prefix == b"UNICODE\x00":
        if body[:2] in (b"\xfe\xff", b"\xff\xfe"):
            return body.decode("utf-16", "replace").strip("\x00 ")
        # No BOM: writers disagree on the byte order; the zero bytes of Latin text tell which one it is.
        even, odd = body[0::2].count(0), body[1::2].count(0)
        return body[: len(body) & ~1].decode("utf-16-be" if even > odd else "utf-16-le", "replace").strip("\x00 ")
    if prefix == b"JIS\x00\x00\x00\x00\x00":
        return body.decode("shift_jis", "replace").strip("\x00 ")
    if prefix in (b"ASCII\x00\x00\x00", b"\x00" * 8):
        return body.decode("utf-8", "replace").strip("\x00 ")
    return raw.decode("utf-8", "replace").strip("\x00 ")


def _utf8_in_ascii(value: str) -> str:
    """An EXIF ASCII value as its writer meant it. Pillow decodes these tags as Latin-1, but many writers put
    UTF-8 in them (the standard says 7-bit ASCII): ``©`` would read ``Â©``. Bytes that are valid UTF-8 are
    read as UTF-8, as exiftool does; anything else stays Latin-1."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _load_exif(raw: bytes) -> tuple[dict[str, object], bytes | None]:
    """The fields we read from one raw EXIF block, and its XMP (TIFF tag 700) if any.

    Raises: OSError, SyntaxError, ValueError, struct.error, KeyError, TypeError, IndexError, EOFError from
    Pillow on a damaged block.
    """
    from PIL import Image

    exif = Image.Exif()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Tag data larger than file" and the like: expected on hostile input
        exif.load(raw)
        fields: dict[str, object] = {name: exif[tag] for tag, name in _EXIF_0TH.items() if tag in exif}
        xmp = exif.get(_TIFF_XMP)
        if _EXIF_IFD in exif:
            sub = exif.get_ifd(_EXIF_IFD)
            fields.update({name: sub[tag] for tag, name in _EXIF_SUB.items() if tag in sub})
    return fields, xmp if isinstance(xmp, bytes) else None


def _read_exif(blocks: _Blocks) -> tuple[list[tuple[str, str]], list[bytes]]:
    """The (field, cleaned value) pairs of every EXIF block, and the XMP packets found in TIFF tag 700."""
    values: list[tuple[str, str]] = []
    xmp_packets: list[bytes] = []
    for raw in blocks.exif[:4]:
        try:
            fields, xmp = _load_exif(raw)
        except (OSError, SyntaxError, ValueError, struct.error, KeyError, TypeError, IndexError, EOFError) as exc:
            log.debug("unreadable EXIF block: %s", exc)
            continue
        if xmp:
            xmp_packets.append(xmp[:MAX_XMP_BYTES])
        for name, rawvalue in fields.items():
            if isinstance(rawvalue, tuple):  # a writer that repeated an ASCII value
                rawvalue = " ".join(str(v) for v in rawvalue)
            if isinstance(rawvalue, bytes) and name != "UserComment":
                rawvalue = rawvalue.decode("utf-8", "replace")
            elif isinstance(rawvalue, str):
                rawvalue = _utf8_in_ascii(rawvalue)
            value = clean_text(_user_comment(rawvalue) if name == "UserComment" else str(rawvalue)[:4000],
                               MAX_VALUE * 4) or ""
            if value:
                values.append((name, value))
    return values, xmp_packets


def _exif_hint(name: str, value: str, out: _Collector) -> None:
    label = f"EXIF {name}"
    if name in ("ImageDescription", "UserComment") and _GROK_SIGNATURE.match(value):
        out.add("exif", label, value, "generative", "hint.exif_grok", tag=name)
        return
    if name == "Software":
        if (maker := _tool_maker(value)) is not None:
            out.add("exif", label, value, "generative", "hint.exif_software_ai", maker=maker)
        else:
            out.add("exif", label, value, "info", "hint.exif_software")
        return
    if name in ("ImageDescription", "UserComment", "Artist"):
        product = _prose_generator(value)
        if product or labels.generative_wording(value):
            out.add("exif", label, value, "generative", "hint.exif_made_with", tag=name,
                    **({"product": product} if product else {"product_k": "hint.generative_ai"}))
            return
    if name in ("Make", "Model"):
        out.add("exif", label, value, "info", "hint.exif_camera", what=name.lower())
    elif name in ("Artist", "Copyright"):
        out.add("exif", label, value, "info", "hint.exif_person",
                who_k="hint.author" if name == "Artist" else "hint.rights")
    else:
        out.add("exif", label, value, "info", "hint.exif_other", tag=name)


# --- XMP -------------------------------------------------------------------------------------------------------
def _windows(size: int, pixels: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans of a file outside its compressed image data."""
    spans, pos = [], 0
    for a, b in sorted(pixels):
        if a > pos:
            spans.append((pos, a))
        pos = max(pos, b)
    if pos < size:
        spans.append((pos, size))
    return spans


def _scan_xmp(data: bytes, skip: list[tuple[int, int]], pixels: list[tuple[int, int]]) -> Iterator[bytes]:
    """XMP packets found by their envelope anywhere outside the image data (AVIF, HEIF, damaged or odd
    containers, trailers after a JPEG's end).

    ``<x:xmpmeta`` first; a bare ``<rdf:RDF`` only when there is none. Spans already read from the
    container are skipped. A packet whose end is not within MAX_XMP_BYTES is skipped.
    """
    windows = _windows(len(data), pixels)
    open_tag, end_tag = b"<x:xmpmeta", b"</x:xmpmeta>"
    if all(data.find(open_tag, a, b) < 0 for a, b in windows):
        open_tag, end_tag = b"<rdf:RDF", b"</rdf:RDF>"
    tries = 0
    for lo, hi in windows:
        start = lo
        while tries < MAX_XMP_PACKETS:
            i = data.find(open_tag, start, hi)
            if i < 0:
                break
            tries += 1
            if any(a <= i < b for a, b in skip):
                start = i + len(open_tag)
                continue
            j = data.find(end_tag, i, min(hi, i + MAX_XMP_BYTES))
            if j < 0:
                start = i + len(open_tag)
                continue
            yield data[i:j + len(end_tag)]
            start = j + len(end_tag)


def _split(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag or attribute name."""
    if tag.startswith("{") and "}" in tag:
        ns, local = tag[1:].split("}", 1)
        return ns, local
    return "", tag.rsplit(":", 1)[-1]


def _field_name(ns: str, local: str) -> str:
    prefix = _PREFIXES.get(ns)
    if prefix:
        return f"{prefix}:{local}"
    return f"{local} ({ns})" if ns else local


def _xmp_values(root: Any) -> Iterator[tuple[str, str, str]]:
    """(namespace, local name, value) for every property in an XMP tree: attributes, simple elements,
    ``rdf:resource`` values and the items of Seq/Bag/Alt arrays (reported under their property).

    Linear in the size of the tree: each element is visited once, plus once as an array item.
    """
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        for attr, value in el.attrib.items():
            ans, alocal = _split(attr)
            if ans != NS_RDF and isinstance(value, str):
                yield ans, alocal, value
        if tag == _RDF_LI or tag.startswith(f"{{{NS_RDF}}}"):
            continue
        ns, local = _split(tag)
        children = list(el)
        if not children:
            text = (el.text or "").strip() or el.attrib.get(_RDF_RESOURCE, "")
            if text:
                yield ns, local, text
            continue
        for child in children:
            if child.tag in _RDF_CONTAINERS:
                for li in child:
                    if li.tag == _RDF_LI:
                        text = (li.text or "").strip() or li.attrib.get(_RDF_RESOURCE, "")
                        if text:
                            yield ns, local, text


def _source_type_hint(name: str, value: str, out: _Collector) -> None:
    entry = labels.classify_source_type(value)
    if entry is None:
        return
    signal: HintSignal = ("generative" if entry.category == "generative"
                          else "human" if entry.category == "human" else "info")
    out.add("xmp", name, value, signal, "hint.xmp_source_type", st_k=f"st.{entry.term}",
            term=entry.term)


def _data_mining_hint(name: str, value: str, out: _Collector) -> None:
    m = _DMI.search(value)
    code = m.group(1).upper() if m else value.strip().upper()
    if code.startswith("PROHIBITED"):
        detail = f"plus.{code}" if f"plus.{code}" in CATALOG else "plus.other"  # PROHIBITED-AIMLTRAINING ...
        out.add("xmp", name, value, "training_prohibited", "hint.plus_prohibited", detail_k=detail)
    elif code.startswith("ALLOWED"):
        out.add("xmp", name, value, "training_allowed", "hint.plus_allowed")
    else:
        out.add("xmp", name, value, "info", "hint.plus_unspecified")


def _xmp_hint(ns: str, local: str, value: str, out: _Collector) -> None:
    lname = local.lower()
    name = _field_name(ns, local)
    if lname == "digitalsourcetype":
        _source_type_hint(name, value, out)
    elif lname == "datamining":
        _data_mining_hint(name, value, out)
    elif lname == "creatortool":
        product = labels.known_generator(value)
        if product:
            out.add("xmp", name, value, "generative", "hint.xmp_tool_ai", product=product)
        else:
            out.add("xmp", name, value, "info", "hint.xmp_tool")
    elif ns == NS_DCTERMS and lname == "provenance":
        if value.strip().lower().startswith("self#jumbf"):
            out.add("xmp", name, value, "info", "hint.xmp_embedded")
        else:
            out.add("xmp", name, value, "info", "hint.xmp_remote")
    elif (ns == NS_DC and lname == "creator") or (ns == NS_PHOTOSHOP and lname == "credit"):
        product = _prose_generator(value)
        if product:
            out.add("xmp", name, value, "generative", "hint.xmp_credit_ai", product=product)
        else:
            out.add("xmp", name, value, "info", "hint.xmp_creator" if lname == "creator" else "hint.xmp_credit")
    elif lname == "source" and ns == NS_PHOTOSHOP and _prose_generator(value):
        out.add("xmp", name, value, "generative", "hint.xmp_source",
                product=_prose_generator(value) or "")
    elif ns == NS_DC and lname == "description" and labels.generative_wording(value):
        out.add("xmp", name, value, "generative", "hint.xmp_description_ai")
    elif (m := _DST_URI.search(value)) is not None:  # a source-type URI under another property (history...)
        _source_type_hint(name, m.group(0), out)


def _read_xmp(data: bytes, blocks: _Blocks, extra: list[bytes], out: _Collector) -> None:
    from xml.etree.ElementTree import ParseError

    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    packets = [p for _, _, p in blocks.xmp] + extra
    skip = [(a, b) for a, b, _ in blocks.xmp if a >= 0]
    budget, parsed, seen = MAX_XMP_TOTAL, 0, set()
    for packet in _chain(packets, lambda: _scan_xmp(data, skip, blocks.pixels)):
        if parsed >= MAX_XMP_PACKETS or budget <= 0:
            return
        if len(packet) > min(MAX_XMP_BYTES, budget) or hash(packet) in seen:
            continue
        seen.add(hash(packet))
        parsed += 1
        budget -= len(packet)
        try:
            root = ElementTree.fromstring(packet.strip(b"\x00 \t\r\n"))
        except (DefusedXmlException, ParseError, ValueError, SyntaxError, UnicodeError) as exc:
            log.debug("XMP packet refused or unreadable: %s", exc)
            continue
        for ns, local, value in _xmp_values(root):
            _xmp_hint(ns, local, value, out)


def _chain(first: list[bytes], then: Callable[[], Iterator[bytes]]) -> Iterator[bytes]:
    yield from first
    yield from then()


# --- PNG text chunks -------------------------------------------------------------------------------------------
def _looks_like_comfyui(text: str) -> bool:
    if not text.lstrip().startswith(("{", "[")):
        return False
    try:
        doc = json.loads(text)
    except ValueError:
        return False
    if not isinstance(doc, (dict, list)):
        return False
    blob = text[:200_000]
    return any(k in blob for k in ('"class_type"', "KSampler", "CheckpointLoader", '"nodes"', '"links"'))


def _png_hint(key: str, text: str, out: _Collector) -> None:
    k = key.strip().lower()
    label = f"PNG {key}"
    if k == "parameters":
        if _A1111.search(text):
            out.add("png", label, text, "generative", "hint.png_a1111")
        else:
            out.add("png", label, text, "info", "hint.png_parameters")
    elif k in ("prompt", "workflow"):
        if _looks_like_comfyui(text):
            out.add("png", label, text, "generative", "hint.png_comfyui")
        else:
            out.add("png", label, text, "info", "hint.png_chunk", chunk=k)
    elif k in ("invokeai_metadata", "invokeai_graph", "sd-metadata", "dream"):
        out.add("png", label, text, "generative", "hint.png_invokeai")
    elif k in ("software", "source"):
        if (maker := _tool_maker(text)) is not None:
            out.add("png", label, text, "generative", "hint.png_made_with", maker=maker)
        else:
            out.add("png", label, text, "info", "hint.png_names", chunk=k)
    elif k in ("comment", "description", "title", "author", "copyright"):
        if k == "comment" and text.lstrip().startswith("{") and sum(x in text for x in _NOVELAI_KEYS) >= 2:
            out.add("png", label, text, "generative", "hint.png_novelai")
            return
        if k in ("description", "comment") and _MIDJOURNEY.search(text):
            out.add("png", label, text, "generative", "hint.png_midjourney")
            return
        product = _prose_generator(text)
        if product or labels.generative_wording(text):
            out.add("png", label, text, "generative", "hint.png_made_with_ai",
                    **({"product": product} if product else {"product_k": "hint.generative_ai"}))
        elif k in ("author", "copyright"):
            out.add("png", label, text, "info", "hint.png_person",
                    who_k="hint.author" if k == "author" else "hint.rights")
        else:
            out.add("png", label, text, "info", "hint.png_other", chunk=k)


# --- Entry points ----------------------------------------------------------------------------------------------
def read_hints(data: bytes, *, max_bytes: int = 64 * 1024 * 1024) -> tuple[Hint, ...]:
    """Every provenance hint found outside C2PA in ``data`` (XMP, EXIF, PNG text), without decoding pixels.

    Only the first ``max_bytes`` are looked at. Hints come in the order found, one per distinct
    (source, field, value); each value is cleaned of control characters and cut to 300 characters.

    Raises: nothing for any content of ``data`` (a damaged part gives the hints found before it; problems
    are logged at debug level on the ``handmade.hints`` logger).
    """
    out = _Collector()
    try:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            return ()
        data = bytes(data[:max_bytes]) if len(data) > max_bytes or not isinstance(data, bytes) else data
        blocks = _blocks(data)
        exif_values, tiff_xmp = _read_exif(blocks)
        _read_xmp(data, blocks, tiff_xmp, out)
        for name, value in exif_values:
            _exif_hint(name, value, out)
        for key, text in blocks.text:
            _png_hint(key, text, out)
    except Exception as exc:  # best effort by contract: a bug on hostile input must not fail a verification
        log.debug("hint reader failed: %s: %s", type(exc).__name__, exc)
    return tuple(out.hints)


summarize = summarize_hints  # the same rule ProvenanceReport.hints_suggest applies
