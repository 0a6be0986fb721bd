"""The manifest registry over HTTP: the C2PA Soft Binding Resolution API (1.0) and ``POST /v1/registry``.

Lookups (``/v1/services/supportedAlgorithms``, ``/v1/matches/byBinding``, ``/v1/matches/byContent``,
``/v1/manifests/{id}``) answer from the app's ``registry`` (``handmade.registry``; ``404 registry.off``
without one); additions need the bearer token whose SHA-256 is ``ServiceConfig.registry_token_sha256``.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from handmade import fingerprint
from handmade.errors import HandmadeError
from handmade.files import loaded_from_bytes
from handmade.fingerprint import ALG
from handmade.models import RecoveredCandidate
from handmade.recovery import candidates
from handmade.registry import Match, Registry, RegistryEntry
from handmade.text import clean_text
from handmade.web.config import ServiceConfig
from handmade.web.errors import ApiError, error_response
from handmade.web.routes import cors
from handmade.web.slots import run_in_slot
from handmade.web.uploads import read_upload


def _registry(request: Request) -> Registry:
    registry: Registry | None = request.app.state.registry
    if registry is None:
        raise ApiError(404, "registry.off", "this service keeps no manifest registry")
    return registry


def _max_results(request: Request) -> int:
    raw = request.query_params.get("maxResults", "10")
    if not raw.isdigit() or not 1 <= int(raw) <= 100:
        raise ApiError(422, "registry.max_results", "maxResults must be a whole number from 1 to 100")
    return int(raw)


def _check_alg(request: Request) -> None:
    alg = request.query_params.get("alg", ALG)
    if alg != ALG:
        raise ApiError(400, "registry.alg", f"soft binding algorithm '{clean_text(alg, 80)}' is not supported "
                                            f"here; see /v1/services/supportedAlgorithms")


def _match(manifest_id: str, alg: str, distance: int, signer: str | None, author: str | None, signed_at: str | None,
           registered_at: str, **checked: Any) -> dict[str, Any]:
    """One match as the C2PA Soft Binding Resolution API words it (manifest id, similarity score 0-100), with
    handmade's fields, and ``checked``: what byContent adds."""
    return {"manifestId": manifest_id, "similarityScore": round(100 * (64 - distance) / 64), "alg": alg,
            "distance": distance, **checked, "signer": signer, "author": author, "signedAt": signed_at,
            "registeredAt": registered_at}


def matches_payload(found: list[Match]) -> dict[str, Any]:
    """The C2PA Soft Binding Resolution API's answer: manifest ids, best first, with a similarity score."""
    return {"matches": [_match(m.entry.manifest_id, m.entry.alg, m.distance, m.entry.signer, m.entry.author,
                               m.entry.signed_at, m.entry.added_at) for m in found]}


def candidate_match(c: RecoveredCandidate) -> dict[str, Any]:
    """A byContent match: what a byBinding match says, plus the pixel check and the registered manifest's own
    verdict (``state``: ``trusted`` or ``valid``) that recovery applies before it offers a candidate."""
    return _match(c.manifest_id, c.alg, c.distance, c.signer, c.author, c.signed_at, c.registered_at,
                  resemblance=c.resemblance, state=c.state)


async def supported_algorithms(request: Request) -> Response:
    """``GET /v1/services/supportedAlgorithms``: the fingerprint this registry matches (none without one)."""
    return JSONResponse({"watermarks": [],
                         "fingerprints": [{"alg": ALG}] if request.app.state.registry is not None else []},
                        headers=cors(request))


async def by_binding(request: Request) -> Response:
    """``GET /v1/matches/byBinding?alg=io.iscc.v0&value=ISCC:...``: the manifests nearest a soft binding value."""
    try:
        reg = _registry(request)
        _check_alg(request)
        value = request.query_params.get("value")
        if not value:
            raise ApiError(400, "registry.value", "give the soft binding value: ?alg=io.iscc.v0&value=ISCC:...")
        limit = _max_results(request)
        found = await anyio.to_thread.run_sync(lambda: reg.by_binding("io.iscc.v0", value, max_results=limit))
    except ApiError as exc:
        return error_response(exc)
    except HandmadeError as exc:
        return error_response(ApiError(400, exc.code, exc.message))
    return JSONResponse(matches_payload(found), headers=cors(request))


