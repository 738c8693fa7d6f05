"""Rendered and synced projects, shared by the tests that run them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tests.commands import SYNC_TIMEOUT, UV, project_env, run_command
from tests.pythons import require_python
from tests.rendering import render

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path

# Together the renders reach every branch of the template: every choice of
# python_version, ci, license, worker_gpu and api_auth, each feature off alone,
# all features off, the schedule off, and the longest names the validators accept
# (which decide how ruff format wraps the lines that contain them). One render
# also has a description and author with quotes, backslashes and non-ASCII text,
# which uv reads from pyproject.toml when it builds the project.
RENDERS: dict[str, dict[str, str]] = {
    "defaults": {},
    "py311-no-ci-apache-a100": {
        "python_version": "3.11",
        "ci": "none",
        "license": "Apache-2.0",
        "worker_gpu": "A100",
    },
    "py313-bsd-h100": {
        "python_version": "3.13",
        "license": "BSD-3-Clause",
        "description": 'A "fast" cache: C:\\dir\\ <&> caf\u00e9 \U0001f680',
        "author_name": 'Bob "B" O\'Brien \\ \u00e9 \U0001f680',
        "author_email": "o'brien+tag@example.com",
        "worker_gpu": "H100",
    },
    "proprietary-no-cache-t4": {
        "license": "Proprietary",
        "use_cache": "false",
        "worker_gpu": "T4",
    },
    "no-queue-l4-proxy-auth": {
        "use_queue": "false",
        "worker_gpu": "L4",
        "api_auth": "modal_proxy",
    },
    "no-workers-no-auth": {"use_workers": "false", "api_auth": "none"},
    "no-schedule-a10g": {
        "use_schedule": "false",
        "worker_gpu": "A10G",
        "schedule_cron": "0 3 * * *",
    },
    "all-off": {"use_cache": "false", "use_queue": "false", "use_workers": "false"},
    "long-names": {
        "project_name": "Long " + "n" * 48,
        "package_name": "long_" + "p" * 35,
        "modal_app_name": "a" * 53,
        "modal_environment": "e" * 63,
        "description": "A service whose names are as long as the questions allow.",
    },
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
            (UV, "sync", "--python", str(interpreter)), path, env, SYNC_TIMEOUT
        )
        return SyncedProject(path=path, env=env, sync=sync)
