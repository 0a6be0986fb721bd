"""Signatures that outlive their certificates: where the timestamp server comes from, and what to tell a signer
who signs without one.

A C2PA signature is checked against its certificate's validity at the time a trusted RFC 3161 timestamp says
it was made; without a timestamp, at the time it is verified, so the file stops verifying the day the
certificate expires (at most 366 days for a C2PA signer). The address of the time-stamping service can be
given once: ``--tsa-url``, else ``tsa_url`` in the settings file, else the TSA of the label authority that
certified the signer (its bundle, installed with ``handmade trust add``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

EXPIRY_WARNING_DAYS = 30


def resolve_tsa_url(explicit: str | None, identity: Any) -> tuple[str | None, str | None]:
    """(the TSA URL to use, where it came from) for a signer: ``"--tsa-url"`` (the flag), ``"settings"`` (the
    settings file), ``"authority:NAME"`` (the bundle of the label authority NAME), or (None, None)."""
    if explicit:
        return explicit, "--tsa-url"
    from handmade.settings import read_settings

    configured = read_settings().get("tsa_url")
    if isinstance(configured, str) and configured.strip():
        return configured.strip(), "settings"
    from cryptography import x509

    from handmade.authority import installed_bundles

    chain = x509.load_pem_x509_certificates(identity.chain_pem)
    issuers = {c.issuer for c in chain}
    for bundle in installed_bundles():
        issuing = x509.load_pem_x509_certificate(bundle.issuing_pem.encode())
        if bundle.tsa_url and issuing.subject in issuers:
            return bundle.tsa_url, f"authority:{bundle.name}"
    return None, None


def timestamp_warnings(identity: Any, tsa_url: str | None, now: dt.datetime | None = None,
                       lang: str = "en") -> list[str]:
    """Warnings for a signer about to sign, in ``lang``: no timestamp (the signature dies with the certificate),
    and a certificate that expires within 30 days."""
    from handmade.messages import t

    now = now or dt.datetime.now(dt.timezone.utc)
    expires = identity.leaf.not_valid_after_utc
    days = (expires - now).days
    when = {"date": expires.date().isoformat(), "days": str(max(days, 0))}
    out = []
    if tsa_url is None:
        out.append(t("warn.no_timestamp", lang, **when))
        if days < EXPIRY_WARNING_DAYS:
            out.append(t("warn.expiring_no_timestamp", lang, **when))
    elif days < EXPIRY_WARNING_DAYS:
        out.append(t("warn.expiring", lang, **when))
    return out
