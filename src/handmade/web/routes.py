"""The service's endpoints: what ``/v1/verify``, the badges, the page, its files and the catalog answer.

Each endpoint is a module-level function; what the app holds (``ServiceConfig``, the verification ``limiter``,
the upload ``admission`` budget, the ``audit`` log, the ``registry``) comes from ``request.app.state``
(``handmade.web.app.create_app`` puts it there).
"""

from __future__ import annotations

import base64
import html
from functools import cache
from importlib import resources
from typing import Any

import anyio
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from handmade.label import badge_svg, decision_payload, label_payload
from handmade.messages import messages, negotiate, step_reason, text_of
from handmade.models import SCHEMA, ProvenanceReport
from handmade.policy import PRESETS, Decision, Policy, at_least_as_strict, evaluate
from handmade.report import recovered_lines, training_text, verdict
from handmade.text import clean_text
from handmade.verify import Thumbnails, inspect_bytes, thumbnails
from handmade.web.config import ServiceConfig
from handmade.web.errors import ApiError, error_response, library_error
from handmade.web.slots import run_in_slot
from handmade.web.uploads import read_upload

STATIC = "static"
_STATIC_TYPES = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8",
                 "handmade-credentials.js": "text/javascript; charset=utf-8"}


def lang_of(request: Request) -> str:
    """The request's language: ``?lang=``, else Accept-Language (``handmade.messages.negotiate``)."""
    return negotiate(request.query_params.get("lang"), request.headers.get("accept-language", ""))


def cors(request: Request) -> dict[str, str]:
    """CORS headers for a browser call from a page of another origin listed in ``cors_origins``."""
    origins: tuple[str, ...] = request.app.state.config.cors_origins
    origin = request.headers.get("origin")
    if not origin or not origins:
        return {}
    if "*" in origins:
        return {"Access-Control-Allow-Origin": "*"}
    if origin in origins:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {}


def choose_policy(config: ServiceConfig, name: str | None) -> Policy:
    """The policy for one call: the service's, or the preset ``?policy=`` names when it is at least as strict
    (or listed in ``client_policies``). Raises: ApiError 422 ``policy.unknown``, 403 ``policy.looser``."""
    if name is None:
        return config.policy
    if name not in PRESETS:
        raise ApiError(422, "policy.unknown", f"unknown policy '{clean_text(name, 40)}'; one of {', '.join(PRESETS)}")
    chosen = PRESETS[name]
    if name not in config.client_policies and not at_least_as_strict(chosen, config.policy):
        raise ApiError(403, "policy.looser", f"policy '{name}' would accept files that this service's policy "
                                             f"'{config.policy.name}' refuses; ?policy= may only tighten it")
    return chosen


def _data_uri(mime: str, blob: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(blob).decode()}"


def thumbnails_payload(pictures: Thumbnails) -> dict[str, Any]:
    """``?thumbnails=1``: a preview of formats browsers do not show, and the ingredients' thumbnails, as
    ``data:`` URIs (the page's CSP allows them for images only)."""
    return {"preview": _data_uri("image/jpeg", pictures.preview) if pictures.preview else None,
            "ingredients": [{"title": clean_text(title, 200) or "", "src": _data_uri(mime, blob)}
                            for title, mime, blob in pictures.ingredients]}


def result_payload(report: ProvenanceReport, decision: Decision, lang: str) -> dict[str, Any]:
    """One result: the report (handmade.report/v2), the policy decision, and the verdict in words."""
    result = report.to_dict()
    result["policy"] = decision.to_dict()
    if lang != "en":  # the same keys; each finding's, reason's and hint's words in the request's language
        _in_language(result, report, decision, lang)
    result["verdict"] = verdict(report, lang)
    result["training_text"] = training_text(report, lang)
    result["recovered_text"] = recovered_lines(report, lang)
    return result


def _in_language(result: dict[str, Any], report: ProvenanceReport, decision: Decision, lang: str) -> None:
    """Put the messages of ``result`` (a report's ``to_dict``) in ``lang``: findings, policy reasons, hints and
    the reason of each lineage step. Codes, fields and values stay as they are."""
    for out, item in zip(result["findings"], report.findings, strict=True):
        out["message"] = text_of(item, lang)
    for out, reason in zip(result["policy"]["reasons"], decision.reasons, strict=True):
        out["message"] = text_of(reason, lang)
    for out, hint in zip(result["hints"], report.hints, strict=True):
        out["message"] = text_of(hint, lang)
    for out, step in zip(result["lineage"], report.lineage, strict=True):
        out["reason"] = step_reason(step, lang)


async def verify_endpoint(request: Request) -> Response:
    """``POST /v1/verify``: one upload's report and the policy's decision (``OPTIONS``: a CORS preflight)."""
    if request.method == "OPTIONS":  # a CORS preflight (a raw-body POST from another origin's page)
        headers = cors(request)
        if headers:
            headers.update({"Access-Control-Allow-Methods": "POST", "Access-Control-Max-Age": "600",
                            "Access-Control-Allow-Headers": "content-type, x-filename"})
        return Response(status_code=204, headers=headers)
    held = [0]
    try:
        response = await _verify(request, lang_of(request), held)
    finally:
        request.app.state.admission.give_back(held[0])
    response.headers.update(cors(request))
    return response


