"""Run the generated project's tools and describe their failures."""

from __future__ import annotations

import os
import shlex
import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# Last lines of stdout and stderr that a failure message shows.
TAIL_LINES = 40

# Seconds one tool run may take. A cold uv sync downloads every wheel.
SYNC_TIMEOUT = 900
CHECK_TIMEOUT = 600

# The uv that runs this process: `uv run` names its own executable in UV. A
# bare "uv" could resolve to a pyenv shim, which fails inside a project whose
# .python-version names an interpreter without uv installed.
UV = os.environ.get("UV") or "uv"

# The checks every generated project must pass, as run by its developers.
CHECKS: dict[str, tuple[str, ...]] = {
    "pytest": (UV, "run", "pytest", "-q", "-p", "no:cacheprovider"),
    "ruff-check": (UV, "run", "ruff", "check"),
    "ruff-format": (UV, "run", "ruff", "format", "--check"),
    "mypy": (UV, "run", "mypy"),
}


def project_env(interpreter: Path) -> dict[str, str]:
    """Return the environment for uv inside a generated project.

    uv keeps its default cache (~/.cache/uv unless UV_CACHE_DIR is set), the
    one that syncs this repository's own tooling too. It persists across CI
    runs on the same machine, unlike a cache inside the fresh clone, so
    repeated runs install from it without downloading wheels again.
    """
    env = dict(os.environ)
    # Without these, uv would use the environment of this test run instead of
    # the generated project's own .venv.
    env.pop("VIRTUAL_ENV", None)
    env.pop("UV_PROJECT_ENVIRONMENT", None)
    env["UV_PYTHON_DOWNLOADS"] = "never"
    # uv run reads the rendered .python-version, whose X.Y could resolve to a
    # pyenv shim that fails, so every uv command gets the checked interpreter.
    env["UV_PYTHON"] = str(interpreter)
    return env


def run_command(
    args: tuple[str, ...], cwd: Path, env: dict[str, str], timeout: int
) -> subprocess.CompletedProcess[str]:
    """Run args in cwd and capture its output, without raising on failure."""
    try:
        return subprocess.run(
            args,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as error:
        return subprocess.CompletedProcess(
            args,
            returncode=-1,
            stdout=_as_text(error.stdout),
            stderr=_as_text(error.stderr) + f"\ntimed out after {timeout} s",
        )


def _as_text(output: str | bytes | None) -> str:
    """Decode output that TimeoutExpired may carry as bytes."""
    if output is None:
        return ""
    if isinstance(output, bytes):
        return output.decode(errors="replace")
    return output


def _tail(text: str) -> str:
    """Return the last TAIL_LINES lines of text."""
    return "\n".join(text.splitlines()[-TAIL_LINES:])


def describe_failure(result: subprocess.CompletedProcess[str], cwd: Path) -> str:
    """Return a message with the command, its exit code and its output tail."""
    command = shlex.join(str(arg) for arg in result.args)
    return (
        f"`{command}` in {cwd} failed with exit code {result.returncode}\n"
        f"--- stdout (last {TAIL_LINES} lines) ---\n{_tail(result.stdout)}\n"
        f"--- stderr (last {TAIL_LINES} lines) ---\n{_tail(result.stderr)}"
    )
