"""The whole exception tree of handmade.

```
HandmadeError            .code (stable string), .info (code and message, as a result records it), .diagnostics()
├── InputError           missing, unreadable, unsupported or corrupt file
├── KeyMaterialError     bad key or chain: mismatch, wrong order, missing EKU, unsupported algorithm
├── TrustConfigError     unreadable or empty trust anchors, unusable trust-list snapshots or authority bundles
├── PolicyConfigError    an unknown policy, an unreadable policy file, unknown or contradictory keys
├── SigningError         signing failed, or refused (e.g. the input's history is generative)
├── StorageError         a database URL that cannot be used, a database unreachable or refusing its schema
│   ├── AuditConfigError the service's audit log, in its own words (audit.*)
│   └── RegistryError    the manifest registry, in its own words (registry.*), or a file it cannot register
├── ScanError            a scan that cannot start: a missing root, an unwritable output, no Dask scheduler
└── VerificationError    raised by strict APIs only
    ├── PolicyViolation  carries the report and the failed findings
    └── LabelRefused     a file whose verified history backs no visible label (handmade label)
```

"No manifest", "untrusted" and "AI in the chain" are *report states*, never exceptions: exceptions are
for input that cannot be processed and for misconfiguration. Every error carries a stable ``code``
(machine-readable, part of the JSON contract) and a ``hint`` telling a person how to fix it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handmade.models import ReportErrorInfo

if TYPE_CHECKING:
    from handmade.models import Finding, ProvenanceReport

__all__ = [
    "AuditConfigError",
    "HandmadeError",
    "InputError",
    "KeyMaterialError",
    "LabelRefused",
    "PolicyConfigError",
    "PolicyViolation",
    "RegistryError",
    "ScanError",
    "SigningError",
    "StorageError",
    "TrustConfigError",
    "VerificationError",
]


class HandmadeError(Exception):
    """Root of every error handmade raises on purpose.

    ``code`` is a stable dotted string (``input.not_found``, ``sign.generative_history`` ...);
    ``hint`` says what to do about it, in words.
    """

    default_code = "handmade.error"

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.hint = hint

    def diagnostics(self) -> str:
        """A multi-line explanation for people: what happened and how to fix it."""
        text = f"{self.message} [{self.code}]"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    @property
    def info(self) -> ReportErrorInfo:
        """The error as a result records it (code and message: the ``error`` object of the JSON contract)."""
        return ReportErrorInfo(self.code, self.message)

    def to_dict(self) -> dict[str, Any]:
        """The ``error`` object of the JSON contract."""
        return self.info.to_dict()


class InputError(HandmadeError):
    """A file that is missing, unreadable, of an unsupported type, or corrupt."""

    default_code = "input.invalid"


class KeyMaterialError(HandmadeError):
    """A private key or certificate chain that cannot be used for signing."""

    default_code = "keys.invalid"


class TrustConfigError(HandmadeError):
    """Trust anchors that cannot be read or contain no certificate."""

    default_code = "trust.invalid"


class PolicyConfigError(HandmadeError):
    """A policy name or file that cannot be used (unknown preset, unreadable file, unknown or contradictory keys)."""

    default_code = "policy.config"


class SigningError(HandmadeError):
    """Signing failed, or was refused (for instance because the input's history is generative)."""

    default_code = "sign.failed"


class StorageError(HandmadeError):
    """A database URL that cannot be used, or a database that cannot be reached or migrated."""

    default_code = "storage.config"


class AuditConfigError(StorageError):
    """The audit log's URL cannot be used (``audit.unsupported``, ``audit.unavailable``, ``audit.config``)."""

    default_code = "audit.config"


class RegistryError(StorageError):
    """A registry that cannot be used (``registry.unsupported``, ``registry.unavailable``, ``registry.config``),
    or a file that cannot be registered (``registry.not_signed``, ``registry.invalid``,
    ``registry.no_soft_binding``)."""

    default_code = "registry.config"


class ScanError(HandmadeError):
    """A scan that cannot start: a missing root, an output that cannot be written, no Dask scheduler."""

    default_code = "scan.config"


class VerificationError(HandmadeError):
    """Raised only by strict APIs that turn a failed verification into an exception."""

    default_code = "verify.failed"


class PolicyViolation(VerificationError):
    """A report that does not satisfy an acceptance policy; carries the report and the reasons."""

    default_code = "policy.rejected"

    def __init__(
        self,
        message: str,
        *,
        report: ProvenanceReport,
        failed: tuple[Finding, ...] = (),
        code: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.report = report
        self.failed = failed


class LabelRefused(VerificationError):
    """A file whose verified history backs no label (no manifest, invalid, unknown, not vouched for);
    carries the report."""

    default_code = "label.not_verified"

    def __init__(self, message: str, *, report: ProvenanceReport, code: str | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message, code=code, hint=hint)
        self.report = report
