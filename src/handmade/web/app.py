"""The upload-checking service: a JSON API and a web page for editors, on Starlette.

Routes: ``POST /v1/verify`` (multipart field ``file`` or a raw body), ``GET /`` (the page), ``GET /healthz``,
``GET /openapi.json`` (the static ``openapi.json`` beside this module). It uses only handmade's public API, so
the same policy code decides here and in ``handmade verify``.

Limits against abuse, each answered with a JSON error ``{"error": {"code", "message"}}``:
- upload size (``413 input.too_large``), checked on Content-Length and again while the body streams in;
- pixels (``413 input.too_many_pixels``), read from the header only, never decoded;
- not an image (``415 input.not_image``), an empty or missing upload (``422``);
- verifications at once (``503 service.busy`` with Retry-After after a short wait for a slot);
- bytes of uploads held in memory at once: twice ``max_concurrent`` full-size uploads, taken chunk by
  chunk as bodies arrive (``handmade.web.guard.ByteBudget``), so a slow client holds only what it sent;
  when it is spent a chunk waits briefly, then its request gets ``503``;
- slow clients: headers within ``header_timeout_s`` (else the connection is closed), a body with no byte
  for ``body_idle_timeout_s`` or not complete within ``body_timeout_s`` gets ``408 input.timeout``, and at
  most ``max_connections`` connections are held open (``handmade.web.guard``);
- time per verification (``504 service.timeout``).
Uploads stay in memory and are never written to disk: multipart bodies are parsed in memory here (Starlette's
form parser would spool parts over 1 MB to a temporary file).

A verification that times out keeps its slot until its worker thread really ends, so timed-out work cannot
pile up beyond ``max_concurrent`` threads.

Workers are stateless: run several (``--workers``) or several hosts behind any load balancer; only the audit
log is shared (SQLite on one host; PostgreSQL, a ``postgresql://`` URL, for several: ``handmade.storage``).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import os
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from typing import Any, TypeVar

import anyio
from python_multipart.exceptions import ParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

import handmade
from handmade.files import too_many_pixels
from handmade.label import badge_svg, decision_payload, label_payload
from handmade.lineage import clean_text
from handmade.messages import messages, negotiate, step_reason, text_of
from handmade.models import ProvenanceReport
from handmade.policy import PRESETS, Decision, Policy, at_least_as_strict, evaluate, load_policy, policy_from_mapping
from handmade.registry import Registry, RegistryEntry, open_registry
from handmade.report import recovered_lines, training_text, verdict
from handmade.trust import TrustConfig, TrustSource
from handmade.trust import resolve as resolve_trust
from handmade.trust import standard as standard_trust
from handmade.verify import Thumbnails, inspect_bytes, thumbnails
from handmade.web.audit import AuditLog
from handmade.web.guard import (
    BodyTimeout,
    BudgetExhausted,
    ByteBudget,
    SecurityHeaders,
    configure,
    read_body,
    uvicorn_options,
)

_T = TypeVar("_T")
STATIC = "static"
MULTIPART_SLACK = 64 * 1024  # headers and boundaries around the file in a multipart body
MAX_BOUNDARY = 256  # python-multipart refuses longer ones (RFC 2046 allows 70)
MAX_PARTS = 8  # a multipart body with more parts than this is not an upload from our page or a script
RETRY_AFTER_S = 2


@dataclass(frozen=True)
class ServiceConfig:
    """Everything the service needs; frozen, so a running app cannot be reconfigured by accident.

    ``trust`` is the trust configuration (the shipped C2PA lists by default; a ``TrustAnchors`` is added on top
    of them). ``?policy=`` may only tighten ``policy``, except for the presets named in ``client_policies``.
    ``audit_db`` is a SQLite path, ``sqlite:///path`` or ``postgresql://`` URL (None: no audit log).
    ``queue_wait_s`` is how long a request waits for one of the ``max_concurrent`` verification slots (or for
    room in the upload memory budget) before ``503 service.busy``. Slow clients: ``header_timeout_s`` for a
    request's headers, ``body_idle_timeout_s`` between two pieces of a body and ``body_timeout_s`` for all of it,
    at most ``max_connections`` connections open per process (see ``handmade.web.guard``).
    """

    trust: TrustConfig = field(default_factory=standard_trust)
    policy: Policy = field(default_factory=lambda: PRESETS["handmade"])
    client_policies: tuple[str, ...] = ()  # presets callers may pick with ?policy= even if looser
    audit_db: str | None = None
    max_upload_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 100_000_000
    timeout_s: float = 30.0
    max_concurrent: int = 4
    queue_wait_s: float = 2.0
    allow_remote: bool = False
    header_timeout_s: float = 10.0
    body_idle_timeout_s: float = 15.0
    body_timeout_s: float = 120.0
    max_connections: int = 512
    #: Origins (``https://news.example``, or ``*``) whose pages may call the API from a browser (CORS): the
    #: ``<handmade-credentials>`` component on a press site. Empty: same-origin only.
    cors_origins: tuple[str, ...] = ()
    #: A manifest registry (``handmade.registry``): uploads without valid credentials are looked up there, and the
    #: soft binding resolution API (``/v1/matches/...``, ``/v1/manifests/...``) answers from it. None: off.
    registry_db: str | None = None
    #: The SHA-256 (hex) of the bearer token that may add to the registry (``POST /v1/registry``); None: the
    #: registry is read-only through the service. The token itself is never kept in the configuration.
    registry_token_sha256: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.trust, TrustConfig):
            object.__setattr__(self, "trust", resolve_trust(self.trust))
        for name in ("max_upload_bytes", "max_pixels", "max_concurrent", "max_connections"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"ServiceConfig.{name} must be at least 1")
        if self.timeout_s <= 0 or self.queue_wait_s < 0:
            raise ValueError("ServiceConfig.timeout_s must be positive and queue_wait_s not negative")
        for name in ("header_timeout_s", "body_idle_timeout_s", "body_timeout_s"):
            if not float(getattr(self, name)) > 0:
                raise ValueError(f"ServiceConfig.{name} must be positive")

    @property
    def memory_budget(self) -> int:
        """Bytes of upload bodies held in memory at once: twice ``max_concurrent`` full-size uploads."""
        return 2 * self.max_concurrent * (self.max_upload_bytes + MULTIPART_SLACK)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def _error(exc: ApiError) -> JSONResponse:
    return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status,
                        headers=exc.headers)


def _lang(request: Request) -> str:
    """The request's language: ``?lang=``, else Accept-Language (``handmade.messages.negotiate``)."""
    return negotiate(request.query_params.get("lang"), request.headers.get("accept-language", ""))


