"""Render every choice and run the generated project's own checks on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

from tests.commands import (
    CHECK_TIMEOUT,
    CHECKS,
    SYNC_TIMEOUT,
    describe_failure,
    project_env,
    run_command,
)
from tests.pythons import require_python
from tests.rendering import render

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path

# Together the renders cover every choice of python_version, ci and license.
RENDERS: dict[str, dict[str, str]] = {
    "defaults": {},
    "py311-no-ci-apache": {
        "python_version": "3.11",
        "ci": "none",
        "license": "Apache-2.0",
    },
    "py313-bsd": {"python_version": "3.13", "license": "BSD-3-Clause"},
    "proprietary": {"license": "Proprietary"},
}

# The Python version a render without python_version gets, from copier.yml.
DEFAULT_PYTHON = "3.12"


@dataclass(frozen=True)
class SyncedProject:
    """A rendered project after uv sync, with the environment its checks use."""

    path: Path
    # Left out of the repr, which pytest may print, because it copies os.environ.
    env: dict[str, str] = field(repr=False)
    sync: subprocess.CompletedProcess[str]


class SyncedProjects:
    """Render and sync each matrix entry once per xdist worker, on first use."""

    def __init__(self, base: Path) -> None:
        self._base = base
        self._projects: dict[str, SyncedProject] = {}

    def get(self, name: str) -> SyncedProject:
        """Return the synced project of matrix entry name."""
        if name not in self._projects:
            self._projects[name] = self._sync(name)
        return self._projects[name]

    def _sync(self, name: str) -> SyncedProject:
        answers = RENDERS[name]
        interpreter = require_python(answers.get("python_version", DEFAULT_PYTHON))
        path = self._base / name
        render(path, **answers)
        env = project_env(interpreter)
        sync = run_command(
            ("uv", "sync", "--python", str(interpreter)), path, env, SYNC_TIMEOUT
        )
        return SyncedProject(path=path, env=env, sync=sync)


@pytest.fixture(scope="session")
def synced_projects(tmp_path_factory: pytest.TempPathFactory) -> SyncedProjects:
    """Provide the matrix renders of this worker."""
    return SyncedProjects(tmp_path_factory.mktemp("matrix"))


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
