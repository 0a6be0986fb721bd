"""A manifest store copied from another file in front of a genuine one (no key needed): the report must name
every store, say which one binds the image, and not tell the copied story as the image's own.

The attack is rebuilt here at the container level (whole JPEG APP11 segments, whole PNG chunks, by marker
and chunk type only); the stores themselves are real: ours signed with the test PKI, Adobe Firefly's from
the corpus."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from handmade.keys import load_identity
from handmade.policy import PRESETS, evaluate
from handmade.report import verdict
from handmade.sign import SignOptions, sign_image
from handmade.verify import TrustAnchors, inspect_bytes
from tests.conftest import make_photo
from tests.pki import Pki, make_pki


def jpeg_app11(data: bytes) -> list[tuple[int, int]]:
    """Spans of the APP11 segments before the first scan."""
    spans, pos = [], 2
    while pos + 4 <= len(data) and data[pos + 1] != 0xDA:
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if data[pos + 1] == 0xEB:
            spans.append((pos, pos + 2 + length))
        pos += 2 + length
    return spans


def png_chunks(data: bytes, ctype: bytes) -> list[tuple[int, int]]:
    spans, pos = [], 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == ctype:
            spans.append((pos, pos + 12 + length))
        pos += 12 + length
    return spans


def splice_in_front(victim: bytes, victim_spans: list[tuple[int, int]], donor: bytes,
                    donor_spans: list[tuple[int, int]]) -> bytes:
    at = victim_spans[0][0]
    return victim[:at] + b"".join(donor[a:b] for a, b in donor_spans) + victim[at:]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("foreign-pki"))


def sign(pki: Pki, src: Path, out: Path) -> bytes:
    sign_image(src, out, SignOptions(author="Jane Doe"), load_identity(pki.key_pem, pki.chain_pem))
    return out.read_bytes()


def test_firefly_store_in_front_of_a_genuine_photo_is_reported_as_foreign(pki: Pki, tmp_path: Path,
                                                                          corpus: Path) -> None:
    genuine = sign(pki, make_photo(tmp_path / "in.jpg"), tmp_path / "signed.jpg")
    firefly = (corpus / "ai-adobe-firefly-2025-text-to-image.jpg").read_bytes()
    spliced = splice_in_front(genuine, jpeg_app11(genuine), firefly, jpeg_app11(firefly))
    trust = TrustAnchors.from_pem(pki.root_pem.read_bytes())
    firefly_label = inspect_bytes(firefly, "ff.jpg").lineage[0].manifest
    genuine_label = inspect_bytes(genuine, "g.jpg", trust=trust).lineage[0].manifest

    report = inspect_bytes(spliced, "spliced.jpg", trust=trust)

    # The image's own manifest is the one reported: a human photo, no AI, signed by our test signer.
    assert report.ai == "none_declared" and report.human_authored is True
    assert report.signer is not None and report.signer.name == "Test Signer es256"
    assert report.lineage[0].manifest == genuine_label
    # Every store is named, and which one binds the content.
    by_code = {f.code: f for f in report.findings}
    assert by_code["manifest.foreign_store"].severity == "error"
    assert by_code["manifest.foreign_store"].source == firefly_label
    assert "store 1 of 2" in by_code["manifest.foreign_store"].message
    assert by_code["manifest.binding_store"].source == genuine_label
    assert "store 2 of 2" in by_code["manifest.binding_store"].message
    # The headline says what happened, in both languages; no policy that checks anything accepts it.
    assert report.state == "invalid"
    assert verdict(report).startswith("Content Credentials that do not belong to this image were added")
    assert verdict(report, "fr").startswith("Des Content Credentials qui n'appartiennent pas à cette image")
    assert "AI-generated" not in verdict(report)
    for name in ("handmade", "intact"):
        decision = evaluate(PRESETS[name], report)
        assert not decision.accepted
        assert "policy.foreign_store" in {r.code for r in decision.reasons}


def test_a_genuine_store_in_front_of_an_ai_image_does_not_make_it_human(pki: Pki, tmp_path: Path,
                                                                       corpus: Path) -> None:
    genuine = sign(pki, make_photo(tmp_path / "in.jpg"), tmp_path / "signed.jpg")
    firefly = (corpus / "ai-adobe-firefly-2025-text-to-image.jpg").read_bytes()
    spliced = splice_in_front(firefly, jpeg_app11(firefly), genuine, jpeg_app11(genuine))

    report = inspect_bytes(spliced, "spliced.jpg", trust=TrustAnchors.from_pem(pki.root_pem.read_bytes()))

    assert report.ai == "generative" and not report.human_authored
    assert {f.code for f in report.findings} >= {"manifest.foreign_store", "manifest.binding_store"}
    assert not evaluate(PRESETS["handmade"], report).accepted


def test_png_with_a_copied_store_in_front(pki: Pki, tmp_path: Path, corpus: Path) -> None:
    genuine = sign(pki, make_photo(tmp_path / "in.png"), tmp_path / "signed.png")
    donor = (corpus / "ai-adobe-firefly-thirdparty-imagen3.png").read_bytes()
    assert png_chunks(genuine, b"caBX") and png_chunks(donor, b"caBX")
    spliced = splice_in_front(genuine, png_chunks(genuine, b"caBX"), donor, png_chunks(donor, b"caBX"))

    report = inspect_bytes(spliced, "spliced.png", trust=TrustAnchors.from_pem(pki.root_pem.read_bytes()))

    assert report.ai == "none_declared" and report.human_authored is True
    assert [f.code for f in report.findings][:2] == ["manifest.foreign_store", "manifest.binding_store"]
    assert verdict(report).startswith("Content Credentials that do not belong to this image were added")


def test_one_store_reads_as_before(pki: Pki, tmp_path: Path) -> None:
    genuine = sign(pki, make_photo(tmp_path / "in.jpg"), tmp_path / "signed.jpg")
    report = inspect_bytes(genuine, "g.jpg", trust=TrustAnchors.from_pem(pki.root_pem.read_bytes()))
    assert report.state == "trusted"
    assert not {f.code for f in report.findings} & {"manifest.foreign_store", "manifest.binding_store"}
