"""Walk a manifest store's edit chain and classify every step as generative, human or unknown.

The walk starts at the active manifest and follows ingredients (``parentOf``, ``componentOf``,
``inputTo``) into their own manifests, depth first, with a guard against cycles and absurd depth. Each
action becomes a ``LineageStep``; so do ingredients and generative-only assertions.

Generative markers found in real files (see ../shared/corpus/README.md), all normalised here:
- ``digitalSourceType`` on an action (``http://`` or ``https://`` IPTC URI, padded with spaces);
- ``parameters["com.adobe.digitalSourceType"]`` / ``parameters.digitalSourceType``;
- Adobe's ``com.adobe.generative-ai`` assertion (Firefly 2023: no source type at all);
- an action ``description`` such as "AI Generated Image" (Bing Image Creator);
- a known generative product as ``softwareAgent`` or claim generator.

The verdict (C2PA 2.1 §18.15; conformance signal rubrics):
- ``generative``: the image itself was made by AI: a fully generative creation at the origin of the
  ``parentOf`` chain (edits on top of an AI image leave an AI image);
- ``ai_assisted``: some step or ingredient anywhere in the chain is generative;
- ``possibly_generative``: nothing declared generative, but a step uses a source type that may hide
  generative AI (the C2PA conformance signals rubric's "may contain GenAI" classes: ``composite`` or
  ``screenCapture`` at creation, ``digitalArt`` or ``composite`` on an edit; ``compositeSynthetic`` at
  creation), or an ingredient without Content Credentials is named after a generative product;
- ``unknown``: nothing generative found, but part of the chain could not be examined (too deep, a
  cycle, a missing ingredient manifest, a redacted assertion, an ingredient without Content Credentials
  whose origin nobody states) or uses an unrecognised source type;
- ``none_declared``: a readable chain that declares no generative step.

Beside the verdict (C2PA 2.2): ``provenance`` says whether every origin in the chain is signed
(``signed``), rests on a signer's statement about an ingredient without Content Credentials
(``signer_claim``: a ``c2pa.opened`` that declares the source type of what it opened), or is unknown
(``unknown_origin``: a ``parentOf``/``componentOf`` ingredient without credentials, §15.11.3.3
``ingredient.unknownProvenance``; ``inputTo`` is exempt); ``incomplete_history`` says that some manifest
does not state ``allActionsIncluded: true`` (§18.14.3: other actions may have been performed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from handmade import labels
from handmade.messages import finding, t
from handmade.models import AiVerdict, Finding, LineageStep, Provenance, Training
from handmade.text import clean_text

#: Why a step counts (or may count) as AI: a catalog key and its parameters (see ``_why``).
Why = tuple[str, dict[str, str]]


def _why(why: Why | None) -> dict[str, Any]:
    """A step's ``reason`` in English, with its catalog key and parameters for other languages."""
    if why is None:
        return {"reason": None}
    return {"reason": t(why[0], "en", **why[1]), "reason_key": why[0], "reason_params": why[1]}


def _st(dst: labels.SourceType) -> dict[str, str]:
    """The parameters naming a source type in words (``st.<term>`` in the catalog)."""
    return {"st_k": f"st.{dst.term}", "term": dst.term}

MAX_DEPTH = 64
MAX_STEPS = 5000
MAX_STEP_FINDINGS = 3  # generative steps told one by one in the findings; the rest are counted

_ACTIONS_LABEL = re.compile(r"^c2pa\.actions(\.v\d+)?(__\d+)?$")
_INGREDIENT_RELATIONSHIPS = ("parentOf", "componentOf", "inputTo")


