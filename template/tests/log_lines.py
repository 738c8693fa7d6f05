"""Read structlog JSON lines out of captured stdout."""

from __future__ import annotations

import json
from typing import Any


def json_lines(output: str) -> list[dict[str, Any]]:
    """Parse every non-empty line of `output` as one JSON object."""
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def events(output: str, name: str) -> list[dict[str, Any]]:
    """Return the log lines in `output` whose event is `name`."""
    return [line for line in json_lines(output) if line["event"] == name]
