"""Films (MP4, MOV), SVG, PDF and JPEG XL are signed and verified with the guarantees images have, and NEF
and ARW are read. Every file is made in the test (PyAV's bundled encoder for the films, a hand-written PDF,
pillow-jxl-plugin for JPEG XL) and signed with a throwaway PKI whose root is the trust anchor.

The tamper helpers move whole top-level ISO BMFF boxes or one SVG element; they do not parse C2PA.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import c2pa
import pytest
from click.testing import CliRunner

from handmade import labels
from handmade.cli import main
from handmade.errors import SigningError
from handmade.files import sniff_mime
from handmade.keys import SigningIdentity, bundled_test_identity, load_identity
from handmade.sign import SignOptions, sign_image
from handmade.verify import TrustAnchors, inspect, inspect_bytes, load_trust_anchors
from tests.media import make_jxl, make_pdf, make_svg, make_video, pdf_bytes
from tests.pki import Pki, make_pki

MAKERS: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    # name: (maker, MIME type, --made-with)
    "mp4": (lambda p: make_video(p), "video/mp4", "animation"),
    "mov": (lambda p: make_video(p, container="mov"), "video/quicktime", "animation"),
    "svg": (make_svg, "image/svg+xml", "illustration"),
    "pdf": (make_pdf, "application/pdf", "digital-art"),
    "jxl": (make_jxl, "image/jxl", "illustration"),
}
BMFF = ("mp4", "mov")
C2PA_UUID = bytes.fromhex("d8fec3d61b0e483c92975828877ec481")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def identity(pki: Pki) -> SigningIdentity:
    return load_identity(pki.key_pem, pki.chain_pem)


@pytest.fixture(scope="module")
def anchors(pki: Pki) -> TrustAnchors:
    found = load_trust_anchors([pki.root_pem])
    assert found is not None
    return found


def signed(kind: str, folder: Path, identity: SigningIdentity, anchors: TrustAnchors) -> Path:
    make, _, made_with = MAKERS[kind]
    src = make(folder / f"in.{kind}")
    out = folder / f"out.{kind}"
    sign_image(src, out, SignOptions(author="Jane Doe", made_with=made_with), identity, trust=anchors)
    return out


@pytest.mark.parametrize("kind", list(MAKERS))
def test_signed_and_trusted(kind: str, tmp_path: Path, identity: SigningIdentity, anchors: TrustAnchors) -> None:
    make, mime, made_with = MAKERS[kind]
    src = make(tmp_path / f"in.{kind}")
    before = src.read_bytes()
    out = tmp_path / f"out.{kind}"
    result = sign_image(src, out, SignOptions(author="Jane Doe", made_with=made_with), identity, trust=anchors)
    assert src.read_bytes() == before  # the original is untouched
    assert result.source_type == labels.MADE_WITH[made_with] == "digitalCreation"
    assert result.report.state == "trusted" and result.report.format == mime
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([src.name, out.name])  # nothing left behind
    data = out.read_bytes()
    assert sniff_mime(data) == mime
    report = inspect(out, trust=anchors)
    assert report.state == "trusted" and report.intact and report.human_authored
    assert report.ai == "none_declared" and report.authors == ("Jane Doe",) and report.training == "not_allowed"
    assert report.summary().startswith("TRUSTED INTACT")
    # and without the anchor it is no more than the signer's claim
    assert inspect(out).state == "valid"


@pytest.mark.parametrize("kind", BMFF)
def test_a_signed_film_still_plays_frame_for_frame(kind: str, tmp_path: Path, identity: SigningIdentity,
                                                   anchors: TrustAnchors) -> None:
    import av

    out = signed(kind, tmp_path, identity, anchors)

    def frames(path: Path) -> list[bytes]:
        with av.open(str(path)) as film:
            return [f.to_ndarray(format="rgb24").tobytes() for f in film.decode(video=0)]

    assert frames(out) == frames(tmp_path / f"in.{kind}") and len(frames(out)) == 12


def test_a_signed_svg_is_still_the_same_drawing(tmp_path: Path, identity: SigningIdentity,
                                                 anchors: TrustAnchors) -> None:
    import defusedxml.ElementTree as ET

    out = signed("svg", tmp_path, identity, anchors)
    root = ET.fromstring(out.read_bytes())
    svg = "{http://www.w3.org/2000/svg}"
    assert root.tag == svg + "svg" and root.find(svg + "path") is not None
    assert root.find(svg + "path").get("d") == "M10 70 L60 10 L110 70 Z"  # type: ignore[union-attr]


# --- the tamper matrix ---------------------------------------------------------------------------------
def top_boxes(data: bytes) -> list[tuple[bytes, int, int]]:
    """(type, start, size) of the top-level ISO BMFF boxes."""
    out, pos = [], 0
    while pos + 8 <= len(data):
        size, kind = int.from_bytes(data[pos:pos + 4], "big"), data[pos + 4:pos + 8]
        size = int.from_bytes(data[pos + 8:pos + 16], "big") if size == 1 else (size or len(data) - pos)
        out.append((kind, pos, size))
        pos += size
    return out


def content_offset(kind: str, data: bytes) -> int:
    """A byte of the content itself (not the manifest): the film's frames, the drawing, the page, the picture."""
    if kind in BMFF or kind == "jxl":
        box = b"mdat" if kind in BMFF else b"jxlc"
        start, size = next((s, n) for t, s, n in top_boxes(data) if t == box)
        return start + size // 2
    marker = {"svg": b'd="M10 70', "pdf": b"(Portfolio"}[kind]
    return data.index(marker) + 4


