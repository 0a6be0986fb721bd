"""handmade label: a visible label backed by the verified history, signed again, never laundering (issue 16).

Human-made files are signed with a real test PKI (tests/pki.py) whose root is passed as the trust anchor;
AI files are crafted with c2pa-python's Builder as another tool would sign them, or taken from the corpus.
Every labelled output is read back with real c2pa and judged by every preset policy.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import c2pa
import pytest
from click.testing import CliRunner
from PIL import Image, ImageChops

from handmade.cli import main
from handmade.errors import LabelRefused, SigningError
from handmade.keys import load_identity
from handmade.label import HEADLINES, LabelSpec, _self_check, label_image, marking_manifest
from handmade.policy import PRESETS, evaluate, load_policy
from handmade.report import verdict
from handmade.sign import SignOptions, sign_image
from handmade.verify import inspect, load_trust_anchors
from tests.conftest import make_photo
from tests.integration.test_authority import COLLECTIVE, env, member  # noqa: F401  (fixtures)
from tests.integration.test_authority import cli as authority_cli
from tests.integration.test_honest_history import IPTC, actions, craft, created
from tests.pki import Pki, make_pki

pytestmark = pytest.mark.filterwarnings("ignore::handmade.sign.TestIdentityWarning")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def trust(pki: Pki) -> Any:
    return load_trust_anchors([str(pki.root_pem)])


@pytest.fixture(scope="module")
def identity(pki: Pki) -> Any:
    return load_identity(str(pki.key_pem), str(pki.chain_pem), None)


def jpeg(size: tuple[int, int] = (480, 320)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def ai_file(tmp_path: Path, kind: str = "generative") -> Path:
    """A JPEG whose valid manifest (signed by another tool) declares AI of ``kind``."""
    steps = {"generative": [created("trainedAlgorithmicMedia")],
             "ai_assisted": [created("digitalCapture"), {"action": "c2pa.edited", "digitalSourceType":
                                                         IPTC + "compositeWithTrainedAlgorithmicMedia"}],
             "possibly_generative": [created("composite")]}[kind]
    path = tmp_path / f"{kind}.jpg"
    path.write_bytes(craft([actions(*steps, all_included=True)], data=jpeg()))
    return path


def active_manifest(path: Path) -> dict[str, Any]:
    with c2pa.Reader(str(path)) as reader:
        store = json.loads(reader.json())
    return dict(store["manifests"][store["active_manifest"]])


def marking(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    acts = [a for x in manifest["assertions"] if x["label"].startswith("c2pa.actions") for a in x["data"]["actions"]]
    return [a for a in acts if a.get("parameters", {}).get("org.handmade.label")]


def changed(a: Path, b: Path) -> tuple[int, int, int, int] | None:
    with Image.open(a) as x, Image.open(b) as y:
        return ImageChops.difference(x.convert("RGB"), y.convert("RGB")).getbbox()


# --- made by hand ---------------------------------------------------------------------------------------
def test_a_verified_handmade_file_gets_its_label_and_stays_handmade(tmp_path: Path, pki: Pki, trust: Any,
                                                                     identity: Any) -> None:
    signed = tmp_path / "signed.png"
    sign_image(make_photo(tmp_path / "p.png", size=(900, 600)), signed, SignOptions(author="Jane Doe"), identity,
               trust=trust)
    out = tmp_path / "labelled.png"
    result = label_image(signed, out, trust=trust, identity=identity, lang="fr")
    assert result.spec == LabelSpec("handmade", "Fait à la main — vérifié", "Test Signer es256")
    report = inspect(out, trust=trust)
    assert report.bottom_line == "HANDMADE" and evaluate(load_policy("handmade"), report).accepted
    assert report.training == "not_allowed"  # the author's refusal is carried into the labelled file
    manifest = active_manifest(out)
    (mark,) = marking(manifest)
    assert mark["action"] == "c2pa.edited" and "Visible label" in mark["description"]
    assert [i["relationship"] for i in manifest["ingredients"]] == ["parentOf"]
    box = changed(signed, out)  # the pixels changed are the label in the bottom-right corner, nothing else
    assert box == result.placement.box and box[0] > 450 and box[1] > 300
    assert signed.read_bytes() != out.read_bytes()


def test_an_authority_member_label_names_the_authority_and_a_revoked_one_gets_none(
        member: dict[str, Path], env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    """A real label authority (handmade authority init/issue/export): the member's label names it; once the
    member is revoked, the same file backs no label."""
    me, bundle = member["me"], str(member["bundle"])
    out = tmp_path / "jane-labelled.jpg"
    r = authority_cli("label", str(member["signed"]), "-o", str(out), "--trust", bundle, "--lang", "fr", "--json",
                      "--key", str(me / "signer.key"), "--chain", str(me / "signer-chain.pem"), env=env)
    done = json.loads(r.stdout)["results"][0]
    assert done["text"] == ["Fait à la main — vérifié", f"Jane Doe · certifié par {COLLECTIVE}"]
    assert done["bottom_line"] == "HANDMADE"
    assert inspect(out, trust=_load_bundle_trust(bundle)).trusted_by == f"authority:{COLLECTIVE}"
    authority_cli("authority", "revoke", "--authority", str(member["auth"]), "--cert",
                  str(me / "signer-chain.pem"), "--reason", "keyCompromise", env=env)
    authority_cli("authority", "export", "--authority", str(member["auth"]), "--out", bundle, env=env)
    again = tmp_path / "again.jpg"
    r = authority_cli("label", str(member["signed"]), "-o", str(again), "--trust", bundle, env=env, check=False)
    assert r.returncode == 1 and not again.exists()
    assert "no label: its Content Credentials do not validate" in r.stdout and "revoked" in r.stdout


def _load_bundle_trust(bundle: str) -> Any:
    from handmade import trust
    from handmade.authority import load_bundle

    return trust.build(None, use_default=False, bundles=[load_bundle(bundle)])


# --- AI stays AI ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["generative", "ai_assisted", "possibly_generative"])
def test_an_ai_file_gets_the_uniform_mark_and_stays_ai_in_every_verdict(kind: str, tmp_path: Path, trust: Any,
                                                                         identity: Any) -> None:
    src = ai_file(tmp_path, kind)
    before = inspect(src, trust=trust)
    out = tmp_path / "labelled.jpg"
    result = label_image(src, out, trust=trust, identity=identity)  # signed by a trusted key: still AI
    assert result.spec.kind == kind and result.spec.headline == HEADLINES[kind]["en"]
    after = inspect(out, trust=trust)
    assert after.state == "trusted" and after.ai == before.ai == kind and not after.human_authored
    assert after.bottom_line == before.bottom_line
    refusing = [p for p in PRESETS.values() if p.require_human or p.forbid_generative]
    assert refusing
    for policy in refusing:  # every policy that keeps AI out keeps the labelled file out
        assert not evaluate(policy, after).accepted, policy.name
    assert not evaluate(load_policy("handmade"), after).accepted
    words = {"generative": ("AI-generated image", "Image générée par IA"),
             "ai_assisted": ("Contains AI-generated content", "Contient des éléments générés par IA"),
             "possibly_generative": ("May contain AI-generated content", "Peut contenir des éléments générés")}[kind]
    assert verdict(after, "en").startswith(words[0]) and verdict(after, "fr").startswith(words[1])
    # the marking itself is not a generative step: the AI is where the original put it
    assert after.lineage[1].action == "c2pa.edited" and not after.lineage[1].generative
    text = json.dumps(active_manifest(out))
    assert "humanEdits" not in text and "c2pa.created" not in text
    # and handmade sign still refuses the labelled file: labelling opened no door
    with pytest.raises(SigningError) as exc:
        sign_image(out, tmp_path / "laundered.jpg", SignOptions(author="X"), identity, trust=trust)
    assert exc.value.code in ("sign.generative_history", "sign.possibly_generative_history")
    assert not (tmp_path / "laundered.jpg").exists()


def test_a_real_ai_image_from_the_corpus_stays_ai(corpus: Path, tmp_path: Path, identity: Any) -> None:
    src = corpus / "ai-openai-media-service-2026-valid.png"
    before = inspect(src)
    assert before.ai == "generative" and before.state in ("valid", "trusted")
    out = tmp_path / "openai-labelled.png"
    result = label_image(src, out, identity=identity, lang="fr")
    assert result.spec.headline == "Généré par IA"
    after = inspect(out)
    assert after.ai == "generative" and after.bottom_line == "AI"


def test_the_marking_of_an_ai_file_writes_nothing_human(tmp_path: Path) -> None:
    for kind in ("generative", "ai_assisted", "possibly_generative"):
        text = json.dumps(marking_manifest("x.jpg", LabelSpec(kind, HEADLINES[kind]["en"])))  # type: ignore[arg-type]
        assert "humanEdits" not in text and "templates" not in text and "cawg.metadata" not in text
        from handmade import labels

        assert not labels.generative_wording(text)  # nor does it claim to be the AI step itself
    assert "humanEdits" in json.dumps(marking_manifest("x.jpg", LabelSpec("handmade", "Made by hand — verified")))


def test_the_self_check_refuses_an_ai_file_that_would_read_human(tmp_path: Path, trust: Any, identity: Any) -> None:
    """The guard is live: a labelled result whose verdict is not the original's AI verdict is refused."""
    src = ai_file(tmp_path)
    ai_report = inspect(src, trust=trust)
    signed = tmp_path / "human.jpg"
    sign_image(make_photo(tmp_path / "p.jpg"), signed, SignOptions(), identity, trust=trust)
    human = label_image(signed, tmp_path / "human-labelled.jpg", trust=trust, identity=identity).report
    spec = LabelSpec("generative", "AI-generated")
    with pytest.raises(SigningError) as exc:
        _self_check("x.jpg", spec, ai_report, human)
    assert exc.value.code == "label.self_check_failed" and "ai=none_declared" in exc.value.message
    _self_check("x.jpg", LabelSpec("handmade", "Made by hand — verified"), human, human)  # the honest case passes


