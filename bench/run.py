"""Measure the template and a rendered service against baselines, side by side.

Run from the repository root:

    uv run python bench/run.py [--rounds 5] [--requests 3000] [--skip-suite]

Each figure is compared with a baseline measured in the same run, and the
table gives both medians, their ratio, the min and max of the measured runs,
and the goal. Runs of a figure and of its baseline alternate, and one warm-up
run of each comes first and is not counted, so load from other processes
shifts both sides alike. The figures:

- render time: `copier.run_copy` of the defaults with skip_tasks, against a
  template of one file;
- cold start: a new process imports `my_service.modal_app` and calls
  `create_app()`, against a minimal FastAPI app inside a minimal `modal.App`
  that the script writes to a temporary directory and runs with the rendered
  project's interpreter;
- time from launching uvicorn to the first 200 from `/health`, against the
  minimal app under the same uvicorn command line;
- requests per second of `/health`, `GET /api/v0/cache/{key}` and
  `POST /api/v0/jobs`, against the minimal app's `/hello`. The service runs
  in production mode on the in-memory backend with its JSON logs written to
  a file. Locust (bench/loadgen.py) sends a bounded number of requests from
  its own process, to 127.0.0.1 only. A reported row loads a bare FastAPI
  route with the cache read's declarations (bearer key, validated path
  parameter, response model) and none of the service's code, which shows
  how close to /hello such a route can come at all;
- the rendered project's own test suite, and (without --skip-suite) this
  repository's suite on 2 pytest-xdist workers with its render count.

Nothing talks to Modal's servers: MODAL_SERVER_URL points at a closed port
on 127.0.0.1 and Modal's token variables are removed from every child
process.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

# `python bench/run.py` puts bench/ on sys.path, so `common` is importable.
from common import (
    HOST,
    PACKAGE,
    REPO_ROOT,
    compile_sources,
    cpu_seconds,
    prepare_project,
    service_env,
    start_uvicorn,
    stop_server,
    wait_until_healthy,
)

from tests.commands import UV
from tests.projects import DEFAULT_PYTHON
from tests.rendering import render_snapshot, snapshot_template

if TYPE_CHECKING:
    from collections.abc import Callable

LOADGEN = Path(__file__).resolve().parent / "loadgen.py"
RENDER_COUNTER = Path(__file__).resolve().parent / "render_counter.py"
API_KEY_VARIABLE = "BENCH_API_KEY"
BASELINE_MODULE = "bench_baseline"
# A closed port on loopback: a Modal client that tried to connect would fail
# at once instead of reaching Modal.
MODAL_GUARD_URL = f"http://{HOST}:9"
# Seconds between two polls of /health while uvicorn starts.
STARTUP_POLL_SECONDS = 0.005
STARTUP_TIMEOUT_SECONDS = 60
PROJECT_SUITE_TIMEOUT = 600
TEMPLATE_SUITE_TIMEOUT = 3600
SUITE_WORKERS = 2
# Packages whose versions the report prints, from the rendered project's venv.
PROJECT_PACKAGES = (
    "fastapi",
    "starlette",
    "uvicorn",
    "pydantic",
    "pydantic-settings",
    "structlog",
    "modal",
)
RUNNER_PACKAGES = ("copier", "locust", "pytest", "pytest-xdist")

BASELINE_SOURCE = '''"""A minimal FastAPI app inside a minimal modal.App.

