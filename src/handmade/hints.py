"""Provenance hints outside C2PA: XMP/IPTC, PLUS data mining, EXIF, PNG text chunks of AI tools.

Hints are unsigned: anyone can write or strip them. They are reported beside the C2PA verdict, never
instead of it (a file with no manifest is ``unknown``, whatever its metadata says), and signing refuses a
file whose own metadata says it was AI-generated.

Reading never decodes pixels and never raises on garbage: a damaged file gives the hints found so far.
XMP is parsed with defusedxml (entity bombs and external entities are refused).
"""

from __future__ import annotations

import io
import json
import logging
import re
import struct
import zlib
from collections.abc import Iterator
from typing import Any

from handmade import labels
from handmade.files import sniff_mime
from handmade.lineage import clean_text
from handmade.models import Hint, HintSignal

log = logging.getLogger(__name__)

MAX_XMP_BYTES = 4 * 1024 * 1024
MAX_TEXT_CHUNK = 1024 * 1024
MAX_VALUE = 300

NS_IPTC_EXT = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
NS_PLUS = "http://ns.useplus.org/ldf/xmp/1.0/"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_XMP = "http://ns.adobe.com/xap/1.0/"
NS_DCTERMS = "http://purl.org/dc/terms/"
NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

_DMI = re.compile(r"DMI-([A-Z-]+)", re.IGNORECASE)
_A1111 = re.compile(r"(Steps:\s*\d+|Sampler:|CFG scale:|Negative prompt:)", re.IGNORECASE)


class _Collector:
    def __init__(self) -> None:
        self.hints: list[Hint] = []
        self._seen: set[tuple[str, str, str]] = set()

    def add(self, source: str, field: str, value: object, signal: HintSignal, message: str) -> None:
        text = clean_text(value, MAX_VALUE) or ""
        key = (source, field, text)
        if key in self._seen:
            return
        self._seen.add(key)
        self.hints.append(Hint(source=source, field=field, value=text, signal=signal,
                               message=message + " Unsigned metadata: anyone can write or strip it."))


# --- XMP -----------------------------------------------------------------------------------------------------
def _xmp_packets(data: bytes) -> Iterator[bytes]:
    """Every XMP packet in the file, found by its envelope (works for JPEG, PNG, WebP, TIFF, HEIF, AVIF).

    One pass over the bytes for ``<x:xmpmeta``; a bare ``<rdf:RDF`` is looked for only when there is none.
    """
    start, found = 0, 0
    open_tag, end_tag = b"<x:xmpmeta", b"</x:xmpmeta>"
    if data.find(open_tag) < 0:
        open_tag, end_tag = b"<rdf:RDF", b"</rdf:RDF>"
    while found < 8:
        i = data.find(open_tag, start)
        if i < 0:
            return
        j = data.find(end_tag, i, i + MAX_XMP_BYTES)
        if j < 0:
            return
        found += 1
        yield data[i:j + len(end_tag)]
        start = j + len(end_tag)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag.rsplit(":", 1)[-1]


def _xmp_values(root: Any) -> Iterator[tuple[str, str, str]]:
    """(namespace, local name, text) for every attribute and leaf element value in an XMP tree."""
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        for attr, value in el.attrib.items():
            ns = attr[1:].split("}", 1)[0] if attr.startswith("{") else ""
            yield ns, _local(attr), value
        if el.text and el.text.strip() and len(el) == 0:
            # rdf:li values belong to their enclosing property: report them under it
            ns = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
            yield ns, _local(tag), el.text.strip()
        if len(el) and tag.startswith("{"):
            for li in el.iter(f"{{{NS_RDF}}}li"):
                if li.text and li.text.strip():
                    yield tag[1:].split("}", 1)[0], _local(tag), li.text.strip()


