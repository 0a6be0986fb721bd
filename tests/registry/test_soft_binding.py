"""Step 1 of issue 14: signing writes the picture's fingerprint as a c2pa.soft-binding assertion (io.iscc.v0),
which c2pa-rs reads back; --no-soft-binding leaves it out; films, SVG and PDF get none."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from handmade import _c2pa
from handmade.cli import main
from handmade.errors import InputError
from handmade.fingerprint import ALG, LABEL, body, distance, fingerprint, soft_bindings
from handmade.sign import SignOptions, sign_bytes, sign_image
from tests.conftest import make_scene
from tests.media import make_svg


def _bindings(data: bytes, mime: str) -> list[tuple[str, str]]:
    raw = _c2pa.read_store(data, mime)
    assert raw is not None
    return soft_bindings(raw.store["manifests"][raw.store["active_manifest"]])


@pytest.mark.parametrize("suffix,mime", [(".jpg", "image/jpeg"), (".png", "image/png"), (".webp", "image/webp")])
def test_sign_writes_the_fingerprint_and_c2pa_reads_it_back(tmp_path: Path, suffix: str, mime: str) -> None:
    src = make_scene(tmp_path / f"in{suffix}", seed=3)
    out = tmp_path / f"out{suffix}"
    result = sign_image(src, out, SignOptions(author="Jane Doe"))
    assert result.report.state == "valid"  # the assertion does not disturb validation
    signed = out.read_bytes()
    [(alg, value)] = _bindings(signed, mime)
    assert alg == ALG and value.startswith("ISCC:EEA")
    # The value is the fingerprint a verifier computes from the signed file's own pixels.
    found = fingerprint(signed, mime)
    assert found is not None and distance(body(value), found.bits) <= 2


def test_fingerprint_survives_reencoding_and_resizing(tmp_path: Path) -> None:
    signed = sign_bytes(make_scene(tmp_path / "a.jpg", size=(1200, 900), seed=5).read_bytes(), "a.jpg")
    [(_, value)] = _bindings(signed, "image/jpeg")
    copy = io.BytesIO()
    with Image.open(io.BytesIO(signed)) as im:
        im.resize((600, 450)).save(copy, "JPEG", quality=60)
    found = fingerprint(copy.getvalue(), "image/jpeg")
    assert found is not None and distance(body(value), found.bits) <= 4
    other = fingerprint(make_scene(tmp_path / "b.jpg", size=(1200, 900), seed=6).read_bytes(), "image/jpeg")
    assert other is not None and distance(body(value), other.bits) > 10


def test_no_soft_binding_leaves_it_out(tmp_path: Path) -> None:
    src = make_scene(tmp_path / "in.jpg")
    out = tmp_path / "out.jpg"
    r = CliRunner().invoke(main, ["sign", str(src), "-o", str(out), "--no-soft-binding"])
    assert r.exit_code == 0, r.output
    assert _bindings(out.read_bytes(), "image/jpeg") == []
    raw = _c2pa.read_store(out.read_bytes(), "image/jpeg")
    assert raw is not None
    labels = [a["label"] for a in raw.store["manifests"][raw.store["active_manifest"]]["assertions"]]
    assert LABEL not in labels and "cawg.training-mining" in labels


def test_cli_sign_writes_it_by_default(tmp_path: Path) -> None:
    out = tmp_path / "out.png"
    r = CliRunner().invoke(main, ["sign", str(make_scene(tmp_path / "in.png")), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert [alg for alg, _ in _bindings(out.read_bytes(), "image/png")] == [ALG]


def test_svg_gets_no_fingerprint(tmp_path: Path) -> None:
    svg = make_svg(tmp_path / "drawing.svg")
    assert fingerprint(svg.read_bytes(), "image/svg+xml") is None
    out = tmp_path / "signed.svg"
    sign_image(svg, out, SignOptions())
    assert _bindings(out.read_bytes(), "image/svg+xml") == []


@pytest.mark.parametrize("value", ["ISCC:KACYPXW445FTYNJ3", "not a code", "ISCC:", ""])
def test_bad_values_are_refused_with_a_code(value: str) -> None:
    # KACY... is an ISCC Meta-Code: a real ISCC, but not an image code.
    with pytest.raises(InputError) as info:
        body(value)
    assert info.value.code == "fingerprint.bad_value"


def test_undecodable_picture_has_a_code() -> None:
    with pytest.raises(InputError) as info:
        fingerprint(b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg", "broken.jpg")
    assert info.value.code == "fingerprint.undecodable"