@dataclass
class _Walk:
    store: dict[str, Any]
    steps: list[LineageStep] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)  # examined already (a DAG may reuse a manifest)
    path: list[str] = field(default_factory=list)  # the chain being walked now (for cycle detection)
    unknown_types: list[str] = field(default_factory=list)
    truncated: bool = False
    verdicts: dict[str, tuple[bool, bool]] = field(default_factory=dict)
    incomplete: bool = False  # part of the chain could not be examined (too deep, cycle, missing, redacted)
    possibly: bool = False  # some step may hide generative AI
    unknown_origins: list[str] = field(default_factory=list)  # ingredients without credentials, unclaimed
    claimed_origins: list[str] = field(default_factory=list)  # ... whose origin a later signer states
    actions_incomplete: bool = False  # some manifest does not claim allActionsIncluded
    broken_ingredient: bool = False  # an ingredient was recorded as failing validation
    recorded: dict[str, list[str]] = field(default_factory=dict)  # recorded failure code -> titles


@dataclass(frozen=True)
class Lineage:
    """The result of a walk: the steps, the AI verdict, and what the active manifest claims."""

    steps: tuple[LineageStep, ...]
    ai: AiVerdict
    findings: tuple[Finding, ...]
    human_declared: bool
    authors: tuple[str, ...]
    training: Training
    provenance: Provenance = "signed"
    incomplete_history: bool = False
    broken_ingredient: bool = False  # an ingredient's recorded validation failed (v2 status or v3 results)
    identity: tuple[str, ...] = ()  # who the active manifest's CAWG identity assertions name
    #: The terms of a ``constrained`` training permission (CAWG ``constraint_info``), if stated.
    training_terms: str | None = None


def _manifest_signer(manifest: dict[str, Any]) -> str | None:
    info = manifest.get("signature_info") or {}
    return clean_text(info.get("common_name") or info.get("issuer"))


def _claim_generator(manifest: dict[str, Any]) -> str | None:
    infos = manifest.get("claim_generator_info")
    if isinstance(infos, list) and infos and isinstance(infos[0], dict):
        return clean_text(infos[0])
    return clean_text(manifest.get("claim_generator"))


def _assertions(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    items = manifest.get("assertions")
    return [a for a in items if isinstance(a, dict)] if isinstance(items, list) else []


def _actions(manifest: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], bool]:
    """(actions, templates, allActionsIncluded) of every actions assertion of a manifest."""
    actions: list[dict[str, Any]] = []
    templates: list[dict[str, Any]] = []
    all_included = False
    for assertion in _assertions(manifest):
        if not _ACTIONS_LABEL.match(str(assertion.get("label", ""))):
            continue
        data = assertion.get("data")
        if not isinstance(data, dict):
            continue
        actions += [a for a in data.get("actions") or [] if isinstance(a, dict)]
        templates += [t for t in data.get("templates") or [] if isinstance(t, dict)]
        all_included = all_included or data.get("allActionsIncluded") is True
    return actions, templates, all_included


def action_source_type(action: dict[str, Any]) -> str | None:
    """The digital source type of an action, wherever the writer put it."""
    dst = action.get("digitalSourceType")
    if dst is None:
        params = action.get("parameters")
        if isinstance(params, dict):
            dst = params.get("com.adobe.digitalSourceType") or params.get("digitalSourceType")
    return dst if isinstance(dst, str) else None


def _dst_words(dst: labels.SourceType) -> Why:
    """The words for a source type; an unknown one is named through the cleaner, bounded."""
    if dst.category == "unknown":
        return "reason.unknown_st", {"term": clean_text(dst.term, 100) or "?"}
    return "reason.st", _st(dst)


