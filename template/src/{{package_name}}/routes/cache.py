"""The cache on a `modal.Dict`: a walk-through and a key-value resource."""

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Path, Response
from pydantic import BaseModel

from ..dependencies import ServicesDep
from ..errors import ApiError, backend_call
from .walkthrough import StepRecorder, Walkthrough

router = APIRouter(prefix="/api/v0/cache", tags=["cache"])
log = structlog.get_logger(__name__)

WALKTHROUGH_KEY = "test"
# Cache keys travel in the URL path; this keeps them printable and bounded.
CacheKey = Annotated[
    str, Path(min_length=1, max_length=256, pattern=r"^[A-Za-z0-9._:~-]+$")
]


class CacheValue(BaseModel):
    """A JSON value to store; `null` is a value like any other."""

    value: Any


class CacheEntry(BaseModel):
    """A key and its stored value."""

    key: str
    value: Any


@router.get("")
async def cache_walkthrough(services: ServicesDep) -> Walkthrough:
    """Walk through the Dict API on key `test`, logging and returning each step."""
    cache = services.backend.cache
    key = WALKTHROUGH_KEY
    steps = StepRecorder("cache.walkthrough.step")
    with backend_call("cache.walkthrough"):
        await steps.call("get", [key], cache.get.aio(key))
        await steps.call("contains", [key], cache.contains.aio(key))
        await steps.call("put", [key, "test"], cache.put.aio(key, "test"))
        await steps.call("put", [key, "toast"], cache.put.aio(key, "toast"))
        await steps.call("get", [key], cache.get.aio(key))
        await steps.call("contains", [key], cache.contains.aio(key))
        await steps.call("pop", [key], cache.pop.aio(key))
        await steps.call("get", [key], cache.get.aio(key))
        await steps.call("contains", [key], cache.contains.aio(key))
        await steps.call("pop", [key], cache.pop.aio(key), expected_errors=(KeyError,))
    return steps.walkthrough()


@router.put("/{key}")
async def put_cache_entry(
    key: CacheKey, body: CacheValue, services: ServicesDep
) -> CacheEntry:
    """Store `value` under `key`, replacing any earlier value."""
    with backend_call("cache.put"):
        await services.backend.cache.put.aio(key, body.value)
    log.info("cache.put", key=key)
    return CacheEntry(key=key, value=body.value)


@router.get("/{key}", responses={404: {"description": "The key is not in the cache."}})
async def get_cache_entry(key: CacheKey, services: ServicesDep) -> CacheEntry:
    """Return the value under `key`; a stored `null` is returned, not treated as missing."""
    cache = services.backend.cache
    missing = object()
    with backend_call("cache.get"):
        value = await cache.get.aio(key, missing)
    if value is missing:
        log.info("cache.miss", key=key)
        raise _key_not_found(key)
    log.info("cache.hit", key=key)
    return CacheEntry(key=key, value=value)


@router.delete(
    "/{key}",
    status_code=204,
    responses={404: {"description": "The key is not in the cache."}},
)
async def delete_cache_entry(key: CacheKey, services: ServicesDep) -> Response:
    """Remove `key` from the cache."""
    try:
        with backend_call("cache.pop"):
            await services.backend.cache.pop.aio(key)
    except KeyError:
        raise _key_not_found(key) from None
    log.info("cache.deleted", key=key)
    return Response(status_code=204)


def _key_not_found(key: str) -> ApiError:
    return ApiError(404, "cache_key_not_found", f"Key {key!r} is not in the cache.")
