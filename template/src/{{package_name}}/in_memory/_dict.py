"""In-memory double of `modal.Dict`."""

from __future__ import annotations

import threading
import uuid
from typing import TYPE_CHECKING, Any, Self

from modal.exception import RequestSizeError

from ._aio import AioGeneratorMethod, AioMethod, warn_if_blocking_in_async
from ._modal_internals import check_object_name, deserialize, serialize
from ._state import RegistryState, default_state

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    import modal

# NOTE: Modal's Dict guide states no per-object size limit but a maximum size
# per request, and 100 MiB is an unverified figure for that maximum. Modal's server
# rejects a larger request with HTTP 413, which modal raises as RequestSizeError.
MAX_REQUEST_BYTES = 100 * 1024 * 1024

# `modal.Dict.len` documents that it returns at most 100,000 (modal 1.6).
MAX_REPORTED_LEN = 100_000


class _NoDefault:
    # Same repr as Modal's sentinel, so `inspect.signature(pop)` reads the same.
    def __repr__(self) -> str:
        return "..."


_NO_DEFAULT: Any = _NoDefault()


class _DictStore:
    """Entries of one named Dict, keyed by the pickled key as on Modal's server.

    Keys match by their pickled bytes, not by `==`: `1` and `1.0` are two keys
    here as they are on Modal.
    """

    def __init__(self) -> None:
        self.object_id = f"di-{uuid.uuid4().hex}"
        self.lock = threading.Lock()
        self.entries: dict[bytes, bytes] = {}


def _check_request_size(entries: list[tuple[bytes, bytes]], method: str) -> None:
    size = sum(len(key) + len(value) for key, value in entries)
    if size > MAX_REQUEST_BYTES:
        raise RequestSizeError(
            f"Dict.{method} request is too large: {size} bytes of pickled keys and values,"
            f" over the {MAX_REQUEST_BYTES}-byte limit. Store large data in a Volume instead."
        )