def stripped(kind: str, data: bytes) -> bytes:
    """The file with its manifest store removed (a whole box, or the SVG element holding it)."""
    if kind in BMFF:
        return b"".join(data[s:s + n] for t, s, n in top_boxes(data)
                        if not (t == b"uuid" and data[s + 8:s + 24] == C2PA_UUID))
    if kind == "jxl":
        return b"".join(data[s:s + n] for t, s, n in top_boxes(data) if t != b"jumb")
    if kind == "svg":
        return re.sub(rb"<c2pa:manifest>.*?</c2pa:manifest>", b"", data, flags=re.S)
    # PDF: the catalog's references to the manifest (its associated file and the embedded-files name tree)
    # blanked out, as a tool that drops attachments would leave it; the cross-reference offsets stay right.
    refs = re.search(rb"/AF\s*\[\s*\d+ 0 R\s*\]\s*/Names \d+ 0 R", data)
    assert refs is not None, data[:300]
    return data[:refs.start()] + b" " * (refs.end() - refs.start()) + data[refs.end():]


@pytest.mark.parametrize("kind", list(MAKERS))
@pytest.mark.parametrize("attack", ["flip", "truncate", "strip"])
def test_tampering_is_caught(kind: str, attack: str, tmp_path: Path, identity: SigningIdentity,
                             anchors: TrustAnchors) -> None:
    data = signed(kind, tmp_path, identity, anchors).read_bytes()
    if attack == "flip":
        at = content_offset(kind, data)
        forged: bytes | None = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]
    elif attack == "truncate":
        forged = data[: len(data) - max(8, len(data) // 10)]
    else:
        forged = stripped(kind, data)
    assert forged is not None and forged != data
    report = inspect_bytes(forged, f"forged.{kind}", trust=anchors)
    assert not report.human_authored and not report.is_handmade
    if attack == "strip":
        assert report.state == "no_manifest" and report.ai == "unknown"
    elif attack == "flip":
        assert report.state == "invalid" and report.intact is False
        assert "binding.mismatch" in {f.code for f in report.findings}
    else:
        assert report.state in ("invalid", "error")


# --- no laundering -------------------------------------------------------------------------------------
def other_tool_film(data: bytes, term: str) -> bytes:
    """A film signed by another tool (c2pa-python directly) whose manifest declares ``term``."""
    ident = bundled_test_identity()
    manifest = {"claim_generator_info": [{"name": "OtherTool", "version": "1"}],
                "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
                    {"action": "c2pa.created", "digitalSourceType": labels.IPTC_BASE + term}]}}]}
    info = c2pa.C2paSignerInfo(ident.alg.encode(), ident.chain_pem, ident.private_key_pem, None)
    ctx = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}, "core": {"allowed_network_hosts": []}})
    out = io.BytesIO()
    with c2pa.Signer.from_info(info) as signer, c2pa.Builder.from_json(manifest, context=ctx) as builder:
        builder.sign(signer, "video/mp4", io.BytesIO(data), out)
    return out.getvalue()


