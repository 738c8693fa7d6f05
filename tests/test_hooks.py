"""The tasks that `copier copy --trust` runs: a git repository and uv.lock."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import copier
import pytest

from tests.pythons import require_python
from tests.rendering import REPO_ROOT, snapshot_template
from tests.template_history import GIT_IDENTITY, commit_all, copier_environment, git

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

pytestmark = pytest.mark.xdist_group("hooks")

PACKAGE = "my_service"

# Author answers that differ from any identity git may have configured.
ADA = {"author_name": "Ada Lovelace", "author_email": "ada@example.com"}


@pytest.fixture(scope="module")
def template_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Provide a plain-directory snapshot of the working tree's template."""
    return snapshot_template(REPO_ROOT, tmp_path_factory.mktemp("hooks") / "template")


@pytest.fixture(autouse=True)
def _no_python_downloads() -> Iterator[None]:
    """Keep `uv lock` in the hook on the Pythons installed here."""
    with copier_environment({"UV_PYTHON_DOWNLOADS": "never"}):
        yield


def _require_lock_python() -> None:
    """Skip a test that expects uv.lock where uv cannot find the project's Python."""
    require_python("3.12")


def _copy(
    source: Path,
    destination: Path,
    *,
    skip_tasks: bool = False,
    answers: dict[str, str] | None = None,
) -> None:
    """Copy source into destination as `copier copy --trust --defaults` does."""
    copier.run_copy(
        src_path=str(source),
        dst_path=destination,
        data=answers or {},
        defaults=True,
        unsafe=True,
        skip_tasks=skip_tasks,
    )


def _commit_count(repo: Path) -> int:
    return int(git("rev-list", "--count", "HEAD", cwd=repo))


def _without_uv() -> Mapping[str, str | None]:
    """Return environment changes that drop every PATH directory with a uv.

    UV goes too, because uv sets it to its own binary for `uv run pytest`.
    """
    directories = os.environ.get("PATH", "").split(os.pathsep)
    kept = os.pathsep.join(
        directory
        for directory in directories
        if shutil.which("uv", path=directory) is None
    )
    assert shutil.which("uv", path=kept) is None
    assert shutil.which("git", path=kept) is not None
    return {"PATH": kept, "UV": None}


