"""Modal's two call forms for the doubles: `obj.get(...)` and `await obj.get.aio(...)`.

Modal 1.x gives every I/O method a blocking form and an `.aio` coroutine form
with the same parameters. `AioMethod` and `AioGeneratorMethod` are descriptors
that build both forms from one or two implementations, typed with ParamSpec so
that mypy checks calls against the real parameter names and the doubles match the protocols in
`primitives` structurally. `inspect.signature` of either form returns the
implementation's signature without `self`, which the signature tests compare
with Modal's. On a class that sets `_fault_kind`, `AioMethod` also raises the
faults injected into the registry, in both forms, before the method runs.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import time
import types
import warnings
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Generic,
    ParamSpec,
    Self,
    TypeVar,
    overload,
)

from modal.exception import AsyncUsageWarning

from ._faults import OPERATIONS

if TYPE_CHECKING:
    import threading
    from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
    from contextlib import AbstractContextManager

OwnerT = TypeVar("OwnerT")
ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")
P = ParamSpec("P")

# Seconds between two attempts of a blocking `.aio` call. Polling keeps the
# state loop-agnostic: a put from any thread or event loop is seen on the next
# attempt, at the cost of up to this much extra latency.
POLL_INTERVAL_SECONDS = 0.005


def warn_if_blocking_in_async(name: str, *, stacklevel: int) -> None:
    """Warn like Modal when a blocking form runs on a thread with a running event loop.

    Modal 1.6 emits `AsyncUsageWarning` for every blocking call made inside a
    running event loop, so the doubles do too: with warnings as errors, a
    service test then fails where the same code would stall the loop on Modal.
    The message starts with Modal's own sentence, so one `match=` fits both.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    warnings.warn(
        "A blocking Modal interface is being used in an async context. "
        f"{name}(...) blocks the event loop; use `await {name}.aio(...)` instead.",
        AsyncUsageWarning,
        stacklevel=stacklevel + 1,
    )