def test_an_ai_film_is_never_laundered(tmp_path: Path, identity: SigningIdentity) -> None:
    src = tmp_path / "ai.mp4"
    src.write_bytes(other_tool_film(make_video(tmp_path / "raw.mp4").read_bytes(), "trainedAlgorithmicMedia"))
    assert inspect(src).ai == "generative"
    with pytest.raises(SigningError) as exc:
        sign_image(src, tmp_path / "out.mp4", SignOptions(author="X", made_with="animation"), identity)
    assert exc.value.code == "sign.generative_history"
    assert not (tmp_path / "out.mp4").exists()


def test_a_film_signed_elsewhere_is_kept_as_its_parent(tmp_path: Path, identity: SigningIdentity,
                                                        anchors: TrustAnchors) -> None:
    src = tmp_path / "cam.mp4"
    src.write_bytes(other_tool_film(make_video(tmp_path / "raw.mp4").read_bytes(), "digitalCapture"))
    result = sign_image(src, tmp_path / "out.mp4", SignOptions(author="X", made_with="animation"), identity,
                        trust=anchors)
    assert result.parent_kept and result.source_type == "humanEdits"
    assert inspect(tmp_path / "out.mp4", trust=anchors).state == "trusted"


# --- read-only camera raw ------------------------------------------------------------------------------
def camera_raw(make: str) -> bytes:
    """A TIFF shaped like a camera raw file (Make, SubIFDs) with a manifest from another tool."""
    from PIL import Image, TiffImagePlugin

    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[271] = make
    info[330] = 0
    info.tagtype[330] = 4
    buf = io.BytesIO()
    pages = [Image.new("RGB", (32, 24), (120, 80, 40)), Image.new("RGB", (8, 6), (1, 2, 3))]
    pages[0].save(buf, "TIFF", tiffinfo=info, save_all=True, append_images=pages[1:])
    tif = bytearray(buf.getvalue())

    def sub_ifds_entry(ifd: int) -> tuple[int, int]:  # (offset of the SubIFDs entry, of the next-IFD link)
        count = int.from_bytes(tif[ifd:ifd + 2], "little")
        entry = next(ifd + 2 + 12 * i for i in range(count)
                     if int.from_bytes(tif[ifd + 2 + 12 * i: ifd + 4 + 12 * i], "little") == 330)
        return entry, ifd + 2 + 12 * count

    # The second page becomes IFD0's sub-IFD (as a raw file's sensor data is), out of the page chain.
    entry, link = sub_ifds_entry(int.from_bytes(tif[4:8], "little"))
    second = int.from_bytes(tif[link:link + 4], "little")
    tif[entry + 8: entry + 12], tif[link:link + 4] = tif[link:link + 4], bytes(4)
    inner, _ = sub_ifds_entry(second)
    tif[inner:inner + 2] = (65000).to_bytes(2, "little")  # its own SubIFDs tag becomes a private tag
    ident = bundled_test_identity()
    manifest = {"claim_generator_info": [{"name": "Camera", "version": "1"}],
                "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
                    {"action": "c2pa.created", "digitalSourceType": labels.IPTC_BASE + "digitalCapture"}]}}]}
    c2pa_info = c2pa.C2paSignerInfo(ident.alg.encode(), ident.chain_pem, ident.private_key_pem, None)
    ctx = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}, "core": {"allowed_network_hosts": []}})
    out = io.BytesIO()
    with c2pa.Signer.from_info(c2pa_info) as signer, c2pa.Builder.from_json(manifest, context=ctx) as builder:
        builder.sign(signer, "image/tiff", io.BytesIO(bytes(tif)), out)
    return out.getvalue()


@pytest.mark.parametrize("make,mime,suffix", [("NIKON CORPORATION", "image/x-nikon-nef", "nef"),
                                              ("SONY", "image/x-sony-arw", "arw")])
def test_raw_files_are_read_not_signed(make: str, mime: str, suffix: str, tmp_path: Path,
                                       identity: SigningIdentity) -> None:
    raw = tmp_path / f"DSC0001.{suffix}"
    raw.write_bytes(camera_raw(make))
    report = inspect(raw)
    assert report.format == mime and report.state == "valid" and report.intact
    with pytest.raises(SigningError) as exc:
        sign_image(raw, tmp_path / f"out.{suffix}", SignOptions(author="X"), identity)
    assert exc.value.code == "sign.unsupported_format" and "read only" not in exc.value.code
    assert not (tmp_path / f"out.{suffix}").exists()