def _isolated_git_config(config_dir: Path, content: str) -> Mapping[str, str | None]:
    """Return environment changes that leave git only a global config of content."""
    config = config_dir / "gitconfig"
    config.write_text(content, encoding="utf-8")
    changes: dict[str, str | None] = {
        "GIT_CONFIG_GLOBAL": str(config),
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    for name in (*GIT_IDENTITY, "EMAIL"):
        changes[name] = None
    return changes


def test_copy_commits_and_locks(
    template_source: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A trusted copy creates a repository with one commit that has uv.lock."""
    _require_lock_python()
    project = tmp_path / "service"

    _copy(template_source, project)

    output = capfd.readouterr().err
    tracked = git("ls-files", cwd=project).splitlines()
    assert (project / ".git").is_dir()
    assert _commit_count(project) == 1
    assert (project / "uv.lock").is_file()
    assert "uv.lock" in tracked
    assert git("status", "--porcelain", cwd=project) == ""
    assert git("branch", "--show-current", cwd=project).strip() == "main"
    assert f"uv run uvicorn --factory {PACKAGE}.app:create_app --reload" in output
    assert f"uv run modal deploy --env main -m {PACKAGE}.modal_app" in output


def test_skip_tasks_creates_nothing(
    template_source: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """`--skip-tasks` leaves neither a repository nor uv.lock, and prints that."""
    project = tmp_path / "service"

    _copy(template_source, project, skip_tasks=True)

    output = capfd.readouterr().err
    assert (project / "pyproject.toml").is_file()
    assert not (project / ".git").exists()
    assert not (project / "uv.lock").exists()
    assert "Tasks were skipped" in output


def test_copy_into_repository_nests_none(
    template_source: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Inside an existing work tree the copy makes no repository and no commit."""
    _require_lock_python()
    outer = tmp_path / "monorepo"
    outer.mkdir()
    (outer / "README.md").write_text("# Monorepo\n", encoding="utf-8")
    git("init", "--quiet", cwd=outer)
    commit_all(outer, "Start the monorepo")
    project = outer / "services" / "service"

    _copy(template_source, project)

    output = capfd.readouterr().err
    assert not (project / ".git").exists()
    assert _commit_count(outer) == 1
    assert (project / "uv.lock").is_file()
    assert "already inside a git work tree" in output


def test_copy_without_uv_skips_lock(
    template_source: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Without uv the copy succeeds, commits, and prints how to lock later."""
    project = tmp_path / "service"

    with copier_environment(_without_uv()):
        _copy(template_source, project)

    output = capfd.readouterr().err
    assert not (project / "uv.lock").exists()
    assert _commit_count(project) == 1
    assert "Skipped locking the dependencies: uv was not found on PATH" in output
    assert "run `uv lock` in" in output


def test_copy_offline_skips_lock(
    template_source: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A lock that fails offline with an empty cache does not fail the copy."""
    offline = {"UV_OFFLINE": "1", "UV_CACHE_DIR": str(tmp_path / "empty-uv-cache")}
    project = tmp_path / "service"

    with copier_environment(offline):
        _copy(template_source, project)

    output = capfd.readouterr().err
    assert not (project / "uv.lock").exists()
    assert _commit_count(project) == 1
    assert "Skipped locking the dependencies: `uv lock` failed" in output


def test_commit_uses_answers_without_identity(
    template_source: Path, tmp_path: Path
) -> None:
    """With no git identity the first commit takes the author from the answers."""
    project = tmp_path / "service"

    with copier_environment(_isolated_git_config(tmp_path, "")):
        _copy(template_source, project, answers=ADA)

    author = git("log", "--format=%an <%ae>", cwd=project).strip()
    assert author == "Ada Lovelace <ada@example.com>"


def test_commit_keeps_configured_identity(
    template_source: Path, tmp_path: Path
) -> None:
    """A configured git identity wins over the answers."""
    config = "[user]\n\tname = Grace Hopper\n\temail = grace@example.com\n"
    project = tmp_path / "service"

    with copier_environment(_isolated_git_config(tmp_path, config)):
        _copy(template_source, project, answers=ADA)

    author = git("log", "--format=%an <%ae>", cwd=project).strip()
    assert author == "Grace Hopper <grace@example.com>"


def test_lock_resolves_pyenv_shim(tmp_path: Path) -> None:
    """The lock hook finds a working uv where the uv on PATH fails in the project.

    A stand-in shim on PATH fails like pyenv's does in a directory whose
    .python-version has no uv, and runs the real uv elsewhere.
    """
    # uv sets UV to its own binary for `uv run pytest`; the uv on PATH here may
    # itself be a shim.
    real_uv = os.environ.get("UV") or shutil.which("uv")
    if real_uv is None:
        pytest.skip("uv is not on PATH")
    shims = tmp_path / "shims"
    shims.mkdir()
    shim = shims / "uv"
    shim.write_text(
        "#!/bin/sh\n"
        '[ -f .python-version ] && { echo "uv: command not found" >&2; exit 127; }\n'
        f'exec "{real_uv}" "$@"\n',
        encoding="utf-8",
    )
    shim.chmod(0o755)
    project = tmp_path / "service"
    project.mkdir()
    (project / ".python-version").write_text("3.12\n", encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "UV"}
    env["PATH"] = f"{shims}{os.pathsep}{env.get('PATH', '')}"
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); import lock_dependencies; "
        "from pathlib import Path; print(lock_dependencies.find_uv(Path.cwd())[0])"
    )

    result = subprocess.run(
        [sys.executable, "-c", probe, str(REPO_ROOT / "hooks")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    found = result.stdout.strip()
    assert result.returncode == 0, result.stderr
    assert found not in {"None", str(shim)}
    assert Path(found).is_file()