class AioCallable(Generic[P, ResultT]):
    """A callable with Modal's `.aio` coroutine form next to its blocking form."""

    def __init__(
        self,
        name: str,
        call: Callable[P, ResultT],
        aio: Callable[P, Coroutine[Any, Any, ResultT]],
    ) -> None:
        self._name = name
        self._call = call
        self.aio = aio

    @property
    def __signature__(self) -> inspect.Signature:
        return inspect.signature(self._call)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> ResultT:
        warn_if_blocking_in_async(self._name, stacklevel=2)
        return self._call(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<{self._name} with .aio>"


class AioGeneratorCallable(Generic[P, ItemT]):
    """An iterator-returning callable whose `.aio` form returns an async iterator."""

    def __init__(
        self,
        name: str,
        call: Callable[P, Iterator[ItemT]],
        aio: Callable[P, AsyncIterator[ItemT]],
    ) -> None:
        self._name = name
        self._call = call
        self.aio = aio

    @property
    def __signature__(self) -> inspect.Signature:
        return inspect.signature(self._call)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Iterator[ItemT]:
        warn_if_blocking_in_async(self._name, stacklevel=2)
        return self._call(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<{self._name} with .aio>"


def _run_inline(
    call: Callable[Concatenate[OwnerT, P], ResultT],
) -> Callable[Concatenate[OwnerT, P], Coroutine[Any, Any, ResultT]]:
    # `functools.wraps` sets `__wrapped__`, so `inspect.signature` reports the
    # parameters of `call` rather than `*args, **kwargs`.
    @functools.wraps(call)
    async def run(owner: OwnerT, /, *args: P.args, **kwargs: P.kwargs) -> ResultT:
        return call(owner, *args, **kwargs)

    return run


def _check_faults_first(
    call: Callable[Concatenate[OwnerT, P], ResultT], operation: str
) -> Callable[Concatenate[OwnerT, P], ResultT]:
    # `self` is a double with `_state` (its registry) and `_fault_name`; `Any`
    # because the descriptor's owner type has no bound that could say so.
    @functools.wraps(call)
    def run(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> ResultT:
        self._state.faults.check(operation, self._fault_name)
        return call(self, *args, **kwargs)

    return run


def _check_faults_first_aio(
    call: Callable[Concatenate[OwnerT, P], Coroutine[Any, Any, ResultT]],
    operation: str,
) -> Callable[Concatenate[OwnerT, P], Coroutine[Any, Any, ResultT]]:
    # The check runs when the coroutine is awaited, as a Modal `.aio` call
    # sends nothing before that.
    @functools.wraps(call)
    async def run(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> ResultT:
        self._state.faults.check(operation, self._fault_name)
        return await call(self, *args, **kwargs)

    return run


def _iterate_inline(
    call: Callable[Concatenate[OwnerT, P], Iterator[ItemT]],
) -> Callable[Concatenate[OwnerT, P], AsyncIterator[ItemT]]:
    @functools.wraps(call)
    async def run(
        owner: OwnerT, /, *args: P.args, **kwargs: P.kwargs
    ) -> AsyncIterator[ItemT]:
        for item in call(owner, *args, **kwargs):
            yield item

    return run


class AioMethod(Generic[OwnerT, P, ResultT]):
    """Descriptor that turns a method into an `AioCallable` on each instance.

    Without `aio`, the `.aio` form runs `call` directly, which suits methods
    that never wait: they hold a lock for a moment and return. Methods that
    wait (a blocking `Queue.get`) pass an `aio` implementation that polls with
    `asyncio.sleep` so the event loop keeps running.

    When the owner class sets `_fault_kind` (`"Dict"`) and `"<kind>.<name>"`
    is in `OPERATIONS`, both forms first check the registry's fault table,
    one frame above the implementation. Instances of such a class have
    `_state`, their `RegistryState`, and `_fault_name`, the name a fault can
    be narrowed to.
    """

    def __init__(
        self,
        call: Callable[Concatenate[OwnerT, P], ResultT],
        aio: Callable[Concatenate[OwnerT, P], Coroutine[Any, Any, ResultT]]
        | None = None,
    ) -> None:
        self._call = call
        self._aio = aio if aio is not None else _run_inline(call)
        self._name = call.__name__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = f"{owner.__name__}.{name}"
        kind = getattr(owner, "_fault_kind", None)
        operation = f"{kind}.{name}"
        if kind is not None and operation in OPERATIONS:
            self._call = _check_faults_first(self._call, operation)
            self._aio = _check_faults_first_aio(self._aio, operation)

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(
        self, instance: OwnerT, owner: type[Any]
    ) -> AioCallable[P, ResultT]: ...
    def __get__(
        self, instance: OwnerT | None, owner: type[Any]
    ) -> Self | AioCallable[P, ResultT]:
        if instance is None:
            return self
        return AioCallable[P, ResultT](
            self._name,
            types.MethodType(self._call, instance),
            types.MethodType(self._aio, instance),
        )


class AioGeneratorMethod(Generic[OwnerT, P, ItemT]):
    """Descriptor like `AioMethod` for methods that return iterators.

    The blocking form returns an iterator and the `.aio` form an async
    iterator, as Modal's own iterating methods do.
    """

    def __init__(
        self,
        call: Callable[Concatenate[OwnerT, P], Iterator[ItemT]],
        aio: Callable[Concatenate[OwnerT, P], AsyncIterator[ItemT]] | None = None,
    ) -> None:
        self._call = call
        self._aio = aio if aio is not None else _iterate_inline(call)
        self._name = call.__name__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = f"{owner.__name__}.{name}"

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(
        self, instance: OwnerT, owner: type[Any]
    ) -> AioGeneratorCallable[P, ItemT]: ...
    def __get__(
        self, instance: OwnerT | None, owner: type[Any]
    ) -> Self | AioGeneratorCallable[P, ItemT]:
        if instance is None:
            return self
        return AioGeneratorCallable[P, ItemT](
            self._name,
            types.MethodType(self._call, instance),
            types.MethodType(self._aio, instance),
        )


def deadline_after(timeout: float | None) -> float | None:
    """Return the `time.monotonic()` value at which `timeout` seconds have passed."""
    return None if timeout is None else time.monotonic() + timeout


def wait_for(
    condition: threading.Condition,
    attempt: Callable[[], ResultT | None],
    deadline: float | None,
) -> ResultT | None:
    """Call `attempt` under the condition's lock until it returns a value.

    Returns None once `deadline` (a `time.monotonic()` value) has passed. Writers call `condition.notify_all()` after each
    change, which wakes this thread for its next attempt. The first attempt
    always runs, so a deadline in the past still checks once, as Modal does.
    """
    with condition:
        while True:
            result = attempt()
            if result is not None:
                return result
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return None
            condition.wait(remaining)


async def poll_for(
    lock: AbstractContextManager[Any],
    attempt: Callable[[], ResultT | None],
    deadline: float | None,
) -> ResultT | None:
    """Call `attempt` under `lock` until it returns a value, without blocking the loop.

    Returns None once `deadline` has passed. Between attempts the coroutine
    sleeps for `POLL_INTERVAL_SECONDS`, or less when the deadline is closer.
    """
    while True:
        with lock:
            result = attempt()
        if result is not None:
            return result
        delay = POLL_INTERVAL_SECONDS
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            delay = min(delay, remaining)
        await asyncio.sleep(delay)
