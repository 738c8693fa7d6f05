"""Check the files of a rendered project, independent of its tools."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
import yaml

from tests.rendering import render

if TYPE_CHECKING:
    from pathlib import Path

# One worker renders once for every test in this module.
pytestmark = pytest.mark.xdist_group("rendered-files")

# Defaults everywhere except project_name, which is distinctive so a test can
# tell it from text that the template hard-codes.
PROJECT_NAME = "Acme Cache-Svc"

# GitHub Actions expressions such as ${{ secrets.X }} use Jinja-like braces on
# purpose. Everything else with Jinja delimiters is a rendering leftover.
GITHUB_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
JINJA_DELIMITERS = ("{{", "{%", "{#")
RAW_BLOCK = re.compile(r"\{%-?\s*(raw|endraw)\b")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Render the template with its default choices."""
    destination = tmp_path_factory.mktemp("default") / "project"
    render(destination, project_name=PROJECT_NAME)
    return destination


@pytest.fixture(scope="module")
def project_without_ci(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Render the template with ci=none."""
    destination = tmp_path_factory.mktemp("no-ci") / "project"
    render(destination, project_name=PROJECT_NAME, ci="none")
    return destination


def _text_files(root: Path) -> dict[Path, str]:
    """Return the text of every UTF-8 file under root, keyed by relative path."""
    texts: dict[Path, str] = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        try:
            texts[path.relative_to(root)] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
    return texts


def _workflows(project: Path) -> dict[Path, str]:
    """Return the text of each GitHub Actions workflow of project."""
    workflows = project / ".github" / "workflows"
    paths = sorted([*workflows.glob("*.yml"), *workflows.glob("*.yaml")])
    return {path.relative_to(project): path.read_text() for path in paths}


def test_no_jinja_leftovers(project: Path) -> None:
    """No rendered file contains Jinja delimiters outside GitHub expressions."""
    leftovers: list[str] = []
    for relative, text in _text_files(project).items():
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = GITHUB_EXPRESSION.sub("", line)
            if any(delimiter in stripped for delimiter in JINJA_DELIMITERS):
                leftovers.append(f"{relative}:{number}: {line.strip()}")

    assert leftovers == []


def test_no_raw_blocks(project: Path) -> None:
    """No rendered file contains a {% raw %} or {% endraw %} tag."""
    leftovers = [
        str(relative)
        for relative, text in _text_files(project).items()
        if RAW_BLOCK.search(text)
    ]

    assert leftovers == []


def test_yaml_files_parse(project: Path) -> None:
    """Every rendered .yml and .yaml file parses as YAML."""
    errors: list[str] = []
    paths = sorted([*project.rglob("*.yml"), *project.rglob("*.yaml")])
    for path in paths:
        try:
            yaml.safe_load(path.read_text())
        except yaml.YAMLError as error:
            errors.append(f"{path.relative_to(project)}: {error}")

    assert errors == []


def test_workflows_exist(project: Path) -> None:
    """ci=github renders at least one workflow in .github/workflows."""
    assert _workflows(project) != {}


@pytest.mark.parametrize(
    "secret", ["${{ secrets.MODAL_TOKEN_ID }}", "${{ secrets.MODAL_TOKEN_SECRET }}"]
)
def test_workflows_pass_modal_secret(project: Path, secret: str) -> None:
    """A workflow passes each Modal token secret, spelled as GitHub expects."""
    users = [path for path, text in _workflows(project).items() if secret in text]

    assert users != []


def test_workflows_name_project(project: Path) -> None:
    """Every workflow mentions the project name."""
    unnamed = [
        str(path)
        for path, text in _workflows(project).items()
        if PROJECT_NAME not in text
    ]

    assert unnamed == []


def test_answers_file_has_src_path(project: Path) -> None:
    """.copier-answers.yml records _src_path so copier update can find the template."""
    answers_file = project / ".copier-answers.yml"
    answers = yaml.safe_load(answers_file.read_text()) if answers_file.exists() else {}

    assert answers_file.exists()
    assert "_src_path" in answers


@pytest.mark.parametrize("relative", ["copier.yml", "hooks"])
def test_template_tooling_absent(project: Path, relative: str) -> None:
    """The template repository's own files stay out of the render."""
    assert not (project / relative).exists()


def test_no_template_render_tests(project: Path) -> None:
    """No tests/test_render* file of the template repository is rendered."""
    assert sorted(project.glob("tests/test_render*")) == []


def test_ci_none_omits_github(project_without_ci: Path) -> None:
    """ci=none renders no .github directory."""
    assert not (project_without_ci / ".github").exists()
