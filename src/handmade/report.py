"""Renderings of a report: the verdict in plain words (English, French), the summary block, the lineage
tree, and the versioned JSON document. Only presentation lives here; every decision is in verify/lineage.

Untrusted strings from manifests are printed as data: control characters were removed when the report
was built, and JSON/HTML renderings escape them (``json.dumps`` / ``html.escape``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from handmade.models import LineageStep, ProvenanceReport, results_document

_T: dict[str, dict[str, str]] = {
    "handmade": {"en": "Made by hand", "fr": "Fait à la main"},
    "signed_by": {"en": "signed by {who}", "fr": "signé par {who}"},
    "generative": {"en": "AI-generated image", "fr": "Image générée par IA"},
    "ai_assisted": {"en": "Contains AI-generated content", "fr": "Contient des éléments générés par IA"},
    "no_manifest": {"en": "No provenance information", "fr": "Aucune information de provenance"},
    "invalid": {"en": "Content Credentials do not validate", "fr": "Les Content Credentials ne sont pas valides"},
    "error": {"en": "Could not be checked", "fr": "Vérification impossible"},
    "signed": {"en": "Signed, no AI step declared", "fr": "Signé, aucune étape d'IA déclarée"},
    "ai_unknown": {"en": "Signed, AI use unknown", "fr": "Signé, usage d'IA inconnu"},
    "possibly_generative": {"en": "May contain AI-generated content",
                            "fr": "Peut contenir des éléments générés par IA"},
    "origin_unknown": {"en": "part of it comes from a file without Content Credentials, of unknown origin",
                       "fr": "une partie provient d'un fichier sans Content Credentials, d'origine inconnue"},
    "origin_claimed": {"en": "the origin of its unsigned base is the signer's own statement",
                       "fr": "l'origine de sa base non signée est la déclaration du signataire"},
    "incomplete_history": {"en": "its manifests do not say that every action is listed",
                           "fr": "ses manifestes ne déclarent pas lister toutes les actions"},
    "identity_invalid": {"en": "the creator identity does not verify",
                         "fr": "l'identité du créateur n'est pas vérifiée"},
    "range_mismatch": {"en": "the signed byte ranges do not match", "fr": "les plages d'octets signées ne "
                       "correspondent pas"},
    "unchecked": {"en": "could not be checked", "fr": "n'a pas pu être vérifié"},
    "bad_ingredient": {"en": "an earlier part of the history does not validate",
                       "fr": "une partie antérieure de l'historique n'est pas valide"},
    "step": {"en": "step {n}", "fr": "étape {n}"},
    "claimed": {"en": "Claims to be made by hand", "fr": "Se dit fait à la main"},
    "claim_line": {"en": "{head}{signed}; {nobody}", "fr": "{head}{signed} ; {nobody}"},
    "nobody_vouches": {"en": "nobody you trust vouches for the signer",
                       "fr": "personne en qui vous avez confiance ne garantit le signataire"},
    "trusted_by": {"en": "Trusted: signed by {who} ({source})", "fr": "De confiance : signé par {who} ({source})"},
    "test_key": {"en": "signed with the public TEST key: proves nothing",
                 "fr": "signé avec la clé de TEST publique : ne prouve rien"},
    "src:c2pa-trust-list": {"en": "C2PA Trust List", "fr": "liste de confiance C2PA"},
    "src:c2pa-interim-list": {"en": "interim list, frozen {frozen}: signed while it was in force",
                              "fr": "liste provisoire, gelée le {frozen} : signé quand elle était en vigueur"},
    "src:your-anchors": {"en": "your trust anchors", "fr": "vos ancres de confiance"},
    "src:authority": {"en": "certified by {name}", "fr": "certifié par {name}"},
    "certified_line": {"en": "{head}: {who}, certified by {name}", "fr": "{head} : {who}, certifié par {name}"},
    "revoked": {"en": "certificate revoked on {date} ({reason}) by {by}",
                "fr": "certificat révoqué le {date} ({reason}) par {by}"},
    "vouched_by": {"en": "vouched for by", "fr": "garanti par"},
    "unknown_signer": {"en": "unknown signer", "fr": "signataire inconnu"},
    "hint_generative": {"en": "its metadata (unsigned) mentions AI generation",
                        "fr": "ses métadonnées (non signées) évoquent une génération par IA"},
    "tampered": {"en": "changed after signing", "fr": "modifié après signature"},
    "expired": {"en": "certificate expired", "fr": "certificat expiré"},
    "bad_credential": {"en": "certificate not acceptable", "fr": "certificat non conforme"},
    "bad_signature": {"en": "signature does not match", "fr": "signature non concordante"},
    "foreign_store": {"en": "Content Credentials that do not belong to this image were added",
                      "fr": "Des Content Credentials qui n'appartiennent pas à cette image y ont été ajoutés"},
    "own_store": {"en": "its own are signed by {who}", "fr": "les siens sont signés par {who}"},
    "training": {"en": "AI training", "fr": "Entraînement d'IA"},
    "not_allowed": {"en": "not allowed", "fr": "non autorisé"},
    "allowed": {"en": "allowed", "fr": "autorisé"},
    "constrained": {"en": "allowed with conditions", "fr": "autorisé sous conditions"},
    "licensed": {"en": "only under licence, see {terms}", "fr": "uniquement sous licence, voir {terms}"},
    "unspecified": {"en": "not stated", "fr": "non précisé"},
    # command-line messages (sign, verify, watch)
    "cli.signed_one": {"en": "{path}: signed ({summary})", "fr": "{path} : signé ({summary})"},
    "cli.parent_kept": {"en": "existing manifest kept as parent", "fr": "manifeste existant conservé comme parent"},
    "cli.ok": {"en": "ok", "fr": "ok"},
    "cli.failed": {"en": "FAILED", "fr": "ÉCHEC"},
    "cli.would_sign": {"en": "would sign", "fr": "serait signé"},
    "cli.skipped": {"en": "skipped", "fr": "ignoré"},
    "cli.would_fail_exists": {"en": "would FAIL: the output already exists (--overwrite or --skip-existing)",
                              "fr": "ÉCHOUERAIT : la sortie existe déjà (--overwrite ou --skip-existing)"},
    "cli.signing": {"en": "signing", "fr": "signature"},
    "cli.checking": {"en": "checking", "fr": "vérification"},
    "cli.sign_total": {"en": "signed {ok} of {n} file(s); {failed} failed; {skipped} skipped",
                       "fr": "{ok} fichier(s) signé(s) sur {n} ; {failed} en échec ; {skipped} ignoré(s)"},
    "cli.dry_run_total": {"en": "dry run: {n} file(s) would be signed, {skipped} skipped; nothing was written",
                          "fr": "essai à blanc : {n} fichier(s) seraient signés, {skipped} ignoré(s) ; rien n'a été "
                                "écrit"},
    "cli.verify_total": {"en": "{n} file(s): {handmade} handmade, {ai} AI, {none} without credentials, {invalid} "
                                "invalid, {other} signed otherwise, {error} unreadable; policy {policy}: {passed} "
                                "pass, {failed} fail",
                         "fr": "{n} fichier(s) : {handmade} fait(s) main, {ai} IA, {none} sans Content Credentials, "
                               "{invalid} invalide(s), {other} signé(s) autrement, {error} illisible(s) ; "
                               "politique {policy} : {passed} accepté(s), {failed} refusé(s)"},
    "skip.not_image": {"en": "not an image format handmade signs", "fr": "pas un format d'image que handmade signe"},
    "skip.raw": {"en": "camera raw: C2PA cannot be embedded in it; sign the exported JPEG/TIFF/DNG",
                 "fr": "fichier RAW : il ne peut pas porter de manifeste C2PA ; signez le JPEG/TIFF/DNG exporté"},
    "skip.sidecar": {"en": "sidecar or text file, not an image", "fr": "fichier annexe ou texte, pas une image"},
    "skip.hidden": {"en": "hidden", "fr": "caché"},
    "skip.output_folder": {"en": "the output folder: not signed again",
                           "fr": "le dossier de sortie : pas signé une seconde fois"},
    "skip.exists": {"en": "the output already exists (--skip-existing)",
                    "fr": "la sortie existe déjà (--skip-existing)"},
    "skip.duplicate": {"en": "given twice: signed once", "fr": "donné deux fois : signé une fois"},
    "cli.big_film": {"en": "note: {path}: a {mb} MB film: read three times (history check, signing, self-check) "
                           "through file handles; this takes a while",
                     "fr": "remarque : {path} : un film de {mb} Mo : lu trois fois (contrôle de l'historique, "
                           "signature, vérification) par le disque ; cela prend un moment"},
    "cli.no_metadata": {"en": "note: {path}: no EXIF/XMP written for {fmt} (the manifest still carries the "
                               "author, rights and AI-training choice)",
                         "fr": "remarque : {path} : pas d'EXIF/XMP écrits pour {fmt} (le manifeste porte quand même "
                               "l'auteur, les droits et le choix sur l'entraînement d'IA)"},
    "cli.watching": {"en": "watching {src} -> {out} (Ctrl-C to stop)",
                     "fr": "surveillance de {src} -> {out} (Ctrl-C pour arrêter)"},
    "cli.watch_stopped": {"en": "watch stopped: {ok} signed, {failed} failed",
                          "fr": "surveillance arrêtée : {ok} signé(s), {failed} en échec"},
    # errors added with issue 12, by code: the sentence, then the fix ("hint.<code>"); the English message
    # (with its paths) is shown as the detail
    "err.error": {"en": "error", "fr": "erreur"},
    "err.detail": {"en": "detail", "fr": "détail"},
    "err.hint": {"en": "hint", "fr": "conseil"},
    "error.output.collision": {"en": "two inputs would be written to one output; nothing was signed",
                               "fr": "deux entrées seraient écrites dans une même sortie ; rien n'a été signé"},
    "hint.output.collision": {"en": "Give their common parent folder, or sign them into different output folders.",
                              "fr": "Donnez leur dossier parent commun (son arborescence est reproduite), ou signez-"
                                    "les dans des dossiers de sortie différents."},
    "error.output.is_input": {"en": "the output is an input; signing would replace the original",
                              "fr": "la sortie est une entrée ; signer remplacerait l'original"},
    "hint.output.is_input": {"en": "Choose another output, or pass --in-place.",
                             "fr": "Choisissez une autre sortie, ou passez --in-place pour remplacer l'original "
                                   "par sa version signée."},
    "error.output.not_writable": {"en": "the output cannot be written here", "fr": "impossible d'écrire la sortie ici"},
    "hint.output.not_writable": {"en": "Choose a folder you can write to.",
                                 "fr": "Choisissez un dossier où vous pouvez écrire."},
    "error.output.exists": {"en": "the output already exists", "fr": "la sortie existe déjà"},
    "hint.output.exists": {"en": "Choose another output name, or pass --overwrite (or --skip-existing).",
                           "fr": "Choisissez un autre nom, ou passez --overwrite (ou --skip-existing)."},
    "error.input.no_images": {"en": "no image in the folder(s) given",
                              "fr": "aucune image dans le(s) dossier(s) donné(s)"},
    "hint.input.no_images": {"en": "Give image files, or folders that contain some.",
                             "fr": "Donnez des images, ou des dossiers qui en contiennent."},
    "error.policy.not_found": {"en": "the policy file does not exist", "fr": "le fichier de politique n'existe pas"},
    "hint.policy.not_found": {"en": "Check the path, or use a preset.",
                              "fr": "Vérifiez le chemin, ou utilisez une politique prédéfinie (handmade, trusted, "
                                    "intact, any)."},
    "error.keys.pin": {"en": "the token's PIN is missing or wrong", "fr": "le code PIN du jeton manque ou est faux"},
    "hint.keys.pin": {"en": "Give the user PIN (HANDMADE_PKCS11_PIN).",
                      "fr": "Donnez le code PIN utilisateur (HANDMADE_PKCS11_PIN)."},
    "error.keys.pkcs11": {"en": "the PKCS#11 token key cannot be used",
                          "fr": "la clé du jeton PKCS#11 est inutilisable"},
    "hint.keys.pkcs11": {"en": "Check the module, the token label and the key label.",
                         "fr": "Vérifiez le module (HANDMADE_PKCS11_MODULE), le nom du jeton et celui de la clé."},
    "error.input.not_image": {"en": "not a format handmade reads", "fr": "pas un format que handmade sait lire"},
    "hint.input.not_image": {"en": "handmade reads JPEG, PNG, WebP, TIFF, DNG, GIF, HEIC, AVIF, JPEG XL, SVG, "
                                   "MP4, MOV, PDF, and NEF/ARW for verification only.",
                             "fr": "handmade lit JPEG, PNG, WebP, TIFF, DNG, GIF, HEIC, AVIF, JPEG XL, SVG, MP4, "
                                   "MOV, PDF, et NEF/ARW en vérification seulement."},
    "error.sign.badge_format": {"en": "a visible badge is drawn on pictures only (not on a film, an SVG or a PDF)",
                                "fr": "un badge visible ne se dessine que sur une image (pas sur un film, un SVG "
                                      "ou un PDF)"},
    "hint.sign.badge_format": {"en": "Sign it without --badge: the Content Credentials do not need one.",
                               "fr": "Signez-le sans --badge : les Content Credentials n'en ont pas besoin."},
    "error.watch.state": {"en": "the watch state file cannot be read",
                          "fr": "le fichier d'état de la surveillance est illisible"},
    "hint.watch.state": {"en": "Move it away to start afresh.", "fr": "Déplacez-le pour repartir de zéro."},
    # handmade label (issue 16)
    "label.no_manifest": {"en": "no Content Credentials: nothing verified to label",
                          "fr": "aucun Content Credentials : rien de vérifié à étiqueter"},
    "label.invalid": {"en": "its Content Credentials do not validate",
                      "fr": "ses Content Credentials ne sont pas valides"},
    "label.unreadable": {"en": "its Content Credentials cannot be read",
                         "fr": "ses Content Credentials sont illisibles"},
    "label.not_verified": {"en": "it does not pass the handmade policy and declares no AI",
                           "fr": "il ne satisfait pas la politique handmade et ne déclare pas d'IA"},
    "cli.labelled": {"en": "{path}: labelled \"{text}\" -> {out} ({summary})",
                     "fr": "{path} : étiqueté « {text} » -> {out} ({summary})"},
    "cli.not_labelled": {"en": "{path}: no label: {why} ({verdict})",
                         "fr": "{path} : pas d'étiquette : {why} ({verdict})"},
    "cli.label_test_key": {"en": "{path}: its label says 'verified', but the labelled file is signed with the TEST "
                                 "key: verifiers read it as a claim (give --key and --chain)",
                           "fr": "{path} : son étiquette dit « vérifié », mais le fichier étiqueté est signé avec la "
                                 "clé de TEST : les vérificateurs y liront une simple déclaration (donnez --key et "
                                 "--chain)"},
    "cli.label_total": {"en": "labelled {ok} of {n} file(s); {refused} refused; {failed} failed",
                        "fr": "{ok} fichier(s) étiqueté(s) sur {n} ; {refused} refusé(s) ; {failed} en échec"},
    "error.label.changed": {"en": "the file changed while it was being verified",
                            "fr": "le fichier a changé pendant sa vérification ; rien n'a été étiqueté"},
    "error.label.self_check_failed": {"en": "the labelled result does not verify",
                                      "fr": "le résultat étiqueté ne se vérifie pas ; rien n'a été écrit"},
    "error.label.too_small": {"en": "the image is too small for a legible label",
                              "fr": "l'image est trop petite pour une étiquette lisible"},
    "cert.serial": {"en": "serial", "fr": "numéro de série"},
    "cert.valid": {"en": "valid", "fr": "validité"},
    "cert.timestamp": {"en": "timestamp", "fr": "horodatage"},
    "keys.subject": {"en": "subject", "fr": "sujet"},
    "keys.issuer": {"en": "issuer", "fr": "émetteur"},
    "keys.alg": {"en": "algorithm", "fr": "algorithme"},
    "keys.valid_from": {"en": "valid from", "fr": "valide du"},
    "keys.valid_until": {"en": "valid until", "fr": "valide jusqu'au"},
    "keys.days_left": {"en": "days left", "fr": "jours restants"},
    "keys.expired": {"en": "expired", "fr": "expiré"},
    "keys.chain": {"en": "certificates", "fr": "certificats"},
    "keys.fingerprint": {"en": "SHA-256", "fr": "SHA-256"},
    "keys.test": {"en": "TEST identity", "fr": "identité de TEST"},
    "keys.test_yes": {"en": "YES: the public test key, trusted by nobody; do not publish with it",
                      "fr": "OUI : la clé de test publique, reconnue par personne ; ne publiez rien avec"},
    "keys.test_no": {"en": "no", "fr": "non"},
    "keys.problem": {"en": "problem", "fr": "problème"},
    "keys.warning": {"en": "warning", "fr": "avertissement"},
    "keys.fix": {"en": "fix", "fr": "solution"},
    "keys.ok": {"en": "ok: this key and chain can sign Content Credentials",
                "fr": "ok : cette clé et cette chaîne peuvent signer des Content Credentials"},
}


def t(key: str, lang: str = "en", **kwargs: Any) -> str:
    """A translated label (English when the language or key is missing)."""
    entry = _T.get(key, {})
    text = entry.get(lang) or entry.get("en") or key
    return text.format(**kwargs) if kwargs else text


def error_text(code: str, message: str, hint: str | None, lang: str = "en") -> str | None:
    """An error in ``lang`` when the table has it (codes added with issue 12), else None: the sentence and
    the code, the original message as the detail, and the fix."""
    if lang == "en" or f"error.{code}" not in _T:
        return None
    lines = [f"{t('err.error', lang)} : {t('error.' + code, lang)} [{code}]",
             f"  {t('err.detail', lang)} : {message}"]
    if f"hint.{code}" in _T:
        lines.append(f"  {t('err.hint', lang)} : {t('hint.' + code, lang)}")
    elif hint:
        lines.append(f"  {t('err.hint', lang)} : {hint}")
    return "\n".join(lines)


def verdict(report: ProvenanceReport, lang: str = "en") -> str:
    """The verdict in one sentence a picture editor understands."""
    if report.state == "error":
        return f"{t('error', lang)}: {report.error.message if report.error else ''}".rstrip(": ")
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
            where = f": {t('step', lang, n=n)}" + (f", {steps[0].reason}" if steps[0].reason and lang == "en" else "")
        return f"{t('possibly_generative', lang)}{where}"
    if report.ai in ("generative", "ai_assisted"):
        steps = report.generative_steps
        # Point at the generative creation when there is one: it says best where the AI came from.
        first = next((s for s in steps if s.action == "c2pa.created"), steps[0] if steps else None)
        where = ""
        if first is not None:
            n = report.lineage.index(first) + 1
            agent = f", {first.software_agent}" if first.software_agent else ""
            where = f": {t('step', lang, n=n)}{agent}"
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
            reasons.append(t("revoked", lang, date=report.revocation.date, reason=report.revocation.reason,
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
    return t("src:" + source, lang) if ("src:" + source) in _T else source


def join_reasons(messages: Sequence[str]) -> str:
    """Sentences joined as sentences ("... AI. The ..."), never as "AI.; The"."""
    parts = [m.strip() for m in messages if m and m.strip()]
    return " ".join(m if m.endswith((".", "!", "?")) else m + "." for m in parts)


def training_text(report: ProvenanceReport, lang: str = "en") -> str:
    """The AI-training line: "AI training: not allowed", or "only under licence, see ..." with the terms."""
    if report.training == "constrained" and report.training_terms:
        return f"{t('training', lang)}: {t('licensed', lang, terms=report.training_terms)}"
    return f"{t('training', lang)}: {t(report.training, lang)}"


def render_summary(report: ProvenanceReport, lang: str = "en", *, verbose_findings: bool = True) -> str:
    """The ``verify`` block: the token line, the verdict, and the findings that decided it."""
    lines = [f"{report.path}: {report.summary()}", f"  {verdict(report, lang)}"]
    if report.state not in ("no_manifest", "error"):
        lines.append(f"  {training_text(report, lang)}")
    if verbose_findings:
        for f in report.findings:
            if f.severity == "info" and f.code not in ("trust.not_configured",):
                continue
            lines.append(f"  - [{f.severity}] {f.message} ({f.code})")
        for h in report.hints:
            if h.signal != "info":
                lines.append(f"  - [hint] {h.message}")
    return "\n".join(lines)


def _step_line(n: int, step: LineageStep) -> str:
    indent = "    " * step.depth
    mark = "AI " if step.generative else "AI? " if step.possibly_generative else ""
    if step.kind == "ingredient":
        title = step.title or "untitled"
        extra = f" ({step.reason})" if step.reason else ""
        return f"{indent}{n:>2}. {mark}└─ ingredient {step.relationship or ''}: {title}{extra}"
    pieces = [step.action or step.kind]
    if step.digital_source_type:
        pieces.append(f"[{step.digital_source_type.rsplit('/', 1)[-1]}]")
    if step.software_agent:
        pieces.append(f"by {step.software_agent}")
    line = f"{indent}{n:>2}. {mark}{' '.join(pieces)}"
    if (step.generative or step.possibly_generative) and step.reason:
        line += f"  <- {step.reason}"
    return line


def render_tree(report: ProvenanceReport, lang: str = "en") -> str:
    """The ``report`` view: the verdict, every manifest, action and ingredient as an indented tree."""
    lines = [render_summary(report, lang, verbose_findings=False)]
    if report.signer:
        s = report.signer
        lines.append(f"  signer: {s.name} (issuer {s.issuer}, {s.alg}, "
                     f"{'signed at ' + s.signed_at if s.signed_at else 'no timestamp'})")
    if report.trusted_by:
        lines.append(f"  {t('vouched_by', lang)}: {source_words(report.trusted_by, lang)}")
    if report.authors:
        lines.append(f"  author: {', '.join(report.authors)}")
    if report.lineage:
        lines.append(f"  history ({report.manifest_count} manifest{'s' if report.manifest_count != 1 else ''}):")
        current = None
        for n, step in enumerate(report.lineage, 1):
            if step.manifest != current and step.kind != "ingredient":
                current = step.manifest
                when = f" on {step.signed_at}" if step.signed_at else ""
                tool = f" with {step.tool}" if step.tool else ""
                lines.append(f"  {'    ' * step.depth}manifest {step.manifest}: signed by "
                             f"{step.signer or 'unknown'}{when}{tool}")
            lines.append("  " + _step_line(n, step))
    if report.findings:
        lines.append("  findings:")
        lines += [f"  - [{f.severity}] {f.message} ({f.code})" for f in report.findings]
    if report.hints:
        lines.append("  hints outside C2PA (unsigned):")
        lines += [f"  - {h.source} {h.field}: {h.value[:80]} -> {h.signal}" for h in report.hints]
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
