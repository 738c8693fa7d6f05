"""Load-test a rendered service under uvicorn on 127.0.0.1 and print a table.

Run from the repository root:

    uv run python bench/load.py [--requests 5000] [--concurrency 32] [--seed 0]

The script renders the template with its defaults into a temporary directory,
syncs it with uv, and serves it with uvicorn in production mode on the
in-memory backend with a random API key and JSON logs in a file. A separate
process then sends a fixed, seeded mix of requests with httpx over at most
`--concurrency` connections. The table gives the request count, the errors
(non-2xx responses by status, and exceptions by type), requests per second,
p50/p95/p99 latency and the server's resident memory (VmRSS) before and after.
Every request goes to 127.0.0.1, the run stops after `--timeout` seconds at
the latest, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

# `python bench/load.py` puts bench/ on sys.path, so `common` is importable.
from common import (
    HOST,
    STARTUP_TIMEOUT_SECONDS,
    percentile,
    prepare_project,
    resident_kib,
    start_server,
    stop_server,
    wait_until_healthy,
)

from tests.projects import DEFAULT_PYTHON

if TYPE_CHECKING:
    from collections.abc import Iterator

# The client process reads the key from here, so it never shows in `ps`.
API_KEY_VARIABLE = "BENCH_API_KEY"
REQUEST_TIMEOUT_SECONDS = 30
# Cache keys that the warm-up stores, and that the load reads and overwrites.
CACHE_KEYS = 100
# Jobs that the warm-up creates, whose status the load reads.
WARMUP_JOBS = 20
# Relative weights of the request kinds in the load.
MIX = {
    "GET /health": 20,
    "PUT /api/v0/cache/{key}": 20,
    "GET /api/v0/cache/{key}": 25,
    "POST /api/v0/jobs": 10,
    "GET /api/v0/jobs/{job_id}": 15,
    "GET /api/v0/queue": 10,
}


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests",
        type=int,
        default=5000,
        help="requests in the measured load (default 5000)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=32,
        help="concurrent connections of the client (default 32)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the request mix (default 0)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="seconds the load may take before it is stopped (default 300)",
    )
    parser.add_argument(
        "--python",
        default=DEFAULT_PYTHON,
        help=f"Python X.Y of the rendered project (default {DEFAULT_PYTHON})",
    )
    # The same script runs the client in its own process, so client and server
    # do not share an interpreter.
    parser.add_argument("--client-of", metavar="BASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.requests < 1 or args.concurrency < 1 or args.timeout <= 0:
        parser.error("--requests, --concurrency and --timeout must be positive")
    return args


# --- client -----------------------------------------------------------------


@dataclass
class LoadResult:
    """Latencies, status counts and exceptions that the client measured."""

    latencies: list[float] = field(default_factory=list)
    latencies_by_route: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    exceptions: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    timed_out: bool = False


# A request of the load: its route as in MIX, method, path and JSON body.
Planned = tuple[str, str, str, Any]


def plan_requests(count: int, seed: int, job_ids: list[str]) -> list[Planned]:
    """Return count requests in the seeded mix of MIX."""
    rng = random.Random(seed)  # noqa: S311  (a reproducible mix, not a secret)
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=count)
    planned: list[tuple[str, str, Any]] = []
    for index, kind in enumerate(kinds):
        key = f"key-{rng.randrange(CACHE_KEYS)}"
        if kind == "GET /health":
            planned.append(("GET", "/health", None))
        elif kind == "PUT /api/v0/cache/{key}":
            planned.append(("PUT", f"/api/v0/cache/{key}", {"value": {"n": index}}))
        elif kind == "GET /api/v0/cache/{key}":
            planned.append(("GET", f"/api/v0/cache/{key}", None))
        elif kind == "POST /api/v0/jobs":
            planned.append(("POST", "/api/v0/jobs", {"payload": {"n": index}}))
        elif kind == "GET /api/v0/jobs/{job_id}":
            planned.append(("GET", f"/api/v0/jobs/{rng.choice(job_ids)}", None))
        else:
            planned.append(("GET", "/api/v0/queue", None))
    return [(kind, *request) for kind, request in zip(kinds, planned, strict=True)]


async def warm_up(client: httpx.AsyncClient) -> list[str]:
    """Store every cache key and create WARMUP_JOBS jobs, and return the job ids."""
    for number in range(CACHE_KEYS):
        response = await client.put(
            f"/api/v0/cache/key-{number}", json={"value": number}
        )
        response.raise_for_status()
    job_ids = []
    for number in range(WARMUP_JOBS):
        response = await client.post("/api/v0/jobs", json={"payload": {"n": number}})
        response.raise_for_status()
        job_ids.append(response.json()["job_id"])
    return job_ids


async def send_all(
    client: httpx.AsyncClient,
    planned: list[Planned],
    concurrency: int,
    result: LoadResult,
) -> None:
    """Send the planned requests over concurrency workers and record each one."""
    pending: Iterator[Planned] = iter(planned)

    async def worker() -> None:
        for route, method, path, body in pending:
            started = time.perf_counter()
            try:
                response = await client.request(method, path, json=body)
            except httpx.HTTPError as error:
                result.exceptions[type(error).__name__] += 1
                continue
            latency = time.perf_counter() - started
            result.latencies.append(latency)
            result.latencies_by_route.setdefault(route, []).append(latency)
            result.statuses[response.status_code] += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def run_client(args: argparse.Namespace) -> LoadResult:
    """Warm up, then send the measured load to args.client_of."""
    headers = {"Authorization": f"Bearer {os.environ[API_KEY_VARIABLE]}"}
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    result = LoadResult()
    async with httpx.AsyncClient(
        base_url=args.client_of,
        headers=headers,
        limits=limits,
        timeout=REQUEST_TIMEOUT_SECONDS,
    ) as client:
        job_ids = await warm_up(client)
        planned = plan_requests(args.requests, args.seed, job_ids)
        started = time.perf_counter()
        try:
            await asyncio.wait_for(
                send_all(client, planned, args.concurrency, result), args.timeout
            )
        except TimeoutError:
            result.timed_out = True
        result.seconds = time.perf_counter() - started
    return result


def client_main(args: argparse.Namespace) -> None:
    """Run the client and print its result as one JSON line."""
    if not args.client_of.startswith(f"http://{HOST}:"):
        sys.exit(f"invalid base URL {args.client_of!r}: only http://{HOST} is allowed")
    result = asyncio.run(run_client(args))
    output = {
        "latencies": result.latencies,
        "latencies_by_route": result.latencies_by_route,
        "statuses": dict(result.statuses),
        "exceptions": dict(result.exceptions),
        "seconds": result.seconds,
        "timed_out": result.timed_out,
    }
    print(json.dumps(output))  # noqa: T201  (read by the parent process)


# --- server -----------------------------------------------------------------


def run_load(args: argparse.Namespace, base_url: str, api_key: str) -> dict[str, Any]:
    """Run the client process against base_url and return its decoded result."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--client-of",
        base_url,
        "--requests",
        str(args.requests),
        "--concurrency",
        str(args.concurrency),
        "--seed",
        str(args.seed),
        "--timeout",
        str(args.timeout),
    ]
    # The client stops its own load at --timeout, and the margin covers the
    # warm-up and the interpreter start.
    client = subprocess.run(
        command,
        env={**os.environ, API_KEY_VARIABLE: api_key},
        capture_output=True,
        text=True,
        timeout=args.timeout + STARTUP_TIMEOUT_SECONDS,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if client.returncode != 0:
        sys.exit(f"the load client failed:\n{client.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(client.stdout.splitlines()[-1])
    return result


# --- report -----------------------------------------------------------------


def report(
    args: argparse.Namespace, result: dict[str, Any], rss_before: int, rss_after: int
) -> str:
    """Format the measured load as a table."""
    statuses = {int(code): count for code, count in result["statuses"].items()}
    exceptions: dict[str, int] = result["exceptions"]
    answered = sum(statuses.values())
    sent = answered + sum(exceptions.values())
    errors = {
        f"HTTP {code}": count for code, count in sorted(statuses.items()) if code >= 300
    }
    errors.update(exceptions)
    latencies = sorted(result["latencies"])
    seconds = result["seconds"]
    rows = [
        ("requests", f"{sent} of {args.requests}"),
        ("concurrency", str(args.concurrency)),
        ("seed", str(args.seed)),
        ("errors", str(sum(errors.values()))),
    ]
    rows.extend((f"  {name}", str(count)) for name, count in errors.items())
    rows.append(("seconds", f"{seconds:.2f}"))
    rows.append(("requests per second", f"{sent / seconds:.0f}" if seconds else "-"))
    for name, fraction in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
        value = f"{percentile(latencies, fraction) * 1000:.1f}" if latencies else "-"
        rows.append((f"latency {name} (ms)", value))
    for route, values in sorted(result["latencies_by_route"].items()):
        ordered = sorted(values)
        rows.append(
            (
                f"  {route} p50/p95 (ms)",
                f"{percentile(ordered, 0.5) * 1000:.1f} / "
                f"{percentile(ordered, 0.95) * 1000:.1f} ({len(values)} answered)",
            )
        )
    rows.append(("server RSS before (MiB)", f"{rss_before / 1024:.1f}"))
    rows.append(("server RSS after (MiB)", f"{rss_after / 1024:.1f}"))
    if result["timed_out"]:
        rows.append(("stopped", f"after --timeout {args.timeout} s"))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main() -> None:
    """Render, serve and load the service, then print the table."""
    args = parse_args()
    if args.client_of is not None:
        client_main(args)
        return
    with tempfile.TemporaryDirectory(prefix="bench-load-") as scratch:
        directory = Path(scratch)
        project, env = prepare_project(directory, args.python)
        log = directory / "uvicorn.log"
        api_key = secrets.token_hex(32)
        process, base_url = start_server(project, env, api_key, log)
        try:
            wait_until_healthy(process, base_url, log)
            rss_before = resident_kib(process.pid)
            result = run_load(args, base_url, api_key)
            rss_after = resident_kib(process.pid)
        finally:
            stop_server(process)
        log_lines = len(log.read_text(encoding="utf-8", errors="replace").splitlines())
    print(  # noqa: T201  (the benchmark's output)
        f"machine: {os.cpu_count()} CPUs (nproc), {platform.python_implementation()} "
        f"{platform.python_version()} (client), Python {args.python} (server), "
        f"{platform.system()} {platform.machine()}\n"
        f"server: uvicorn, 1 worker, production, in-memory backend, "
        f"{log_lines} JSON log lines\n"
    )
    print(report(args, result, rss_before, rss_after))  # noqa: T201


if __name__ == "__main__":
    main()
