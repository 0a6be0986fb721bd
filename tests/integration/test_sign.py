"""Signing for real: c2pa-python writes, c2pa-python reads back, across key algorithms and formats."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from handmade import labels
from handmade.errors import InputError, SigningError
from handmade.keys import bundled_test_root_pem, load_identity
from handmade.sign import SignOptions, sign_batch, sign_image
from handmade.verify import TrustAnchors, inspect
from tests.conftest import make_photo, photo_folder
from tests.pki import make_pki

ALGS = ["es256", "es384", "ps256", "ed25519"]


def raw_store(path: Path) -> dict[str, Any]:
    """Read a signed file with c2pa-python directly (not through handmade) to check what was written."""
    import c2pa

    with c2pa.Reader(str(path)) as reader:
        return dict(json.loads(reader.json()))


def active_assertions(path: Path) -> dict[str, Any]:
    store = raw_store(path)
    manifest = store["manifests"][store["active_manifest"]]
    return {a["label"]: a["data"] for a in manifest["assertions"]}


@pytest.fixture(scope="module", params=ALGS)
def pki(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return make_pki(tmp_path_factory.mktemp(f"pki-{request.param}"), alg=request.param)


def test_sign_writes_exact_assertions(pki: Any, tmp_path: Path) -> None:
    src = make_photo(tmp_path / "in.jpg")
    out = tmp_path / "out.jpg"
    identity = load_identity(pki.key_pem, pki.chain_pem)
    result = sign_image(src, out, SignOptions(author="Jane Doe", made_with="film"), identity)
    a = active_assertions(out)
    actions = a["c2pa.actions.v2"]["actions"]
    assert actions[0]["action"] == "c2pa.created"
    assert actions[0]["digitalSourceType"] == labels.iptc_uri("negativeFilm")
    assert a["c2pa.actions.v2"]["allActionsIncluded"] is True
    assert a["cawg.metadata"]["dc:creator"] == ["Jane Doe"]
    assert "Jane Doe" in a["cawg.metadata"]["dc:rights"]
    for label, prefix in (("cawg.training-mining", "cawg"), ("c2pa.training-mining", "c2pa")):
        entries = a[label]["entries"]
        assert entries == {f"{prefix}.{u}": {"use": "notAllowed"} for u in labels.TRAINING_USES}
    assert "c2pa.metadata" not in a and "stds.schema-org.CreativeWork" not in a
    # The library's own re-read, against our root: trusted, intact, human, no AI, no training.
    trusted = inspect(out, trust=TrustAnchors.from_pem(pki.root_pem.read_bytes()))
    assert trusted.summary() == "TRUSTED INTACT HUMAN NO-AI NO-TRAINING"
    assert result.report.human_authored and not result.parent_kept
    assert trusted.signer is not None and trusted.signer.alg == pki.alg


def test_valid_without_anchor_invalid_after_one_pixel_byte(pki: Any, tmp_path: Path) -> None:
    src = make_photo(tmp_path / "in.jpg")
    out = tmp_path / "out.jpg"
    sign_image(src, out, SignOptions(author="A"), load_identity(pki.key_pem, pki.chain_pem))
    assert inspect(out).state == "valid"
    data = bytearray(out.read_bytes())
    data[-200] ^= 0x01  # inside the entropy-coded scan, well after the manifest
    tampered = tmp_path / "tampered.jpg"
    tampered.write_bytes(bytes(data))
    report = inspect(tampered, trust=TrustAnchors.from_pem(pki.root_pem.read_bytes()))
    assert report.state == "invalid" and report.intact is False
    assert "binding.mismatch" in {f.code for f in report.findings}


def test_allow_ai_training_flag(tmp_path: Path) -> None:
    out = tmp_path / "out.jpg"
    sign_image(make_photo(tmp_path / "in.jpg"), out, SignOptions(author="A", allow_ai_training=True))
    a = active_assertions(out)
    assert {e["use"] for e in a["cawg.training-mining"]["entries"].values()} == {"allowed"}
    assert inspect(out).training == "allowed"


@pytest.mark.parametrize("made_with", sorted(labels.MADE_WITH))
def test_made_with_sets_source_type(made_with: str, tmp_path: Path) -> None:
    out = tmp_path / "out.jpg"
    sign_image(make_photo(tmp_path / "in.jpg"), out, SignOptions(made_with=made_with), None)
    action = active_assertions(out)["c2pa.actions.v2"]["actions"][0]
    assert action["digitalSourceType"] == labels.iptc_uri(labels.MADE_WITH[made_with])


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".webp", ".tif"])
def test_formats_keep_their_type_and_pixels(suffix: str, tmp_path: Path) -> None:
    from PIL import Image

    src = make_photo(tmp_path / f"in{suffix}")
    out = tmp_path / f"out{suffix}"
    sign_image(src, out, SignOptions(author="Jane Doe"))
    with Image.open(src) as a, Image.open(out) as b:
        assert a.format == b.format
        assert a.tobytes() == b.tobytes()  # signing never re-encodes pixels
    report = inspect(out, trust=TrustAnchors.from_pem(bundled_test_root_pem()))
    assert report.state == "trusted" and report.human_authored


def test_plain_metadata_written_for_non_c2pa_readers(tmp_path: Path) -> None:
    import piexif

    out = tmp_path / "out.jpg"
    sign_image(make_photo(tmp_path / "in.jpg"), out, SignOptions(author="Jane Doe", made_with="camera"))
    exif = piexif.load(str(out))
    assert exif["0th"][piexif.ImageIFD.Artist] == b"Jane Doe"
    assert b"Jane Doe" in exif["0th"][piexif.ImageIFD.Copyright]
    data = out.read_bytes()
    assert b"digitalsourcetype/digitalCapture" in data
    assert b"DMI-PROHIBITED" in data
    from handmade.hints import read_hints

    signals = {h.signal for h in read_hints(data)}
    assert "training_prohibited" in signals and "generative" not in signals


def test_badge_is_recorded_as_an_edit(tmp_path: Path) -> None:
    out = tmp_path / "out.jpg"
    result = sign_image(make_photo(tmp_path / "in.jpg", size=(640, 480)), out,
                        SignOptions(author="A", badge=True, lang="fr"))
    actions = active_assertions(out)["c2pa.actions.v2"]["actions"]
    assert [x["action"] for x in actions] == ["c2pa.created", "c2pa.edited"]
    assert "Fait à la main" in actions[1]["description"]
    assert result.badge and result.report.human_authored


def test_never_overwrites_without_permission(tmp_path: Path) -> None:
    src = make_photo(tmp_path / "in.jpg")
    out = tmp_path / "out.jpg"
    out.write_bytes(b"keep me")
    with pytest.raises(SigningError) as exc:
        sign_image(src, out)
    assert exc.value.code == "output.exists"
    assert out.read_bytes() == b"keep me"
    sign_image(src, out, overwrite=True)
    assert inspect(out).state == "valid"


def test_original_untouched_and_no_temp_left(tmp_path: Path) -> None:
    src = make_photo(tmp_path / "in.jpg")
    before = src.read_bytes()
    sign_image(src, tmp_path / "out.jpg")
    assert src.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jpg", "out.jpg"]


@pytest.mark.parametrize("fault,code", [(OSError(5, "simulated crash"), "output.failed"),
                                        (OSError(28, "No space left on device"), "output.disk_full")])
def test_failed_write_leaves_original_and_nothing_else(fault: OSError, code: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash after the temp file is written, or a full disk: the original stays byte for byte, no output."""
    import handmade.files

    def boom(tmp: Path, dest: Path) -> None:
        assert tmp.exists()  # the temp file was fully written
        raise fault

    monkeypatch.setattr(handmade.files, "_before_rename_hook", boom)
    src = make_photo(tmp_path / "in.jpg")
    before = src.read_bytes()
    with pytest.raises(SigningError) as exc:
        sign_image(src, tmp_path / "out.jpg")
    assert exc.value.code == code
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jpg"]
    assert src.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_output_dir(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(SigningError) as exc:
            sign_image(make_photo(tmp_path / "in.jpg"), ro / "out.jpg")
        assert exc.value.code == "output.not_writable"
    finally:
        ro.chmod(0o700)


def test_sign_in_place_only_when_asked(tmp_path: Path) -> None:
    src = make_photo(tmp_path / "in.jpg")
    original = src.read_bytes()
    for overwrite in (False, True):  # --overwrite is not enough: the original would be lost
        with pytest.raises(SigningError) as exc:
            sign_image(src, src, overwrite=overwrite)
        assert exc.value.code == "output.is_input"
    assert src.read_bytes() == original
    sign_image(src, src, in_place=True)
    assert inspect(src).state == "valid"


def test_the_library_warns_when_it_signs_with_the_test_identity(tmp_path: Path) -> None:
    from handmade.keys import bundled_test_identity
    from handmade.sign import TestIdentityWarning, sign_bytes
    from tests.pki import make_pki

    with pytest.warns(TestIdentityWarning, match="FOR TESTING ONLY"):
        sign_image(make_photo(tmp_path / "a.jpg"), tmp_path / "a.signed.jpg")
    with pytest.warns(TestIdentityWarning):
        sign_bytes((tmp_path / "a.jpg").read_bytes(), "a.jpg", identity=bundled_test_identity())
    with pytest.warns(TestIdentityWarning) as caught:
        sign_batch([tmp_path / "a.jpg", make_photo(tmp_path / "b.jpg", seed=2)], tmp_path / "out")
    assert len(caught) == 1  # once per batch, not once per file
    pki = make_pki(tmp_path / "pki")
    import warnings

    from handmade.keys import load_identity

    with warnings.catch_warnings():
        warnings.simplefilter("error", TestIdentityWarning)
        sign_image(tmp_path / "a.jpg", tmp_path / "own.jpg", identity=load_identity(pki.key_pem, pki.chain_pem))


@pytest.mark.parametrize("content,code", [(b"", "input.empty"), (b"hello world, not an image", "input.not_image")])
def test_bad_inputs_are_refused_cleanly(content: bytes, code: str, tmp_path: Path) -> None:
    src = tmp_path / "bad.jpg"
    src.write_bytes(content)
    with pytest.raises(InputError) as exc:
        sign_image(src, tmp_path / "out.jpg")
    assert exc.value.code == code
    assert not (tmp_path / "out.jpg").exists()


def test_truncated_jpeg_is_refused_without_output(tmp_path: Path) -> None:
    src = make_photo(tmp_path / "in.jpg")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(src.read_bytes()[:300])
    with pytest.raises((InputError, SigningError)):
        sign_image(cut, tmp_path / "out.jpg")
    assert not (tmp_path / "out.jpg").exists()


def test_unsupported_format(tmp_path: Path) -> None:
    from PIL import Image

    src = tmp_path / "in.bmp"
    Image.new("RGB", (10, 10)).save(src)
    with pytest.raises(InputError) as exc:
        sign_image(src, tmp_path / "out.bmp")
    assert exc.value.code == "input.not_image"


def test_batch_goes_on_past_a_corrupt_file(tmp_path: Path) -> None:
    folder = tmp_path / "shoot"
    folder.mkdir()
    for i in range(3):
        make_photo(folder / f"a{i}.jpg", seed=i)
    (folder / "a1b-corrupt.jpg").write_bytes(b"\xff\xd8\xff garbage")
    for i in range(3, 5):
        make_photo(folder / f"b{i}.jpg", seed=i)
    result = sign_batch([folder], tmp_path / "out", SignOptions(author="A"))
    assert len(result.items) == 6
    assert [Path(i.source).name for i in result.failed] == ["a1b-corrupt.jpg"]
    assert len(result.succeeded) == 5
    for item in result.succeeded:
        assert inspect(item.output).state == "valid"
    assert not (tmp_path / "out" / "a1b-corrupt.jpg").exists()


def test_batch_parallel_workers(tmp_path: Path) -> None:
    files = [make_photo(tmp_path / f"p{i}.jpg", seed=i) for i in range(6)]
    result = sign_batch(files, tmp_path / "out", SignOptions(author="A"), workers=2)
    assert len(result.succeeded) == 6
    assert [Path(i.source).name for i in result.items] == [f.name for f in files]


def test_batch_time_limit_fails_each_file_alone_and_leaves_nothing(tmp_path: Path) -> None:
    """A file that overruns its time limit (here: any, the limit is 1 ms) fails with sign.timeout; its
    worker is killed and replaced, and anything it staged is removed."""
    files = [make_photo(tmp_path / f"t{i}.jpg", seed=i) for i in range(3)]
    out = tmp_path / "out"
    out.mkdir()
    stale = out / ".t1.jpg.k1llEd.part"  # what a worker killed while staging t1.jpg leaves
    stale.write_bytes(b"half")
    result = sign_batch(files, out, SignOptions(author="A"), workers=2, timeout=0.001)
    assert [i.error_code for i in result.items] == ["sign.timeout"] * 3
    assert list(out.iterdir()) == []


def test_a_batch_stopped_early_leaves_no_worker_and_no_staged_file(tmp_path: Path) -> None:
    import multiprocessing

    from handmade.sign import iter_sign_batch, plan_batch

    folder = photo_folder(tmp_path / "in", 12, (1600, 1200))
    out = tmp_path / "out"
    out.mkdir()
    items = iter_sign_batch(plan_batch([folder], out), SignOptions(author="A"), None, workers=2, timeout=60)
    first = next(items)
    items.close()  # what Ctrl-C or a caller's break does
    assert first.ok
    assert not multiprocessing.active_children()
    assert not [p.name for p in out.iterdir() if p.name.endswith(".part")]
    assert 1 <= len(list(out.iterdir())) < 12


def test_batch_in_a_worker_with_a_generous_limit_signs_everything(tmp_path: Path) -> None:
    files = [make_photo(tmp_path / f"g{i}.jpg", seed=i) for i in range(3)]
    result = sign_batch(files, tmp_path / "out", SignOptions(author="A"), workers=1, timeout=60)
    assert [i.ok for i in result.items] == [True] * 3
    assert all(inspect(i.output).state == "valid" for i in result.items)


# --- third-party history -------------------------------------------------------------------------------
HUMAN_PARENTS = ["edit-photoshop-2025-opened-resized.jpg", "edit-photoshop-2023-drawing-actions.png",
                 "capture-cawg-identity-training-notallowed.jpg", "chain-aca-over-algorithmic-ingredient.jpg"]


@pytest.mark.parametrize("name", HUMAN_PARENTS)
def test_existing_manifest_kept_as_parent(name: str, corpus: Path, tmp_path: Path) -> None:
    src = tmp_path / name
    shutil.copy(corpus / name, src)
    out = tmp_path / f"out{src.suffix}"
    result = sign_image(src, out, SignOptions(author="Jane Doe"))
    assert result.parent_kept
    store = raw_store(out)
    active = store["manifests"][store["active_manifest"]]
    parents = [i for i in active["ingredients"] if i["relationship"] == "parentOf"]
    assert len(parents) == 1 and parents[0].get("active_manifest") in store["manifests"]
    actions = next(a for a in active["assertions"] if a["label"] == "c2pa.actions.v2")["data"]["actions"]
    assert [a["action"] for a in actions[:2]] == ["c2pa.opened", "c2pa.edited"]
    report = inspect(out)
    assert report.ai == "none_declared" and report.human_authored and report.state == "valid"
    assert report.manifest_count >= 2  # the parent's own manifest travels with the file
    assert any(s.kind == "ingredient" and s.relationship == "parentOf" and s.depth == 0 for s in report.lineage)


def _ai_files() -> list[str]:
    from tests.conftest import catalog_entries

    # An AI image whose C2PA was stripped and that carries no other marker cannot be told from a photo by
    # any reader: that limit is documented (SECURITY.md), so it is not a refusal case.
    return [e["file"] for e in catalog_entries()
            if e["expect_generative"] is True and e["file"] != "nomanifest-ai-openai-c2pa-stripped.png"]


@pytest.mark.parametrize("name", _ai_files())
def test_signing_ai_is_refused(name: str, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / ("out" + Path(name).suffix)
    with pytest.raises(SigningError) as exc:
        sign_image(corpus / name, out, SignOptions(author="Launderer"))
    assert exc.value.code in ("sign.generative_history", "sign.generative_hint", "sign.unsupported_format")
    if "nomanifest" not in name:
        assert exc.value.code != "sign.unsupported_format" or Path(name).suffix in (".webp",)
    assert not out.exists()


def test_refusal_names_the_generative_step(corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(SigningError) as exc:
        sign_image(corpus / "composite-photoshop-generative-fill.jpg", tmp_path / "o.jpg")
    assert exc.value.code == "sign.generative_history"
    # The refusal names the step: its action and why it is generative (the declared source type).
    assert "contains generative AI" in exc.value.message
    assert "c2pa.placed (declared as generated by AI (trainedAlgorithmicMedia))" in exc.value.message


@pytest.mark.parametrize("name", ["unreadable-unknown-alg.jpg", "unreadable-prerelease-manifest.jpg"])
def test_unreadable_history_is_refused(name: str, corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(SigningError) as exc:
        sign_image(corpus / name, tmp_path / "o.jpg")
    assert exc.value.code == "sign.unreadable_history"


def test_sign_bytes_round_trip() -> None:
    from PIL import Image

    from handmade.sign import sign_bytes
    from handmade.verify import inspect_bytes

    buf = io.BytesIO()
    Image.effect_noise((64, 64), 30).convert("RGB").save(buf, "PNG")
    signed = sign_bytes(buf.getvalue(), "x.png", SignOptions(author="A"))
    assert inspect_bytes(signed, "x.png").state == "valid"


@pytest.mark.parametrize("name", ["heic-origo-training-notallowed.heic", "dng-test-created.dng",
                                  "gif-test-signed.gif", "tiff-ed25519-signed.tiff", "nomanifest-sample.avif",
                                  "nomanifest-sample.heif", "nomanifest-xmp.webp", "nomanifest-tuscany.tif"])
def test_every_container_format_signs_and_keeps_its_type(name: str, corpus: Path, tmp_path: Path) -> None:
    from handmade.files import sniff_mime

    src = corpus / name
    out = tmp_path / f"out{src.suffix}"
    result = sign_image(src, out, SignOptions(author="Jane Doe"))
    assert sniff_mime(out.read_bytes(), out.name) == sniff_mime(src.read_bytes(), src.name)
    report = inspect(out)
    assert report.state == "valid" and report.human_authored and report.ai == "none_declared"
    assert result.parent_kept == (not name.startswith("nomanifest-"))


def claim_thumbnail(path: Path) -> bytes | None:
    """The claim thumbnail of the active manifest, read with c2pa-python directly."""
    import c2pa

    with c2pa.Reader(str(path)) as reader:
        store = json.loads(reader.json())
        ref = store["manifests"][store["active_manifest"]].get("thumbnail")
        if ref is None:
            return None
        out = io.BytesIO()
        reader.resource_to_stream(ref["identifier"], out)
        return out.getvalue()


def mean_difference(a: Any, b: Any) -> float:
    from PIL import ImageChops, ImageStat

    return float(sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3)


@pytest.mark.parametrize("name,size", [("in.jpg", (1200, 800)), ("in.png", (600, 900)), ("in.webp", (640, 480)),
                                       ("in.tif", (900, 600)), ("in.gif", (700, 500))])
def test_claim_thumbnail_is_a_small_honest_picture_of_the_image(name: str, size: tuple[int, int],
                                                                 tmp_path: Path) -> None:
    """The claim thumbnail (JPEG: handmade's reduced-scale decode, made while the history is checked; other
    formats: c2pa-rs's, bounded to the same size) shows the signed image: same proportions, at most 512 px,
    and the same picture as a careful downscale."""
    from PIL import Image

    src = make_photo(tmp_path / name, size=size)
    out = tmp_path / f"out{src.suffix}"
    sign_image(src, out, SignOptions(author="A"))
    thumb = claim_thumbnail(out)
    assert thumb is not None and thumb[:3] == b"\xff\xd8\xff" and len(thumb) < 64_000
    with Image.open(io.BytesIO(thumb)) as t, Image.open(out) as full:
        assert max(t.size) <= 512
        assert abs(t.width / t.height - full.width / full.height) < 0.02
        reference = full.convert("RGB").resize(t.size, Image.Resampling.LANCZOS)
        assert mean_difference(t.convert("RGB"), reference) < 6
        other = Image.effect_noise(t.size, 60).convert("RGB")
        assert mean_difference(t.convert("RGB"), other) > 20  # the comparison can tell pictures apart


def test_badge_thumbnail_shows_the_badge_and_no_thumbnail_means_none(tmp_path: Path) -> None:
    from PIL import Image

    src = make_photo(tmp_path / "in.jpg", size=(1200, 800))
    sign_image(src, tmp_path / "badge.jpg", SignOptions(author="A", badge=True))
    with Image.open(io.BytesIO(claim_thumbnail(tmp_path / "badge.jpg") or b"")) as t, \
            Image.open(tmp_path / "badge.jpg") as full:
        reference = full.convert("RGB").resize(t.size, Image.Resampling.LANCZOS)
        assert mean_difference(t.convert("RGB"), reference) < 6  # made from the stamped pixels
    sign_image(src, tmp_path / "none.jpg", SignOptions(author="A", thumbnail=False))
    assert claim_thumbnail(tmp_path / "none.jpg") is None


def test_a_failed_self_check_discards_the_staged_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The output is staged on disk while it is re-verified; a failed check removes it and writes nothing.
    (The check itself is replaced here: real signing cannot be made to produce a non-verifying file.)"""
    import handmade.sign

    def failing_check(*args: Any) -> None:
        raise SigningError("the signed result does not verify", code="sign.self_check_failed")

    monkeypatch.setattr(handmade.sign, "_self_check", failing_check)
    src = make_photo(tmp_path / "in.jpg")
    with pytest.raises(SigningError) as exc:
        sign_image(src, tmp_path / "out.jpg")
    assert exc.value.code == "sign.self_check_failed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jpg"]


def test_a_refusal_leaves_no_thumbnail_thread_running(tmp_path: Path) -> None:
    import threading

    from PIL import Image

    src = tmp_path / "ai.jpg"
    xmp = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           '<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
           'Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"/>'
           '</rdf:RDF></x:xmpmeta>')
    with Image.open(make_photo(tmp_path / "base.jpg", size=(2000, 1500))) as im:
        im.save(src, "JPEG", quality=90, xmp=xmp.encode())
    from handmade import _background

    threads, helpers = threading.active_count(), _background.running()
    with pytest.raises(SigningError) as exc:
        sign_image(src, tmp_path / "out.jpg")
    assert exc.value.code == "sign.generative_hint"
    assert threading.active_count() == threads
    assert _background.running() == helpers == 0  # Background's threads are bare _thread ones: counted apart
    assert not (tmp_path / "out.jpg").exists()
