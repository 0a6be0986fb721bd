"""A label authority for a collective, and signatures that outlive their certificates, for real: the command line
in subprocesses, real certificates and CRLs made by the authority, c2pa-rs validating, and a real RFC 3161
time-stamping server on 127.0.0.1 (OpenSSL's responder, tests/tsa.py)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from handmade.authority import PEM, export_bundle
from handmade.keys import build_signer_certificate, generate_private_key
from tests.conftest import make_photo
from tests.tsa import running_tsa

COLLECTIVE = "Collectif des illustrateurs"
PASS = "collective-secret-9"


def cli(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    r = subprocess.run([sys.executable, "-m", "handmade", *args], capture_output=True, text=True, timeout=120,
                       env={**os.environ, **env}, stdin=subprocess.DEVNULL)
    if check:
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr, r.stderr
    return r


def result(r: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    return dict(json.loads(r.stdout)["results"][0])


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"HANDMADE_DATA_DIR": str(tmp_path / "data"), "HANDMADE_KEY_PASSPHRASE": PASS,
            "HANDMADE_CONFIG": str(tmp_path / "no-settings.toml")}


@pytest.fixture
def member(tmp_path: Path, env: dict[str, str]) -> dict[str, Path]:
    """An authority made, a member who asked for and got a certificate, and the bundle exported."""
    auth, me = tmp_path / "AUTH", tmp_path / "ME"
    cli("authority", "init", "--name", COLLECTIVE, "--out", str(auth), "--country", "FR", env=env)
    cli("keys", "request", "--name", "Jane Doe", "--out", str(me), env=env)
    assert b"ENCRYPTED" in (me / "signer.key").read_bytes() and b"ENCRYPTED" in (auth / "issuing-ca.key").read_bytes()
    cli("authority", "issue", "--authority", str(auth), "--csr", str(me / "signer.csr"), "--out",
        str(me / "signer-chain.pem"), env=env)
    cli("authority", "export", "--authority", str(auth), "--out", str(tmp_path / "collectif.bundle"), env=env)
    signed = tmp_path / "jane.jpg"
    cli("sign", str(make_photo(tmp_path / "in.jpg")), "-o", str(signed), "--author", "Jane Doe", "--key",
        str(me / "signer.key"), "--chain", str(me / "signer-chain.pem"), env=env)
    return {"auth": auth, "me": me, "bundle": tmp_path / "collectif.bundle", "signed": signed}


def test_member_certificate_has_the_c2pa_signer_profile_and_the_collectives_name(member: dict[str, Path]) -> None:
    leaf, issuing = x509.load_pem_x509_certificates((member["me"] / "signer-chain.pem").read_bytes())
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Jane Doe"
    assert leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == COLLECTIVE
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    ku = leaf.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical and ku.value.digital_signature
    assert leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    assert (leaf.not_valid_after_utc - leaf.not_valid_before_utc).days <= 366
    assert leaf.issuer == issuing.subject  # the issuing CA, not the offline root
    issued = [json.loads(line) for line in (member["auth"] / "issued.jsonl").read_text().splitlines()]
    assert [(e["serial"], e["name"]) for e in issued] == [(format(leaf.serial_number, "x"), "Jane Doe")]


def test_authority_round_trip_certified_then_revoked(member: dict[str, Path], env: dict[str, str]) -> None:
    signed, bundle = str(member["signed"]), str(member["bundle"])
    # Before the bundle is installed: a valid claim nobody vouches for.
    assert result(cli("verify", "--json", "--policy", "any", signed, env=env))["trusted_by"] is None
    # With the bundle given directly, or installed with trust add: certified by the collective.
    r = result(cli("verify", "--json", "--trust", bundle, signed, env=env))
    assert (r["state"], r["trusted_by"], r["policy"]["accepted"]) == ("trusted", f"authority:{COLLECTIVE}", True)
    cli("trust", "add", bundle, env=env)
    text = cli("verify", signed, env=env).stdout
    assert f"Made by hand: Jane Doe, certified by {COLLECTIVE}" in text
    fr = cli("verify", "--lang", "fr", signed, env=env).stdout
    assert f"Fait à la main : Jane Doe, certifié par {COLLECTIVE}" in fr
    shown = json.loads(cli("trust", "show", "--json", env=env).stdout)
    assert f"authority:{COLLECTIVE}" in [s["id"] for s in shown["sources"]]
    # The member leaves / loses the key: revoked, a new bundle, and every policy but 'any' refuses the file.
    cli("authority", "revoke", "--authority", str(member["auth"]), "--cert", str(member["me"] / "signer-chain.pem"),
        "--reason", "keyCompromise", env=env)
    cli("authority", "export", "--authority", str(member["auth"]), "--out", bundle, env=env)
    cli("trust", "add", bundle, env=env)
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    r = result(cli("verify", "--json", "--policy", "any", signed, env=env))
    assert r["state"] == "invalid" and r["credential_ok"] is False and r["intact"] is True
    assert r["revocation"] == {"date": today, "reason": "keyCompromise", "by": COLLECTIVE}
    text = cli("verify", signed, env=env, check=False).stdout
    assert f"certificate revoked on {today} (keyCompromise) by {COLLECTIVE}" in text
    fr = cli("verify", "--lang", "fr", signed, env=env, check=False).stdout
    assert f"certificat révoqué le {today} (keyCompromise) par {COLLECTIVE}" in fr
    for policy in ("handmade", "trusted", "claimed", "intact"):
        r = result(cli("verify", "--json", "--policy", policy, signed, env=env, check=False))
        assert not r["policy"]["accepted"] and "policy.revoked" in {x["code"] for x in r["policy"]["reasons"]}
    assert result(cli("verify", "--json", "--policy", "any", signed, env=env))["policy"]["accepted"]


def test_a_revoked_members_registered_original_is_not_offered(member: dict[str, Path], env: dict[str, str],
                                                               tmp_path: Path) -> None:
    """A stripped copy of a member's signed picture: its registered original is a candidate while the member is
    certified, and is no longer offered once the collective revokes her (the CRL, as for an embedded manifest)."""
    from PIL import Image

    signed, bundle, db = member["signed"], str(member["bundle"]), str(tmp_path / "registry.sqlite")
    cli("registry", "add", str(signed), "--db", db, "--trust", bundle, env=env)
    copy = tmp_path / "copy.jpg"
    with Image.open(signed) as im:
        im.convert("RGB").save(copy, "JPEG", quality=70)  # a CMS re-encode: no manifest left
    r = result(cli("verify", "--json", "--policy", "any", "--registry", db, "--trust", bundle, str(copy), env=env))
    assert r["state"] == "no_manifest" and [c["verdict"]["state"] for c in r["recovered"]] == ["trusted"]
    cli("authority", "revoke", "--authority", str(member["auth"]), "--cert", str(member["me"] / "signer-chain.pem"),
        "--reason", "keyCompromise", env=env)
    cli("authority", "export", "--authority", str(member["auth"]), "--out", bundle, env=env)
    r = result(cli("verify", "--json", "--policy", "any", "--registry", db, "--trust", bundle, str(copy), env=env))
    assert r["state"] == "no_manifest" and r["recovered"] == []


def _second_member(member: dict[str, Path], env: dict[str, str], tmp_path: Path) -> Path:
    """John Roe, certified by the same collective (his chain, next to his key)."""
    john = tmp_path / "JOHN"
    cli("keys", "request", "--name", "John Roe", "--out", str(john), env=env)
    cli("authority", "issue", "--authority", str(member["auth"]), "--csr", str(john / "signer.csr"), "--out",
        str(john / "signer-chain.pem"), env=env)
    return john


def test_a_revoked_signer_anywhere_in_the_history_is_said(member: dict[str, Path], env: dict[str, str],
                                                          tmp_path: Path) -> None:
    """Jane's file, re-signed as an edit (her manifest kept as parentOf) by John on a machine without the bundle,
    then Jane revoked: the verifier sees the revocation of the earlier step, not "certified by"."""
    john = _second_member(member, env, tmp_path)
    edited, again = tmp_path / "edited.jpg", tmp_path / "again.jpg"
    r = cli("sign", str(member["signed"]), "-o", str(edited), "--author", "John Roe", "--key",
            str(john / "signer.key"), "--chain", str(john / "signer-chain.pem"), env=env)
    assert "existing manifest kept as parent" in r.stdout
    # one more edit by John: Jane's manifest is then two steps down the history
    cli("sign", str(edited), "-o", str(again), "--author", "John Roe", "--key", str(john / "signer.key"),
        "--chain", str(john / "signer-chain.pem"), env=env)
    bundle = str(member["bundle"])
    before = result(cli("verify", "--json", "--trust", bundle, str(edited), env=env))
    assert (before["state"], before["trusted_by"], before["revocation"]) == ("trusted", f"authority:{COLLECTIVE}", None)
    cli("authority", "revoke", "--authority", str(member["auth"]), "--cert", str(member["me"] / "signer-chain.pem"),
        "--reason", "keyCompromise", env=env)
    cli("authority", "export", "--authority", str(member["auth"]), "--out", bundle, env=env)
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    for path in (edited, again):
        r = result(cli("verify", "--json", "--policy", "any", "--trust", bundle, str(path), env=env))
        assert r["state"] == "invalid" and r["human_authored"] is False and r["intact"] is True, path
        assert r["revocation"] == {"date": today, "reason": "keyCompromise", "by": COLLECTIVE}, path
        revoked = next(f for f in r["findings"] if f["code"] == "history.revoked")
        assert "Jane Doe" in revoked["message"] and "earlier step" in revoked["message"]
        assert r["signer"]["name"] == "John Roe"  # John himself is still certified: his step is not what failed
        for policy in ("handmade", "trusted", "claimed", "intact"):
            r = result(cli("verify", "--json", "--policy", policy, "--trust", bundle, str(path), env=env, check=False))
            assert not r["policy"]["accepted"] and "policy.revoked" in {x["code"] for x in r["policy"]["reasons"]}
    cli("trust", "add", bundle, env=env)  # installed rather than given: the same
    text = cli("verify", str(again), env=env, check=False).stdout
    assert "certified by" not in text and "policy handmade: FAIL" in text
    assert f"a certificate in its history revoked on {today} (keyCompromise) by {COLLECTIVE}" in text
    assert f"{COLLECTIVE} revoked the certificate of Jane Doe" in text
    fr = cli("verify", "--lang", "fr", str(again), env=env, check=False).stdout
    assert f"un certificat de son historique révoqué le {today} (keyCompromise) par {COLLECTIVE}" in fr
    assert f"{COLLECTIVE} a révoqué le certificat de Jane Doe" in fr
    # John's own file, with no revoked step in its history, still reads certified
    own = tmp_path / "john.jpg"
    cli("sign", str(make_photo(tmp_path / "in2.jpg", seed=2)), "-o", str(own), "--author", "John Roe", "--key",
        str(john / "signer.key"), "--chain", str(john / "signer-chain.pem"), env=env)
    r = result(cli("verify", "--json", str(own), env=env))
    assert (r["state"], r["trusted_by"], r["revocation"]) == ("trusted", f"authority:{COLLECTIVE}", None)


def test_conformance_mode_uses_exactly_the_given_lists(member: dict[str, Path], env: dict[str, str],
                                                       tmp_path: Path) -> None:
    """verify --format crjson --trust-list X [--tsa-trust-list Y]: neither the installed bundles nor HANDMADE_TRUST
    nor the settings file's anchors take part."""
    def signer_codes(r: subprocess.CompletedProcess[str]) -> set[str]:
        results = json.loads(r.stdout)["manifests"][0]["validationResults"]
        return {c["code"] for kind in ("success", "failure") for c in results.get(kind, [])
                if c["code"].startswith("signingCredential.")}

    root = tmp_path / "collective-root.pem"
    root.write_text(json.loads(member["bundle"].read_text())["root_pem"])
    cli("trust", "add", str(member["bundle"]), env=env)
    settings = tmp_path / "settings.toml"
    settings.write_text(f'trust = ["{root}"]\n')
    signed = str(member["signed"])
    other = str(Path(__file__).resolve().parents[2] / "keys" / "root-ca.pem")
    for extra in ({}, {"HANDMADE_TRUST": str(root)}, {"HANDMADE_CONFIG": str(settings)}):
        r = cli("verify", "--format", "crjson", "--trust-list", other, signed, env={**env, **extra})
        assert signer_codes(r) >= {"signingCredential.untrusted"}, extra
        assert "signingCredential.trusted" not in signer_codes(r), extra
        r = cli("verify", "--format", "crjson", "--tsa-trust-list", other, signed, env={**env, **extra})
        assert "signingCredential.trusted" not in signer_codes(r), extra
    # the given list is used: the collective's root as the test trust list vouches for its member
    r = cli("verify", "--format", "crjson", "--trust-list", str(root), signed, env=env)
    assert "signingCredential.trusted" in signer_codes(r)
    # anchors added by hand are refused in that mode, worded
    r = cli("verify", "--format", "crjson", "--trust-list", other, "--trust", str(root), signed, env=env, check=False)
    assert r.returncode == 3 and "trust.conformance" in r.stderr and "exactly the lists given" in r.stderr
    # and outside that mode the installed bundle still vouches
    assert result(cli("verify", "--json", signed, env=env))["trusted_by"] == f"authority:{COLLECTIVE}"


