"""Jobs: enqueue work for the queue drain and read its status."""

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel

from ..context import current_request_id
from ..dependencies import ServicesDep
from ..errors import ApiError, backend_call
from ..jobs import JobRecord, JobStatus

router = APIRouter(prefix="/api/v0/jobs", tags=["jobs"])

JobId = Annotated[str, Path(min_length=1, max_length=64)]


class JobRequest(BaseModel):
    """The job to run; `payload` is handed to the job worker as it is."""

    payload: dict[str, Any]


class JobAccepted(BaseModel):
    """A job that is on the queue."""

    job_id: str
    status: JobStatus


@router.post("", status_code=202)
async def create_job(body: JobRequest, services: ServicesDep) -> JobAccepted:
    """Put a job on the queue and return at once; a worker runs it later."""
    with backend_call("jobs.enqueue"):
        record = await services.jobs.enqueue(body.payload, current_request_id())
    return JobAccepted(job_id=record.job_id, status=record.status)


@router.get("/{job_id}", responses={404: {"description": "No job has this id."}})
async def get_job(job_id: JobId, services: ServicesDep) -> JobRecord:
    """Return the job's status, with `result` once it succeeded or `error` once it failed."""
    with backend_call("jobs.get"):
        record = await services.jobs.get(job_id)
    if record is None:
        raise ApiError(404, "job_not_found", f"No job has id {job_id!r}.")
    return record
