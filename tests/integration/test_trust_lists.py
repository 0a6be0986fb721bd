"""The shipped trust lists: which corpus files read trusted, which list vouched, stale snapshots, updates from a
server on 127.0.0.1, the conformance harness's crJSON mode, and the words of each verdict in English and French.

Everything here is real: c2pa-rs validates against the real C2PA Trust List, TSA Trust List and interim list
(../shared/trust-lists, shipped in handmade/trustlists), and updates are fetched over real HTTP.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import io
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import pytest

from handmade import trust
from handmade.files import loaded_from_bytes
from handmade.report import verdict
from handmade.verify import TrustAnchors, inspect
from tests.conftest import ROOT, catalog_entries, make_photo

SHARED_LISTS = Path(os.environ.get("HANDMADE_TRUST_LISTS", ROOT.parent / "shared" / "trust-lists"))
SHIPPED = Path(str(resources.files("handmade").joinpath("trustlists")))

# file -> (state, trusted_by) under the shipped lists (files without a manifest or unreadable are left out)
EXPECTED: dict[str, tuple[str, str | None]] = {
    "ai-adobe-firefly-2023-custom-assertion-only.jpg": ("trusted", "c2pa-interim-list"),
    "ai-adobe-firefly-2025-text-to-image.jpg": ("trusted", "c2pa-interim-list"),
    "ai-adobe-firefly-thirdparty-imagen3.png": ("trusted", "c2pa-interim-list"),
    "ai-amazon-titan-bedrock.png": ("valid", None),
    "ai-bfl-flux-api.jpg": ("valid", None),  # expired without the TSA list; its timestamp is now trusted
    "ai-google-30-manifest-edit-chain.png": ("trusted", "c2pa-trust-list"),
    "ai-google-gemini-visible-watermark-chain.png": ("trusted", "c2pa-trust-list"),
    "ai-google-generative-single.png": ("trusted", "c2pa-trust-list"),
    "ai-microsoft-bing-image-creator-no-dst.jpg": ("trusted", "c2pa-interim-list"),  # needs the EKU configuration
    "ai-microsoft-designer-malformed-softbinding.png": ("invalid", None),
    "ai-openai-chatgpt-2025-truepic-expired.png": ("invalid", None),
    "ai-openai-dalle3-via-chatgpt.webp": ("trusted", "c2pa-interim-list"),
    "ai-openai-media-service-2026-eku-invalid.png": ("trusted", "c2pa-trust-list"),  # EKU configuration
    "ai-openai-media-service-2026-valid.png": ("trusted", "c2pa-trust-list"),
    "ai-samsung-galaxy-s25-ai-edit.png": ("valid", None),  # interim list only, signed after it froze
    "avif-test-signer-eku-invalid.avif": ("valid", None),
    "camera-nikon-z9-2022-expired.jpeg": ("invalid", None),
    "camera-pixel10pro-motionphoto-stripped.jpg": ("invalid", None),
    "camera-truepic-lens-hash-mismatch.jpg": ("invalid", None),
    "capture-cawg-identity-training-notallowed.jpg": ("valid", None),
    # c2pa-rs says Invalid, not Trusted, overall (its ingredient), but gives signingCredential.trusted for
    # the active manifest's signer under the interim list alone: the signer is vouched for, signed before the freeze
    "chain-aca-over-algorithmic-ingredient.jpg": ("trusted", "c2pa-interim-list"),
    "chain-test-CACAICAICICA.jpg": ("valid", None),
    "composite-dst-declared-test.jpg": ("valid", None),
    # Its ingredient's recorded validation failed (assertion.dataHash.mismatch): the history is invalid,
    # whoever vouches for the signer (issue 11).
    "composite-firefly-edit-of-generated-https-dst.jpg": ("invalid", "c2pa-interim-list"),
    "composite-photoshop-generative-fill.jpg": ("trusted", "c2pa-interim-list"),
    "composite-photoshop-opened-firefly-ingredient.jpg": ("trusted", "c2pa-interim-list"),
    "dng-test-created.dng": ("valid", None),
    # the same for a CAWG identity assertion that fails (judged apart: identity_valid)
    "edit-adobe-content-authenticity-training-allowed.jpg": ("trusted", "c2pa-interim-list"),
    "edit-adobe-content-authenticity-training-notallowed.png": ("trusted", "c2pa-interim-list"),
    "edit-photoshop-2022-composite-ingredients.jpeg": ("trusted", "c2pa-interim-list"),
    "edit-photoshop-2023-drawing-actions.png": ("trusted", "c2pa-interim-list"),
    "edit-photoshop-2025-opened-resized.jpg": ("trusted", "c2pa-interim-list"),
    "expired-cert-no-timestamp.jpg": ("invalid", None),
    "gif-test-signed.gif": ("valid", None),
    "heic-origo-training-notallowed.heic": ("valid", None),
    "invalid-claim-signature-E-sig-CA.jpg": ("invalid", None),
    "tampered-hash-mismatch-XCA.jpg": ("invalid", None),
    "test-created-algorithmicmedia-C.jpg": ("valid", None),
    "tiff-ed25519-signed.tiff": ("valid", None),
}

# Files whose active manifest's signer c2pa-rs finds trusted (signingCredential.trusted) with the shared configuration
# although its one-word state is Valid or Invalid, for reasons that are not the signer's and that handmade judges
# apart (an ingredient nobody vouches for, a CAWG identity assertion that does not verify).
SIGNER_TRUSTED_STATE_VALID = {
    "chain-aca-over-algorithmic-ingredient.jpg",
    "edit-adobe-content-authenticity-training-allowed.jpg",
    "edit-photoshop-2025-opened-resized.jpg",
}

# Files c2pa-rs itself reads as Trusted with the shared configuration that handmade does not call trusted, and why.
NOT_TRUSTED_ON_PURPOSE = {
    "ai-samsung-galaxy-s25-ai-edit.png": "only the interim list vouches, and its timestamp (2026-06-05) is after "
                                         "the list froze on 2026-01-01",
}


def shared_lists_or_skip() -> Path:
    if not (SHARED_LISTS / "README.md").is_file():
        pytest.skip(f"SHARED TRUST LISTS NOT FOUND at {SHARED_LISTS}: set HANDMADE_TRUST_LISTS to run this test")
    return SHARED_LISTS


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "handmade", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


# --- the snapshot ---------------------------------------------------------------------------------------------
def test_shipped_snapshot_is_the_shared_one_with_attribution() -> None:
    shared = shared_lists_or_skip()
    for folder in ("c2pa-official", "interim-legacy"):
        for f in (shared / folder).iterdir():
            assert (SHIPPED / folder / f.name).read_bytes() == f.read_bytes(), f
    meta = json.loads((SHIPPED / "SNAPSHOT.json").read_text())
    assert "CC BY 4.0" in meta["sources"]["c2pa-trust-list"]["licence"]
    assert "7dbff513b66e36184619286fe734beea32f2e6db" in meta["sources"]["c2pa-trust-list"]["origin"]
    notice = (ROOT / "NOTICE").read_text()
    assert "C2PA Trust List" in notice and "CC BY 4.0" in notice and "interim" in notice


def test_default_configuration_has_the_three_lists_in_all_three_settings() -> None:
    config = trust.TrustConfig.default()
    assert [s.id for s in config.sources] == ["c2pa-trust-list", "c2pa-tsa-trust-list", "c2pa-interim-list"]
    counts = {s.id: s.count for s in config.sources}
    assert counts == {"c2pa-trust-list": 30, "c2pa-tsa-trust-list": 22, "c2pa-interim-list": 18 + 86}
    settings = config.settings()
    assert set(settings) == {"trust_anchors", "allowed_list", "trust_config"}
    assert "1.3.6.1.4.1.311.76.59.1.9" in settings["trust_config"]  # Microsoft's C2PA signing EKU
    # each root once: the three lists share 16 of their 70 (c2pa-rs parses every anchor on every read)
    given = _pem_bodies(settings["trust_anchors"])
    assert len(given) == len(set(given)) == 54
    assert set(given) == {b for s in config.sources for b in _pem_bodies(s.anchors_pem)}
    mine = config.with_anchors(TrustAnchors.from_pem((ROOT / "keys" / "root-ca.pem").read_bytes(), "root"))
    assert mine.settings()["user_anchors"].count("BEGIN CERTIFICATE") == 1 and mine.key != config.key


def _pem_bodies(pem: str) -> list[str]:
    return ["".join(b.split("-----")[0].split()) for b in pem.split("-----BEGIN CERTIFICATE-----")[1:]]


def test_each_anchor_given_once_and_nothing_else_changed() -> None:
    a, b, c = (_fake_pem(x) for x in (b"a" * 60, b"b" * 60, b"c" * 60))
    header = "-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\n" + a.split("\n", 1)[1]
    text = trust._unique_pem([f"# list one\n{a}\n{b}\n", f"{b.replace(chr(10), chr(13) + chr(10))}\n# two\n{c}",
                              header, f"{a}\ngarbage -----BEGIN CERTIFICATE-----\nnot closed"])
    assert text.count("BEGIN CERTIFICATE") == 5  # a, b, c, the one with a header, the unclosed one
    assert text.index(a) < text.index(b) < text.index(c) < text.index("Proc-Type")
    assert "# list one" in text and "# two" in text and text.endswith("garbage -----BEGIN CERTIFICATE-----\nnot closed")


def _fake_pem(der: bytes) -> str:
    import base64
    import textwrap

    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
    return f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----"


def test_settings_are_built_once_per_configuration_and_never_shared(tmp_path: Path) -> None:
    """``settings()`` is remembered per configuration: another configuration gets its own, a caller that changes
    the dict it got changes nothing for the next, and verdicts follow the configuration given each time."""
    from handmade.keys import bundled_test_identity
    from handmade.sign import SignOptions, sign_image

    config = trust.TrustConfig.default()
    mine = config.with_anchors(TrustAnchors.from_pem((ROOT / "keys" / "root-ca.pem").read_bytes(), "root"))
    got = config.settings()
    got["user_anchors"] = "changed"
    assert "user_anchors" not in config.settings() and config.settings() == config.settings()
    assert "user_anchors" in mine.settings() and trust.TrustConfig.none().settings() == {}
    signed = tmp_path / "signed.jpg"
    with pytest.warns(UserWarning):
        sign_image(make_photo(tmp_path / "in.jpg"), signed, SignOptions(author="Jane Doe"), bundled_test_identity())
    for _ in range(2):
        assert (inspect(signed, trust=config).state, inspect(signed, trust=config).trusted_by) == ("valid", None)
        assert (inspect(signed, trust=mine).state, inspect(signed, trust=mine).trusted_by) == (
            "trusted", "your-anchors")
        assert inspect(signed, trust=trust.TrustConfig.none()).trusted is False


# --- the corpus under the shipped lists -------------------------------------------------------------------------
ENTRIES = [e for e in catalog_entries() if e["file"] in EXPECTED]


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_corpus_verdict_and_who_vouched(entry: dict[str, Any], corpus: Path) -> None:
    report = inspect(corpus / entry["file"])
    assert (report.state, report.trusted_by) == EXPECTED[entry["file"]]
    if report.state in ("trusted", "valid"):
        assert report.trusted is (report.state == "trusted")
    # a tampered file can have a signer its list vouches for (the Pixel and Truepic files): the facet says so,
    # but trusted_by is only given for a trusted verdict
    assert report.to_dict()["trusted_by"] == report.trusted_by


def test_what_c2pa_rs_trusts_handmade_trusts(corpus: Path) -> None:
    """The configuration the Content Credentials Verify site uses, given to c2pa-python directly, trusts the
    same files, each attributed to a list (except the documented one)."""
    import c2pa

    shared = shared_lists_or_skip()
    anchors = "\n".join((shared / p).read_text() for p in (
        "c2pa-official/C2PA-TRUST-LIST.pem", "c2pa-official/C2PA-TSA-TRUST-LIST.pem", "interim-legacy/anchors.pem"))
    settings = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
                "trust": {"trust_anchors": anchors, "allowed_list": (shared / "interim-legacy/allowed.pem").read_text(),
                          "trust_config": (shared / "interim-legacy/store.cfg").read_text()}}
    ctx = c2pa.Context.from_json(json.dumps(settings))
    raw_trusted, ours, signer_only = set(), set(), set()
    for entry in catalog_entries():
        if not entry["has_manifest"] or entry["read_error"]:
            continue
        data = (corpus / entry["file"]).read_bytes()
        try:
            reader = c2pa.Reader.try_create(loaded_from_bytes(data, entry["file"]).mime, io.BytesIO(data), context=ctx)
        except c2pa.C2paError:
            continue
        if reader is not None and reader.get_validation_state() == "Trusted":
            raw_trusted.add(entry["file"])
        elif reader is not None and entry["file"] in SIGNER_TRUSTED_STATE_VALID:
            active = json.loads(reader.json())["validation_results"]["activeManifest"]
            if "signingCredential.trusted" in {c["code"] for c in active["success"]}:
                signer_only.add(entry["file"])
        report = inspect(corpus / entry["file"])
        if report.trusted_by is not None:  # the signer's trust; a broken history is judged apart (state invalid)
            ours.add(entry["file"])
            assert report.trusted_by in ("c2pa-trust-list", "c2pa-interim-list"), entry["file"]
    assert len(raw_trusted) == 17
    assert signer_only == SIGNER_TRUSTED_STATE_VALID
    assert ours == (raw_trusted - set(NOT_TRUSTED_ON_PURPOSE)) | signer_only
    samsung = inspect(corpus / "ai-samsung-galaxy-s25-ai-edit.png")
    frozen = next(f for f in samsung.findings if f.code == "trust.interim_frozen")
    assert "froze on 2026-01-01" in frozen.message and "2026-06-05" in frozen.message


def test_without_the_shipped_lists_nothing_real_is_trusted(corpus: Path, tmp_path: Path) -> None:
    google = corpus / "ai-google-generative-single.png"
    assert inspect(google, trust=trust.TrustConfig.none()).state == "invalid"  # expired without the TSA list
    r = run_cli("verify", "--json", "--policy", "any", "--no-default-trust", str(google))
    assert json.loads(r.stdout)["results"][0]["trusted_by"] is None
    r = run_cli("verify", "--json", "--policy", "any", str(google), env={"HANDMADE_NO_DEFAULT_TRUST": "1"})
    assert json.loads(r.stdout)["results"][0]["trusted_by"] is None
    settings = tmp_path / "config.toml"
    settings.write_text("default_trust = false\n")
    r = run_cli("verify", "--json", "--policy", "any", str(google), env={"HANDMADE_CONFIG": str(settings)})
    assert json.loads(r.stdout)["results"][0]["trusted_by"] is None
    r = run_cli("verify", "--json", "--policy", "any", str(google))
    assert json.loads(r.stdout)["results"][0]["trusted_by"] == "c2pa-trust-list"


def test_your_anchors_add_to_the_shipped_lists(corpus: Path, tmp_path: Path) -> None:
    from handmade.keys import load_identity
    from handmade.sign import SignOptions, sign_image
    from tests.pki import make_pki

    pki = make_pki(tmp_path / "pki")
    mine = tmp_path / "mine.jpg"
    sign_image(make_photo(tmp_path / "in.jpg"), mine, SignOptions(author="Jane Doe"),
               load_identity(pki.key_pem, pki.chain_pem))
    r = run_cli("verify", "--json", "--trust", str(pki.root_pem), str(mine),
                str(corpus / "ai-openai-media-service-2026-valid.png"))
    mine_result, openai = json.loads(r.stdout)["results"]
    assert (mine_result["state"], mine_result["trusted_by"], mine_result["policy"]["accepted"]) == (
        "trusted", "your-anchors", True)
    assert mine_result["bottom_line"] == "HANDMADE"
    assert openai["trusted_by"] == "c2pa-trust-list" and openai["policy"]["accepted"] is False


def test_trusted_verdicts_say_which_list_vouched(corpus: Path) -> None:
    google = inspect(corpus / "ai-google-generative-single.png")
    assert verdict(google).endswith(". Trusted: signed by Google LLC (C2PA Trust List)")
    assert verdict(google, "fr").endswith(". De confiance : signé par Google LLC (liste de confiance C2PA)")
    photoshop = inspect(corpus / "edit-photoshop-2022-composite-ingredients.jpeg")
    # Its composite has ingredients without Content Credentials: AI use unknown (issue 11), said before who vouches.
    assert verdict(photoshop) == ("Signed, AI use unknown; part of it comes from a file without Content "
                                  "Credentials, of unknown origin; its manifests do not say that every action is "
                                  "listed. Trusted: signed by Adobe Inc. (interim list, frozen 2026-01-01: signed "
                                  "while it was in force)")
    assert verdict(photoshop, "fr").endswith(". De confiance : signé par Adobe Inc. (liste provisoire, gelée le "
                                             "2026-01-01 : signé quand elle était en vigueur)")
    assert verdict(photoshop, "fr").startswith("Signé, usage d'IA inconnu ; une partie provient d'un fichier sans")
    samsung = inspect(corpus / "ai-samsung-galaxy-s25-ai-edit.png")
    assert "Trusted" not in verdict(samsung)


# --- staleness, show, update ----------------------------------------------------------------------------------
def _snapshot_dir(folder: Path, issued: str, next_update: str, drop_one_pem_cert: bool = False) -> Path:
    """The shipped official lists with other dates (the certificates unchanged), as a newer release would be."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in trust.OFFICIAL_FILES:
        data = (SHIPPED / "c2pa-official" / name).read_text()
        if name.endswith(".json"):
            doc = json.loads(data)
            doc["LoTE"]["ListAndSchemeInformation"].update(ListIssueDateTime=issued, NextUpdate=next_update)
            data = json.dumps(doc)
        elif drop_one_pem_cert and name == "C2PA-TRUST-LIST.pem":
            end = "-----END CERTIFICATE-----"
            data = data[data.index(end) + len(end):]
        (folder / name).write_text(data)
    return folder