def test_member_renewal_with_authority_issue_overwrite(member: dict[str, Path], env: dict[str, str],
                                                        tmp_path: Path) -> None:
    """Renewal is 'authority issue' again with --overwrite: a new certificate under the same root, and verifiers'
    bundle, exported before the renewal, still says "certified by" for files signed before and after it."""
    me, chain = member["me"], member["me"] / "signer-chain.pem"
    old_leaf, old_issuing = x509.load_pem_x509_certificates(chain.read_bytes())
    issue = ["authority", "issue", "--authority", str(member["auth"]), "--csr", str(me / "signer.csr"), "--out",
             str(chain), "--days", "200"]
    refused = cli(*issue, env=env, check=False)
    assert refused.returncode != 0 and chain.read_bytes().startswith(old_leaf.public_bytes(PEM))  # not replaced
    cli(*issue, "--overwrite", env=env)
    new_leaf, new_issuing = x509.load_pem_x509_certificates(chain.read_bytes())
    assert new_leaf.serial_number != old_leaf.serial_number and new_leaf.public_key() == old_leaf.public_key()
    assert new_leaf.issuer == old_leaf.issuer and new_issuing == old_issuing  # the same issuing CA, so the same root
    assert new_leaf.subject == old_leaf.subject
    assert (new_leaf.not_valid_after_utc - new_leaf.not_valid_before_utc).days == 200
    issued = [json.loads(line) for line in (member["auth"] / "issued.jsonl").read_text().splitlines()]
    assert [e["serial"] for e in issued] == [format(old_leaf.serial_number, "x"), format(new_leaf.serial_number, "x")]
    renewed = tmp_path / "renewed.jpg"
    cli("sign", str(make_photo(tmp_path / "in2.jpg", seed=3)), "-o", str(renewed), "--author", "Jane Doe", "--key",
        str(me / "signer.key"), "--chain", str(chain), env=env)
    cli("trust", "add", str(member["bundle"]), env=env)  # the bundle exported before the renewal
    for path in (renewed, member["signed"]):
        r = result(cli("verify", "--json", str(path), env=env))
        assert (r["state"], r["trusted_by"], r["policy"]["accepted"]) == ("trusted", f"authority:{COLLECTIVE}", True)
        assert r["signer"]["name"] == "Jane Doe"
        assert f"Made by hand: Jane Doe, certified by {COLLECTIVE}" in cli("verify", str(path), env=env).stdout


