"""A throwaway git history of the template, for the update and migration tests.

The history has three release tags built from the working tree:

- 0.1.0 asks `modal_env` where the current template asks `modal_environment`,
  which is what the 0.2.0 migration in copier.yml renames;
- 0.2.0 is the working tree plus a section appended to the generated README;
- 0.3.0 adds an ignore pattern at the end of the generated .gitignore.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import copier
import yaml
from plumbum import local

from tests.rendering import REPO_ROOT, snapshot_template

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from pathlib import Path

GIT_TIMEOUT = 120

# Answer name that template versions before 0.2.0 used, and the current one.
OLD_ENVIRONMENT_KEY = "modal_env"
ENVIRONMENT_KEY = "modal_environment"

# The change that 0.2.0 makes at the end of the generated README.md.
README_SECTION_0_2_0 = (
    "\n## Template 0.2.0\n\nThe answer `modal_env` is now `modal_environment`.\n"
)
# The change that 0.3.0 makes at the end of the generated .gitignore.
GITIGNORE_LINE_0_3_0 = "/scratch-0.3.0/"

# A fixed identity and no signing, so commits in the tests never depend on the
# machine's git configuration.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "template-tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "template-tests@example.com",
}

# Jinja expressions and statements, where a template refers to an answer.
_JINJA_TAG = re.compile(r"\{[{%].*?[}%]\}", re.DOTALL)


@dataclass(frozen=True)
class TemplateHistory:
    """A template repository with one release tag per version."""

    path: Path
    tags: tuple[str, ...]

    @property
    def latest(self) -> str:
        """Return the newest tag."""
        return self.tags[-1]


@contextlib.contextmanager
def copier_environment(changes: Mapping[str, str | None]) -> Iterator[None]:
    """Apply changes to the environment of Copier's tasks and git calls.

    Copier 9.19 starts both through plumbum, with plumbum's `local.env`, a copy
    of os.environ made when plumbum is imported, so setting os.environ alone
    does not reach them. A value of None removes the variable. Both
    environments are restored on exit.
    """
    saved_os = dict(os.environ)
    saved_local = local.env.getdict()
    try:
        for name, value in changes.items():
            if value is None:
                os.environ.pop(name, None)
                if name in local.env:
                    del local.env[name]
            else:
                os.environ[name] = value
                local.env[name] = value
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved_os)
        local.env.clear()
        local.env.update(saved_local)


def git(*args: str, cwd: Path) -> str:
    """Run git in cwd with the fixed identity and return its stdout."""
    result = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args],
        cwd=cwd,
        env={**os.environ, **GIT_IDENTITY},
        capture_output=True,
        text=True,
        check=False,
        timeout=GIT_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        message = (
            f"`git {' '.join(args)}` in {cwd} failed with exit code "
            f"{result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
        raise RuntimeError(message)
    return result.stdout


def commit_all(repo: Path, message: str) -> None:
    """Stage every file in repo and commit it."""
    git("add", "--all", cwd=repo)
    git("commit", "--quiet", "--no-verify", "--message", message, cwd=repo)


def _rename_answer_in_jinja(text: str, old: str, new: str) -> str:
    """Rename the answer old to new inside the Jinja tags of text only.

    Plain text such as a settings field of the same name stays as it is.
    """
    return _JINJA_TAG.sub(lambda tag: tag.group(0).replace(old, new), text)


def _write_version_0_1_0(source: Path) -> dict[Path, str]:
    """Rewrite source into version 0.1.0 and return the original texts."""
    originals: dict[Path, str] = {}
    questions = source / "copier.yml"
    originals[questions] = questions.read_text(encoding="utf-8")
    # Every mention in copier.yml is the answer: the question, its validator,
    # the messages and the migration arguments, which 0.1.0 never runs.
    questions.write_text(
        originals[questions].replace(ENVIRONMENT_KEY, OLD_ENVIRONMENT_KEY),
        encoding="utf-8",
    )
    for path in sorted((source / "template").rglob("*.jinja")):
        text = path.read_text(encoding="utf-8")
        renamed = _rename_answer_in_jinja(text, ENVIRONMENT_KEY, OLD_ENVIRONMENT_KEY)
        if renamed != text:
            originals[path] = text
            path.write_text(renamed, encoding="utf-8")
    return originals


def _append(path: Path, text: str) -> None:
    # Mode "a" would create a missing file, and the change would never render.
    if not path.is_file():
        raise FileNotFoundError(path)
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


def build_template_history(destination: Path) -> TemplateHistory:
    """Create the 0.1.0, 0.2.0 and 0.3.0 history of the working tree."""
    source = snapshot_template(REPO_ROOT, destination)
    git("init", "--quiet", cwd=source)

    originals = _write_version_0_1_0(source)
    commit_all(source, "Ask modal_env")
    git("tag", "0.1.0", cwd=source)

    for path, text in originals.items():
        path.write_text(text, encoding="utf-8")
    _append(source / "template" / "README.md.jinja", README_SECTION_0_2_0)
    commit_all(source, "Rename modal_env to modal_environment")
    git("tag", "0.2.0", cwd=source)

    _append(source / "template" / ".gitignore.jinja", f"{GITIGNORE_LINE_0_3_0}\n")
    commit_all(source, "Ignore the scratch directory")
    git("tag", "0.3.0", cwd=source)

    return TemplateHistory(path=source, tags=("0.1.0", "0.2.0", "0.3.0"))


def copy_project(
    history: TemplateHistory,
    destination: Path,
    vcs_ref: str,
    answers: Mapping[str, Any] | None = None,
) -> Path:
    """Copy version vcs_ref of history into destination and commit it to git.

    Tasks are skipped, which keeps the copy fast and offline, so the test
    creates the repository itself.
    """
    copier.run_copy(
        src_path=str(history.path),
        dst_path=destination,
        data=dict(answers or {}),
        vcs_ref=vcs_ref,
        defaults=True,
        unsafe=True,
        skip_tasks=True,
        quiet=True,
    )
    git("init", "--quiet", cwd=destination)
    commit_all(destination, f"Copy template {vcs_ref}")
    return destination


def update_project(
    project: Path,
    vcs_ref: str,
    answers: Mapping[str, Any] | None = None,
    *,
    quiet: bool = True,
) -> None:
    """Update project to version vcs_ref, as `copier update --trust --defaults`.

    Tasks are skipped, which also skips the relock migration, but the
    versioned migrations still run.
    """
    copier.run_update(
        dst_path=project,
        data=dict(answers or {}),
        vcs_ref=vcs_ref,
        overwrite=True,
        defaults=True,
        unsafe=True,
        skip_tasks=True,
        quiet=quiet,
        conflict="inline",
    )


def read_answers(project: Path) -> dict[str, Any]:
    """Return the parsed .copier-answers.yml of project."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    if not isinstance(answers, dict):
        message = f"{project / '.copier-answers.yml'} is not a YAML mapping"
        raise TypeError(message)
    return answers
