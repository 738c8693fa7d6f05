"""A walk-through of the `modal.Queue` API on a partition of its own."""

from fastapi import APIRouter

from ..context import current_request_id
from ..dependencies import ServicesDep
from ..errors import backend_call
from .walkthrough import StepRecorder, Walkthrough

router = APIRouter(prefix="/api/v0/queue", tags=["queue"])

# Walk-through partitions are scratch space; Modal clears them after this long.
WALKTHROUGH_PARTITION_TTL_SECONDS = 600


@router.get("")
async def queue_walkthrough(services: ServicesDep) -> Walkthrough:
    """Walk through the Queue API, logging and returning each step.

    Each request uses a partition named after its request id, so concurrent
    walk-throughs and the job queue's own items never mix.
    """
    queue = services.backend.job_queue
    partition = f"walkthrough-{current_request_id()}"[:64]
    ttl = WALKTHROUGH_PARTITION_TTL_SECONDS
    steps = StepRecorder("queue.walkthrough.step")
    with backend_call("queue.walkthrough"):
        await steps.call("get", [], queue.get.aio(block=False, partition=partition))
        await steps.call(
            "put",
            ["test"],
            queue.put.aio("test", partition=partition, partition_ttl=ttl),
        )
        await steps.call("get", [], queue.get.aio(block=False, partition=partition))
        await steps.call(
            "put_many",
            [["test", "toast"]],
            queue.put_many.aio(
                ["test", "toast"], partition=partition, partition_ttl=ttl
            ),
        )
        await steps.call(
            "get_many", [2], queue.get_many.aio(2, block=False, partition=partition)
        )
        await steps.call(
            "put_many",
            [["test", "toast"]],
            queue.put_many.aio(
                ["test", "toast"], partition=partition, partition_ttl=ttl
            ),
        )
        await steps.call(
            "get_many", [3], queue.get_many.aio(3, block=False, partition=partition)
        )
    return steps.walkthrough()
