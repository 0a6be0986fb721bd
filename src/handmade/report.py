"""Renderings of a report: the verdict in plain words (English, French), the summary block, the lineage
tree, and the versioned JSON document. Only presentation lives here; every decision is in verify/lineage.

Untrusted strings from manifests are printed as data: control characters were removed when the report
was built, and JSON/HTML renderings escape them (``json.dumps`` / ``html.escape``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from handmade.messages import CATALOG, colon, error_words, hint_words, step_reason, text_of
from handmade.messages import t as t  # re-exported: ``from handmade.report import t`` predates the catalog
from handmade.models import Finding, LineageStep, ProvenanceReport, results_document


def error_text(code: str, message: str, hint: str | None, lang: str = "en") -> str | None:
    """An error in ``lang`` when the table has it (codes added with issue 12), else None: the sentence and
    the code, the original message as the detail, and the fix."""
    if lang == "en" or f"error.{code}" not in CATALOG:
        return None
    lines = [f"{t('err.error', lang)} : {t('error.' + code, lang)} [{code}]",
             f"  {t('err.detail', lang)} : {message}"]
    if (words := hint_words(code, hint, lang)):
        lines.append(f"  {t('err.hint', lang)} : {words}")
    return "\n".join(lines)


def verdict(report: ProvenanceReport, lang: str = "en") -> str:
    """The verdict in one sentence a picture editor understands."""
    if report.state == "error":
        words = error_words(report.error.code, report.error.message, lang) if report.error else ""
        return f"{t('error', lang)}{colon(lang)} {words}".rstrip(": ")
    if report.state == "no_manifest":
        text = t("no_manifest", lang)
        if report.hints_suggest == "generative":
            text += f" ({t('hint_generative', lang)})"
        return text
    who = report.signer.name if report.signer and report.signer.name else None
    codes = {f.code for f in report.findings}
    if "manifest.foreign_store" in codes:  # a copied store in front of the real one (handmade.stores)
        own = f"; {t('own_store', lang, who=who)}" if who and "manifest.binding_store" in codes else ""
        return t("foreign_store", lang) + own
    if report.ai == "possibly_generative":
        steps = report.possibly_generative_steps
        where = ""
        if steps:
            n = report.lineage.index(steps[0]) + 1
            why = step_reason(steps[0], lang)
            where = f"{colon(lang)} {t('step', lang, n=n)}" + (f", {why}" if why else "")
        return f"{t('possibly_generative', lang)}{where}"
    if report.ai in ("generative", "ai_assisted"):
        steps = report.generative_steps
        # Point at the generative creation when there is one: it says best where the AI came from.
        first = next((s for s in steps if s.action == "c2pa.created"), steps[0] if steps else None)
        where = ""
        if first is not None:
            n = report.lineage.index(first) + 1
            agent = f", {first.software_agent}" if first.software_agent else ""
            where = f"{colon(lang)} {t('step', lang, n=n)}{agent}"
        vouched = f". {trust_words(report, lang)}" if report.state == "trusted" else ""
        return f"{t(report.ai, lang)}{where}{vouched}"
    if report.state == "invalid":
        reasons = []
        codes = {f.code for f in report.findings}
        if report.intact is False:
            # A binding failure is a mismatch of signed byte ranges; it need not be a change of pixels.
            reasons.append(t("range_mismatch", lang) if "binding.mismatch" in codes else t("tampered", lang))
        elif report.intact is None and report.error is not None:
            reasons.append(t("unchecked", lang))
        if report.signature_valid is False:
            reasons.append(t("bad_signature", lang))
        if report.expired:
            reasons.append(t("expired", lang))
        if report.revocation is not None:
            key = "revoked_history" if "history.revoked" in codes else "revoked"
            reasons.append(t(key, lang, date=report.revocation.date, reason=report.revocation.reason,
                             by=report.revocation.by))
        elif report.credential_ok is False:
            reasons.append(t("bad_credential", lang))
        if report.ingredients_valid is False:
            reasons.append(t("bad_ingredient", lang))
        return t("invalid", lang) + (f" ({', '.join(reasons)})" if reasons else "")
    # What the history says beyond AI: an origin nobody vouches for, or the signer's own; the identity.
    notes = []
    if report.provenance == "unknown_origin":
        notes.append(t("origin_unknown", lang))
    elif report.provenance == "signer_claim":
        notes.append(t("origin_claimed", lang))
    if report.identity_valid is False:
        notes.append(t("identity_invalid", lang))
    if report.incomplete_history:
        notes.append(t("incomplete_history", lang))
    more = "".join(f"{' ; ' if lang == 'fr' else '; '}{n}" for n in notes)
    if report.test_identity:
        head = t("claimed", lang) if report.claims_handmade else (
            t("ai_unknown", lang) if report.ai == "unknown" else t("signed", lang))
        return f"{head}, {t('test_key', lang)}{more}"
    if report.state == "trusted":
        head = t("handmade", lang) if report.is_handmade else (
            t("ai_unknown", lang) if report.ai == "unknown" else t("signed", lang))
        if report.trusted_by and report.trusted_by.startswith("authority:"):
            member = who or t("unknown_signer", lang)
            return t("certified_line", lang, head=head, who=member, name=report.trusted_by.split(":", 1)[1]) + more
        return f"{head}{more}. {trust_words(report, lang)}"
    head = t("claimed", lang) if report.claims_handmade else (
        t("ai_unknown", lang) if report.ai == "unknown" else t("signed", lang))
    signed = f" ({t('signed_by', lang, who=who)})" if who else ""
    return t("claim_line", lang, head=head, signed=signed, nobody=t("nobody_vouches", lang)) + more


def recovered_lines(report: ProvenanceReport, lang: str = "en") -> list[str]:
    """The registered originals that match a file without valid Content Credentials, in words: a head line, one
    line per candidate, and the reminder that a candidate is not the file's own credentials ([] without any)."""
    if not report.recovered:
        return []
    head = t("recovered.head_none" if report.state == "no_manifest" else "recovered.head_invalid", lang)
    lines = [head]
    for c in report.recovered:
        what = ("recovered.handmade_by" if c.author else "recovered.handmade") if c.claims_handmade else (
            "recovered.not_handmade")
        when = "recovered.signed_on" if c.signed_at else "recovered.registered_on"
        vouch = "test_key" if c.test_identity else ("recovered.trusted" if c.state == "trusted" else "nobody_vouches")
        alike = "recovered.alike" if c.resemblance is not None else ""
        lines.append(t("recovered.match", lang, distance=c.distance, bits=c.bits, alike_k=alike,
                       percent=round(100 * max(c.resemblance or 0.0, 0.0)), what_k=what, author=c.author or "",
                       when_k=when, date=(c.signed_at or c.registered_at)[:10],
                       signer=c.signer or t("unknown_signer", lang), trust_k=vouch))
    lines.append(t("recovered.note", lang))
    return lines


