"""Request middleware: request ids, one completion line per request, last-resort 500."""

from __future__ import annotations

import re
import time
import uuid
from typing import TYPE_CHECKING

import structlog

from .context import reset_request_id, set_request_id
from .errors import send_error

if TYPE_CHECKING:
    from collections.abc import Iterable

    from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
REQUEST_ID_HEADER_BYTES = REQUEST_ID_HEADER.encode()
# Client-chosen ids are echoed into logs and headers, so only short, plain
# tokens are honoured; anything else is replaced by a fresh id.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

log = structlog.get_logger(__name__)


def _incoming_request_id(scope: Scope) -> str:
    headers: Iterable[tuple[bytes, bytes]] = scope.get("headers", ())
    for name, value in headers:
        if name == REQUEST_ID_HEADER_BYTES:
            candidate = value.decode("latin-1")
            if _VALID_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Bind a request id to the log context, echo it, and log each request once.

    Exceptions that escape the routes are logged here, once, and get a JSON 500,
    so neither Starlette nor uvicorn logs them again.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id = _incoming_request_id(scope)
        started = time.perf_counter()
        status_code = 500
        response_started = False

        async def send_with_request_id(message: Message) -> None:
            nonlocal status_code, response_started
            if message["type"] == "http.response.start":
                status_code = message["status"]
                response_started = True
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER_BYTES, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        token = set_request_id(request_id)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_request_id)
        except Exception:
            log.exception("request.failed", method=scope["method"], path=scope["path"])
            if not response_started:
                await send_error(
                    send_with_request_id,
                    500,
                    "internal_error",
                    "The server failed to handle the request.",
                    request_id,
                )
        finally:
            log.info(
                "request.completed",
                method=scope["method"],
                path=scope["path"],
                status_code=status_code,
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
            )
            structlog.contextvars.clear_contextvars()
            reset_request_id(token)
