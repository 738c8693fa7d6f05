"""Size limits checked before a request reaches a Modal object."""

from __future__ import annotations

import math
import pickle
from typing import TYPE_CHECKING, Any

from .context import current_request_id
from .errors import ApiError, send_error

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send


def check_finite_numbers(value: Any, what: str) -> None:
    """Raise a 422 `ApiError` when `value` contains NaN or an infinity.

    Python's JSON parser accepts them, but they are not JSON, and FastAPI
    would return them as `null`.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise ApiError(
                422,
                "validation_error",
                f"The {what} holds {item!r}; use finite numbers, which JSON allows.",
            )
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


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


class BodySizeLimitMiddleware:
    """Reject a request whose body is over `max_bytes` with 413, before it is parsed."""

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
        rejected = False

        async def counting_receive() -> Message:
            nonlocal received, rejected
            message = await receive()
            if message["type"] == "http.request" and not rejected:
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Respond here, because an exception raised while the app
                    # reads the body would reach the client as FastAPI's 400.
                    rejected = True
                    await self._reject(send)
                    return {"type": "http.disconnect"}
            return message

        async def send_unless_rejected(message: Message) -> None:
            if not rejected:
                await send(message)

        await self.app(scope, counting_receive, send_unless_rejected)

    async def _reject(self, send: Send) -> None:
        await send_error(
            send,
            413,
            "payload_too_large",
            f"The request body is over the limit of {self.max_bytes} bytes.",
            current_request_id(),
        )
