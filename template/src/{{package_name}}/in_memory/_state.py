"""The state that Modal's servers hold, kept in memory for one registry."""

from __future__ import annotations

import functools
import threading
import time
from typing import TYPE_CHECKING, TypeVar, cast

from modal.exception import NotFoundError

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._calls import CallRecord

StoreT = TypeVar("StoreT")


class RegistryState:
    """The named Dicts and Queues and the spawned calls of one in-memory workspace.

    Named objects are keyed by (kind, environment, name) like on Modal, where
    `environment_name=None` or `""` means the default environment. Every method
    is thread-safe.
    """

    def __init__(
        self,
        *,
        environment_name: str = "main",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Create an empty workspace.

        `environment_name` is the environment that handles use when they pass
        none. `clock` returns seconds and decides when Queue partitions expire
        after their `partition_ttl`, so tests can pass a fake clock.
        """
        self.environment_name = environment_name
        self.clock = clock
        self._lock = threading.Lock()
        self._named: dict[tuple[str, str, str], object] = {}
        self._function_calls: dict[str, CallRecord] = {}

    def named_object(
        self,
        kind: str,
        name: str,
        environment_name: str | None,
        factory: Callable[[], StoreT],
        *,
        create_if_missing: bool,
    ) -> StoreT:
        """Return the store of a named object, creating it with `factory` if allowed.

        Raises `NotFoundError` when the object does not exist and
        `create_if_missing` is false, which Modal raises on first use of the
        handle.
        """
        environment = environment_name or self.environment_name
        key = (kind, environment, name)
        with self._lock:
            store = self._named.get(key)
            if store is None:
                if not create_if_missing:
                    raise NotFoundError(
                        f"{kind} '{name}' not found in environment '{environment}'."
                        " Pass create_if_missing=True to create it."
                    )
                store = factory()
                self._named[key] = store
        # Each kind is created by one handle class with one factory, so the
        # stored object has the type that this kind's factory returns.
        return cast("StoreT", store)

    def add_function_call(self, record: CallRecord) -> None:
        """Store a spawned call so that `FunctionCall.from_id` can find it."""
        with self._lock:
            self._function_calls[record.object_id] = record

    def function_call(self, function_call_id: str) -> CallRecord | None:
        """Return the spawned call with this id, or None."""
        with self._lock:
            return self._function_calls.get(function_call_id)


_default_state_lock = threading.Lock()


@functools.cache
def _create_default_state() -> RegistryState:
    return RegistryState()


def default_state() -> RegistryState:
    """Return the process-wide state behind the doubles' Modal-style classmethods.

    `InMemoryDict.from_name`, `InMemoryQueue.from_name` and
    `InMemoryFunctionCall.from_id` use it. It is created on first use. Tests should prefer their own `InMemoryModal`,
    which no other test can see.
    """
    with _default_state_lock:
        return _create_default_state()
