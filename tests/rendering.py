"""Render the template from the working tree, uncommitted changes included."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import copier

if TYPE_CHECKING:
    from collections.abc import Mapping

REPO_ROOT = Path(__file__).resolve().parent.parent

# Everything Copier reads from the template repository: the questions, the
# _subdirectory with the files, and the optional hooks that tasks may call.
TEMPLATE_PARTS = ("copier.yml", "template", "hooks")

_IGNORED = shutil.ignore_patterns(
    "__pycache__", "*.pyc", ".venv", ".mypy_cache", ".pytest_cache", ".ruff_cache"
)


def snapshot_template(repo: Path, destination: Path) -> Path:
    """Copy the template parts of repo into destination and return destination.

    destination must not be inside a git repository. From a git repository,
    Copier 9 renders its newest release tag when one exists, and otherwise
    commits uncommitted changes in a clone with a DirtyLocalWarning. A plain
    directory renders exactly the files on disk.
    """
    destination.mkdir(parents=True)
    for name in TEMPLATE_PARTS:
        part = repo / name
        if part.is_dir():
            shutil.copytree(part, destination / name, symlinks=True, ignore=_IGNORED)
        elif part.is_file():
            shutil.copy2(part, destination / name)
    return destination


def render_snapshot(
    source: Path,
    destination: Path,
    answers: Mapping[str, str],
    *,
    skip_tasks: bool = True,
) -> dict[str, Any]:
    """Render the template snapshot at source into destination with answers.

    Questions without an answer take their defaults. Return every answer the
    render used, defaults included. Copier raises ValueError for an answer
    that a validator or the choices reject. The tasks (`uv lock`, `git init`)
    are skipped unless skip_tasks is false, so a render needs no network and
    leaves only the template's files; tests/test_hooks.py runs them.
    """
    worker = copier.run_copy(
        src_path=str(source),
        dst_path=destination,
        data=dict(answers),
        defaults=True,
        unsafe=True,
        skip_tasks=skip_tasks,
        quiet=True,
    )
    return dict(worker.answers.combined)


def render_repo(
    repo: Path, destination: Path, answers: Mapping[str, str]
) -> dict[str, Any]:
    """Render the working tree of repo into destination with answers."""
    with tempfile.TemporaryDirectory(prefix="template-") as scratch:
        source = snapshot_template(repo, Path(scratch) / "template-source")
        return render_snapshot(source, destination, answers)


def render(destination: Path, /, **answers: str) -> dict[str, Any]:
    """Render this repository's working tree into destination with answers."""
    return render_repo(REPO_ROOT, destination, answers)
