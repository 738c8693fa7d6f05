"""The id of the request being served, shared by middleware, errors and routes."""

from __future__ import annotations

from contextvars import ContextVar, Token

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """Return the id of the request being served, or None outside a request."""
    return _request_id.get()


def set_request_id(request_id: str) -> Token[str | None]:
    """Make `request_id` current until the returned token is reset."""
    return _request_id.set(request_id)


def reset_request_id(token: Token[str | None]) -> None:
    """Restore the request id that was current before `set_request_id`."""
    _request_id.reset(token)
