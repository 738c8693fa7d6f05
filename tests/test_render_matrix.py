"""Render every choice and run the generated project's own checks on it."""

from __future__ import annotations

import pytest

from tests.commands import CHECK_TIMEOUT, CHECKS, describe_failure, run_command
from tests.projects import RENDERS, SyncedProjects

# xdist_group keeps every test of one render on one worker, so that worker
# renders and syncs it once and the other worker takes other renders.
RENDER_PARAMS = [
    pytest.param(name, id=name, marks=pytest.mark.xdist_group(f"render-{name}"))
    for name in RENDERS
]

CHECK_PARAMS = [
    pytest.param(name, check, id=f"{name}-{check}", marks=param.marks)
    for param, name in zip(RENDER_PARAMS, RENDERS, strict=True)
    for check in CHECKS
]


@pytest.mark.parametrize("name", RENDER_PARAMS)
def test_render_syncs(synced_projects: SyncedProjects, name: str) -> None:
    """uv sync installs the rendered project and its dev dependencies."""
    project = synced_projects.get(name)

    returncode = project.sync.returncode
    assert returncode == 0, describe_failure(project.sync, project.path)


@pytest.mark.parametrize(("name", "check"), CHECK_PARAMS)
def test_render_check(synced_projects: SyncedProjects, name: str, check: str) -> None:
    """The rendered project passes one of its own checks."""
    project = synced_projects.get(name)
    sync_returncode = project.sync.returncode
    assert sync_returncode == 0, describe_failure(project.sync, project.path)

    result = run_command(CHECKS[check], project.path, project.env, CHECK_TIMEOUT)

    returncode = result.returncode
    assert returncode == 0, describe_failure(result, project.path)