def safe_filename(raw: str | None) -> str:
    """A file name fit for display and the audit log: last path component (``/`` or ``\\``), printable,
    at most 200 characters; ``upload`` when nothing is left."""
    base = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    return clean_text(base, 200) or "upload"


def size_text(n: int) -> str:
    """A byte count as people say it: ``50 MB`` (MiB, as ``--max-upload-mb`` counts), ``300 KB``, ``12 bytes``."""
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= size:
            return f"{n / size:.3g} {unit}" if n % size else f"{n // size} {unit}"
    return f"{n} bytes"


def _too_large(shown: int) -> ApiError:
    return ApiError(413, "input.too_large", f"the upload is larger than the limit of {size_text(shown)}")


async def _read_limited(request: Request, limit: int, config: ServiceConfig, budget: ByteBudget,
                        held: list[int], shown: int | None = None) -> bytes:
    """The body, at most ``limit`` bytes (the error names ``shown``, the configured limit), read within the body
    deadlines; each chunk takes its size from ``budget`` first (added to ``held[0]``, which the caller gives
    back with its answer).

    Raises: ApiError 413 (too large), 408 ``input.timeout`` (stalled or too slow), 503 (no memory budget).
    """
    shown = limit if shown is None else shown
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(shown)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in read_body(request.stream(), idle_s=config.body_idle_timeout_s,
                                     total_s=config.body_timeout_s):
            size += len(chunk)
            if size > limit:
                raise _too_large(shown)
            try:
                await budget.take(len(chunk), config.queue_wait_s)
            except BudgetExhausted:
                raise ApiError(503, "service.busy", "too many uploads at once; retry shortly",
                               {"Retry-After": str(RETRY_AFTER_S), "Connection": "close"}) from None
            held[0] += len(chunk)
            chunks.append(chunk)
    except BodyTimeout as exc:
        message = (f"the upload stalled: no data for {exc.seconds:g} s" if exc.kind == "idle"
                   else f"the upload took longer than {exc.seconds:g} s")
        raise ApiError(408, "input.timeout", message, {"Connection": "close"}) from None
    return b"".join(chunks)