def test_a_stale_crl_warns(member: dict[str, Path], env: dict[str, str], tmp_path: Path) -> None:
    os.environ["HANDMADE_KEY_PASSPHRASE"] = PASS
    try:
        old = tmp_path / "old.bundle"
        export_bundle(member["auth"], old, now=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=40), crl_days=30)
    finally:
        del os.environ["HANDMADE_KEY_PASSPHRASE"]
    r = cli("verify", "--json", "--trust", str(old), str(member["signed"]), env=env)
    assert "authority.crl_stale" in {f["code"] for f in result(r)["findings"]}
    assert "revocation list of Collectif des illustrateurs was due for an update" in r.stderr
    # in French: the finding in the block, and the warning on stderr
    r = cli("verify", "--lang", "fr", "--trust", str(old), str(member["signed"]), env=env)
    due = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=10)).date().isoformat()
    crl_fr = (f"La liste de révocation de {COLLECTIVE} devait être mise à jour le {due} : un membre révoqué depuis "
              "peut encore apparaître comme certifié ; installez le nouveau paquet de l'autorité (« handmade trust "
              "add »).")
    assert f"- [avertissement] {crl_fr} (authority.crl_stale)" in r.stdout
    assert f"avertissement : {crl_fr}" in r.stderr and "due for an update" not in r.stderr


