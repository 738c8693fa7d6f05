"""Function calls as Modal's servers run them: in isolation, with pickled outcomes."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import uuid
from typing import TYPE_CHECKING, Any

from modal.exception import SerializationError

from ._modal_internals import deserialize, serialize

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType


class _Outcome:
    """A finished call's pickled result or exception, as Modal stores outputs."""

    def __init__(
        self, data: bytes, *, failed: bool, traceback: TracebackType | None = None
    ) -> None:
        self._data = data
        self._failed = failed
        self._traceback = traceback

    @classmethod
    def of_value(cls, value: Any) -> _Outcome:
        try:
            return cls(serialize(value), failed=False)
        # Modal's container reports a result it cannot pickle as the call's failure.
        except Exception as exc:  # noqa: BLE001
            return cls.of_exception(exc)

    @classmethod
    def of_exception(cls, exc: BaseException) -> _Outcome:
        try:
            data = serialize(exc)
        # Modal's container sends a SerializationError in place of an exception
        # that it cannot pickle, with this message.
        except Exception as serialization_exc:  # noqa: BLE001
            data = serialize(
                SerializationError(
                    f"Failed to serialize exception {exc} of type {type(exc)}: {serialization_exc}"
                )
            )
        return cls(data, failed=True, traceback=exc.__traceback__)

    def unwrap(self) -> Any:
        """Return a new copy of the result, or raise a copy of the exception.

        The copy carries the original traceback, so a failure points into the
        function as Modal's remote tracebacks do.
        """
        value = deserialize(self._data)
        if self._failed:
            raise value.with_traceback(self._traceback)
        return value


class CallRecord:
    """One function call: whether it finished, and its outcome."""

    def __init__(self) -> None:
        self.object_id = f"fc-{uuid.uuid4().hex}"
        # The loop whose task runs the call, if one does. `task` keeps that
        # task alive, because asyncio holds only weak references to tasks.
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task[None] | None = None
        self._done = threading.Event()
        self._outcome: _Outcome | None = None

    def finish(self, outcome: _Outcome) -> None:
        """Store the outcome and wake every waiter."""
        self._outcome = outcome
        self._done.set()

    def is_done(self) -> bool:
        """Return whether the call has finished."""
        return self._done.is_set()

    def wait(self, timeout: float | None) -> bool:
        """Wait up to `timeout` seconds for the call to finish and return whether it did."""
        return self._done.wait(timeout)

    def result(self) -> Any:
        """Return the call's result or raise its exception, like `FunctionCall.get`."""
        if self._outcome is None:
            raise RuntimeError(f"Function call {self.object_id} has not finished.")
        return self._outcome.unwrap()


def run_call(
    record: CallRecord, function: Callable[..., Any], payload: bytes, *, is_async: bool
) -> None:
    """Run a call to the end on this thread and store its outcome in `record`.

    The function runs in a new, empty `contextvars.Context`: on Modal it runs
    in another container, so it cannot read the caller's context variables.
    """
    context = contextvars.Context()
    try:
        args, kwargs = deserialize(payload)
        if is_async:
            value = context.run(asyncio.run, function(*args, **kwargs))
        else:
            value = context.run(function, *args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - stored and re-raised by FunctionCall.get
        record.finish(_Outcome.of_exception(exc))
    except BaseException as exc:
        record.finish(_Outcome.of_exception(exc))
        raise
    else:
        record.finish(_Outcome.of_value(value))


async def run_call_async(
    record: CallRecord, function: Callable[..., Any], payload: bytes
) -> None:
    """Await a coroutine function's call to the end and store its outcome in `record`.

    The caller creates the task for this coroutine with a new
    `contextvars.Context`, for the reason `run_call` gives.
    """
    try:
        args, kwargs = deserialize(payload)
        value = await function(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - stored and re-raised by FunctionCall.get
        record.finish(_Outcome.of_exception(exc))
    except BaseException as exc:
        # A cancelled task still finishes its record, so no waiter hangs.
        record.finish(_Outcome.of_exception(exc))
        raise
    else:
        record.finish(_Outcome.of_value(value))
