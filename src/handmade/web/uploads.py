"""An upload's bytes in memory, within the service's limits; never written to disk.

Each refusal is an ``ApiError``:
- upload size (``413 input.too_large``), checked on Content-Length and again while the body streams in;
- pixels (``413 input.too_many_pixels``), read from the header only, never decoded;
- an empty or missing upload (``422``), a malformed multipart body (``400``);
- bytes of uploads held in memory at once: taken chunk by chunk from the app's ``ByteBudget``
  (``handmade.web.guard``) as a body arrives, so a slow client holds only what it sent; when it is spent a
  chunk waits briefly, then its request gets ``503 service.busy``;
- a body with no byte for ``body_idle_timeout_s`` or not complete within ``body_timeout_s``: ``408 input.timeout``.

Multipart bodies are parsed in memory here: Starlette's form parser would spool parts over 1 MB to a temporary file.
"""

from __future__ import annotations

from python_multipart.exceptions import ParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from handmade.files import too_many_pixels
from handmade.text import file_name
from handmade.web.config import MULTIPART_SLACK, ServiceConfig
from handmade.web.errors import ApiError, busy
from handmade.web.guard import BodyTimeout, BudgetExhausted, ByteBudget, read_body

MAX_BOUNDARY = 256  # python-multipart refuses longer ones (RFC 2046 allows 70)
MAX_PARTS = 8  # a multipart body with more parts than this is not an upload from our page or a script


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
                raise busy("uploads", {"Connection": "close"}) from None
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
            return bytes(data), file_name(name)
    raise ApiError(422, "input.missing", f"send the image as the multipart field '{field_name}'")


async def read_upload(request: Request, config: ServiceConfig, budget: ByteBudget,
                      held: list[int]) -> tuple[bytes, str]:
    """The uploaded file's bytes and name, from a multipart form or a raw body; in memory only. Its pixels are
    checked too (``input.too_many_pixels``, from the header alone). ``held[0]`` counts the bytes taken from
    ``budget``: the caller gives them back with its answer, whatever happens."""
    ctype = request.headers.get("content-type", "")
    body = await _read_limited(request, config.max_upload_bytes + MULTIPART_SLACK, config, budget, held,
                               config.max_upload_bytes)
    if ctype.lower().startswith("multipart/form-data"):
        data, name = multipart_file(body, ctype)
        del body
    else:
        data = body
        name = file_name(request.headers.get("x-filename") or request.query_params.get("name"))
    if len(data) > config.max_upload_bytes:
        raise _too_large(config.max_upload_bytes)
    if not data:
        raise ApiError(422, "input.empty", "the upload is empty")
    # Decompression bombs are refused from the header alone (formats Pillow cannot read go on to inspect).
    if (problem := too_many_pixels(data, config.max_pixels)) is not None:
        raise ApiError(413, "input.too_many_pixels", problem)
    return data, name
