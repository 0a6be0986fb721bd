"""Hints outside C2PA, on files made here with Pillow (the corpus cases are in tests/integration)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin
from tests.conftest import CORPUS

from handmade.hints import read_hints, summarize


def png_with_text(**chunks: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    for k, v in chunks.items():
        info.add_text(k, v)
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def xmp_packet(body: str) -> bytes:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        'xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        f"{body}/></rdf:RDF></x:xmpmeta>"
    ).encode()


def jpeg_with_xmp(body: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG", xmp=xmp_packet(body))
    return out.getvalue()


def signals(data: bytes) -> set[str]:
    return {h.signal for h in read_hints(data)}


def test_a1111_parameters() -> None:
    data = png_with_text(parameters="a cat\nNegative prompt: dog\nSteps: 20, Sampler: Euler a, CFG scale: 7")
    assert "generative" in signals(data)


def test_comfyui_prompt() -> None:
    prompt = json.dumps({"3": {"class_type": "KSampler", "inputs": {"seed": 1}}})
    assert "generative" in signals(png_with_text(prompt=prompt))


def test_novelai() -> None:
    assert "generative" in signals(png_with_text(Software="NovelAI", Comment='{"steps": 28, "sampler": "k_euler"}'))


def test_plain_png_text_is_not_generative() -> None:
    assert "generative" not in signals(png_with_text(Software="GIMP 2.10", parameters="exposure +1"))


@pytest.mark.parametrize("uri,signal", [
    ("https://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia", "generative"),
    (" http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture", "human"),
    ("TrainedAlgorithmicMedia", "generative"),
    ("http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia", "info"),
])
def test_xmp_digital_source_type(uri: str, signal: str) -> None:
    hints = read_hints(jpeg_with_xmp(f'Iptc4xmpExt:DigitalSourceType="{uri}"'))
    assert [h.signal for h in hints if h.field == "Iptc4xmpExt:DigitalSourceType"] == [signal]


def test_plus_data_mining_prohibited() -> None:
    data = jpeg_with_xmp('plus:DataMining="http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING"')
    assert "training_prohibited" in signals(data)


def test_creator_tool_generator() -> None:
    assert "generative" in signals(jpeg_with_xmp('xmp:CreatorTool="Midjourney v6"'))
    assert "generative" not in signals(jpeg_with_xmp('xmp:CreatorTool="Adobe Photoshop 26.0"'))


def test_exif_software_generator_and_camera() -> None:
    exif = Image.Exif()
    exif[0x0131] = "DALL-E 3"
    exif[0x010F] = "NIKON CORPORATION"
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG", exif=exif)
    hints = read_hints(out.getvalue())
    assert {(h.field, h.signal) for h in hints} >= {("EXIF Software", "generative"), ("EXIF Make", "info")}


def test_png_exif_chunk_is_read_without_decoding() -> None:
    exif = Image.Exif()
    exif[0x0131] = "Stable Diffusion"
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG", exif=exif)
    assert "generative" in signals(out.getvalue())


def test_entity_bomb_is_refused() -> None:
    """A well-formed billion-laughs packet that also carries a valid source type: defusedxml must refuse the
    whole packet (no hint), quickly."""
    import time

    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    packet = ('<?xml version="1.0"?><!DOCTYPE x:xmpmeta [' + entities + ']>'
              '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
              '<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
              'Iptc4xmpExt:DigitalSourceType="trainedAlgorithmicMedia" dc="&lol9;"/></rdf:RDF></x:xmpmeta>')
    t = time.perf_counter()
    assert read_hints(b"\xff\xd8\xff" + packet.encode()) == ()
    assert time.perf_counter() - t < 2
    # the same packet without the entities is read: the refusal above is the bomb's, not a parse failure
    plain = packet.replace('dc="&lol9;"', 'dc="x"')
    plain = plain[:plain.index("<!DOCTYPE")] + plain[plain.index("]>") + 2:]
    assert "generative" in {h.signal for h in read_hints(b"\xff\xd8\xff" + plain.encode())}


def test_values_are_cleaned_and_bounded() -> None:
    hints = read_hints(png_with_text(Author="\x1b[31mEvil\x00" + "A" * 5000))
    assert hints and all(len(h.value) <= 300 and "\x1b" not in h.value and "\x00" not in h.value for h in hints)


def test_summarize() -> None:
    gen = read_hints(png_with_text(parameters="Steps: 20, Sampler: Euler"))
    assert summarize(gen) == "generative" and summarize(()) is None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096))
def test_never_raises_on_arbitrary_bytes(data: bytes) -> None:
    read_hints(data)
    read_hints(b"\x89PNG\r\n\x1a\n" + data)
    read_hints(b"\xff\xd8\xff" + data)


def test_corpus_nomanifest_expectations() -> None:
    if not (CORPUS / "CATALOG.json").is_file():
        pytest.skip(f"THIRD-PARTY CORPUS NOT FOUND at {CORPUS}: set HANDMADE_CORPUS to run these tests")
    gen = {p.name for p in Path(CORPUS).glob("nomanifest-*") if "generative" in signals(p.read_bytes())}
    assert gen == {"nomanifest-ai-grok-exif-signature.jpg", "nomanifest-ai-midjourney-xmp-dst.png"}


GENERATIVE_DST = 'Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"'


def test_xmp_in_a_trailer_after_the_jpeg_end_is_still_found() -> None:
    plain = io.BytesIO()
    Image.new("RGB", (64, 64), (90, 120, 30)).save(plain, "JPEG")
    assert "generative" in signals(plain.getvalue() + xmp_packet(GENERATIVE_DST))


def test_xmp_lookalike_inside_jpeg_scan_data_is_not_metadata() -> None:
    """The fallback search skips the entropy-coded scan (between SOS and the last EOI): bytes there are
    pixels, and searching them was 5 ms of the 5.1 ms hints took on a 12 MP photo."""
    plain = io.BytesIO()
    Image.new("RGB", (64, 64), (90, 120, 30)).save(plain, "JPEG")
    data = plain.getvalue()
    sos = data.index(b"\xff\xda")
    inside = data[:sos + 20] + xmp_packet(GENERATIVE_DST) + data[sos + 20:]
    assert "generative" not in signals(inside)
    # the same bytes before the scan (an unknown segment, a damaged header) are still searched
    assert "generative" in signals(data[:sos] + xmp_packet(GENERATIVE_DST) + data[sos:])


def test_xmp_lookalike_inside_png_idat_is_not_metadata() -> None:
    import struct
    import zlib

    data = png_with_text()
    packet = xmp_packet(GENERATIVE_DST)
    idat = struct.pack(">I", len(packet)) + b"IDAT" + packet + struct.pack(">I", zlib.crc32(b"IDAT" + packet))
    iend = data.rindex(b"IEND") - 4
    assert "generative" not in signals(data[:iend] + idat + data[iend:])
    text = struct.pack(">I", len(packet)) + b"teXt" + packet + struct.pack(">I", zlib.crc32(b"teXt" + packet))
    assert "generative" in signals(data[:iend] + text + data[iend:])  # an unknown chunk is still searched
