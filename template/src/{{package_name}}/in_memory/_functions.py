"""In-memory doubles of `modal.Function` and `modal.FunctionCall`."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import inspect
import threading
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar

from modal.exception import InvalidError, NotFoundError

from ._aio import AioCallable, AioMethod, deadline_after, poll_for
from ._calls import CallRecord, run_call, run_call_async
from ._modal_internals import serialize
from ._state import RegistryState, default_state

if TYPE_CHECKING:
    from collections.abc import Callable

    import modal

P = ParamSpec("P")
ResultT = TypeVar("ResultT")


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class InMemoryFunction(Generic[P, ResultT]):
    """In-memory double of a `modal.Function`, wrapping a plain sync or async function.

    `.remote` and `.spawn` pickle the arguments and the result (or exception)
    with Modal's serializer, and run the function in a new, empty
    `contextvars.Context`, as if it ran in another container:

    - `.remote(...)` runs it on a new thread and returns its result.
    - `await .remote.aio(...)` awaits a coroutine function in a task on the
      running loop, or runs a sync function on the loop's default executor.
    - `.spawn(...)` starts it on a new daemon thread and returns an
      `InMemoryFunctionCall` at once.
    - `await .spawn.aio(...)` starts a coroutine function as a task on the
      running loop, and a sync function as `.spawn` does.
    - `.local(...)` calls the function directly, as Modal's `.local` does: no
      pickling, the caller's context, and a coroutine for async functions.

    Build one with `InMemoryModal.function(fn)`.
    """

    def __init__(self, state: RegistryState, function: Callable[P, Any]) -> None:
        self._state = state
        self._function = function
        self._is_async = inspect.iscoroutinefunction(function)
        self._name = getattr(function, "__qualname__", repr(function))

    def __repr__(self) -> str:
        return f"<InMemoryFunction {self._name}>"

    @property
    def remote(self) -> AioCallable[P, ResultT]:
        """Call the function and return its result. `.remote.aio` is the coroutine form."""
        return AioCallable(f"{self._name}.remote", self._remote, self._remote_aio)

    @property
    def spawn(self) -> AioCallable[P, InMemoryFunctionCall[ResultT]]:
        """Start the function and return its `InMemoryFunctionCall` without waiting."""
        return AioCallable(f"{self._name}.spawn", self._spawn, self._spawn_aio)

    def local(self, *args: P.args, **kwargs: P.kwargs) -> Any:
        """Call the function directly in this thread and context, like Modal's `.local`."""
        return self._function(*args, **kwargs)

    def _start_thread(self, record: CallRecord, payload: bytes) -> threading.Thread:
        worker = threading.Thread(
            target=run_call,
            args=(record, self._function, payload),
            kwargs={"is_async": self._is_async},
            name=f"in-memory-modal {self._name} {record.object_id}",
            daemon=True,
        )
        worker.start()
        return worker

    def _remote(self, *args: P.args, **kwargs: P.kwargs) -> ResultT:
        record = CallRecord()
        self._start_thread(record, serialize((args, kwargs))).join()
        result: ResultT = record.result()
        return result

    async def _remote_aio(self, *args: P.args, **kwargs: P.kwargs) -> ResultT:
        record = CallRecord()
        payload = serialize((args, kwargs))
        loop = asyncio.get_running_loop()
        if self._is_async:
            await loop.create_task(
                run_call_async(record, self._function, payload),
                context=contextvars.Context(),
            )
        else:
            run = functools.partial(
                run_call, record, self._function, payload, is_async=False
            )
            await loop.run_in_executor(None, run)
        result: ResultT = record.result()
        return result

    def _spawn(
        self, *args: P.args, **kwargs: P.kwargs
    ) -> InMemoryFunctionCall[ResultT]:
        record = CallRecord()
        payload = serialize((args, kwargs))
        self._state.add_function_call(record)
        self._start_thread(record, payload)
        return InMemoryFunctionCall(self._state, record.object_id, hydrated=True)

    async def _spawn_aio(
        self, *args: P.args, **kwargs: P.kwargs
    ) -> InMemoryFunctionCall[ResultT]:
        if not self._is_async:
            return self._spawn(*args, **kwargs)
        record = CallRecord()
        payload = serialize((args, kwargs))
        self._state.add_function_call(record)
        loop = asyncio.get_running_loop()
        record.loop = loop
        record.task = loop.create_task(
            run_call_async(record, self._function, payload),
            context=contextvars.Context(),
        )
        return InMemoryFunctionCall(self._state, record.object_id, hydrated=True)


