"""Small real files of the non-raster formats, made in the test: MP4/MOV (PyAV's bundled encoder), SVG,
PDF (written by hand: a one-page PDF 1.4 with a correct cross-reference table) and JPEG XL (when a JPEG XL
encoder is installed)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest


def make_video(path: Path, *, container: str = "mp4", frames: int = 12, size: int = 64, codec: str = "mpeg4",
               xmp: bytes | None = None) -> Path:
    """A short real film encoded with PyAV (its wheel ships FFmpeg); skipped loudly without PyAV."""
    av = pytest.importorskip("av", reason="PyAV (the 'test' extra) makes the test videos")
    import numpy as np

    with av.open(str(path), mode="w", format="mov" if container == "mov" else "mp4") as out:
        stream = out.add_stream(codec, rate=12)
        stream.width = stream.height = size
        stream.pix_fmt = "yuv420p"
        for i in range(frames):
            img = np.zeros((size, size, 3), dtype=np.uint8)
            img[:, : (i * size) // frames] = (200, 40, 40)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    if xmp is not None:  # an XMP packet in a top-level 'uuid' box, as Adobe tools write it
        uuid = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")
        box = (8 + 16 + len(xmp)).to_bytes(4, "big") + b"uuid" + uuid + xmp
        path.write_bytes(path.read_bytes() + box)
    return path


SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
       b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80" viewBox="0 0 120 80">\n'
       b'  <title>Fox, ink</title>\n'
       b'  <rect width="120" height="80" fill="#f4efe4"/>\n'
       b'  <path d="M10 70 L60 10 L110 70 Z" fill="none" stroke="#222" stroke-width="3"/>\n'
       b'</svg>\n')


def make_svg(path: Path, body: bytes = SVG) -> Path:
    path.write_bytes(body)
    return path


def pdf_bytes(text: str = "Portfolio, page 1", xmp: bytes | None = None) -> bytes:
    """A valid one-page PDF 1.4: catalog, pages, a page with a Helvetica text stream, an xref table; with
    ``xmp``, the document's XMP metadata stream (uncompressed, as PDF 1.4 §10.2.2 describes)."""
    content = f"BT /F1 18 Tf 36 100 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R%s >>" % (b" /Metadata 6 0 R" if xmp is not None else b""),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 150] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if xmp is not None:
        objects.append(b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(xmp) + xmp
                       + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def make_pdf(path: Path) -> Path:
    path.write_bytes(pdf_bytes())
    return path


def make_jxl(path: Path, size: int = 48) -> Path:
    """A lossless JPEG XL (pillow-jxl-plugin's encoder); skipped loudly when no encoder is installed."""
    pytest.importorskip("pillow_jxl", reason="pillow-jxl-plugin (the 'test' extra) encodes the JPEG XL test file")
    from PIL import Image

    Image.new("RGB", (size, size), (30, 90, 160)).save(path, format="JXL", lossless=True)
    return path
