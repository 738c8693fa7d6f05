"""One JSON error shape for every 4xx and 5xx response.

Every error body is `{"error": {"code", "message", "request_id", "details"?}}`.
"""

from __future__ import annotations

import json
import queue
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import modal.exception
import structlog
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from .context import current_request_id

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from fastapi import FastAPI, Request

log = structlog.get_logger(__name__)

# Seconds a client should wait before retrying after a backend failure.
RETRY_AFTER_SECONDS = 5

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
    503: "service_unavailable",
}


class ApiError(Exception):
    """An error that a route answers with its own status code and message."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        *,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = details


class BackendUnavailableError(Exception):
    """A call to a Modal object failed; the client may retry later."""

    def __init__(self, operation: str, cause: BaseException) -> None:
        super().__init__(f"{operation} failed: {type(cause).__name__}")
        self.operation = operation
        self.cause = cause


# Failures of a Modal call that say nothing about the request itself.
BACKEND_ERRORS: tuple[type[BaseException], ...] = (
    modal.exception.Error,
    ConnectionError,
    TimeoutError,
    queue.Full,
)


def error_body(
    *,
    code: str,
    message: str,
    request_id: str | None,
    details: Any = None,
) -> bytes:
    """Serialize the error shape."""
    error: dict[str, Any] = {"code": code, "message": message, "request_id": request_id}
    if details is not None:
        error["details"] = jsonable_encoder(details)
    return json.dumps({"error": error}, separators=(",", ":")).encode()


def error_response(
    status_code: int,
    code: str,
    message: str,
    *,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Build a response with the error shape for the current request."""
    body = error_body(
        code=code, message=message, request_id=current_request_id(), details=details
    )
    return Response(
        content=body,
        status_code=status_code,
        headers=headers,
        media_type="application/json",
    )


@contextmanager
def backend_call(operation: str) -> Iterator[None]:
    """Turn a failed Modal call inside the block into `BackendUnavailableError`."""
    try:
        yield
    except modal.exception.RequestSizeError as exc:
        raise ApiError(
            413,
            "payload_too_large",
            f"The data is over Modal's size limit ({operation}).",
        ) from exc
    except BACKEND_ERRORS as exc:
        raise BackendUnavailableError(operation, exc) from exc


async def _handle_api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)  # noqa: S101  (registered for ApiError only)
    return error_response(exc.status_code, exc.code, exc.message, details=exc.details)


async def _handle_http_exception(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)  # noqa: S101  (registered for HTTPException)
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    message = str(exc.detail)
    return error_response(exc.status_code, code, message, headers=exc.headers)


async def _handle_validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)  # noqa: S101  (registered for it)
    # The offending input is left out: it may be large or hold a secret.
    details = [
        {"loc": list(error["loc"]), "msg": error["msg"], "type": error["type"]}
        for error in exc.errors()
    ]
    return error_response(
        422, "validation_error", "The request is invalid.", details=details
    )


async def _handle_backend_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BackendUnavailableError)  # noqa: S101  (registered for it)
    log.error(
        "backend.failed",
        operation=exc.operation,
        error_type=type(exc.cause).__name__,
        error=str(exc.cause),
    )
    return error_response(
        503,
        "backend_unavailable",
        f"A storage or worker call failed ({exc.operation}); retry later.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def install_error_handlers(app: FastAPI) -> None:
    """Answer every handled error with the shared JSON shape."""
    app.add_exception_handler(ApiError, _handle_api_error)
    app.add_exception_handler(HTTPException, _handle_http_exception)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(BackendUnavailableError, _handle_backend_error)