def _classify_action(action: dict[str, Any], manifest_markers: list[Why]) -> tuple[bool, bool, Why | None, str]:
    """(generative, fully_generative, reason, category) for one action; category ``possibly`` marks a step
    that may hide generative AI."""
    dst = labels.classify_source_type(action_source_type(action))
    agent = clean_text(action.get("softwareAgent"))
    params = action.get("parameters") if isinstance(action.get("parameters"), dict) else {}
    description = action.get("description") or (params or {}).get("description")
    name = str(action.get("action", ""))
    inception = name in labels.INCEPTION_ACTIONS
    if dst is not None and dst.category == "generative":
        # A generative source type on c2pa.opened states what was opened (older files, and Adobe's
        # parameter form, put it there): a fully generative one makes the origin generative.
        return True, dst.fully_generative and inception, ("reason.declared", _st(dst)), "generative"
    if dst is not None and labels.generative_on_edit(dst.term, name):
        return True, False, ("reason.declared_edit", _st(dst)), "generative"
    if labels.generative_wording(description):
        return True, name == "c2pa.created", ("reason.described", {"text": clean_text(description, 80) or ""}), \
            "generative"
    product = labels.known_generator(agent)
    if product is not None:
        # Any action, not only creations: a generator named as the agent of a colour adjustment or a
        # resize did that step (README: "a known generative product as softwareAgent").
        return True, name == "c2pa.created", ("reason.made_with", {"product": product}), "generative"
    if name == "c2pa.created" and manifest_markers:
        return True, True, manifest_markers[0], "generative"
    if dst is not None and labels.possibly_generative(dst.term, name):
        where = "reason.at_creation" if inception else "reason.on_edit"
        return False, False, ("reason.possibly", {**_st(dst), "when_k": where}), "possibly"
    category = dst.category if dst is not None else "none"
    return False, False, (_dst_words(dst) if dst is not None else None), category


def _manifest_markers(manifest: dict[str, Any]) -> list[Why]:
    """Reasons, outside the actions, to call a manifest's creation generative."""
    reasons: list[Why] = []
    for assertion in _assertions(manifest):
        label = str(assertion.get("label", ""))
        if label.startswith("com.adobe.generative-ai"):
            data = assertion.get("data") if isinstance(assertion.get("data"), dict) else {}
            what = clean_text((data or {}).get("description"))
            reasons.append(("reason.adobe", {"desc": what} if what else {"desc_k": "reason.generative_ai"}))
    product = labels.known_generator(_claim_generator(manifest))
    if product is not None:
        reasons.append(("reason.claim_generator", {"product": product}))
    return reasons


def _walk(w: _Walk, label: str, depth: int, relationship: str | None,
          claim: Why | None = None) -> tuple[bool, bool]:
    """Walk one manifest and its ingredients. Returns (fully_generative_origin, any_generative).

    ``claim`` is the statement of origin a manifest above made for what it opened (a ``c2pa.opened`` that
    declares a human source type), which covers the ingredients without credentials inside that asset.
    """
    if len(w.steps) >= MAX_STEPS or depth > MAX_DEPTH:
        w.incomplete = True
        if not w.truncated:
            w.truncated = True
            w.findings.append(finding("lineage.truncated", "warning", "finding.truncated", label,
                                      depth=str(MAX_DEPTH), steps=str(MAX_STEPS)))
        return False, False
    if label in w.path:
        w.incomplete = True
        w.findings.append(finding("lineage.cycle", "warning", "finding.cycle", label))
        return False, False
    if label in w.visited:
        # Reused ingredient (the same manifest twice in a DAG): examined once, its verdict is remembered.
        return w.verdicts.get(label, (False, False))
    w.visited.add(label)
    w.path.append(label)
    try:
        result = _walk_manifest(w, label, depth, relationship, claim)
    finally:
        w.path.pop()
    w.verdicts[label] = result
    return result


#: Status codes recorded with an ingredient that are not failures of its history: success codes, an
#: untrusted signer (trust is the reader's choice, not a property of the file), and CAWG identity codes
#: (the identity assertion is reported on its own; it never voids the claim).
_RECORDED_OK_SUFFIXES = (".match", ".validated", ".trusted", ".insideValidity", ".well-formed", ".skipped")
_RECORDED_SOFT = {"signingCredential.untrusted", "timeStamp.untrusted", "signingCredential.ocsp.skipped"}