def trust_words(report: ProvenanceReport, lang: str = "en") -> str:
    """"Trusted: signed by Adobe Inc. (C2PA Trust List)": who signed (the certificate's organisation, else its
    common name), and which trust source vouched."""
    signer = report.signer
    who = (signer.issuer or signer.name) if signer else None
    who = who or t("unknown_signer", lang)
    return t("trusted_by", lang, who=who, source=source_words(report.trusted_by, lang))


def source_words(source: str | None, lang: str = "en") -> str:
    """The name of a trust source (``trusted_by``) in words."""
    if source is None:
        return "?"
    if source.startswith("authority:"):
        return t("src:authority", lang, name=source.split(":", 1)[1])
    if source == "c2pa-interim-list":
        from handmade.trust import TrustConfig

        found = TrustConfig.default().source(source)
        return t("src:" + source, lang, frozen=(found.frozen if found and found.frozen else "2026-01-01"))
    return t("src:" + source, lang) if ("src:" + source) in CATALOG else source


def join_reasons(messages: Sequence[str]) -> str:
    """Sentences joined as sentences ("... AI. The ..."), never as "AI.; The"."""
    parts = [m.strip() for m in messages if m and m.strip()]
    return " ".join(m if m.endswith((".", "!", "?")) else m + "." for m in parts)


def training_text(report: ProvenanceReport, lang: str = "en") -> str:
    """The AI-training line: "AI training: not allowed", or "only under licence, see ..." with the terms."""
    if report.training == "constrained" and report.training_terms:
        return f"{t('training', lang)}{colon(lang)} {t('licensed', lang, terms=report.training_terms)}"
    return f"{t('training', lang)}{colon(lang)} {t(report.training, lang)}"


def render_summary(report: ProvenanceReport, lang: str = "en", *, verbose_findings: bool = True) -> str:
    """The ``verify`` block: the token line, the verdict, and the findings that decided it."""
    lines = [f"{report.path}: {report.summary()}", f"  {verdict(report, lang)}"]
    if report.state not in ("no_manifest", "error"):
        lines.append(f"  {training_text(report, lang)}")
    lines += [f"  {line}" for line in recovered_lines(report, lang)]
    if verbose_findings:
        for f in report.findings:
            if f.severity == "info" and f.code not in ("trust.not_configured",):
                continue
            lines.append(finding_line(f, lang))
        for h in report.hints:
            if h.signal != "info":
                lines.append(f"  - [{t('view.hint', lang)}] {text_of(h, lang)}")
    return "\n".join(lines)


def finding_line(f: Finding, lang: str = "en") -> str:
    """``  - [warning] The message. (code)``: a finding or a policy reason, in ``lang`` (the code stays)."""
    return f"  - [{t('view.severity.' + f.severity, lang)}] {text_of(f, lang)} ({f.code})"


