"""Formats are recognised from their bytes: MP4/MOV/M4V by their ``ftyp`` brands, JPEG XL by its two
signatures, PDF by ``%PDF-``, SVG by its root element (defusedxml, bounded), NEF/ARW by IFD0's Make and
SubIFDs, DNG by its DNGVersion tag. Names never decide (except the old ``.dng`` fallback)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from tests.media import SVG, make_jxl, make_video, pdf_bytes

from handmade.errors import InputError
from handmade.files import SVG_HEAD_BYTES, jxl_container, loaded_from_bytes, sniff_mime


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + bytes(4) + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + bytes(16)


@pytest.mark.parametrize("head,mime", [
    (ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41"), "video/mp4"),
    (ftyp(b"mp42", b"mp42", b"isom"), "video/mp4"),
    (ftyp(b"qt  ", b"qt  "), "video/quicktime"),
    (ftyp(b"M4V ", b"M4V ", b"mp42", b"isom"), "video/x-m4v"),
    (ftyp(b"heic", b"mif1", b"heic"), "image/heic"),
    (ftyp(b"avif", b"mif1", b"avif"), "image/avif"),
    (ftyp(b"M4A ", b"M4A ", b"mp42", b"isom"), None),  # sound only
    (ftyp(b"zzzz", b"zzzz"), None),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
    (b"\xff\x0a\xff\x07", "image/jxl"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n" + ftyp(b"jxl ", b"jxl "), "image/jxl"),
])
def test_brands_and_signatures(head: bytes, mime: str | None) -> None:
    assert sniff_mime(head, "whatever.jpg") == mime


def test_real_films_are_recognised_whatever_their_name(tmp_path: Path) -> None:
    mp4 = make_video(tmp_path / "a.bin").read_bytes()
    mov = make_video(tmp_path / "b.bin", container="mov").read_bytes()
    assert sniff_mime(mp4, "film.mov") == "video/mp4"
    assert sniff_mime(mov, "film.mp4") == "video/quicktime"


def test_a_real_pdf_and_jpeg_xl(tmp_path: Path) -> None:
    assert sniff_mime(pdf_bytes(), "x.png") == "application/pdf"
    bare = make_jxl(tmp_path / "a.jxl").read_bytes()
    assert sniff_mime(bare) == "image/jxl" and sniff_mime(jxl_container(bare)) == "image/jxl"


def test_the_container_holds_the_same_picture(tmp_path: Path) -> None:
    """The wrapping used before signing a bare codestream decodes to the same pixels."""
    from PIL import Image

    bare = make_jxl(tmp_path / "a.jxl").read_bytes()
    with Image.open(io.BytesIO(bare)) as a, Image.open(io.BytesIO(jxl_container(bare))) as b:
        assert a.size == b.size and a.tobytes() == b.tobytes()


NS = b'xmlns="http://www.w3.org/2000/svg"'


@pytest.mark.parametrize("doc", [
    SVG,
    b"\xef\xbb\xbf" + SVG,
    b'\n  <!-- exported -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg ' + NS + b' width="1" height="1"/>',
    b"<svg " + NS + b">" + b"<g/>" * 100_000 + b"</svg>",  # big: only the head is read
])
def test_svg_is_recognised_by_its_root(doc: bytes) -> None:
    assert sniff_mime(doc) == "image/svg+xml"


@pytest.mark.parametrize("doc", [
    # a billion laughs: entities declared in the DTD are refused before anything is expanded
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    b"<svg " + NS + b">&b;</svg>",
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg ' + NS + b">&x;</svg>",
    b"<html><body><svg " + NS + b"/></body></html>",  # an SVG inside HTML is an HTML page
    b'<svg width="1"/>',  # no SVG namespace: browsers do not draw it as SVG
    b"<svg " + NS,  # not well-formed
    b"<!-- " + b"x" * SVG_HEAD_BYTES + b" --><svg " + NS + b"/>",  # the root starts past the bounded head
    b"hello <svg",
])
def test_what_is_not_an_svg(doc: bytes) -> None:
    assert sniff_mime(doc) is None
    with pytest.raises(InputError) as exc:
        loaded_from_bytes(doc, "art.svg")
    assert exc.value.code == "input.not_image" and "SVG" in exc.value.message


def tiff(tags: dict[int, object], types: dict[int, int] | None = None) -> bytes:
    from PIL import Image, TiffImagePlugin

    info = TiffImagePlugin.ImageFileDirectory_v2()
    for tag, value in tags.items():
        info[tag] = value
        if types and tag in types:
            info.tagtype[tag] = types[tag]
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (9, 9, 9)).save(out, "TIFF", tiffinfo=info)
    return out.getvalue()


SUB_IFDS = {330: 0}
LONG = {330: 4}


@pytest.mark.parametrize("tags,name,mime", [
    ({271: "NIKON CORPORATION", **SUB_IFDS}, "DSC_0001.tif", "image/x-nikon-nef"),
    ({271: "SONY", **SUB_IFDS}, "DSC01234.tif", "image/x-sony-arw"),
    ({271: "NIKON CORPORATION"}, "DSC_0001.nef", "image/tiff"),  # a camera's plain TIFF, whatever its name
    ({271: "Canon", **SUB_IFDS}, "x.arw", "image/tiff"),
    ({271: "NIKON CORPORATION", **SUB_IFDS, 50706: b"\x01\x04\x00\x00"}, "x.nef", "image/x-adobe-dng"),
    ({50706: b"\x01\x04\x00\x00"}, "x.tif", "image/x-adobe-dng"),  # DNG by its tag, not by its name
    ({}, "x.dng", "image/x-adobe-dng"),  # a TIFF named .dng stays DNG, as before
    ({}, "x.tif", "image/tiff"),
])
def test_tiff_family_is_told_apart_by_its_tags(tags: dict[int, object], name: str, mime: str) -> None:
    types = {**LONG, 50706: 1} if 50706 in tags else LONG
    assert sniff_mime(tiff(tags, types), name) == mime


def test_a_hostile_ifd_costs_nothing() -> None:
    """65,535 entries claiming huge values that point past the end: the walk is bounded, nothing is read."""
    entry = (271).to_bytes(2, "little") + (2).to_bytes(2, "little") + (2**31).to_bytes(4, "little") + bytes(4)
    data = b"II*\x00" + (8).to_bytes(4, "little") + (65535).to_bytes(2, "little") + entry * 2000
    assert sniff_mime(data) == "image/tiff"
    assert sniff_mime(b"II*\x00" + (2**31).to_bytes(4, "little")) == "image/tiff"
