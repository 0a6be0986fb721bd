"""The upload-checking service: a JSON API and a web page for editors, on Starlette.

Routes: ``POST /v1/verify`` (multipart field ``file`` or a raw body), ``GET /`` (the page), ``GET /healthz``,
``GET /openapi.json``. It uses only handmade's public API, so the same policy code decides here and in
``handmade verify``.

Limits against abuse, each answered with a JSON error ``{"error": {"code", "message"}}``:
- upload size (``413 input.too_large``), checked on Content-Length and again while the body streams in;
- pixels (``413 input.too_many_pixels``), read from the header only, never decoded;
- not an image (``415 input.not_image``), an empty or missing upload (``422``);
- verifications at once (``503 service.busy`` with Retry-After after a short wait for a slot);
- time per verification (``504 service.timeout``).
Uploads stay in memory; a multipart part big enough to be spooled goes to the system temp dir and is closed
(deleted) when the request ends.

Workers are stateless: run several (``--workers``) or several hosts behind any load balancer; only the audit
log is shared (SQLite here, a database URL in the future).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

import handmade
from handmade.policy import PRESETS, Decision, Policy, evaluate, load_policy
from handmade.report import training_text, verdict
from handmade.verify import TrustAnchors, inspect_bytes
from handmade.web.audit import AuditLog

STATIC = "static"
MULTIPART_SLACK = 64 * 1024  # headers and boundaries around the file in a multipart body


@dataclass(frozen=True)
class ServiceConfig:
    """Everything the service needs; frozen, so a running app cannot be reconfigured by accident."""

    trust: TrustAnchors | None = None
    policy: Policy = field(default_factory=lambda: PRESETS["handmade"])
    audit_db: str | None = None
    max_upload_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 100_000_000
    timeout_s: float = 30.0
    max_concurrent: int = 4
    queue_wait_s: float = 2.0
    allow_remote: bool = False


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def _error(exc: ApiError) -> JSONResponse:
    return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status,
                        headers=exc.headers)


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang")
    if lang in ("en", "fr"):
        return lang
    accept = request.headers.get("accept-language", "")
    first = accept.split(",")[0].strip().lower()
    return "fr" if first.startswith("fr") else "en"


async def _read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "input.too_large", f"the upload is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "input.too_large", f"the upload is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _upload(request: Request, config: ServiceConfig) -> tuple[bytes, str]:
    """The uploaded file's bytes and name, from a multipart form or a raw body."""
    ctype = request.headers.get("content-type", "")
    body = await _read_limited(request, config.max_upload_bytes + MULTIPART_SLACK)
    if ctype.startswith("multipart/form-data"):
        async def replay() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        form = await Request(request.scope, replay).form(max_files=1, max_fields=8)
        try:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise ApiError(422, "input.missing", "send the image as the multipart field 'file'")
            data = await upload.read()
            name = os.path.basename(upload.filename or "upload")
        finally:
            await form.close()  # deletes any spooled temp file
    else:
        data = body
        name = os.path.basename(request.headers.get("x-filename", "") or request.query_params.get("name", "")
                                or "upload")
    if len(data) > config.max_upload_bytes:
        raise ApiError(413, "input.too_large", f"the upload is larger than {config.max_upload_bytes} bytes")
    if not data:
        raise ApiError(422, "input.empty", "the upload is empty")
    return data, name[:200]


