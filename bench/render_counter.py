"""Pytest plugin that counts the template's Copier renders in a test run.

bench/run.py loads it with `-p render_counter` and bench/ on PYTHONPATH. Each
pytest process, the xdist workers included, counts its calls of
`copier.run_copy` and `copier.run_update` and appends them as one JSON line
to the file named by BENCH_RENDER_COUNT_FILE. Renders that tests start as a
`copier` subprocess are not counted.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import copier

if TYPE_CHECKING:
    import pytest

COUNT_FILE_VARIABLE = "BENCH_RENDER_COUNT_FILE"
_counts = {"run_copy": 0, "run_update": 0}


def _counting(name: str) -> Any:
    original = getattr(copier, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _counts[name] += 1
        return original(*args, **kwargs)

    return wrapper


def pytest_configure(config: pytest.Config) -> None:  # noqa: ARG001
    """Wrap copier's entry points so that each call is counted."""
    for name in _counts:
        setattr(copier, name, _counting(name))


def pytest_unconfigure(config: pytest.Config) -> None:  # noqa: ARG001
    """Append this process's counts to the count file."""
    path = os.environ.get(COUNT_FILE_VARIABLE)
    if path:
        with Path(path).open("a", encoding="utf-8") as stream:
            stream.write(json.dumps(_counts) + "\n")