def multipart_file(body: bytes, content_type: str, field_name: str = "file") -> tuple[bytes, str]:
    """The bytes and file name of the part ``field_name`` of a multipart/form-data body, parsed in memory
    (nothing is spooled to disk). Raises: ApiError 400 (malformed) or 422 (no such field)."""
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise ApiError(400, "input.malformed", "multipart body without a boundary")
    if len(boundary) > MAX_BOUNDARY:
        raise ApiError(400, "input.malformed", f"multipart boundary longer than {MAX_BOUNDARY} characters")
    parts: list[tuple[dict[bytes, bytes], bytearray]] = []
    header_name = bytearray()
    header_value = bytearray()

    def on_part_begin() -> None:
        if len(parts) >= MAX_PARTS:
            raise ApiError(400, "input.malformed", f"more than {MAX_PARTS} parts in the multipart body")
        parts.append(({}, bytearray()))

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1][1].extend(data[start:end])

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_name.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        parts[-1][0][bytes(header_name).lower()] = bytes(header_value)
        header_name.clear()
        header_value.clear()

    try:
        parser = MultipartParser(boundary, {
            "on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_header_field": on_header_field,
            "on_header_value": on_header_value, "on_header_end": on_header_end})
        parser.write(body)
        parser.finalize()
    except (ParseError, ValueError) as exc:  # python-multipart's FormParserError is a ValueError
        raise ApiError(400, "input.malformed", f"malformed multipart body: {str(exc)[:200]}") from None
    for headers, data in parts:
        _, options = parse_options_header(headers.get(b"content-disposition", b""))
        if options.get(b"name", b"").decode("utf-8", "replace") == field_name:
            name = options.get(b"filename", b"").decode("utf-8", "replace")
            return bytes(data), safe_filename(name)
    raise ApiError(422, "input.missing", f"send the image as the multipart field '{field_name}'")


async def _upload(request: Request, config: ServiceConfig, budget: ByteBudget,
                  held: list[int]) -> tuple[bytes, str]:
    """The uploaded file's bytes and name, from a multipart form or a raw body; in memory only."""
    ctype = request.headers.get("content-type", "")
    body = await _read_limited(request, config.max_upload_bytes + MULTIPART_SLACK, config, budget, held,
                               config.max_upload_bytes)
    if ctype.lower().startswith("multipart/form-data"):
        data, name = multipart_file(body, ctype)
        del body
    else:
        data = body
        name = safe_filename(request.headers.get("x-filename") or request.query_params.get("name"))
    if len(data) > config.max_upload_bytes:
        raise _too_large(config.max_upload_bytes)
    if not data:
        raise ApiError(422, "input.empty", "the upload is empty")
    return data, name


def _check_pixels(data: bytes, max_pixels: int) -> None:
    """Refuse decompression bombs from the header alone (formats Pillow cannot read go on to inspect)."""
    if (problem := too_many_pixels(data, max_pixels)) is not None:
        raise ApiError(413, "input.too_many_pixels", problem)


_STATUS_FOR_ERROR = {"input.not_image": 415, "input.unsupported": 415, "input.empty": 422,
                     "input.too_large": 413, "input.corrupt": 422}