def test_a_forged_bundle_is_refused(member: dict[str, Path], env: dict[str, str], tmp_path: Path) -> None:
    doc = json.loads(member["bundle"].read_text())
    doc["name"] = "Agence France-Presse"  # claim another collective's name with one's own root
    forged = tmp_path / "forged.bundle"
    forged.write_text(json.dumps(doc))
    r = cli("trust", "add", str(forged), env=env, check=False)
    assert r.returncode == 3 and "trust.bundle" in r.stderr and "name does not match" in r.stderr


def test_keys_renew_keeps_the_root(tmp_path: Path, env: dict[str, str]) -> None:
    me = tmp_path / "me"
    cli("keys", "init", "--out", str(me), "--name", "Jane Doe", "--no-passphrase", env=env)
    old = x509.load_pem_x509_certificate((me / "signer-chain.pem").read_bytes())
    cli("keys", "renew", "--key", str(me / "signer.key"), "--chain", str(me / "signer-chain.pem"), "--root-key",
        str(me / "root-ca.key"), "--root-cert", str(me / "root-ca.pem"), "--days", "200", env=env)
    new = x509.load_pem_x509_certificate((me / "signer-chain.pem").read_bytes())
    assert new.serial_number != old.serial_number and new.public_key() == old.public_key()
    assert new.issuer == old.issuer and (new.not_valid_after_utc - new.not_valid_before_utc).days == 200
    signed = tmp_path / "s.jpg"
    cli("sign", str(make_photo(tmp_path / "in.jpg")), "-o", str(signed), "--key", str(me / "signer.key"),
        "--chain", str(me / "signer-chain.pem"), env=env)
    r = result(cli("verify", "--json", "--trust", str(me / "root-ca.pem"), str(signed), env=env))
    assert (r["state"], r["trusted_by"]) == ("trusted", "your-anchors")  # the old trust file still works