class InMemoryDict:
    """In-memory double of `modal.Dict` with the same methods, arguments and errors.

    Keys and values are pickled with Modal's serializer on write and unpickled
    on every read, so a read returns a new copy and an unpicklable value fails
    as it would on Modal. The handle finds its Dict on first use, as Modal's
    lazy `from_name` does, and raises `NotFoundError` then if the Dict does not
    exist. Unlike on Modal, entries never expire. Modal drops an entry after 7
    days without reads or writes.

    Build one with `InMemoryModal.dict_from_name` in tests, or with
    `InMemoryDict.from_name`, which uses a process-wide registry.
    """

    def __init__(
        self,
        state: RegistryState,
        name: str,
        *,
        environment_name: str | None,
        create_if_missing: bool,
    ) -> None:
        check_object_name(name, "Dict")
        self._state = state
        self._name = name
        self._environment_name = environment_name
        self._create_if_missing = create_if_missing
        self._store: _DictStore | None = None

    @classmethod
    def from_name(
        cls,
        name: str,
        *,
        environment_name: str | None = None,
        create_if_missing: bool = False,
        client: modal.Client | None = None,
    ) -> Self:
        """Reference a named Dict in the process-wide registry, like Modal's `from_name`.

        `client` is accepted for Modal's signature and ignored.
        """
        del client
        return cls(
            default_state(),
            name,
            environment_name=environment_name,
            create_if_missing=create_if_missing,
        )

    @property
    def name(self) -> str:
        """Name of the Dict."""
        return self._name

    def __repr__(self) -> str:
        return f"InMemoryDict.from_name({self._name!r})"

    def _hydrate(self) -> _DictStore:
        if self._store is None:
            self._store = self._state.named_object(
                "Dict",
                self._name,
                self._environment_name,
                _DictStore,
                create_if_missing=self._create_if_missing,
            )
        return self._store

    def _clear(self) -> None:
        store = self._hydrate()
        with store.lock:
            store.entries.clear()

    def _get(self, key: Any, default: Any | None = None) -> Any:
        store = self._hydrate()
        key_data = serialize(key)
        with store.lock:
            value_data = store.entries.get(key_data)
        if value_data is None:
            return default
        return deserialize(value_data)

    def _contains(self, key: Any) -> bool:
        store = self._hydrate()
        key_data = serialize(key)
        with store.lock:
            return key_data in store.entries

    def _len(self) -> int:
        store = self._hydrate()
        with store.lock:
            return min(len(store.entries), MAX_REPORTED_LEN)

    def _update(self, other: Mapping[Any, Any] | None = None, /, **kwargs: Any) -> None:
        store = self._hydrate()
        # Modal merges into a Python dict first, so keys equal under `==`
        # collapse before pickling, and the last one wins.
        contents: dict[Any, Any] = {}
        if other:
            contents.update({key: other[key] for key in other})
        if kwargs:
            contents.update(kwargs)
        entries = [
            (serialize(key), serialize(value)) for key, value in contents.items()
        ]
        _check_request_size(entries, "update")
        with store.lock:
            store.entries.update(entries)

    def _put(self, key: Any, value: Any, *, skip_if_exists: bool = False) -> bool:
        store = self._hydrate()
        key_data, value_data = serialize(key), serialize(value)
        _check_request_size([(key_data, value_data)], "put")
        with store.lock:
            if skip_if_exists and key_data in store.entries:
                return False
            store.entries[key_data] = value_data
        return True

    def _pop(self, key: Any, default: Any = _NO_DEFAULT) -> Any:
        store = self._hydrate()
        key_data = serialize(key)
        with store.lock:
            value_data = store.entries.pop(key_data, None)
        if value_data is None:
            if default is not _NO_DEFAULT:
                return default
            raise KeyError(f"{key} not in dict {store.object_id}")
        return deserialize(value_data)

    def _keys(self) -> Iterator[Any]:
        store = self._hydrate()
        with store.lock:
            snapshot = list(store.entries)
        for key_data in snapshot:
            yield deserialize(key_data)

    def _values(self) -> Iterator[Any]:
        store = self._hydrate()
        with store.lock:
            snapshot = list(store.entries.values())
        for value_data in snapshot:
            yield deserialize(value_data)

    def _items(self) -> Iterator[tuple[Any, Any]]:
        store = self._hydrate()
        with store.lock:
            snapshot = list(store.entries.items())
        for key_data, value_data in snapshot:
            yield deserialize(key_data), deserialize(value_data)

    clear = AioMethod(_clear)
    """Remove all items from the Dict."""
    get = AioMethod(_get)
    """Return the value for `key`, or `default` when the key does not exist."""
    contains = AioMethod(_contains)
    """Return whether `key` is present."""
    len = AioMethod(_len)
    """Return the number of entries, at most 100,000 as on Modal."""
    update = AioMethod(_update)
    """Add the items of `other` and `kwargs`, like `dict.update`."""
    put = AioMethod(_put)
    """Store `value` under `key` and return True, or False if `skip_if_exists` kept one."""
    pop = AioMethod(_pop)
    """Remove `key` and return its value, or `default` (`KeyError` without one)."""
    keys = AioGeneratorMethod(_keys)
    """Iterate over a snapshot of the keys, which Modal returns unordered."""
    values = AioGeneratorMethod(_values)
    """Iterate over a snapshot of the values."""
    items = AioGeneratorMethod(_items)
    """Iterate over a snapshot of the (key, value) pairs."""

    # Modal's dunder methods block like the other blocking forms, so they warn
    # inside a running event loop too.
    def __getitem__(self, key: Any) -> Any:
        """Return the value for `key`, or raise `KeyError` when it is missing."""
        warn_if_blocking_in_async("InMemoryDict.__getitem__", stacklevel=2)
        value = self._get(key, _NO_DEFAULT)
        if value is _NO_DEFAULT:
            raise KeyError(f"{key} not in dict {self._hydrate().object_id}")
        return value

    def __setitem__(self, key: Any, value: Any) -> None:
        """Store `value` under `key`."""
        warn_if_blocking_in_async("InMemoryDict.__setitem__", stacklevel=2)
        self._put(key, value)

    def __delitem__(self, key: Any) -> Any:
        """Remove `key` and return its value, or raise `KeyError` when it is missing."""
        warn_if_blocking_in_async("InMemoryDict.__delitem__", stacklevel=2)
        return self._pop(key)

    def __contains__(self, key: Any) -> bool:
        """Return whether `key` is present."""
        warn_if_blocking_in_async("InMemoryDict.__contains__", stacklevel=2)
        return self._contains(key)