# --- no label -------------------------------------------------------------------------------------------
def test_files_without_a_verified_history_get_no_label(tmp_path: Path, corpus: Path, identity: Any) -> None:
    plain = make_photo(tmp_path / "plain.jpg")
    claimed = tmp_path / "claimed.jpg"  # signed with the TEST key: a claim nobody vouches for
    sign_image(make_photo(tmp_path / "p2.jpg"), claimed, SignOptions(author="Someone"))
    unknown = tmp_path / "unknown.jpg"
    unknown.write_bytes(craft([actions({"action": "c2pa.created", "digitalSourceType": "https://example.org/x"})]))
    cases = {plain: "label.no_manifest", corpus / "tampered-hash-mismatch-XCA.jpg": "label.invalid",
             claimed: "label.not_verified", unknown: "label.not_verified"}
    for src, code in cases.items():
        out = tmp_path / f"out-{src.name}"
        with pytest.raises(LabelRefused) as exc:
            label_image(src, out, identity=identity)
        assert exc.value.code == code, (src.name, exc.value.message)
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claimed.jpg", "p2.jpg", "plain.jpg", "unknown.jpg"]


def test_cli_refusal_is_worded_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    plain = make_photo(tmp_path / "plain.jpg")
    out = tmp_path / "out.jpg"
    r = CliRunner().invoke(main, ["label", str(plain), "-o", str(out), "--lang", "fr"])
    assert r.exit_code == 1 and not out.exists(), r.output
    assert "pas d'étiquette : aucun Content Credentials" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(main, ["label", str(tmp_path / "missing.jpg"), "-o", str(out)])
    assert r.exit_code == 3 and "input.not_found" in r.output


