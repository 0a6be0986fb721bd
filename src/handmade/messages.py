"""The one message catalog: every user-facing string of handmade, in English and French, by a stable key.

Findings, policy reasons and hints keep their English ``message`` in the JSON contract; each also carries
its catalog ``key`` and ``params``, so any output renders it in the reader's language (``render``). A
parameter whose name ends in ``_k`` holds another catalog key, rendered in the same language with the same
parameters (an optional prefix or suffix, a word chosen by the code). The service hands the whole table to
the web page as JSON (``GET /v1/messages``), so a new language is one more column here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handmade import labels

if TYPE_CHECKING:
    from handmade.models import Finding, Hint, LineageStep, Severity

#: The languages every entry has.
LANGUAGES = ("en", "fr")

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
    "revoked_history": {"en": "a certificate in its history revoked on {date} ({reason}) by {by}",
                        "fr": "un certificat de son historique révoqué le {date} ({reason}) par {by}"},
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
    "registry.added": {"en": "{path}: registered ({value}, manifest {id})",
                       "fr": "{path} : enregistré ({value}, manifeste {id})"},
    "registry.already": {"en": "{path}: already registered ({value}, manifest {id})",
                         "fr": "{path} : déjà enregistré ({value}, manifeste {id})"},
    "registry.not_added": {"en": "not registered", "fr": "non enregistré"},
    "finding.registry_failed": {"en": "The manifest registry could not be searched: {message}",
                                "fr": "Le registre des manifestes n'a pas pu être consulté : {message}"},
    "recovered.head_none": {"en": "No Content Credentials in this file.",
                            "fr": "Aucune Content Credentials dans ce fichier."},
    "recovered.head_invalid": {"en": "The Content Credentials in this file do not validate.",
                               "fr": "Les Content Credentials de ce fichier ne sont pas valides."},
    "recovered.match": {
        "en": "A registered original matches (fingerprint distance {distance} of {bits}{alike}): {what}, {when}, "
              "signed by {signer}; {trust}",
        "fr": "Un original enregistré correspond (distance d'empreinte {distance} sur {bits}{alike}) : {what}, "
              "{when}, signé par {signer} ; {trust}"},
    "recovered.alike": {"en": ", its thumbnail {percent} % alike", "fr": ", sa vignette semblable à {percent} %"},
    "recovered.handmade_by": {"en": "made by hand by {author}", "fr": "fait à la main par {author}"},
    "recovered.handmade": {"en": "made by hand", "fr": "fait à la main"},
    "recovered.not_handmade": {"en": "not declared made by hand", "fr": "non déclaré fait à la main"},
    "recovered.signed_on": {"en": "signed {date}", "fr": "signé le {date}"},
    "recovered.registered_on": {"en": "registered {date}", "fr": "enregistré le {date}"},
    "recovered.trusted": {"en": "a trust source you use vouches for the signer",
                          "fr": "une source de confiance que vous utilisez garantit le signataire"},
    "recovered.note": {"en": "A candidate, not this file's own credentials: the file itself proves nothing.",
                       "fr": "Un candidat, pas les Content Credentials de ce fichier : le fichier lui-même ne "
                             "prouve rien."},
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
    "cli.no_metadata": {"en": "note: {path}: no EXIF/XMP written for {fmt} (the manifest still carries the "
                               "author, rights and AI-training choice)",
                         "fr": "remarque : {path} : pas d'EXIF/XMP écrits pour {fmt} (le manifeste porte quand même "
                               "l'auteur, les droits et le choix sur l'entraînement d'IA)"},
    "cli.warning": {"en": "warning: {text}", "fr": "avertissement : {text}"},
    "cli.tsa_settings": {"en": "timestamp server: {url} (from the settings file)",
                         "fr": "serveur d'horodatage : {url} (du fichier de réglages)"},
    "cli.tsa_authority": {"en": "timestamp server: {url} (from the bundle of {name})",
                          "fr": "serveur d'horodatage : {url} (du paquet de {name})"},
    "warn.untrusted_tsa": {"en": "the timestamp from {url} is not from a time-stamping authority that the trust lists "
                                 "in use vouch for (the C2PA TSA Trust List, your anchors): verifiers will not count "
                                 "its time unless they trust its root",
                           "fr": "l'horodatage de {url} ne vient pas d'une autorité d'horodatage que les listes de "
                                 "confiance utilisées garantissent (la liste C2PA des autorités d'horodatage, vos "
                                 "ancres) : les vérificateurs ne compteront pas son heure sauf s'ils font confiance "
                                 "à sa racine"},
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
    "hint.policy.not_found": {"en": "Check the path, or use a preset (any, intact, claimed, handmade, trusted).",
                              "fr": "Vérifiez le chemin, ou utilisez une politique prédéfinie (any, intact, claimed, "
                                    "handmade, trusted)."},
    "error.keys.pin": {"en": "the token's PIN is missing or wrong", "fr": "le code PIN du jeton manque ou est faux"},
    "hint.keys.pin": {"en": "Give the user PIN (HANDMADE_PKCS11_PIN).",
                      "fr": "Donnez le code PIN utilisateur (HANDMADE_PKCS11_PIN)."},
    "error.keys.pkcs11": {"en": "the PKCS#11 token key cannot be used",
                          "fr": "la clé du jeton PKCS#11 est inutilisable"},
    "hint.keys.pkcs11": {"en": "Check the module, the token label and the key label.",
                         "fr": "Vérifiez le module (HANDMADE_PKCS11_MODULE), le nom du jeton et celui de la clé."},
    "error.watch.state": {"en": "the watch state file cannot be read",
                          "fr": "le fichier d'état de la surveillance est illisible"},
    "hint.watch.state": {"en": "Move it away to start afresh.", "fr": "Déplacez-le pour repartir de zéro."},
    # errors (and results in the ``error`` state) by code: the sentence in the reader's language; the English
    # message, with its paths and c2pa's words, is shown as the detail
    "error.input.not_found": {"en": "the file does not exist", "fr": "le fichier n'existe pas"},
    "error.input.unreadable": {"en": "the file cannot be read", "fr": "le fichier est illisible"},
    "error.input.permission": {"en": "permission denied", "fr": "accès refusé au fichier"},
    "error.input.is_directory": {"en": "a folder was given where a file is expected",
                                 "fr": "un dossier a été donné à la place d'un fichier"},
    "error.input.empty": {"en": "the file is empty", "fr": "le fichier est vide"},
    "error.input.unsupported": {"en": "the file format is not supported",
                                "fr": "ce format de fichier n'est pas pris en charge"},
    "error.input.too_large": {"en": "the file is too large", "fr": "le fichier est trop volumineux"},
    "error.input.too_many_pixels": {"en": "the image has too many pixels", "fr": "l'image a trop de pixels"},
    "error.input.undecodable": {"en": "the image cannot be decoded", "fr": "l'image ne peut pas être décodée"},
    "error.input.corrupt": {"en": "the file is corrupt or its container cannot be parsed",
                            "fr": "le fichier est corrompu ou son conteneur ne peut pas être analysé"},
    "error.input.timeout": {"en": "reading the file took too long and was stopped",
                            "fr": "la lecture du fichier a pris trop de temps et a été arrêtée"},
    "error.input.crash": {"en": "reading the file crashed the reader",
                          "fr": "la lecture du fichier a planté le lecteur"},
    "error.manifest.unreadable": {"en": "the Content Credentials cannot be read (unknown algorithm, pre-release "
                                        "format or damage)",
                                  "fr": "les Content Credentials sont illisibles (algorithme inconnu, format de "
                                        "préversion ou dommage)"},
    "error.manifest.malformed": {"en": "the Content Credentials are malformed", "fr": "les Content Credentials sont "
                                                                                   "mal formées"},
    "error.manifest.remote": {"en": "the manifest is kept at a web address and fetching it is off",
                              "fr": "le manifeste est conservé à une adresse web et son téléchargement est désactivé"},
    "error.manifest.not_found": {"en": "the manifest cannot be found", "fr": "le manifeste est introuvable"},
    "error.sign.generative_history": {"en": "refused: the image's history is generative AI",
                                      "fr": "refusé : l'historique de l'image relève de l'IA générative"},
    "error.sign.possibly_generative_history": {"en": "refused: the image's history may contain generative AI",
                                               "fr": "refusé : l'historique de l'image peut contenir de l'IA "
                                                     "générative"},
    "error.sign.unknown_history": {"en": "refused: the image's history cannot be shown to be free of AI",
                                   "fr": "refusé : impossible de montrer que l'historique de l'image est exempt "
                                         "d'IA"},
    "error.sign.broken_history": {"en": "refused: the image's Content Credentials do not validate",
                                  "fr": "refusé : les Content Credentials de l'image ne sont pas valides"},
    "hint.sign.broken_history": {"en": "Sign the original file, or one whose Content Credentials validate.",
                                 "fr": "Signez le fichier d'origine, ou un fichier dont les Content Credentials "
                                       "sont valides."},
    "error.sign.unreadable_history": {"en": "refused: the image's Content Credentials cannot be read",
                                      "fr": "refusé : les Content Credentials de l'image sont illisibles"},
    "error.sign.generative_hint": {"en": "refused: the image's metadata says it was made with AI",
                                   "fr": "refusé : les métadonnées de l'image disent qu'elle a été faite avec de l'IA"},
    "hint.sign.generative_hint": {"en": "handmade never labels AI-made images as made by hand.",
                                  "fr": "handmade n'étiquette jamais une image faite par IA comme faite à la main."},
    "error.sign.made_with": {"en": "refused: the image names a generative-AI tool",
                             "fr": "refusé : l'image nomme un outil d'IA générative"},
    "error.sign.unsupported_format": {"en": "this format cannot be signed", "fr": "ce format ne peut pas être signé"},
    "error.sign.failed": {"en": "signing failed", "fr": "la signature a échoué"},
    "error.sign.crash": {"en": "signing crashed", "fr": "la signature a planté"},
    "error.sign.self_check_failed": {"en": "the signed file did not verify; nothing was written",
                                     "fr": "le fichier signé ne s'est pas vérifié ; rien n'a été écrit"},
    "error.sign.tsa_unreachable": {"en": "the time-stamping authority cannot be reached",
                                   "fr": "l'autorité d'horodatage est injoignable"},
    "error.sign.tsa_bad_answer": {"en": "the time-stamping authority gave an unusable answer",
                                  "fr": "l'autorité d'horodatage a donné une réponse inutilisable"},
    "error.sign.tsa_url": {"en": "the time-stamping address is not usable", "fr": "l'adresse d'horodatage est "
                                                                                 "inutilisable"},
    "error.sign.ai_training": {"en": "the AI-training choice is incomplete", "fr": "le choix sur l'entraînement "
                                                                                  "d'IA est incomplet"},
    "error.sign.metadata": {"en": "the metadata cannot be written", "fr": "les métadonnées ne peuvent pas être "
                                                                         "écrites"},
    "error.keys.unreadable": {"en": "the key or certificate file cannot be read",
                              "fr": "le fichier de clé ou de certificat est illisible"},
    "error.keys.mismatch": {"en": "the key does not match the certificate", "fr": "la clé ne correspond pas au "
                                                                                 "certificat"},
    "error.keys.passphrase": {"en": "the key's passphrase is missing or wrong",
                              "fr": "la phrase de passe de la clé manque ou est fausse"},
    "error.keys.expired": {"en": "the certificate has expired", "fr": "le certificat a expiré"},
    "error.keys.no_chain": {"en": "no certificate chain was given", "fr": "aucune chaîne de certificats n'a été "
                                                                        "donnée"},
    "error.keys.algorithm": {"en": "the key's algorithm cannot sign Content Credentials",
                             "fr": "l'algorithme de la clé ne peut pas signer de Content Credentials"},
    "error.keys.exists": {"en": "the key files already exist", "fr": "les fichiers de clé existent déjà"},
    "error.policy.unknown": {"en": "unknown policy", "fr": "politique inconnue"},
    "error.policy.keys": {"en": "the policy file has unknown or contradictory keys",
                          "fr": "le fichier de politique contient des clés inconnues ou contradictoires"},
    "error.policy.unreadable": {"en": "the policy file cannot be read", "fr": "le fichier de politique est illisible"},
    "error.trust.not_found": {"en": "the trust anchors file does not exist",
                              "fr": "le fichier d'ancres de confiance n'existe pas"},
    "error.trust.unreadable": {"en": "the trust anchors cannot be read", "fr": "les ancres de confiance sont "
                                                                             "illisibles"},
    "error.output.failed": {"en": "the output could not be written", "fr": "la sortie n'a pas pu être écrite"},
    "error.output.disk_full": {"en": "the disk is full", "fr": "le disque est plein"},
    "error.output.no_dir": {"en": "the output folder does not exist", "fr": "le dossier de sortie n'existe pas"},
    # warnings for a signer (sign, watch)
    "warn.test_identity": {"en": "Signing with the bundled TEST identity (keys/): FOR TESTING ONLY, trusted by nobody. "
                                 "Create your own with 'handmade keys init'.",
                           "fr": "Signature avec l'identité de TEST fournie (keys/) : POUR LES TESTS SEULEMENT, "
                                 "reconnue par personne. Créez la vôtre avec « handmade keys init »."},
    "warn.no_timestamp": {"en": "no timestamp: this signature will stop verifying when your certificate expires on "
                                "{date}; give --tsa-url (or tsa_url in the settings file) so that it outlives the "
                                "certificate",
                          "fr": "pas d'horodatage : cette signature cessera de se vérifier quand votre certificat "
                                "expirera le {date} ; donnez --tsa-url (ou tsa_url dans le fichier de réglages) pour "
                                "qu'elle lui survive"},
    "warn.expiring_no_timestamp": {
        "en": "your certificate expires in {days} day(s) ({date}) and no timestamp is being added: files signed now "
              "stop verifying then; renew it (handmade keys renew, or ask your authority) or add a timestamp",
        "fr": "votre certificat expire dans {days} jour(s) ({date}) et aucun horodatage n'est ajouté : les fichiers "
              "signés maintenant cesseront alors de se vérifier ; renouvelez-le (handmade keys renew, ou demandez à "
              "votre autorité) ou ajoutez un horodatage"},
    "warn.expiring": {"en": "your certificate expires in {days} day(s) ({date}); the timestamp keeps these files "
                            "verifiable, but renew it before you sign more",
                      "fr": "votre certificat expire dans {days} jour(s) ({date}) ; l'horodatage garde ces fichiers "
                            "vérifiables, mais renouvelez-le avant de signer davantage"},
    "hint.sign.generative_history": {"en": "Only images whose whole history is human-made can be signed.",
                                     "fr": "Seules les images dont tout l'historique est fait main peuvent être "
                                           "signées."},
    "cert.manifest": {"en": "manifest {label}", "fr": "manifeste {label}"},
    "cert.serial": {"en": "serial", "fr": "numéro de série"},
    "cert.valid": {"en": "valid", "fr": "validité"},
    "cert.timestamp": {"en": "timestamp", "fr": "horodatage"},
    "cert.chain": {"en": "chain ({n} certificate(s), signer first)",
                   "fr": "chaîne ({n} certificat(s), signataire d'abord)"},
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

_MORE: dict[str, dict[str, str]] = {
    "empty": {"en": "", "fr": ""},
    # --- findings: where a finding applies, then c2pa's status codes ("c2pa:<code>") ---
    "where.ingredient": {"en": "In an ingredient: ", "fr": "Dans un ingrédient : "},
    "identity.naming": {"en": " (naming {subjects})", "fr": " (au nom de {subjects})"},
    "c2pa:assertion.dataHash.mismatch": {
        "en": "{where}The signed byte ranges of the file do not match the manifest: the file was changed after "
              "signing (or its signer excluded bytes it should have covered), and the Content Credentials no "
              "longer describe it.",
        "fr": "{where}Les plages d'octets signées du fichier ne correspondent pas au manifeste : le fichier a été "
              "modifié après signature (ou son signataire a exclu des octets qu'il aurait dû couvrir), et les "
              "Content Credentials ne le décrivent plus."},
    "c2pa:image.tampered": {"en": "{where}The image data changed after it was signed (tampered).",
                            "fr": "{where}Les données de l'image ont changé après signature (falsification)."},
    "c2pa:data.tampered": {"en": "{where}The signed data changed after it was signed (tampered).",
                           "fr": "{where}Les données signées ont changé après signature (falsification)."},
    "c2pa:claim.hardBindings.missing": {
        "en": "{where}The manifest is not bound to the image data, so it proves nothing about it.",
        "fr": "{where}Le manifeste n'est pas lié aux données de l'image : il ne prouve donc rien à son sujet."},
    "c2pa:assertion.hashedURI.mismatch": {
        "en": "{where}A statement inside the manifest was changed after signing (tampered).",
        "fr": "{where}Une déclaration du manifeste a été modifiée après signature (falsification)."},
    "c2pa:assertion.missing": {
        "en": "{where}A statement the signature covers is missing from the manifest.",
        "fr": "{where}Une déclaration couverte par la signature manque dans le manifeste."},
    "c2pa:claimSignature.mismatch": {
        "en": "{where}The signature does not match the manifest: it was altered or forged.",
        "fr": "{where}La signature ne correspond pas au manifeste : il a été altéré ou contrefait."},
    "c2pa:claimSignature.missing": {"en": "{where}The manifest is not signed.",
                                    "fr": "{where}Le manifeste n'est pas signé."},
    "c2pa:signingCredential.invalid": {
        "en": "{where}The signer's certificate does not meet the C2PA certificate profile (for example a missing "
              "extended key usage). The image was not tampered with, but this signature cannot be accepted as it "
              "stands.",
        "fr": "{where}Le certificat du signataire ne respecte pas le profil de certificat C2PA (par exemple un "
              "usage étendu de clé manquant). L'image n'a pas été falsifiée, mais cette signature ne peut pas être "
              "acceptée en l'état."},
    "c2pa:signingCredential.revoked": {"en": "{where}The signer's certificate was revoked.",
                                       "fr": "{where}Le certificat du signataire a été révoqué."},
    "c2pa:signingCredential.expired": {
        "en": "{where}The signer's certificate has expired and no trusted timestamp shows it was signed while "
              "valid. This is not tampering.",
        "fr": "{where}Le certificat du signataire a expiré et aucun horodatage de confiance ne montre que la "
              "signature date de sa validité. Ce n'est pas une falsification."},
    "c2pa:signingCredential.untrusted": {
        "en": "{where}The signer is not in your trust anchors: nobody you trust vouches for who signed it (this "
              "says nothing of tampering, which is checked on its own).",
        "fr": "{where}Le signataire n'est pas dans vos ancres de confiance : personne en qui vous avez confiance ne "
              "garantit qui l'a signé (cela ne dit rien d'une falsification, vérifiée à part)."},
    "c2pa:algorithm.unsupported": {"en": "{where}The signature uses an unsupported algorithm.",
                                   "fr": "{where}La signature utilise un algorithme non pris en charge."},
    "c2pa:timeStamp.mismatch": {"en": "{where}The timestamp does not match the signature.",
                                "fr": "{where}L'horodatage ne correspond pas à la signature."},
    "c2pa:timeStamp.untrusted": {"en": "{where}The timestamp authority is not trusted.",
                                 "fr": "{where}L'autorité d'horodatage n'est pas de confiance."},
    "c2pa:timeStamp.outsideValidity": {
        "en": "{where}The timestamp lies outside the certificate's validity.",
        "fr": "{where}L'horodatage se situe hors de la période de validité du certificat."},
    "c2pa:ingredient.manifest.missing": {
        "en": "{where}An ingredient's manifest is missing from the file: part of the history cannot be checked.",
        "fr": "{where}Le manifeste d'un ingrédient manque dans le fichier : une partie de l'historique ne peut "
              "pas être vérifiée."},
    "c2pa:ingredient.hashedURI.mismatch": {
        "en": "{where}An ingredient's manifest was changed after it was recorded.",
        "fr": "{where}Le manifeste d'un ingrédient a été modifié après son enregistrement."},
    "c2pa:claim.malformed": {"en": "{where}The manifest is malformed.", "fr": "{where}Le manifeste est mal formé."},
    "c2pa:cawg.x509.credential.untrusted": {
        "en": "{where}The creator identity assertion is signed by a credential you do not trust.{named}",
        "fr": "{where}L'assertion d'identité du créateur est signée par un certificat auquel vous ne faites pas "
              "confiance.{named}"},
    "c2pa:cawg.ica.did_unavailable": {
        "en": "{where}The creator identity could not be checked offline (its DID document is not available).{named}",
        "fr": "{where}L'identité du créateur n'a pas pu être vérifiée hors ligne (son document DID n'est pas "
              "disponible).{named}"},
    "c2pa:ingredient.unknownProvenance": {
        "en": "{where}An ingredient has no Content Credentials: its origin is unknown.",
        "fr": "{where}Un ingrédient n'a pas de Content Credentials : son origine est inconnue."},
    "c2pa:other": {"en": "{where}c2pa reports '{status}': {explanation}.",
                   "fr": "{where}c2pa signale « {status} » : {explanation}."},
    "finding.no_detail": {"en": "no detail", "fr": "sans détail"},
    "finding.identity_invalid": {
        "en": "{where}The creator identity assertion{named} does not verify ({why}). This concerns the identity "
              "only: the Content Credentials themselves are judged separately.",
        "fr": "{where}L'assertion d'identité du créateur{named} n'est pas vérifiée ({why}). Cela ne concerne que "
              "l'identité : les Content Credentials elles-mêmes sont jugées à part."},
    "finding.trust_not_configured": {
        "en": "No trust anchors are configured, so no signer can be trusted; the signature and the image data "
              "were checked.",
        "fr": "Aucune ancre de confiance n'est configurée : aucun signataire ne peut être de confiance ; la "
              "signature et les données de l'image ont été vérifiées."},
    "finding.timestamp_untrusted": {
        "en": "The signature carries a timestamp from a time-stamping authority that no trust source vouches for: "
              "its time is not counted.",
        "fr": "La signature porte un horodatage d'une autorité qu'aucune source de confiance ne garantit : son "
              "heure n'est pas prise en compte."},
    "finding.c2pa_invalid": {"en": "c2pa reports the manifest as invalid.",
                             "fr": "c2pa déclare le manifeste invalide."},
    "finding.c2pa_invalid_soft": {
        "en": "c2pa reports the manifest as invalid because of: {codes} (see the warnings; not tampering).",
        "fr": "c2pa déclare le manifeste invalide à cause de : {codes} (voir les avertissements ; pas une "
              "falsification)."},
    "finding.untrusted": {
        "en": "No trust source in use ({lists}) vouches for the signer: nobody you trust vouches for who signed "
              "it (this says nothing of tampering, which is checked on its own).",
        "fr": "Aucune source de confiance utilisée ({lists}) ne garantit le signataire : personne en qui vous avez "
              "confiance ne garantit qui l'a signé (cela ne dit rien d'une falsification, vérifiée à part)."},
    "finding.untrusted_anchors": {"en": "your trust anchors", "fr": "vos ancres de confiance"},
    "finding.unattributed": {
        "en": "c2pa reports the signer as trusted, but no single trust source vouches for it on its own: it is "
              "trusted only through a time-stamping authority's CA (which vouches for times, not for signers) or "
              "a mix of lists. It is not counted as trusted.",
        "fr": "c2pa déclare le signataire de confiance, mais aucune source de confiance ne le garantit à elle "
              "seule : il n'est de confiance que par l'AC d'une autorité d'horodatage (qui garantit des heures, "
              "pas des signataires) ou par un mélange de listes. Il n'est pas compté comme de confiance."},
    "finding.revoked": {
        "en": "{name} revoked the signer's certificate on {date} ({reason}): files signed with it are no longer "
              "certified.",
        "fr": "{name} a révoqué le certificat du signataire le {date} ({reason}) : les fichiers signés avec lui "
              "ne sont plus certifiés."},
    "finding.revoked_history": {
        "en": "{name} revoked the certificate of {signer}, who signed an earlier step of this file's history, on "
              "{date} ({reason}): that step is no longer certified, so neither is the history.",
        "fr": "{name} a révoqué le certificat de {signer}, qui a signé une étape antérieure de l'historique de ce "
              "fichier, le {date} ({reason}) : cette étape n'est plus certifiée, l'historique non plus."},
    "finding.interim_frozen": {
        "en": "Only the interim trust list vouches for this signer, and that list froze on {frozen}; {when}, so "
              "it no longer vouches for it.",
        "fr": "Seule la liste de confiance provisoire garantit ce signataire, et cette liste a été gelée le "
              "{frozen} ; {when}, elle ne le garantit donc plus."},
    "finding.interim_signed_on": {"en": "it was signed on {signed}", "fr": "il a été signé le {signed}"},
    "finding.interim_no_time": {"en": "no trusted timestamp shows when it was signed",
                                "fr": "aucun horodatage de confiance ne montre quand il a été signé"},
    "finding.none": {"en": "No Content Credentials in this file.", "fr": "Aucune Content Credentials dans ce fichier."},
    "finding.test_identity": {
        "en": "Signed with handmade's public TEST key: anyone can sign with it, so this proves nothing about who "
              "made the image.",
        "fr": "Signé avec la clé de TEST publique de handmade : tout le monde peut signer avec, cela ne prouve "
              "donc rien sur l'auteur de l'image."},
    "finding.remote": {"en": "The manifest was fetched from {url}.",
                       "fr": "Le manifeste a été téléchargé depuis {url}."},
    "finding.crl_stale": {
        "en": "The revocation list of {name} was due for an update on {date}: a member revoked since may still "
              "read as certified; install the authority's new bundle ('handmade trust add').",
        "fr": "La liste de révocation de {name} devait être mise à jour le {date} : un membre révoqué depuis peut "
              "encore apparaître comme certifié ; installez le nouveau paquet de l'autorité "
              "(« handmade trust add »)."},
    "finding.trust_stale": {
        "en": "The {title} in use was due for an update on {date}; run 'handmade trust update' to install a newer "
              "snapshot.",
        "fr": "La source « {title} » utilisée devait être mise à jour le {date} ; lancez « handmade trust "
              "update » pour installer un instantané plus récent."},
    "finding.binding_store": {
        "en": "Manifest store {i} of {total}{desc} binds this image's content; this report is about it.",
        "fr": "Le magasin de manifestes {i} sur {total}{desc} est lié au contenu de cette image ; ce rapport "
              "porte sur lui."},
    "finding.foreign_store": {
        "en": "Manifest store {i} of {total}{desc} does not belong to this image: its hash does not match the "
              "image data. Content Credentials that do not belong to this image were added.",
        "fr": "Le magasin de manifestes {i} sur {total}{desc} n'appartient pas à cette image : son empreinte ne "
              "correspond pas aux données de l'image. Des Content Credentials qui n'appartiennent pas à cette "
              "image y ont été ajoutés."},
    "store.desc": {"en": " ({manifest}{tool}{signer})", "fr": " ({manifest}{tool}{signer})"},
    "store.manifest": {"en": "active manifest {label}", "fr": "manifeste actif {label}"},
    "store.tool": {"en": "{sep}made with {tool_name}", "fr": "{sep}fait avec {tool_name}"},
    "store.signer": {"en": "{sep2}signed by {who}", "fr": "{sep2}signé par {who}"},
    "finding.stores_unread": {"en": "{n} more manifest stores in this file were not read.",
                              "fr": "{n} autres magasins de manifestes de ce fichier n'ont pas été lus."},
    "finding.truncated": {
        "en": "The edit chain is deeper or longer than {depth} levels / {steps} steps; the rest was not examined.",
        "fr": "La chaîne d'édition dépasse {depth} niveaux / {steps} étapes ; le reste n'a pas été examiné."},
    "finding.cycle": {
        "en": "An ingredient points back to a manifest already in the chain; the loop was not followed.",
        "fr": "Un ingrédient renvoie à un manifeste déjà présent dans la chaîne ; la boucle n'a pas été suivie."},
    "finding.redacted": {
        "en": "A manifest removed (redacted) an assertion of an earlier one ({what}): that part of the history "
              "cannot be examined.",
        "fr": "Un manifeste a supprimé (expurgé) une assertion d'un manifeste antérieur ({what}) : cette partie "
              "de l'historique ne peut pas être examinée."},
    "finding.manifest_missing": {"en": "An ingredient names a manifest that is not in the file.",
                                 "fr": "Un ingrédient désigne un manifeste absent du fichier."},
    "finding.no_active": {"en": "The file has manifests but no readable active manifest.",
                          "fr": "Le fichier contient des manifestes mais aucun manifeste actif lisible."},
    "finding.recorded_failure": {
        "en": "When it was added, an ingredient's history did not validate ({status}): {where_list}{more}. That "
              "part of the history is not evidence of anything.",
        "fr": "Quand il a été ajouté, l'historique d'un ingrédient n'était pas valide ({status}) : "
              "{where_list}{more}. Cette partie de l'historique ne prouve rien."},
    "finding.and_more": {"en": " (and {count} more)", "fr": " (et {count} de plus)"},
    "finding.unknown_provenance": {
        "en": "An ingredient has no Content Credentials and nobody states where it came from ({titles}): nothing "
              "proves that it is free of AI.",
        "fr": "Un ingrédient n'a pas de Content Credentials et personne ne dit d'où il vient ({titles}) : rien "
              "ne prouve qu'il est exempt d'IA."},
    "finding.origin_claimed": {
        "en": "An ingredient has no Content Credentials ({titles}); its origin is the signer's own statement.",
        "fr": "Un ingrédient n'a pas de Content Credentials ({titles}) ; son origine est la déclaration du "
              "signataire lui-même."},
    "finding.unknown_source_type": {
        "en": "The chain uses a digital source type handmade does not know: {terms}",
        "fr": "La chaîne utilise un type de source numérique que handmade ne connaît pas : {terms}"},
    "finding.step": {"en": "{what}{tool} {where}{reason}.", "fr": "{what}{tool} {where}{reason}."},
    "finding.step_tool": {"en": " with {agent}", "fr": " avec {agent}"},
    "finding.step_own": {"en": "in this image's own manifest", "fr": "dans le manifeste propre de cette image"},
    "finding.step_back": {"en": "in an ingredient{title}, {depth} levels back",
                          "fr": "dans un ingrédient{title}, {depth} niveaux en arrière"},
    "finding.step_back1": {"en": "in an ingredient{title}, 1 level back",
                           "fr": "dans un ingrédient{title}, 1 niveau en arrière"},
    "finding.step_title": {"en": " ({name})", "fr": " ({name})"},
    "finding.step_reason": {"en": ": {why}", "fr": " : {why}"},
    "finding.more_steps": {"en": "{n} more such steps further back in the history (see the report).",
                           "fr": "{n} autres étapes de ce genre plus loin dans l'historique (voir le rapport)."},
    "finding.more_steps1": {"en": "1 more such step further back in the history (see the report).",
                            "fr": "1 autre étape de ce genre plus loin dans l'historique (voir le rapport)."},
    "finding.incomplete_history": {
        "en": "A manifest in the chain does not state that it lists all its actions (allActionsIncluded): other, "
              "unlisted actions may have been performed.",
        "fr": "Un manifeste de la chaîne ne déclare pas lister toutes ses actions (allActionsIncluded) : "
              "d'autres actions, non listées, ont pu être effectuées."},
    # actions in words (the report, findings and the page)
    "action.c2pa.created": {"en": "Created", "fr": "Création"},
    "action.c2pa.opened": {"en": "Opened", "fr": "Ouverture"},
    "action.c2pa.edited": {"en": "Edited", "fr": "Retouche"},
    "action.c2pa.cropped": {"en": "Cropped", "fr": "Recadrage"},
    "action.c2pa.placed": {"en": "Placed an element", "fr": "Insertion d'un élément"},
    "action.c2pa.converted": {"en": "Converted", "fr": "Conversion"},
    "action.c2pa.resized": {"en": "Resized", "fr": "Redimensionnement"},
    "action.c2pa.color_adjustments": {"en": "Colour adjustments", "fr": "Réglages de couleur"},
    "action.c2pa.filtered": {"en": "Filtered", "fr": "Filtre"},
    "action.c2pa.drawing": {"en": "Drawing", "fr": "Dessin"},
    "action.c2pa.published": {"en": "Published", "fr": "Publication"},
    "action.c2pa.transcoded": {"en": "Transcoded", "fr": "Transcodage"},
    "action.c2pa.repackaged": {"en": "Repackaged", "fr": "Réempaquetage"},
    "action.other": {"en": "{action}", "fr": "{action}"},
    "action.none": {"en": "A step", "fr": "Une étape"},
    # why a step counts as AI: the ``reason`` of a lineage step ({st}: a source type in words, ``st.<term>``)
    "reason.st": {"en": "{st}", "fr": "{st}"},
    "reason.unknown_st": {"en": "unknown source type '{term}'", "fr": "type de source inconnu « {term} »"},
    "reason.declared": {"en": "declared as {st} ({term})", "fr": "déclaré : {st} ({term})"},
    "reason.declared_edit": {
        "en": "declared as {st} ({term}) on an edit, which the C2PA signals rubric counts as a generative "
              "transformation",
        "fr": "déclaré : {st} ({term}) sur une retouche, ce que la grille des signaux C2PA compte comme une "
              "transformation générative"},
    "reason.described": {"en": "described as \"{text}\"", "fr": "décrit comme « {text} »"},
    "reason.made_with": {"en": "made with {product}, a generative-AI product",
                         "fr": "fait avec {product}, un produit d'IA générative"},
    "reason.possibly": {"en": "declared as {st} ({term}) {when}, which may include AI-generated content",
                        "fr": "déclaré : {st} ({term}) {when}, ce qui peut inclure des éléments générés par IA"},
    "reason.at_creation": {"en": "at creation", "fr": "à la création"},
    "reason.on_edit": {"en": "on an edit", "fr": "sur une retouche"},
    "reason.generative_ai": {"en": "generative AI", "fr": "IA générative"},
    "reason.adobe": {"en": "Adobe's generative-AI assertion ({desc})",
                     "fr": "l'assertion d'IA générative d'Adobe ({desc})"},
    "reason.claim_generator": {"en": "signed by the claim generator of {product}, a generative-AI product",
                               "fr": "signé par le générateur de déclaration de {product}, un produit d'IA "
                                     "générative"},
    "reason.states": {"en": "{signer} states it was {st}", "fr": "{signer} déclare : {st}"},
    "reason.the_signer": {"en": "the signer", "fr": "le signataire"},
    "reason.ingredient_declared": {"en": "ingredient declared as {st}", "fr": "ingrédient déclaré : {st}"},
    "reason.ingredient_names": {
        "en": "ingredient without Content Credentials whose name or metadata names {product}, a generative-AI "
              "product",
        "fr": "ingrédient sans Content Credentials dont le nom ou les métadonnées citent {product}, un produit "
              "d'IA générative"},
    "reason.ingredient_input": {"en": "ingredient without Content Credentials (an input, not part of the image)",
                                "fr": "ingrédient sans Content Credentials (une entrée, pas une partie de l'image)"},
    "reason.ingredient_signer_states": {
        "en": "ingredient without Content Credentials; the signer states it was {st}",
        "fr": "ingrédient sans Content Credentials ; le signataire déclare : {st}"},
    "reason.ingredient_claim": {"en": "ingredient without Content Credentials; {claim}",
                                "fr": "ingrédient sans Content Credentials ; {claim}"},
    "reason.ingredient_unknown": {"en": "ingredient without Content Credentials: its origin is unknown",
                                  "fr": "ingrédient sans Content Credentials : son origine est inconnue"},
    "reason.template_possibly": {"en": "declared for all actions as {term}, which may include AI-generated content",
                                 "fr": "déclaré pour toutes les actions : {term}, ce qui peut inclure des éléments "
                                       "générés par IA"},
    "reason.template": {"en": "declared for all actions as {st}", "fr": "déclaré pour toutes les actions : {st}"},
    # --- policy reasons, by code ---
    "policy.unreadable": {"en": "The file could not be processed: {message}",
                          "fr": "Le fichier n'a pas pu être traité : {error}"},
    "policy.unreadable_store": {"en": "The Content Credentials cannot be read: {message}",
                                "fr": "Les Content Credentials sont illisibles : {error}"},
    "policy.no_manifest": {"en": "The file has no Content Credentials.",
                           "fr": "Le fichier n'a pas de Content Credentials."},
    "policy.not_intact": {"en": "The signed byte ranges or a signed statement no longer match the file.",
                          "fr": "Les plages d'octets signées ou une déclaration signée ne correspondent plus au "
                                "fichier."},
    "policy.bad_signature": {"en": "The signature does not match the manifest.",
                             "fr": "La signature ne correspond pas au manifeste."},
    "policy.not_checked": {
        "en": "The image could not be checked against its manifest (the manifest was not read).",
        "fr": "L'image n'a pas pu être comparée à son manifeste (le manifeste n'a pas été lu)."},
    "policy.foreign_store": {
        "en": "Content Credentials that do not belong to this image were added to the file.",
        "fr": "Des Content Credentials qui n'appartiennent pas à cette image ont été ajoutés au fichier."},
    "policy.not_valid": {"en": "The Content Credentials do not validate (see the findings).",
                         "fr": "Les Content Credentials ne sont pas valides (voir les constats)."},
    "policy.revoked": {"en": "{by} revoked the signer's certificate on {date} ({reason}).",
                       "fr": "{by} a révoqué le certificat du signataire le {date} ({reason})."},
    "policy.revoked_history": {
        "en": "{by} revoked the certificate of a signer in the file's history on {date} ({reason}).",
        "fr": "{by} a révoqué le certificat d'un signataire de l'historique du fichier le {date} ({reason})."},
    "policy.test_identity": {
        "en": "Signed with handmade's public TEST key, which anyone can use: it proves nothing.",
        "fr": "Signé avec la clé de TEST publique de handmade, que tout le monde peut utiliser : cela ne prouve "
              "rien."},
    "policy.not_trusted": {
        "en": "Nobody you trust vouches for the signer (it is not on the C2PA Trust List, the interim list or your "
              "trust anchors): the label is only the signer's own claim.",
        "fr": "Personne en qui vous avez confiance ne garantit le signataire (il n'est ni sur la liste de "
              "confiance C2PA, ni sur la liste provisoire, ni dans vos ancres) : le label n'est que la "
              "revendication du signataire."},
    "policy.generative": {"en": "The image was generated by AI.", "fr": "L'image a été générée par IA."},
    "policy.ai_assisted": {"en": "Part of the image's history is generative AI.",
                           "fr": "Une partie de l'historique de l'image relève de l'IA générative."},
    "policy.possibly_generative": {"en": "A step of the image's history may contain generative AI.",
                                   "fr": "Une étape de l'historique de l'image peut contenir de l'IA générative."},
    "policy.ai_unknown_origin": {
        "en": "Part of the image comes from a file without Content Credentials: the history cannot be shown to be "
              "free of AI.",
        "fr": "Une partie de l'image provient d'un fichier sans Content Credentials : impossible de montrer que "
              "l'historique est exempt d'IA."},
    "policy.ai_unknown": {"en": "The history cannot be shown to be free of AI.",
                          "fr": "Impossible de montrer que l'historique est exempt d'IA."},
    "policy.not_human": {
        "en": "The Content Credentials do not establish human authorship: no human source type is declared, or the "
              "history is not wholly signed, valid and free of AI.",
        "fr": "Les Content Credentials n'établissent pas une création humaine : aucun type de source humain "
              "n'est déclaré, ou l'historique n'est pas entièrement signé, valide et exempt d'IA."},
    "policy.recovered_not_accepted": {
        "en": "A registered original matches this file, but this policy does not accept a match in place of the "
              "file's own Content Credentials (accept_recovered).",
        "fr": "Un original enregistré correspond à ce fichier, mais cette politique n'accepte pas une "
              "correspondance à la place des Content Credentials du fichier lui-même (accept_recovered)."},
    "policy.recovered_refused": {
        "en": "A registered original matches this file, but it does not meet this policy either.",
        "fr": "Un original enregistré correspond à ce fichier, mais il ne satisfait pas non plus cette politique."},
    "policy.training": {"en": "The Content Credentials do not forbid AI training.",
                        "fr": "Les Content Credentials n'interdisent pas l'entraînement d'IA."},
    # --- the verify and report text views ---
    "view.hint": {"en": "hint", "fr": "indice"},
    "view.signer": {"en": "signer: {name} (issuer {issuer}, {alg}, {when})",
                    "fr": "signataire : {name} (émetteur {issuer}, {alg}, {when})"},
    "view.signed_at": {"en": "signed at {at}", "fr": "signé le {at}"},
    "view.no_timestamp": {"en": "no timestamp", "fr": "sans horodatage"},
    "view.author": {"en": "author", "fr": "auteur"},
    "view.history": {"en": "history ({n} manifests):", "fr": "historique ({n} manifestes) :"},
    "view.history1": {"en": "history (1 manifest):", "fr": "historique (1 manifeste) :"},
    "view.manifest": {"en": "manifest {label}: signed by {who}{when}{tool}",
                      "fr": "manifeste {label} : signé par {who}{when}{tool}"},
    "view.manifest_on": {"en": " on {at}", "fr": " le {at}"},
    "view.manifest_with": {"en": " with {tool}", "fr": " avec {tool}"},
    "view.unknown": {"en": "unknown", "fr": "inconnu"},
    "view.by": {"en": "by {agent}", "fr": "par {agent}"},
    "view.ingredient": {"en": "ingredient", "fr": "ingrédient"},
    "view.untitled": {"en": "untitled", "fr": "sans titre"},
    "view.findings": {"en": "findings:", "fr": "constats :"},
    "view.hints": {"en": "hints outside C2PA (unsigned):", "fr": "indices hors C2PA (non signés) :"},
    "view.severity.info": {"en": "info", "fr": "info"},
    "view.severity.warning": {"en": "warning", "fr": "avertissement"},
    "view.severity.error": {"en": "error", "fr": "erreur"},
    "signal.generative": {"en": "generative", "fr": "générative"},
    "signal.human": {"en": "human", "fr": "humaine"},
    "signal.training_prohibited": {"en": "training prohibited", "fr": "entraînement interdit"},
    "signal.training_allowed": {"en": "training allowed", "fr": "entraînement autorisé"},
    "signal.info": {"en": "info", "fr": "info"},
    "view.policy": {"en": "policy {policy}: {outcome}", "fr": "politique {policy} : {outcome}"},
    "view.pass": {"en": "PASS", "fr": "ACCEPTÉ"},
    "view.fail": {"en": "FAIL", "fr": "REFUSÉ"},
    # --- hints outside C2PA (unsigned metadata) ---
    "hint.message": {"en": "{body}{unsigned}", "fr": "{body}{unsigned}"},
    "hint.unsigned": {"en": " Unsigned metadata: anyone can write or strip it.",
                      "fr": " Métadonnées non signées : n'importe qui peut les écrire ou les effacer."},
    "hint.generative_ai": {"en": "generative AI", "fr": "une IA générative"},
    "hint.author": {"en": "author", "fr": "l'auteur"},
    "hint.rights": {"en": "rights holder", "fr": "le titulaire des droits"},
    "hint.exif_grok": {"en": "EXIF {tag} carries the image signature that xAI Grok writes into the images it "
                             "generates.",
                       "fr": "EXIF {tag} porte la signature d'image que xAI Grok inscrit dans les images qu'il "
                             "génère."},
    "hint.exif_software_ai": {"en": "EXIF says the image was made with {maker} (Software).",
                              "fr": "EXIF dit que l'image a été faite avec {maker} (Software)."},
    "hint.exif_software": {"en": "EXIF names the software that wrote the file.",
                           "fr": "EXIF nomme le logiciel qui a écrit le fichier."},
    "hint.exif_made_with": {"en": "EXIF {tag} says the image was made with {product}.",
                            "fr": "EXIF {tag} dit que l'image a été faite avec {product}."},
    "hint.exif_camera": {"en": "EXIF names a camera ({what}).", "fr": "EXIF nomme un appareil photo ({what})."},
    "hint.exif_person": {"en": "EXIF names the {who}.", "fr": "EXIF nomme {who}."},
    "hint.exif_other": {"en": "EXIF {tag}.", "fr": "EXIF {tag}."},
    "hint.xmp_source_type": {"en": "XMP says the image was {st} ({term}).",
                             "fr": "XMP dit que l'image est : {st} ({term})."},
    "hint.plus_prohibited": {"en": "XMP (PLUS) {detail}.", "fr": "XMP (PLUS) {detail}."},
    "plus.PROHIBITED": {"en": "prohibits data mining, AI training included",
                        "fr": "interdit la fouille de données, entraînement d'IA compris"},
    "plus.PROHIBITED-AIMLTRAINING": {"en": "prohibits AI/ML training",
                                     "fr": "interdit l'entraînement d'IA/d'apprentissage automatique"},
    "plus.PROHIBITED-GENAIMLTRAINING": {"en": "prohibits generative AI/ML training",
                                        "fr": "interdit l'entraînement d'IA générative"},
    "plus.PROHIBITED-EXCEPTSEARCHENGINEINDEXING": {
        "en": "prohibits data mining except search-engine indexing",
        "fr": "interdit la fouille de données, sauf l'indexation par les moteurs de recherche"},
    "plus.PROHIBITED-SEEOTHER": {
        "en": "prohibits data mining, with conditions stated elsewhere (plus:OtherConstraints)",
        "fr": "interdit la fouille de données, avec des conditions énoncées ailleurs (plus:OtherConstraints)"},
    "plus.PROHIBITED-SEECONSTRAINT": {"en": "prohibits data mining except as plus:OtherConstraints says",
                                      "fr": "interdit la fouille de données, sauf ce que dit plus:OtherConstraints"},
    "plus.other": {"en": "prohibits data mining", "fr": "interdit la fouille de données"},
    "hint.plus_allowed": {"en": "XMP (PLUS) allows data mining, AI training included.",
                          "fr": "XMP (PLUS) autorise la fouille de données, entraînement d'IA compris."},
    "hint.plus_unspecified": {"en": "XMP (PLUS) leaves data mining unspecified.",
                              "fr": "XMP (PLUS) ne précise rien sur la fouille de données."},
    "hint.xmp_tool_ai": {"en": "XMP names {product}, a generative-AI product, as the tool that made the image.",
                         "fr": "XMP nomme {product}, un produit d'IA générative, comme l'outil qui a fait l'image."},
    "hint.xmp_tool": {"en": "XMP names the tool that made the image.", "fr": "XMP nomme l'outil qui a fait l'image."},
    "hint.xmp_embedded": {"en": "XMP points to a C2PA manifest embedded in this file.",
                          "fr": "XMP renvoie à un manifeste C2PA intégré à ce fichier."},
    "hint.xmp_remote": {"en": "XMP points to a C2PA manifest kept at a web address (a remote manifest).",
                        "fr": "XMP renvoie à un manifeste C2PA conservé à une adresse web (manifeste distant)."},
    "hint.xmp_credit_ai": {"en": "XMP credits {product}, a generative-AI product.",
                           "fr": "XMP crédite {product}, un produit d'IA générative."},
    "hint.xmp_creator": {"en": "XMP names the creator.", "fr": "XMP nomme le créateur."},
    "hint.xmp_credit": {"en": "XMP gives a credit line.", "fr": "XMP donne une ligne de crédit."},
    "hint.xmp_source": {"en": "XMP gives {product} as the source.", "fr": "XMP donne {product} comme source."},
    "hint.xmp_description_ai": {"en": "XMP's description says the image is AI-generated.",
                                "fr": "La description XMP dit que l'image est générée par IA."},
    "hint.png_a1111": {"en": "PNG text carries Stable Diffusion generation parameters (AUTOMATIC1111/Forge web UI).",
                       "fr": "Le texte PNG porte des paramètres de génération Stable Diffusion (interface web "
                             "AUTOMATIC1111/Forge)."},
    "hint.png_parameters": {"en": "PNG text carries parameters of an unknown tool.",
                            "fr": "Le texte PNG porte les paramètres d'un outil inconnu."},
    "hint.png_comfyui": {"en": "PNG text carries a ComfyUI generation workflow.",
                         "fr": "Le texte PNG porte un flux de génération ComfyUI."},
    "hint.png_chunk": {"en": "PNG text carries a {chunk}.", "fr": "Le texte PNG porte un champ « {chunk} »."},
    "hint.png_invokeai": {"en": "PNG text carries InvokeAI generation metadata.",
                          "fr": "Le texte PNG porte des métadonnées de génération InvokeAI."},
    "hint.png_made_with": {"en": "PNG text says the image was made with {maker}.",
                           "fr": "Le texte PNG dit que l'image a été faite avec {maker}."},
    "hint.png_made_with_ai": {"en": "PNG text says the image was made with {product}.",
                              "fr": "Le texte PNG dit que l'image a été faite avec {product}."},
    "hint.png_names": {"en": "PNG text names the {chunk}.", "fr": "Le texte PNG nomme le champ « {chunk} »."},
    "hint.png_novelai": {"en": "PNG text carries NovelAI generation settings.",
                         "fr": "Le texte PNG porte des réglages de génération NovelAI."},
    "hint.png_midjourney": {"en": "PNG text carries a Midjourney prompt and job id.",
                            "fr": "Le texte PNG porte un prompt et un identifiant de tâche Midjourney."},
    "hint.png_person": {"en": "PNG text names the {who}.", "fr": "Le texte PNG nomme {who}."},
    "hint.png_other": {"en": "PNG text {chunk}.", "fr": "Texte PNG « {chunk} »."},
}

_PAGE: dict[str, dict[str, str]] = {
    # --- the web page (served as JSON by GET /v1/messages) ---
    "page.tagline": {"en": "Check whether a picture's history contains AI, and who vouches for it.",
                     "fr": "Vérifiez si l'historique d'une image contient de l'IA, et qui s'en porte garant."},
    "page.dropTitle": {"en": "Drop images here, or choose files",
                       "fr": "Déposez des images ici, ou choisissez des fichiers"},
    "page.dropHelp": {"en": "JPEG, PNG, WebP, TIFF, HEIC, AVIF — checked on this server, nothing is stored but the "
                            "decision log.",
                      "fr": "JPEG, PNG, WebP, TIFF, HEIC, AVIF — vérifiées sur ce serveur ; seule la décision est "
                            "journalisée."},
    "page.switchTo": {"en": "Français", "fr": "English"},
    "page.checking": {"en": "Checking…", "fr": "Vérification…"},
    "page.accepted": {"en": "Accepted", "fr": "Acceptée"},
    "page.rejected": {"en": "Not accepted", "fr": "Refusée"},
    "page.policy": {"en": "Policy", "fr": "Politique"},
    "page.history": {"en": "History", "fr": "Historique"},
    "page.findings": {"en": "Findings", "fr": "Constats"},
    "page.hints": {"en": "Metadata hints (unsigned)", "fr": "Indices de métadonnées (non signés)"},
    "page.signer": {"en": "Signer", "fr": "Signataire"},
    "page.author": {"en": "Author", "fr": "Auteur"},
    "page.noSigner": {"en": "no signer", "fr": "pas de signataire"},
    "page.step": {"en": "step", "fr": "étape"},
    "page.ingredient": {"en": "ingredient", "fr": "ingrédient"},
    "page.failed": {"en": "Could not be checked", "fr": "Vérification impossible"},
    "page.policyLine": {"en": "Policy in force:", "fr": "Politique appliquée :"},
    "page.choose": {"en": "Choose images", "fr": "Choisir des images"},
    "page.signedAt": {"en": "signed", "fr": "signé le"},
    "page.tokens": {"en": "Tokens", "fr": "Jetons"},
    "page.ingredients": {"en": "Ingredients", "fr": "Ingrédients"},
}

#: Digital source types in words (``st.<term>``): the words live with the terms in ``handmade.labels``.
_SOURCE_TYPES: dict[str, dict[str, str]] = {f"st.{s.term}": {"en": s.en, "fr": s.fr}
                                            for s in labels.SOURCE_TYPES.values()}

#: Added with the films/SVG/PDF formats (issue 17) and the visible labels (issue 16).
_FORMATS_AND_LABELS: dict[str, dict[str, str]] = {
    # the visible labels (handmade.label): headlines, sublines, the web badge's words
    "label.head.handmade": {"en": "Made by hand — verified", "fr": "Fait à la main — vérifié"},
    "label.head.generative": {"en": "AI-generated", "fr": "Généré par IA"},
    "label.head.ai_assisted": {"en": "AI-modified", "fr": "Modifié par IA"},
    "label.head.possibly_generative": {"en": "May contain AI", "fr": "Peut contenir de l'IA"},
    "label.sub.certified": {"en": "{who} · certified by {by}", "fr": "{who} · certifié par {by}"},
    "label.sub.ai": {"en": "per its Content Credentials", "fr": "selon ses Content Credentials"},
    "label.web.none": {"en": "No verified label", "fr": "Aucune étiquette vérifiée"},
    "label.web.unknown": {"en": "Not checked by this service", "fr": "Non vérifié par ce service"},
    "label.web.checked": {"en": "checked {date}", "fr": "vérifié le {date}"},
    "label.web.no_log": {"en": "this service keeps no record of checks",
                         "fr": "ce service ne garde pas trace des vérifications"},
    # archive scans (handmade.scan)
    "scan.summary": {"en": "{n} files in {out}", "fr": "{n} fichiers dans {out}"},
    "scan.earlier": {"en": "{n} from an earlier run", "fr": "dont {n} d'une exécution précédente"},
    "scan.by_verdict": {"en": "by verdict", "fr": "par verdict"},
    "scan.by_signer": {"en": "by signer", "fr": "par signataire"},
    "scan.ai_found": {"en": "AI found", "fr": "IA détectée"},
    "scan.errors": {"en": "errors", "fr": "erreurs"},
    "scan.unsigned": {"en": "(no signer)", "fr": "(aucun signataire)"},
    "scan.torn": {"en": "the last line of {out} was cut short (a killed scan): that file is checked again",
                  "fr": "la dernière ligne de {out} était incomplète (analyse interrompue) : ce fichier est revérifié"},
    "scan.bad_lines": {"en": "{n} lines of {out} are not JSON results: their files are checked again",
                       "fr": "{n} lignes de {out} ne sont pas des résultats JSON : leurs fichiers sont revérifiés"},
    "scan.progress": {"en": "scanned", "fr": "analysés"},
    "scan.daemonic": {
        "en": "the Dask workers are daemonic processes, which may not start children: the per-file time limit "
              "cannot be enforced there (start them with DASK_DISTRIBUTED__WORKER__DAEMON=False)",
        "fr": "les workers Dask sont des processus démons, qui ne peuvent pas lancer de processus enfants : la "
              "limite de temps par fichier ne peut pas y être appliquée (démarrez-les avec "
              "DASK_DISTRIBUTED__WORKER__DAEMON=False)"},
    "cli.film_bar": {"en": "signing the film", "fr": "signature du film"},
    "cli.film_check_bar": {"en": "checking the film", "fr": "vérification du film"},
    "cli.big_film": {
        "en": ("note: {path}: a {mb} MB film: read three times (history check, signing, self-check) "
               "through file handles; this takes a while"),
        "fr": ("remarque : {path} : un film de {mb} Mo : lu trois fois (contrôle de l'historique, "
               "signature, vérification) par le disque ; cela prend un moment"),
    },
    "hint.input.not_image": {
        "en": ("handmade reads JPEG, PNG, WebP, TIFF, DNG, GIF, HEIC, AVIF, JPEG XL, SVG, MP4, MOV, PDF, "
               "and NEF/ARW for verification only."),
        "fr": ("handmade lit JPEG, PNG, WebP, TIFF, DNG, GIF, HEIC, AVIF, JPEG XL, SVG, MP4, MOV, PDF, et "
               "NEF/ARW en vérification seulement."),
    },
    "error.sign.badge_format": {
        "en": "a visible badge is drawn on pictures only (not on a film, an SVG or a PDF)",
        "fr": "un badge visible ne se dessine que sur une image (pas sur un film, un SVG ou un PDF)",
    },
    "hint.sign.badge_format": {
        "en": "Sign it without --badge: the Content Credentials do not need one.",
        "fr": "Signez-le sans --badge : les Content Credentials n'en ont pas besoin.",
    },
    "label.no_manifest": {
        "en": "no Content Credentials: nothing verified to label",
        "fr": "aucun Content Credentials : rien de vérifié à étiqueter",
    },
    "label.invalid": {
        "en": "its Content Credentials do not validate",
        "fr": "ses Content Credentials ne sont pas valides",
    },
    "label.unreadable": {
        "en": "its Content Credentials cannot be read",
        "fr": "ses Content Credentials sont illisibles",
    },
    "label.not_verified": {
        "en": "it does not pass the handmade policy and declares no AI",
        "fr": "il ne satisfait pas la politique handmade et ne déclare pas d'IA",
    },
    "cli.labelled": {
        "en": "{path}: labelled \"{text}\" -> {out} ({summary})",
        "fr": "{path} : étiqueté « {text} » -> {out} ({summary})",
    },
    "cli.not_labelled": {
        "en": "{path}: no label: {why} ({verdict})",
        "fr": "{path} : pas d'étiquette : {why} ({verdict})",
    },
    "cli.label_test_key": {
        "en": ("{path}: its label says 'verified', but the labelled file is signed with the TEST key: "
               "verifiers read it as a claim (give --key and --chain)"),
        "fr": ("{path} : son étiquette dit « vérifié », mais le fichier étiqueté est signé avec la clé de "
               "TEST : les vérificateurs y liront une simple déclaration (donnez --key et --chain)"),
    },
    "cli.label_total": {
        "en": "labelled {ok} of {n} file(s); {refused} refused; {failed} failed",
        "fr": "{ok} fichier(s) étiqueté(s) sur {n} ; {refused} refusé(s) ; {failed} en échec",
    },
    "error.label.changed": {
        "en": "the file changed while it was being verified",
        "fr": "le fichier a changé pendant sa vérification ; rien n'a été étiqueté",
    },
    "error.label.self_check_failed": {
        "en": "the labelled result does not verify",
        "fr": "le résultat étiqueté ne se vérifie pas ; rien n'a été écrit",
    },
    "error.label.too_small": {
        "en": "the image is too small for a legible label",
        "fr": "l'image est trop petite pour une étiquette lisible",
    },
    "error.input.not_image": {
        "en": "not a format handmade reads",
        "fr": "pas un format que handmade sait lire",
    },
}

#: The sentences of the errors of the trust lists, label authorities, storage and scans (the English message,
#: which names the file, follows as the detail).
_MORE_ERRORS: dict[str, dict[str, str]] = {
    "error.audit.unavailable": {
        "en": "the decision log's database cannot be reached or refuses its table",
        "fr": "la base du journal des décisions est injoignable ou refuse sa table",
    },
    "error.authority.csr": {
        "en": "the certificate request cannot be used",
        "fr": "la demande de certificat est inutilisable",
    },
    "error.authority.not_found": {
        "en": "this folder is not a label authority",
        "fr": "ce dossier n'est pas une autorité de label",
    },
    "error.authority.not_issued": {
        "en": "this certificate was not issued by this authority",
        "fr": "ce certificat n'a pas été émis par cette autorité",
    },
    "error.authority.reason": {
        "en": "unknown revocation reason",
        "fr": "motif de révocation inconnu",
    },
    "error.authority.revoked": {
        "en": "the authority's revocation record cannot be read",
        "fr": "le registre des révocations de l'autorité est illisible",
    },
    "error.keys.renew_issuer": {
        "en": "the old certificate was not issued by the root given",
        "fr": "l'ancien certificat n'a pas été émis par la racine donnée",
    },
    "error.keys.subject": {
        "en": "the name cannot go into a certificate as given",
        "fr": "ce nom ne peut pas figurer tel quel dans un certificat",
    },
    "error.keys.validity_too_long": {
        "en": "a signer certificate may be valid 366 days at most",
        "fr": "un certificat de signataire vaut 366 jours au plus",
    },
    "error.scan.dask_task": {
        "en": "a task of the Dask cluster failed",
        "fr": "une tâche du cluster Dask a échoué",
    },
    "error.scan.dask_unreachable": {
        "en": "the Dask scheduler cannot be reached",
        "fr": "l'ordonnanceur Dask est injoignable",
    },
    "error.scan.no_dask": {
        "en": "scanning on a cluster needs Dask (pip install 'handmade[cluster]')",
        "fr": "l'analyse sur un cluster demande Dask (pip install 'handmade[cluster]')",
    },
    "error.scan.no_root": {
        "en": "a folder to scan does not exist",
        "fr": "un dossier à analyser n'existe pas",
    },
    "error.scan.output": {
        "en": "the results file cannot be written",
        "fr": "impossible d'écrire le fichier de résultats",
    },
    "error.scan.output_exists": {
        "en": "the results file already exists (use --resume to go on)",
        "fr": "le fichier de résultats existe déjà (--resume pour reprendre)",
    },
    "error.fingerprint.bad_value": {
        "en": "not a 64-bit ISCC image code",
        "fr": "ce n'est pas un code image ISCC de 64 bits",
    },
    "hint.fingerprint.bad_value": {
        "en": "Give an ISCC image code such as ISCC:EEA4GQZQTY6J5DTH.",
        "fr": "Donnez un code image ISCC, par exemple ISCC:EEA4GQZQTY6J5DTH.",
    },
    "error.fingerprint.undecodable": {
        "en": "the picture cannot be decoded to take its fingerprint",
        "fr": "impossible de décoder l'image pour calculer son empreinte",
    },
    "error.registry.not_signed": {
        "en": "the file has no Content Credentials to register",
        "fr": "le fichier n'a pas de Content Credentials à enregistrer",
    },
    "error.registry.invalid": {
        "en": "only files whose own Content Credentials validate are registered",
        "fr": "seuls les fichiers dont les Content Credentials sont valides sont enregistrés",
    },
    "error.registry.no_soft_binding": {
        "en": "its manifest carries no fingerprint (soft binding) to register",
        "fr": "son manifeste ne porte pas d'empreinte (soft binding) à enregistrer",
    },
    "hint.registry.no_soft_binding": {
        "en": "Sign it again without --no-soft-binding (pictures only: not films, SVG or PDF).",
        "fr": "Signez-le à nouveau sans --no-soft-binding (images seulement : ni films, ni SVG, ni PDF).",
    },
    "error.registry.alg": {
        "en": "this soft binding algorithm is not supported here",
        "fr": "cet algorithme de soft binding n'est pas pris en charge ici",
    },
    "error.registry.unavailable": {
        "en": "the registry's database cannot be reached",
        "fr": "la base de données du registre est injoignable",
    },
    "error.registry.unsupported": {
        "en": "this kind of database is not supported for the registry",
        "fr": "ce type de base de données n'est pas pris en charge pour le registre",
    },
    "error.registry.config": {
        "en": "the registry cannot be used",
        "fr": "le registre est inutilisable",
    },
    "error.registry.token": {
        "en": "the registry token cannot be used",
        "fr": "le jeton du registre est inutilisable",
    },
    "error.storage.unavailable": {
        "en": "the database cannot be reached",
        "fr": "la base de données est injoignable",
    },
    "error.storage.unsupported": {
        "en": "this kind of database is not supported",
        "fr": "ce type de base de données n'est pas pris en charge",
    },
    "error.trust.bundle": {
        "en": "not a usable label authority bundle",
        "fr": "ce n'est pas un paquet d'autorité de label utilisable",
    },
    "hint.trust.conformance": {
        "en": "Leave out --trust, or put those certificates in the test trust list.",
        "fr": "Retirez --trust, ou mettez ces certificats dans la liste de confiance de test.",
    },
    "error.trust.conformance": {
        "en": "the conformance mode validates with exactly the lists given: trust anchors cannot be added to them",
        "fr": "le mode de conformité valide avec exactement les listes fournies : on ne peut pas leur ajouter "
              "d'ancres de confiance",
    },
    "error.trust.config": {
        "en": "the settings file cannot be read",
        "fr": "le fichier de réglages est illisible",
    },
    "error.trust.snapshot": {
        "en": "the trust-list snapshot cannot be read",
        "fr": "l'instantané des listes de confiance est illisible",
    },
    "error.trust.update_fetch": {
        "en": "the trust lists cannot be fetched from that address",
        "fr": "impossible de récupérer les listes de confiance à cette adresse",
    },
    "error.trust.update_invalid": {
        "en": "the trust lists given do not check out (PEM and JSON must name the same certificates)",
        "fr": ("les listes de confiance fournies ne sont pas cohérentes (le PEM et le JSON doivent "
               "nommer les mêmes certificats)"),
    },
    "error.trust.update_missing": {
        "en": "a trust-list file is missing from that folder",
        "fr": "un fichier de liste de confiance manque dans ce dossier",
    },
    "error.trust.update_older": {
        "en": "that trust list is older than the one in force",
        "fr": "cette liste de confiance est plus ancienne que celle en vigueur",
    },
    "error.trust.update_url": {
        "en": "trust lists are fetched only over https:// (http:// only on this machine)",
        "fr": ("les listes de confiance ne se récupèrent qu'en https:// (http:// seulement sur cette "
               "machine)"),
    },
    "error.trust.update_write": {
        "en": "the trust-list snapshot cannot be installed",
        "fr": "impossible d'installer l'instantané des listes de confiance",
    },
}

#: What to do about each error that has a hint, in French ("hint.<code>"): one sentence per code, general enough
#: for every place that raises it (the English detail still says which file). Lists of choices are written out;
#: tests/unit/test_messages.py checks them against the code's own lists.
_HINTS: dict[str, dict[str, str]] = {
    "hint.registry.token": {
        "en": "Put a long random token (16 characters or more) on the first line of the file: "
              "python -c 'import secrets; print(secrets.token_urlsafe(32))' > token",
        "fr": "Mettez un long jeton aléatoire (16 caractères ou plus) sur la première ligne du fichier : "
              "python -c 'import secrets; print(secrets.token_urlsafe(32))' > token",
    },
    "hint.fingerprint.undecodable": {
        "en": "Sign with --no-soft-binding, or give a JPEG, PNG, WebP, TIFF or GIF.",
        "fr": "Signez avec --no-soft-binding, ou donnez un JPEG, PNG, WebP, TIFF ou GIF.",
    },
    "hint.registry.not_signed": {
        "en": "Register the signed file (handmade sign writes one).",
        "fr": "Enregistrez le fichier signé (handmade sign en écrit un).",
    },
    "hint.registry.alg": {
        "en": "This registry holds io.iscc.v0 fingerprints.",
        "fr": "Ce registre contient des empreintes io.iscc.v0.",
    },
    "hint.registry.config": {
        "en": "Give the registry as a file path, sqlite:///path or postgresql://user@host:port/database.",
        "fr": "Donnez le registre par un chemin de fichier, sqlite:///chemin ou "
              "postgresql://utilisateur@hôte:port/base.",
    },
    "hint.registry.unsupported": {
        "en": "Use a file path, sqlite:///path or postgresql://user@host:port/database.",
        "fr": "Utilisez un chemin de fichier, sqlite:///chemin ou postgresql://utilisateur@hôte:port/base "
              "(PostgreSQL demande pip install 'handmade[postgres]').",
    },
    "hint.registry.unavailable": {
        "en": "Check the path and its permissions, or that PostgreSQL runs and accepts these credentials.",
        "fr": "Vérifiez le chemin et ses droits, ou que PostgreSQL tourne et accepte ces identifiants (un mot "
              "de passe peut aussi venir de PGPASSWORD ou de ~/.pgpass).",
    },
    "hint.audit.config": {
        "en": "Give the decision log as a file path, sqlite:///path or postgresql://...; export as csv or json.",
        "fr": ("Donnez le journal des décisions par un chemin de fichier, sqlite:///chemin ou "
               "postgresql://... ; exportez en csv ou en json."),
    },
    "hint.audit.unavailable": {
        "en": "Check the path and its permissions, or that PostgreSQL runs and accepts these credentials.",
        "fr": ("Vérifiez le chemin et ses droits, ou que PostgreSQL tourne et accepte ces identifiants (un mot "
               "de passe peut aussi venir de PGPASSWORD ou de ~/.pgpass)."),
    },
    "hint.audit.unsupported": {
        "en": "Use a file path, sqlite:///path or postgresql://user@host:port/database.",
        "fr": ("Utilisez un chemin de fichier, sqlite:///chemin ou postgresql://utilisateur@hôte:port/base "
               "(PostgreSQL demande pip install 'handmade[postgres]')."),
    },
    "hint.authority.csr": {
        "en": "Give the signer.csr made by 'handmade keys request', or ask the member for a new one.",
        "fr": "Donnez le signer.csr fait par « handmade keys request », ou demandez au membre une nouvelle demande.",
    },
    "hint.authority.not_found": {
        "en": "Give the folder made by 'handmade authority init'.",
        "fr": "Donnez le dossier créé par « handmade authority init ».",
    },
    "hint.authority.reason": {
        "en": "One of: unspecified, keyCompromise, affiliationChanged, superseded, cessationOfOperation.",
        "fr": ("L'un de : unspecified, keyCompromise (clé compromise), affiliationChanged (changement "
               "d'affiliation), superseded (remplacé), cessationOfOperation (fin d'activité)."),
    },
    "hint.input.corrupt": {
        "en": "The file looks truncated or damaged.",
        "fr": "Le fichier semble tronqué ou endommagé : reprenez-le à sa source.",
    },
    "hint.input.is_directory": {
        "en": "Give image files, or a folder to 'handmade sign' to sign all images in it.",
        "fr": "Donnez des fichiers image, ou un dossier à « handmade sign » pour en signer toutes les images.",
    },
    "hint.input.timeout": {
        "en": "The file may be hostile; raise --timeout if it is merely huge.",
        "fr": "Le fichier est peut-être malveillant ; augmentez --timeout s'il est seulement très gros.",
    },
    "hint.input.unsupported": {
        "en": "This file type cannot carry Content Credentials here.",
        "fr": "Ce type de fichier ne peut pas porter de Content Credentials ici.",
    },
    "hint.manifest.remote": {
        "en": "The manifest lives at a remote URL; pass --allow-remote to fetch it.",
        "fr": "Le manifeste est conservé à une adresse web ; passez --allow-remote pour le récupérer.",
    },
    "hint.keys.algorithm": {
        "en": "Use an EC P-256 or P-384, RSA (2048 bits or more) or Ed25519 key; algorithms: es256, es384, ps256, "
              "ed25519.",
        "fr": ("Utilisez une clé EC P-256 ou P-384, RSA (2048 bits ou plus) ou Ed25519 (une clé PKCS#12 chiffrée "
               "en AES) ; algorithmes : es256, es384, ps256, ed25519."),
    },
    "hint.keys.ca_leaf": {
        "en": "Sign with an end-entity certificate (BasicConstraints CA=false), not with the CA's own certificate.",
        "fr": ("Signez avec un certificat d'entité finale (BasicConstraints CA=false), pas avec le certificat "
               "de l'autorité elle-même."),
    },
    "hint.keys.chain_order": {
        "en": "Give only the signer certificate and its intermediate CA(s).",
        "fr": "Ne donnez que le certificat du signataire et ses autorités intermédiaires.",
    },
    "hint.keys.eku": {
        "en": "Ask your CA for a certificate with the emailProtection extended key usage (C2PA certificate profile).",
        "fr": ("Demandez à votre autorité un certificat avec l'usage étendu de clé emailProtection (profil de "
               "certificat C2PA)."),
    },
    "hint.keys.exists": {
        "en": "Choose another folder, or pass --overwrite.",
        "fr": ("Choisissez un autre dossier, ou passez --overwrite (une autorité, elle, ne se crée qu'une fois : "
               "la confiance de ses membres dépend de sa racine)."),
    },
    "hint.keys.expired": {
        "en": "Renew the certificate (handmade keys renew, or ask your CA); the TEST identity is regenerated in a "
              "source checkout.",
        "fr": ("Renouvelez le certificat (handmade keys renew, ou demandez à votre autorité) ; l'identité de TEST "
               "se régénère dans une copie des sources (python scripts/make-test-keys.py) ou "
               "avec une version plus récente de handmade."),
    },
    "hint.keys.key_usage": {
        "en": "Get a certificate made for C2PA signing from your CA, or make your own: handmade keys init.",
        "fr": ("Obtenez de votre autorité un certificat fait pour la signature C2PA, ou faites le vôtre : "
               "handmade keys init."),
    },
    "hint.keys.mismatch": {
        "en": "Give the certificate that was issued for this key (signer certificate first).",
        "fr": "Donnez le certificat émis pour cette clé (le certificat du signataire en premier).",
    },
    "hint.keys.no_aki": {
        "en": "Get a certificate made for C2PA signing from your CA (with an authority key identifier).",
        "fr": ("Obtenez de votre autorité un certificat fait pour la signature C2PA (avec un identifiant de clé "
               "d'autorité), ou faites le vôtre : handmade keys init."),
    },
    "hint.keys.no_chain": {
        "en": "Give the certificate chain (signer certificate first) with --chain.",
        "fr": "Donnez la chaîne de certificats (le certificat du signataire en premier) avec --chain.",
    },
    "hint.keys.not_yet_valid": {
        "en": "Check the computer's clock, or wait until the certificate is valid.",
        "fr": "Vérifiez l'horloge de l'ordinateur, ou attendez que le certificat soit valide.",
    },
    "hint.keys.passphrase": {
        "en": "Give the key's passphrase (or set HANDMADE_KEY_PASSPHRASE).",
        "fr": "Donnez la phrase de passe de la clé (ou définissez HANDMADE_KEY_PASSPHRASE).",
    },
    "hint.keys.renew_issuer": {
        "en": "Give the root that issued the old certificate.",
        "fr": "Donnez la racine qui a émis l'ancien certificat.",
    },
    "hint.keys.self_signed": {
        "en": "C2PA wants a signer certificate issued by a CA; 'handmade keys init' makes a local root CA and a "
              "signer certificate issued by it.",
        "fr": ("C2PA veut un certificat de signataire émis par une autorité ; « handmade keys init » crée une "
               "autorité racine locale et un certificat de signataire émis par elle."),
    },
    "hint.keys.subject": {
        "en": "Give a shorter name, a two-letter ISO 3166 country code (FR, DE, US), and C/O/CN in the subject.",
        "fr": ("Donnez un nom plus court (le vôtre ou celui de votre organisation), un code pays ISO 3166 à deux "
               "lettres (FR, DE, US), et C, O et CN dans le sujet du certificat."),
    },
    "hint.keys.unreadable": {
        "en": "Give a PEM private key with its PEM chain (signer certificate first), or a .p12/.pfx bundle.",
        "fr": ("Vérifiez le chemin et les droits du fichier ; donnez une clé privée PEM avec sa chaîne PEM (le "
               "certificat du signataire en premier), ou un paquet .p12/.pfx qui contient sa clé privée."),
    },
    "hint.keys.validity_too_long": {
        "en": "Use --days 366 or less.",
        "fr": ("Utilisez --days 366 ou moins (ou obtenez de votre autorité un certificat valable 366 jours "
               "au plus)."),
    },
    "hint.label.changed": {
        "en": "Label it again once nothing else writes to it.",
        "fr": "Étiquetez-le de nouveau quand plus rien d'autre n'y écrit.",
    },
    "hint.label.corner": {
        "en": "One of: br, bl, tr, tl.",
        "fr": "L'un de : br (bas droite), bl (bas gauche), tr (haut droite), tl (haut gauche).",
    },
    "hint.label.invalid": {
        "en": "Only a file whose Content Credentials verify gets a label.",
        "fr": ("Seul un fichier dont les Content Credentials se vérifient (fait main par un signataire de "
               "confiance, ou IA déclarée dans un manifeste valide) reçoit une étiquette."),
    },
    "hint.label.no_manifest": {
        "en": "Only a file whose Content Credentials verify gets a label (sign it first).",
        "fr": ("Seul un fichier dont les Content Credentials se vérifient reçoit une étiquette (signez-le "
               "d'abord)."),
    },
    "hint.label.not_verified": {
        "en": "Only a file made by hand with a trusted signer, or declaring AI in a valid manifest, gets a label.",
        "fr": ("Seul un fichier fait main par un signataire de confiance, ou qui déclare de l'IA dans un "
               "manifeste valide, reçoit une étiquette."),
    },
    "hint.label.unreadable": {
        "en": "Only a file whose Content Credentials can be read and verify gets a label.",
        "fr": "Seul un fichier dont les Content Credentials sont lisibles et se vérifient reçoit une étiquette.",
    },
    "hint.policy.keys": {
        "en": "Known keys: accept_no_manifest, accept_recovered, accept_test_identity, forbid_ai_assisted, "
              "forbid_generative, "
              "require_human, require_intact, require_manifest, require_no_training, require_trusted, "
              "require_valid (set only one of require_manifest and accept_no_manifest).",
        "fr": ("Clés connues : accept_no_manifest, accept_recovered, accept_test_identity, forbid_ai_assisted, "
               "forbid_generative, "
               "require_human, require_intact, require_manifest, require_no_training, require_trusted, "
               "require_valid (ne donnez que l'une de require_manifest et accept_no_manifest)."),
    },
    "hint.policy.unknown": {
        "en": "Use one of any, intact, claimed, handmade, trusted, or a path to a TOML policy file.",
        "fr": ("Utilisez l'une des politiques any, intact, claimed, handmade, trusted, ou le chemin d'un "
               "fichier de politique TOML."),
    },
    "hint.policy.unreadable": {
        "en": "Give the path of a TOML policy file.",
        "fr": "Donnez le chemin d'un fichier de politique TOML lisible.",
    },
    "hint.scan.dask_task": {
        "en": "Check the workers' logs, then run again with --resume.",
        "fr": "Consultez les journaux des workers, puis relancez avec --resume.",
    },
    "hint.scan.dask_unreachable": {
        "en": "Check the address (tcp://host:8786) and that the scheduler runs.",
        "fr": "Vérifiez l'adresse (tcp://hôte:8786) et que l'ordonnanceur tourne.",
    },
    "hint.scan.output": {
        "en": "Free space or fix the output, then run again with --resume.",
        "fr": "Libérez de la place ou corrigez la sortie, puis relancez avec --resume.",
    },
    "hint.scan.output_exists": {
        "en": "Add --resume to continue that scan, or choose another --out.",
        "fr": "Ajoutez --resume pour poursuivre cette analyse, ou choisissez un autre --out.",
    },
    "hint.sign.ai_training": {
        "en": "One of: not-allowed, allowed, licensed; with licensed, give a URL or a contact with --ai-license.",
        "fr": ("L'un de : not-allowed, allowed, licensed ; avec licensed, donnez une adresse ou un contact avec "
               "--ai-license (par exemple --ai-license https://example.org/licensing)."),
    },
    "hint.sign.made_with": {
        "en": "One of: camera, phone, film, slide, scan, painting, drawing, digital-art, illustration, animation, "
              "composite.",
        "fr": ("L'un de : camera, phone, film, slide, scan, painting, drawing, digital-art, illustration, "
               "animation, composite."),
    },
    "hint.sign.metadata": {
        "en": "Use --no-metadata to sign without writing plain metadata.",
        "fr": "Passez --no-metadata pour signer sans écrire de métadonnées en clair (EXIF/XMP).",
    },
    "hint.sign.possibly_generative_history": {
        "en": "Only images whose whole history is human-made can be signed.",
        "fr": "Seules les images dont tout l'historique est fait main peuvent être signées.",
    },
    "hint.sign.tsa_bad_answer": {
        "en": "Check that the address is a time-stamping service (RFC 3161).",
        "fr": "Vérifiez que l'adresse est bien celle d'un service d'horodatage (RFC 3161).",
    },
    "hint.sign.tsa_unreachable": {
        "en": "Check the address and your connection, or sign without --tsa-url.",
        "fr": ("Vérifiez l'adresse et votre connexion, ou signez sans --tsa-url (la signature cessera alors de "
               "se vérifier quand votre certificat expirera)."),
    },
    "hint.sign.tsa_url": {
        "en": "Give an http:// or https:// address of an RFC 3161 time-stamping service.",
        "fr": "Donnez une adresse http:// ou https:// d'un service d'horodatage RFC 3161.",
    },
    "hint.sign.unreadable_history": {
        "en": "Ask the sender for a file whose Content Credentials can be read.",
        "fr": "Demandez à l'expéditeur un fichier dont les Content Credentials sont lisibles.",
    },
    "hint.sign.unsupported_format": {
        "en": "Sign a JPEG, PNG, WebP, TIFF, DNG, GIF, HEIC, AVIF, JPEG XL, SVG, MP4, MOV or PDF file.",
        "fr": ("Signez un fichier JPEG, PNG, WebP, TIFF, DNG, GIF, HEIC, AVIF, JPEG XL, SVG, MP4, MOV ou PDF (pour "
               "un fichier RAW, le JPEG/TIFF/DNG exporté)."),
    },
    "hint.storage.config": {
        "en": "Give a file path or sqlite:///path.",
        "fr": "Donnez un chemin de fichier ou sqlite:///chemin.",
    },
    "hint.storage.unavailable": {
        "en": "Check the path and its permissions, or that PostgreSQL runs and accepts these credentials.",
        "fr": ("Vérifiez le chemin et ses droits, ou que PostgreSQL tourne et accepte ces identifiants (hôte, "
               "port, base, utilisateur ; un mot de passe peut venir de PGPASSWORD ou de ~/.pgpass)."),
    },
    "hint.storage.unsupported": {
        "en": "Use a file path, sqlite:///path or postgresql://user@host:port/database.",
        "fr": ("Utilisez un chemin de fichier, sqlite:///chemin ou postgresql://utilisateur@hôte:port/base "
               "(PostgreSQL demande pip install 'handmade[postgres]')."),
    },
    "hint.trust.bundle": {
        "en": "Ask the authority for a bundle made by 'handmade authority export'.",
        "fr": "Demandez à l'autorité un paquet fait par « handmade authority export ».",
    },
    "hint.trust.snapshot": {
        "en": "Reinstall handmade, or run 'handmade trust update --from DIR'.",
        "fr": "Réinstallez handmade, ou lancez « handmade trust update --from DOSSIER ».",
    },
    "hint.trust.unreadable": {
        "en": "Give a PEM file with one or more root certificates.",
        "fr": "Donnez un fichier PEM avec un ou plusieurs certificats racines.",
    },
    "hint.trust.update_older": {
        "en": "Pass --force to install it anyway.",
        "fr": "Passez --force pour l'installer quand même.",
    },
}

#: The sentences of the codes that had none: default codes of the error classes, certificate problems,
#: label refusals, and c2pa's own error kinds when signing ("sign.<kind>").
_MORE_SENTENCES: dict[str, dict[str, str]] = {
    "error.audit.config": {"en": "the decision log cannot be used as given",
                           "fr": "le journal des décisions est inutilisable tel qu'il est donné"},
    "error.audit.unsupported": {"en": "this kind of database is not supported for the decision log",
                                "fr": "ce type de base de données n'est pas pris en charge pour le journal"},
    "error.handmade.error": {"en": "handmade could not do it", "fr": "handmade n'a pas pu le faire"},
    "error.input.invalid": {"en": "the input cannot be used", "fr": "l'entrée est inutilisable"},
    "error.keys.invalid": {"en": "the key or chain cannot be used", "fr": "la clé ou la chaîne est inutilisable"},
    "error.keys.ca_leaf": {"en": "the signer certificate is a CA certificate",
                           "fr": "le certificat du signataire est un certificat d'autorité"},
    "error.keys.chain_order": {"en": "the chain holds certificates that do not issue the signer's",
                               "fr": "la chaîne contient des certificats qui n'émettent pas celui du signataire"},
    "error.keys.eku": {"en": "the certificate's extended key usage does not fit C2PA signing",
                       "fr": "l'usage étendu de clé du certificat ne convient pas à la signature C2PA"},
    "error.keys.key_usage": {"en": "the certificate's key usage does not allow signing",
                             "fr": "l'usage de clé du certificat ne permet pas de signer"},
    "error.keys.no_aki": {"en": "the certificate has no authority key identifier",
                          "fr": "le certificat n'a pas d'identifiant de clé d'autorité"},
    "error.keys.not_yet_valid": {"en": "the certificate is not valid yet", "fr": "le certificat n'est pas encore "
                                                                                 "valide"},
    "error.keys.self_signed": {"en": "the signer certificate is self-signed",
                               "fr": "le certificat du signataire est auto-signé"},
    "error.label.contrast": {"en": "the label would not be legible on this image",
                             "fr": "l'étiquette ne serait pas lisible sur cette image"},
    "error.label.corner": {"en": "unknown corner for the label", "fr": "coin inconnu pour l'étiquette"},
    "error.label.size": {"en": "the label size is outside what is allowed",
                         "fr": "la taille de l'étiquette sort des limites permises"},
    "error.label.invalid": {"en": "no label: its Content Credentials do not validate",
                            "fr": "pas d'étiquette : ses Content Credentials ne sont pas valides"},
    "error.label.no_manifest": {"en": "no label: no Content Credentials to back it",
                                "fr": "pas d'étiquette : aucun Content Credentials pour la justifier"},
    "error.label.not_verified": {"en": "no label: its history backs none",
                                 "fr": "pas d'étiquette : son historique n'en justifie aucune"},
    "error.label.unreadable": {"en": "no label: its Content Credentials cannot be read",
                               "fr": "pas d'étiquette : ses Content Credentials sont illisibles"},
    "error.policy.config": {"en": "the policy cannot be used", "fr": "la politique est inutilisable"},
    "error.policy.rejected": {"en": "the file does not satisfy the policy",
                              "fr": "le fichier ne satisfait pas la politique"},
    "error.scan.config": {"en": "the scan cannot start", "fr": "l'analyse ne peut pas démarrer"},
    "error.storage.config": {"en": "the database address cannot be used",
                             "fr": "l'adresse de la base de données est inutilisable"},
    "error.trust.invalid": {"en": "the trust anchors cannot be used", "fr": "les ancres de confiance sont "
                                                                            "inutilisables"},
    "error.verify.failed": {"en": "the verification failed", "fr": "la vérification a échoué"},
    "error.sign.timeout": {"en": "signing took too long and was stopped",
                           "fr": "la signature a pris trop de temps et a été arrêtée"},
    "error.sign.assertion": {"en": "c2pa refused a statement of the manifest",
                             "fr": "c2pa a refusé une déclaration du manifeste"},
    "error.sign.assertionnotfound": {"en": "c2pa did not find a statement it needed",
                                     "fr": "c2pa n'a pas trouvé une déclaration dont il avait besoin"},
    "error.sign.decoding": {"en": "c2pa could not decode data while signing",
                            "fr": "c2pa n'a pas pu décoder des données pendant la signature"},
    "error.sign.encoding": {"en": "c2pa could not encode the manifest", "fr": "c2pa n'a pas pu encoder le manifeste"},
    "error.sign.filenotfound": {"en": "a file needed for signing was not found",
                                "fr": "un fichier nécessaire à la signature est introuvable"},
    "error.sign.io": {"en": "reading or writing failed while signing",
                      "fr": "une lecture ou une écriture a échoué pendant la signature"},
    "error.sign.json": {"en": "c2pa refused the manifest definition", "fr": "c2pa a refusé la définition du "
                                                                           "manifeste"},
    "error.sign.manifest": {"en": "c2pa refused the manifest", "fr": "c2pa a refusé le manifeste"},
    "error.sign.manifestnotfound": {"en": "c2pa did not find the manifest to sign",
                                    "fr": "c2pa n'a pas trouvé le manifeste à signer"},
    "error.sign.other": {"en": "c2pa could not sign the file", "fr": "c2pa n'a pas pu signer le fichier"},
    "error.sign.remotemanifest": {"en": "c2pa could not use a remote manifest while signing",
                                  "fr": "c2pa n'a pas pu utiliser un manifeste distant pendant la signature"},
    "error.sign.resourcenotfound": {"en": "a resource of the manifest (thumbnail, ingredient) was not found",
                                    "fr": "une ressource du manifeste (vignette, ingrédient) est introuvable"},
    "error.sign.signature": {"en": "the signature could not be made (key, certificate or timestamp server)",
                             "fr": "la signature n'a pas pu être faite (clé, certificat ou serveur d'horodatage)"},
    "error.sign.verify": {"en": "c2pa could not verify the input while signing",
                          "fr": "c2pa n'a pas pu vérifier l'entrée pendant la signature"},
    "error.sign.untrackedpointer": {"en": "the c2pa library failed inside (untracked pointer)",
                                    "fr": "la bibliothèque c2pa a échoué en interne (pointeur non suivi)"},
    "error.sign.wrongpointertype": {"en": "the c2pa library failed inside (wrong pointer type)",
                                    "fr": "la bibliothèque c2pa a échoué en interne (mauvais type de pointeur)"},
}

CATALOG: dict[str, dict[str, str]] = {**_T, **_MORE, **_PAGE, **_SOURCE_TYPES, **_FORMATS_AND_LABELS, **_MORE_ERRORS,
                                      **_HINTS, **_MORE_SENTENCES}


class _Blank(dict[str, Any]):
    """Format arguments where a placeholder the caller did not give renders as nothing."""

    def __missing__(self, key: str) -> str:
        return ""


def t(key: str, lang: str = "en", **kwargs: Any) -> str:
    """A translated string (English when the language or key is missing). A keyword ending in ``_k`` names
    another catalog key, rendered in the same language with the same keywords, and fills ``{name}``.

    Remembered (``_RENDERED``) when every keyword is a ``str``: a verify renders ten or so messages per file
    (findings, hints), mostly the same ones with the same words. Other values (numbers, ``True``, which compare
    equal to ``1`` yet print otherwise) are rendered each time."""
    for value in kwargs.values():
        if type(value) is not str:
            return _render(key, lang, kwargs, 0)
    memo = (key, lang, *kwargs.items())
    text = _RENDERED.get(memo)
    if text is None:
        if len(_RENDERED) >= _RENDERED_MAX:
            _RENDERED.clear()
        text = _RENDERED[memo] = _render(key, lang, kwargs, 0)
    return text


#: ``t``'s rendered strings by (key, language, keywords), all ``str``; bounded: emptied when full.
_RENDERED: dict[tuple[Any, ...], str] = {}
_RENDERED_MAX = 4096


def _render(key: str, lang: str, kwargs: dict[str, Any], depth: int) -> str:
    entry = CATALOG.get(key, {})
    text = entry.get(lang) or entry.get("en") or ("" if entry else key)
    if not kwargs:
        return text
    values = _Blank(kwargs)
    if depth < 4:  # a part inside a part inside a sentence; never a loop
        for name, value in kwargs.items():
            if name.endswith("_k") and isinstance(value, str) and "{" + name[:-2] + "}" in text:
                values[name[:-2]] = _render(value, lang, kwargs, depth + 1)
    return text.format_map(values)


def messages(lang: str = "en") -> dict[str, str]:
    """The whole catalog in one language (English where an entry lacks it): what the web page loads."""
    return {key: entry.get(lang) or entry.get("en", "") for key, entry in CATALOG.items()}


def finding(code: str, severity: Severity, key: str, source: str | None = None, **params: str) -> Finding:
    """A finding whose English message is the catalog entry ``key`` (kept with its parameters)."""
    from handmade.models import Finding

    return Finding(code, severity, t(key, "en", **params), source, key=key, params=params)


def error_finding(code: str, message: str) -> Finding:
    """The finding of an error result: the English message, and in French the error's sentence by code
    (``error.<code>``) with the English message as the detail."""
    from handmade.models import Finding

    return Finding(code, "error", message, None, key="finding.error")


def text_of(item: Finding | Hint, lang: str = "en") -> str:
    """A finding's, a policy reason's or a hint's message in ``lang``."""
    if lang == "en" or item.key is None:
        return item.message
    if item.key == "finding.error":
        return error_words(getattr(item, "code", ""), item.message, lang)
    return t(item.key, lang, **item.params)


