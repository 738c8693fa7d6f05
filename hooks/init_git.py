"""Create a git repository with a first commit in a freshly copied project.

Copier runs this script in the project directory after a copy. Inside an
existing git work tree it changes nothing, so a project copied into a monorepo
gets no nested repository. A missing git or a failed commit never fails the
copy: the script prints what it skipped and the commands to run instead.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

GIT_TIMEOUT = 120

# The generated deploy workflow deploys the main branch, so a repository
# without a configured init.defaultBranch starts on main instead of master.
DEFAULT_BRANCH = "main"


def _git(
    *args: str, cwd: Path, capture: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run git with args in cwd; report a failure to start or a timeout as exit -1."""
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=capture,
            text=True,
            check=False,
            timeout=GIT_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return subprocess.CompletedProcess(["git", *args], -1, "", str(error))


def _inside_work_tree(project: Path) -> bool:
    result = _git("rev-parse", "--is-inside-work-tree", cwd=project)
    return result.returncode == 0 and result.stdout.strip() == "true"


def _configured(key: str, project: Path) -> bool:
    """Return whether git config (system, global or local) sets key."""
    result = _git("config", "--get", key, cwd=project)
    return result.returncode == 0 and bool(result.stdout.strip())


def _identity_options(project: Path, name: str, email: str) -> list[str]:
    """Return `-c` options that supply the answers' identity where git has none.

    An identity that git already has, from its config or from the GIT_AUTHOR_*
    and GIT_COMMITTER_* variables, which take precedence over config, wins.
    """
    options: list[str] = []
    if not _configured("user.name", project):
        options += ["-c", f"user.name={name}"]
    if not _configured("user.email", project):
        options += ["-c", f"user.email={email}"]
    return options


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--author-name", required=True, help="commit author when git has none"
    )
    parser.add_argument(
        "--author-email", required=True, help="commit email when git has none"
    )
    parser.add_argument("--message", required=True, help="message of the first commit")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Initialise the repository and commit every file; return 0 in all cases."""
    args = _parse_args(argv)
    project = Path.cwd()
    later = (
        f"To do it yourself, run in {project}: git init && git add -A && "
        "git commit -m 'Create the project from the template'"
    )

    if shutil.which("git") is None:
        print(
            f"Skipped creating a git repository: git was not found on PATH. {later}",
            file=sys.stderr,
        )
        return 0
    if _inside_work_tree(project):
        print(
            f"Skipped creating a git repository: {project} is already inside a "
            "git work tree, so the new files are left uncommitted there.",
            file=sys.stderr,
        )
        return 0

    branch = []
    if not _configured("init.defaultBranch", project):
        branch = ["-c", f"init.defaultBranch={DEFAULT_BRANCH}"]
    steps = [
        [*branch, "init", "--quiet"],
        ["add", "--all"],
        [
            *_identity_options(project, args.author_name, args.author_email),
            "commit",
            "--quiet",
            "--message",
            args.message,
        ],
    ]
    for step in steps:
        # The output stays on the terminal, so a failing user hook or signing
        # setup explains itself.
        result = _git(*step, cwd=project, capture=False)
        if result.returncode != 0:
            # stderr is set only when git failed to start or timed out.
            detail = f" {result.stderr.strip()}." if result.stderr else ""
            print(
                f"Skipped the first commit: `git {' '.join(step)}` failed with "
                f"exit code {result.returncode}.{detail} {later}",
                file=sys.stderr,
            )
            return 0
    print(
        f"Created a git repository in {project} with a first commit.", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