`create_floor_app` builds a second app, used only for the rates: one bare
FastAPI route with the declarations of the service's cache read.
"""

import os
from typing import Annotated, Any

import modal
from fastapi import Depends, FastAPI, HTTPException, Path
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

app = modal.App("bench-baseline")


def create_app() -> FastAPI:
    api = FastAPI()

    @api.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @api.get("/hello")
    async def hello() -> dict[str, str]:
        return {"message": "hello"}

    return api


class Value(BaseModel):
    value: Any


class Entry(BaseModel):
    key: str
    value: Any


def create_floor_app() -> FastAPI:
    api = FastAPI()
    store: dict[str, Any] = {}
    bearer = HTTPBearer(auto_error=False)
    api_key = os.environ["BENCH_API_KEY"]

    async def require_key(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> None:
        if credentials is None or credentials.credentials != api_key:
            raise HTTPException(401)

    async def get_store() -> dict[str, Any]:
        return store

    @api.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @api.put("/cache/{key}", dependencies=[Depends(require_key)])
    async def put(
        key: Annotated[str, Path(pattern=r"^[A-Za-z0-9._:~-]+$", max_length=256)],
        body: Value,
        values: Annotated[dict[str, Any], Depends(get_store)],
    ) -> Entry:
        values[key] = body.value
        return Entry(key=key, value=body.value)

    @api.get("/cache/{key}", dependencies=[Depends(require_key)])
    async def get(
        key: Annotated[str, Path(pattern=r"^[A-Za-z0-9._:~-]+$", max_length=256)],
        values: Annotated[dict[str, Any], Depends(get_store)],
    ) -> Entry:
        return Entry(key=key, value=values[key])

    return api


@app.function()
@modal.asgi_app()
def web() -> FastAPI:
    return create_app()
'''

# Imports module and builds its app, and prints the seconds that took.
COLD_START_SCRIPT = """
import importlib, sys, time
started = time.perf_counter()
module = importlib.import_module(sys.argv[1])
module.create_app()
print(time.perf_counter() - started)
"""

ONE_FILE_COPIER_YML = """project_name:
  type: str
  default: My Service
_subdirectory: template
"""


# Figures that `--only` can pick, in the order of the table.
GROUPS = ("render", "cold-start", "uvicorn-start", "rates", "project-tests", "suite")


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="measured runs of each figure, after one warm-up run (default 5)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=3000,
        help="requests in each load run (default 3000)",
    )
    parser.add_argument(
        "--users",
        type=int,
        default=16,
        help="concurrent connections of each load run (default 16)",
    )
    parser.add_argument(
        "--load-timeout",
        type=float,
        default=60.0,
        help="seconds after which a load run stops (default 60)",
    )
    parser.add_argument(
        "--python",
        default=DEFAULT_PYTHON,
        help=f"Python X.Y of the rendered project (default {DEFAULT_PYTHON})",
    )
    parser.add_argument(
        "--skip-suite",
        action="store_true",
        help="skip this repository's test suite, which takes minutes",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=GROUPS,
        metavar="GROUP",
        help=(
            "measure only this group of figures; repeat for several "
            f"(one of: {', '.join(GROUPS)}; default all)"
        ),
    )
    args = parser.parse_args()
    if args.rounds < 1 or args.requests < 1 or args.users < 1:
        parser.error("--rounds, --requests and --users must be positive")
    if args.load_timeout <= 0:
        parser.error("--load-timeout must be positive")
    return args


# --- figures ----------------------------------------------------------------


@dataclass
class Figure:
    """One row of the table: measured values of the service and its baseline."""

    name: str
    values: list[float]
    baseline: list[float]
    goal: str
    # Whether the ratio service/baseline meets the goal; None when no goal.
    check: Callable[[float], bool] | None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """Return the ratio of the two medians, or None without a baseline."""
        if not self.baseline:
            return None
        return statistics.median(self.values) / statistics.median(self.baseline)


def alternate(
    rounds: int, measure: Callable[[], float], measure_baseline: Callable[[], float]
) -> tuple[list[float], list[float]]:
    """Run one warm-up of each, then rounds runs of each, alternating."""
    measure()
    measure_baseline()
    values: list[float] = []
    baseline: list[float] = []
    for _ in range(rounds):
        values.append(measure())
        baseline.append(measure_baseline())
    return values, baseline


def isolated_env(env: dict[str, str]) -> dict[str, str]:
    """Return env without Modal credentials and with Modal's URL on loopback."""
    clean = {
        name: value
        for name, value in env.items()
        if name not in {"MODAL_TOKEN_ID", "MODAL_TOKEN_SECRET", "MODAL_PROFILE"}
    }
    clean["MODAL_SERVER_URL"] = MODAL_GUARD_URL
    return clean


def measure_render(scratch: Path, rounds: int) -> Figure:
    """Time copier.run_copy of the defaults against a one-file template."""
    template = snapshot_template(REPO_ROOT, scratch / "render-template")
    one_file = scratch / "render-one-file"
    (one_file / "template").mkdir(parents=True)
    (one_file / "copier.yml").write_text(ONE_FILE_COPIER_YML, encoding="utf-8")
    (one_file / "template" / "README.md.jinja").write_text(
        "# {{ project_name }}\n", encoding="utf-8"
    )
    counter = iter(range(10**6))

    def timed(source: Path) -> float:
        destination = scratch / f"render-{next(counter)}"
        started = time.perf_counter()
        render_snapshot(source, destination, {})
        return time.perf_counter() - started

    values, baseline = alternate(
        rounds, lambda: timed(template), lambda: timed(one_file)
    )
    return Figure(
        "render time, defaults (s)",
        values,
        baseline,
        "ratio <= 1.5",
        lambda ratio: ratio <= 1.5,
        f"{sum(1 for _ in (scratch / 'render-0').rglob('*') if _.is_file())} files",
    )


