"""`InMemoryModal`, the registry that tests use to build isolated doubles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, overload

from ._dict import InMemoryDict
from ._functions import InMemoryFunction, InMemoryFunctionCall
from ._queue import InMemoryQueue
from ._state import RegistryState

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

P = ParamSpec("P")
ResultT = TypeVar("ResultT")


class InMemoryModal(RegistryState):
    """An in-memory Modal workspace: its named Dicts and Queues and its function calls.

    Each test builds its own, so no state leaks between tests:

        registry = InMemoryModal()
        cache = registry.dict_from_name("cache", create_if_missing=True)
        call = registry.function(pow).spawn(2, 10)
        assert registry.function_call_from_id(call.object_id).get(timeout=5) == 1024

    Handles from one registry never see another registry's objects, nor those
    of the process-wide registry behind `InMemoryDict.from_name` and the other
    classmethods.
    """

    def dict_from_name(
        self,
        name: str,
        *,
        environment_name: str | None = None,
        create_if_missing: bool = False,
    ) -> InMemoryDict:
        """Reference a named Dict in this registry, like `modal.Dict.from_name`."""
        return InMemoryDict(
            self,
            name,
            environment_name=environment_name,
            create_if_missing=create_if_missing,
        )

    def queue_from_name(
        self,
        name: str,
        *,
        environment_name: str | None = None,
        create_if_missing: bool = False,
    ) -> InMemoryQueue:
        """Reference a named Queue in this registry, like `modal.Queue.from_name`."""
        return InMemoryQueue(
            self,
            name,
            environment_name=environment_name,
            create_if_missing=create_if_missing,
        )

    # A coroutine function matches both overloads. The first one wins, so the
    # result type is what the coroutine returns, as with `modal.Function`.
    @overload
    def function(
        self, function: Callable[P, Coroutine[Any, Any, ResultT]]
    ) -> InMemoryFunction[P, ResultT]: ...
    @overload
    def function(
        self, function: Callable[P, ResultT]
    ) -> InMemoryFunction[P, ResultT]: ...
    def function(self, function: Callable[P, Any]) -> InMemoryFunction[P, Any]:
        """Wrap a sync or async function in a Modal Function double of this registry.

        Usable as a decorator. Calls spawned through it are found with
        `function_call_from_id`.
        """
        return InMemoryFunction(self, function)

    def function_call_from_id(self, function_call_id: str) -> InMemoryFunctionCall[Any]:
        """Return a handle on a call spawned in this registry, like `FunctionCall.from_id`.

        An unknown id raises `NotFoundError` from `get`, not here, and
        `object_id` raises `AttributeError` until the first `get`, as on Modal.
        """
        return InMemoryFunctionCall(self, function_call_id, hydrated=False)
