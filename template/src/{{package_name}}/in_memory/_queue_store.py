"""Server-side state of a named Queue: its partitions, limits and expiry."""

from __future__ import annotations

import collections
import dataclasses
import threading
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

# Limits from the `modal.Queue` docstring (modal 1.6). Modal raises `queue.Full`
# when its server reports a full partition (RESOURCE_EXHAUSTED), and
# `RequestSizeError` when the server rejects a request as too large (HTTP 413).
# NOTE: that the byte and partition-count limits also report a full partition,
# and that one item over 1 MiB gets HTTP 413, is inferred, not documented.
MAX_PARTITIONS = 100_000
MAX_ITEMS_PER_PARTITION = 5_000
MAX_ITEM_BYTES = 1024 * 1024
MAX_PARTITION_BYTES = 64 * 1024 * 1024
DEFAULT_PARTITION_TTL_SECONDS = 24 * 3600


@dataclasses.dataclass
class _Partition:
    expires_at: float
    # Pairs of (entry id, pickled item). Ids increase across the whole Queue,
    # which lets `iterate` resume after the last item it returned.
    items: collections.deque[tuple[int, bytes]] = dataclasses.field(
        default_factory=collections.deque
    )
    size_bytes: int = 0


class QueueStore:
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