def _step_line(n: int, step: LineageStep, lang: str = "en") -> str:
    indent = "    " * step.depth
    mark = "AI " if step.generative else "AI? " if step.possibly_generative else ""
    why = step_reason(step, lang)
    if step.kind == "ingredient":
        title = step.title or t("view.untitled", lang)
        extra = f" ({why})" if why else ""
        return f"{indent}{n:>2}. {mark}└─ {t('view.ingredient', lang)} {step.relationship or ''}: {title}{extra}"
    pieces = [step.action or step.kind]
    if step.digital_source_type:
        pieces.append(f"[{step.digital_source_type.rsplit('/', 1)[-1]}]")
    if step.software_agent:
        pieces.append(t("view.by", lang, agent=step.software_agent))
    line = f"{indent}{n:>2}. {mark}{' '.join(pieces)}"
    if (step.generative or step.possibly_generative) and why:
        line += f"  <- {why}"
    return line


def render_tree(report: ProvenanceReport, lang: str = "en") -> str:
    """The ``report`` view: the verdict, every manifest, action and ingredient as an indented tree."""
    lines = [render_summary(report, lang, verbose_findings=False)]
    colon = " :" if lang == "fr" else ":"
    if report.signer:
        s = report.signer
        when = {"when_k": "view.signed_at", "at": s.signed_at} if s.signed_at else {"when_k": "view.no_timestamp"}
        lines.append("  " + t("view.signer", lang, name=str(s.name), issuer=str(s.issuer), alg=str(s.alg), **when))
    if report.trusted_by:
        lines.append(f"  {t('vouched_by', lang)}{colon} {source_words(report.trusted_by, lang)}")
    if report.authors:
        lines.append(f"  {t('view.author', lang)}{colon} {', '.join(report.authors)}")
    if report.lineage:
        lines.append("  " + t("view.history1" if report.manifest_count == 1 else "view.history", lang,
                              n=report.manifest_count))
        current = None
        for n, step in enumerate(report.lineage, 1):
            if step.manifest != current and step.kind != "ingredient":
                current = step.manifest
                on = t("view.manifest_on", lang, at=step.signed_at) if step.signed_at else ""
                tool = t("view.manifest_with", lang, tool=step.tool) if step.tool else ""
                lines.append(f"  {'    ' * step.depth}" + t("view.manifest", lang, label=step.manifest,
                             who=step.signer or t("view.unknown", lang), when=on, tool=tool))
            lines.append("  " + _step_line(n, step, lang))
    if report.findings:
        lines.append("  " + t("view.findings", lang))
        lines += [finding_line(f, lang) for f in report.findings]
    if report.hints:
        lines.append("  " + t("view.hints", lang))
        lines += [f"  - {h.source} {h.field}: {h.value[:80]} -> {t('signal.' + h.signal, lang)}" for h in report.hints]
    return "\n".join(lines)


def render_json(reports: Sequence[ProvenanceReport], extra: Sequence[dict[str, Any]] | None = None) -> str:
    """The ``handmade.report/v2`` document; ``extra`` merges per-result keys (e.g. a policy decision)."""
    doc = results_document(list(reports))
    if extra:
        for result, more in zip(doc["results"], extra, strict=True):
            result.update(more)
    return json.dumps(doc, indent=2, ensure_ascii=False)


def render_jsonl_line(report: ProvenanceReport, extra: dict[str, Any] | None = None) -> str:
    """One line of ``--format jsonl``: a ``handmade.report/v1`` result object (as in ``results``), with
    the ``schema`` key so that each line stands alone, on one line."""
    from handmade.models import SCHEMA

    doc = {"schema": SCHEMA, **report.to_dict(), **(extra or {})}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


#: The columns of ``--format csv``, in order.
CSV_COLUMNS = ("path", "state", "bottom_line", "summary", "ai", "human_authored", "training", "signer",
               "issuer", "signed_at", "authors", "policy", "accepted", "reasons", "error_code", "sha256")


def _csv_cell(value: Any) -> str:
    """A cell as text; one that a spreadsheet would run as a formula (manifest strings are untrusted) is
    prefixed with a quote (OWASP "CSV injection")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_row(report: ProvenanceReport, decision: Any = None) -> list[str]:
    """One row of ``--format csv`` (see ``CSV_COLUMNS``); ``decision`` is a policy ``Decision`` or None."""
    s = report.signer
    values = [report.path, report.state, report.bottom_line, report.summary(), report.ai, report.human_authored,
              report.training, s.name if s else None, s.issuer if s else None, s.signed_at if s else None,
              "; ".join(report.authors), decision.policy if decision else None,
              decision.accepted if decision else None,
              "; ".join(r.message for r in decision.reasons) if decision else None,
              report.error.code if report.error else None, report.sha256]
    return [_csv_cell(v) for v in values]
