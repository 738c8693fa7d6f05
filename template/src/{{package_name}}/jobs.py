"""Jobs: enqueue on a `modal.Queue`, keep each job's status in a `modal.Dict`.

The web function enqueues; a drain (scheduled on Modal, a background loop
locally) takes jobs in batches and runs each through the job worker function.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import structlog
from pydantic import BaseModel

if TYPE_CHECKING:
    from .primitives import DictHandle, JobWorkerHandle, QueueHandle

log = structlog.get_logger(__name__)

# A full queue raises `queue.Full` after this long instead of holding the request.
ENQUEUE_TIMEOUT_SECONDS = 5.0


class JobStatus(StrEnum):
    """Where a job is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class JobRecord(BaseModel):
    """A job's status as stored in the status Dict and returned by the API."""

    job_id: str
    status: JobStatus
    request_id: str | None = None
    created_at: datetime
    updated_at: datetime
    result: Any = None
    error: str | None = None


class DrainReport(BaseModel):
    """What one drain did."""

    taken: int = 0
    succeeded: int = 0
    failed: int = 0


def _now() -> datetime:
    return datetime.now(UTC)


class JobService:
    """Enqueue jobs, read their status and drain the queue through a worker."""

    def __init__(
        self, queue: QueueHandle, statuses: DictHandle, worker: JobWorkerHandle
    ) -> None:
        self._queue = queue
        self._statuses = statuses
        self._worker = worker

    async def enqueue(
        self, payload: dict[str, Any], request_id: str | None
    ) -> JobRecord:
        """Record a job as queued, then put it on the queue."""
        now = _now()
        record = JobRecord(
            job_id=uuid.uuid4().hex,
            status=JobStatus.QUEUED,
            request_id=request_id,
            created_at=now,
            updated_at=now,
        )
        await self._save(record)
        message = {
            "job_id": record.job_id,
            "request_id": request_id,
            "payload": payload,
        }
        try:
            await self._queue.put.aio(message, timeout=ENQUEUE_TIMEOUT_SECONDS)
        except BaseException:
            # The job never reached the queue, so its status must not say queued.
            await self._statuses.pop.aio(record.job_id, None)
            raise
        log.info("job.enqueued", job_id=record.job_id)
        return record

    async def get(self, job_id: str) -> JobRecord | None:
        """Return the job's record, or None for an unknown id."""
        stored = await self._statuses.get.aio(job_id)
        return None if stored is None else JobRecord.model_validate(stored)

    async def drain(self, batch_size: int) -> DrainReport:
        """Take up to `batch_size` jobs and run them concurrently."""
        messages = await self._queue.get_many.aio(batch_size, block=False)
        if not messages:
            return DrainReport()
        outcomes = await asyncio.gather(
            *(self._run(message) for message in messages), return_exceptions=True
        )
        succeeded = 0
        for message, outcome in zip(messages, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                # The status Dict itself failed; the job stays in its last state.
                log.error(
                    "job.status_update_failed",
                    job_id=message["job_id"],
                    error_type=type(outcome).__name__,
                    error=str(outcome),
                )
            elif outcome:
                succeeded += 1
        report = DrainReport(
            taken=len(messages), succeeded=succeeded, failed=len(messages) - succeeded
        )
        log.info("jobs.drained", **report.model_dump())
        return report

    async def drain_until_empty(self, batch_size: int, max_batches: int) -> DrainReport:
        """Drain batch after batch until the queue is empty or `max_batches` ran."""
        total = DrainReport()
        for _ in range(max_batches):
            report = await self.drain(batch_size)
            total.taken += report.taken
            total.succeeded += report.succeeded
            total.failed += report.failed
            if report.taken < batch_size:
                break
        return total

    async def _run(self, message: dict[str, Any]) -> bool:
        job_id = message["job_id"]
        with structlog.contextvars.bound_contextvars(
            job_id=job_id, request_id=message.get("request_id")
        ):
            record = await self.get(job_id)
            if record is None:
                log.warning("job.status_missing")
                now = _now()
                record = JobRecord(
                    job_id=job_id,
                    status=JobStatus.QUEUED,
                    request_id=message.get("request_id"),
                    created_at=now,
                    updated_at=now,
                )
            await self._save(record.model_copy(update={"status": JobStatus.RUNNING}))
            try:
                result = await self._worker.remote.aio(message)
            except Exception as exc:
                log.exception("job.failed")
                error = f"{type(exc).__name__}: {exc}"
                await self._save(
                    record.model_copy(
                        update={"status": JobStatus.FAILED, "error": error}
                    )
                )
                return False
            await self._save(
                record.model_copy(
                    update={"status": JobStatus.SUCCEEDED, "result": result}
                )
            )
            log.info("job.succeeded")
            return True

    async def _save(self, record: JobRecord) -> None:
        stored = record.model_copy(update={"updated_at": _now()})
        await self._statuses.put.aio(record.job_id, stored.model_dump(mode="json"))
