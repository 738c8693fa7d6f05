"""Check that free-text answers keep their exact text in TOML, YAML and Python files."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from tests.rendering import render

if TYPE_CHECKING:
    from pathlib import Path

# Characters that a TOML, YAML, JSON or Python string literal must escape or that
# an escaping filter may rewrite: quotes, backslashes, the text of an escape
# sequence, HTML's <>&, and non-ASCII text within and beyond U+FFFF.
SPECIAL_TEXT = "\"q\" 'a' \\ C:\\dir \\u0041 \\n <b>&amp;</b> caf\u00e9 \u2603"
ASTRAL_TEXT = "\U0001f680 \U0001d11e"

# Answer sets by id: "bmp" keeps project_name within U+FFFF, "astral" goes beyond.
ANSWER_SETS: dict[str, dict[str, str]] = {
    "bmp": {
        "project_name": f"Bob's {SPECIAL_TEXT}",
        "project_slug": "fast-cache",
        "description": f"A {SPECIAL_TEXT} {ASTRAL_TEXT}",
        "author_name": f'Bob "B" O\'Brien {SPECIAL_TEXT} {ASTRAL_TEXT}',
        "author_email": "o'brien+tag@sub.example.co",
    },
    "astral": {
        "project_name": f"Bob's {SPECIAL_TEXT} {ASTRAL_TEXT}",
        "project_slug": "fast-cache",
        "description": ASTRAL_TEXT,
        "author_name": ASTRAL_TEXT,
    },
    # More double quotes than single ones, which ruff format writes in single quotes.
    "double-quoted": {
        "project_name": 'The "Fast" "Cache" Bob\'s \\ Svc',
        "project_slug": "fast-cache",
    },
}

STRUCTURED_SUFFIXES = (".toml", ".yml", ".yaml", ".json", ".py")


@pytest.fixture(scope="module", params=list(ANSWER_SETS))
def rendered(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    """Render one answer set and return the project and the answers it used."""
    name: str = request.param
    project = tmp_path_factory.mktemp(f"free-text-{name}") / "project"
    used = render(project, **ANSWER_SETS[name])
    return project, used


def _parse(path: Path) -> None:
    """Parse path with the parser of its suffix, raising on invalid content."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        tomllib.loads(text)
    elif path.suffix in {".yml", ".yaml"}:
        yaml.safe_load(text)
    elif path.suffix == ".json":
        json.loads(text)
    else:
        ast.parse(text, filename=str(path))


def _app_title(project: Path, package: str) -> object:
    """Return the value of the title argument of the FastAPI call in app.py."""
    tree = ast.parse((project / "src" / package / "app.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "FastAPI":
            for keyword in node.keywords:
                if keyword.arg == "title":
                    return ast.literal_eval(keyword.value)
    pytest.fail("app.py has no FastAPI(title=...) call")


def test_structured_files_parse(rendered: tuple[Path, dict[str, Any]]) -> None:
    """Every rendered TOML, YAML, JSON and Python file parses."""
    project, _ = rendered
    failures: list[str] = []
    for path in sorted(project.rglob("*")):
        if path.is_file() and path.suffix in STRUCTURED_SUFFIXES:
            try:
                _parse(path)
            except (ValueError, SyntaxError, yaml.YAMLError) as error:
                failures.append(f"{path.relative_to(project)}: {error}")

    assert failures == []


def test_python_files_keep_ruff_format(rendered: tuple[Path, dict[str, Any]]) -> None:
    """The Python files that hold answers are already as ruff format writes them."""
    project, _ = rendered
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--diff", str(project)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_pyproject_keeps_answers(rendered: tuple[Path, dict[str, Any]]) -> None:
    """pyproject.toml contains description and authors with their exact text."""
    project, used = rendered
    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]

    assert metadata["description"] == used["description"]
    assert metadata["authors"] == [
        {"name": used["author_name"], "email": used["author_email"]}
    ]


@pytest.mark.parametrize(
    ("workflow", "prefix"), [("test", "Test"), ("deploy", "Deploy")]
)
def test_workflow_name_keeps_project_name(
    rendered: tuple[Path, dict[str, Any]], workflow: str, prefix: str
) -> None:
    """Each GitHub workflow's name contains project_name with its exact text."""
    project, used = rendered
    path = project / ".github" / "workflows" / f"{workflow}.yml"

    document = yaml.safe_load(path.read_text(encoding="utf-8"))

    assert document["name"] == f"{prefix} {used['project_name']}"


def test_answers_file_keeps_answers(rendered: tuple[Path, dict[str, Any]]) -> None:
    """.copier-answers.yml stores each free-text answer with its exact text."""
    project, used = rendered
    stored = yaml.safe_load((project / ".copier-answers.yml").read_text())

    for question in ("project_name", "description", "author_name", "author_email"):
        assert stored[question] == used[question], question


def test_app_title_keeps_project_name(rendered: tuple[Path, dict[str, Any]]) -> None:
    """app.py passes project_name to FastAPI as title with its exact text."""
    project, used = rendered

    title = _app_title(project, used["package_name"])

    # ascii() keeps the failure report UTF-8 encodable when the title contains
    # lone surrogates, which pytest-xdist cannot send from a worker.
    assert ascii(title) == ascii(used["project_name"])
