"""Tampering is always caught on our own signed files, and nothing is lost when writing fails.

The JPEG helpers below only move whole APP11 segments (where JPEG carries the C2PA JUMBF) between files;
they do not parse C2PA.
"""

from __future__ import annotations

import errno
import os
import struct
from pathlib import Path

import pytest

from handmade.errors import SigningError
from handmade.keys import bundled_test_root_pem, load_identity
from handmade.sign import SignOptions, sign_image
from handmade.verify import TrustAnchors, inspect_bytes
from tests.conftest import make_photo
from tests.pki import make_pki

TEST_ROOT = TrustAnchors.from_pem(bundled_test_root_pem(), "test root")


def segments(jpeg: bytes) -> list[tuple[int, bytes]]:
    """(marker, whole segment bytes) up to the start of scan, then the rest as one pseudo-segment."""
    out, pos = [], 2
    while pos < len(jpeg):
        marker = jpeg[pos + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            out.append((marker, jpeg[pos:]))
            break
        (length,) = struct.unpack(">H", jpeg[pos + 2:pos + 4])
        out.append((marker, jpeg[pos:pos + 2 + length]))
        pos += 2 + length
    return out


def c2pa_segments(jpeg: bytes) -> list[bytes]:
    return [seg for m, seg in segments(jpeg) if m == 0xEB]


def without_c2pa(jpeg: bytes) -> bytes:
    return b"\xff\xd8" + b"".join(seg for m, seg in segments(jpeg) if m != 0xEB)


def with_c2pa(jpeg: bytes, app11: list[bytes]) -> bytes:
    segs = segments(without_c2pa(jpeg))
    return b"\xff\xd8" + segs[0][1] + b"".join(app11) + b"".join(seg for _, seg in segs[1:])


@pytest.fixture
def two_signed(tmp_path: Path) -> tuple[bytes, bytes]:
    a, b = tmp_path / "a.jpg", tmp_path / "b.jpg"
    sign_image(make_photo(tmp_path / "ia.jpg", seed=1), a, SignOptions(author="A", write_metadata=False))
    sign_image(make_photo(tmp_path / "ib.jpg", seed=9), b, SignOptions(author="B", write_metadata=False))
    return a.read_bytes(), b.read_bytes()


def test_untouched_file_is_trusted(two_signed: tuple[bytes, bytes]) -> None:
    assert inspect_bytes(two_signed[0], "a.jpg", trust=TEST_ROOT).state == "trusted"


def test_manifest_transplanted_onto_another_image(two_signed: tuple[bytes, bytes]) -> None:
    a, b = two_signed
    forged = with_c2pa(b, c2pa_segments(a))  # B's pixels wearing A's Content Credentials
    report = inspect_bytes(forged, "forged.jpg", trust=TEST_ROOT)
    assert report.state == "invalid" and report.intact is False
    assert "binding.mismatch" in {f.code for f in report.findings}
    assert not report.is_handmade


def test_stripped_manifest_is_no_manifest_never_human(two_signed: tuple[bytes, bytes]) -> None:
    report = inspect_bytes(without_c2pa(two_signed[0]), "stripped.jpg", trust=TEST_ROOT)
    assert report.state == "no_manifest" and report.ai == "unknown" and report.human_authored is None


@pytest.mark.parametrize("label", [b"cawg.training-mining", b"c2pa.actions.v2", b"cawg.metadata"])
def test_removed_assertion_is_caught(two_signed: tuple[bytes, bytes], label: bytes) -> None:
    """Renaming an assertion's box label removes it from where the signed claim points."""
    a = two_signed[0]
    i = a.find(label + b"\x00")
    assert i > 0, f"{label!r} not found"
    broken = a[:i] + b"x" + a[i + 1:]
    report = inspect_bytes(broken, "removed.jpg", trust=TEST_ROOT)
    assert report.state == "invalid" and not report.is_handmade


def test_resigned_with_untrusted_key_is_never_trusted(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "rogue")
    out = tmp_path / "rogue.jpg"
    sign_image(make_photo(tmp_path / "in.jpg"), out, SignOptions(author="Jane Doe"),
               load_identity(pki.key_pem, pki.chain_pem))
    report = inspect_bytes(out.read_bytes(), "rogue.jpg", trust=TEST_ROOT)
    assert report.state == "valid" and report.trusted is False  # intact, but nobody we trust signed it
    assert "credential.untrusted" in {f.code for f in report.findings}


def test_unwritable_output_folder_even_as_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The OS's refusal (EACCES) is simulated so that the test also means something when run as root."""
    real_open = os.open

    def refuse(path: str, *args: object, **kwargs: object) -> int:
        if str(path).endswith(".part"):  # the staged file beside the output: the folder refuses it
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    src = make_photo(tmp_path / "in.jpg")
    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(SigningError) as exc:
        sign_image(src, tmp_path / "out.jpg")
    assert exc.value.code == "output.not_writable"
    assert not (tmp_path / "out.jpg").exists()
