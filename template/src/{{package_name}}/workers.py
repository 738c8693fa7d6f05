"""Work that runs in worker functions: on Modal in their own containers, locally in-process.

`modal_app` wraps these coroutines in Modal functions; the in-memory backend
wraps the same coroutines in the Modal doubles, so both run identical code.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from typing import Any

import structlog

log = structlog.get_logger(__name__)


async def timed_work(seconds: float, request_id: str | None) -> dict[str, Any]:
    """Log, wait `seconds` without blocking the event loop, log again."""
    with structlog.contextvars.bound_contextvars(request_id=request_id):
        log.info("worker.started", seconds=seconds)
        started = time.perf_counter()
        await asyncio.sleep(seconds)
        elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
        log.info("worker.finished", seconds=seconds, elapsed_ms=elapsed_ms)
    return {"seconds": seconds, "elapsed_ms": elapsed_ms, "request_id": request_id}


async def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Run one job from the queue and return its result.

    `job` holds `job_id`, `request_id` and the client's `payload`. This is the
    place for the service's own work; the result returned here is stored as
    the job's `result`, and an exception marks the job `failed`.
    """
    with structlog.contextvars.bound_contextvars(
        job_id=job["job_id"], request_id=job.get("request_id")
    ):
        log.info("job.started")
        payload = job["payload"]
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        result = {
            "fields": len(payload),
            "bytes": len(canonical.encode()),
            "sha256": hashlib.sha256(canonical.encode()).hexdigest(),
        }
        log.info("job.finished", fields=result["fields"])
        return result
