"""The one message catalog (handmade.messages): every entry in both languages, and no English sentence in a
French output (``verify --lang fr``, ``report --lang fr`` over the corpus and signed files)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import make_photo
from tests.pki import make_pki

from handmade import inspect
from handmade.cli import main
from handmade.messages import CATALOG, LANGUAGES, messages, step_reason, t, text_of
from handmade.policy import PRESETS, evaluate

#: Entries that read the same in both languages: codes, punctuation-only templates, names.
SAME_IN_BOTH = {
    "empty", "cli.ok", "keys.fingerprint", "finding.step", "finding.step_title", "reason.st",
    "store.desc", "hint.message", "hint.exif_other", "hint.plus_prohibited", "action.other",
    "view.severity.info", "signal.info",
}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_entry_has_every_language_with_the_same_placeholders() -> None:
    for key, entry in CATALOG.items():
        assert set(entry) == set(LANGUAGES), key
        if key != "empty":
            assert all(entry[lang].strip() or entry["en"] == "" for lang in LANGUAGES), key
        if key not in ("policy.unreadable", "policy.unreadable_store"):  # English: the message; French: its
            assert _fields(entry["en"]) == _fields(entry["fr"]), key  # sentence by error code (``error_k``)


def test_french_differs_from_english_except_for_codes_and_names() -> None:
    same = {key for key, entry in CATALOG.items() if entry["fr"] == entry["en"]}
    # source types whose words happen to be the same are none today; a new equal entry must be looked at
    assert same == SAME_IN_BOTH


def test_nested_keys_render_in_the_same_language() -> None:
    params = {"where_k": "where.ingredient", "status": "x.y", "explanation_k": "finding.no_detail"}
    assert t("c2pa:other", "en", **params) == "In an ingredient: c2pa reports 'x.y': no detail."
    assert t("c2pa:other", "fr", **params) == "Dans un ingrédient : c2pa signale « x.y » : sans détail."
    assert messages("fr")["page.findings"] == "Constats" and messages("en")["page.findings"] == "Findings"


def _english_fragments() -> set[str]:
    """The literal pieces (between placeholders) of every English entry that has a French of its own, long
    enough to be a sentence and found in no French entry (so not a name such as "Content Credentials")."""
    french = " ".join(entry["fr"] for entry in CATALOG.values())
    out = set()
    for key, entry in CATALOG.items():
        if key in SAME_IN_BOTH or key.startswith(("st.", "src:")):  # src: names of trust lists, also data
            continue
        for piece in re.split(r"\{[^}]*\}", entry["en"]):
            piece = piece.strip(" .:;,()'\"")
            if len(piece) >= 14 and " " in piece and piece not in french:
                out.add(piece)
    return out


def _leaks(text: str) -> list[str]:
    return sorted(f for f in _english_fragments() if f in text)


@pytest.fixture(scope="module")
def signed_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Files signed here: with a real certificate (not trusted: nobody vouches), and with the TEST key."""
    folder = tmp_path_factory.mktemp("fr-signed")
    pki = make_pki(folder / "pki")
    runner = CliRunner()
    out = [folder / "signed.jpg", folder / "test-key.jpg"]
    r = runner.invoke(main, ["sign", str(make_photo(folder / "a.jpg")), "-o", str(out[0]), "--author", "Jane Doe",
                             "--key", str(pki.key_pem), "--chain", str(pki.chain_pem)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["sign", str(make_photo(folder / "b.jpg", seed=2)), "-o", str(out[1]), "--lang", "fr"])
    assert r.exit_code == 0, r.output
    assert "signé" in r.stdout and "signed (" not in r.stdout
    return out


@pytest.mark.corpus
def test_no_english_sentence_in_french_verify_and_report(corpus: Path, signed_files: list[Path]) -> None:
    files = sorted(p for p in corpus.iterdir() if p.suffix.lower() not in (".json", ".md")) + signed_files
    runner = CliRunner()
    for command in (["verify", "--policy", "handmade"], ["verify", "--policy", "any"], ["report"]):
        fr = runner.invoke(main, [*command, "--lang", "fr", *map(str, files)])
        en = runner.invoke(main, [*command, *map(str, files)])
        assert fr.exception is None or isinstance(fr.exception, SystemExit), fr.output
        assert _leaks(fr.stdout) == [], command
        # the English run does show those sentences: the check above can fail
        assert _leaks(en.stdout), command
        assert "  - [avertissement] " in fr.stdout and "  - [warning] " not in fr.stdout


@pytest.mark.corpus
def test_every_message_of_every_result_has_its_french(corpus: Path, signed_files: list[Path]) -> None:
    """Each finding, policy reason, hint and step reason over the corpus renders in French, and differently
    from its English message (unless the entry is a code or name, SAME_IN_BOTH)."""
    files = sorted(p for p in corpus.iterdir() if p.suffix.lower() not in (".json", ".md")) + signed_files
    seen: set[str] = set()
    for path in files:
        report = inspect(path)
        items = [*report.findings, *report.hints]
        for policy in ("handmade", "trusted", "any"):
            items += evaluate(PRESETS[policy], report).reasons
        for item in items:
            assert item.key is not None, (path.name, item.code if hasattr(item, "code") else item)
            seen.add(item.key)
            fr = text_of(item, "fr")
            if item.key == "finding.error" and f"error.{getattr(item, 'code', '')}" not in CATALOG:
                continue  # an error without a French sentence yet shows its English message (see below)
            assert fr != item.message or item.params.get("body_k") == "hint.exif_other", (path.name, item.message)
            assert _leaks(fr) == [], (path.name, fr)
        for step in report.lineage:
            if step.reason is not None:
                assert step.reason_key is not None, (path.name, step.reason)
                assert step_reason(step, "fr") != step.reason and not _leaks(step_reason(step, "fr") or "")
    # the corpus reaches most kinds of messages: findings of the chain, the trust, the stores, hints, policies
    assert {"finding.step", "finding.untrusted", "c2pa:claimSignature.mismatch", "hint.message",
            "policy.not_trusted", "finding.test_identity"} <= seen


@pytest.mark.corpus
def test_errors_and_refusals_in_french(corpus: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(main, ["verify", "--lang", "fr", str(tmp_path / "nosuch.jpg")])
    assert r.exit_code == 3
    assert "Vérification impossible: le fichier n'existe pas (détail : " in r.stdout
    assert "Le fichier n'a pas pu être traité : le fichier n'existe pas." in r.stdout
    r = runner.invoke(main, ["sign", "--lang", "fr", str(corpus / "ai-adobe-firefly-2025-text-to-image.jpg"),
                             "-o", str(tmp_path / "out.jpg")])
    assert r.exit_code == 3 and not (tmp_path / "out.jpg").exists()
    assert "erreur : refusé : l'historique de l'image relève de l'IA générative [sign.generative_history]" in r.stderr
    assert "conseil : Seules les images dont tout l'historique est fait main peuvent être signées." in r.stderr
    assert "avertissement : Signature avec l'identité de TEST" in r.stderr and "warning" not in r.stderr