def test_stale_lists_warn_on_every_verify(tmp_path: Path, corpus: Path) -> None:
    later = dt.datetime(2027, 9, 1, tzinfo=dt.timezone.utc)
    stale = trust.TrustConfig.default().stale_findings(now=later)
    assert {f.source for f in stale} == {"c2pa-trust-list", "c2pa-tsa-trust-list"}
    # the shipped snapshot (issued 2026-08-05, next update 2027-08-05) is fresh before its next update, whatever
    # day the tests run
    fresh = dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)
    assert trust.TrustConfig.default().stale_findings(now=fresh) == ()
    env = {"HANDMADE_DATA_DIR": str(tmp_path / "data")}
    # a snapshot issued in September 2026 that was due for an update in November 2026
    source = _snapshot_dir(tmp_path / "stale", "2026-09-01T00:00:00Z", "2026-11-01T00:00:00Z")
    r = run_cli("trust", "update", "--from", str(source), env=env)
    assert r.returncode == 0, r.stderr
    r = run_cli("verify", "--json", "--policy", "any", str(corpus / "edit-photoshop-2025-opened-resized.jpg"), env=env)
    assert r.returncode == 0
    assert "warning: The C2PA Trust List in use was due for an update on 2026-11-01" in r.stderr
    assert "trust.stale" in {f["code"] for f in json.loads(r.stdout)["results"][0]["findings"]}
    r = run_cli("verify", "--lang", "fr", "--policy", "any", str(corpus / "edit-photoshop-2025-opened-resized.jpg"),
                env=env)
    assert "avertissement : La source « C2PA Trust List » utilisée devait être mise à jour le 2026-11-01" in r.stderr
    assert "warning" not in r.stderr
    shown = run_cli("trust", "show", env=env)
    assert shown.returncode == 1 and "c2pa-trust-list STALE" in shown.stdout