async def _verify(request: Request, lang: str, held: list[int]) -> Response:
    state = request.app.state
    config: ServiceConfig = state.config
    try:
        policy = choose_policy(config, request.query_params.get("policy"))
        data, name = await read_upload(request, config, state.admission, held)
        want_thumbnails = request.query_params.get("thumbnails") in ("1", "true")
        want_label = request.query_params.get("label") in ("1", "true")
        pictures: dict[str, Thumbnails] = {}

        def job() -> ProvenanceReport:
            found = inspect_bytes(data, name, trust=config.trust, allow_remote=config.allow_remote,
                                  max_bytes=config.max_upload_bytes, registry=config.registry_db)
            if want_thumbnails and found.state != "error":  # in the same slot and time limit
                pictures["thumbnails"] = thumbnails(data, name, max_pixels=config.max_pixels)
            return found

        report = await run_in_slot(state.limiter, job, queue_wait_s=config.queue_wait_s, timeout_s=config.timeout_s)
    except ApiError as exc:
        return error_response(exc)
    if report.state == "error" and report.error is not None:
        return error_response(library_error(report.error.code, report.error.message))
    decision = evaluate(policy, report)
    audit = state.audit
    if audit is not None:
        await anyio.to_thread.run_sync(lambda: audit.record(report, decision, name))
    result = result_payload(report, decision, lang)
    if "thumbnails" in pictures:
        result["thumbnails"] = thumbnails_payload(pictures["thumbnails"])
    if want_label:
        result["label"] = label_payload(report, lang)
    return JSONResponse({"schema": SCHEMA, "results": [result], "accepted": decision.accepted,
                         "policy": decision.policy, "reasons": result["policy"]["reasons"]})


async def badge_endpoint(request: Request) -> Response:
    """``GET /v1/badge/{sha256}.svg`` (or ``.json``): the badge of the latest decision recorded for that file.

    Without an audit log nothing is recorded: the answer is the "not checked by this service" badge
    with 404 (``badge.no_log``), as for a file never checked (``badge.unknown``).
    """
    audit = request.app.state.audit
    name = request.path_params["name"]
    digest, _, ext = name.lower().partition(".")
    lang = lang_of(request)
    allowed = cors(request)
    headers = {"Cache-Control": "no-cache", **allowed,
               "Vary": "Accept-Language, Origin" if "Vary" in allowed else "Accept-Language"}
    if ext not in ("svg", "json") or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        error = error_response(ApiError(400, "badge.bad_name", "expected /v1/badge/<64 hex digits>.svg or .json"))
        error.headers.update(headers)
        return error
    row = None
    if audit is not None:
        row = await anyio.to_thread.run_sync(lambda: audit.latest(digest))
    payload = decision_payload(row, lang, log=audit is not None)
    status = 200 if row is not None else 404
    code = None if row is not None else ("badge.unknown" if audit is not None else "badge.no_log")
    if ext == "json":
        return JSONResponse({"schema": "handmade.badge/v1", "sha256": digest, "code": code, **payload},
                            status_code=status, headers=headers)
    svg = badge_svg(payload["kind"], payload["headline"], payload["subline"])
    return Response(svg, status_code=status, media_type="image/svg+xml", headers={
        **headers, "Content-Security-Policy": "default-src 'none'"})


async def index(request: Request) -> Response:
    """``GET /``: the editors' page, in the request's language."""
    policy: Policy = request.app.state.config.policy
    page = resources.files("handmade.web").joinpath(STATIC, "index.html").read_text(encoding="utf-8")
    page = page.replace("{{lang}}", lang_of(request)).replace("{{policy}}", html.escape(policy.name, quote=True))
    return HTMLResponse(page, headers={
        "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; "
                                   "script-src 'self'; connect-src 'self'; object-src 'none'; "
                                   "base-uri 'none'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Vary": "Accept-Language"})


async def static(request: Request) -> Response:
    """``GET /static/{name}``: the page's script, style sheet and web component."""
    name = request.path_params["name"]
    if name not in _STATIC_TYPES:
        return error_response(ApiError(404, "not_found", "no such file"))
    body = resources.files("handmade.web").joinpath(STATIC, name).read_bytes()
    return Response(body, media_type=_STATIC_TYPES[name], headers={"X-Content-Type-Options": "nosniff"})


async def healthz(request: Request) -> Response:
    # Liveness only: the version, policy and trust anchors tell an attacker what to aim at.
    return JSONResponse({"status": "ok"})


@cache
def openapi_bytes() -> bytes:
    """The OpenAPI 3.1 description of the API: ``handmade/web/openapi.json``, as shipped."""
    return resources.files("handmade.web").joinpath("openapi.json").read_bytes()


async def openapi(request: Request) -> Response:
    return Response(openapi_bytes(), media_type="application/json")


async def catalog(request: Request) -> Response:
    # The page's words: the whole message catalog in one language (a new language is one more column).
    lang = lang_of(request)
    return JSONResponse({"lang": lang, "messages": messages(lang)},
                        headers={"Vary": "Accept-Language", "Cache-Control": "max-age=3600"})


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (404, 405) and any uncaught exception (500), in the service's JSON shape."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    code = {404: "not_found", 405: "method_not_allowed"}.get(status, "http.error" if status < 500 else "internal")
    message = exc.detail if isinstance(exc, HTTPException) and status < 500 else "internal error"
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else None
    return error_response(ApiError(status, code, str(message), headers))
