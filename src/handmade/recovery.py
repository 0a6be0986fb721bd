"""Recovery: registered originals for a file that lost its manifest (README, "Copies without credentials").

A file without a manifest, or whose manifest does not validate, is fingerprinted and looked up in the
registry. A registered entry is offered as a candidate only if its stored manifest store proves itself,
offline, under the caller's trust configuration:

- c2pa-rs validates the stored store against the file's bytes: its claim signature must be validated, and
  the only failures allowed are the hard binding's mismatch (these pixels are not the signed ones, which is
  the point) and an untrusted signer (then the candidate's own state is ``valid``, not ``trusted``);
- the store's active manifest is the registered one, and carries the registered soft binding value;
- the copy's pixels resemble the registered manifest's own claim thumbnail (read from the store by c2pa-rs): the
  correlation of their grey levels at 64x64 (``fingerprint.resemblance``) is at least ``MIN_RESEMBLANCE``. A
  fingerprint is 64 bits of a 32x32 picture: unrelated pictures of the same layout (a faint galaxy on black,
  another one) can fall within the threshold, and their pixels then disagree (bench/registry.py measures both).
  A registered manifest without a claim thumbnail cannot be checked so, and is offered only within
  ``UNCHECKED_THRESHOLD`` bits.
A forged or altered row (a store whose signature does not verify, an assertion changed, a value that its
manifest does not carry) is never offered, nor a store one of whose signers a label authority you trust has
revoked (its CRL, as for an embedded manifest).

A candidate never changes the file's own ``state``, ``ai`` or ``human_authored``; a policy accepts one only
with ``accept_recovered``.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from handmade import _c2pa
from handmade import trust as _trust
from handmade.errors import HandmadeError
from handmade.files import LoadedFile
from handmade.fingerprint import ALG, DEFAULT_THRESHOLD, MIN_RESEMBLANCE, Look, body, look, resemblance, soft_bindings
from handmade.lineage import analyse
from handmade.messages import finding
from handmade.models import ProvenanceReport, RecoveredCandidate

if TYPE_CHECKING:
    from handmade.registry import Registry

log = logging.getLogger(__name__)

__all__ = ["MAX_CANDIDATES", "MAX_EXAMINED", "UNCHECKED_THRESHOLD", "candidates", "check_candidate", "offered", "rank",
           "recover"]

#: Candidates shown at most (two at similar distance are both shown).
MAX_CANDIDATES = 5
#: Registry entries examined at most for one lookup, nearest first: each costs a validation of its stored store
#: and a thumbnail decode (a few ms), and a lookup of the service (``byContent``, ``maxResults`` up to 100) must
#: stay cheap even where many registered pictures share a layout.
MAX_EXAMINED = 20
#: A registered manifest without a claim thumbnail (its pixels cannot be compared) is offered only this near.
UNCHECKED_THRESHOLD = 4
#: Failures of a stored store checked against a copy that still let it be offered.
_BINDING = {"assertion.dataHash.mismatch", "assertion.bmffHash.mismatch", "assertion.boxesHash.mismatch",
            "assertion.collectionHash.mismatch"}
_UNTRUSTED = "signingCredential.untrusted"


def check_candidate(data: bytes, mime: str, store: bytes, manifest_id: str, value: str,
                    config: _trust.TrustConfig, seen: Look | None = None) -> dict[str, Any] | None:
    """The registered manifest's own verdict (state, ai, human_authored, test_identity, training) and the copy's
    ``resemblance`` to its claim thumbnail (None without ``seen``, the copy's ``Look``, or without a
    thumbnail) when the store proves itself against ``data`` (see the module docstring), else None. Never raises
    for a bad store."""
    from handmade.verify import _test_identity

    try:
        raw = _c2pa.read_store_against(data, mime, store, trust=config.settings(), trust_key=config.key,
                                       with_thumbnail=seen is not None)
    except HandmadeError as exc:
        log.info("registered manifest %s unreadable: %s", manifest_id, exc.message)
        return None
    doc = raw.store
    if doc.get("active_manifest") != manifest_id:
        return None
    results = doc.get("validation_results") or {}
    active_results = results.get("activeManifest") or {}
    failures = {str(f.get("code")) for f in active_results.get("failure") or [] if isinstance(f, dict)}
    successes = {str(f.get("code")) for f in active_results.get("success") or [] if isinstance(f, dict)}
    if "claimSignature.validated" not in successes or not failures <= _BINDING | {_UNTRUSTED}:
        return None
    for delta in results.get("ingredientDeltas") or []:
        if isinstance(delta, dict) and (delta.get("validationDeltas") or {}).get("failure"):
            return None
    manifest = (doc.get("manifests") or {}).get(manifest_id) or {}
    if (ALG, value) not in soft_bindings(manifest):
        return None
    # A label authority's member revoked anywhere in the registered history (c2pa-rs checks OCSP only, handmade
    # the authorities' CRLs): that manifest no longer proves anything, so it is not offered.
    from handmade.verify import history_revocation

    manifests = doc.get("manifests") or {}
    if history_revocation(LoadedFile("<candidate>", data, mime), config, manifests if isinstance(manifests, dict)
                          else {}, manifest_id, False, store=store) is not None:
        log.info("registered manifest %s not offered: a signer of its history is revoked", manifest_id)
        return None
    state = "valid" if _UNTRUSTED in failures else "trusted"
    if state == "trusted" and _vouched_only_after_freeze(data, mime, store, manifest, successes, config):
        state = "valid"
    alike = _resemblance(raw.claim_thumbnail, seen) if seen is not None else None
    lineage = analyse(doc)
    human = lineage.human_declared and lineage.ai == "none_declared" and lineage.provenance != "unknown_origin"
    return {"state": state, "ai": lineage.ai, "human_authored": human,
            "test_identity": _test_identity(manifest), "training": lineage.training, "resemblance": alike}


def _vouched_only_after_freeze(data: bytes, mime: str, store: bytes, manifest: dict[str, Any], successes: set[str],
                               config: _trust.TrustConfig) -> bool:
    """The frozen interim list's rule, as for an embedded manifest (``verify._trust_verdict``): a frozen list
    vouches only for what a trusted timestamp shows was signed before it froze. True when only such a list
    vouches for this trusted candidate's signer, and nothing shows it signed in time: then nobody vouches."""
    from handmade.verify import _signer

    frozen = [s for s in config.sources if s.frozen and s.id in config.signer_sources()]
    if not frozen:
        return False
    signer = _signer(manifest)
    signed = _trust.parse_time(signer.signed_at) if signer and "timeStamp.trusted" in successes else None
    if signed is not None and all((f := _trust.parse_time(s.frozen)) is not None and signed < f for s in frozen):
        return False
    others = config.without(s.id for s in frozen)
    try:
        raw = _c2pa.read_store_against(data, mime, store, trust=others.settings(), trust_key=others.key)
    except HandmadeError:
        return True
    active = (raw.store.get("validation_results") or {}).get("activeManifest") or {}
    return not any(isinstance(f, dict) and f.get("code") == "signingCredential.trusted"
                   for f in active.get("success") or [])


