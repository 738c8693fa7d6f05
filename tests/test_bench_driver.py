"""bench/asgi_driver.py runs against the default render and reports every route."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from tests.commands import UV, describe_failure, run_command
from tests.rendering import REPO_ROOT

if TYPE_CHECKING:
    from pathlib import Path

    from tests.projects import SyncedProjects

# Shares the worker, and so the synced render, of the default matrix entry.
pytestmark = pytest.mark.xdist_group("render-defaults")

DRIVER = REPO_ROOT / "bench" / "asgi_driver.py"
ROUTES = ("hello", "/health", "GET /api/v0/cache/{key}", "POST /api/v0/jobs")
DRIVER_TIMEOUT = 120


def test_driver_reports_every_route(
    synced_projects: SyncedProjects, tmp_path: Path
) -> None:
    """A short run writes a positive min and median for each route."""
    project = synced_projects.get("defaults")
    assert project.sync.returncode == 0, describe_failure(project.sync, project.path)
    result = tmp_path / "result.json"
    env = {
        **project.env,
        "MY_SERVICE_ENVIRONMENT": "production",
        "MY_SERVICE_BACKEND": "memory",
        "MY_SERVICE_API_KEY": "driver-test-key-0123456789abcdef",
        "MY_SERVICE_LOG_FORMAT": "json",
    }

    run = run_command(
        (
            UV,
            "run",
            "--no-sync",
            "python",
            str(DRIVER),
            str(result),
            "--requests",
            "20",
            "--repeats",
            "2",
        ),
        project.path,
        env,
        DRIVER_TIMEOUT,
    )

    assert run.returncode == 0, describe_failure(run, project.path)
    figures = json.loads(result.read_text(encoding="utf-8"))
    assert sorted(figures) == sorted(ROUTES)
    for route in ROUTES:
        assert figures[route]["min"] > 0, route
        assert figures[route]["median"] >= figures[route]["min"], route