def _recorded_failures(ingredient: dict[str, Any]) -> list[dict[str, Any]]:
    """The failure codes recorded when an ingredient was added: the v2 ``validation_status`` list and the
    v3 ``validation_results`` (its ``activeManifest`` and ``ingredientDeltas``; C2PA 2.2 §15.11.3)."""
    entries: list[Any] = []
    status = ingredient.get("validation_status")
    if isinstance(status, list):
        entries += status
    results = ingredient.get("validation_results")
    if isinstance(results, dict):
        active = results.get("activeManifest")
        if isinstance(active, dict) and isinstance(active.get("failure"), list):
            entries += active["failure"]
        deltas = results.get("ingredientDeltas")
        for delta in deltas if isinstance(deltas, list) else []:
            vd = delta.get("validationDeltas") if isinstance(delta, dict) else None
            if isinstance(vd, dict) and isinstance(vd.get("failure"), list):
                entries += vd["failure"]
    out = []
    for entry in entries[:500]:
        code = entry.get("code") if isinstance(entry, dict) else None
        if not isinstance(code, str) or code in _RECORDED_SOFT or code.startswith("cawg."):
            continue
        if code.endswith(_RECORDED_OK_SUFFIXES):
            continue
        out.append(entry)
    return out


def _origin_claim(actions: list[dict[str, Any]], signer: str | None) -> Why | None:
    """The statement of origin a manifest makes for what it opened: a ``c2pa.opened`` action that declares
    a human source type (as the conformance rubric's evaluator reads a flat ingredient's origin)."""
    for action in actions:
        if action.get("action") != "c2pa.opened":
            continue
        dst = labels.classify_source_type(action_source_type(action))
        if dst is not None and dst.category == "human":
            who = {"signer": signer} if signer else {"signer_k": "reason.the_signer"}
            return "reason.states", {**_st(dst), **who}
    return None


def _flat_ingredient(w: _Walk, label: str, ingredient: dict[str, Any], rel: str, claim: Why | None,
                     depth: int, stamp: dict[str, Any], signer: str | None, title: str | None) -> bool:
    """An ingredient without Content Credentials. Returns True when it makes the history generative."""
    own = labels.classify_source_type(ingredient.get("digitalSourceType") or ingredient.get("digital_source_type"))
    if own is not None and own.category == "generative":
        w.steps.append(LineageStep(manifest=label, action=None, digital_source_type=labels.iptc_uri(own.term),
                                   software_agent=None, depth=depth, generative=True, kind="ingredient",
                                   relationship=rel, title=title, signer=signer, **stamp,
                                   **_why(("reason.ingredient_declared", _st(own)))))
        return True
    from handmade.hints import _prose_generator  # hints imports this module: a late import

    metadata = ingredient.get("metadata")
    named = [title, *[v for v in metadata.values() if isinstance(v, str)][:20]] if isinstance(metadata, dict) \
        else [title]
    product = next((p for t in named if t and (p := _prose_generator(t[:300]))), None)
    if product is not None:
        w.possibly = True
        w.steps.append(LineageStep(
            manifest=label, action=None, digital_source_type=None, software_agent=None, depth=depth,
            generative=False, possibly_generative=True, kind="ingredient", relationship=rel, title=title,
            signer=signer, **stamp,
            **_why(("reason.ingredient_names", {"product": product}))))
        return False
    if rel == "inputTo":  # C2PA 2.2 §15.11.3.3: unknownProvenance does not apply to inputTo
        reason: Why = ("reason.ingredient_input", {})
    elif own is not None and own.category == "human":
        w.claimed_origins.append(title or "untitled")
        reason = ("reason.ingredient_signer_states", _st(own))
    elif claim is not None:
        w.claimed_origins.append(title or "untitled")
        reason = ("reason.ingredient_claim", {**claim[1], "claim_k": claim[0]})
    else:
        w.unknown_origins.append(title or "untitled")
        reason = ("reason.ingredient_unknown", {})
    w.steps.append(LineageStep(manifest=label, action=None, digital_source_type=None, software_agent=None,
                               depth=depth, generative=False, kind="ingredient", relationship=rel, title=title,
                               signer=signer, **stamp, **_why(reason)))
    return False