def offered(distance: int, alike: float | None) -> bool:
    """Whether a candidate whose store proved itself is offered: its claim thumbnail resembles the copy
    (``MIN_RESEMBLANCE``), or it has none and its fingerprint is within ``UNCHECKED_THRESHOLD`` bits."""
    return alike >= MIN_RESEMBLANCE if alike is not None else distance <= UNCHECKED_THRESHOLD


def rank(distance: int, alike: float | None) -> tuple[bool, float, int]:
    """The order of candidates: the most alike first (same-scene originals can be equally near in bits), then
    those without a thumbnail, each by fingerprint distance."""
    return alike is None, -(alike or 0.0), distance


#: A claim thumbnail is small (handmade's: 512 px; c2pa-rs's default: 1024); one whose header announces more
#: pixels than this is not decoded (a registrant's signed store could carry a bomb): it is as if it had none.
MAX_THUMBNAIL_PIXELS = 4_000_000


def _resemblance(thumbnail: bytes | None, copy: Look) -> float | None:
    """How much a claim thumbnail resembles the copy (its ``Look``); None without a thumbnail Pillow
    decodes within ``MAX_THUMBNAIL_PIXELS``."""
    from handmade.files import too_many_pixels

    if thumbnail is None or too_many_pixels(thumbnail, MAX_THUMBNAIL_PIXELS) is not None:
        return None
    try:
        seen = look(thumbnail)
    except HandmadeError:
        return None
    return None if seen is None else round(resemblance(seen, copy), 3)