async def by_content(request: Request) -> Response:
    """``POST /v1/matches/byContent``: the registered manifests that recovery would offer for the uploaded
    picture (``handmade.recovery.candidates``: near in fingerprint, the store proving itself against the upload
    under the service's trust configuration, its claim thumbnail alike), most alike first. An answer on the
    fingerprint alone (``byBinding``) can name an unrelated picture of the same layout; this one does not."""
    state = request.app.state
    held = [0]
    try:
        reg = _registry(request)
        _check_alg(request)
        limit = _max_results(request)
        data, name = await read_upload(request, state.config, state.admission, held)

        def look() -> list[dict[str, Any]]:
            loaded = loaded_from_bytes(data, name, max_bytes=state.config.max_upload_bytes)
            seen = fingerprint.look(loaded.data, loaded.mime, name)
            if seen is None:
                raise ApiError(415, "registry.not_picture", "films, SVG and PDF have no fingerprint")
            return [candidate_match(c) for c in candidates(loaded, seen, reg, state.config.trust, max_results=limit)]

        # Decoding an upload is the work verify's slots bound: the same slots and time limit.
        found = await run_in_slot(state.limiter, look, queue_wait_s=state.config.queue_wait_s,
                                  timeout_s=state.config.timeout_s)
    except (ApiError, HandmadeError) as exc:
        return error_response(exc)
    finally:
        state.admission.give_back(held[0])
    return JSONResponse({"matches": found}, headers=cors(request))


async def manifest_endpoint(request: Request) -> Response:
    """``GET /v1/manifests/{id}``: a registered manifest store (``application/c2pa``)."""
    try:
        reg = _registry(request)
    except ApiError as exc:
        return error_response(exc)
    manifest_id = request.path_params["manifest_id"]
    store = await anyio.to_thread.run_sync(lambda: reg.manifest(manifest_id))
    if store is None:
        return error_response(ApiError(404, "registry.unknown", "no manifest with that id in this registry"))
    return Response(store, media_type="application/c2pa", headers={**cors(request),
                    "Content-Disposition": "attachment; filename=manifest.c2pa"})


async def registry_add(request: Request) -> Response:
    """``POST /v1/registry`` with the bearer token: add a signed upload to the registry (201, or 200 if known)."""
    state = request.app.state
    config: ServiceConfig = state.config
    held = [0]
    try:
        reg = _registry(request)
        if config.registry_token_sha256 is None:
            raise ApiError(403, "registry.read_only", "this service adds nothing to its registry "
                                                      "(started without --registry-token-file)")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        presented = hashlib.sha256(token.strip().encode()).hexdigest()
        if scheme.lower() != "bearer" or not token.strip() or not hmac.compare_digest(
                presented, config.registry_token_sha256):
            raise ApiError(401, "registry.unauthorized", "adding to the registry needs its bearer token",
                           {"WWW-Authenticate": 'Bearer realm="handmade registry"'})
        data, name = await read_upload(request, config, state.admission, held)

        def add() -> tuple[RegistryEntry, bool]:
            return reg.add_loaded(loaded_from_bytes(data, name, max_bytes=config.max_upload_bytes),
                                  trust=config.trust)

        entry, added = await run_in_slot(state.limiter, add, queue_wait_s=config.queue_wait_s,
                                         timeout_s=config.timeout_s)
    except (ApiError, HandmadeError) as exc:
        return error_response(exc)
    finally:
        state.admission.give_back(held[0])
    return JSONResponse({"added": added, "entry": entry.to_dict()}, status_code=201 if added else 200)