def test_trust_findings_rendered_in_french_by_the_cli(tmp_path: Path, corpus: Path) -> None:
    """verify --lang fr: the stale-list and frozen-interim-list findings in French, in the block and on stderr."""
    env = {"HANDMADE_DATA_DIR": str(tmp_path / "data")}
    source = _snapshot_dir(tmp_path / "stale", "2026-09-01T00:00:00Z", "2026-11-01T00:00:00Z")
    assert run_cli("trust", "update", "--from", str(source), env=env).returncode == 0
    r = run_cli("verify", "--lang", "fr", "--policy", "any", str(corpus / "edit-photoshop-2025-opened-resized.jpg"),
                env=env)
    assert r.returncode == 0, r.stderr
    stale_fr = ("La source « C2PA Trust List » utilisée devait être mise à jour le 2026-11-01 ; lancez « handmade "
                "trust update » pour installer un instantané plus récent.")
    assert f"- [avertissement] {stale_fr} (trust.stale)" in r.stdout
    assert f"avertissement : {stale_fr}" in r.stderr and "due for an update" not in r.stderr + r.stdout
    r = run_cli("verify", "--lang", "fr", "--policy", "any", str(corpus / "ai-samsung-galaxy-s25-ai-edit.png"))
    assert r.returncode == 0, r.stderr
    assert ("- [avertissement] Seule la liste de confiance provisoire garantit ce signataire, et cette liste a été "
            "gelée le 2026-01-01 ; il a été signé le 2026-06-05, elle ne le garantit donc plus. (trust.interim_frozen)"
            ) in r.stdout
    assert "De confiance" not in r.stdout and "Only the interim" not in r.stdout