@dataclass
class Apps:
    """The rendered project, the baseline module and how to run both."""

    project: Path
    python: Path
    baseline_dir: Path
    service_env: dict[str, str]
    baseline_env: dict[str, str]
    api_key: str


def prepare_apps(scratch: Path, python: str) -> Apps:
    """Render and sync the defaults, and write the baseline module."""
    project, env = prepare_project(scratch, python)
    baseline_dir = scratch / "baseline"
    baseline_dir.mkdir()
    (baseline_dir / f"{BASELINE_MODULE}.py").write_text(
        BASELINE_SOURCE, encoding="utf-8"
    )
    compile_sources(project / ".venv" / "bin" / "python", baseline_dir, env)
    api_key = secrets.token_hex(32)
    base = isolated_env(env)
    return Apps(
        project=project,
        python=project / ".venv" / "bin" / "python",
        baseline_dir=baseline_dir,
        service_env=service_env(base, api_key),
        baseline_env={
            **base,
            "PYTHONPATH": str(baseline_dir),
            API_KEY_VARIABLE: api_key,
        },
        api_key=api_key,
    )


def cold_start(apps: Apps, module: str, env: dict[str, str]) -> tuple[float, float]:
    """Run a new process that imports module and calls create_app().

    Return the wall time of the whole process and the time the import and the
    build took inside it, in seconds.
    """
    started = time.perf_counter()
    result = subprocess.run(
        [str(apps.python), "-c", COLD_START_SCRIPT, module],
        cwd=apps.project,
        env=env,
        capture_output=True,
        text=True,
        timeout=STARTUP_TIMEOUT_SECONDS,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"the cold start of {module} failed:\n{result.stderr[-4000:]}")
    return wall, float(result.stdout.split()[-1])


def measure_cold_start(apps: Apps, rounds: int) -> list[Figure]:
    """Compare the cold start of the service's Modal module with the baseline's."""
    inside: dict[str, list[float]] = {"service": [], "baseline": []}

    def run(kind: str) -> float:
        module, env = (
            (f"{PACKAGE}.modal_app", apps.service_env)
            if kind == "service"
            else (BASELINE_MODULE, apps.baseline_env)
        )
        wall, in_process = cold_start(apps, module, env)
        inside[kind].append(in_process)
        return wall

    values, baseline = alternate(
        rounds, lambda: run("service"), lambda: run("baseline")
    )
    return [
        Figure(
            "cold start, process wall time (s)",
            values,
            baseline,
            "ratio <= 1.15",
            lambda ratio: ratio <= 1.15,
        ),
        Figure(
            "  of which import + create_app() (s)",
            inside["service"][1:],
            inside["baseline"][1:],
            "reported",
            None,
        ),
    ]


def time_to_first_health(
    apps: Apps, factory: str, env: dict[str, str], log: Path
) -> float:
    """Launch uvicorn and return the seconds until /health first returns 200."""
    started = time.perf_counter()
    process, base_url = start_uvicorn(apps.python, factory, apps.project, env, log)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        with httpx.Client(timeout=5) as client:
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    if client.get(f"{base_url}/health").status_code == 200:
                        return time.perf_counter() - started
                except httpx.TransportError:
                    pass
                time.sleep(STARTUP_POLL_SECONDS)
    finally:
        stop_server(process)
    tail = log.read_text(encoding="utf-8", errors="replace")[-4000:]
    sys.exit(f"{factory} did not answer /health within the time limit:\n{tail}")


def measure_first_health(apps: Apps, scratch: Path, rounds: int) -> Figure:
    """Compare the uvicorn start of the service with the baseline's."""
    values, baseline = alternate(
        rounds,
        lambda: time_to_first_health(
            apps,
            f"{PACKAGE}.app:create_app",
            apps.service_env,
            scratch / "start-service.log",
        ),
        lambda: time_to_first_health(
            apps,
            f"{BASELINE_MODULE}:create_app",
            apps.baseline_env,
            scratch / "start-baseline.log",
        ),
    )
    return Figure(
        "uvicorn launch to first 200 on /health (s)",
        values,
        baseline,
        "ratio <= 1.15",
        lambda ratio: ratio <= 1.15,
    )


