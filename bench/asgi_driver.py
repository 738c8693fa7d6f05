"""Call a rendered service's ASGI app in-process and write its CPU time per request.

bench/inprocess.py runs this script with the rendered project's interpreter:

    python asgi_driver.py RESULT_JSON [--requests N] [--repeats R] [--profile LABEL]

There is no server and no socket: each request is one call of the app with
an ASGI scope, so the figures are the app's own cost (middleware, routing,
dependencies, route, logging, Modal double) without uvicorn's HTTP parsing.
A minimal FastAPI app's `/hello` is measured the same way for comparison.
The service's log lines go to stdout, which the caller points at /dev/null.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from my_service.app import create_app

API_KEY = os.environ["MY_SERVICE_API_KEY"]
WARM_UP_REQUESTS = 200
PROFILE_LINES = 40


@dataclass(frozen=True)
class Call:
    """One request to send: its label, method, path, body and expected status."""

    label: str
    method: str
    path: str
    body: bytes
    expect: int


CALLS = (
    Call("/health", "GET", "/health", b"", 200),
    Call("GET /api/v0/cache/{key}", "GET", "/api/v0/cache/bench-key", b"", 200),
    Call("POST /api/v0/jobs", "POST", "/api/v0/jobs", b'{"payload": {"n": 1}}', 202),
)
STORE = Call(
    "PUT /api/v0/cache/{key}",
    "PUT",
    "/api/v0/cache/bench-key",
    b'{"value": {"n": 1}}',
    200,
)
HELLO = Call("/hello", "GET", "/hello", b"", 200)


def hello_app() -> FastAPI:
    """Build the minimal app that the figures are compared with."""
    app = FastAPI()

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"message": "hello"}

    return app


async def request(app: Any, call: Call) -> int:
    """Send call to app as one HTTP request and return the response status."""
    headers = [
        (b"host", b"127.0.0.1"),
        (b"authorization", f"Bearer {API_KEY}".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(call.body)).encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": call.method,
        "scheme": "http",
        "path": call.path,
        "raw_path": call.path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    body_sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": call.body, "more_body": False}
        # The app reads past the body only to wait for a disconnect.
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def run_calls(app: Any, call: Call, count: int) -> float:
    """Send call count times and return the CPU microseconds per request."""
    started = time.process_time()
    for _ in range(count):
        status = await request(app, call)
        if status != call.expect:
            message = f"{call.label} returned {status}, expected {call.expect}"
            raise RuntimeError(message)
    return (time.process_time() - started) / count * 1e6


async def measure(app: Any, call: Call, args: argparse.Namespace) -> list[float]:
    """Warm call up, then return the CPU microseconds per request of each repeat."""
    await run_calls(app, call, WARM_UP_REQUESTS)
    return [await run_calls(app, call, args.requests) for _ in range(args.repeats)]


async def profile(app: Any, call: Call, count: int) -> str:
    """Return cProfile's busiest functions over count requests of call."""
    await run_calls(app, call, WARM_UP_REQUESTS)
    profiler = cProfile.Profile()
    profiler.enable()
    await run_calls(app, call, count)
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(
        PROFILE_LINES
    )
    return text.getvalue()


async def main(args: argparse.Namespace) -> dict[str, Any]:
    """Start the service's lifespan, measure every call and the hello app."""
    service = create_app()
    startup: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await startup.put({"type": "lifespan.startup"})
    lifespan = asyncio.create_task(
        service(
            {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
            startup.get,
            events.put,
        )
    )
    started = await events.get()
    if started["type"] != "lifespan.startup.complete":
        message = f"the service did not start: {started}"
        raise RuntimeError(message)
    await run_calls(service, STORE, 1)

    calls = {call.label: call for call in CALLS}
    if args.profile is not None:
        result: dict[str, Any] = {
            "profile": await profile(service, calls[args.profile], args.requests)
        }
    else:
        result = {"hello": await measure(hello_app(), HELLO, args)}
        for call in CALLS:
            result[call.label] = await measure(service, call, args)

    await startup.put({"type": "lifespan.shutdown"})
    await events.get()
    await lifespan
    return result


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("result", help="file to write the JSON result to")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--profile", choices=[call.label for call in CALLS])
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse_args()
    figures = asyncio.run(main(arguments))
    if "profile" not in figures:
        figures = {
            label: {"min": min(values), "median": statistics.median(values)}
            for label, values in figures.items()
        }
    Path(arguments.result).write_text(json.dumps(figures), encoding="utf-8")
