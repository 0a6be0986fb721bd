"""The one message catalog (handmade.messages): every entry in both languages, and no English sentence in a
French output (``verify --lang fr``, ``report --lang fr`` over the corpus and signed files)."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import make_photo
from tests.pki import make_pki

from handmade import inspect
from handmade.cli import main
from handmade.messages import CATALOG, LANGUAGES, messages, negotiate, step_reason, t, text_of
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
    assert "Vérification impossible : le fichier n'existe pas (détail : " in r.stdout
    assert "Le fichier n'a pas pu être traité : le fichier n'existe pas." in r.stdout
    r = runner.invoke(main, ["sign", "--lang", "fr", str(corpus / "ai-adobe-firefly-2025-text-to-image.jpg"),
                             "-o", str(tmp_path / "out.jpg")])
    assert r.exit_code == 3 and not (tmp_path / "out.jpg").exists()
    assert "erreur : refusé : l'historique de l'image relève de l'IA générative [sign.generative_history]" in r.stderr
    assert "conseil : Seules les images dont tout l'historique est fait main peuvent être signées." in r.stderr
    assert "avertissement : Signature avec l'identité de TEST" in r.stderr and "warning" not in r.stderr


# --- every error code of the source has its French sentence, and its French hint ---------------------------------
_SRC = Path(__file__).resolve().parents[2] / "src" / "handmade"
_CODE = re.compile(r"^[a-z0-9_]+\.[a-z0-9_.]+$")

#: The places where a code is not a literal at the call, and where its values come from. A new one makes the
#: test below fail until it is listed here with its codes.
_COMPUTED = {
    ("_c2pa.py", "code"): "c2pa's error kinds: _READ_CODES when reading, sign.<kind> when signing",
    ("_pkcs11.py", "errors[0].code"): "a KeyProblem's code",
    ("keys.py", "first.code"): "a KeyProblem's code",
    ("keys.py", "exc.code"): "re-raised",
    ("errors.py", "code"): "the constructor's own argument",
    ("label.py", "code"): "the `code = \"label...\"` assignments of label.py",
    ("label.py", "report.error.code"): "a report's error code (input.*, manifest.*)",
    ("verify.py", "code"): "a finding's code (replace(...)), not an error",
    ("storage.py", "exc.code.replace('storage.', f'{component}.', 1)"):
        "each storage.* code as <component>.* (audit, registry: open_component)",
    ("storage.py", "f'{component}.unavailable'"): "audit.unavailable, registry.unavailable (open_component)",
}


def _error_codes_of_the_source() -> tuple[dict[str, str], dict[str, str], set[tuple[str, str]]]:
    """(every error code raised -> where, every code raised with a hint -> where, the computed code sites),
    read from the source: HandmadeError subclasses' ``default_code``, ``code=``/``error_code=`` literals (and
    the class's default code where none is given), ``KeyProblem(code, message, hint)``, ``code = "..."``
    assignments, ``hint=`` arguments, c2pa's error kinds, workers' failure kinds, storage codes as audit."""
    trees = {f: ast.parse(f.read_text(encoding="utf-8")) for f in sorted(_SRC.rglob("*.py"))}
    classes: dict[str, tuple[str | None, str | None]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                code = next((st.value.value for st in node.body if isinstance(st, ast.Assign)
                             and any(isinstance(t, ast.Name) and t.id == "default_code" for t in st.targets)
                             and isinstance(st.value, ast.Constant)), None)
                classes[node.name] = (ast.unparse(node.bases[0]).split(".")[-1] if node.bases else None, code)

    def default(name: str | None) -> str | None:
        while name in classes:
            base, code = classes[name]
            if code:
                return code
            name = base
        return None

    def literals(expr: ast.AST) -> set[str]:
        return {n.value for n in ast.walk(expr)
                if isinstance(n, ast.Constant) and isinstance(n.value, str) and _CODE.match(n.value)}

    raised: dict[str, str] = {}
    hinted: dict[str, str] = {}
    computed: set[tuple[str, str]] = set()
    for f, tree in trees.items():
        for node in ast.walk(tree):
            where = f"{f.name}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.ClassDef) and classes[node.name][1] and default(node.name):
                raised.setdefault(str(classes[node.name][1]), where)
            elif (f.name == "label.py" and isinstance(node, ast.Assign)  # the code of a LabelRefused
                  and any(isinstance(t, ast.Name) and t.id == "code" for t in node.targets)):
                for code in literals(node.value):
                    raised.setdefault(code, where)
            elif isinstance(node, ast.Call):
                name = ast.unparse(node.func).split(".")[-1]
                kws = {k.arg: k.value for k in node.keywords}
                codes: set[str] = set()
                for arg in ("code", "error_code"):
                    if arg in kws:
                        found = literals(kws[arg])
                        if not found:
                            computed.add((f.name, ast.unparse(kws[arg])))
                        codes |= found
                if "code" not in kws and default(name):
                    codes.add(str(default(name)))
                hint = kws.get("hint")
                if name == "KeyProblem":
                    codes |= literals(node.args[0])
                    hint = node.args[2] if len(node.args) > 2 else hint
                for code in codes:
                    raised.setdefault(code, where)
                    if hint is not None and not (isinstance(hint, ast.Constant) and hint.value is None):
                        hinted.setdefault(code, where)
            elif (isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
                  and any(isinstance(t, ast.Name) and t.id == "_READ_CODES" for t in node.targets)):
                for value in node.value.values:  # (code, hint or None) by c2pa error kind
                    assert isinstance(value, ast.Tuple)
                    code, hint = (ast.literal_eval(v) for v in value.elts)
                    raised.setdefault(code, where)
                    if hint:
                        hinted.setdefault(code, where)
    import c2pa

    from handmade import _c2pa
    from handmade.workers import Failure

    for kind in c2pa.C2paError.__subclasses__():  # signing: sign.<kind> (NotSupported: sign.unsupported_format)
        if _c2pa._kind(kind()) != "NotSupported":
            raised.setdefault(f"sign.{_c2pa._kind(kind()).lower()}", "_c2pa.py: _map_errors")
    for kind in ("timeout", "crash"):
        Failure(kind)
        raised.setdefault(f"sign.{kind}", "workers.py: failure_error")
    for code, where in list(raised.items()):
        if code.startswith("storage."):
            for component in ("audit.", "registry."):  # the components that call storage.open_component
                raised.setdefault(component + code.removeprefix("storage."), where)
                if code in hinted:
                    hinted.setdefault(component + code.removeprefix("storage."), where)
    return raised, hinted, computed


def test_every_error_code_of_the_source_has_its_french_sentence_and_hint() -> None:
    raised, hinted, computed = _error_codes_of_the_source()
    assert computed == set(_COMPUTED), "a code computed at a new place: list it (and its codes) in _COMPUTED"
    # the reading is not empty-handed: the codes of the audit are among those found
    assert {"policy.unknown", "sign.tsa_unreachable", "keys.eku", "scan.output", "audit.unavailable",
            "sign.signature", "label.no_manifest"} <= set(raised)
    assert {"policy.unknown", "sign.tsa_unreachable", "keys.passphrase", "input.corrupt"} <= set(hinted)
    no_sentence = {code: where for code, where in raised.items() if f"error.{code}" not in CATALOG}
    no_hint = {code: where for code, where in hinted.items() if f"hint.{code}" not in CATALOG}
    assert no_sentence == {} and no_hint == {}


def test_a_french_error_shows_the_french_hint() -> None:
    from handmade.report import error_text

    for code in ("policy.unknown", "sign.tsa_unreachable", "keys.eku", "storage.unavailable"):
        text = error_text(code, "the English detail", "An English hint.", "fr") or ""
        assert "conseil : " in text and "An English hint." not in text, code
    r = CliRunner().invoke(main, ["verify", "--policy", "nosuch", "--lang", "fr", __file__])
    assert r.exit_code == 3
    assert "conseil : Utilisez l'une des politiques any, intact, claimed, handmade, trusted" in r.stderr
    assert "Use one of" not in r.stderr


def test_french_hints_name_every_choice_the_code_accepts() -> None:
    """The hints that list choices write them out: each must name every choice of the code's own list."""
    from dataclasses import fields

    from handmade import authority, keys, label, labels
    from handmade.policy import Policy

    lists = {
        "hint.authority.reason": list(authority.REASONS),
        "hint.keys.algorithm": list(keys.ALGORITHMS) + list(authority.ALGORITHMS),
        "hint.keys.validity_too_long": [str(keys.MAX_LEAF_DAYS)],
        "hint.keys.passphrase": [keys.PASSPHRASE_ENV],
        "hint.label.corner": list(label.CORNERS),
        "hint.policy.keys": sorted({f.name for f in fields(Policy)} - {"name"}),
        "hint.policy.unknown": list(PRESETS),
        "hint.policy.not_found": list(PRESETS),
        "hint.sign.ai_training": list(labels.TRAINING_CHOICES),
        "hint.sign.made_with": list(labels.MADE_WITH),
    }
    for key, choices in lists.items():
        for lang in LANGUAGES:
            missing = [c for c in choices if not re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", CATALOG[key][lang])]
            assert missing == [], (key, lang)


def test_language_negotiation() -> None:
    """``?lang=`` first, then the best catalog language in Accept-Language by q-value, else English."""
    assert negotiate("fr", "en") == "fr" and negotiate("de", "fr-CA") == "fr" and negotiate(None) == "en"
    assert negotiate(None, "de-DE, fr;q=0.8, en;q=0.5") == "fr"
    assert negotiate(None, "fr;q=0.2, en-GB;q=0.9") == "en"
    assert negotiate(None, "fr;q=oops, de") == "en"  # an unreadable q counts as 0
    assert negotiate(None, ",".join(["de"] * 32 + ["fr"])) == "en"  # only the first 32 items are read


def test_rendered_messages_are_remembered_but_never_mixed_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """``t`` remembers what it rendered, by key, language and every keyword: another word, language or nested
    key gives another string; a value that is not a ``str`` (``True`` equals ``1``) is rendered each time."""
    from handmade import messages as m

    monkeypatch.setattr(m, "_RENDERED", {})
    monkeypatch.setattr(m, "_RENDERED_MAX", 3)
    words = {"name": "Acme", "date": "2026-01-02", "reason": "keyCompromise"}
    first = t("finding.revoked", "en", **words)
    assert first == t("finding.revoked", "en", **words) == m._render("finding.revoked", "en", words, 0)
    assert t("finding.revoked", "en", **{**words, "name": "Other"}).startswith("Other revoked")
    assert t("finding.revoked", "fr", **words).startswith("Acme a révoqué")
    assert len(m._RENDERED) <= 3  # bounded: emptied when full
    assert t("finding.revoked", "en", **words) == first
    assert t("finding.revoked", "en", name=True, date="d", reason="r").startswith("True revoked")
    assert t("finding.revoked", "en", name=1, date="d", reason="r").startswith("1 revoked")
    assert all(type(value) is str for key in m._RENDERED for _, value in key[2:])
    nested = {"body_k": "hint.plus_allowed", "unsigned_k": "hint.unsigned"}
    assert t("hint.message", "en", **nested) != t("hint.message", "en", **{**nested, "body_k": "hint.plus_unspecified"})
