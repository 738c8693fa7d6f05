"""Check that copier.yml's validators reject bad answers before writing files."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from tests.pythons import require_python
from tests.rendering import REPO_ROOT, render, snapshot_template

if TYPE_CHECKING:
    from pathlib import Path

SLUG_RULE = (
    "use lowercase letters and digits in words joined by single hyphens, "
    "starting with a letter"
)
PACKAGE_RULE = (
    "use lowercase letters, digits and underscores, starting with a letter or "
    "underscore"
)
APP_RULE = "use 1 to 53 letters, digits, hyphens, periods or underscores"
ENVIRONMENT_RULE = (
    "use 1 to 63 letters, digits, hyphens, periods or underscores, starting with "
    "a letter or digit"
)
EMAIL_RULE = (
    "use the form name@example.com, with one @, a dot in the domain, and no "
    'whitespace, control characters or any of " \\ , < > ( ) [ ] : ;'
)
PRINTABLE_RULE = "without tabs, newlines or other control characters"
CRON_STEP_RULE = "a step must be 1 or more"
CRON_RANGE_RULE = "a range must start at or below its end"

# (question, rejected value, fragment of the message naming what is allowed)
REJECTED: list[tuple[str, str, str]] = [
    ("project_name", "", "enter a non-empty human-readable name"),
    ("project_name", " Acme", "remove the whitespace at its start and end"),
    ("project_name", "Acme ", "remove the whitespace at its start and end"),
    ("project_name", "Acme\n", "remove the whitespace at its start and end"),
    ("project_name", "Acme\tCache", "use printable characters only"),
    ("project_name", "Acme\nCache", "use printable characters only"),
    ("project_name", "Acme\x7fCache", "use printable characters only"),
    ("project_name", "Acme\u200bCache", "use printable characters only"),
    ("project_slug", "My_Slug", SLUG_RULE),
    ("project_slug", "", SLUG_RULE),
    ("project_slug", "Acme", SLUG_RULE),
    ("project_slug", "acme--cache", SLUG_RULE),
    ("project_slug", "-acme", SLUG_RULE),
    ("project_slug", "acme-", SLUG_RULE),
    ("project_slug", "1acme", SLUG_RULE),
    ("project_slug", "acme cache", SLUG_RULE),
    ("project_slug", "acme_cache", SLUG_RULE),
    ("project_slug", "acm\u00e9", SLUG_RULE),
    ("project_slug", "acme\n", SLUG_RULE),
    ("package_name", "", PACKAGE_RULE),
    ("package_name", "Acme", PACKAGE_RULE),
    ("package_name", "1acme", PACKAGE_RULE),
    ("package_name", "acme-cache", PACKAGE_RULE),
    ("package_name", "acme.cache", PACKAGE_RULE),
    ("package_name", "acme\n", PACKAGE_RULE),
    ("package_name", "class", "it is a Python keyword"),
    ("package_name", "import", "it is a Python keyword"),
    ("package_name", "async", "it is a Python keyword"),
    ("package_name", "json", "a standard library module"),
    ("package_name", "typing", "a standard library module"),
    ("package_name", "tomllib", "a standard library module"),
    ("package_name", "_thread", "a standard library module"),
    ("package_name", "distutils", "a standard library module"),
    ("package_name", "test", "a standard library module"),
    *(
        ("package_name", name, "a dependency of the generated project")
        for name in (
            "modal",
            "fastapi",
            "starlette",
            "pydantic",
            "pydantic_settings",
            "pydantic_core",
            "structlog",
            "uvicorn",
            "httpx",
            "anyio",
            "grpclib",
            "synchronicity",
            "typing_extensions",
            "annotated_types",
            "click",
            "rich",
            "mypy",
            "ruff",
            "pytest",
            "yaml",
        )
    ),
    ("package_name", "tests", "a generic layout name"),
    ("package_name", "src", "a generic layout name"),
    ("package_name", "app", "a generic layout name"),
    ("package_name", "conftest", "loads by name"),
    ("package_name", "sitecustomize", "loads by name"),
    ("package_name", "markdown_it", "a dependency of the generated project"),
    ("author_email", "", EMAIL_RULE),
    ("author_email", "you", EMAIL_RULE),
    ("author_email", "you@", EMAIL_RULE),
    ("author_email", "@example.com", EMAIL_RULE),
    ("author_email", "you@example", EMAIL_RULE),
    ("author_email", "you @example.com", EMAIL_RULE),
    ("author_email", "you@@example.com", EMAIL_RULE),
    ("author_email", "you@example.com\n", EMAIL_RULE),
    ("author_email", 'bob"x@example.com', EMAIL_RULE),
    ("author_email", '"bob"@example.com', EMAIL_RULE),
    ("author_email", "bob\\x@example.com", EMAIL_RULE),
    ("author_email", "bob,x@example.com", EMAIL_RULE),
    ("author_email", "Bob <bob@example.com>", EMAIL_RULE),
    ("author_email", "<bob@example.com>", EMAIL_RULE),
    ("author_email", "bob>@example.com", EMAIL_RULE),
    ("author_email", "bob\t@example.com", EMAIL_RULE),
    ("author_email", "bob@exam ple.com", EMAIL_RULE),
    ("author_email", "bob\u00a0@example.com", EMAIL_RULE),
    ("author_email", "bob(x)@example.com", EMAIL_RULE),
    ("author_email", "bob@[127.0.0.1].com", EMAIL_RULE),
    ("author_email", "bob;x@example.com", EMAIL_RULE),
    ("author_email", "bob:x@example.com", EMAIL_RULE),
    ("author_email", "bob\x7f@example.com", EMAIL_RULE),
    ("author_email", "bob\x00@example.com", EMAIL_RULE),
    ("author_email", 'bob@example.com"', EMAIL_RULE),
    ("description", "A cache\nfor jobs", PRINTABLE_RULE),
    ("description", "A cache\tfor jobs", PRINTABLE_RULE),
    ("description", "A cache\x7f", PRINTABLE_RULE),
    ("description", "A cache\r", PRINTABLE_RULE),
    ("author_name", "Bob\nSmith", PRINTABLE_RULE),
    ("author_name", "Bob\x7fSmith", PRINTABLE_RULE),
    ("author_name", "Bob\u2028Smith", PRINTABLE_RULE),
    ("schedule_cron", "", "use five fields"),
    ("schedule_cron", "* * * *", "use five fields"),
    ("schedule_cron", "* * * * * *", "use five fields"),
    ("schedule_cron", "60 * * * *", "60 in the minute field is out of range 0-59"),
    ("schedule_cron", "0 24 * * *", "24 in the hour field is out of range 0-23"),
    ("schedule_cron", "0 0 0 * *", "0 in the day of month field is out of range"),
    ("schedule_cron", "0 0 32 * *", "32 in the day of month field is out of range"),
    ("schedule_cron", "* * * 13 *", "13 in the month field is out of range 1-12"),
    ("schedule_cron", "* * * * 8", "8 in the day of week field is out of range 0-7"),
    ("schedule_cron", "60/60 * * * *", "60 in the minute field is out of range"),
    ("schedule_cron", "0-60/5 * * * *", "60 in the minute field is out of range"),
    ("schedule_cron", "1,,2 * * * *", "'1,,2' is not a valid minute field"),
    ("schedule_cron", "*/ * * * *", "'*/' is not a valid minute field"),
    ("schedule_cron", "*-5 * * * *", "'*-5' is not a valid minute field"),
    ("schedule_cron", "mon * * * *", "'mon' is not a valid minute field"),
    ("schedule_cron", "@daily", "use five fields"),
    ("schedule_cron", "0 0 * xyz *", "'xyz' in the month field is not one of"),
    ("schedule_cron", "0 0 * * jan", "'jan' in the day of week field is not one of"),
    ("schedule_cron", "0 0 * mon *", "'mon' in the month field is not one of"),
    ("schedule_cron", "*/0 * * * *", CRON_STEP_RULE),
    ("schedule_cron", "0 */0 * * *", CRON_STEP_RULE),
    ("schedule_cron", "1-5/0 * * * *", CRON_STEP_RULE),
    ("schedule_cron", "0 0 * * 1,*/00", CRON_STEP_RULE),
    ("schedule_cron", "5-1 * * * *", CRON_RANGE_RULE),
    ("schedule_cron", "0 17-9 * * *", CRON_RANGE_RULE),
    ("schedule_cron", "0 0 1,20-10 * *", CRON_RANGE_RULE),
    ("schedule_cron", "0 0 * dec-jan *", CRON_RANGE_RULE),
    ("schedule_cron", "0 0 * * fri-mon", CRON_RANGE_RULE),
    ("schedule_cron", "0 0 * * 7-0", CRON_RANGE_RULE),
    ("schedule_cron", " */5 * * * *", "remove the whitespace at its start and end"),
    ("schedule_cron", "*/5 * * * * ", "remove the whitespace at its start and end"),
    ("schedule_cron", "*/5 * * * *\n", "remove the whitespace at its start and end"),
    ("schedule_cron", "0\t3 * * *", "separate the fields with spaces"),
    ("schedule_cron", "0 3 * *\n*", "separate the fields with spaces"),
    ("schedule_cron", "0 3 * *\u00a0*", "separate the fields with spaces"),
    ("modal_app_name", "", APP_RULE),
    ("modal_app_name", "a" * 54, APP_RULE),
    ("modal_app_name", "my app", APP_RULE),
    ("modal_app_name", "my/app", APP_RULE),
    ("modal_app_name", "app!", APP_RULE),
    ("modal_app_name", "ap-" + "a1" * 11, "Modal reads ap- followed by 22"),
    ("modal_environment", "", ENVIRONMENT_RULE),
    ("modal_environment", "-main", ENVIRONMENT_RULE),
    ("modal_environment", ".main", ENVIRONMENT_RULE),
    ("modal_environment", "_main", ENVIRONMENT_RULE),
    ("modal_environment", "e" * 64, ENVIRONMENT_RULE),
    ("modal_environment", "main env", ENVIRONMENT_RULE),
    ("modal_environment", "en-main", "Modal reserves the en- prefix"),
    ("modal_environment", "EN-prod", "Modal reserves the en- prefix"),
    ("python_version", "3.10", "is not in ['3.11', '3.12', '3.13']"),
    ("python_version", "3.14", "is not in ['3.11', '3.12', '3.13']"),
    ("python_version", "3", "is not in ['3.11', '3.12', '3.13']"),
    ("ci", "gitlab", "is not in ['github', 'none']"),
    ("ci", "GitHub", "is not in ['github', 'none']"),
    ("license", "GPL-3.0", "is not in ['MIT', 'Apache-2.0', 'BSD-3-Clause'"),
    ("license", "mit", "is not in ['MIT', 'Apache-2.0', 'BSD-3-Clause'"),
]

# (answers, fragment of the message) for defaults derived from a valid answer
# that are themselves invalid. Copier does not validate defaults taken with
# --defaults, so the validator of the answer they derive from rejects them.
REJECTED_DERIVED: list[tuple[dict[str, str], str]] = [
    ({"project_name": "3D Printer"}, "gives the default project_slug '3d-printer'"),
    ({"project_name": "2024 Tool"}, "gives the default project_slug '2024-tool'"),
    ({"project_name": "!!!"}, "gives the default project_slug ''"),
    ({"project_name": "Test"}, "gives the default package_name 'test'"),
    ({"project_name": "Import"}, "gives the default package_name 'import'"),
    ({"project_name": "Modal"}, "gives the default package_name 'modal'"),
    ({"project_slug": "app"}, "gives the default package_name 'app'"),
    ({"project_name": "a" * 54}, "gives the default modal_app_name"),
    ({"project_slug": "a" * 54}, "not valid as the default modal_app_name"),
]

# (answers, question, expected value) for answers at the edge of each rule.
ACCEPTED: list[tuple[dict[str, str], str, str]] = [
    ({"project_name": "X"}, "project_slug", "x"),
    ({"project_name": "Acme 2 Cache"}, "project_slug", "acme-2-cache"),
    ({"project_name": "Acme  Cache -- Svc!"}, "project_slug", "acme-cache-svc"),
    (
        {"project_name": "\u00dcber Cache", "project_slug": "uber-cache"},
        "package_name",
        "uber_cache",
    ),
    ({"project_name": "Test", "package_name": "test_svc"}, "package_name", "test_svc"),
    ({"project_slug": "a"}, "package_name", "a"),
    ({"project_slug": "a1-2b"}, "package_name", "a1_2b"),
    ({"project_slug": "a" * 64, "modal_app_name": "acme"}, "package_name", "a" * 64),
    ({"package_name": "_private"}, "package_name", "_private"),
    ({"package_name": "match"}, "package_name", "match"),
    (
        {"author_email": "first.last+tag@sub.example.co.uk"},
        "author_email",
        "first.last+tag@sub.example.co.uk",
    ),
    (
        {"author_email": "first.last+tag@sub.example.co"},
        "author_email",
        "first.last+tag@sub.example.co",
    ),
    ({"author_email": "o'brien@example.com"}, "author_email", "o'brien@example.com"),
    (
        {"author_email": "jos\u00e9@example.com"},
        "author_email",
        "jos\u00e9@example.com",
    ),
    ({"description": ""}, "description", ""),
    (
        {"description": 'A "fast" cache \\ <&> \u00e9 \U0001f680'},
        "description",
        'A "fast" cache \\ <&> \u00e9 \U0001f680',
    ),
    ({"author_name": 'Bob "B" Smith'}, "author_name", 'Bob "B" Smith'),
    ({"schedule_cron": "0 3 * * *"}, "schedule_cron", "0 3 * * *"),
    ({"schedule_cron": "*/15 * * * *"}, "schedule_cron", "*/15 * * * *"),
    ({"schedule_cron": "0 9-17 * * 1-5"}, "schedule_cron", "0 9-17 * * 1-5"),
    ({"schedule_cron": "0 0 1,15 * *"}, "schedule_cron", "0 0 1,15 * *"),
    ({"schedule_cron": "59 23 31 12 7"}, "schedule_cron", "59 23 31 12 7"),
    ({"schedule_cron": "0 0 1 1 0"}, "schedule_cron", "0 0 1 1 0"),
    ({"schedule_cron": "5-5 * * * *"}, "schedule_cron", "5-5 * * * *"),
    ({"schedule_cron": "0-59/1 * * * *"}, "schedule_cron", "0-59/1 * * * *"),
    ({"schedule_cron": "5/15 * * * *"}, "schedule_cron", "5/15 * * * *"),
    ({"schedule_cron": "0 0 * * 0-7"}, "schedule_cron", "0 0 * * 0-7"),
    (
        {"schedule_cron": "0 0 * jan-mar mon-fri"},
        "schedule_cron",
        "0 0 * jan-mar mon-fri",
    ),
    ({"schedule_cron": "0 0 * JAN,Dec SUN"}, "schedule_cron", "0 0 * JAN,Dec SUN"),
    ({"schedule_cron": "0 0 * * sun-sat/2"}, "schedule_cron", "0 0 * * sun-sat/2"),
    ({"schedule_cron": "0  3 * * *"}, "schedule_cron", "0  3 * * *"),
    ({"modal_app_name": "a" * 53}, "modal_app_name", "a" * 53),
    ({"modal_app_name": "My.App_1"}, "modal_app_name", "My.App_1"),
    ({"modal_app_name": "ap-short"}, "modal_app_name", "ap-short"),
    ({"modal_environment": "dev.eu"}, "modal_environment", "dev.eu"),
    ({"modal_environment": "Prod_2"}, "modal_environment", "Prod_2"),
    ({"modal_environment": "e" * 63}, "modal_environment", "e" * 63),
    ({"modal_environment": "env-en-"}, "modal_environment", "env-en-"),
    ({"python_version": "3.11"}, "python_version", "3.11"),
    ({"ci": "none"}, "ci", "none"),
    ({"license": "Proprietary"}, "license", "Proprietary"),
]

# The lowercase identifiers that package_name could take, of all module names.
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")

STDLIB_SCRIPT = "import sys; print('\\n'.join(sorted(sys.stdlib_module_names)))"


def _case_id(question: str, value: str) -> str:
    """Return a short readable test id for a question and its answer."""
    label = value if len(value) <= 20 else f"{value[:8]}...x{len(value)}"
    return f"{question}={label!r}"


def _reserved_names() -> dict[str, list[str]]:
    """Return the reserved_package_names groups from copier.yml."""
    questions = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
    groups: dict[str, list[str]] = questions["reserved_package_names"]["default"]
    return groups


@pytest.mark.parametrize(
    ("question", "value", "allowed"),
    [
        pytest.param(question, value, allowed, id=_case_id(question, value))
        for question, value, allowed in REJECTED
    ],
)
def test_answer_rejected(
    tmp_path: Path, question: str, value: str, allowed: str
) -> None:
    """A rejected answer fails the render with a message naming it and the rule."""
    destination = tmp_path / "project"

    with pytest.raises(ValueError, match=f"'{question}'") as raised:
        render(destination, **{question: value})

    message = str(raised.value)
    assert repr(value) in message
    assert allowed in message
    assert not destination.exists()


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        pytest.param(answers, expected, id=_case_id(*next(iter(answers.items()))))
        for answers, expected in REJECTED_DERIVED
    ],
)
def test_derived_default_rejected(
    tmp_path: Path, answers: dict[str, str], expected: str
) -> None:
    """An invalid default derived from a valid answer fails the render."""
    destination = tmp_path / "project"

    with pytest.raises(ValueError, match="Validation error") as raised:
        render(destination, **answers)

    message = str(raised.value)
    assert expected in message
    assert "pass " in message
    assert not destination.exists()


def test_rejected_keeps_destination_empty(tmp_path: Path) -> None:
    """A rejected answer leaves an existing empty destination empty."""
    destination = tmp_path / "project"
    destination.mkdir()

    with pytest.raises(ValueError, match="'My_Slug' is not a valid project_slug"):
        render(destination, project_slug="My_Slug")

    assert list(destination.iterdir()) == []


def test_cli_data_rejected(tmp_path: Path) -> None:
    """copier copy --data with a rejected answer exits non-zero and writes nothing."""
    source = snapshot_template(REPO_ROOT, tmp_path / "template-source")
    destination = tmp_path / "project"
    command = [
        sys.executable,
        "-m",
        "copier",
        "copy",
        "--defaults",
        "--quiet",
        # Without --trust or --skip-tasks Copier rejects the template's tasks
        # before it checks any answer.
        "--skip-tasks",
        "--data",
        "project_slug=My_Slug",
        str(source),
        str(destination),
    ]

    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )

    assert result.returncode != 0
    assert "'My_Slug' is not a valid project_slug" in result.stderr
    assert SLUG_RULE in result.stderr
    assert not destination.exists()


@pytest.mark.parametrize(
    ("answers", "question", "expected"),
    [
        pytest.param(
            answers, question, expected, id=_case_id(*next(iter(answers.items())))
        )
        for answers, question, expected in ACCEPTED
    ],
)
def test_answer_accepted(
    tmp_path: Path, answers: dict[str, str], question: str, expected: str
) -> None:
    """An answer at the edge of its rule renders and gives the expected value."""
    used: dict[str, Any] = render(tmp_path / "project", **answers)

    assert used[question] == expected


def test_defaults_derived(tmp_path: Path) -> None:
    """project_slug, package_name and modal_app_name derive from project_name."""
    used = render(tmp_path / "project", project_name="Acme Cache-Svc")

    assert used["project_slug"] == "acme-cache-svc"
    assert used["package_name"] == "acme_cache_svc"
    assert used["modal_app_name"] == "acme-cache-svc"


def test_defaults_follow_slug(tmp_path: Path) -> None:
    """package_name and modal_app_name derive from a given project_slug."""
    used = render(tmp_path / "project", project_name="Acme", project_slug="acme-svc")

    assert used["package_name"] == "acme_svc"
    assert used["modal_app_name"] == "acme-svc"


def test_defaults_all_valid(tmp_path: Path) -> None:
    """The template's own defaults pass every validator."""
    used = render(tmp_path / "project")

    assert used["project_slug"] == "my-service"
    assert used["package_name"] == "my_service"


@pytest.mark.parametrize("version", ["3.11", "3.12", "3.13"])
def test_stdlib_names_reserved(version: str) -> None:
    """Every stdlib module name of a supported Python is a reserved package name."""
    interpreter = require_python(version)
    result = subprocess.run(
        [str(interpreter), "-c", STDLIB_SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    names = {name for name in result.stdout.split() if IDENTIFIER.fullmatch(name)}

    missing = names - set(_reserved_names()["stdlib"])

    assert sorted(missing) == []


def test_reserved_groups_disjoint() -> None:
    """Each reserved name sits in one group, so its message names one reason."""
    groups = _reserved_names()
    seen: dict[str, str] = {}
    duplicates: list[str] = []
    for group, names in groups.items():
        for name in names:
            if name in seen:
                duplicates.append(f"{name} in {seen[name]} and {group}")
            seen[name] = group

    assert duplicates == []
