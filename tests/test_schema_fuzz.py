"""Fuzz the default render's API with schemathesis against its OpenAPI schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.commands import UV, describe_failure, run_command

if TYPE_CHECKING:
    from tests.projects import SyncedProjects

# Shares the worker, and so the synced render, of the default matrix entry.
pytestmark = pytest.mark.xdist_group("render-defaults")

FUZZ_SCRIPT = Path(__file__).resolve().parent / "fuzz_service.py"
# Added on top of the project's locked packages for this run only. The
# generated project does not depend on schemathesis.
SCHEMATHESIS = "schemathesis>=4.3,<5"
PACKAGE = "my_service"
# At least 16 characters, so the app starts outside development.
API_KEY = "fuzz-test-key-0123456789abcdef"
# Seconds for the whole run. A cold uv cache downloads schemathesis first.
FUZZ_TIMEOUT = 300


def _describe(failure: dict[str, str]) -> str:
    return (
        f"{failure['operation']} ({failure['mode']} data): {failure['check']}: "
        f"{failure['title']}\n  {failure['message'].replace(chr(10), chr(10) + '  ')}"
        f"\n  reproduce: {failure['reproduce']}"
    )


def test_schema_fuzz_finds_no_failures(
    synced_projects: SyncedProjects,
    record_property: Any,
) -> None:
    """Every operation answers schemathesis' cases as its schema declares."""
    project = synced_projects.get("defaults")
    assert project.sync.returncode == 0, describe_failure(project.sync, project.path)
    auth_module = project.path / "src" / PACKAGE / "auth.py"
    assert auth_module.is_file(), "the default render has no api_key auth"

    result = run_command(
        (
            UV,
            "run",
            "--no-sync",
            "--with",
            SCHEMATHESIS,
            "python",
            str(FUZZ_SCRIPT),
            PACKAGE,
            "--api-key",
            API_KEY,
        ),
        project.path,
        project.env,
        FUZZ_TIMEOUT,
    )
    assert result.returncode == 0, describe_failure(result, project.path)
    summary = json.loads(result.stdout.splitlines()[-1])

    record_property("fuzz_operations", summary["operations"])
    record_property("fuzz_cases", summary["cases"])
    # Shown by `pytest -rA`, also under pytest-xdist.
    print(  # noqa: T201
        f"schema fuzz: {summary['cases']} cases on "
        f"{summary['operations']} operations in {summary['seconds']} s"
    )

    assert summary["shadowed"] == [], "schemathesis replaced locked packages"
    assert summary["operations"] > 0
    without_cases = [
        label for label, count in summary["per_operation"].items() if count == 0
    ]
    assert without_cases == [], f"operations that got no case: {without_cases}"
    failures = "\n\n".join(_describe(failure) for failure in summary["failures"])
    assert not summary["failures"], (
        f"schemathesis found {len(summary['failures'])} distinct failures "
        f"(the curl commands target the in-process app):\n\n{failures}"
    )