def _read_xmp(data: bytes, out: _Collector) -> None:
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    for packet in _xmp_packets(data):
        try:
            root = ElementTree.fromstring(packet)
        except (DefusedXmlException, ElementTree.ParseError, ValueError, SyntaxError) as exc:
            log.debug("unreadable XMP packet: %s", exc)
            continue
        for ns, name, value in _xmp_values(root):
            lname = name.lower()
            if lname == "digitalsourcetype":
                entry = labels.classify_source_type(value)
                if entry is None:
                    continue
                signal: HintSignal = ("generative" if entry.category == "generative"
                                      else "human" if entry.category == "human" else "info")
                out.add("xmp", "Iptc4xmpExt:DigitalSourceType", value, signal,
                        f"XMP says the image was {entry.en} ({entry.term}).")
            elif lname == "datamining" or (ns == NS_PLUS and "mining" in lname):
                m = _DMI.search(value)
                code = m.group(1).upper() if m else value
                if code.startswith("PROHIBITED"):
                    out.add("xmp", "plus:DataMining", value, "training_prohibited",
                            "XMP (PLUS) prohibits data mining / AI training.")
                elif code.startswith("ALLOWED"):
                    out.add("xmp", "plus:DataMining", value, "training_allowed",
                            "XMP (PLUS) allows data mining.")
                else:
                    out.add("xmp", "plus:DataMining", value, "info", "XMP (PLUS) data-mining field.")
            elif lname == "creatortool":
                product = labels.known_generator(value)
                if product:
                    out.add("xmp", "xmp:CreatorTool", value, "generative",
                            f"XMP names {product}, a generative-AI product, as the creating tool.")
                else:
                    out.add("xmp", "xmp:CreatorTool", value, "info", "XMP names the creating tool.")
            elif ns == NS_DCTERMS and lname == "provenance":
                out.add("xmp", "dcterms:provenance", value, "info",
                        "XMP points to Content Credentials (a C2PA manifest) stored elsewhere.")
            elif ns == NS_DC and lname == "creator":
                out.add("xmp", "dc:creator", value, "info", "XMP names the creator.")
            elif lname in ("credit", "source") and labels.known_generator(value):
                out.add("xmp", name, value, "generative", f"XMP credits {labels.known_generator(value)}.")


# --- EXIF ----------------------------------------------------------------------------------------------------
def _user_comment(raw: object) -> str:
    if isinstance(raw, bytes):
        prefix, body = raw[:8], raw[8:]
        if prefix.startswith(b"UNICODE"):
            for enc in ("utf-16-be", "utf-16-le"):
                try:
                    return body.decode(enc).strip("\x00 ")
                except UnicodeDecodeError:
                    continue
        return body.decode("utf-8", "replace").strip("\x00 ") if prefix.strip(b"\x00") else raw.decode(
            "utf-8", "replace").strip("\x00 ")
    return str(raw)


# Generator-specific EXIF fingerprints: (field, pattern, product). xAI's Grok writes a long base64
# "Signature:" in ImageDescription/UserComment and nothing else (corpus: nomanifest-ai-grok-exif-signature).
_EXIF_FINGERPRINTS = (
    ("ImageDescription", re.compile(r"^Signature: [A-Za-z0-9+/=]{64,}"), "xAI Grok"),
    ("UserComment", re.compile(r"^Signature: [A-Za-z0-9+/=]{64,}"), "xAI Grok"),
)
_EXIF_TAGS = {"0th": {0x0131: "Software", 0x013B: "Artist", 0x8298: "Copyright", 0x010E: "ImageDescription",
                      0x010F: "Make", 0x0110: "Model"},
              "Exif": {0x9286: "UserComment"}}


def _png_exif_chunk(data: bytes) -> bytes | None:
    """The raw EXIF of a PNG's eXIf chunk (Pillow's own getexif() on PNG decodes the whole image)."""
    pos = 8
    while pos + 8 <= len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        if ctype == b"eXIf":
            return data[pos + 8:pos + 8 + length]
        if ctype in (b"IDAT", b"IEND"):
            return None
        pos += 12 + length
    return None


def _exif(data: bytes) -> Any:
    """Pillow's EXIF mapping for the file, read without decoding pixels, or None.

    Pillow, not piexif: piexif builds a struct format string from each tag's untrusted count, so a 16 KB
    mutated TIFF cost 14 s and 3.5 GB (found by fuzz/fuzz_inspect.py); Pillow skips tags larger than the file.
    """
    import warnings

    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Tag data larger than file": expected on hostile input
        mime = sniff_mime(data)
        if mime == "image/png":
            raw = _png_exif_chunk(data)
            if not raw:
                return None
            exif = Image.Exif()
            exif.load(raw if raw.startswith(b"Exif") else b"Exif\x00\x00" + raw)
            return exif
        if mime not in ("image/jpeg", "image/tiff", "image/x-adobe-dng", "image/webp"):
            return None
        with Image.open(io.BytesIO(data)) as im:  # header and metadata only; pixels are never loaded
            return im.getexif()


def _read_exif(data: bytes, out: _Collector) -> None:
    try:
        exif = _exif(data)
    except Exception as exc:
        log.debug("no EXIF: %s", exc)
        return
    if exif is None:
        return
    try:
        sub = exif.get_ifd(0x8769)
    except Exception:
        sub = {}
    fields: dict[str, str] = {}
    for ifd, tags in _EXIF_TAGS.items():
        source = exif if ifd == "0th" else sub
        for tag, name in tags.items():
            raw = source.get(tag)
            if raw is not None:
                fields[name] = clean_text(_user_comment(raw) if name == "UserComment" else raw) or ""
    for name, value in fields.items():
        if not value:
            continue
        product = labels.known_generator(value)
        fingerprint = next((p for f, rx, p in _EXIF_FINGERPRINTS if f == name and rx.match(value)), None)
        if fingerprint:
            out.add("exif", f"EXIF {name}", value, "generative",
                    f"EXIF {name} carries the image signature that {fingerprint} writes into its AI images.")
        elif name in ("Software", "ImageDescription", "UserComment", "Artist") and (
                product or labels.generative_wording(value)):
            out.add("exif", f"EXIF {name}", value, "generative",
                    f"EXIF {name} mentions {product or 'AI generation'}.")
        elif name in ("Make", "Model"):
            out.add("exif", f"EXIF {name}", value, "info", f"EXIF names the camera ({name.lower()}).")
        else:
            out.add("exif", f"EXIF {name}", value, "info", f"EXIF {name}.")


