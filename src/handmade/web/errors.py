"""The service's error answers: ``ApiError`` and its JSON shape, ``{"error": {"code", "message"}}``."""

from __future__ import annotations

from starlette.responses import JSONResponse

from handmade.errors import HandmadeError

RETRY_AFTER_S = 2  # the Retry-After of every 503 service.busy

#: The HTTP status of a library error code met while reading an upload (other codes: 422).
STATUS_FOR_ERROR = {"input.not_image": 415, "input.unsupported": 415, "input.empty": 422,
                    "input.too_large": 413, "input.corrupt": 422}


class ApiError(Exception):
    """An answer other than 200: its HTTP status, error code, message and extra headers."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def library_error(code: str, message: str) -> ApiError:
    """The answer for an error of the library met while handling an upload: its status by code (422 else)."""
    return ApiError(STATUS_FOR_ERROR.get(code, 422), code, message)


def error_response(exc: ApiError | HandmadeError) -> JSONResponse:
    """The JSON answer for ``exc``: an ``ApiError`` as it is, an error of the library by ``library_error``."""
    if not isinstance(exc, ApiError):
        exc = library_error(exc.code, exc.message)
    return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status,
                        headers=exc.headers)


def busy(what: str, headers: dict[str, str] | None = None) -> ApiError:
    """``503 service.busy`` with Retry-After: too many ``what`` at once."""
    return ApiError(503, "service.busy", f"too many {what} at once; retry shortly",
                    {"Retry-After": str(RETRY_AFTER_S), **(headers or {})})
