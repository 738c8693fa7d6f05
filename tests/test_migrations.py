"""The 0.2.0 migration that renames the answer modal_env to modal_environment."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.rendering import REPO_ROOT
from tests.template_history import (
    ENVIRONMENT_KEY,
    GIT_IDENTITY,
    OLD_ENVIRONMENT_KEY,
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

RENAME_SCRIPT = REPO_ROOT / "hooks" / "rename_answer.py"

# An environment other than the default main, so that losing it shows.
OWNER_ENVIRONMENT = "staging"

ANSWERS_0_1_0 = """\
# Changes here will be overwritten by Copier; update with `copier update`.
_commit: 0.1.0
_src_path: /templates/fastapi-modal
modal_app_name: my-service
modal_env: staging
project_name: My Service
"""


@pytest.fixture(autouse=True)
def _git_identity() -> Iterator[None]:
    """Give the commits that Copier makes during an update a fixed identity."""
    with copier_environment(GIT_IDENTITY):
        yield


def _rename(answers_file: Path) -> subprocess.CompletedProcess[str]:
    """Run the migration script on answers_file, as the migration does."""
    return subprocess.run(
        [
            sys.executable,
            str(RENAME_SCRIPT),
            OLD_ENVIRONMENT_KEY,
            ENVIRONMENT_KEY,
            f"--answers-file={answers_file}",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_rename_keeps_value_and_comments(tmp_path: Path) -> None:
    """The script renames the key in place and keeps every other line."""
    answers_file = tmp_path / ".copier-answers.yml"
    answers_file.write_text(ANSWERS_0_1_0, encoding="utf-8")

    result = _rename(answers_file)

    expected = ANSWERS_0_1_0.replace("modal_env:", "modal_environment:")
    assert result.returncode == 0, result.stderr
    assert answers_file.read_text(encoding="utf-8") == expected


def test_rename_twice_is_noop(tmp_path: Path) -> None:
    """A second run finds no old key and leaves the file as the first run wrote it."""
    answers_file = tmp_path / ".copier-answers.yml"
    answers_file.write_text(ANSWERS_0_1_0, encoding="utf-8")
    first = _rename(answers_file)
    after_first = answers_file.read_bytes()

    second = _rename(answers_file)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert answers_file.read_bytes() == after_first
    assert "not renamed" in second.stderr


def test_rename_without_old_key_is_noop(tmp_path: Path) -> None:
    """Answers of 0.2.0 and later stay byte for byte as they are."""
    answers_file = tmp_path / ".copier-answers.yml"
    current = ANSWERS_0_1_0.replace("modal_env:", "modal_environment:")
    answers_file.write_text(current, encoding="utf-8")

    result = _rename(answers_file)

    assert result.returncode == 0, result.stderr
    assert answers_file.read_text(encoding="utf-8") == current


def test_rename_keeps_existing_new_key(tmp_path: Path) -> None:
    """With both keys present the script keeps the file, so the new value wins."""
    answers_file = tmp_path / ".copier-answers.yml"
    both = ANSWERS_0_1_0 + "modal_environment: production\n"
    answers_file.write_text(both, encoding="utf-8")

    result = _rename(answers_file)

    assert result.returncode == 0, result.stderr
    assert answers_file.read_text(encoding="utf-8") == both


def test_rename_rejects_invalid_answers(tmp_path: Path) -> None:
    """An answers file that is not YAML fails the migration with the file's path."""
    answers_file = tmp_path / ".copier-answers.yml"
    answers_file.write_text("modal_env: [unclosed\n", encoding="utf-8")

    result = _rename(answers_file)

    assert result.returncode == 1
    assert str(answers_file) in result.stderr
    assert answers_file.read_text(encoding="utf-8") == "modal_env: [unclosed\n"


@pytest.mark.xdist_group("update-light")
def test_update_renames_answer(
    template_history: TemplateHistory, tmp_path: Path
) -> None:
    """Updating 0.1.0 to 0.2.0 keeps the owner's environment under its new name."""
    project = copy_project(
        template_history,
        tmp_path / "service",
        "0.1.0",
        {OLD_ENVIRONMENT_KEY: OWNER_ENVIRONMENT},
    )
    assert read_answers(project)[OLD_ENVIRONMENT_KEY] == OWNER_ENVIRONMENT

    update_project(project, "0.2.0")

    answers = read_answers(project)
    deploy = (project / ".github" / "workflows" / "deploy.yml").read_text()
    assert answers[ENVIRONMENT_KEY] == OWNER_ENVIRONMENT
    assert OLD_ENVIRONMENT_KEY not in answers
    assert f"--env {OWNER_ENVIRONMENT} " in deploy


@pytest.mark.xdist_group("update-light")
def test_migration_runs_once(
    template_history: TemplateHistory,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """The rename runs on the update that crosses 0.2.0 and not on the next one."""
    project = copy_project(
        template_history,
        tmp_path / "service",
        "0.1.0",
        {OLD_ENVIRONMENT_KEY: OWNER_ENVIRONMENT},
    )
    capfd.readouterr()

    update_project(project, "0.2.0", quiet=False)
    first = capfd.readouterr().err
    commit_all(project, "Update to 0.2.0")
    update_project(project, "0.3.0", quiet=False)
    second = capfd.readouterr().err

    assert RENAME_SCRIPT.name in first
    assert "Renamed the answer 'modal_env' to 'modal_environment'" in first
    assert RENAME_SCRIPT.name not in second
    assert "modal_env'" not in second
    assert read_answers(project)[ENVIRONMENT_KEY] == OWNER_ENVIRONMENT
    assert read_answers(project)["_commit"] == "0.3.0"