def test_cli_labels_a_folder_with_options_and_json(tmp_path: Path, pki: Pki) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    ai_file(inputs)
    make_photo(inputs / "plain.jpg")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["label", str(inputs), "-o", str(out), "--corner", "tl", "--size", "10", "--json",
                                  "--trust", str(pki.root_pem), "--key", str(pki.key_pem), "--chain",
                                  str(pki.chain_pem)])
    assert r.exit_code == 1, r.output  # one refused
    doc = json.loads(r.stdout)
    assert doc["schema"] == "handmade.label/v1"
    by_status = {d["status"]: d for d in doc["results"]}
    assert by_status["refused"]["error"]["code"] == "label.no_manifest"
    done = by_status["labelled"]
    assert done["kind"] == "generative" and done["corner"] == "tl" and done["bottom_line"] == "AI"
    left, top, _, bottom = done["box"]
    assert left < 50 and top < 50 and bottom - top == 32  # 10 % of the 320-pixel short side
    assert sorted(p.name for p in out.iterdir()) == ["generative.jpg"]


def test_the_signing_badge_is_drawn_by_the_same_renderer(tmp_path: Path) -> None:
    from handmade.files import load_input
    from handmade.label import DEFAULT_SIZE, draw_on_loaded

    src = make_photo(tmp_path / "p.png", size=(1200, 800))
    out = tmp_path / "badged.png"
    r = CliRunner().invoke(main, ["sign", str(src), "-o", str(out), "--badge", "--lang", "fr"])
    assert r.exit_code == 0, r.output
    drawn, placement = draw_on_loaded(load_input(src), LabelSpec("badge", "Fait à la main"))
    with Image.open(out) as signed, Image.open(io.BytesIO(drawn.data)) as expected:
        assert ImageChops.difference(signed.convert("RGB"), expected.convert("RGB")).getbbox() is None
    box = changed(src, out)
    assert box == placement.box and box[3] - box[1] == round(800 * DEFAULT_SIZE) and box[2] > 900


