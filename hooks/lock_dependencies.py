"""Lock the generated project's dependencies with `uv lock`.

Copier runs this script in the project directory after a copy, and again at the
end of an update. A missing uv or a failed lock (no network, for example) never
fails the copy: the script prints what it skipped and how to run it later.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Seconds `uv lock` may take. uv retries an unreachable index on its own, so
# this only stops a lock that hangs.
LOCK_TIMEOUT = 600
PROBE_TIMEOUT = 60

# Python code that prints the path of the uv binary that started it, because uv
# sets UV for the processes it runs (`uv run`, `uvx`).
_PRINT_UV = "import os; print(os.environ.get('UV', ''))"

# `pyenv exec`, which every pyenv shim runs, exports these to the program it
# starts. Inherited by uv, they make each pyenv shim that uv queries for a
# Python resolve the version of whatever shim started Copier (python3.12 then
# fails under PYENV_VERSION=3.11.7) instead of the project's .python-version.
_PYENV_EXPORTS = ("PYENV_VERSION", "PYENV_DIR")


def _uv_env() -> dict[str, str]:
    """Return the environment for uv in the project, without pyenv's exports."""
    return {
        key: value for key, value in os.environ.items() if key not in _PYENV_EXPORTS
    }


def _runs_here(uv: str, project: Path) -> bool:
    """Return whether `uv --version` succeeds in project, as `uv lock` runs there.

    A version-manager shim such as pyenv's picks the Python version from the
    working directory's .python-version, and exits with 127 where that version
    does not have uv installed.
    """
    try:
        result = subprocess.run(
            [uv, "--version"],
            cwd=project,
            env=_uv_env(),
            capture_output=True,
            check=False,
            timeout=PROBE_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def _resolve_shim(uv: str) -> str | None:
    """Return the real uv binary behind a shim, or None.

    The shim runs in an empty directory with the caller's environment, where it
    falls back to its global or shell version, and the uv it starts reports its
    own path through UV to the Python that runs Copier.
    """
    with tempfile.TemporaryDirectory(prefix="uv-probe-") as neutral:
        try:
            result = subprocess.run(
                [
                    uv,
                    "run",
                    "--no-project",
                    "--offline",
                    "--python",
                    sys.executable,
                    "python",
                    "-c",
                    _PRINT_UV,
                ],
                cwd=neutral,
                capture_output=True,
                text=True,
                check=False,
                timeout=PROBE_TIMEOUT,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
    path = result.stdout.strip()
    if result.returncode != 0 or not path:
        return None
    return path


def find_uv(project: Path) -> tuple[str | None, str]:
    """Return a uv binary that runs in project, or None and the reason why not.

    The candidates, in order: the UV variable that uv sets when it runs Copier
    (`uvx copier`), the uv on PATH, and the binary behind that uv when it is a
    shim that fails in project.
    """
    from_uv = os.environ.get("UV", "")
    if from_uv and _runs_here(from_uv, project):
        return from_uv, ""

    on_path = shutil.which("uv")
    if on_path is None:
        return None, "uv was not found on PATH"
    if _runs_here(on_path, project):
        return on_path, ""

    real = _resolve_shim(on_path)
    if real is not None and _runs_here(real, project):
        return real, ""
    return None, (
        f"{on_path} failed to run `uv --version` in {project}, and no working uv "
        "binary was found behind it"
    )


def main() -> int:
    """Run `uv lock` in the working directory and return 0, even when it fails."""
    project = Path.cwd()
    later = f"Install uv (https://docs.astral.sh/uv/), then run `uv lock` in {project}."

    uv, reason = find_uv(project)
    if uv is None:
        print(f"Skipped locking the dependencies: {reason}. {later}", file=sys.stderr)
        return 0

    try:
        result = subprocess.run(
            [uv, "lock"],
            cwd=project,
            env=_uv_env(),
            check=False,
            timeout=LOCK_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except OSError as error:
        print(
            f"Skipped locking the dependencies: failed to start {uv}: {error}. {later}",
            file=sys.stderr,
        )
        return 0
    except subprocess.TimeoutExpired:
        print(
            f"Skipped locking the dependencies: `uv lock` timed out after "
            f"{LOCK_TIMEOUT} s, so uv.lock may be missing or stale. Run `uv lock` "
            f"in {project} when PyPI is reachable.",
            file=sys.stderr,
        )
        return 0

    if result.returncode != 0:
        # uv has already printed its error above this line.
        print(
            f"Skipped locking the dependencies: `uv lock` failed with exit code "
            f"{result.returncode}, so uv.lock may be missing or stale. Fix the "
            "cause that uv printed above (no network, no matching Python, an "
            f"invalid pyproject.toml), then run `uv lock` in {project}.",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