def candidates(loaded: LoadedFile, seen: Look, registry: Registry, config: _trust.TrustConfig, *,
               max_distance: int = DEFAULT_THRESHOLD, max_results: int = MAX_CANDIDATES) -> list[RecoveredCandidate]:
    """The registered originals offered for ``loaded`` (whose ``Look`` is ``seen``), most alike first, at most
    ``max_results``: of the nearest ``MAX_EXAMINED`` (at most) within ``max_distance`` bits, those whose store
    proves itself against these bytes under ``config`` and whose claim thumbnail resembles them (``offered``).
    Recovery and the service's ``/v1/matches/byContent`` both answer with this rule.

    Raises: HandmadeError when the registry cannot be read.
    """
    found: list[RecoveredCandidate] = []
    examined = min(max_results * 4, MAX_EXAMINED)
    for match in registry.nearest(seen.fingerprint.bits, max_distance=max_distance, max_results=examined):
        entry = match.entry
        store = registry.manifest(entry.manifest_id)
        if store is None or body(entry.value) != entry.bits:
            continue
        verdict = check_candidate(loaded.data, loaded.mime, store, entry.manifest_id, entry.value, config, seen)
        if verdict is None:
            log.info("registry entry %s not offered: its manifest does not prove itself", entry.manifest_id)
            continue
        if not offered(match.distance, verdict["resemblance"]):
            log.info("registry entry %s not offered: %d bits away, its thumbnail %s alike", entry.manifest_id,
                     match.distance, verdict["resemblance"])
            continue
        found.append(RecoveredCandidate(
            manifest_id=entry.manifest_id, alg=entry.alg, value=entry.value, distance=match.distance,
            signer=entry.signer, author=entry.author, signed_at=entry.signed_at, registered_at=entry.added_at,
            **verdict))
    found.sort(key=lambda c: rank(c.distance, c.resemblance))
    return found[:max_results]


def recover(loaded: LoadedFile, report: ProvenanceReport, registry_url: str, *, trust: Any = None,
            max_distance: int = DEFAULT_THRESHOLD, max_results: int = MAX_CANDIDATES) -> ProvenanceReport:
    """``report`` with the registered originals that match ``loaded`` in ``recovered`` (most alike first), when it
    has no manifest or its manifest does not validate; otherwise ``report`` unchanged. Nothing else of the
    report changes, but a finding when the registry cannot be used. Never raises."""
    from handmade.registry import open_registry

    if report.state not in ("no_manifest", "invalid"):
        return report
    try:
        seen = look(loaded.data, loaded.mime, loaded.path)
    except HandmadeError:
        return report  # not a picture Pillow decodes: nothing to look up
    if seen is None:
        return report
    try:
        found = candidates(loaded, seen, open_registry(registry_url), _trust.resolve(trust),
                           max_distance=max_distance, max_results=max_results)
    except HandmadeError as exc:
        failed = finding("registry.lookup_failed", "warning", "finding.registry_failed", None,
                         message=exc.message[:300])
        return replace(report, findings=(*report.findings, failed))
    return replace(report, recovered=tuple(found))