def test_label_svg_writes_a_badge_and_refuses_like_the_picture(tmp_path: Path, pki: Pki, trust: Any,
                                                                identity: Any) -> None:
    import xml.etree.ElementTree as ET

    signed = tmp_path / "signed.jpg"
    sign_image(make_photo(tmp_path / "p.jpg"), signed, SignOptions(author="Jane Doe"), identity, trust=trust)
    out = tmp_path / "badge.svg"
    r = CliRunner().invoke(main, ["label", str(signed), "-o", str(out), "--svg", "--lang", "fr", "--trust",
                                  str(pki.root_pem)])
    assert r.exit_code == 0, r.output
    texts = [t.text for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["Fait à la main — vérifié", "Test Signer es256"]
    assert signed.read_bytes() == (tmp_path / "signed.jpg").read_bytes()
    plain = make_photo(tmp_path / "plain.jpg")
    r = CliRunner().invoke(main, ["label", str(plain), "-o", str(tmp_path / "no.svg"), "--svg"])
    assert r.exit_code == 1 and not (tmp_path / "no.svg").exists()
    r = CliRunner().invoke(main, ["label", str(signed), "-o", str(tmp_path / "k.svg"), "--svg", "--key", "x"])
    assert r.exit_code == 2 and "--svg signs nothing" in r.output


def test_a_file_that_changed_after_its_check_is_not_labelled(tmp_path: Path, trust: Any, identity: Any) -> None:
    from handmade.errors import InputError
    from handmade.files import load_input
    from handmade.label import label_loaded

    first, second = ai_file(tmp_path), tmp_path / "other.jpg"
    second.write_bytes(craft([actions(created("trainedAlgorithmicMedia"), all_included=True)], data=jpeg((64, 48))))
    with pytest.raises(InputError) as exc:  # the report that chose the label must be of these very bytes
        label_loaded(load_input(second), trust=trust, identity=identity, before=inspect(first, trust=trust))
    assert exc.value.code == "label.changed"


def test_a_forged_report_cannot_make_an_ai_file_read_human(tmp_path: Path, trust: Any, identity: Any) -> None:
    """Even a library caller who hands label_loaded a doctored "made by hand" report of an AI file's very bytes
    gets nothing: the labelled result is re-read, still reads AI, and is refused before anything is written."""
    from dataclasses import replace

    from handmade.files import load_input
    from handmade.label import label_loaded

    src = ai_file(tmp_path)
    signed = tmp_path / "human.jpg"
    sign_image(make_photo(tmp_path / "p.jpg"), signed, SignOptions(author="Jane"), identity, trust=trust)
    human = inspect(signed, trust=trust)
    real = inspect(src, trust=trust)
    forged = replace(human, path=str(src), sha256=real.sha256)
    with pytest.raises(SigningError) as exc:
        label_loaded(load_input(src), trust=trust, identity=identity, before=forged)
    assert exc.value.code == "label.self_check_failed" and "ai=generative" in exc.value.message


def test_label_timestamps_the_new_signature_with_tsa_url(tmp_path: Path, pki: Pki, trust: Any,
                                                         identity: Any) -> None:
    from tests.tsa import running_tsa

    src = ai_file(tmp_path)
    out = tmp_path / "stamped.jpg"
    with running_tsa() as tsa:
        r = CliRunner().invoke(main, ["label", str(src), "-o", str(out), "--trust", str(pki.root_pem), "--key",
                                      str(pki.key_pem), "--chain", str(pki.chain_pem), "--tsa-url", tsa.url])
        assert r.exit_code == 0, r.output
        assert len(tsa.requests) == 1
        report = inspect(out, trust=load_trust_anchors([str(pki.root_pem), str(tsa.root_pem)]))
    assert report.timestamped is True and report.ai == "generative"
    bare = tmp_path / "bare.jpg"
    r = CliRunner().invoke(main, ["label", str(src), "-o", str(bare), "--trust", str(pki.root_pem), "--key",
                                  str(pki.key_pem), "--chain", str(pki.chain_pem)])
    assert r.exit_code == 0 and "no timestamp" in r.output