async def take_slot(limiter: anyio.CapacityLimiter, token: object, wait_s: float, what: str) -> None:
    """Take one slot of ``limiter`` for ``token``, waiting up to ``wait_s``. Raises: ApiError 503
    ``service.busy`` with Retry-After ("too many ``what`` at once")."""
    try:
        with anyio.fail_after(wait_s):
            await limiter.acquire_on_behalf_of(token)
    except TimeoutError:
        raise ApiError(503, "service.busy", f"too many {what} at once; retry shortly",
                       {"Retry-After": str(RETRY_AFTER_S)}) from None


async def run_in_slot(limiter: anyio.CapacityLimiter, fn: Callable[[], _T], *,
                      queue_wait_s: float, timeout_s: float) -> _T:
    """Run ``fn`` in a worker thread holding one slot of ``limiter``.

    Waits up to ``queue_wait_s`` for a slot (ApiError 503 ``service.busy``), then up to ``timeout_s`` for the
    result (ApiError 504 ``service.timeout``). A timed-out thread cannot be killed: it keeps its slot until it
    really ends, so abandoned work never exceeds the limiter's size.
    """
    token = object()
    await take_slot(limiter, token, queue_wait_s, "verifications")
    loop = asyncio.get_running_loop()
    lock = threading.Lock()
    state = {"phase": "queued"}  # queued -> running -> done, or queued -> cancelled

    def release() -> None:
        with contextlib.suppress(RuntimeError):  # the loop is gone at shutdown: nothing left to release
            loop.call_soon_threadsafe(limiter.release_on_behalf_of, token)

    def work() -> _T | None:
        with lock:
            if state["phase"] == "cancelled":
                return None
            state["phase"] = "running"
        try:
            return fn()
        finally:
            release()

    try:
        with anyio.fail_after(timeout_s):
            result = await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
    except BaseException as exc:
        with lock:
            never_started = state["phase"] == "queued"
            state["phase"] = "cancelled"
        if never_started:
            limiter.release_on_behalf_of(token)
        if isinstance(exc, TimeoutError):
            raise ApiError(504, "service.timeout", f"verification took longer than {timeout_s:g} s") from None
        raise
    assert result is not None  # work() only returns None once cancelled
    return result


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
    import base64

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


class _Service(Starlette):
    """Starlette with ``SecurityHeaders`` outside everything, so that even the 500 answers of Starlette's
    outermost error middleware carry them (a user middleware sits inside that one)."""

    def build_middleware_stack(self) -> Any:
        return SecurityHeaders(super().build_middleware_stack())