# --- timestamps -------------------------------------------------------------------------------------------------
def short_lived_identity(folder: Path, seconds: int) -> tuple[Path, Path, Path]:
    """A real signer certificate that expires ``seconds`` from now (and its root)."""
    from cryptography.hazmat.primitives import serialization

    from handmade.keys import build_root

    pem = serialization.Encoding.PEM
    folder.mkdir(parents=True, exist_ok=True)
    root_key = generate_private_key("es256")
    root = build_root(root_key, "Short Root", organization="handmade tests")
    key = generate_private_key("es256")
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1) + dt.timedelta(seconds=seconds)
    leaf = build_signer_certificate(key, root, root_key, "Short Signer", organization="handmade tests",
                                    not_before=start, days=1)
    (folder / "k.pem").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))
    (folder / "c.pem").write_bytes(leaf.public_bytes(pem))
    (folder / "root.pem").write_bytes(root.public_bytes(pem))
    return folder / "k.pem", folder / "c.pem", folder / "root.pem"


def test_a_timestamped_signature_outlives_its_certificate(tmp_path: Path, env: dict[str, str]) -> None:
    key, chain, root = short_lived_identity(tmp_path / "short", 12)
    photo = make_photo(tmp_path / "in.jpg")
    with running_tsa() as tsa:
        r = cli("sign", str(photo), "-o", str(tmp_path / "stamped.jpg"), "--key", str(key), "--chain", str(chain),
                "--tsa-url", tsa.url, env=env)
        assert len(tsa.requests) == 1 and "expires in 0 day(s)" in r.stderr
        r = cli("sign", str(photo), "-o", str(tmp_path / "bare.jpg"), "--key", str(key), "--chain", str(chain),
                env=env)
        assert "no timestamp: this signature will stop verifying when your certificate expires" in r.stderr
        assert "no timestamp is being added: files signed now stop verifying then" in r.stderr
        anchors = ["--trust", str(root), "--trust", str(tsa.root_pem)]
        before = result(cli("verify", "--json", *anchors, str(tmp_path / "stamped.jpg"), env=env))
        assert before["state"] == "trusted" and before["timestamped"] is True and before["signer"]["signed_at"]
        deadline = time.monotonic() + 60
        expiry = x509.load_pem_x509_certificate(chain.read_bytes()).not_valid_after_utc
        while dt.datetime.now(dt.timezone.utc) <= expiry + dt.timedelta(seconds=1):
            assert time.monotonic() < deadline
            time.sleep(0.5)
        stamped = result(cli("verify", "--json", *anchors, str(tmp_path / "stamped.jpg"), env=env))
        bare = result(cli("verify", "--json", "--policy", "any", *anchors, str(tmp_path / "bare.jpg"), env=env))
    assert (stamped["state"], stamped["expired"], stamped["trusted_by"]) == ("trusted", False, "your-anchors")
    assert (bare["state"], bare["expired"]) == ("invalid", True)
    assert "credential.expired" in {f["code"] for f in bare["findings"]}


