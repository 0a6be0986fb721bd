"""The two translation tables at the c2pa boundary, pinned without the corpus: c2pa-rs status codes to facets
(``verify.facets_from_status``) and c2pa-python's exceptions to handmade's error codes (``_c2pa._map_errors``).

The status codes are c2pa-rs's (C2PA 2.x §15 "Validation"); the exceptions are c2pa-python's own classes,
raised for real inside the boundary.
"""

from __future__ import annotations

from typing import Any

import pytest

from handmade import _c2pa
from handmade.errors import InputError, SigningError
from handmade.verify import facets_from_status

GOOD = ["claimSignature.validated", "claimSignature.insideValidity", "assertion.dataHash.match",
        "assertion.hashedURI.match", "timeStamp.validated", "timeStamp.trusted"]


def results(failure: list[str] = (), success: list[str] = GOOD, ingredient_failure: list[str] = ()) -> dict[str, Any]:
    doc: dict[str, Any] = {"activeManifest": {"success": [{"code": c} for c in success],
                                              "failure": [{"code": c} for c in failure], "informational": []}}
    if ingredient_failure:
        doc["ingredientDeltas"] = [{"ingredientAssertionURI": "self#jumbf=c2pa.assertions/c2pa.ingredient.v3",
                                    "validationDeltas": {"failure": [{"code": c} for c in ingredient_failure]}}]
    return doc


# failure code(s) -> (state, intact, signature_valid, credential_ok, expired), with anchors configured
TABLE: list[tuple[list[str], str, tuple[str, bool | None, bool | None, bool | None, bool]]] = [
    ([], "Trusted", ("trusted", True, True, True, False)),
    (["signingCredential.untrusted"], "Valid", ("valid", True, True, True, False)),
    (["assertion.dataHash.mismatch"], "Invalid", ("invalid", False, True, True, False)),
    (["assertion.bmffHash.mismatch"], "Invalid", ("invalid", False, True, True, False)),
    (["assertion.boxesHash.mismatch"], "Invalid", ("invalid", False, True, True, False)),
    (["assertion.hashedURI.mismatch"], "Invalid", ("invalid", False, True, True, False)),
    (["claimSignature.mismatch"], "Invalid", ("invalid", True, False, None, False)),  # not judged: forged
    (["signingCredential.invalid"], "Invalid", ("invalid", True, True, False, False)),
    (["signingCredential.revoked"], "Invalid", ("invalid", True, True, False, False)),
    (["signingCredential.expired"], "Invalid", ("invalid", True, True, True, True)),
    (["algorithm.unsupported"], "Invalid", ("invalid", True, True, False, False)),
]


@pytest.mark.parametrize("failure,c2pa_state,expected", TABLE, ids=[",".join(f) or "none" for f, _, _ in TABLE])
def test_status_codes_to_facets(failure: list[str], c2pa_state: str,
                                expected: tuple[str, bool | None, bool | None, bool | None, bool]) -> None:
    success = [c for c in GOOD if not (c == "claimSignature.validated" and "claimSignature.mismatch" in failure)]
    if "signingCredential.untrusted" not in failure and c2pa_state == "Trusted":
        success.append("signingCredential.trusted")
    f = facets_from_status(results(failure, success), c2pa_state, False, True)
    assert (f.state, f.intact, f.signature_valid, f.credential_ok, f.expired) == expected
    if failure and failure != ["signingCredential.untrusted"]:
        assert f.findings and all(x.message for x in f.findings)


def test_untrusted_is_never_tampered_and_says_why() -> None:
    f = facets_from_status(results(["signingCredential.untrusted"]), "Valid", False, False)
    assert (f.state, f.intact, f.trusted) == ("valid", True, False)
    assert [x.code for x in f.findings] == ["trust.not_configured"]  # no anchors at all: an info, not a warning
    f = facets_from_status(results(["signingCredential.untrusted"]), "Valid", False, True)
    assert [(x.code, x.severity) for x in f.findings] == [("credential.untrusted", "warning")]