def create_app(config: ServiceConfig | None = None) -> Starlette:
    """The ASGI application (``app.state.config``, ``app.state.limiter``, ``app.state.admission`` (the
    ``ByteBudget`` of upload bodies); ``app.state.loop`` once started).

    Raises: AuditConfigError when ``config.audit_db`` cannot be used (unsupported URL, unreachable database).
    """
    config = config or ServiceConfig()
    limiter = anyio.CapacityLimiter(config.max_concurrent)
    # Bytes of bodies in memory at once: taken chunk by chunk as a body arrives, given back with its answer.
    admission = ByteBudget(config.memory_budget)
    audit = AuditLog(config.audit_db) if config.audit_db else None

    def cors(request: Request) -> dict[str, str]:
        """CORS headers for a browser call from a page of another origin listed in ``cors_origins``."""
        origin = request.headers.get("origin")
        if not origin or not config.cors_origins:
            return {}
        if "*" in config.cors_origins:
            return {"Access-Control-Allow-Origin": "*"}
        if origin in config.cors_origins:
            return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        return {}

    async def verify_endpoint(request: Request) -> Response:
        if request.method == "OPTIONS":  # a CORS preflight (a raw-body POST from another origin's page)
            headers = cors(request)
            if headers:
                headers.update({"Access-Control-Allow-Methods": "POST", "Access-Control-Max-Age": "600",
                                "Access-Control-Allow-Headers": "content-type, x-filename"})
            return Response(status_code=204, headers=headers)
        lang = _lang(request)
        held = [0]
        try:
            response = await _verify(request, lang, held)
        finally:
            admission.give_back(held[0])
        response.headers.update(cors(request))
        return response

    async def badge_endpoint(request: Request) -> Response:
        """``GET /v1/badge/{sha256}.svg`` (or ``.json``): the badge of the latest decision recorded for that file.

        Without an audit log nothing is recorded: the answer is the "not checked by this service" badge
        with 404 (``badge.no_log``), as for a file never checked (``badge.unknown``).
        """
        name = request.path_params["name"]
        digest, _, ext = name.lower().partition(".")
        lang = _lang(request)
        allowed = cors(request)
        headers = {"Cache-Control": "no-cache", **allowed,
                   "Vary": "Accept-Language, Origin" if "Vary" in allowed else "Accept-Language"}
        if ext not in ("svg", "json") or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            error = _error(ApiError(400, "badge.bad_name", "expected /v1/badge/<64 hex digits>.svg or .json"))
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

    async def _verify(request: Request, lang: str, held: list[int]) -> Response:
        try:
            policy = choose_policy(config, request.query_params.get("policy"))
            data, name = await _upload(request, config, admission, held)
            _check_pixels(data, config.max_pixels)
            want_thumbnails = request.query_params.get("thumbnails") in ("1", "true")
            want_label = request.query_params.get("label") in ("1", "true")
            pictures: dict[str, Thumbnails] = {}

            def job() -> ProvenanceReport:
                found = inspect_bytes(data, name, trust=config.trust, allow_remote=config.allow_remote,
                                      max_bytes=config.max_upload_bytes, registry=config.registry_db)
                if want_thumbnails and found.state != "error":  # in the same slot and time limit
                    pictures["thumbnails"] = thumbnails(data, name, max_pixels=config.max_pixels)
                return found

            report = await run_in_slot(limiter, job, queue_wait_s=config.queue_wait_s, timeout_s=config.timeout_s)
        except ApiError as exc:
            return _error(exc)
        if report.state == "error" and report.error is not None:
            status = _STATUS_FOR_ERROR.get(report.error.code, 422)
            return _error(ApiError(status, report.error.code, report.error.message))
        decision = evaluate(policy, report)
        if audit is not None:
            await anyio.to_thread.run_sync(lambda: audit.record(report, decision, name))
        result = result_payload(report, decision, lang)
        if "thumbnails" in pictures:
            result["thumbnails"] = thumbnails_payload(pictures["thumbnails"])
        if want_label:
            result["label"] = label_payload(report, lang)
        return JSONResponse({"schema": handmade.SCHEMA, "results": [result], "accepted": decision.accepted,
                             "policy": decision.policy, "reasons": result["policy"]["reasons"]})

    registry = open_registry(config.registry_db) if config.registry_db else None

    def need_registry() -> Registry:
        if registry is None:
            raise ApiError(404, "registry.off", "this service keeps no manifest registry")
        return registry

    def max_results(request: Request) -> int:
        raw = request.query_params.get("maxResults", "10")
        if not raw.isdigit() or not 1 <= int(raw) <= 100:
            raise ApiError(422, "registry.max_results", "maxResults must be a whole number from 1 to 100")
        return int(raw)

    def matches_payload(found: list[Any]) -> dict[str, Any]:
        """The C2PA Soft Binding Resolution API's answer: manifest ids, best first, with a similarity score."""
        return {"matches": [{"manifestId": m.entry.manifest_id, "similarityScore": round(100 * (64 - m.distance) / 64),
                             "alg": m.entry.alg, "distance": m.distance, "signer": m.entry.signer,
                             "author": m.entry.author, "signedAt": m.entry.signed_at,
                             "registeredAt": m.entry.added_at} for m in found]}

    def check_alg(request: Request) -> None:
        from handmade.fingerprint import ALG

        alg = request.query_params.get("alg", ALG)
        if alg != ALG:
            raise ApiError(400, "registry.alg", f"soft binding algorithm '{clean_text(alg, 80)}' is not supported "
                                                f"here; see /v1/services/supportedAlgorithms")

    async def supported_algorithms(request: Request) -> Response:
        from handmade.fingerprint import ALG

        return JSONResponse({"watermarks": [], "fingerprints": [{"alg": ALG}] if registry is not None else []},
                            headers=cors(request))

    async def by_binding(request: Request) -> Response:
        from handmade.errors import HandmadeError

        try:
            reg = need_registry()
            check_alg(request)
            value = request.query_params.get("value")
            if not value:
                raise ApiError(400, "registry.value", "give the soft binding value: ?alg=io.iscc.v0&value=ISCC:...")
            limit = max_results(request)
            found = await anyio.to_thread.run_sync(lambda: reg.by_binding("io.iscc.v0", value, max_results=limit))
        except ApiError as exc:
            return _error(exc)
        except HandmadeError as exc:
            return _error(ApiError(400, exc.code, exc.message))
        return JSONResponse(matches_payload(found), headers=cors(request))

    async def by_content(request: Request) -> Response:
        from handmade.errors import HandmadeError
        from handmade.fingerprint import fingerprint

        held = [0]
        try:
            reg = need_registry()
            check_alg(request)
            limit = max_results(request)
            data, name = await _upload(request, config, admission, held)
            _check_pixels(data, config.max_pixels)

            def look() -> list[Any]:
                from handmade.files import sniff_mime

                mime = sniff_mime(data, name)
                if mime is None:
                    raise ApiError(415, "input.not_image", "the upload is not an image format handmade reads")
                fp = fingerprint(data, mime, name)
                if fp is None:
                    raise ApiError(415, "registry.not_picture", "films, SVG and PDF have no fingerprint")
                return list(reg.nearest(fp.bits, max_results=limit))

            found = await anyio.to_thread.run_sync(look)
        except ApiError as exc:
            return _error(exc)
        except HandmadeError as exc:
            return _error(ApiError(_STATUS_FOR_ERROR.get(exc.code, 422), exc.code, exc.message))
        finally:
            admission.give_back(held[0])
        return JSONResponse(matches_payload(found), headers=cors(request))

    async def manifest_endpoint(request: Request) -> Response:
        try:
            reg = need_registry()
        except ApiError as exc:
            return _error(exc)
        manifest_id = request.path_params["manifest_id"]
        store = await anyio.to_thread.run_sync(lambda: reg.manifest(manifest_id))
        if store is None:
            return _error(ApiError(404, "registry.unknown", "no manifest with that id in this registry"))
        return Response(store, media_type="application/c2pa", headers={**cors(request),
                        "Content-Disposition": "attachment; filename=manifest.c2pa"})

    async def registry_add(request: Request) -> Response:
        import hashlib
        import hmac

        from handmade.errors import HandmadeError
        from handmade.files import loaded_from_bytes

        held = [0]
        try:
            reg = need_registry()
            if config.registry_token_sha256 is None:
                raise ApiError(403, "registry.read_only", "this service adds nothing to its registry "
                                                          "(started without --registry-token-file)")
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            presented = hashlib.sha256(token.strip().encode()).hexdigest()
            if scheme.lower() != "bearer" or not token.strip() or not hmac.compare_digest(
                    presented, config.registry_token_sha256):
                raise ApiError(401, "registry.unauthorized", "adding to the registry needs its bearer token",
                               {"WWW-Authenticate": 'Bearer realm="handmade registry"'})
            data, name = await _upload(request, config, admission, held)
            _check_pixels(data, config.max_pixels)

            def add() -> tuple[RegistryEntry, bool]:
                return reg.add_loaded(loaded_from_bytes(data, name, max_bytes=config.max_upload_bytes),
                                      trust=config.trust)

            entry, added = await run_in_slot(limiter, add, queue_wait_s=config.queue_wait_s,
                                             timeout_s=config.timeout_s)
        except ApiError as exc:
            return _error(exc)
        except HandmadeError as exc:
            return _error(ApiError(_STATUS_FOR_ERROR.get(exc.code, 422), exc.code, exc.message))
        finally:
            admission.give_back(held[0])
        return JSONResponse({"added": added, "entry": entry.to_dict()}, status_code=201 if added else 200)

    async def index(request: Request) -> Response:
        page = resources.files("handmade.web").joinpath(STATIC, "index.html").read_text(encoding="utf-8")
        lang = _lang(request)
        page = page.replace("{{lang}}", lang).replace("{{policy}}", html.escape(config.policy.name, quote=True))
        return HTMLResponse(page, headers={
            "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; "
                                       "script-src 'self'; connect-src 'self'; object-src 'none'; "
                                       "base-uri 'none'; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Vary": "Accept-Language"})

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        types = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8",
                 "handmade-credentials.js": "text/javascript; charset=utf-8"}
        if name not in types:
            return _error(ApiError(404, "not_found", "no such file"))
        body = resources.files("handmade.web").joinpath(STATIC, name).read_bytes()
        return Response(body, media_type=types[name], headers={"X-Content-Type-Options": "nosniff"})

    async def healthz(request: Request) -> Response:
        # Liveness only: the version, policy and trust anchors tell an attacker what to aim at.
        return JSONResponse({"status": "ok"})

    async def openapi(request: Request) -> Response:
        # A static file: tests/unit/test_json_contract.py checks the values it copies from the code.
        return Response(resources.files("handmade.web").joinpath("openapi.json").read_bytes(),
                        media_type="application/json")

    async def catalog(request: Request) -> Response:
        # The page's words: the whole message catalog in one language (a new language is one more column).
        return JSONResponse({"lang": _lang(request), "messages": messages(_lang(request))},
                            headers={"Vary": "Accept-Language", "Cache-Control": "max-age=3600"})

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        code = {404: "not_found", 405: "method_not_allowed"}.get(status, "http.error" if status < 500 else "internal")
        message = exc.detail if isinstance(exc, HTTPException) and status < 500 else "internal error"
        headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else None
        return _error(ApiError(status, code, str(message), headers))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.loop = asyncio.get_running_loop()  # lets tests and tools reach the limiter's loop
        yield

    app = _Service(lifespan=lifespan, routes=[
        Route("/", index),
        Route("/static/{name}", static),
        Route("/healthz", healthz),
        Route("/openapi.json", openapi),
        Route("/v1/verify", verify_endpoint, methods=["POST", "OPTIONS"]),
        Route("/v1/badge/{name}", badge_endpoint, methods=["GET"]),
        Route("/v1/messages", catalog),
        # The C2PA Soft Binding Resolution API (1.0), answered from the manifest registry.
        Route("/v1/services/supportedAlgorithms", supported_algorithms, methods=["GET"]),
        Route("/v1/matches/byBinding", by_binding, methods=["GET"]),
        Route("/v1/matches/byContent", by_content, methods=["POST"]),
        Route("/v1/manifests/{manifest_id:path}", manifest_endpoint, methods=["GET"]),
        Route("/v1/registry", registry_add, methods=["POST"]),
    ], exception_handlers={HTTPException: http_error, Exception: http_error})
    app.state.config = config
    app.state.limiter = limiter
    app.state.admission = admission
    return app