@dataclass(frozen=True)
class Route:
    """A route of the service under load, and the goal for its rate."""

    label: str
    method: str
    path: str
    body: str | None
    expect: int
    goal: str
    check: Callable[[float], bool] | None


CACHE_KEY = "bench-key"
ROUTES = (
    Route(
        "/health",
        "GET",
        "/health",
        None,
        200,
        "ratio >= 0.8",
        lambda ratio: ratio >= 0.8,
    ),
    Route(
        "GET /api/v0/cache/{key}",
        "GET",
        f"/api/v0/cache/{CACHE_KEY}",
        None,
        200,
        "ratio >= 0.7",
        lambda ratio: ratio >= 0.7,
    ),
    Route(
        "POST /api/v0/jobs",
        "POST",
        "/api/v0/jobs",
        '{"payload": {"n": 1}}',
        202,
        "reported",
        None,
    ),
)

# The baseline's route that every rate is compared with.
HELLO = Route("/hello", "GET", "/hello", None, 200, "reported", None)
# The floor app's cache read: FastAPI alone, with the declarations of the
# service's read, shows how close to /hello such a route can get.
FLOOR = Route(
    "bare FastAPI read, same declarations",
    "GET",
    f"/cache/{CACHE_KEY}",
    None,
    200,
    "reported",
    None,
)


@dataclass
class LoadRun:
    """Measurements of one load run: the rate and the CPU shares of both sides."""

    rps: float
    server_cpu_share: float
    client_cpu_share: float
    server_cpu_ms_per_request: float


