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
- ``unknown``: nothing generative found, but part of the chain could not be examined (too deep, a
  cycle, a missing ingredient manifest) or uses an unrecognised source type;
- ``none_declared``: a readable chain that declares no generative step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from handmade import labels
from handmade.models import AiVerdict, Finding, LineageStep, Training

MAX_DEPTH = 64
MAX_STEPS = 5000

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
    incomplete: bool = False  # part of the chain could not be examined (too deep, cycle, missing)


@dataclass(frozen=True)
class Lineage:
    """The result of a walk: the steps, the AI verdict, and what the active manifest claims."""

    steps: tuple[LineageStep, ...]
    ai: AiVerdict
    findings: tuple[Finding, ...]
    human_declared: bool
    authors: tuple[str, ...]
    training: Training
    #: The terms of a ``constrained`` training permission (CAWG ``constraint_info``), if stated.
    training_terms: str | None = None


def clean_text(value: Any, limit: int = 300) -> str | None:
    """A display string for an untrusted value (manifest or metadata): control and format characters
    removed, white space folded, length bounded; None when nothing printable is left."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, dict):
        name = value.get("name")
        version = value.get("version")
        value = f"{name} {version}" if name and version else name
        if value is None:
            return None
    text = str(value)
    if not text.isprintable():  # the common case (all printable) skips the per-character pass
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())
    return text[:limit] if text else None


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


def _classify_action(action: dict[str, Any], manifest_markers: list[str]) -> tuple[bool, bool, str | None, str]:
    """(generative, fully_generative, reason, category) for one action."""
    dst = labels.classify_source_type(action_source_type(action))
    agent = clean_text(action.get("softwareAgent"))
    params = action.get("parameters") if isinstance(action.get("parameters"), dict) else {}
    description = action.get("description") or (params or {}).get("description")
    name = str(action.get("action", ""))
    if dst is not None and dst.category == "generative":
        return True, dst.fully_generative, f"declared as {dst.en} ({dst.term})", "generative"
    if labels.generative_wording(description):
        return True, name == "c2pa.created", f"described as \"{clean_text(description, 80)}\"", "generative"
    product = labels.known_generator(agent)
    if product is not None and name in ("c2pa.created", "c2pa.edited", "c2pa.placed", "c2pa.converted"):
        return True, name == "c2pa.created", f"made with {product}, a generative-AI product", "generative"
    if name == "c2pa.created" and manifest_markers:
        return True, True, manifest_markers[0], "generative"
    category = dst.category if dst is not None else "none"
    return False, False, (dst.en if dst is not None else None), category


def _manifest_markers(manifest: dict[str, Any]) -> list[str]:
    """Reasons, outside the actions, to call a manifest's creation generative."""
    reasons = []
    for assertion in _assertions(manifest):
        label = str(assertion.get("label", ""))
        if label.startswith("com.adobe.generative-ai"):
            data = assertion.get("data") if isinstance(assertion.get("data"), dict) else {}
            what = clean_text((data or {}).get("description")) or "generative AI"
            reasons.append(f"Adobe's generative-AI assertion ({what})")
    product = labels.known_generator(_claim_generator(manifest))
    if product is not None:
        reasons.append(f"signed by the claim generator of {product}, a generative-AI product")
    return reasons


def _walk(w: _Walk, label: str, depth: int, relationship: str | None) -> tuple[bool, bool]:
    """Walk one manifest and its ingredients. Returns (fully_generative_origin, any_generative)."""
    if len(w.steps) >= MAX_STEPS or depth > MAX_DEPTH:
        w.incomplete = True
        if not w.truncated:
            w.truncated = True
            w.findings.append(Finding("lineage.truncated", "warning",
                                      f"The edit chain is deeper or longer than {MAX_DEPTH} levels / "
                                      f"{MAX_STEPS} steps; the rest was not examined.", label))
        return False, False
    if label in w.path:
        w.incomplete = True
        w.findings.append(Finding("lineage.cycle", "warning",
                                  "An ingredient points back to a manifest already in the chain; "
                                  "the loop was not followed.", label))
        return False, False
    if label in w.visited:
        # Reused ingredient (the same manifest twice in a DAG): examined once, its verdict is remembered.
        return w.verdicts.get(label, (False, False))
    w.visited.add(label)
    w.path.append(label)
    try:
        result = _walk_manifest(w, label, depth, relationship)
    finally:
        w.path.pop()
    w.verdicts[label] = result
    return result