# --- running ---------------------------------------------------------------------------------------------------
CONFIG_ENV = "HANDMADE_SERVICE_CONFIG"


def config_to_env(config: ServiceConfig, trust_paths: list[str] | None = None, policy_ref: str | None = None) -> str:
    """The JSON that ``app_from_env`` reads back from ``HANDMADE_SERVICE_CONFIG``.

    The trust sources travel whole (PEM included) and the policy as its full mapping, so a policy loaded from a file
    or anchors built in memory reach every worker unchanged (``trust_paths``/``policy_ref`` are only kept for
    readability of the environment).
    """
    data: dict[str, Any] = {k: v for k, v in asdict(config).items() if k not in ("trust", "policy")}
    data["policy"] = config.policy.to_dict()
    if policy_ref is not None:
        data["policy_ref"] = policy_ref
    # The shipped lists are named, not copied: they are hundreds of KB of PEM, and Linux refuses to start a
    # process with an environment string over 128 KB (E2BIG). Every worker loads the same snapshot.
    shipped = TrustConfig.default()
    data["trust_sources"] = [{"default": src.id} if shipped.source(src.id) == src else asdict(src)
                             for src in config.trust.sources]
    if trust_paths:
        data["trust_paths"] = list(trust_paths)
    return json.dumps(data)


