"""An async HTTP client that sends requests to an app in-process, lifespan included."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import httpx2

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from fastapi import FastAPI


@contextlib.asynccontextmanager
async def open_client(
    app: FastAPI,
    headers: dict[str, str] | None = None,
    *,
    raise_app_exceptions: bool = True,
) -> AsyncIterator[httpx2.AsyncClient]:
    """Run the app's lifespan and yield a client whose requests go to the app.

    The app runs on the caller's event loop, with no server in between. With
    `raise_app_exceptions=False`, an exception that escapes the app is not
    raised. The client then returns the response that the app sent before the
    exception, or an empty 500 response, as a server would.
    """
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    async with (
        app.router.lifespan_context(app),
        httpx2.AsyncClient(
            transport=transport, base_url="http://test", headers=headers
        ) as client,
    ):
        yield client