def test_tsa_from_settings_and_untrusted_tsa(tmp_path: Path, env: dict[str, str]) -> None:
    from tests.pki import make_pki

    pki = make_pki(tmp_path / "pki")
    with running_tsa() as tsa:
        settings = tmp_path / "settings.toml"
        settings.write_text(f'tsa_url = "{tsa.url}"\n')
        env = {**env, "HANDMADE_CONFIG": str(settings)}
        out = tmp_path / "s.jpg"
        r = cli("sign", str(make_photo(tmp_path / "in.jpg")), "-o", str(out), "--key", str(pki.key_pem), "--chain",
                str(pki.chain_pem), env=env)
        assert len(tsa.requests) == 1 and f"timestamp server: {tsa.url} (from the settings file)" in r.stderr
        assert "no timestamp" not in r.stderr
        assert f"the timestamp from {tsa.url} is not from a time-stamping authority that the trust lists" in r.stderr
        # a verifier who does not trust this TSA: the signer is still trusted, the timestamp is not
        r = result(cli("verify", "--json", "--trust", str(pki.root_pem), str(out), env=env))
        assert r["state"] == "trusted"
        assert "timestamp.untrusted" in {f["code"] for f in r["findings"]}


def test_tsa_source_and_untrusted_tsa_warning_in_french(tmp_path: Path, env: dict[str, str]) -> None:
    from tests.pki import make_pki

    pki = make_pki(tmp_path / "pki")
    with running_tsa() as tsa:
        settings = tmp_path / "settings.toml"
        settings.write_text(f'tsa_url = "{tsa.url}"\n')
        env = {**env, "HANDMADE_CONFIG": str(settings)}
        for command in ("sign", "label"):
            src = make_photo(tmp_path / f"{command}-in.jpg")
            args = [str(src), "-o", str(tmp_path / f"{command}-out.jpg"), "--key", str(pki.key_pem), "--chain",
                    str(pki.chain_pem), "--lang", "fr"]
            r = cli(command, *args, env=env, check=False)
            assert f"serveur d'horodatage : {tsa.url} (du fichier de réglages)" in r.stderr, command
            assert "timestamp server" not in r.stderr and "warning" not in r.stderr and "from the" not in r.stderr
        assert f"avertissement : l'horodatage de {tsa.url} ne vient pas d'une autorité d'horodatage" in \
            cli("sign", str(make_photo(tmp_path / "x.jpg")), "-o", str(tmp_path / "x-out.jpg"), "--key",
                str(pki.key_pem), "--chain", str(pki.chain_pem), "--lang", "fr", env=env).stderr


