"""handmade's own EXIF reader (``hints._load_exif``) reads what Pillow's ``Image.Exif`` reads: on blocks written
by Pillow in both byte orders, on the EXIF of the corpus's files, and on thousands of damaged copies of them
(bytes flipped, blocks cut short). Pillow is the oracle here; the verify path no longer imports it for EXIF."""

from __future__ import annotations

import random
import struct
import warnings
from pathlib import Path

import pytest
from PIL import Image
from tests.conftest import CORPUS

from handmade.hints import _EXIF_0TH, _EXIF_IFD, _EXIF_SUB, _TIFF_XMP, _blocks, _load_exif

Outcome = tuple[dict[str, object], bytes | None] | None


def pillow_exif(raw: bytes) -> Outcome:
    """What the reader did with Pillow (handmade up to 2026-12): None when the block is unreadable."""
    try:
        exif = Image.Exif()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exif.load(raw)
            fields: dict[str, object] = {name: exif[tag] for tag, name in _EXIF_0TH.items() if tag in exif}
            xmp = exif.get(_TIFF_XMP)
            if _EXIF_IFD in exif:
                sub = exif.get_ifd(_EXIF_IFD)
                fields.update({name: sub[tag] for tag, name in _EXIF_SUB.items() if tag in sub})
    except (OSError, SyntaxError, ValueError, struct.error, KeyError, TypeError, IndexError, EOFError):
        return None
    # Values that no text field holds (rationals, floats) are left out by handmade's reader: they are not text.
    kept = {k: v for k, v in fields.items() if isinstance(v, str | bytes | int)
            or (isinstance(v, tuple) and all(isinstance(x, int) for x in v))}
    return kept, xmp if isinstance(xmp, bytes) else None


def ours(raw: bytes) -> Outcome:
    try:
        return _load_exif(raw)
    except (SyntaxError, ValueError, struct.error):
        return None


def made_by_pillow(endian: str) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS R5"
    exif[0x0131] = "Adobe Photoshop 26.0 (Macintosh)"
    exif[0x013B] = "Jane Doe"
    exif[0x8298] = "(c) 2026 Jane"
    exif[0x010E] = "A harbour at dawn"
    exif[_TIFF_XMP] = b"<x:xmpmeta/>"
    exif.get_ifd(_EXIF_IFD)[0x9286] = b"UNICODE\x00" + "made by hand".encode("utf-16-be")
    exif.endian = endian
    return exif.tobytes()


def base_blocks() -> list[bytes]:
    blocks = [made_by_pillow("<"), made_by_pillow(">"), b"Exif\x00\x00" + made_by_pillow("<")]
    if CORPUS.is_dir():
        for path in sorted(CORPUS.iterdir())[:40]:
            if path.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff"):
                blocks += [b[:200_000] for b in _blocks(path.read_bytes()).exif[:2]]
    return blocks


def test_reads_what_pillow_writes_in_both_byte_orders() -> None:
    for endian in "<>":
        fields, xmp = _load_exif(made_by_pillow(endian))
        assert fields["Make"] == "Canon" and fields["Model"] == "EOS R5"
        assert fields["Artist"] == "Jane Doe"
        assert isinstance(fields["UserComment"], bytes) and fields["UserComment"].startswith(b"UNICODE\x00")
        assert xmp == b"<x:xmpmeta/>"
        assert (fields, xmp) == pillow_exif(made_by_pillow(endian))


@pytest.mark.parametrize("seed", range(4))
def test_reads_what_pillow_reads_on_real_and_damaged_blocks(seed: int) -> None:
    rng = random.Random(seed)
    for raw in base_blocks():
        assert ours(raw) == pillow_exif(raw)
        head = raw[:4096]  # the IFDs live near the start; damage there is what matters
        for _ in range(150):
            damaged = bytearray(head)
            for _ in range(rng.randint(1, 4)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            cut = bytes(damaged[: rng.randrange(1, len(damaged) + 1)]) if rng.random() < 0.3 else bytes(damaged)
            assert ours(cut) == pillow_exif(cut), cut[:64]


def test_not_a_tiff_structure_is_unreadable() -> None:
    assert ours(b"not exif at all") is None
    assert _load_exif(b"") == ({}, None)
    assert _load_exif(b"Exif\x00\x00") == ({}, None)


def test_the_reader_does_not_import_pillow(tmp_path: Path) -> None:
    import subprocess
    import sys

    src = Path(__file__).resolve().parents[2] / "src"
    code = ("import sys; from handmade.hints import _load_exif; "
            f"_load_exif({made_by_pillow('<')!r}); print('PIL' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(src), "PATH": ""}, cwd=tmp_path)
    assert out.stdout.strip() == "False"
