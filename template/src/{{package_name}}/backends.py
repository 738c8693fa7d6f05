"""Where the service's Dicts, Queue and worker functions live: Modal, or in memory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import modal

from . import workers
from .in_memory import InMemoryModal

if TYPE_CHECKING:
    from .primitives import (
        DictHandle,
        FunctionCallLookup,
        JobWorkerHandle,
        QueueHandle,
        TimedWorkerHandle,
    )
    from .settings import Settings


@dataclass(frozen=True)
class Backend:
    """Handles on the Modal objects the service uses."""

    kind: str
    cache: DictHandle
    job_queue: QueueHandle
    job_statuses: DictHandle
    timed_worker: TimedWorkerHandle
    job_worker: JobWorkerHandle
    function_call_from_id: FunctionCallLookup


def in_memory_backend(
    settings: Settings, registry: InMemoryModal | None = None
) -> Backend:
    """Build a backend on the in-memory Modal doubles (a fresh registry by default)."""
    doubles = registry if registry is not None else InMemoryModal()
    environment = settings.modal_environment
    return Backend(
        kind="memory",
        cache=doubles.dict_from_name(
            settings.cache_dict_name,
            environment_name=environment,
            create_if_missing=True,
        ),
        job_queue=doubles.queue_from_name(
            settings.jobs_queue_name,
            environment_name=environment,
            create_if_missing=True,
        ),
        job_statuses=doubles.dict_from_name(
            settings.jobs_dict_name,
            environment_name=environment,
            create_if_missing=True,
        ),
        timed_worker=doubles.function(workers.timed_work),
        job_worker=doubles.function(workers.run_job),
        function_call_from_id=doubles.function_call_from_id,
    )


def modal_backend(
    settings: Settings,
    *,
    timed_worker: TimedWorkerHandle,
    job_worker: JobWorkerHandle,
) -> Backend:
    """Build a backend on Modal's objects; nothing connects until the first call."""
    environment = settings.modal_environment
    return Backend(
        kind="modal",
        cache=modal.Dict.from_name(
            settings.cache_dict_name,
            environment_name=environment,
            create_if_missing=True,
        ),
        job_queue=modal.Queue.from_name(
            settings.jobs_queue_name,
            environment_name=environment,
            create_if_missing=True,
        ),
        job_statuses=modal.Dict.from_name(
            settings.jobs_dict_name,
            environment_name=environment,
            create_if_missing=True,
        ),
        timed_worker=timed_worker,
        job_worker=job_worker,
        function_call_from_id=modal.FunctionCall.from_id,
    )


def deployed_backend(settings: Settings, app_name: str) -> Backend:
    """Build a Modal backend that calls the worker functions of the deployed app.

    Used when the web app runs outside Modal with `backend=modal`, for example
    under a local uvicorn against the deployed Dicts, Queue and workers.
    """
    environment = settings.modal_environment
    return modal_backend(
        settings,
        timed_worker=modal.Function.from_name(
            app_name, "timed_worker", environment_name=environment
        ),
        job_worker=modal.Function.from_name(
            app_name, "run_job", environment_name=environment
        ),
    )


def select_backend(settings: Settings, app_name: str) -> Backend:
    """Pick the backend that `settings.backend` names (`auto`: Modal inside a container)."""
    use_modal = settings.backend == "modal" or (
        settings.backend == "auto" and not modal.is_local()
    )
    if use_modal:
        return deployed_backend(settings, app_name)
    return in_memory_backend(settings)