class _Quiet(http.server.SimpleHTTPRequestHandler):
    requested: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: Any) -> None:
        type(self).requested.append(self.path)


@pytest.fixture
def list_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on 127.0.0.1 serving a folder, as a mirror of the official trust-list folder would."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/trust-list/", root / "trust-list"
    finally:
        server.shutdown()
        server.server_close()


def test_trust_update_from_a_server_on_loopback(list_server: tuple[str, Path], tmp_path: Path) -> None:
    url, folder = list_server
    env = {"HANDMADE_DATA_DIR": str(tmp_path / "data")}
    _snapshot_dir(folder, "2026-11-20T00:00:00Z", "2027-11-20T00:00:00Z")
    _Quiet.requested.clear()
    r = run_cli("trust", "update", "--from", url, env=env)
    assert r.returncode == 0, r.stderr
    assert "installed: C2PA Trust List issued 2026-11-20T00:00:00Z (30 certificates" in r.stdout
    assert sorted(_Quiet.requested) == sorted(f"/trust-list/{n}" for n in trust.OFFICIAL_FILES)
    shown = json.loads(run_cli("trust", "show", "--json", "--at", "2027-01-01", env=env).stdout)
    official = next(s for s in shown["sources"] if s["id"] == "c2pa-trust-list")
    assert official["issued"] == "2026-11-20T00:00:00Z" and url in official["origin"] and not official["stale"]
    assert next(s for s in shown["sources"] if s["id"] == "c2pa-interim-list")["frozen"] == "2026-01-01"
    # an older list is refused unless forced; a list whose PEM and JSON disagree is refused outright
    _snapshot_dir(folder, "2026-10-01T00:00:00Z", "2027-10-01T00:00:00Z")
    r = run_cli("trust", "update", "--from", url, env=env)
    assert r.returncode == 3 and "trust.update_older" in r.stderr and "Traceback" not in r.stderr
    _snapshot_dir(folder, "2026-12-01T00:00:00Z", "2027-12-01T00:00:00Z", drop_one_pem_cert=True)
    r = run_cli("trust", "update", "--from", url, env=env)
    assert r.returncode == 3 and "trust.update_invalid" in r.stderr and "(29 against 30)" in r.stderr
    shown = json.loads(run_cli("trust", "show", "--json", env=env).stdout)
    assert next(s for s in shown["sources"] if s["id"] == "c2pa-trust-list")["issued"] == "2026-11-20T00:00:00Z"
    # nothing is fetched from another host over plain http, and a dead address is a worded error
    r = run_cli("trust", "update", "--from", "http://example.invalid/trust-list/", env=env)
    assert r.returncode == 3 and "only https:// addresses" in r.stderr
    dead = url.replace("/trust-list/", "/nothing-here/")
    r = run_cli("trust", "update", "--from", dead, env=env)
    assert r.returncode == 3 and "cannot be fetched" in r.stderr and "Traceback" not in r.stderr


