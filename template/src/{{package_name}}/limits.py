"""Size limits checked before a request reaches a Modal object."""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, Any

from .context import current_request_id
from .errors import ApiError, error_body

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send


def check_value_size(value: Any, limit: int, what: str) -> None:
    """Raise a 413 `ApiError` when `value` pickles to more than `limit` bytes.

    Modal serializes values with cloudpickle, which writes plain JSON values
    like pickle does, so pickle's size is the size Modal checks.
    """
    size = len(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    if size > limit:
        raise ApiError(
            413,
            "payload_too_large",
            f"The {what} is {size} bytes once serialized; the limit is {limit} bytes.",
        )


class _BodyTooLargeError(Exception):
    pass


class BodySizeLimitMiddleware:
    """Answer 413 to a request whose body is over `max_bytes`, before it is parsed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit():
                if int(value) > self.max_bytes:
                    await self._reject(send)
                    return
                break

        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLargeError
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _BodyTooLargeError:
            await self._reject(send)

    async def _reject(self, send: Send) -> None:
        body = error_body(
            code="payload_too_large",
            message=f"The request body is over the limit of {self.max_bytes} bytes.",
            request_id=current_request_id(),
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