def _walk_manifest(w: _Walk, label: str, depth: int, relationship: str | None) -> tuple[bool, bool]:
    manifests = w.store.get("manifests") or {}
    manifest = manifests.get(label) if isinstance(manifests, dict) else None
    if not isinstance(manifest, dict):
        w.incomplete = True
        w.findings.append(Finding("lineage.manifest_missing", "warning",
                                  "An ingredient names a manifest that is not in the file.", label))
        return False, False
    signer = _manifest_signer(manifest)
    generator = _claim_generator(manifest)
    info = manifest.get("signature_info")
    signed_at = clean_text(info.get("time"), 40) if isinstance(info, dict) else None
    stamp = {"signed_at": signed_at, "tool": generator}
    markers = _manifest_markers(manifest)
    actions, templates, _ = _actions(manifest)
    created_generative = False
    any_generative = False
    for action in actions:
        generative, fully, reason, category = _classify_action(action, markers)
        raw_dst = action_source_type(action)
        term = labels.normalize_source_type(raw_dst)
        if category == "unknown" and term:
            w.unknown_types.append(term)
        w.steps.append(LineageStep(
            manifest=label, action=clean_text(action.get("action")),
            digital_source_type=labels.iptc_uri(term) if term and category != "unknown" else clean_text(raw_dst),
            software_agent=clean_text(action.get("softwareAgent")) or generator,
            depth=depth, generative=generative, kind="action", relationship=relationship,
            title=clean_text(manifest.get("title")), signer=signer, **stamp, reason=reason,
        ))
        any_generative = any_generative or generative
        if generative and fully and action.get("action") == "c2pa.created":
            created_generative = True
    for template in templates:
        term = labels.normalize_source_type(action_source_type(template))
        if term and (dst := labels.classify_source_type(term)) and dst.category == "generative":
            any_generative = True
            w.steps.append(LineageStep(manifest=label, action=clean_text(template.get("action")),
                                       digital_source_type=labels.iptc_uri(dst.term), software_agent=generator,
                                       depth=depth, generative=True, kind="action", relationship=relationship,
                                       title=clean_text(manifest.get("title")), signer=signer, **stamp,
                                       reason=f"declared for all actions as {dst.en}"))
    if markers and not any(s.generative for s in w.steps if s.manifest == label):
        # A marker with no created action to hang it on (e.g. an edit manifest from a generator).
        any_generative = True
        w.steps.append(LineageStep(manifest=label, action=None, digital_source_type=None,
                                   software_agent=generator, depth=depth, generative=True, kind="assertion",
                                   relationship=relationship, title=clean_text(manifest.get("title")),
                                   signer=signer, **stamp, reason=markers[0]))
    origin_generative = created_generative
    ingredients = manifest.get("ingredients")
    for ingredient in ingredients if isinstance(ingredients, list) else []:
        if not isinstance(ingredient, dict):
            continue
        rel = clean_text(ingredient.get("relationship")) or "componentOf"
        child = ingredient.get("active_manifest")
        w.steps.append(LineageStep(
            manifest=label, action=None, digital_source_type=None, software_agent=None, depth=depth,
            generative=False, kind="ingredient", relationship=rel, title=clean_text(ingredient.get("title")),
            signer=signer, **stamp, reason=None if child else "ingredient without Content Credentials",
        ))
        for status in ingredient.get("validation_status") or []:
            code = status.get("code") if isinstance(status, dict) else None
            if code and not str(code).endswith((".match", ".validated", ".trusted", ".insideValidity")) \
                    and code != "signingCredential.untrusted":
                # Recorded when the ingredient was added: history, not a failure of this file.
                w.findings.append(Finding("ingredient.recorded_status", "warning",
                                          f"When ingredient '{clean_text(ingredient.get('title'))}' was added, it "
                                          f"had a problem: {clean_text(status.get('explanation')) or code}",
                                          str(code)))
        if isinstance(child, str):
            child_origin, child_any = _walk(w, child, depth + 1, rel)
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


def analyse(store: dict[str, Any]) -> Lineage:
    """Walk the whole store from its active manifest and decide the AI verdict.

    Raises: nothing; malformed stores give findings, not exceptions.
    """
    w = _Walk(store=store)
    active = store.get("active_manifest")
    raw_manifests = store.get("manifests")
    manifests: dict[str, Any] = raw_manifests if isinstance(raw_manifests, dict) else {}
    if not isinstance(active, str) or active not in manifests:
        return Lineage((), "unknown", (Finding("lineage.no_active", "error",
                                                "The file has manifests but no readable active manifest.",
                                                None),), False, (), "unspecified")
    origin, any_generative = _walk(w, active, 0, None)
    if origin:
        ai: AiVerdict = "generative"
    elif any_generative:
        ai = "ai_assisted"
    elif w.incomplete:
        ai = "unknown"  # an unexamined part of the chain is never called AI-free
    elif w.unknown_types:
        ai = "unknown"
        w.findings.append(Finding("lineage.unknown_source_type", "warning",
                                  "The chain uses a digital source type handmade does not know: "
                                  + ", ".join(sorted(set(w.unknown_types))[:5]), None))
    else:
        ai = "none_declared"
    for step in w.steps:
        if step.generative:
            w.findings.append(Finding("lineage.generative", "warning", describe_step(step), step.manifest))
    manifest = manifests[active]
    human = _human_declared(manifest) and not any_generative
    return Lineage(tuple(w.steps), ai, tuple(w.findings), human, tuple(_authors(manifest)),
                   training_permission(manifest), training_terms(manifest))


def describe_step(step: LineageStep) -> str:
    """One sentence a picture editor understands: what the step was and why it counts as AI."""
    where = "in this image's own manifest" if step.depth == 0 else (
        f"in an ingredient{' (' + step.title + ')' if step.title else ''}, {step.depth} level"
        f"{'s' if step.depth > 1 else ''} back")
    what = {
        "c2pa.created": "Created",
        "c2pa.edited": "Edited",
        "c2pa.opened": "Opened",
        "c2pa.placed": "Placed an element",
        "c2pa.converted": "Converted",
    }.get(step.action or "", step.action or "A step")
    tool = f" with {step.software_agent}" if step.software_agent else ""
    reason = f": {step.reason}" if step.reason else ""
    return f"{what}{tool} {where}{reason}."