def error_words(code: str, message: str, lang: str = "en") -> str:
    """An error's words in ``lang``: the sentence for its code and the English detail, or the message."""
    if lang == "en" or "error." + code not in CATALOG:
        return message
    return f"{t('error.' + code, lang)} ({t('err.detail', lang)} : {message})"


def hint_words(code: str, hint: str | None, lang: str = "en") -> str | None:
    """An error's hint in ``lang``: the catalog's ``hint.<code>`` outside English, else the hint given."""
    if lang != "en" and "hint." + code in CATALOG:
        return t("hint." + code, lang)
    return hint


def colon(lang: str) -> str:
    """The colon after a label: French puts a (non-breaking in print, plain here) space before it."""
    return " :" if lang == "fr" else ":"


def step_reason(step: LineageStep, lang: str = "en") -> str | None:
    """Why a lineage step counts (or may count) as AI, in ``lang``."""
    if lang == "en":
        return step.reason
    if step.reason_key is None:  # a step built without its key (by hand): no English words in another language
        return None
    return t(step.reason_key, lang, **step.reason_params)


def negotiate(asked: str | None, accept_language: str = "") -> str:
    """The language to answer in: ``asked`` (``?lang=``) when the catalog has it, else the best of
    ``LANGUAGES`` in an Accept-Language header (q-values honoured; its first 32 items), else English."""
    if asked in LANGUAGES:
        return asked
    best, best_q = "en", 0.0
    for item in accept_language.split(",")[:32]:
        tag, _, params = item.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best