def _redactions(w: _Walk, manifest: dict[str, Any], label: str) -> None:
    """A redacted assertion is a part of the history that cannot be examined (C2PA 2.2 §6.8); only a
    redacted thumbnail cannot hide a generative step."""
    redactions = manifest.get("redactions")
    for uri in redactions[:50] if isinstance(redactions, list) else []:
        text = clean_text(uri, 200) or "?"
        if "c2pa.thumbnail" in text:
            continue
        w.incomplete = True
        w.findings.append(finding("lineage.redacted", "warning", "finding.redacted", label, what=text))


def _walk_manifest(w: _Walk, label: str, depth: int, relationship: str | None,
                   claim: Why | None) -> tuple[bool, bool]:
    manifests = w.store.get("manifests") or {}
    manifest = manifests.get(label) if isinstance(manifests, dict) else None
    if not isinstance(manifest, dict):
        w.incomplete = True
        w.findings.append(finding("lineage.manifest_missing", "warning", "finding.manifest_missing", label))
        return False, False
    signer = _manifest_signer(manifest)
    generator = _claim_generator(manifest)
    info = manifest.get("signature_info")
    signed_at = clean_text(info.get("time"), 40) if isinstance(info, dict) else None
    stamp: dict[str, Any] = {"signed_at": signed_at, "tool": generator}
    markers = _manifest_markers(manifest)
    actions, templates, all_included = _actions(manifest)
    if not all_included:
        w.actions_incomplete = True
    _redactions(w, manifest, label)
    created_generative = False
    any_generative = False
    for action in actions:
        generative, fully, reason, category = _classify_action(action, markers)
        raw_dst = action_source_type(action)
        term = labels.normalize_source_type(raw_dst)
        if category == "unknown" and term:
            w.unknown_types.append(clean_text(term, 100) or "?")
        possibly = category == "possibly"
        w.possibly = w.possibly or possibly
        w.steps.append(LineageStep(
            manifest=label, action=clean_text(action.get("action")),
            digital_source_type=labels.iptc_uri(term) if term and category != "unknown" else clean_text(raw_dst),
            software_agent=clean_text(action.get("softwareAgent")) or generator,
            depth=depth, generative=generative, possibly_generative=possibly, kind="action",
            relationship=relationship, title=clean_text(manifest.get("title")), signer=signer, **stamp,
            **_why(reason),
        ))
        any_generative = any_generative or generative
        if generative and fully:
            created_generative = True
    for template in templates:
        term = labels.normalize_source_type(action_source_type(template))
        if term and labels.possibly_generative(term, clean_text(template.get("action"))):
            w.possibly = True
            w.steps.append(LineageStep(manifest=label, action=clean_text(template.get("action")),
                                       digital_source_type=labels.iptc_uri(term), software_agent=generator,
                                       depth=depth, generative=False, possibly_generative=True, kind="action",
                                       relationship=relationship, title=clean_text(manifest.get("title")),
                                       signer=signer, **stamp,
                                       **_why(("reason.template_possibly", {"term": clean_text(term, 60) or ""}))))
        if term and (dst := labels.classify_source_type(term)) and dst.category == "generative":
            any_generative = True
            w.steps.append(LineageStep(manifest=label, action=clean_text(template.get("action")),
                                       digital_source_type=labels.iptc_uri(dst.term), software_agent=generator,
                                       depth=depth, generative=True, kind="action", relationship=relationship,
                                       title=clean_text(manifest.get("title")), signer=signer, **stamp,
                                       **_why(("reason.template", _st(dst)))))
    if markers and not any(s.generative for s in w.steps if s.manifest == label):
        # A marker with no created action to hang it on (e.g. an edit manifest from a generator).
        any_generative = True
        w.steps.append(LineageStep(manifest=label, action=None, digital_source_type=None,
                                   software_agent=generator, depth=depth, generative=True, kind="assertion",
                                   relationship=relationship, title=clean_text(manifest.get("title")),
                                   signer=signer, **stamp, **_why(markers[0])))
    origin_generative = created_generative
    # A stated origin covers what was opened (the parent) and everything inside it, components included;
    # not what this manifest's own signer placed beside it.
    parent_claim = _origin_claim(actions, signer) or claim
    ingredients = manifest.get("ingredients")
    for ingredient in ingredients[:MAX_STEPS] if isinstance(ingredients, list) else []:
        if not isinstance(ingredient, dict):
            continue
        rel = clean_text(ingredient.get("relationship"), 40) or "componentOf"
        child = ingredient.get("active_manifest")
        title = clean_text(ingredient.get("title"))
        for status in _recorded_failures(ingredient):
            # Recorded when the ingredient was added: that part of the history did not validate then, so
            # it is not evidence of anything (and c2pa-rs does not re-validate it now).
            w.broken_ingredient = True
            code = clean_text(status.get("code"), 80) or "?"
            w.recorded.setdefault(code, []).append(
                f"{title or 'untitled'}: {clean_text(status.get('explanation'), 120) or code}")
        if not isinstance(child, str):
            covering = parent_claim if rel == "parentOf" else claim
            if _flat_ingredient(w, label, ingredient, rel, covering, depth, stamp, signer, title):
                any_generative = True
                origin_generative = origin_generative or rel == "parentOf"
            continue
        w.steps.append(LineageStep(
            manifest=label, action=None, digital_source_type=None, software_agent=None, depth=depth,
            generative=False, kind="ingredient", relationship=rel, title=title, signer=signer, **stamp,
            reason=None,
        ))
        child_origin, child_any = _walk(w, child, depth + 1, rel, parent_claim if rel == "parentOf" else claim)
        any_generative = any_generative or child_any
        if rel == "parentOf" and child_origin:
            origin_generative = True
    return origin_generative, any_generative