def test_trust_show_lists_what_is_in_force() -> None:
    r = run_cli("trust", "show", "--at", "2027-01-01")  # a day when the shipped snapshot is fresh
    assert r.returncode == 0, r.stderr
    assert "c2pa-trust-list: C2PA Trust List (signers), 30 certificate(s); issued 2026-08-05, next update 2027-08-05" \
        in r.stdout
    assert "c2pa-interim-list: Content Credentials interim trust list (signers), 104 certificate(s); frozen " \
           "2026-01-01" in r.stdout
    assert "CC BY 4.0" in r.stdout
    doc = json.loads(run_cli("trust", "show", "--json").stdout)
    assert doc["schema"] == "handmade.trust/v1" and len(doc["sources"]) == 3
    # the day after the next update, the same snapshot is stale: exit 1 and the lists marked
    r = run_cli("trust", "show", "--at", "2027-08-06")
    assert r.returncode == 1 and "c2pa-trust-list STALE" in r.stdout and "c2pa-tsa-trust-list STALE" in r.stdout


# --- the conformance harness's mode ---------------------------------------------------------------------------
def _codes(doc: dict[str, Any], kind: str) -> set[str]:
    return {c["code"] for c in doc["manifests"][0]["validationResults"].get(kind, [])}


def test_crjson_with_given_trust_lists(corpus: Path, tmp_path: Path) -> None:
    shared = shared_lists_or_skip()
    google = str(corpus / "ai-google-generative-single.png")
    r = run_cli("verify", "--format", "crjson", "--trust-list", str(shared / "c2pa-official/C2PA-TRUST-LIST.pem"),
                "--tsa-trust-list", str(shared / "c2pa-official/C2PA-TSA-TRUST-LIST.pem"), google)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert "signingCredential.trusted" in _codes(doc, "success") and "timeStamp.trusted" in _codes(doc, "success")
    # a test trust list that does not hold the signer's CA: untrusted (and expired: no trusted timestamp)
    other = tmp_path / "other.pem"
    shutil.copy(ROOT / "keys" / "root-ca.pem", other)
    r = run_cli("verify", "--format", "crjson", "--trust-list", str(other), google,
                str(corpus / "nomanifest-test-A.jpg"))
    docs = json.loads(r.stdout)
    assert isinstance(docs, list) and docs[1] is None
    assert {"signingCredential.untrusted", "signingCredential.expired"} <= _codes(docs[0], "failure")
    r = run_cli("verify", "--format", "crjson", str(tmp_path / "missing.jpg"))
    assert r.returncode == 3 and "input.not_found" in r.stderr
    r = run_cli("verify", "--format", "crjson", "--lang", "fr", str(tmp_path / "missing.jpg"))
    assert r.returncode == 3 and "input.not_found" in r.stderr and "erreur" in r.stderr.lower(), r.stderr