class InMemoryFunctionCall(Generic[ResultT]):
    """In-memory double of `modal.FunctionCall`: a handle on a spawned call's result.

    `get` returns the result as often as it is called, raises the function's
    exception, and raises the built-in `TimeoutError` when the call has not
    finished within `timeout` seconds (`timeout=0` checks once).
    """

    def __init__(
        self, state: RegistryState, function_call_id: str, *, hydrated: bool
    ) -> None:
        self._state = state
        self._object_id = function_call_id
        self._hydrated = hydrated

    @classmethod
    def from_id(
        cls, function_call_id: str, client: modal.Client | None = None
    ) -> InMemoryFunctionCall[Any]:
        """Return a handle on a call spawned through the process-wide registry.

        Like `modal.FunctionCall.from_id`, this looks nothing up: `get` raises
        `NotFoundError` for an unknown id, and `object_id` raises
        `AttributeError` until the first `get`. `client` is accepted for
        Modal's signature and ignored. Calls spawned through an `InMemoryModal`
        are found with its `function_call_from_id`.
        """
        del client
        return cls(default_state(), function_call_id, hydrated=False)

    @property
    def object_id(self) -> str:
        """Id of the call, of the form `fc-<hex>`.

        A handle from `from_id` raises `AttributeError` here until its first
        `get`, as Modal's does before it is hydrated.
        """
        if not self._hydrated:
            raise AttributeError(f"Attempting to get object_id of unhydrated {self!r}")
        return self._object_id

    def __repr__(self) -> str:
        return f"InMemoryFunctionCall.from_id({self._object_id!r})"

    def _lookup(self, index: int) -> CallRecord:
        # Modal hydrates the handle before it asks the server for the call, so
        # `object_id` works after a `get` that raised NotFoundError too.
        self._hydrated = True
        record = self._state.function_call(self._object_id)
        if record is None:
            raise NotFoundError(f"Function call {self._object_id!r} not found.")
        # NOTE: Modal's docstring says only index=0 is valid for a `.spawn()`
        # call but not what its server does otherwise, so the double raises.
        if index != 0:
            raise InvalidError(
                f"Function call {self._object_id} has one input, so index must be 0, got {index}."
            )
        return record

    def _timeout_error(self, timeout: float | None) -> TimeoutError:
        return TimeoutError(
            f"Function call {self._object_id} did not finish within {timeout} s."
        )

    def _get(self, timeout: float | None = None, *, index: int = 0) -> ResultT:
        record = self._lookup(index)
        waits = timeout is None or timeout > 0
        runs_on_this_loop = record.loop is not None and record.loop is _running_loop()
        if waits and runs_on_this_loop and not record.is_done():
            raise RuntimeError(
                f"FunctionCall.get would wait for {self._object_id}, which runs on this"
                " thread's event loop, and so never return. Use `await call.get.aio()`."
            )
        if not record.wait(timeout):
            raise self._timeout_error(timeout)
        result: ResultT = record.result()
        return result

    async def _get_aio(
        self, timeout: float | None = None, *, index: int = 0
    ) -> ResultT:
        record = self._lookup(index)

        def finished() -> bool | None:
            return True if record.is_done() else None

        deadline = deadline_after(timeout)
        if await poll_for(contextlib.nullcontext(), finished, deadline) is None:
            raise self._timeout_error(timeout)
        result: ResultT = record.result()
        return result

    get = AioMethod(_get, _get_aio)
    """Return the call's result, waiting up to `timeout` seconds (forever when None)."""