def test_tsa_from_the_authority_bundle(tmp_path: Path, env: dict[str, str]) -> None:
    with running_tsa() as tsa:
        auth, me = tmp_path / "AUTH", tmp_path / "ME"
        cli("authority", "init", "--name", COLLECTIVE, "--out", str(auth), "--tsa-url", tsa.url, env=env)
        cli("keys", "request", "--name", "Jane Doe", "--out", str(me), env=env)
        cli("authority", "issue", "--authority", str(auth), "--csr", str(me / "signer.csr"), "--out",
            str(me / "chain.pem"), env=env)
        cli("authority", "export", "--authority", str(auth), "--out", str(tmp_path / "b.bundle"), env=env)
        cli("trust", "add", str(tmp_path / "b.bundle"), env=env)
        r = cli("sign", str(make_photo(tmp_path / "in.jpg")), "-o", str(tmp_path / "s.jpg"), "--key",
                str(me / "signer.key"), "--chain", str(me / "chain.pem"), env=env)
        assert len(tsa.requests) == 1 and f"(from the bundle of {COLLECTIVE})" in r.stderr


@pytest.mark.parametrize("mode,code,words", [
    ("garbage", "sign.tsa_bad_answer", "did not answer with an RFC 3161 timestamp"),
    ("closed", "sign.tsa_unreachable", "could not be reached"),
    ("not-a-url", "sign.tsa_url", "is not the address of a timestamp server"),
])
def test_timestamp_errors_are_worded_and_nothing_is_written(tmp_path: Path, env: dict[str, str], mode: str,
                                                             code: str, words: str) -> None:
    import socket

    from tests.pki import make_pki

    pki = make_pki(tmp_path / "pki")
    out = tmp_path / "s.jpg"
    args = ["sign", str(make_photo(tmp_path / "in.jpg")), "-o", str(out), "--key", str(pki.key_pem), "--chain",
            str(pki.chain_pem), "--tsa-url"]
    if mode == "garbage":
        with running_tsa("garbage") as tsa:
            r = cli(*args, tsa.url, env=env, check=False)
    elif mode == "closed":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        r = cli(*args, f"http://127.0.0.1:{port}/", env=env, check=False)
    else:
        r = cli(*args, "ftp:/nowhere", env=env, check=False)
    assert r.returncode == 3 and code in r.stderr and words in r.stderr
    assert not out.exists() and not list(tmp_path.glob(".s.jpg.*"))