def config_from_env(text: str | None = None) -> ServiceConfig:
    """A ``ServiceConfig`` from the JSON in ``HANDMADE_SERVICE_CONFIG`` (or ``text``). Keys: the fields of
    ``ServiceConfig`` except ``trust``/``policy``; ``policy`` (a preset name, a TOML path, or a mapping of
    policy keys); ``trust_sources`` (the trust configuration's sources) or ``trust_paths`` (PEM files, added
    to the shipped lists). Raises: ValueError,
    PolicyConfigError, TrustConfigError."""
    from handmade.verify import load_trust_anchors

    data = json.loads(text if text is not None else os.environ.get(CONFIG_ENV, "{}"))
    if not isinstance(data, dict):
        raise ValueError(f"{CONFIG_ENV} must hold a JSON object")
    policy_value = data.pop("policy", "handmade")
    data.pop("policy_ref", None)
    policy = (policy_from_mapping(policy_value, default_name=str(policy_value.get("name", "custom")))
              if isinstance(policy_value, dict) else load_policy(str(policy_value)))
    sources = data.pop("trust_sources", None)
    paths = data.pop("trust_paths", [])
    trust = (TrustConfig(tuple(_source_from_env(src) for src in sources)) if sources is not None
             else resolve_trust(load_trust_anchors(paths)))
    for name in ("client_policies", "cors_origins"):
        if name in data:
            data[name] = tuple(data[name])
    known = {f for f in asdict(ServiceConfig()) if f not in ("trust", "policy")}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown keys in {CONFIG_ENV}: {', '.join(sorted(unknown))}")
    return replace(ServiceConfig(), trust=trust, policy=policy, **data)


