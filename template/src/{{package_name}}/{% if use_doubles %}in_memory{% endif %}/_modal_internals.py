"""Modal's private functions that the doubles reuse to behave exactly like Modal.

Modal serializes Dict keys and values, Queue items, function arguments,
results and exceptions with its own cloudpickle-based `serialize`, and raises
whatever cloudpickle raises for a value it cannot pickle (a `TypeError` for a
lock, for example). `from_name` checks names with `check_object_name`. The
doubles call the same functions, so they accept and reject the same values
and names. These modules are private to `modal` (checked against 1.6), so a
Modal release may move them, and an import error here points to that.
"""

from __future__ import annotations

from typing import Any

from modal._serialization import deserialize as _modal_deserialize
from modal._serialization import serialize as _modal_serialize
from modal._utils.name_utils import check_object_name

__all__ = ["check_object_name", "deserialize", "serialize"]


def serialize(value: Any) -> bytes:
    """Pickle `value` with Modal's cloudpickle settings."""
    return _modal_serialize(value)


def deserialize(data: bytes) -> Any:
    """Unpickle `data`, raising `modal.exception.DeserializationError` on failure."""
    return _modal_deserialize(data, None)