def run_load(
    args: argparse.Namespace,
    base_url: str,
    route: Route,
    server_pid: int,
    api_key: str = "",
) -> LoadRun:
    """Run bench/loadgen.py against route in its own process and decode its result."""
    url = f"{base_url}{route.path}"
    command = [
        sys.executable,
        str(LOADGEN),
        "--url",
        url,
        "--method",
        route.method,
        "--expect",
        str(route.expect),
        "--requests",
        str(args.requests),
        "--users",
        str(args.users),
        "--timeout",
        str(args.load_timeout),
    ]
    if route.body is not None:
        command += ["--json-body", route.body]
    cpu_before = cpu_seconds(server_pid)
    client = subprocess.run(
        command,
        env={**isolated_env(dict(os.environ)), API_KEY_VARIABLE: api_key},
        capture_output=True,
        text=True,
        # The margin covers Locust's import and the interpreter start.
        timeout=args.load_timeout + STARTUP_TIMEOUT_SECONDS,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    server_cpu = cpu_seconds(server_pid) - cpu_before
    if client.returncode != 0:
        sys.exit(f"the load client failed on {url}:\n{client.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(client.stdout.splitlines()[-1])
    if result["failures"] or result["timed_out"]:
        sys.exit(
            f"the load on {url} had {result['failures']} failures "
            f"(timed out: {result['timed_out']}): {result['errors']}"
        )
    # The server is idle outside the load window, apart from the service's
    # local job drain, so its CPU time over the client's run is the load's.
    return LoadRun(
        rps=result["rps"],
        server_cpu_share=server_cpu / result["seconds"],
        client_cpu_share=result["client_cpu_share"],
        server_cpu_ms_per_request=server_cpu * 1000 / result["requests"],
    )


def count_lines(path: Path) -> int:
    """Return the number of lines in the file at path."""
    with path.open("rb") as stream:
        return sum(1 for _ in stream)


def measure_rates(args: argparse.Namespace, apps: Apps, scratch: Path) -> list[Figure]:
    """Load the service's routes, the floor's read and /hello in alternation."""
    service_log = scratch / "load-service.log"
    baseline_log = scratch / "load-baseline.log"
    floor_log = scratch / "load-floor.log"
    service, service_url = start_uvicorn(
        apps.python,
        f"{PACKAGE}.app:create_app",
        apps.project,
        apps.service_env,
        service_log,
    )
    baseline, baseline_url = start_uvicorn(
        apps.python,
        f"{BASELINE_MODULE}:create_app",
        apps.project,
        apps.baseline_env,
        baseline_log,
    )
    floor, floor_url = start_uvicorn(
        apps.python,
        f"{BASELINE_MODULE}:create_floor_app",
        apps.project,
        apps.baseline_env,
        floor_log,
    )
    runs: dict[str, list[LoadRun]] = {route.label: [] for route in (*ROUTES, FLOOR)}
    hello: list[LoadRun] = []
    try:
        for process, url, log in (
            (service, service_url, service_log),
            (baseline, baseline_url, baseline_log),
            (floor, floor_url, floor_log),
        ):
            wait_until_healthy(process, url, log)
        headers = {"Authorization": f"Bearer {apps.api_key}"}
        for url in (f"{service_url}/api/v0", floor_url):
            stored = httpx.put(
                f"{url}/cache/{CACHE_KEY}",
                json={"value": {"n": 1}},
                headers=headers,
                timeout=10,
            )
            stored.raise_for_status()
        for round_number in range(args.rounds + 1):
            hello_run = run_load(args, baseline_url, HELLO, baseline.pid)
            route_runs = [
                run_load(args, service_url, route, service.pid, apps.api_key)
                for route in ROUTES
            ]
            route_runs.append(run_load(args, floor_url, FLOOR, floor.pid, apps.api_key))
            # Round 0 is the warm-up.
            if round_number == 0:
                continue
            hello.append(hello_run)
            for route, load_run in zip((*ROUTES, FLOOR), route_runs, strict=True):
                runs[route.label].append(load_run)
    finally:
        stop_server(service)
        stop_server(baseline)
        stop_server(floor)
    log_lines = count_lines(service_log)
    hello_cpu = statistics.median(run.server_cpu_ms_per_request for run in hello)
    figures = []
    for route in (*ROUTES, FLOOR):
        route_runs = runs[route.label]
        route_cpu = statistics.median(
            run.server_cpu_ms_per_request for run in route_runs
        )
        busy = statistics.median(run.server_cpu_share for run in route_runs)
        client = statistics.median(run.client_cpu_share for run in route_runs)
        note = (
            f"server CPU {route_cpu:.2f} ms/request (/hello {hello_cpu:.2f}, "
            f"ratio {route_cpu / hello_cpu:.2f}); server busy {busy:.0%}, "
            f"client {client:.0%}"
        )
        # The service's last route closes its load, so its note counts the log.
        if route is ROUTES[-1]:
            note += f"; the service wrote {log_lines} JSON log lines"
        figures.append(
            Figure(
                f"{route.label} requests/s (vs /hello)",
                [run.rps for run in route_runs],
                [run.rps for run in hello],
                route.goal,
                route.check,
                note,
            )
        )
    return figures


def summary_count(output: str, word: str) -> int:
    """Return the N of `N word` in pytest's closing line, or 0."""
    match = re.search(rf"(\d+) {word}", output.strip().splitlines()[-1])
    return int(match.group(1)) if match else 0


def measure_project_suite(apps: Apps, rounds: int) -> Figure:
    """Time the rendered project's pytest run with its own interpreter."""
    env = {
        name: value
        for name, value in apps.service_env.items()
        if not name.startswith("MY_SERVICE_")
    }
    passed: list[int] = []

    def timed() -> float:
        started = time.perf_counter()
        result = subprocess.run(
            [str(apps.python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=apps.project,
            env=env,
            capture_output=True,
            text=True,
            timeout=PROJECT_SUITE_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            sys.exit(f"the rendered project's tests failed:\n{result.stdout[-4000:]}")
        passed.append(summary_count(result.stdout, "passed"))
        return seconds

    timed()
    values = [timed() for _ in range(min(rounds, 3))]
    return Figure(
        "rendered project's pytest, wall time (s)",
        values,
        [],
        "<= 5 s",
        lambda median: median <= 5.0,
        f"{passed[-1]} tests passed",
    )


def measure_template_suite(scratch: Path) -> Figure:
    """Time this repository's suite on SUITE_WORKERS workers and count renders."""
    counts = scratch / "render-counts.jsonl"
    env = {
        **isolated_env(dict(os.environ)),
        "PYTHONPATH": str(RENDER_COUNTER.parent),
        "BENCH_RENDER_COUNT_FILE": str(counts),
        "UV_PYTHON_DOWNLOADS": "never",
    }
    started = time.perf_counter()
    result = subprocess.run(
        [
            UV,
            "run",
            "pytest",
            "-q",
            "-n",
            str(SUITE_WORKERS),
            "-p",
            RENDER_COUNTER.stem,
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TEMPLATE_SUITE_TIMEOUT,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    closing = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    renders = 0
    if counts.exists():
        for line in counts.read_text(encoding="utf-8").splitlines():
            renders += sum(json.loads(line).values())
    return Figure(
        f"template suite on {SUITE_WORKERS} workers (s)",
        [seconds],
        [],
        "reported",
        None,
        f"{renders} Copier renders; exit {result.returncode}: {closing}",
    )


# --- report -----------------------------------------------------------------


def spread(values: list[float]) -> str:
    """Format the median, min and max of values."""
    if not values:
        return "-"
    digits = 0 if statistics.median(values) >= 100 else 3
    return (
        f"{statistics.median(values):.{digits}f} "
        f"({min(values):.{digits}f}-{max(values):.{digits}f})"
    )


def verdict(figure: Figure) -> str:
    """Return whether the figure meets its goal: yes, NO or a dash."""
    if figure.check is None:
        return "-"
    measured = figure.ratio if figure.baseline else statistics.median(figure.values)
    assert measured is not None
    return "yes" if figure.check(measured) else "NO"


def table(figures: list[Figure]) -> str:
    """Format the figures as a Markdown table."""
    header = (
        "| figure | this template, median (min-max) | baseline, median (min-max) "
        "| ratio | goal | met | note |"
    )
    rows = [header, "|" + " --- |" * 7]
    for figure in figures:
        ratio = f"{figure.ratio:.2f}" if figure.ratio is not None else "-"
        rows.append(
            f"| {figure.name} | {spread(figure.values)} | {spread(figure.baseline)} "
            f"| {ratio} | {figure.goal} | {verdict(figure)} | {figure.note} |"
        )
    return "\n".join(rows)


def package_versions(python: Path, names: tuple[str, ...]) -> str:
    """Return `name version` of each package installed for interpreter python."""
    script = (
        "import importlib.metadata as m, sys\n"
        "print(', '.join(f'{n} {m.version(n)}' for n in sys.argv[1:]))"
    )
    result = subprocess.run(
        [str(python), "-c", script, *names],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return result.stdout.strip()


def machine(apps: Apps) -> str:
    """Describe the machine, the interpreters and the package versions."""
    runner = ", ".join(
        f"{name} {importlib.metadata.version(name)}" for name in RUNNER_PACKAGES
    )
    project_python = subprocess.run(
        [str(apps.python), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return "\n".join(
        [
            f"- machine: {platform.system()} {platform.machine()}, "
            f"{os.cpu_count()} CPUs, {len(os.sched_getaffinity(0))} usable; "
            f"load average {load}",
            f"- runner: {platform.python_implementation()} "
            f"{platform.python_version()}; {runner}",
            f"- rendered project: Python {project_python}; "
            f"{package_versions(apps.python, PROJECT_PACKAGES)}",
        ]
    )


def main() -> None:
    """Measure every figure, then print the machine and the table."""
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-run-") as scratch_name:
        scratch = Path(scratch_name)
        apps = prepare_apps(scratch, args.python)
        groups = set(args.only or GROUPS)
        if args.skip_suite:
            groups.discard("suite")
        figures: list[Figure] = []
        if "render" in groups:
            figures.append(measure_render(scratch, args.rounds))
        if "cold-start" in groups:
            figures += measure_cold_start(apps, args.rounds)
        if "uvicorn-start" in groups:
            figures.append(measure_first_health(apps, scratch, args.rounds))
        if "rates" in groups:
            figures += measure_rates(args, apps, scratch)
        if "project-tests" in groups:
            figures.append(measure_project_suite(apps, args.rounds))
        if "suite" in groups:
            figures.append(measure_template_suite(scratch))
        elif args.only is None:
            figures.append(
                Figure(
                    f"template suite on {SUITE_WORKERS} workers (s)",
                    [],
                    [],
                    "reported",
                    None,
                    "skipped (--skip-suite)",
                )
            )
        description = machine(apps)
    print(description)  # noqa: T201  (the benchmark's output)
    print(  # noqa: T201
        f"- settings: {args.rounds} measured rounds after 1 warm-up; load runs of "
        f"{args.requests} requests over {args.users} connections (Locust "
        "FastHttpUser); uvicorn 1 worker on 127.0.0.1\n"
    )
    print(table(figures))  # noqa: T201


if __name__ == "__main__":
    main()