def test_state_trusted_only_when_the_trusted_facet_is() -> None:
    """c2pa-rs's one-word state is no trust decision: a Trusted without ``signingCredential.trusted`` among the
    success codes (no anchors configured; anchors that said neither) leaves the state ``valid``, as ``trusted``."""
    f = facets_from_status(results(), "Trusted", False, False)
    assert (f.state, f.trusted) == ("valid", False)
    f = facets_from_status(results(), "Trusted", False, True)
    assert (f.state, f.trusted) == ("valid", None)


def test_only_a_trusted_timestamp_counts() -> None:
    assert facets_from_status(results(), "Valid", False, True).timestamped is True
    untrusted = [c for c in GOOD if c != "timeStamp.trusted"]
    f = facets_from_status(results(success=untrusted), "Valid", False, True)
    assert f.timestamped is False and "timestamp.untrusted" in {x.code for x in f.findings}


def test_an_ingredient_failure_fails_the_ingredients_facet_only() -> None:
    f = facets_from_status(results(ingredient_failure=["assertion.dataHash.mismatch"]), "Valid", True, True)
    assert (f.ingredients_valid, f.intact, f.signature_valid) == (False, True, True)
    assert f.state == "invalid"
    assert facets_from_status(results(), "Valid", True, True).ingredients_valid is True
    assert facets_from_status(results(), "Valid", False, True).ingredients_valid is None


def test_an_unknown_code_is_reported_never_dropped() -> None:
    f = facets_from_status(results(["some.future.code"]), "Invalid", False, True)
    assert f.state == "invalid" and "c2pa.some.future.code" in {x.code for x in f.findings}


# --- c2pa-python's exceptions -> handmade's codes -----------------------------------------------------------
def raise_c2pa(kind: str, message: str) -> None:
    import c2pa

    cls = getattr(c2pa.C2paError, kind, None)
    raise (cls(message) if cls is not None else c2pa.C2paError(message))


@pytest.mark.parametrize("kind,message,code", [
    ("NotSupported", "NotSupported: type", "input.unsupported"),
    ("ManifestNotFound", "ManifestNotFound", "manifest.not_found"),
    ("RemoteManifest", "RemoteManifest: https://example.org/m", "manifest.remote"),
    ("Decoding", "Decoding: bad cbor", "manifest.unreadable"),
    ("Signature", "Signature: unknown algorithm", "manifest.unreadable"),
    ("Io", "Io: unexpected end of file", "input.corrupt"),
    ("Other", "Other: asset could not be parsed: TIFF file has too many subfiles", "input.corrupt"),
    ("Other", "Other: must fetch remote manifests from url https://x", "manifest.remote"),
])
def test_reading_errors_map_to_stable_codes(kind: str, message: str, code: str) -> None:
    with pytest.raises(InputError) as exc, _c2pa._map_errors("Reading the manifest"):
        raise_c2pa(kind, message)
    assert exc.value.code == code and "Reading the manifest failed" in exc.value.message


@pytest.mark.parametrize("kind,code", [("NotSupported", "sign.unsupported_format"), ("Signature", "sign.signature"),
                                       ("Verify", "sign.verify")])
def test_signing_errors_map_to_stable_codes(kind: str, code: str) -> None:
    with pytest.raises(SigningError) as exc, _c2pa._map_errors("Signing", signing=True):
        raise_c2pa(kind, f"{kind}: detail")
    assert exc.value.code == code


def test_foreign_exceptions_never_leave_the_boundary_and_keep_their_cause() -> None:
    with pytest.raises(InputError) as exc, _c2pa._map_errors("Reading the manifest"):
        raise ValueError("stream closed")
    assert exc.value.code == "input.corrupt" and isinstance(exc.value.__cause__, ValueError)