# --- hints outside C2PA --------------------------------------------------------------------------------
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
       b'Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"/>'
       b"</rdf:RDF></x:xmpmeta>")


def test_xmp_in_a_film_a_pdf_and_svg_metadata_are_read_as_hints(tmp_path: Path) -> None:
    film = make_video(tmp_path / "f.mp4", xmp=XMP)
    svg = make_svg(tmp_path / "a.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><metadata>'
                   + XMP + b"</metadata><rect width='4' height='4'/></svg>")
    pdf = tmp_path / "folio.pdf"
    pdf.write_bytes(pdf_bytes(xmp=XMP))
    for path in (film, svg, pdf):
        report = inspect(path)
        assert report.state == "no_manifest"
        assert any(h.field.endswith("DigitalSourceType") and h.signal == "generative" for h in report.hints), path


# --- the command line and folders ----------------------------------------------------------------------
def test_cli_signs_and_verifies_a_folder_of_films_drawings_and_pages(tmp_path: Path, pki: Pki) -> None:
    work = tmp_path / "work"
    work.mkdir()
    make_video(work / "short.mp4")
    make_svg(work / "fox.svg")
    make_pdf(work / "portfolio.pdf")
    (work / "notes.txt").write_text("not a picture")
    runner = CliRunner()
    r = runner.invoke(main, ["sign", str(work), "-o", str(tmp_path / "signed"), "--author", "Jane Doe",
                             "--made-with", "animation", "--key", str(pki.key_pem), "--chain", str(pki.chain_pem),
                             ])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "signed").iterdir()) == ["fox.svg", "portfolio.pdf", "short.mp4"]
    r = runner.invoke(main, ["verify", str(tmp_path / "signed"), "--trust", str(pki.root_pem), "--format", "jsonl"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    assert sorted(row["format"] for row in rows) == ["application/pdf", "image/svg+xml", "video/mp4"]
    assert all(row["state"] == "trusted" for row in rows)


def test_a_badge_is_refused_on_a_film_in_words(tmp_path: Path) -> None:
    film = make_video(tmp_path / "f.mp4")
    r = CliRunner().invoke(main, ["sign", str(film), "-o", str(tmp_path / "o.mp4"), "--badge"])
    assert r.exit_code == 3 and "Traceback" not in r.output
    assert "sign.badge_format" in r.output and not (tmp_path / "o.mp4").exists()


# --- big films go through file handles -----------------------------------------------------------------
@pytest.fixture
def stream_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every film counts as big (the threshold is 64 MB; the code path is the same at any size)."""
    import handmade.files

    monkeypatch.setattr(handmade.files, "STREAM_BYTES", 0)


@pytest.mark.usefixtures("stream_everything")
@pytest.mark.parametrize("kind", BMFF)
def test_a_big_film_is_signed_and_verified_through_file_handles(kind: str, tmp_path: Path,
                                                                identity: SigningIdentity,
                                                                anchors: TrustAnchors) -> None:
    import hashlib

    from handmade.files import FileData, load_input

    make, mime, _ = MAKERS[kind]
    src = make(tmp_path / f"in.{kind}")
    loaded = load_input(src)
    assert isinstance(loaded.data, FileData) and loaded.mime == mime
    assert loaded.sha256 == hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / f"out.{kind}"
    result = sign_image(src, out, SignOptions(author="Jane Doe", made_with="animation"), identity, trust=anchors)
    assert result.report.state == "trusted" and result.report.human_authored
    assert result.report.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([src.name, out.name])
    streamed = inspect(out, trust=anchors)
    in_memory = inspect_bytes(out.read_bytes(), out.name, trust=anchors)
    assert streamed.summary() == in_memory.summary() == "TRUSTED INTACT HUMAN NO-AI NO-TRAINING"
    assert streamed.sha256 == in_memory.sha256 and streamed.size == in_memory.size
    # and the streamed reader still catches a changed frame
    data = out.read_bytes()
    at = content_offset(kind, data)
    out.write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1:])
    assert inspect(out, trust=anchors).state == "invalid"


def test_the_film_progress_bar_measures_what_signing_reads(tmp_path: Path, identity: SigningIdentity) -> None:
    """The bar's length is FILM_SIGN_READS film sizes: what signing a streamed film really reads, by the meter
    every file-handle read feeds (so a change in the pipeline that reads more or less shows here)."""
    from handmade.files import metered
    from handmade.sign import FILM_SIGN_READS

    src = big_film(tmp_path / "in.mp4")
    read: list[int] = []
    with metered(read.append):
        sign_image(src, tmp_path / "out.mp4", SignOptions(made_with="animation"), identity)
    ratio = sum(read) / src.stat().st_size
    assert FILM_SIGN_READS - 0.1 < ratio < FILM_SIGN_READS + 0.1, ratio
    read.clear()
    inspect(tmp_path / "out.mp4")  # the meter is off outside its block
    assert read == []


def big_film(path: Path, mb: int = 65) -> Path:
    """A real MP4 over the 64 MB streaming threshold: a short film followed by a second top-level ``mdat`` box
    (ISO/IEC 14496-12 §8.1.1: media data no track refers to, which every reader keeps and C2PA hashes; a ``free``
    box would be left out of the hash), written without holding it in memory."""
    film = make_video(path.with_suffix(".small.mp4")).read_bytes()
    path.with_suffix(".small.mp4").unlink()
    size = mb * 1024 * 1024
    with path.open("wb") as fh:
        fh.write(film)
        fh.write((size + 8).to_bytes(4, "big") + b"mdat")
        block = bytes(1024 * 1024)
        for _ in range(mb):
            fh.write(block)
    return path


def test_a_big_film_gets_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    import os
    import sys

    pexpect = pytest.importorskip("pexpect")
    src = big_film(tmp_path / "long.mp4")
    out = tmp_path / "out.mp4"
    src_dir = str(Path(__file__).resolve().parents[2] / "src")
    child = pexpect.spawn(sys.executable, ["-m", "handmade", "sign", str(src), "-o", str(out), "--made-with",
                                           "animation"], env={**os.environ, "PYTHONPATH": src_dir},
                          encoding="utf-8", timeout=180, dimensions=(40, 200))
    child.expect(pexpect.EOF)
    child.close()
    raw = str(child.before)
    assert child.exitstatus == 0, raw
    assert "a 68 MB film" in raw and "signing the film" in raw
    percents = [int(p) for p in re.findall(r"(\d+)%", raw)]
    assert percents and percents[-1] >= 95 and max(percents) <= 100, percents
    assert inspect(out).state in ("valid", "trusted")
    piped = CliRunner().invoke(main, ["sign", str(src), "-o", str(tmp_path / "piped.mp4"), "--made-with",
                                      "animation"])
    assert piped.exit_code == 0 and "signing the film" not in piped.output  # no bar where nobody watches


def test_the_film_check_bar_measures_what_verify_reads_in_its_worker(tmp_path: Path) -> None:
    """verify's bar counts what the worker checking the film reads (a shared counter fed by every file-handle
    read): FILM_VERIFY_READS film sizes, in a worker process as in this one."""
    from handmade import _c2pa
    from handmade.verify import FILM_VERIFY_READS, iter_inspect

    src = big_film(tmp_path / "in.mp4")
    signed = tmp_path / "signed.mp4"
    sign_image(src, signed, SignOptions(made_with="animation"))
    for timeout in (60.0, None):  # a worker process, then in this process
        counter = _c2pa.worker_context().Value("q", 0)
        [report] = list(iter_inspect([str(signed)], timeout=timeout, read_counter=counter))
        assert report.state in ("valid", "trusted")
        ratio = counter.value / signed.stat().st_size
        assert FILM_VERIFY_READS - 0.1 < ratio < FILM_VERIFY_READS + 0.1, (timeout, ratio)


def test_verifying_a_big_film_draws_a_bar_on_a_terminal(tmp_path: Path) -> None:
    import os
    import sys

    pexpect = pytest.importorskip("pexpect")
    signed = tmp_path / "signed.mp4"
    sign_image(big_film(tmp_path / "long.mp4"), signed, SignOptions(made_with="animation"))
    src_dir = str(Path(__file__).resolve().parents[2] / "src")
    child = pexpect.spawn(sys.executable, ["-m", "handmade", "verify", "--policy", "any", str(signed)],
                          env={**os.environ, "PYTHONPATH": src_dir}, encoding="utf-8", timeout=180,
                          dimensions=(40, 200))
    child.expect(pexpect.EOF)
    child.close()
    raw = str(child.before)
    assert child.exitstatus == 0, raw
    assert "checking the film" in raw
    percents = [int(p) for p in re.findall(r"(\d+)%", raw)]
    assert percents and percents[-1] >= 95 and max(percents) <= 100, percents
    piped = CliRunner().invoke(main, ["verify", "--policy", "any", str(signed)])
    assert piped.exit_code == 0 and "checking the film" not in piped.output


@pytest.mark.usefixtures("stream_everything")
def test_a_refused_big_film_leaves_nothing_behind(tmp_path: Path, identity: SigningIdentity) -> None:
    src = tmp_path / "ai.mp4"
    src.write_bytes(other_tool_film(make_video(tmp_path / "raw.mp4").read_bytes(), "trainedAlgorithmicMedia"))
    (tmp_path / "raw.mp4").unlink()
    with pytest.raises(SigningError) as exc:
        sign_image(src, tmp_path / "out.mp4", SignOptions(made_with="animation"), identity)
    assert exc.value.code == "sign.generative_history"
    assert [p.name for p in tmp_path.iterdir()] == ["ai.mp4"]  # no staged .part file either


@pytest.mark.usefixtures("stream_everything")
def test_only_films_are_streamed_and_the_film_limit_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import handmade.files
    from handmade.errors import InputError
    from handmade.files import load_input

    assert isinstance(load_input(make_svg(tmp_path / "a.svg")).data, bytes)
    assert isinstance(load_input(make_pdf(tmp_path / "a.pdf")).data, bytes)
    monkeypatch.setattr(handmade.files, "MAX_STREAMED_BYTES", 100)
    with pytest.raises(InputError) as exc:
        load_input(make_video(tmp_path / "f.mp4"))
    assert exc.value.code == "input.too_large" and "film" in exc.value.message


@pytest.mark.usefixtures("stream_everything")
def test_a_big_films_xmp_is_read_without_its_frames(tmp_path: Path) -> None:
    from handmade.files import FileData
    from handmade.verify import _film_metadata

    film = make_video(tmp_path / "f.mp4", xmp=XMP)
    kept = _film_metadata(FileData(film))
    assert b"mdat" not in [kept[s + 4:s + 8] for _, s, _ in top_boxes(kept)] and XMP in kept
    report = inspect(film)
    assert any(h.field.endswith("DigitalSourceType") and h.signal == "generative" for h in report.hints)


@pytest.mark.usefixtures("stream_everything")
@pytest.mark.parametrize("lang,words", [("en", "film: read three times"), ("fr", "un film de 0 Mo")])
def test_the_command_line_says_a_big_film_takes_a_while(tmp_path: Path, lang: str, words: str) -> None:
    film = make_video(tmp_path / "f.mp4")
    r = CliRunner().invoke(main, ["sign", str(film), "-o", str(tmp_path / "o.mp4"), "--made-with", "animation",
                                  "--lang", lang])
    assert r.exit_code == 0 and words in r.output, r.output
    assert words not in CliRunner().invoke(main, ["sign", str(make_svg(tmp_path / "a.svg")), "-o",
                                                  str(tmp_path / "o.svg"), "--lang", lang]).output


@pytest.mark.usefixtures("stream_everything")
def test_report_reads_a_film_and_an_svg(tmp_path: Path, identity: SigningIdentity, anchors: TrustAnchors,
                                        pki: Pki) -> None:
    film, drawing = signed("mp4", tmp_path, identity, anchors), signed("svg", tmp_path, identity, anchors)
    runner = CliRunner()
    r = runner.invoke(main, ["report", str(film), str(drawing), "--trust", str(pki.root_pem), "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    rows = rows if isinstance(rows, list) else rows.get("results", [rows])
    assert [(row["format"], row["state"]) for row in rows] == [("video/mp4", "trusted"), ("image/svg+xml", "trusted")]
    r = runner.invoke(main, ["report", str(film), "--detailed"])
    assert r.exit_code == 0 and "c2pa.actions.v2" in r.output, r.output
