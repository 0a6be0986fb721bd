"""Step 2 of issue 14: the registry (handmade registry add, sign --register), through handmade.storage."""

from __future__ import annotations

import hashlib
import io
import json
import random
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from handmade import _c2pa
from handmade.cli import main
from handmade.errors import InputError
from handmade.fingerprint import fingerprint
from handmade.keys import load_identity
from handmade.registry import Registry, RegistryError, _Index
from handmade.sign import SignOptions, sign_image
from tests.conftest import make_scene
from tests.pki import Pki, make_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("registry-pki"))


def _signed(folder: Path, pki: Pki, seed: int, **kwargs: object) -> Path:
    out = folder / f"signed-{seed}.jpg"
    sign_image(make_scene(folder / f"in-{seed}.jpg", size=(800, 600), seed=seed), out,
               SignOptions(author="Jane Doe", **kwargs),  # type: ignore[arg-type]
               load_identity(pki.key_pem, pki.chain_pem))
    return out


def test_registry_add_round_trip(tmp_path: Path, pki: Pki) -> None:
    db = tmp_path / "registry.sqlite"
    a, b = _signed(tmp_path, pki, 1), _signed(tmp_path, pki, 2)
    r = CliRunner().invoke(main, ["registry", "add", str(a), str(b), "--db", str(db), "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["schema"] == "handmade.registry/v1" and [x["added"] for x in doc["results"]] == [True, True]
    registry = Registry(str(db))
    assert registry.count() == 2
    entry = registry.entry(doc["results"][0]["entry"]["manifest_id"])
    assert entry is not None
    assert entry.sha256 == hashlib.sha256(a.read_bytes()).hexdigest()
    assert entry.author == "Jane Doe" and entry.signer == "Test Signer es256"
    assert entry.signed_at is None and entry.added_at.startswith("20")  # no timestamp server: no trusted time
    assert entry.alg == "io.iscc.v0" and entry.value.startswith("ISCC:")
    # The stored manifest store is the file's own: it validates against the file it came from.
    store = registry.manifest(entry.manifest_id)
    assert store is not None and store[4:8] == b"jumb"
    raw = _c2pa.read_store_against(a.read_bytes(), "image/jpeg", store, trust=None, trust_key="none")
    assert raw.store["active_manifest"] == entry.manifest_id
    failures = raw.store["validation_results"]["activeManifest"]["failure"]
    assert {f["code"] for f in failures} <= {"signingCredential.untrusted"}
    # Adding it again changes nothing.
    again = CliRunner().invoke(main, ["registry", "add", str(a), "--db", str(db)])
    assert again.exit_code == 0 and "already registered" in again.output
    assert registry.count() == 2


def test_sign_register(tmp_path: Path) -> None:
    db = tmp_path / "reg.sqlite"
    out = tmp_path / "out.jpg"
    r = CliRunner().invoke(main, ["sign", str(make_scene(tmp_path / "in.jpg", seed=9)), "-o", str(out),
                                  "--author", "Zoë Martin", "--register", str(db)])
    assert r.exit_code == 0, r.output
    assert "registered (ISCC:" in r.stderr
    registry = Registry(str(db))
    [match] = registry.nearest(fingerprint(out.read_bytes(), "image/jpeg").bits)  # type: ignore[union-attr]
    assert match.distance == 0 and match.entry.author == "Zoë Martin"


def test_sign_register_batch_in_french(tmp_path: Path) -> None:
    db = tmp_path / "reg.sqlite"
    folder = tmp_path / "in"
    folder.mkdir()
    for seed in (11, 12):
        make_scene(folder / f"p{seed}.jpg", seed=seed)
    r = CliRunner().invoke(main, ["sign", str(folder), "-o", str(tmp_path / "out"), "--register", str(db),
                                  "--lang", "fr"])
    assert r.exit_code == 0, r.output
    assert r.stderr.count("enregistré (ISCC:") == 2
    assert Registry(str(db)).count() == 2


def test_refusals_have_codes(tmp_path: Path, pki: Pki) -> None:
    db = tmp_path / "reg.sqlite"
    plain = make_scene(tmp_path / "plain.jpg")
    no_fp = _signed(tmp_path, pki, 3, soft_binding=False)
    tampered = tmp_path / "tampered.jpg"
    signed = _signed(tmp_path, pki, 4).read_bytes()
    tampered.write_bytes(signed[:-200] + bytes(b ^ 0x55 for b in signed[-200:-2]) + signed[-2:])
    r = CliRunner().invoke(main, ["registry", "add", str(plain), str(no_fp), str(tampered), "--db", str(db),
                                  "--json"])
    assert r.exit_code == 1
    codes = [x["error"]["code"] for x in json.loads(r.stdout)["results"]]
    assert codes == ["registry.not_signed", "registry.no_soft_binding", "registry.invalid"]
    assert Registry(str(db)).count() == 0
    fr = CliRunner().invoke(main, ["registry", "add", str(plain), "--db", str(db), "--lang", "fr"])
    assert "le fichier n'a pas de Content Credentials à enregistrer" in fr.output


def test_bad_database_url_is_a_clear_error(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["registry", "add", str(make_scene(tmp_path / "x.jpg")), "--db", "mysql://h/db"])
    assert r.exit_code == 3
    assert "registry.unsupported" in r.stderr and "Traceback" not in r.output
    with pytest.raises(RegistryError) as info:
        Registry("mysql://h/db")
    assert info.value.code == "registry.unsupported"


def test_lookup_finds_the_original_of_a_reencoded_copy(tmp_path: Path, pki: Pki) -> None:
    db = str(tmp_path / "reg.sqlite")
    registry = Registry(db)
    signed = _signed(tmp_path, pki, 21)
    entry, added = registry.add_file(signed)
    assert added
    copy = io.BytesIO()
    with Image.open(signed) as im:
        im.resize((400, 300)).save(copy, "PNG")
    found = fingerprint(copy.getvalue(), "image/png")
    assert found is not None
    [match] = registry.nearest(found.bits)
    assert match.entry.manifest_id == entry.manifest_id and match.distance <= 4
    unrelated = fingerprint(make_scene(tmp_path / "u.jpg", size=(800, 600), seed=22).read_bytes(), "image/jpeg")
    assert unrelated is not None and registry.nearest(unrelated.bits) == []
    # by_binding: the exact value is at distance 0; another algorithm and a bad value are refused.
    assert registry.by_binding("io.iscc.v0", entry.value)[0].distance == 0
    with pytest.raises(RegistryError) as info:
        registry.by_binding("com.adobe.trustmark.Q", "abc")
    assert info.value.code == "registry.alg"
    with pytest.raises(InputError):
        registry.by_binding("io.iscc.v0", "ISCC:nonsense")


def test_rows_added_by_another_process_are_found(tmp_path: Path, pki: Pki) -> None:
    db = str(tmp_path / "reg.sqlite")
    reader, writer = Registry(db), Registry(db)  # two handles, as two processes would have
    assert reader.nearest(0, max_distance=64) == []
    entry, _ = writer.add_file(_signed(tmp_path, pki, 31))
    assert [m.entry.manifest_id for m in reader.nearest(entry.bits)] == [entry.manifest_id]


def test_index_agrees_with_brute_force() -> None:
    rng = random.Random(7)
    values = [rng.getrandbits(64) for _ in range(5000)]
    values[100] = values[200] ^ 0b1011  # a near pair
    index = _Index()
    index.extend([(i + 1, v - (1 << 64) if v >= 1 << 63 else v) for i, v in enumerate(values)])
    for q in (values[200], values[17], rng.getrandbits(64)):
        brute = sorted(((v ^ q).bit_count(), i + 1) for i, v in enumerate(values) if (v ^ q).bit_count() <= 12)
        assert index.search(q, 12, 100) == [(i, d) for d, i in brute]
    assert index.bits.dtype == np.uint64 and index.bits.nbytes == 8 * len(values)
