"""In-memory double of `modal.Queue`."""

from __future__ import annotations

import functools
import queue
import warnings
from typing import TYPE_CHECKING, Any, Self

import modal
from modal.exception import InvalidError, RequestSizeError

from ._aio import AioGeneratorMethod, AioMethod, deadline_after, poll_for, wait_for
from ._modal_internals import check_object_name, deserialize, serialize
from ._queue_store import (
    DEFAULT_PARTITION_TTL_SECONDS,
    MAX_ITEM_BYTES,
    MAX_ITEMS_PER_PARTITION,
    MAX_PARTITION_BYTES,
    MAX_PARTITIONS,
    QueueStore,
)
from ._state import RegistryState, default_state

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator


def _warn_timeout_ignored(operation: str, stacklevel: int) -> None:
    # Modal's own wording for a `timeout` passed with block=False.
    message = {
        "get": "Timeout is ignored for non-blocking get.",
        "put": "`timeout` argument is ignored for non-blocking put.",
    }[operation]
    warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)


class InMemoryQueue:
    """In-memory double of `modal.Queue` with Modal's methods, limits and errors.

    Items are pickled with Modal's serializer. Partitions are independent FIFO
    queues, and the limits in the `modal.Queue` docstring apply: 5,000 items
    and 64 MiB per partition, 1 MiB per pickled item and 100,000 partitions.
    A partition is cleared `partition_ttl` seconds after its last put, measured
    with the registry's clock. The handle finds its Queue on first use, as
    Modal's lazy `from_name` does.

    Blocking forms wait on a condition variable, while blocking `.aio` forms
    poll every few milliseconds so that they do not block the event loop.
    """

    def __init__(
        self,
        state: RegistryState,
        name: str,
        *,
        environment_name: str | None,
        create_if_missing: bool,
    ) -> None:
        check_object_name(name, "Queue")
        self._state = state
        self._name = name
        self._environment_name = environment_name
        self._create_if_missing = create_if_missing
        self._store: QueueStore | None = None

    @classmethod
    def from_name(
        cls,
        name: str,
        *,
        environment_name: str | None = None,
        create_if_missing: bool = False,
        client: modal.Client | None = None,
    ) -> Self:
        """Reference a named Queue in the process-wide registry, like Modal's `from_name`.

        `client` is accepted for Modal's signature and ignored.
        """
        del client
        return cls(
            default_state(),
            name,
            environment_name=environment_name,
            create_if_missing=create_if_missing,
        )

    @staticmethod
    def validate_partition_key(partition: str | None) -> bytes:
        """Return the key in UTF-8, raising `InvalidError` unless it is 1 to 64 bytes."""
        return modal.Queue.validate_partition_key(partition)

    @property
    def name(self) -> str:
        """Name of the Queue."""
        return self._name

    def __repr__(self) -> str:
        return f"InMemoryQueue.from_name({self._name!r})"

    def _hydrate(self) -> QueueStore:
        if self._store is None:
            clock = self._state.clock
            self._store = self._state.named_object(
                "Queue",
                self._name,
                self._environment_name,
                lambda: QueueStore(clock),
                create_if_missing=self._create_if_missing,
            )
        return self._store

    def _encode(self, values: list[Any]) -> list[bytes]:
        items = [serialize(value) for value in values]
        for item in items:
            if len(item) > MAX_ITEM_BYTES:
                method = "put_many" if len(values) > 1 else "put"
                raise RequestSizeError(
                    f"Queue.{method} request is too large: an item is {len(item)} bytes"
                    f" pickled, over the {MAX_ITEM_BYTES}-byte limit per item."
                )
        return items

    def _full_error(self, partition: str | None, count: int) -> queue.Full:
        return queue.Full(
            f"Queue '{self._name}' partition {partition!r} has no room for {count} more"
            f" item(s): a partition holds at most {MAX_ITEMS_PER_PARTITION} items and"
            f" {MAX_PARTITION_BYTES} bytes, and a Queue at most {MAX_PARTITIONS} partitions."
        )

    @staticmethod
    def _check_n_values(n_values: int) -> None:
        # Modal passes n_values to its server unchecked and documents no result
        # below 1, so the double rejects such a call to make it fail loudly.
        if n_values < 1:
            raise InvalidError(f"n_values must be at least 1, got {n_values}.")

    def _take(
        self, n_values: int, block: bool, timeout: float | None, partition: str | None
    ) -> list[Any]:
        store = self._hydrate()
        key = self.validate_partition_key(partition)
        attempt = functools.partial(store.try_get, key, n_values)
        if block:
            items = wait_for(store.changed, attempt, deadline_after(timeout))
            if items is None:
                raise queue.Empty
        else:
            with store.lock:
                items = attempt() or []
        return [deserialize(item) for item in items]

    async def _take_aio(
        self, n_values: int, block: bool, timeout: float | None, partition: str | None
    ) -> list[Any]:
        store = self._hydrate()
        key = self.validate_partition_key(partition)
        attempt = functools.partial(store.try_get, key, n_values)
        if block:
            items = await poll_for(store.lock, attempt, deadline_after(timeout))
            if items is None:
                raise queue.Empty
        else:
            with store.lock:
                items = attempt() or []
        return [deserialize(item) for item in items]

    def _append(
        self,
        values: list[Any],
        block: bool,
        timeout: float | None,
        partition: str | None,
        partition_ttl: int,
    ) -> None:
        store = self._hydrate()
        items = self._encode(values)
        key = self.validate_partition_key(partition)
        attempt = functools.partial(store.try_put, key, items, partition_ttl)
        if block:
            added = wait_for(store.changed, attempt, deadline_after(timeout))
        else:
            with store.lock:
                added = attempt()
        if added is None:
            raise self._full_error(partition, len(items))

    async def _append_aio(
        self,
        values: list[Any],
        block: bool,
        timeout: float | None,
        partition: str | None,
        partition_ttl: int,
    ) -> None:
        store = self._hydrate()
        items = self._encode(values)
        key = self.validate_partition_key(partition)
        attempt = functools.partial(store.try_put, key, items, partition_ttl)
        if block:
            added = await poll_for(store.lock, attempt, deadline_after(timeout))
        else:
            with store.lock:
                added = attempt()
        if added is None:
            raise self._full_error(partition, len(items))

    def _get(
        self,
        block: bool = True,
        timeout: float | None = None,
        *,
        partition: str | None = None,
    ) -> Any | None:
        if not block and timeout is not None:
            _warn_timeout_ignored("get", stacklevel=3)
        values = self._take(1, block, timeout, partition)
        return values[0] if values else None

    async def _get_aio(
        self,
        block: bool = True,
        timeout: float | None = None,
        *,
        partition: str | None = None,
    ) -> Any | None:
        if not block and timeout is not None:
            _warn_timeout_ignored("get", stacklevel=2)
        values = await self._take_aio(1, block, timeout, partition)
        return values[0] if values else None

    def _get_many(
        self,
        n_values: int,
        block: bool = True,
        timeout: float | None = None,
        *,
        partition: str | None = None,
    ) -> list[Any]:
        self._check_n_values(n_values)
        if not block and timeout is not None:
            _warn_timeout_ignored("get", stacklevel=3)
        return self._take(n_values, block, timeout, partition)

    async def _get_many_aio(
        self,
        n_values: int,
        block: bool = True,
        timeout: float | None = None,
        *,
        partition: str | None = None,
    ) -> list[Any]:
        self._check_n_values(n_values)
        if not block and timeout is not None:
            _warn_timeout_ignored("get", stacklevel=2)
        return await self._take_aio(n_values, block, timeout, partition)

    def _put(
        self,
        v: Any,
        block: bool = True,
        timeout: float | None = None,
        *,
        partition: str | None = None,
        partition_ttl: int = DEFAULT_PARTITION_TTL_SECONDS,
    ) -> None:
        if not block and timeout is not None:
            _warn_timeout_ignored("put", stacklevel=3)
        self._append([v], block, timeout, partition, partition_ttl)

    async def _put_aio(
        self,
        v: Any,
        block: bool = True,
        timeout: float | None = None,
        *,
        partition: str | None = None,
        partition_ttl: int = DEFAULT_PARTITION_TTL_SECONDS,
    ) -> None:
        if not block and timeout is not None:
            _warn_timeout_ignored("put", stacklevel=2)
        await self._append_aio([v], block, timeout, partition, partition_ttl)

    def _put_many(
        self,
        vs: list[Any],
        block: bool = True,
        timeout: float | None = None,
        *,
        partition: str | None = None,
        partition_ttl: int = DEFAULT_PARTITION_TTL_SECONDS,
    ) -> None:
        if not block and timeout is not None:
            _warn_timeout_ignored("put", stacklevel=3)
        self._append(vs, block, timeout, partition, partition_ttl)

    async def _put_many_aio(
        self,
        vs: list[Any],
        block: bool = True,
        timeout: float | None = None,
        *,
        partition: str | None = None,
        partition_ttl: int = DEFAULT_PARTITION_TTL_SECONDS,
    ) -> None:
        if not block and timeout is not None:
            _warn_timeout_ignored("put", stacklevel=2)
        await self._append_aio(vs, block, timeout, partition, partition_ttl)

    def _len(self, *, partition: str | None = None, total: bool = False) -> int:
        store = self._hydrate()
        if partition and total:
            raise InvalidError("Partition must be null when requesting total length.")
        key = self.validate_partition_key(partition)
        with store.lock:
            return store.length(key, total=total)

    # `all` is Modal's parameter name.
    def _clear(self, *, partition: str | None = None, all: bool = False) -> None:  # noqa: A002
        store = self._hydrate()
        if partition and all:
            raise InvalidError("Partition must be null when requesting to clear all.")
        key = self.validate_partition_key(partition)
        with store.lock:
            store.clear(key, all_partitions=all)

    def _iterate(
        self, *, partition: str | None = None, item_poll_timeout: float = 0.0
    ) -> Iterator[Any]:
        store = self._hydrate()
        key = self.validate_partition_key(partition)
        last_entry_id = 0
        while True:
            attempt = functools.partial(store.items_after, key, last_entry_id)
            batch = wait_for(store.changed, attempt, deadline_after(item_poll_timeout))
            if batch is None:
                return
            for entry_id, item in batch:
                yield deserialize(item)
                last_entry_id = entry_id

    async def _iterate_aio(
        self, *, partition: str | None = None, item_poll_timeout: float = 0.0
    ) -> AsyncIterator[Any]:
        store = self._hydrate()
        key = self.validate_partition_key(partition)
        last_entry_id = 0
        while True:
            attempt = functools.partial(store.items_after, key, last_entry_id)
            batch = await poll_for(
                store.lock, attempt, deadline_after(item_poll_timeout)
            )
            if batch is None:
                return
            for entry_id, item in batch:
                yield deserialize(item)
                last_entry_id = entry_id

    get = AioMethod(_get, _get_aio)
    """Remove and return the next item.

    With `block` (the default) wait up to `timeout` seconds, forever when it is
    None, and raise `queue.Empty` when it passes. Without `block`, return None
    at once when the partition is empty.
    """
    get_many = AioMethod(_get_many, _get_many_aio)
    """Remove and return up to `n_values` items.

    With `block`, wait until at least one item is present or raise `queue.Empty`
    after `timeout`. Without `block`, return `[]` at once when empty.
    """
    put = AioMethod(_put, _put_aio)
    """Append one item, raising `queue.Full` if the partition stays full past `timeout`."""
    put_many = AioMethod(_put_many, _put_many_aio)
    """Append all items or none, raising `queue.Full` if they do not fit in time."""
    len = AioMethod(_len)
    """Return the item count of a partition, or of all partitions with `total=True`."""
    clear = AioMethod(_clear)
    """Delete a partition's items, or every partition's with `all=True`."""
    iterate = AioGeneratorMethod(_iterate, _iterate_aio)
    """Iterate over items without removing them.

    Stops once no new item arrives within `item_poll_timeout` seconds.
    """
