"""Interoperability: an independent C2PA implementation (@trustnxt/c2pa-ts, pure TypeScript, no code
shared with c2pa-rs) validates everything we sign and catches what we tamper with.

c2pa-ts says "trusted" even without a trust list, so it is used for integrity only. scripts/test.sh runs
``npm install`` in tests/interop; these tests skip loudly where node or the package is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import make_photo
from tests.pki import make_pki

from handmade.keys import load_identity
from handmade.sign import SignOptions, sign_image

HERE = Path(__file__).resolve().parent
NODE = shutil.which("node")


def validate(*files: Path) -> list[dict[str, Any]]:
    if NODE is None:
        pytest.skip("NODE IS NOT INSTALLED: the c2pa-ts interoperability tests cannot run")
    if not (HERE / "node_modules" / "@trustnxt" / "c2pa-ts").is_dir():
        pytest.skip("@trustnxt/c2pa-ts NOT INSTALLED: run `npm install` in tests/interop (scripts/test.sh does)")
    r = subprocess.run([NODE, str(HERE / "validate.mjs"), *map(str, files)], capture_output=True, text=True,
                       timeout=120, check=True)
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module", params=["es256", "es384", "ps256", "ed25519"])
def identity(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    pki = make_pki(tmp_path_factory.mktemp(f"ts-{request.param}"), alg=request.param)
    return load_identity(pki.key_pem, pki.chain_pem)


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_c2pa_ts_validates_our_output_and_catches_tampering(identity: Any, suffix: str, tmp_path: Path) -> None:
    out = tmp_path / f"signed{suffix}"
    sign_image(make_photo(tmp_path / f"in{suffix}"), out, SignOptions(author="Jane Doe"), identity)
    data = bytearray(out.read_bytes())
    data[-300] ^= 0x5A  # pixel data, after the manifest
    tampered = tmp_path / f"tampered{suffix}"
    tampered.write_bytes(bytes(data))
    good, bad = validate(out, tampered)
    assert good["manifest"] and good["valid"], good
    assert bad["manifest"] and not bad["valid"], bad
    assert any("mismatch" in c for c in bad["codes"]), bad


def test_c2pa_ts_validates_re_signed_parent_chain(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "resigned.png"
    sign_image(corpus / "edit-photoshop-2023-drawing-actions.png", out, SignOptions(author="Jane Doe"))
    [result] = validate(out)
    assert result["valid"], result
