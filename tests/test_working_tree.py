"""Check that renders use the working tree, not the last commit."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from typing import TYPE_CHECKING

from tests.rendering import REPO_ROOT, render_repo

if TYPE_CHECKING:
    from pathlib import Path

# Directories of the repository that a render never reads and that can be large.
_SKIPPED = shutil.ignore_patterns(
    ".venv", ".cache", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"
)


def _copy_repo(tmp_path: Path) -> Path:
    """Copy this repository, .git included, so edits stay out of the real tree."""
    repo = tmp_path / "repo"
    shutil.copytree(REPO_ROOT, repo, symlinks=True, ignore=_SKIPPED)
    return repo


def test_uncommitted_edit_rendered(tmp_path: Path) -> None:
    """A line added to a template file without a commit appears in the render."""
    repo = _copy_repo(tmp_path)
    marker = f"# working-tree-marker-{uuid.uuid4().hex}"
    template_file = repo / "template" / "pyproject.toml.jinja"
    with template_file.open("a") as stream:
        stream.write(f"\n{marker}\n")

    render_repo(repo, tmp_path / "project", {})

    rendered = (tmp_path / "project" / "pyproject.toml").read_text()
    assert marker in rendered.splitlines()


def test_untracked_file_rendered(tmp_path: Path) -> None:
    """A new template file that git does not track yet appears in the render."""
    repo = _copy_repo(tmp_path)
    marker = f"working-tree-marker-{uuid.uuid4().hex}"
    (repo / "template" / "MARKER.txt").write_text(f"{marker}\n")

    render_repo(repo, tmp_path / "project", {})

    assert (tmp_path / "project" / "MARKER.txt").read_text() == f"{marker}\n"


def test_template_files_not_ignored() -> None:
    """No template file is ignored by git, so a render from a clone has every file.

    Renders in this suite read the working tree, where an ignored file exists;
    users render from git, where it does not.
    """
    result = subprocess.run(
        ["git", "ls-files", "--others", "--ignored", "--exclude-standard", "template"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    ignored = [
        line
        for line in result.stdout.splitlines()
        if "__pycache__" not in line and not line.endswith(".pyc")
    ]
    assert ignored == []
