"""The expected verdicts of ../shared/corpus-external/CATALOG.json hold, file by file.

Each expectation there comes from the source project's own tests or naming (see its README); where the
source meant something the C2PA specification does not allow, ``cls_spec`` gives the verdict the
specification requires, and that is what is checked. The catalog judges without trust anchors ("without
trust anchors the best state is valid"), so the shipped trust lists are off here: their accepted-EKU list
would let the Microsoft test cards pass the certificate profile check the catalog expects them to fail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from handmade.trust import TrustConfig
from handmade.verify import inspect
from tests.conftest import external_entries

ENTRIES = external_entries()

# Files handmade cannot judge as the catalog does, and why.
NAMED = {
    # c2pa-rs cannot load this manifest at all ("Failed to load manifest": assertion.required.missing), so
    # its claim cannot be examined: it stays invalid rather than be called valid on faith.
    "contentauth+c2pa-rs__sdk__src__identity__tests__fixtures__validation_method__malformed_cbor.jpg":
        "manifest not loadable",
    # A DASH initialisation segment read alone: c2pa-rs checks a fragmented film's hashes only with its
    # fragments, and on the init segment alone says assertion.bmffHash.mismatch ("BMFF inithash must not be
    # present for non-fragmented media"); raw c2pa-python reads it Invalid too.
    "contentauth+c2pa-rs__sdk__tests__fixtures__dashinit.mp4": "fragments not given",
}


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_external_catalog_verdict(entry: dict[str, Any], external: Path) -> None:
    report = inspect(external / entry["file"], trust=TrustConfig.none())
    cls = entry.get("cls_spec") or entry["cls"]
    codes = {f.code for f in report.findings}
    assert report.state != "error", report.error  # the films and the PDF are judged like the images
    if entry["file"] in NAMED:
        assert report.state == "invalid" and not report.human_authored
        return
    if cls == "no_manifest":
        assert report.state == "no_manifest" and report.human_authored is None
    elif cls == "valid":
        assert report.state in ("valid", "trusted") and report.intact is True and report.signature_valid is True
        assert report.ingredients_valid is not False
    elif cls == "binding_nonconformant":
        # The hash exclusion covers bytes outside the manifest: the binding fails, no pixel changed.
        assert report.state == "invalid" and report.intact is False and "binding.mismatch" in codes
        assert "byte ranges" in next(f.message for f in report.findings if f.code == "binding.mismatch")
    elif cls == "tampered":
        assert report.state == "invalid" and report.intact is False
    elif cls == "bad_signature":
        assert report.state == "invalid" and report.signature_valid is False
    elif cls == "bad_ingredient":
        assert report.state == "invalid" and report.ingredients_valid is False
        assert report.intact is True and report.signature_valid is True  # the active manifest is fine
    elif cls == "invalid_any":
        assert report.state == "invalid"
    elif cls == "cred_invalid":
        assert report.state == "invalid" and report.credential_ok is False and report.intact is True
    elif cls == "cawg_identity_fail":
        # The claim is intact and validly signed; only the identity assertion fails (or cannot be checked
        # offline, for a did:web issuer).
        assert report.state in ("valid", "trusted") and report.intact is True and report.signature_valid is True
        assert report.identity_valid is not True
        assert any(f.code.startswith("identity.") for f in report.findings)
    else:
        pytest.fail(f"no expectation for class {cls}")
    if entry["generative"] is False:
        assert report.ai not in ("generative", "ai_assisted", "possibly_generative")
    if report.state not in ("valid", "trusted") or report.ai != "none_declared":
        assert not report.human_authored
