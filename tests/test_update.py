"""Update generated projects across the throwaway template history."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.commands import (
    CHECK_TIMEOUT,
    CHECKS,
    SYNC_TIMEOUT,
    UV,
    describe_failure,
    project_env,
    run_command,
)
from tests.projects import DEFAULT_PYTHON
from tests.pythons import require_python
from tests.rendering import REPO_ROOT
from tests.template_history import (
    GIT_IDENTITY,
    GITIGNORE_LINE_0_3_0,
    README_SECTION_0_2_0,
    TemplateHistory,
    commit_all,
    copier_environment,
    copy_project,
    read_answers,
    update_project,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

PACKAGE = "my_service"

# A line the owner adds under the README's title, far from the end of the file,
# where 0.2.0 appends its section.
OWNER_README_LINE = "Owned by the payments team; page #payments-oncall."

# A generated module whose absence breaks no other file of the project.
DELETED_MODULE = "tests/test_logs.py"

# Files that exist only while use_queue is true, and text that no other file
# under src/ or tests/ may contain then.
QUEUE_FILES = (
    f"src/{PACKAGE}/routes/queue.py",
    "tests/routes/test_queue.py",
    f"src/{PACKAGE}/jobs.py",
)
QUEUE_MENTIONS = ("job_queue", "modal.Queue")


@pytest.fixture(autouse=True)
def _git_identity() -> Iterator[None]:
    """Give the commits that Copier makes during an update a fixed identity."""
    with copier_environment(GIT_IDENTITY):
        yield


def _project_files(project: Path) -> list[Path]:
    """List every file of project outside .git and .venv."""
    return [
        path
        for path in sorted(project.rglob("*"))
        if path.is_file() and not {".git", ".venv"} & set(path.parts)
    ]


def _conflicted_files(project: Path) -> list[str]:
    """List the files of project with a conflict marker line."""
    conflicted = []
    for path in _project_files(project):
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        if any(line.startswith(("<<<<<<<", ">>>>>>>")) for line in lines):
            conflicted.append(str(path.relative_to(project)))
    return conflicted


def _rejected_files(project: Path) -> list[str]:
    return [
        str(path.relative_to(project))
        for path in _project_files(project)
        if path.suffix == ".rej"
    ]


def _queue_leftovers(project: Path) -> list[str]:
    """List the files under src/ and tests/ that mention the queue feature."""
    leftovers = []
    for top in ("src", "tests"):
        for path in _project_files(project / top):
            text = path.read_text(encoding="utf-8", errors="replace")
            found = [mention for mention in QUEUE_MENTIONS if mention in text]
            if found:
                leftovers.append(f"{path.relative_to(project)}: {', '.join(found)}")
    return leftovers


def _differences(project: Path, fresh: Path) -> list[str]:
    """List the files that differ between project and a fresh copy, by path."""
    project_files = {
        str(path.relative_to(project)): path.read_bytes()
        for path in _project_files(project)
    }
    fresh_files = {
        str(path.relative_to(fresh)): path.read_bytes()
        for path in _project_files(fresh)
    }
    return sorted(
        name
        for name in project_files.keys() | fresh_files.keys()
        if project_files.get(name) != fresh_files.get(name)
    )


def _failed_checks(project: Path) -> list[str]:
    """Sync project and run its checks; return a description of each failure."""
    interpreter = require_python(DEFAULT_PYTHON)
    env = project_env(interpreter)
    sync = run_command(
        (UV, "sync", "--python", str(interpreter)), project, env, SYNC_TIMEOUT
    )
    if sync.returncode != 0:
        return [describe_failure(sync, project)]
    failures = []
    for check in CHECKS.values():
        result = run_command(check, project, env, CHECK_TIMEOUT)
        if result.returncode != 0:
            failures.append(describe_failure(result, project))
    return failures


@pytest.mark.xdist_group("update-light")
def test_update_keeps_owner_changes(
    template_history: TemplateHistory, tmp_path: Path
) -> None:
    """0.1.0 to 0.2.0 merges the template's change around the owner's."""
    project = copy_project(template_history, tmp_path / "service", "0.1.0")
    readme = project / "README.md"
    lines = readme.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(1, f"\n{OWNER_README_LINE}\n")
    readme.write_text("".join(lines), encoding="utf-8")
    (project / DELETED_MODULE).unlink()
    commit_all(project, "Edit the README and drop a test module")

    update_project(project, "0.2.0")

    readme_text = readme.read_text(encoding="utf-8")
    assert OWNER_README_LINE in readme_text
    assert readme_text.endswith(README_SECTION_0_2_0)
    assert not (project / DELETED_MODULE).exists()
    assert _conflicted_files(project) == []
    assert _rejected_files(project) == []
    assert read_answers(project)["_commit"] == "0.2.0"


@pytest.mark.xdist_group("update-light")
def test_update_across_two_versions(
    template_history: TemplateHistory, tmp_path: Path
) -> None:
    """0.1.0 to 0.3.0 in one update brings both versions' changes."""
    project = copy_project(template_history, tmp_path / "service", "0.1.0")

    update_project(project, "0.3.0")

    readme_text = (project / "README.md").read_text(encoding="utf-8")
    ignored = (project / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert readme_text.endswith(README_SECTION_0_2_0)
    assert GITIGNORE_LINE_0_3_0 in ignored
    assert _conflicted_files(project) == []
    assert _rejected_files(project) == []
    assert read_answers(project)["_commit"] == "0.3.0"


@pytest.mark.xdist_group("update-light")
def test_render_leaves_template_repository_out(
    template_history: TemplateHistory, tmp_path: Path
) -> None:
    """A project has no file of the template repository, and records its source."""
    project = copy_project(
        template_history, tmp_path / "service", template_history.latest
    )

    repository_tests = {path.name for path in (REPO_ROOT / "tests").glob("test_*.py")}
    project_tests = {path.name for path in (project / "tests").rglob("test_*.py")}
    answers = read_answers(project)
    assert not (project / "copier.yml").exists()
    assert not (project / "hooks").exists()
    assert not (project / "template").exists()
    assert repository_tests & project_tests == set()
    assert answers["_src_path"] == str(template_history.path)
    assert answers["_commit"] == template_history.latest


@pytest.mark.xdist_group("update-queue-off")
def test_update_turns_queue_off(
    template_history: TemplateHistory, tmp_path: Path
) -> None:
    """use_queue=false removes the queue feature, and the project passes its checks."""
    project = copy_project(
        template_history, tmp_path / "service", template_history.latest
    )

    update_project(project, template_history.latest, {"use_queue": False})

    fresh = copy_project(
        template_history,
        tmp_path / "fresh",
        template_history.latest,
        {"use_queue": False},
    )
    assert read_answers(project)["use_queue"] is False
    for relative in QUEUE_FILES:
        assert not (project / relative).exists(), relative
    assert _queue_leftovers(project) == []
    assert _conflicted_files(project) == []
    assert _rejected_files(project) == []
    assert _differences(project, fresh) == []
    failures = _failed_checks(project)
    assert failures == [], "\n\n".join(failures)


@pytest.mark.xdist_group("update-queue-restore")
def test_update_turns_queue_back_on(
    template_history: TemplateHistory, tmp_path: Path
) -> None:
    """use_queue=true after false restores the queue feature and its checks pass."""
    project = copy_project(
        template_history, tmp_path / "service", template_history.latest
    )
    update_project(project, template_history.latest, {"use_queue": False})
    commit_all(project, "Turn the queue off")

    update_project(project, template_history.latest, {"use_queue": True})

    fresh = copy_project(template_history, tmp_path / "fresh", template_history.latest)
    assert read_answers(project)["use_queue"] is True
    for relative in QUEUE_FILES:
        assert (project / relative).is_file(), relative
    assert _conflicted_files(project) == []
    assert _rejected_files(project) == []
    assert _differences(project, fresh) == []
    failures = _failed_checks(project)
    assert failures == [], "\n\n".join(failures)
