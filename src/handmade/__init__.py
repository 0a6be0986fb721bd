"""handmade: prove that human-made images are human-made, with C2PA Content Credentials.

```python
import handmade

# Sign (the bundled TEST identity is used when no key is given: trusted by nobody).
result = handmade.sign_image("photo.jpg", "photo.signed.jpg",
                             handmade.SignOptions(author="Jane Doe", made_with="camera"))
print(result.report.summary())            # VALID INTACT HUMAN NO-AI NO-TRAINING

# Verify against your trust anchors, walk the history, decide with a policy.
anchors = handmade.load_trust_anchors(["root-ca.pem"])
report = handmade.inspect("upload.jpg", trust=anchors)
print(report.state, report.ai, [s.reason for s in report.generative_steps])
print(handmade.evaluate(handmade.load_policy("handmade"), report).accepted)
```

Names are loaded lazily so that ``import handmade`` (and ``handmade --help``) stay cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    # results
    "ProvenanceReport": "handmade.models",
    "LineageStep": "handmade.models",
    "Finding": "handmade.models",
    "Hint": "handmade.models",
    "SignerIdentity": "handmade.models",
    "SignResult": "handmade.models",
    "SCHEMA": "handmade.models",
    # errors
    "HandmadeError": "handmade.errors",
    "InputError": "handmade.errors",
    "KeyMaterialError": "handmade.errors",
    "TrustConfigError": "handmade.errors",
    "SigningError": "handmade.errors",
    "VerificationError": "handmade.errors",
    "PolicyViolation": "handmade.errors",
    "LabelRefused": "handmade.errors",
    # signing
    "SignOptions": "handmade.sign",
    "sign_image": "handmade.sign",
    "sign_bytes": "handmade.sign",
    "sign_batch": "handmade.batch",
    # visible labels
    "label_image": "handmade.label",
    # verification and reports
    "inspect": "handmade.verify",
    "inspect_bytes": "handmade.verify",
    "load_trust_anchors": "handmade.verify",
    "TrustAnchors": "handmade.verify",
    "read_hints": "handmade.hints",
    "Policy": "handmade.policy",
    "Decision": "handmade.policy",
    "load_policy": "handmade.policy",
    "evaluate": "handmade.policy",
    "require": "handmade.policy",
    "TrustConfig": "handmade.trust",
    "verdict": "handmade.report",
    "render_json": "handmade.report",
    # keys
    "SigningIdentity": "handmade.keys",
    "load_identity": "handmade.keys",
    "create_identity": "handmade.keys",
    "check_identity": "handmade.keys",
    # process tuning (applied by the command line and its workers; opt-in for library callers)
    "tune_allocator": "handmade.tuning",
}

__all__ = [
    "SCHEMA",
    "Decision",
    "Finding",
    "HandmadeError",
    "Hint",
    "InputError",
    "KeyMaterialError",
    "LabelRefused",
    "LineageStep",
    "Policy",
    "PolicyViolation",
    "ProvenanceReport",
    "SignOptions",
    "SignResult",
    "SignerIdentity",
    "SigningError",
    "SigningIdentity",
    "TrustAnchors",
    "TrustConfig",
    "TrustConfigError",
    "VerificationError",
    "__version__",
    "check_identity",
    "create_identity",
    "evaluate",
    "inspect",
    "inspect_bytes",
    "label_image",
    "load_identity",
    "load_policy",
    "load_trust_anchors",
    "read_hints",
    "render_json",
    "require",
    "sign_batch",
    "sign_bytes",
    "sign_image",
    "tune_allocator",
    "verdict",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'handmade' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # pragma: no cover
    from handmade.batch import sign_batch
    from handmade.errors import (
        HandmadeError,
        InputError,
        KeyMaterialError,
        LabelRefused,
        PolicyViolation,
        SigningError,
        TrustConfigError,
        VerificationError,
    )
    from handmade.hints import read_hints
    from handmade.keys import SigningIdentity, check_identity, create_identity, load_identity
    from handmade.label import label_image
    from handmade.models import (
        SCHEMA,
        Finding,
        Hint,
        LineageStep,
        ProvenanceReport,
        SignerIdentity,
        SignResult,
    )
    from handmade.policy import Decision, Policy, evaluate, load_policy, require
    from handmade.report import render_json, verdict
    from handmade.sign import SignOptions, sign_bytes, sign_image
    from handmade.trust import TrustConfig
    from handmade.verify import TrustAnchors, inspect, inspect_bytes, load_trust_anchors