def test_who_vouches_is_found_once_per_signer_certificate(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding the list that vouches costs one more c2pa-rs read per list tried; the answer is remembered per
    signer certificate (issuer, serial, signing time) and configuration, and is the same as a fresh one."""
    from handmade import verify

    verify._ATTRIBUTED.clear()
    firefly = corpus / "ai-adobe-firefly-2025-text-to-image.jpg"
    google = corpus / "ai-google-gemini-visible-watermark-chain.png"
    fresh = {f: inspect(f).trusted_by for f in (firefly, google)}
    assert fresh[firefly] == "c2pa-interim-list" and fresh[google] == "c2pa-trust-list"
    asked: list[str] = []
    real = verify.attribute

    def counting(loaded: Any, *args: Any, **kwargs: Any) -> str | None:
        asked.append(loaded.path)
        return real(loaded, *args, **kwargs)

    monkeypatch.setattr(verify, "attribute", counting)
    for _ in range(3):
        assert {f: inspect(f).trusted_by for f in (firefly, google)} == fresh
    assert asked == []  # both signers were seen: no more reads
    # another configuration is another question: with no lists nobody vouches, and nothing is taken from before
    assert inspect(firefly, trust=trust.TrustConfig.none()).trusted_by is None
    verify._ATTRIBUTED.clear()
    assert inspect(firefly).trusted_by == "c2pa-interim-list" and len(asked) == 1


def test_installed_authorities_are_looked_up_where_the_environment_says(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The authorities' folder is remembered per environment, and its state is read on every call: another
    data directory, or a folder that appears or changes, gives another configuration at once."""
    monkeypatch.setenv("HANDMADE_DATA_DIR", str(tmp_path / "one"))
    assert trust._bundles_stamp() == (str(tmp_path / "one" / "authorities"), None)
    (tmp_path / "one" / "authorities").mkdir(parents=True)
    stamp = trust._bundles_stamp()
    assert stamp[1] == (tmp_path / "one" / "authorities").stat().st_mtime_ns
    os.utime(tmp_path / "one" / "authorities", ns=(1, 2))
    assert trust._bundles_stamp() == (stamp[0], 2)
    monkeypatch.setenv("HANDMADE_DATA_DIR", str(tmp_path / "two"))
    assert trust._bundles_stamp() == (str(tmp_path / "two" / "authorities"), None)
    monkeypatch.delenv("HANDMADE_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert trust._bundles_stamp()[0] == str(tmp_path / "xdg" / "handmade" / "authorities")
