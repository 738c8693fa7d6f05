"""In-memory double of `modal.Queue`."""

from __future__ import annotations

import collections
import dataclasses
import functools
import queue
import threading
import uuid
import warnings
from typing import TYPE_CHECKING, Any, Self

import modal
from modal.exception import InvalidError, RequestSizeError

from ._aio import AioGeneratorMethod, AioMethod, deadline_after, poll_for, wait_for
from ._modal_internals import check_object_name, deserialize, serialize
from ._state import RegistryState, default_state

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator, Sequence

# Limits from the `modal.Queue` docstring (modal 1.6). Modal turns the server's
# RESOURCE_EXHAUSTED answer for a full partition into `queue.Full`, and its
# HTTP 413 for a too-large request into `RequestSizeError`.
# NOTE: that the byte and partition-count limits also answer "full", and that
# a single item over 1 MiB answers 413, is inferred, not documented.
MAX_PARTITIONS = 100_000
MAX_ITEMS_PER_PARTITION = 5_000
MAX_ITEM_BYTES = 1024 * 1024
MAX_PARTITION_BYTES = 64 * 1024 * 1024
DEFAULT_PARTITION_TTL_SECONDS = 24 * 3600


@dataclasses.dataclass
class _Partition:
    expires_at: float
    # (entry id, pickled item); ids increase across the whole Queue, which lets
    # `iterate` resume after the last item it returned.
    items: collections.deque[tuple[int, bytes]] = dataclasses.field(
        default_factory=collections.deque
    )
    size_bytes: int = 0


class _QueueStore:
    """Partitions of one named Queue.

    Callers hold `lock` around every method call. Methods that change the
    partitions call `changed.notify_all()` to wake blocked readers and writers.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self.object_id = f"qu-{uuid.uuid4().hex}"
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self._clock = clock
        self._partitions: dict[bytes, _Partition] = {}
        self._last_entry_id = 0

    def _live_partition(self, key: bytes) -> _Partition | None:
        partition = self._partitions.get(key)
        if partition is not None and self._clock() >= partition.expires_at:
            del self._partitions[key]
            return None
        return partition

    def _live_partitions(self) -> list[_Partition]:
        live = (self._live_partition(key) for key in list(self._partitions))
        return [partition for partition in live if partition is not None]

    def _has_room_for_partition(self) -> bool:
        # Counting without the expiry check first keeps puts O(1) until the
        # Queue nears the limit.
        if len(self._partitions) < MAX_PARTITIONS:
            return True
        return len(self._live_partitions()) < MAX_PARTITIONS

    def try_put(self, key: bytes, items: Sequence[bytes], ttl: int) -> bool | None:
        """Append all `items` and return True, or return None when they do not fit."""
        if not items:
            return True
        partition = self._live_partition(key)
        if partition is None and not self._has_room_for_partition():
            return None
        count = 0 if partition is None else len(partition.items)
        size = 0 if partition is None else partition.size_bytes
        added_size = sum(len(item) for item in items)
        if count + len(items) > MAX_ITEMS_PER_PARTITION:
            return None
        if size + added_size > MAX_PARTITION_BYTES:
            return None
        if partition is None:
            partition = self._partitions[key] = _Partition(expires_at=0.0)
        for item in items:
            self._last_entry_id += 1
            partition.items.append((self._last_entry_id, item))
        partition.size_bytes += added_size
        # Modal clears a partition `partition_ttl` seconds after its last put.
        partition.expires_at = self._clock() + ttl
        self.changed.notify_all()
        return True

    def try_get(self, key: bytes, n_values: int) -> list[bytes] | None:
        """Remove and return up to `n_values` items, or return None when there are none."""
        partition = self._live_partition(key)
        if partition is None or not partition.items:
            return None
        taken = [
            partition.items.popleft()[1]
            for _ in range(min(n_values, len(partition.items)))
        ]
        partition.size_bytes -= sum(len(item) for item in taken)
        if not partition.items:
            del self._partitions[key]
        self.changed.notify_all()
        return taken

    def items_after(self, key: bytes, entry_id: int) -> list[tuple[int, bytes]] | None:
        """Return the items newer than `entry_id` without removing them, or None."""
        partition = self._live_partition(key)
        if partition is None:
            return None
        newer = [item for item in partition.items if item[0] > entry_id]
        return newer or None

    def length(self, key: bytes, *, total: bool) -> int:
        """Return the item count of one partition, or of all of them when `total`."""
        if total:
            return sum(len(partition.items) for partition in self._live_partitions())
        partition = self._live_partition(key)
        return 0 if partition is None else len(partition.items)

    def clear(self, key: bytes, *, all_partitions: bool) -> None:
        """Delete one partition, or all of them when `all_partitions`."""
        if all_partitions:
            self._partitions.clear()
        else:
            self._partitions.pop(key, None)
        self.changed.notify_all()


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

    Blocking forms wait on a condition variable; blocking `.aio` forms poll
    every few milliseconds, so they never block the event loop.
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
        self._store: _QueueStore | None = None

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
        """Return the key as bytes; raise `InvalidError` unless it is 1 to 64 bytes."""
        return modal.Queue.validate_partition_key(partition)

    @property
    def name(self) -> str:
        """Name of the Queue."""
        return self._name

    def __repr__(self) -> str:
        return f"InMemoryQueue.from_name({self._name!r})"

    def _hydrate(self) -> _QueueStore:
        if self._store is None:
            clock = self._state.clock
            self._store = self._state.named_object(
                "Queue",
                self._name,
                self._environment_name,
                lambda: _QueueStore(clock),
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
        # below 1; the double rejects such a call so that it fails loudly.
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
    """Append one item; raise `queue.Full` when the partition stays full past `timeout`."""
    put_many = AioMethod(_put_many, _put_many_aio)
    """Append all items or none; raise `queue.Full` when they do not fit in time."""
    len = AioMethod(_len)
    """Return the item count of a partition, or of all partitions with `total=True`."""
    clear = AioMethod(_clear)
    """Delete a partition's items, or every partition's with `all=True`."""
    iterate = AioGeneratorMethod(_iterate, _iterate_aio)
    """Iterate over items without removing them.

    Stops once no new item arrives within `item_poll_timeout` seconds.
    """