def _source_from_env(data: dict[str, Any]) -> TrustSource:
    if "default" in data:
        found = TrustConfig.default().source(str(data["default"]))
        if found is None:
            raise ValueError(f"{CONFIG_ENV}: no shipped trust source '{data['default']}'")
        return found
    return TrustSource(**data)


def app_from_env() -> Starlette:
    """Factory for uvicorn worker processes (``--workers N``): configuration comes from the environment.

    ``uvicorn.run("handmade.web.app:app_from_env", factory=True, workers=N)``

    A worker process is handmade's own, like the command line's: it pins glibc's allocator thresholds too
    (``handmade.tuning``; the command line's setting did not reach the workers uvicorn spawns).
    """
    from handmade.tuning import tune_allocator

    tune_allocator()
    config = config_from_env()
    configure(header_timeout_s=config.header_timeout_s, max_connections=config.max_connections)
    return create_app(config)


def run(config: ServiceConfig, host: str = "127.0.0.1", port: int = 8000, workers: int = 1, *,
        trust_paths: list[str] | None = None, policy_ref: str | None = None, log_level: str = "info") -> None:
    """Serve until interrupted. With several workers, each process builds the app from the environment
    (``HANDMADE_SERVICE_CONFIG``, written here from ``config``: trust anchors as PEM, the policy as a mapping).
    Worker processes are spawned: a script calling ``run(..., workers=N)`` needs ``if __name__ == "__main__":``.
    """
    import uvicorn

    options = server_options(config)
    if workers > 1:
        os.environ[CONFIG_ENV] = config_to_env(config, trust_paths, policy_ref)
        uvicorn.run("handmade.web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level, **options)
    else:
        uvicorn.run(create_app(config), host=host, port=port, log_level=log_level, **options)


def server_options(config: ServiceConfig) -> dict[str, Any]:
    """uvicorn's options for this service: the guarded protocol (header deadline, connection bound), no
    ``server`` header, a keep-alive no longer than the header deadline."""
    return uvicorn_options(header_timeout_s=config.header_timeout_s, max_connections=config.max_connections,
                           keep_alive_s=min(5.0, config.header_timeout_s))
