"""Find installed CPython interpreters by minor version."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

import pytest

# Prints X.Y, then whether the interpreter runs inside a virtual environment.
_VERSION_SCRIPT = (
    "import sys; print('%d.%d' % sys.version_info[:2]); "
    "print(sys.prefix != sys.base_prefix)"
)


def _patch_level(path: Path) -> tuple[int, ...]:
    """Return the version of a ~/.pyenv/versions/X.Y.Z/bin/pythonX.Y path."""
    release = path.parent.parent.name
    return tuple(int(part) for part in release.split(".") if part.isdigit())


def _candidates(version: str) -> list[Path]:
    """List the places where pythonX.Y may live, in order of preference."""
    candidates: list[Path] = []
    on_path = shutil.which(f"python{version}")
    if on_path is not None:
        candidates.append(Path(on_path))
    pyenv = Path.home() / ".pyenv" / "versions"
    installed = pyenv.glob(f"{version}.*/bin/python{version}")
    candidates.extend(sorted(installed, key=_patch_level, reverse=True))
    candidates.append(Path("/usr/bin") / f"python{version}")
    candidates.append(Path("/usr/local/bin") / f"python{version}")
    return candidates


def _reports_version(interpreter: Path, version: str) -> bool:
    """Run interpreter and check that it is a base install of version X.Y.

    A virtual environment's interpreter is passed over, because uv would treat
    it as that environment's and because the environment can be deleted.
    """
    if not interpreter.is_file():
        return False
    try:
        result = subprocess.run(
            [str(interpreter), "-c", _VERSION_SCRIPT],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.split() == [version, "False"]


@functools.cache
def find_python(version: str) -> Path | None:
    """Return an interpreter that runs and reports version X.Y, or None.

    A candidate is run before it is chosen because a pyenv shim named
    pythonX.Y sits on PATH even when the active pyenv version is another one,
    and then it exits with an error.
    """
    for candidate in _candidates(version):
        if _reports_version(candidate, version):
            return candidate
    return None


def require_python(version: str) -> Path:
    """Return an interpreter for version X.Y, or skip the test without one."""
    interpreter = find_python(version)
    if interpreter is None:
        pytest.skip(
            f"Python {version} is not installed here (looked on PATH, in "
            "~/.pyenv/versions, /usr/bin and /usr/local/bin)"
        )
    return interpreter
