"""Measure the service's CPU time per request in-process, without a server.

Run from the repository root:

    uv run python bench/inprocess.py                     # render, sync, measure
    uv run python bench/inprocess.py --project DIR       # an existing render
    uv run python bench/inprocess.py --profile "/health" # cProfile one route

bench/asgi_driver.py calls the app of a render of the defaults once per
request, with no socket. It reports the CPU microseconds per request of
`/health`, `GET /api/v0/cache/{key}` and `POST /api/v0/jobs`, the min and
median of several repeats, next to a minimal FastAPI app's `/hello`. With no
HTTP server in the way, a change to middleware, logging or a route shows up
in seconds, where bench/run.py's load runs take minutes and are noisier.
`--project` measures a rendered and synced project in place, so files edited
in it can be compared before and after.
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

# `python bench/inprocess.py` puts bench/ on sys.path, so `common` is importable.
from common import prepare_project, service_env

from tests.commands import project_env
from tests.projects import DEFAULT_PYTHON
from tests.pythons import find_python

DRIVER = Path(__file__).resolve().parent / "asgi_driver.py"
LABELS = ("/health", "GET /api/v0/cache/{key}", "POST /api/v0/jobs")
# Seconds the driver may take; a run of the defaults takes well under a minute.
DRIVER_TIMEOUT = 600


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--project",
        type=Path,
        help="a rendered and synced project of the defaults (default: render one)",
    )
    parser.add_argument(
        "--python",
        default=DEFAULT_PYTHON,
        help=f"Python X.Y of a new render (default {DEFAULT_PYTHON})",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=2000,
        help="requests in each repeat (default 2000)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=7,
        help="measured repeats of each route, after a warm-up (default 7)",
    )
    parser.add_argument(
        "--profile",
        choices=LABELS,
        help="print cProfile's busiest functions for this route instead",
    )
    args = parser.parse_args()
    if args.requests < 1 or args.repeats < 1:
        parser.error("--requests and --repeats must be positive")
    return args


def run_driver(
    project: Path, env: dict[str, str], args: argparse.Namespace
) -> dict[str, Any]:
    """Run the driver with project's interpreter and return its JSON result."""
    with tempfile.TemporaryDirectory(prefix="bench-inprocess-") as scratch:
        result = Path(scratch) / "result.json"
        command = [
            str(project / ".venv" / "bin" / "python"),
            str(DRIVER),
            str(result),
            "--requests",
            str(args.requests),
            "--repeats",
            str(args.repeats),
        ]
        if args.profile is not None:
            command += ["--profile", args.profile]
        # The service's JSON log lines go to stdout, which is discarded.
        finished = subprocess.run(
            command,
            cwd=project,
            env=service_env(env, secrets.token_hex(32)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            timeout=DRIVER_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        if finished.returncode != 0:
            sys.exit(f"bench/asgi_driver.py failed:\n{finished.stderr[-4000:]}")
        figures: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
        return figures


def table(figures: dict[str, Any]) -> str:
    """Return the figures as a Markdown table with the ratio to /hello."""
    hello = figures["hello"]["median"]
    hello_min = figures["hello"]["min"]
    rows = [
        "| route | CPU µs/request, median | min | ratio to /hello |",
        "| --- | --- | --- | --- |",
        f"| /hello (minimal app) | {hello:.1f} | {hello_min:.1f} | 1.00 |",
    ]
    for label in LABELS:
        median = figures[label]["median"]
        rows.append(
            f"| {label} | {median:.1f} | {figures[label]['min']:.1f} "
            f"| {median / hello:.2f} |"
        )
    return "\n".join(rows)


def main() -> None:
    """Render or reuse a project, run the driver and print its figures."""
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-inprocess-") as scratch:
        if args.project is None:
            project, env = prepare_project(Path(scratch), args.python)
        else:
            interpreter = find_python(args.python)
            if interpreter is None:
                sys.exit(f"Python {args.python} is not installed: pass --python")
            project, env = args.project.resolve(), project_env(interpreter)
        figures = run_driver(project, env, args)
    if args.profile is not None:
        print(figures["profile"])  # noqa: T201  (the benchmark's output)
        return
    print(  # noqa: T201
        f"{args.repeats} repeats of {args.requests} requests after a warm-up; "
        "CPU time of the calling process, no server\n"
    )
    print(table(figures))  # noqa: T201


if __name__ == "__main__":
    main()