# --- PNG text chunks -----------------------------------------------------------------------------------------
def _png_text_chunks(data: bytes) -> Iterator[tuple[str, str]]:
    """(keyword, text) of tEXt, zTXt and iTXt chunks; bounded, never decompressing more than MAX_TEXT_CHUNK."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return
    pos = 8
    count = 0
    while pos + 8 <= len(data) and count < 512:
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        count += 1
        if ctype == b"IEND" or length > len(data):
            return
        try:
            if ctype == b"tEXt":
                key, _, text = body.partition(b"\x00")
                yield key.decode("latin-1"), text[:MAX_TEXT_CHUNK].decode("latin-1")
            elif ctype == b"zTXt":
                key, _, rest = body.partition(b"\x00")
                d = zlib.decompressobj()
                yield key.decode("latin-1"), d.decompress(rest[1:], MAX_TEXT_CHUNK).decode("latin-1")
            elif ctype == b"iTXt":
                key, _, rest = body.partition(b"\x00")
                compressed, rest = rest[:1] == b"\x01", rest[2:]
                _lang, _, rest = rest.partition(b"\x00")
                _tkey, _, text = rest.partition(b"\x00")
                if compressed:
                    text = zlib.decompressobj().decompress(text, MAX_TEXT_CHUNK)
                yield key.decode("latin-1"), text[:MAX_TEXT_CHUNK].decode("utf-8", "replace")
        except (zlib.error, UnicodeDecodeError, ValueError):
            continue


def _looks_like_comfyui(text: str) -> bool:
    try:
        doc = json.loads(text)
    except ValueError:
        return False
    blob = json.dumps(doc)[:200_000] if isinstance(doc, (dict, list)) else ""
    return any(k in blob for k in ("class_type", "KSampler", "CheckpointLoader", "\"nodes\""))


def _read_png_text(data: bytes, out: _Collector) -> None:
    for key, text in _png_text_chunks(data):
        k = key.strip().lower()
        if k == "xml:com.adobe.xmp":
            continue  # read by the XMP reader
        if k == "parameters" and _A1111.search(text):
            out.add("png", "PNG parameters", text, "generative",
                    "PNG text carries Stable Diffusion generation parameters (AUTOMATIC1111/Forge web UI).")
        elif k in ("prompt", "workflow") and _looks_like_comfyui(text):
            out.add("png", f"PNG {key}", text, "generative", "PNG text carries a ComfyUI generation workflow.")
        elif k in ("invokeai_metadata", "invokeai_graph", "sd-metadata", "dream"):
            out.add("png", f"PNG {key}", text, "generative", "PNG text carries InvokeAI generation metadata.")
        elif k in ("software", "source", "comment", "description", "title", "generation time"):
            product = labels.known_generator(text)
            novelai = "novelai" in text.lower() or (k == "comment" and '"sampler"' in text and '"steps"' in text)
            if product or novelai or labels.generative_wording(text):
                name = "NovelAI" if novelai and not product else product or "AI generation"
                out.add("png", f"PNG {key}", text, "generative", f"PNG text names {name}.")
            else:
                out.add("png", f"PNG {key}", text, "info", f"PNG text {key}.")
        elif k in ("author", "copyright"):
            out.add("png", f"PNG {key}", text, "info", f"PNG text {key}.")


def read_hints(data: bytes, *, max_bytes: int = 64 * 1024 * 1024) -> tuple[Hint, ...]:
    """Every provenance hint found outside C2PA in ``data``. Never raises for file content."""
    out = _Collector()
    data = data[:max_bytes]
    for reader in (_read_xmp, _read_exif, _read_png_text):
        try:
            reader(data, out)
        except Exception as exc:
            log.debug("hint reader %s failed: %s", reader.__name__, exc)
    return tuple(out.hints)


def summarize(hints: tuple[Hint, ...] | list[Hint]) -> HintSignal | None:
    """``generative`` if any hint says so, else ``human`` if any does, else None."""
    signals = {h.signal for h in hints}
    if "generative" in signals:
        return "generative"
    if "human" in signals:
        return "human"
    return None