def _check_pixels(data: bytes, max_pixels: int) -> None:
    """Refuse decompression bombs from the header alone (Pillow reads the size without decoding)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            w, h = im.size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return  # not a format Pillow reads (HEIC, AVIF...) or not an image: inspect decides
    if w * h > max_pixels:
        raise ApiError(413, "input.too_many_pixels", f"{w}x{h} pixels is over the limit of {max_pixels}")


_STATUS_FOR_ERROR = {"input.not_image": 415, "input.unsupported": 415, "input.empty": 422,
                     "input.too_large": 413, "input.corrupt": 422}


def result_payload(report: handmade.ProvenanceReport, decision: Decision, lang: str) -> dict[str, Any]:
    """One result: the report (handmade.report/v1), the policy decision, and the verdict in words."""
    result = report.to_dict()
    result["policy"] = decision.to_dict()
    result["verdict"] = verdict(report, lang)
    result["training_text"] = training_text(report, lang)
    return result


def create_app(config: ServiceConfig | None = None) -> Starlette:
    """The ASGI application. Raises: nothing (configuration is already validated)."""
    config = config or ServiceConfig()
    limiter = anyio.CapacityLimiter(max(1, config.max_concurrent))
    audit = AuditLog(config.audit_db) if config.audit_db else None

    async def verify_endpoint(request: Request) -> Response:
        lang = _lang(request)
        try:
            policy = config.policy
            if "policy" in request.query_params:
                name = request.query_params["policy"]
                if name not in PRESETS:
                    raise ApiError(422, "policy.unknown", f"unknown policy '{name}'; one of {', '.join(PRESETS)}")
                policy = PRESETS[name]
            data, name = await _upload(request, config)
            _check_pixels(data, config.max_pixels)
            try:
                with anyio.fail_after(config.queue_wait_s):
                    await limiter.acquire()
            except TimeoutError:
                raise ApiError(503, "service.busy", "too many verifications at once; retry shortly",
                               {"Retry-After": "2"}) from None
            try:
                with anyio.fail_after(config.timeout_s):
                    report = await anyio.to_thread.run_sync(
                        lambda: inspect_bytes(data, name, trust=config.trust, allow_remote=config.allow_remote,
                                              max_bytes=config.max_upload_bytes),
                        abandon_on_cancel=True)
            except TimeoutError:
                raise ApiError(504, "service.timeout", f"verification took longer than {config.timeout_s:g} s") \
                    from None
            finally:
                limiter.release()
        except ApiError as exc:
            return _error(exc)
        if report.state == "error" and report.error is not None:
            status = _STATUS_FOR_ERROR.get(report.error.code, 422)
            return _error(ApiError(status, report.error.code, report.error.message))
        decision = evaluate(policy, report)
        if audit is not None:
            await anyio.to_thread.run_sync(lambda: audit.record(report, decision, name))
        result = result_payload(report, decision, lang)
        return JSONResponse({"schema": handmade.SCHEMA, "results": [result], "accepted": decision.accepted,
                             "reasons": [r.to_dict() for r in decision.reasons]})

    async def index(request: Request) -> Response:
        html = resources.files("handmade.web").joinpath(STATIC, "index.html").read_text(encoding="utf-8")
        lang = _lang(request)
        html = html.replace("{{lang}}", lang).replace("{{policy}}", config.policy.name)
        return HTMLResponse(html, headers={"Content-Security-Policy":
                                           "default-src 'self'; img-src 'self' blob:; style-src 'self'; "
                                           "script-src 'self'; connect-src 'self'"})

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        types = {"app.js": "text/javascript", "style.css": "text/css"}
        if name not in types:
            return _error(ApiError(404, "not_found", "no such file"))
        body = resources.files("handmade.web").joinpath(STATIC, name).read_bytes()
        return Response(body, media_type=types[name])

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": handmade.__version__, "policy": config.policy.name,
                             "trust_anchors": config.trust.count if config.trust else 0})

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.loop = asyncio.get_running_loop()  # lets tests and tools reach the limiter's loop
        yield

    app = Starlette(lifespan=lifespan, routes=[
        Route("/", index),
        Route("/static/{name}", static),
        Route("/healthz", healthz),
        Route("/openapi.json", openapi),
        Route("/v1/verify", verify_endpoint, methods=["POST"]),
    ])
    app.state.config = config
    app.state.limiter = limiter
    return app


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of the API."""
    error = {"type": "object", "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}}, "required": ["code", "message"]}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "handmade verification service", "version": handmade.__version__,
                 "description": "Checks the Content Credentials (C2PA) of uploaded images: signature, tampering, "
                                "trust, and whether any step of their history is generative AI."},
        "paths": {
            "/v1/verify": {"post": {
                "summary": "Verify one image and decide with the service's policy",
                "parameters": [
                    {"name": "policy", "in": "query", "schema": {"enum": list(PRESETS)}},
                    {"name": "lang", "in": "query", "schema": {"enum": ["en", "fr"]}},
                    {"name": "name", "in": "query", "schema": {"type": "string"},
                     "description": "file name for a raw-body upload (or header X-Filename)"},
                ],
                "requestBody": {"required": True, "content": {
                    "multipart/form-data": {"schema": {"type": "object", "properties": {
                        "file": {"type": "string", "format": "binary"}}, "required": ["file"]}},
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                    "image/*": {"schema": {"type": "string", "format": "binary"}}}},
                "responses": {
                    "200": {"description": "handmade.report/v1 document with one result and the decision",
                            "content": {"application/json": {"schema": {"type": "object", "properties": {
                                "schema": {"const": "handmade.report/v1"},
                                "results": {"type": "array", "items": {"type": "object"}},
                                "accepted": {"type": "boolean"},
                                "reasons": {"type": "array", "items": {"type": "object"}}},
                                "required": ["schema", "results", "accepted", "reasons"]}}}},
                    **{code: {"description": text, "content": {"application/json": {"schema": error}}}
                       for code, text in (("413", "too large, or too many pixels"), ("415", "not an image"),
                                          ("422", "empty, missing, corrupt, or unknown policy"),
                                          ("503", "busy: retry after Retry-After seconds"),
                                          ("504", "verification timed out"))},
                }}},
            "/healthz": {"get": {"summary": "Liveness", "responses": {"200": {"description": "ok"}}}},
        },
    }


# --- running ---------------------------------------------------------------------------------------------------
CONFIG_ENV = "HANDMADE_SERVICE_CONFIG"


def config_to_env(config: ServiceConfig, trust_paths: list[str], policy_ref: str) -> str:
    data = {k: v for k, v in asdict(config).items() if k not in ("trust", "policy")}
    data.update(trust_paths=trust_paths, policy=policy_ref)
    return json.dumps(data)


def app_from_env() -> Starlette:
    """Factory for uvicorn worker processes (``--workers N``): configuration comes from the environment."""
    from handmade.verify import load_trust_anchors

    data = json.loads(os.environ.get(CONFIG_ENV, "{}"))
    trust = load_trust_anchors(data.pop("trust_paths", []))
    policy = load_policy(data.pop("policy", "handmade"))
    return create_app(replace(ServiceConfig(), trust=trust, policy=policy, **data))


def run(config: ServiceConfig, *, host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
        trust_paths: list[str] | None = None, policy_ref: str | None = None) -> None:
    """Serve until interrupted. With several workers, each process builds the app from the environment."""
    import uvicorn

    if workers > 1:
        os.environ[CONFIG_ENV] = config_to_env(config, trust_paths or [], policy_ref or config.policy.name)
        uvicorn.run("handmade.web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level="info")
    else:
        uvicorn.run(create_app(config), host=host, port=port, log_level="info")


def static_dir() -> Path:
    return Path(__file__).resolve().parent / STATIC
