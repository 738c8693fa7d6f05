"""Serve a rendered project with uvicorn on loopback and drive it over real HTTP."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any

import pytest

from tests.commands import UV, describe_failure

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.projects import SyncedProjects

# Shares the worker, and so the synced render, of the default matrix entry.
pytestmark = pytest.mark.xdist_group("render-defaults")

HOST = "127.0.0.1"
ENV_PREFIX = "MY_SERVICE_"
STARTUP_TIMEOUT_SECONDS = 60
JOB_TIMEOUT_SECONDS = 20


class Server:
    """A uvicorn process serving the rendered app, with its stdout in a file."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process = process
        self.base_url = f"http://{HOST}:{port}"
        self.log = log

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        request_id: str | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        """Send one request and return status, headers and the decoded JSON body."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310  (fixed http://127.0.0.1 URL)
            self.base_url + path, data=data, method=method
        )
        request.add_header("Content-Type", "application/json")
        if request_id is not None:
            request.add_header("X-Request-ID", request_id)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                raw = response.read()
                return (
                    response.status,
                    dict(response.headers),
                    json.loads(raw or b"null"),
                )
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read() or b"null")

    def stop(self) -> list[dict[str, Any]]:
        """Stop uvicorn as Ctrl-C would and return every stdout line as JSON."""
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=30)
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            status, _, _ = server.request("GET", "/health")
        except (ConnectionError, urllib.error.URLError):
            time.sleep(0.1)
            continue
        if status == 200:
            return
    log = server.log.read_text(encoding="utf-8")
    pytest.fail(f"uvicorn did not answer /health on {server.base_url}:\n{log[-4000:]}")


@pytest.fixture(scope="module")
def server(synced_projects: SyncedProjects) -> Iterator[Server]:
    """Start uvicorn on the default render; stop it after the module."""
    project = synced_projects.get("defaults")
    assert project.sync.returncode == 0, describe_failure(project.sync, project.path)
    port = _free_port()
    env = {
        **project.env,
        f"{ENV_PREFIX}LOG_FORMAT": "json",
        f"{ENV_PREFIX}LOCAL_DRAIN_INTERVAL_SECONDS": "0.05",
    }
    log = project.path / "uvicorn-stdout.log"
    command = [
        UV,
        "run",
        "--no-sync",
        "uvicorn",
        "--factory",
        "my_service.app:create_app",
        "--host",
        HOST,
        "--port",
        str(port),
    ]
    with log.open("wb") as stdout:
        process = subprocess.Popen(
            command,
            cwd=project.path,
            env=env,
            stdout=stdout,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    running = Server(process, port, log)
    try:
        _wait_until_healthy(running)
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def session_log(server: Server) -> list[dict[str, Any]]:
    """Drive the walk-throughs and one job, stop the server, return its log."""
    server.request("GET", "/api/v0/cache", request_id="live-cache")
    server.request("GET", "/api/v0/queue", request_id="live-queue")
    server.request(
        "GET", "/api/v0/worker?backgrounded=false&seconds=0.2", request_id="live-worker"
    )
    status, _, accepted = server.request(
        "POST", "/api/v0/jobs", body={"payload": {"n": 1}}, request_id="live-job"
    )
    assert status == 202
    deadline = time.monotonic() + JOB_TIMEOUT_SECONDS
    job: Any = None
    while time.monotonic() < deadline:
        _, _, job = server.request("GET", f"/api/v0/jobs/{accepted['job_id']}")
        if job["status"] in {"succeeded", "failed"}:
            break
        time.sleep(0.05)
    assert job["status"] == "succeeded", job
    return server.stop()


def _events(lines: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [line for line in lines if line.get("event") == name]


def test_walkthroughs_over_http(server: Server) -> None:
    """The three walk-through routes return 200 over a real socket."""
    for path in ("/api/v0/cache", "/api/v0/queue", "/api/v0/worker?seconds=0"):
        status, headers, _ = server.request("GET", path, request_id="probe")
        assert status == 200, path
        assert headers["x-request-id"] == "probe"


def test_every_line_is_json(session_log: list[dict[str, Any]]) -> None:
    """Every stdout line of the server, uvicorn's own included, is a JSON event."""
    assert session_log
    for line in session_log:
        assert {"event", "level", "timestamp"} <= line.keys(), line


def test_walkthrough_steps_logged(session_log: list[dict[str, Any]]) -> None:
    """Each walk-through step is logged with the request id of its request."""
    cache_steps = [
        line["step"]
        for line in _events(session_log, "cache.walkthrough.step")
        if line["request_id"] == "live-cache"
    ]
    queue_steps = [
        line["step"]
        for line in _events(session_log, "queue.walkthrough.step")
        if line["request_id"] == "live-queue"
    ]
    assert cache_steps == list(range(1, 11))
    assert queue_steps == list(range(1, 8))


def test_worker_events_in_order(session_log: list[dict[str, Any]]) -> None:
    """The called worker's inner events sit between the route's outer events."""
    wanted = (
        "worker.call.started",
        "worker.started",
        "worker.finished",
        "worker.call.finished",
    )
    order = [
        line["event"]
        for line in session_log
        if line.get("request_id") == "live-worker" and line.get("event") in wanted
    ]
    assert order == list(wanted)


def test_job_logs_carry_ids(session_log: list[dict[str, Any]]) -> None:
    """The worker's job events carry the job id and the originating request id."""
    finished = _events(session_log, "job.finished")
    assert len(finished) == 1
    assert finished[0]["request_id"] == "live-job"
    assert len(finished[0]["job_id"]) == 32


def test_one_completion_line_per_request(session_log: list[dict[str, Any]]) -> None:
    """Each request logs exactly one completion line."""
    completed = _events(session_log, "request.completed")
    by_request = [line["request_id"] for line in completed]
    for request_id in ("live-cache", "live-queue", "live-worker", "live-job"):
        assert by_request.count(request_id) == 1, request_id


def test_lifespan_logged_start_and_stop(session_log: list[dict[str, Any]]) -> None:
    """The server logs start-up on the in-memory backend and a clean stop."""
    assert _events(session_log, "app.started")[0]["backend"] == "memory"
    assert len(_events(session_log, "app.stopped")) == 1
