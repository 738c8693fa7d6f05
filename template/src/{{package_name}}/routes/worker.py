"""Worker functions: called and waited for, or spawned and polled."""

from typing import Annotated, Any, Literal

import modal.exception
import structlog
from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel

from ..context import current_request_id
from ..dependencies import ServicesDep
from ..errors import BACKEND_ERRORS, ApiError, backend_call

router = APIRouter(prefix="/api/v0/worker", tags=["worker"])
log = structlog.get_logger(__name__)

# Modal function call ids look like `fc-` followed by letters and digits.
# Modal errors that mean the worker call itself failed, not the call to Modal.
_CALL_FAILURES = (
    modal.exception.FunctionTimeoutError,
    modal.exception.RemoteError,
    modal.exception.ExecutionError,
)

CallId = Annotated[str, Path(min_length=4, max_length=64, pattern=r"^fc-[A-Za-z0-9]+$")]


class WorkerResult(BaseModel):
    """What the worker returned."""

    result: dict[str, Any]


class SpawnedCall(BaseModel):
    """A spawned worker call; poll `GET /api/v0/worker/{call_id}` for its result."""

    call_id: str


class CallStatus(BaseModel):
    """A spawned call's state and, once it finished, its result."""

    call_id: str
    status: Literal["pending", "succeeded", "failed"]
    result: Any = None
    error: str | None = None


@router.get(
    "",
    response_model=WorkerResult | SpawnedCall,
    responses={
        202: {"model": SpawnedCall, "description": "Spawned in the background."}
    },
)
async def run_worker(
    services: ServicesDep,
    response: Response,
    *,
    backgrounded: Annotated[bool, Query()] = False,
    seconds: Annotated[float, Query(ge=0)] = 1.0,
) -> WorkerResult | SpawnedCall:
    """Run the timed worker and wait for it, or spawn it and return its call id."""
    limit = services.settings.max_walkthrough_seconds
    if seconds > limit:
        raise ApiError(
            422,
            "validation_error",
            f"seconds={seconds} is over the limit of {limit} seconds.",
        )
    worker = services.backend.timed_worker
    request_id = current_request_id()
    if backgrounded:
        with backend_call("worker.spawn"):
            call = await worker.spawn.aio(seconds, request_id)
        log.info("worker.spawned", call_id=call.object_id, seconds=seconds)
        response.status_code = 202
        return SpawnedCall(call_id=call.object_id)
    log.info("worker.call.started", seconds=seconds)
    with backend_call("worker.remote"):
        try:
            result = await worker.remote.aio(seconds, request_id)
        except _CALL_FAILURES as exc:
            log.exception("worker.call_failed")
            raise ApiError(
                502, "worker_failed", f"The worker call failed: {type(exc).__name__}."
            ) from exc
    log.info("worker.call.finished", seconds=seconds)
    return WorkerResult(result=result)


@router.get(
    "/{call_id}",
    responses={
        202: {"model": CallStatus, "description": "The call is still running."},
        404: {"description": "No call has this id."},
        410: {"description": "The call's result is no longer kept."},
    },
)
async def get_worker_call(
    call_id: CallId, services: ServicesDep, response: Response
) -> CallStatus:
    """Return a spawned call's outcome, 202 while it runs, 404 for an unknown id."""
    with backend_call("worker.get"):
        try:
            call = services.backend.function_call_from_id(call_id)
            result = await call.get.aio(timeout=0)
        except TimeoutError:
            response.status_code = 202
            return CallStatus(call_id=call_id, status="pending")
        except modal.exception.NotFoundError:
            raise ApiError(
                404, "call_not_found", f"No worker call has id {call_id!r}."
            ) from None
        except modal.exception.OutputExpiredError:
            raise ApiError(
                410, "call_result_expired", f"The result of call {call_id!r} expired."
            ) from None
        except _CALL_FAILURES as exc:
            return _failed(call_id, exc)
        except BACKEND_ERRORS:
            raise
        except Exception as exc:  # noqa: BLE001  (the worker may raise anything)
            return _failed(call_id, exc)
    return CallStatus(call_id=call_id, status="succeeded", result=result)


def _failed(call_id: str, exc: Exception) -> CallStatus:
    log.warning("worker.call_failed", call_id=call_id, error_type=type(exc).__name__)
    return CallStatus(
        call_id=call_id, status="failed", error=f"{type(exc).__name__}: {exc}"
    )