def _authors(manifest: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for assertion in _assertions(manifest):
        label = str(assertion.get("label", ""))
        data = assertion.get("data")
        if not isinstance(data, dict):
            continue
        if label.startswith(("cawg.metadata", "c2pa.metadata")):
            creators = data.get("dc:creator")
            for c in creators if isinstance(creators, list) else [creators]:
                if (t := clean_text(c)) is not None:
                    names.append(t)
        elif label.startswith("stds.schema-org.CreativeWork"):
            authors = data.get("author")
            for a in authors if isinstance(authors, list) else [authors]:
                if isinstance(a, dict) and (t := clean_text(a.get("name"))) is not None:
                    names.append(t)
        elif label.startswith("cawg.identity"):
            for key in ("signer_payload", "named_actor"):
                v = data.get(key)
                if isinstance(v, dict) and (t := clean_text(v.get("name"))) is not None:
                    names.append(t)
    return list(dict.fromkeys(names))


def training_permission(manifest: dict[str, Any]) -> Training:
    """``not_allowed`` | ``allowed`` | ``constrained`` | ``unspecified`` from both training labels.

    CAWG training-and-data-mining (``cawg.training-mining``) and its C2PA 1.x predecessor
    (``c2pa.training-mining``); ``constrained`` counts as not allowed for policies.
    """
    uses: list[str] = []
    for assertion in _assertions(manifest):
        label = str(assertion.get("label", ""))
        if not label.startswith(labels.TRAINING_LABELS):
            continue
        data = assertion.get("data")
        entries = data.get("entries") if isinstance(data, dict) else None
        if isinstance(entries, dict):
            uses += [str(e.get("use")) for e in entries.values() if isinstance(e, dict) and e.get("use")]
    if not uses:
        return "unspecified"
    distinct = set(uses)
    if distinct == {"notAllowed"}:
        return "not_allowed"
    if distinct == {"allowed"}:
        return "allowed"
    return "constrained"


def training_terms(manifest: dict[str, Any]) -> str | None:
    """The ``constraint_info`` of the first ``constrained`` training or mining use (CAWG
    training-and-data-mining 1.1 §5), cleaned for display; None when no constrained use states terms."""
    for assertion in _assertions(manifest):
        if not str(assertion.get("label", "")).startswith(labels.TRAINING_LABELS):
            continue
        data = assertion.get("data")
        entries = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(entries, dict):
            continue
        for entry in entries.values():
            if isinstance(entry, dict) and entry.get("use") == "constrained":
                info = entry.get("constraint_info")
                if (text := clean_text(info if isinstance(info, str) else None, 500)) is not None:
                    return text
    return None


def _human_declared(manifest: dict[str, Any]) -> bool:
    actions, templates, _ = _actions(manifest)
    for item in actions + templates:
        dst = labels.classify_source_type(action_source_type(item))
        if dst is not None and dst.category == "human":
            return True
    return False


def identity_subjects(manifest: dict[str, Any]) -> list[str]:
    """Who the CAWG identity assertions of a manifest name (X.509 signer, or the identities an identity
    claims aggregator verified), cleaned and bounded: what an editor needs beside "the identity fails"."""
    names: list[str] = []
    for assertion in _assertions(manifest):
        if not str(assertion.get("label", "")).startswith("cawg.identity"):
            continue
        data = assertion.get("data")
        if not isinstance(data, dict):
            continue
        info = data.get("signature_info")
        if isinstance(info, dict) and (t := clean_text(info.get("common_name") or info.get("issuer"), 120)):
            names.append(t)
        verified = data.get("verifiedIdentities")
        for v in verified[:10] if isinstance(verified, list) else []:
            if not isinstance(v, dict):
                continue
            provider = v.get("provider") if isinstance(v.get("provider"), dict) else {}
            who = clean_text(v.get("name") or v.get("username"), 120)
            via = clean_text((provider or {}).get("name"), 80)
            if who:
                names.append(f"{who} ({via})" if via else who)
        for key in ("signer_payload", "named_actor"):
            v = data.get(key)
            if isinstance(v, dict) and (t := clean_text(v.get("name"), 120)) is not None:
                names.append(t)
    return list(dict.fromkeys(names))[:10]


def analyse(store: dict[str, Any]) -> Lineage:
    """Walk the whole store from its active manifest and decide the AI verdict.

    Raises: nothing; malformed stores give findings, not exceptions.
    """
    w = _Walk(store=store)
    active = store.get("active_manifest")
    raw_manifests = store.get("manifests")
    manifests: dict[str, Any] = raw_manifests if isinstance(raw_manifests, dict) else {}
    if not isinstance(active, str) or active not in manifests:
        return Lineage((), "unknown", (finding("lineage.no_active", "error", "finding.no_active"),), False, (),
                       "unspecified", "unknown_origin", True)
    origin, any_generative = _walk(w, active, 0, None)
    for code, where in w.recorded.items():
        # One finding per code, however many ingredients share it (a long chain repeats the same one).
        more = {"more_k": "finding.and_more", "count": str(len(where) - 2)} if len(where) > 2 else {}
        w.findings.append(finding("ingredient.recorded_failure", "error", "finding.recorded_failure", code,
                                  status=code, where_list="; ".join(where[:2]), **more))
    if w.unknown_origins:
        titles = ", ".join(f"'{x}'" for x in list(dict.fromkeys(w.unknown_origins))[:3])
        w.findings.append(finding("ingredient.unknown_provenance", "warning", "finding.unknown_provenance",
                                  "ingredient.unknownProvenance", titles=titles))
    elif w.claimed_origins:
        titles = ", ".join(f"'{x}'" for x in list(dict.fromkeys(w.claimed_origins))[:3])
        w.findings.append(finding("ingredient.origin_claimed", "info", "finding.origin_claimed",
                                  "ingredient.unknownProvenance", titles=titles))
    if origin:
        ai: AiVerdict = "generative"
    elif any_generative:
        ai = "ai_assisted"
    elif w.possibly:
        ai = "possibly_generative"
    elif w.incomplete or w.unknown_origins:
        ai = "unknown"  # an unexamined part of the chain is never called AI-free
    elif w.unknown_types:
        ai = "unknown"
    else:
        ai = "none_declared"
    if w.unknown_types and ai in ("unknown", "possibly_generative", "none_declared"):
        w.findings.append(finding("lineage.unknown_source_type", "warning", "finding.unknown_source_type",
                                  terms=", ".join(sorted(set(w.unknown_types))[:5])))
    for code, marked in (("lineage.generative", [s for s in w.steps if s.generative]),
                         ("lineage.possibly_generative", [s for s in w.steps if s.possibly_generative])):
        # The nearest steps in words; a long chain repeats the same step at every level, so the rest are
        # counted (every one is in the lineage and the report tree).
        shown = list({describe_step(s): s for s in sorted(marked, key=lambda s: s.depth)}.items())
        for _text, step in shown[:MAX_STEP_FINDINGS]:
            w.findings.append(finding(code, "warning", "finding.step", step.manifest, **_step_params(step)))
        if (rest := len(marked) - min(len(shown), MAX_STEP_FINDINGS)) > 0:
            w.findings.append(finding(code, "warning", "finding.more_steps" if rest > 1 else "finding.more_steps1",
                                      n=str(rest)))
    if w.actions_incomplete:
        w.findings.append(finding("lineage.incomplete_history", "info", "finding.incomplete_history"))
    manifest = manifests[active]
    provenance: Provenance = ("unknown_origin" if w.unknown_origins
                              else "signer_claim" if w.claimed_origins else "signed")
    human = _human_declared(manifest) and not any_generative
    return Lineage(tuple(w.steps), ai, tuple(w.findings), human, tuple(_authors(manifest)),
                   training_permission(manifest), provenance, w.actions_incomplete, w.broken_ingredient,
                   tuple(identity_subjects(manifest)), training_terms(manifest))


def _step_params(step: LineageStep) -> dict[str, str]:
    """The catalog parameters of ``finding.step``: what the step was, with what, where, and why."""
    action = step.action or ""
    params: dict[str, str] = {"what_k": f"action.{action}" if action in _ACTION_WORDS else
                              "action.other" if action else "action.none", "action": action}
    if step.software_agent:
        params.update(tool_k="finding.step_tool", agent=step.software_agent)
    if step.depth == 0:
        params["where_k"] = "finding.step_own"
    else:
        params.update(where_k="finding.step_back" if step.depth > 1 else "finding.step_back1", depth=str(step.depth),
                      **({"title_k": "finding.step_title", "name": step.title} if step.title else {}))
    if step.reason_key:
        params.update({k: v for k, v in step.reason_params.items() if k not in params},
                      reason_k="finding.step_reason", why_k=step.reason_key)
    elif step.reason:
        params.update(reason_k="finding.step_reason", why=step.reason)
    return params


#: The actions ``describe_step`` names in words (``action.<name>`` in the catalog).
_ACTION_WORDS = ("c2pa.created", "c2pa.edited", "c2pa.opened", "c2pa.placed", "c2pa.converted")


def describe_step(step: LineageStep, lang: str = "en") -> str:
    """One sentence a picture editor understands: what the step was and why it counts as AI."""
    return t("finding.step", lang, **_step_params(step))