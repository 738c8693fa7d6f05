"""The worker routes: wait for a call, or spawn it and poll."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from tests.log_lines import events, json_lines

if TYPE_CHECKING:
    import pytest
    from fastapi.testclient import TestClient


def test_called_worker_returns_result(client: TestClient) -> None:
    """With `backgrounded=false` the request waits and returns the worker's result."""
    response = client.get(
        "/api/v0/worker",
        params={"backgrounded": "false", "seconds": "0.01"},
        headers={"X-Request-ID": "called"},
    )
    assert response.status_code == 200
    result = response.json()["result"]
    assert result["seconds"] == 0.01
    assert result["request_id"] == "called"


def test_called_worker_logs_in_order(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """The outer call events enclose the worker's own events, all with the request id."""
    capsys.readouterr()
    client.get(
        "/api/v0/worker",
        params={"backgrounded": "false", "seconds": "0.01"},
        headers={"X-Request-ID": "ordered"},
    )
    wanted = {
        "worker.call.started",
        "worker.started",
        "worker.finished",
        "worker.call.finished",
    }
    lines = [
        line for line in json_lines(capsys.readouterr().out) if line["event"] in wanted
    ]
    assert [line["event"] for line in lines] == [
        "worker.call.started",
        "worker.started",
        "worker.finished",
        "worker.call.finished",
    ]
    assert {line["request_id"] for line in lines} == {"ordered"}


def test_spawned_worker_returns_call_id(client: TestClient) -> None:
    """With `backgrounded=true` the route answers 202 with a call id at once."""
    response = client.get(
        "/api/v0/worker", params={"backgrounded": "true", "seconds": "5"}
    )
    assert response.status_code == 202
    assert response.json()["call_id"].startswith("fc-")


def test_spawned_call_pending_then_done(client: TestClient) -> None:
    """Polling a spawned call gives 202 while it runs and 200 with its result after."""
    call_id = client.get(
        "/api/v0/worker", params={"backgrounded": "true", "seconds": "0.2"}
    ).json()["call_id"]
    assert client.get(f"/api/v0/worker/{call_id}").status_code == 202
    deadline = time.monotonic() + 5
    response = client.get(f"/api/v0/worker/{call_id}")
    while response.status_code == 202 and time.monotonic() < deadline:
        time.sleep(0.02)
        response = client.get(f"/api/v0/worker/{call_id}")
    assert response.status_code == 200
    assert response.json()["status"] == "succeeded"
    assert response.json()["result"]["seconds"] == 0.2


def test_unknown_call_is_404(client: TestClient) -> None:
    """A call id that was never issued is a 404."""
    response = client.get("/api/v0/worker/fc-doesnotexist")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "call_not_found"


def test_malformed_call_id_is_422(client: TestClient) -> None:
    """A call id without the `fc-` prefix is rejected as invalid."""
    assert client.get("/api/v0/worker/not-a-call").status_code == 422


def test_seconds_over_limit_is_422(client: TestClient) -> None:
    """A wait longer than the configured maximum is rejected."""
    response = client.get("/api/v0/worker", params={"seconds": "3600"})
    assert response.status_code == 422
    assert "3600" in response.json()["error"]["message"]


def test_negative_seconds_is_422(client: TestClient) -> None:
    """A negative wait is rejected."""
    assert client.get("/api/v0/worker", params={"seconds": "-1"}).status_code == 422


def test_spawn_logged_with_call_id(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """Spawning logs `worker.spawned` with the call id it returned."""
    capsys.readouterr()
    call_id = client.get(
        "/api/v0/worker", params={"backgrounded": "true", "seconds": "0"}
    ).json()["call_id"]
    lines = events(capsys.readouterr().out, "worker.spawned")
    assert [line["call_id"] for line in lines] == [call_id]
