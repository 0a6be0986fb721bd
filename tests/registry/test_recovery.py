"""Step 3 of issue 14: recovery in verify and report. A copy without credentials (or whose credentials do not
validate) is looked up in the registry; registered originals that prove themselves are candidates in
`recovered`, never the file's own verdict; a forged registry row is never offered; only accept_recovered lets a
policy accept a candidate."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PIL import Image, ImageEnhance

from handmade import _c2pa
from handmade.cli import main
from handmade.fingerprint import MIN_RESEMBLANCE, distance, fingerprint, look, resemblance
from handmade.keys import load_identity
from handmade.policy import PRESETS, evaluate, load_policy
from handmade.recovery import UNCHECKED_THRESHOLD, offered, rank
from handmade.registry import Registry, _signed64
from handmade.sign import SignOptions, sign_image
from handmade.verify import TrustAnchors, inspect
from tests.conftest import make_lookalike, make_scene
from tests.hostile.test_tampering import c2pa_segments, with_c2pa
from tests.pki import Pki, make_pki


@dataclass
class World:
    pki: Pki
    db: str
    original: Path
    manifest_id: str
    copy: Path  # re-encoded at q60 and resized to 50 %: no manifest
    other_signed: Path  # another registered photograph
    folder: Path


def _reencode(src: Path, dest: Path, *, scale: float = 0.5, fmt: str = "JPEG", quality: int = 60,
              brightness: float = 1.0) -> Path:
    with Image.open(src) as im:
        out = im.convert("RGB").resize((int(im.width * scale), int(im.height * scale)))
        out = ImageEnhance.Brightness(out).enhance(brightness)
        out.save(dest, fmt, **({"quality": quality} if fmt == "JPEG" else {}))
    return dest


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("recovery")
    pki = make_pki(folder / "pki")
    identity = load_identity(pki.key_pem, pki.chain_pem)
    original, other = folder / "harbour.jpg", folder / "market.jpg"
    sign_image(make_scene(folder / "harbour-in.jpg", size=(1200, 900), seed=41), original,
               SignOptions(author="Jane Doe"), identity)
    sign_image(make_scene(folder / "market-in.jpg", size=(1200, 900), seed=42), other,
               SignOptions(author="Jean Dupont"), identity)
    db = str(folder / "registry.sqlite")
    registry = Registry(db)
    entry, _ = registry.add_file(original)
    registry.add_file(other)
    copy = _reencode(original, folder / "harbour-from-social.jpg")
    return World(pki, db, original, entry.manifest_id, copy, other, folder)


def _verify_json(world: World, *args: str) -> tuple[int, dict[str, object]]:
    r = CliRunner().invoke(main, ["verify", "--json", "--registry", world.db, *args])
    return r.exit_code, json.loads(r.stdout)["results"][0]


def test_verify_of_a_stripped_copy_shows_the_candidate(world: World) -> None:
    code, result = _verify_json(world, "--trust", str(world.pki.root_pem), str(world.copy))
    assert result["state"] == "no_manifest" and result["ai"] == "unknown" and result["human_authored"] is None
    [candidate] = result["recovered"]  # type: ignore[misc]
    assert candidate["manifest_id"] == world.manifest_id and candidate["alg"] == "io.iscc.v0"
    assert 0 <= candidate["distance"] <= 6 and candidate["bits"] == 64
    assert candidate["resemblance"] >= 0.9  # its claim thumbnail's grey levels against the copy's
    assert candidate["author"] == "Jane Doe" and candidate["signer"] == "Test Signer es256"
    assert candidate["verdict"] == {"state": "trusted", "ai": "none_declared", "human_authored": True,
                                    "test_identity": False, "training": "not_allowed"}
    assert code == 1  # the default policy does not accept a candidate
    [reason] = result["policy"]["reasons"][-1:]  # type: ignore[index]
    assert reason["code"] == "policy.recovered_not_accepted"


@pytest.mark.parametrize("lang,words", [
    ("en", ["No Content Credentials in this file.", "A registered original matches (fingerprint distance",
            "made by hand by Jane Doe", "signed by Test Signer es256", "A candidate, not this file's own"]),
    ("fr", ["Aucune Content Credentials dans ce fichier.", "Un original enregistré correspond (distance d'empreinte",
            "fait à la main par Jane Doe", "Un candidat, pas les Content Credentials de ce fichier"]),
])
def test_the_candidate_in_words(world: World, lang: str, words: list[str]) -> None:
    for command in ("verify", "report"):
        r = CliRunner().invoke(main, [command, "--registry", world.db, "--lang", lang, str(world.copy)])
        for w in words:
            assert w in r.stdout, (command, r.stdout)


def test_without_registry_nothing_is_looked_up(world: World) -> None:
    r = CliRunner().invoke(main, ["verify", "--json", str(world.copy)])
    assert json.loads(r.stdout)["results"][0]["recovered"] == []


@pytest.mark.parametrize("variant", ["png-screenshot", "brighter", "half"])
def test_recovery_never_changes_the_files_own_verdict(world: World, variant: str) -> None:
    dest = world.folder / f"variant-{variant}.{'png' if variant == 'png-screenshot' else 'jpg'}"
    kwargs = {"png-screenshot": {"scale": 0.8, "fmt": "PNG"}, "brighter": {"scale": 1.0, "brightness": 1.1},
              "half": {"scale": 0.5}}[variant]
    _reencode(world.original, dest, **kwargs)  # type: ignore[arg-type]
    plain = inspect(dest).to_dict()
    found = inspect(dest, registry=world.db).to_dict()
    assert [c["manifest_id"] for c in found.pop("recovered")] == [world.manifest_id]
    assert plain.pop("recovered") == []
    assert found == plain  # state, ai, human_authored, findings, summary: all the file's own


def test_a_copy_whose_manifest_does_not_validate_is_looked_up(world: World) -> None:
    # The original's manifest put back on re-encoded pixels: the file's own credentials fail (invalid).
    reencoded = _reencode(world.original, world.folder / "re.jpg", scale=1.0, quality=85).read_bytes()
    broken = world.folder / "broken.jpg"
    broken.write_bytes(with_c2pa(reencoded, c2pa_segments(world.original.read_bytes())))
    plain = inspect(broken)
    assert plain.state == "invalid" and plain.intact is False
    found = inspect(broken, registry=world.db)
    assert found.state == "invalid" and found.ai == plain.ai and found.human_authored == plain.human_authored
    assert [c.manifest_id for c in found.recovered] == [world.manifest_id]


def test_signed_files_and_unrelated_pictures_get_no_candidate(world: World) -> None:
    assert inspect(world.original, registry=world.db).recovered == ()  # it has its own valid credentials
    unrelated = make_scene(world.folder / "unrelated.jpg", size=(1200, 900), seed=99)
    assert inspect(unrelated, registry=world.db).recovered == ()


def _forge(world: World, db: str, manifest_id: str, value: str, store: bytes) -> None:
    bits = fingerprint(world.copy.read_bytes(), "image/jpeg").bits  # type: ignore[union-attr]
    with Registry(db).db.connect() as conn:
        conn.execute("INSERT INTO registry_entries (manifest_id, alg, value, bits, sha256, mime, signer, author,"
                     " signed_at, added_at, store) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                     (manifest_id, "io.iscc.v0", value, _signed64(bits), "0" * 64, "image/jpeg", "Jane Doe",
                      "Jane Doe", None, "2026-12-01T00:00:00+00:00", store))


def test_forged_registry_entries_are_never_offered(world: World, tmp_path: Path) -> None:
    genuine = Registry(world.db)
    store = genuine.manifest(world.manifest_id)
    entry = genuine.entry(world.manifest_id)
    assert store is not None and entry is not None
    other_id, other_store = _c2pa.manifest_store_bytes(world.other_signed.read_bytes(), "image/jpeg")  # type: ignore[misc]
    forged_db = str(tmp_path / "forged.sqlite")
    # 1. another photograph's genuine store, under a row that claims the copy's fingerprint
    _forge(world, forged_db, other_id, entry.value, other_store)
    # 2. the genuine store with its author changed (an assertion no longer matches its hash in the claim)
    i = store.index(b"Jane Doe")
    _forge(world, forged_db, world.manifest_id + "-author", entry.value, store[:i] + b"John Doe" + store[i + 8:])
    # 3. the genuine store with its signature's last bytes changed
    sig = store.rindex(b"c2pa.signature")
    broken_sig = bytearray(store)
    for k in range(len(store) - 40, len(store) - 8):
        broken_sig[k] ^= 0xFF
    assert sig < len(store) - 40
    _forge(world, forged_db, world.manifest_id, entry.value, bytes(broken_sig))
    # 4. garbage instead of a store
    _forge(world, forged_db, "urn:c2pa:garbage", entry.value, b"\x00\x00\x00\x10jumbnot a store")
    assert Registry(forged_db).count() == 4
    assert len(Registry(forged_db).nearest(fingerprint(world.copy.read_bytes()).bits)) == 4  # type: ignore[union-attr]
    report = inspect(world.copy, registry=forged_db)
    assert report.recovered == () and report.state == "no_manifest"
    # The genuine entry is still offered from the genuine registry (the test can fail).
    assert [c.manifest_id for c in inspect(world.copy, registry=world.db).recovered] == [world.manifest_id]


def test_two_candidates_at_similar_distance_are_both_shown(world: World, tmp_path: Path) -> None:
    # The same picture signed twice (two manifests, two registrations): both are offered.
    db = str(tmp_path / "twice.sqlite")
    registry = Registry(db)
    identity = load_identity(world.pki.key_pem, world.pki.chain_pem)
    for n in (1, 2):
        out = tmp_path / f"twice-{n}.jpg"
        sign_image(make_scene(tmp_path / f"in-{n}.jpg", size=(1200, 900), seed=77), out,
                   SignOptions(author=f"Author {n}"), identity)
        registry.add_file(out)
    copy = _reencode(tmp_path / "twice-1.jpg", tmp_path / "copy.jpg")
    found = inspect(copy, registry=db)
    assert sorted(c.author or "" for c in found.recovered) == ["Author 1", "Author 2"]


def test_accept_recovered_is_the_only_way_a_policy_accepts_a_candidate(world: World, tmp_path: Path) -> None:
    anchors = TrustAnchors.from_pem(world.pki.root_pem.read_bytes(), "newsroom")
    report = inspect(world.copy, trust=anchors, registry=world.db)
    assert report.recovered and report.recovered[0].state == "trusted"
    for name, preset in PRESETS.items():
        decision = evaluate(preset, report)
        if name == "any":  # accepts files without a manifest anyway, candidate or not
            assert decision.accepted
        else:
            assert not decision.accepted
            assert decision.reasons[-1].code == "policy.recovered_not_accepted"
    policy_file = tmp_path / "desk.toml"
    policy_file.write_text('base = "handmade"\naccept_recovered = true\n')
    desk = load_policy(policy_file)
    assert evaluate(desk, report).accepted
    # Untrusted signer: the candidate does not meet "handmade" itself.
    untrusted = inspect(world.copy, registry=world.db)
    refused = evaluate(desk, untrusted)
    assert not refused.accepted and refused.reasons[-1].code == "policy.recovered_refused"
    # Through the command line: exit 0 with the policy file and the anchors.
    r = CliRunner().invoke(main, ["verify", "--registry", world.db, "--trust", str(world.pki.root_pem),
                                  "--policy", str(policy_file), str(world.copy)])
    assert r.exit_code == 0, r.output


def test_registry_errors_are_clear(world: World) -> None:
    r = CliRunner().invoke(main, ["verify", "--registry", "mysql://x/y", str(world.copy)])
    assert r.exit_code == 3 and "registry.unsupported" in r.stderr and "Traceback" not in r.output


def test_a_lookalike_whose_pixels_differ_is_not_offered(world: World) -> None:
    fake = make_lookalike(world.original, world.folder / "lookalike.png")
    registered = Registry(world.db).entry(world.manifest_id)
    seen, genuine = look(fake.read_bytes()), look(world.copy.read_bytes())
    assert seen is not None and genuine is not None and registered is not None
    # Within the fingerprint's threshold (so only the pixels can refuse it) ...
    assert distance(seen.fingerprint.bits, registered.bits) <= 10
    # ... and far from the copy's pixels, where the genuine copy is close.
    assert resemblance(seen, genuine) < MIN_RESEMBLANCE <= 0.9 < resemblance(genuine, genuine)
    report = inspect(fake, registry=world.db)
    assert report.state == "no_manifest" and report.recovered == ()
    assert [c.manifest_id for c in inspect(world.copy, registry=world.db).recovered] == [world.manifest_id]


def test_an_original_without_a_thumbnail_is_offered_only_when_very_near(world: World, tmp_path: Path) -> None:
    identity = load_identity(world.pki.key_pem, world.pki.chain_pem)
    signed = tmp_path / "no-thumb.jpg"
    sign_image(make_scene(tmp_path / "in.jpg", size=(1200, 900), seed=55), signed,
               SignOptions(author="Jane Doe", thumbnail=False), identity)
    db = str(tmp_path / "no-thumb.sqlite")
    Registry(db).add_file(signed)
    copy = _reencode(signed, tmp_path / "copy.jpg", scale=1.0, quality=90)
    d = distance(fingerprint(copy.read_bytes()).bits, fingerprint(signed.read_bytes()).bits)  # type: ignore[union-attr]
    assert d <= UNCHECKED_THRESHOLD
    [candidate] = inspect(copy, registry=db).recovered
    assert candidate.resemblance is None and candidate.author == "Jane Doe"
    r = CliRunner().invoke(main, ["verify", "--registry", db, str(copy)])
    assert "(fingerprint distance" in r.stdout and "alike" not in r.stdout
    # The rule itself: a compared candidate by its pixels, an uncompared one by its distance alone.
    assert offered(10, MIN_RESEMBLANCE) and not offered(0, MIN_RESEMBLANCE - 0.01)
    assert offered(UNCHECKED_THRESHOLD, None) and not offered(UNCHECKED_THRESHOLD + 1, None)
    assert sorted([(3, None), (9, 0.8), (1, 0.75), (2, 0.99)], key=lambda c: rank(*c)) == [
        (2, 0.99), (9, 0.8), (1, 0.75), (3, None)]


def test_the_claim_thumbnail_is_upright(tmp_path: Path) -> None:
    # A camera JPEG stored landscape with EXIF orientation 6 (rotate 90 degrees to view): the thumbnail is portrait,
    # as the picture is shown, so that it can be compared with copies (which are upright once decoded).
    src = make_scene(tmp_path / "in.jpg", size=(1200, 900), seed=5)
    with Image.open(src) as im:
        exif = im.getexif()
        exif[0x0112] = 6
        im.save(tmp_path / "rotated.jpg", "JPEG", exif=exif.tobytes(), quality=90)
    pki = make_pki(tmp_path / "pki")
    out = tmp_path / "signed.jpg"
    sign_image(tmp_path / "rotated.jpg", out, SignOptions(), load_identity(pki.key_pem, pki.chain_pem))
    claim, _ = _c2pa.read_thumbnails(out.read_bytes(), "image/jpeg")
    assert claim is not None
    with Image.open(io.BytesIO(claim[1])) as thumb:
        assert thumb.height > thumb.width, thumb.size


def test_a_frozen_list_vouches_for_a_candidate_as_for_an_embedded_manifest(world: World) -> None:
    # The interim list's rule (it vouches only for what a trusted timestamp shows was signed before it froze),
    # with the test root in a list of that kind: the candidate reads as the embedded manifest would.
    from handmade.trust import TrustConfig, TrustSource

    def config(frozen: str | None) -> TrustConfig:
        return TrustConfig((TrustSource(id="frozen-like", title="a list that froze", role="signers",
                                        anchors_pem=world.pki.root_pem.read_text(), count=1, frozen=frozen),))

    live, frozen = config(None), config("2026-01-01T00:00:00+00:00")
    assert [c.state for c in inspect(world.copy, trust=live, registry=world.db).recovered] == ["trusted"]
    assert inspect(world.original, trust=live).trusted is True
    # Signed without a trusted timestamp: nothing shows it was signed before the list froze.
    assert [c.state for c in inspect(world.copy, trust=frozen, registry=world.db).recovered] == ["valid"]
    embedded = inspect(world.original, trust=frozen)
    assert embedded.trusted is False and "trust.interim_frozen" in {f.code for f in embedded.findings}


def test_a_huge_claim_thumbnail_is_not_decoded(tmp_path: Path) -> None:
    # A signed store could carry a small file announcing many pixels: it is not decoded, as if there were none
    # (then only a copy within UNCHECKED_THRESHOLD bits is offered).
    from handmade.recovery import MAX_THUMBNAIL_PIXELS, _resemblance

    bomb = io.BytesIO()
    Image.new("L", (5000, 5000)).save(bomb, "PNG")  # 25 MP of zeros: a few KB
    assert len(bomb.getvalue()) < 512 * 1024 and 5000 * 5000 > MAX_THUMBNAIL_PIXELS
    small = io.BytesIO()
    make_scene(tmp_path / "s.jpg", size=(400, 300), seed=3)
    with Image.open(tmp_path / "s.jpg") as im:
        im.save(small, "JPEG")
    seen = look(small.getvalue())
    assert seen is not None
    assert _resemblance(bomb.getvalue(), seen) is None
    assert _resemblance(small.getvalue(), seen) == 1.0  # the test can fail: a real thumbnail is compared


def test_resemblance_holds_where_the_border_trim_wavers(tmp_path: Path) -> None:
    """The bundled sample's sky is a gradient from its top-left corner: where the fingerprint's border trim cuts
    it moves with the decoding scale, so trimmed grey levels of a re-encoded copy and of the claim thumbnail
    disagree, while the whole pictures agree. A copy framed by a uniform border lines up again once trimmed.
    ``resemblance`` takes the better of the two."""
    import numpy as np

    from handmade._imaging import thumbnail_and_fingerprint
    from handmade.files import load_input

    def registered_look(path: Path) -> Any:
        thumbnail, _ = thumbnail_and_fingerprint(load_input(path))
        assert thumbnail is not None
        return look(thumbnail)

    sample = Path(__file__).resolve().parents[2] / "samples" / "harbour.jpg"
    registered = registered_look(sample)
    copy = look(_reencode(sample, tmp_path / "copy.jpg", scale=1.0, quality=70).read_bytes())
    assert registered is not None and copy is not None
    trimmed_only = float(np.dot(registered.trimmed, copy.trimmed))
    assert trimmed_only < 0.95 <= resemblance(registered, copy), trimmed_only

    scene = make_scene(tmp_path / "scene.jpg", size=(1200, 900), seed=1)
    with Image.open(scene) as im:
        framed = Image.new("RGB", (im.width + 200, im.height + 200), (255, 255, 255))
        framed.paste(im.convert("RGB"), (100, 100))
    framed.save(tmp_path / "framed.png")
    registered, boxed = registered_look(scene), look((tmp_path / "framed.png").read_bytes())
    assert registered is not None and boxed is not None
    whole_only = float(np.dot(registered.levels, boxed.levels))
    assert whole_only < MIN_RESEMBLANCE <= 0.95 <= resemblance(registered, boxed), whole_only


def test_a_lookup_examines_at_most_the_nearest_max_examined(world: World, tmp_path: Path) -> None:
    """Each examined entry costs a validation and a thumbnail decode: however many registered pictures sit near
    a copy (here MAX_EXAMINED + 3 signings of one picture) and however many results are asked for, one lookup
    examines the nearest MAX_EXAMINED."""
    from handmade.files import load_input
    from handmade.recovery import MAX_EXAMINED, candidates
    from handmade.trust import resolve

    identity = load_identity(world.pki.key_pem, world.pki.chain_pem)
    anchors = TrustAnchors.from_pem(world.pki.root_pem.read_bytes(), "newsroom")
    src = make_scene(tmp_path / "in.jpg", size=(400, 300), seed=77)
    db = str(tmp_path / "crowded.sqlite")
    registry = Registry(db)
    for i in range(MAX_EXAMINED + 3):
        signed = tmp_path / f"signed-{i}.jpg"
        sign_image(src, signed, SignOptions(author=f"Author {i}"), identity)
        registry.add_file(signed, trust=anchors)
    copy = load_input(_reencode(tmp_path / "signed-0.jpg", tmp_path / "copy.jpg", scale=1.0, quality=80))
    seen = look(copy.data, copy.mime, copy.path)
    assert seen is not None
    found = candidates(copy, seen, registry, resolve(anchors),
                       max_results=100)
    assert len(found) == MAX_EXAMINED
    assert len(candidates(copy, seen, registry, resolve(anchors),
                          max_results=3)) == 3
