"""In-memory doubles of Modal's Dict, Queue, Function and FunctionCall.

They mirror the Modal 1.x methods that the service uses, with the same
parameter names, defaults, limits and exceptions, including the `.aio`
coroutine form of every I/O method. Values cross them pickled with Modal's own
serializer. Tests and local runs use them in place of Modal; they need no
Modal token and open no connection.

Build them from an `InMemoryModal` registry, one per test:

    registry = InMemoryModal()
    queue = registry.queue_from_name("jobs", create_if_missing=True)
    await queue.put.aio({"job_id": "1"})

The classmethods with Modal's signatures (`InMemoryDict.from_name`,
`InMemoryQueue.from_name`, `InMemoryFunctionCall.from_id`) use one
process-wide registry instead, created on first use.
"""

from ._aio import AioCallable, AioGeneratorCallable
from ._dict import InMemoryDict
from ._functions import InMemoryFunction, InMemoryFunctionCall
from ._queue import InMemoryQueue
from ._registry import InMemoryModal

__all__ = [
    "AioCallable",
    "AioGeneratorCallable",
    "InMemoryDict",
    "InMemoryFunction",
    "InMemoryFunctionCall",
    "InMemoryModal",
    "InMemoryQueue",
]
