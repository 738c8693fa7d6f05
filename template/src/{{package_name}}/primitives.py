"""Structural types for the Modal objects that the service uses.

Both the real `modal` objects and the in-memory doubles in `in_memory` satisfy
these protocols, so the service code is typed once and runs on either. Each
I/O method is a callable with an `.aio` coroutine form, as in Modal 1.x.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

ResultT_co = TypeVar("ResultT_co", covariant=True)


class _DictGet(Protocol):
    def __call__(self, /, key: Any, default: Any | None = None) -> Any: ...
    async def aio(self, /, key: Any, default: Any | None = None) -> Any: ...


class _DictPut(Protocol):
    def __call__(
        self, /, key: Any, value: Any, *, skip_if_exists: bool = False
    ) -> bool: ...
    async def aio(
        self, /, key: Any, value: Any, *, skip_if_exists: bool = False
    ) -> bool: ...


class _DictContains(Protocol):
    def __call__(self, /, key: Any) -> bool: ...
    async def aio(self, /, key: Any) -> bool: ...


class _DictPop(Protocol):
    def __call__(self, /, key: Any, default: Any = ...) -> Any: ...
    async def aio(self, /, key: Any, default: Any = ...) -> Any: ...


class _DictLen(Protocol):
    def __call__(self, /) -> int: ...
    async def aio(self, /) -> int: ...


class DictHandle(Protocol):
    """A `modal.Dict`: the methods of it that the service calls."""

    @property
    def get(self) -> _DictGet: ...
    @property
    def put(self) -> _DictPut: ...
    @property
    def contains(self) -> _DictContains: ...
    @property
    def pop(self) -> _DictPop: ...
    @property
    def len(self) -> _DictLen: ...


class _QueueGet(Protocol):
    def __call__(
        self,
        /,
        block: bool = True,
        timeout: float | None = None,
        *,
        partition: str | None = None,
    ) -> Any | None: ...
    async def aio(
        self,
        /,
        block: bool = True,
        timeout: float | None = None,
        *,
        partition: str | None = None,
    ) -> Any | None: ...


class _QueueGetMany(Protocol):
    def __call__(
        self,
        /,
        n_values: int,
        block: bool = True,
        timeout: float | None = None,
        *,
        partition: str | None = None,
    ) -> list[Any]: ...
    async def aio(
        self,
        /,
        n_values: int,
        block: bool = True,
        timeout: float | None = None,
        *,
        partition: str | None = None,
    ) -> list[Any]: ...


class _QueuePut(Protocol):
    def __call__(
        self,
        /,
        v: Any,
        block: bool = True,
        timeout: float | None = None,
        *,
        partition: str | None = None,
        partition_ttl: int = 86400,
    ) -> None: ...
    async def aio(
        self,
        /,
        v: Any,
        block: bool = True,
        timeout: float | None = None,
        *,
        partition: str | None = None,
        partition_ttl: int = 86400,
    ) -> None: ...


class _QueuePutMany(Protocol):
    def __call__(
        self,
        /,
        vs: list[Any],
        block: bool = True,
        timeout: float | None = None,
        *,
        partition: str | None = None,
        partition_ttl: int = 86400,
    ) -> None: ...
    async def aio(
        self,
        /,
        vs: list[Any],
        block: bool = True,
        timeout: float | None = None,
        *,
        partition: str | None = None,
        partition_ttl: int = 86400,
    ) -> None: ...


class _QueueLen(Protocol):
    def __call__(
        self, /, *, partition: str | None = None, total: bool = False
    ) -> int: ...
    async def aio(
        self, /, *, partition: str | None = None, total: bool = False
    ) -> int: ...


class QueueHandle(Protocol):
    """A `modal.Queue`: the methods of it that the service calls."""

    @property
    def get(self) -> _QueueGet: ...
    @property
    def get_many(self) -> _QueueGetMany: ...
    @property
    def put(self) -> _QueuePut: ...
    @property
    def put_many(self) -> _QueuePutMany: ...
    @property
    def len(self) -> _QueueLen: ...


class _CallGet(Protocol[ResultT_co]):
    def __call__(
        self, /, timeout: float | None = None, *, index: int = 0
    ) -> ResultT_co: ...
    async def aio(
        self, /, timeout: float | None = None, *, index: int = 0
    ) -> ResultT_co: ...


class FunctionCallHandle(Protocol[ResultT_co]):
    """A `modal.FunctionCall`: a handle on a spawned function's result."""

    @property
    def object_id(self) -> str: ...
    @property
    def get(self) -> _CallGet[ResultT_co]: ...


class _TimedRemote(Protocol):
    def __call__(self, /, seconds: float, request_id: str | None) -> dict[str, Any]: ...
    async def aio(
        self, /, seconds: float, request_id: str | None
    ) -> dict[str, Any]: ...


class _TimedSpawn(Protocol):
    def __call__(
        self, /, seconds: float, request_id: str | None
    ) -> FunctionCallHandle[dict[str, Any]]: ...
    async def aio(
        self, /, seconds: float, request_id: str | None
    ) -> FunctionCallHandle[dict[str, Any]]: ...


class TimedWorkerHandle(Protocol):
    """The `timed_worker` Modal function, called with `.remote` or `.spawn`."""

    @property
    def remote(self) -> _TimedRemote: ...
    @property
    def spawn(self) -> _TimedSpawn: ...


class _JobRemote(Protocol):
    def __call__(self, /, job: dict[str, Any]) -> Any: ...
    async def aio(self, /, job: dict[str, Any]) -> Any: ...


class JobWorkerHandle(Protocol):
    """The `run_job` Modal function, which runs one job and returns its result."""

    @property
    def remote(self) -> _JobRemote: ...


class FunctionCallLookup(Protocol):
    """`modal.FunctionCall.from_id`, or the in-memory double's equivalent."""

    def __call__(self, function_call_id: str, /) -> FunctionCallHandle[Any]: ...
