"""The cache routes on the in-memory Dict."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.log_lines import events

if TYPE_CHECKING:
    import pytest
    from fastapi.testclient import TestClient


def test_walkthrough_steps(client: TestClient) -> None:
    """The walk-through returns each Dict call on key `test` and its result, in order."""
    response = client.get("/api/v0/cache")
    assert response.status_code == 200
    steps = [
        (step["operation"], step["result"], step["raised"])
        for step in response.json()["steps"]
    ]
    assert steps == [
        ("get", None, None),
        ("contains", False, None),
        ("put", True, None),
        ("put", True, None),
        ("get", "toast", None),
        ("contains", True, None),
        ("pop", "toast", None),
        ("get", None, None),
        ("contains", False, None),
        ("pop", None, "KeyError"),
    ]


def test_walkthrough_logs_each_step(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each walk-through step is logged once, numbered in order."""
    capsys.readouterr()
    client.get("/api/v0/cache")
    lines = events(capsys.readouterr().out, "cache.walkthrough.step")
    assert [line["step"] for line in lines] == list(range(1, 11))
    assert lines[-1]["raised"] == "KeyError"


def test_missing_key_is_404(client: TestClient) -> None:
    """Reading a key that was never stored is a 404 with the error shape."""
    response = client.get("/api/v0/cache/absent")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "cache_key_not_found"


def test_stored_null_is_found(client: TestClient) -> None:
    """A stored `null` is a value: GET returns 200 with it, not 404."""
    assert client.put("/api/v0/cache/k", json={"value": None}).status_code == 200
    response = client.get("/api/v0/cache/k")
    assert response.status_code == 200
    assert response.json() == {"key": "k", "value": None}


def test_put_then_get_round_trip(client: TestClient) -> None:
    """Any JSON value comes back as it was stored."""
    value = {"nested": [1, 2.5, "three", True, None]}
    client.put("/api/v0/cache/round-trip", json={"value": value})
    assert client.get("/api/v0/cache/round-trip").json()["value"] == value


def test_put_replaces_value(client: TestClient) -> None:
    """A second PUT replaces the first value."""
    client.put("/api/v0/cache/k", json={"value": 1})
    client.put("/api/v0/cache/k", json={"value": 2})
    assert client.get("/api/v0/cache/k").json()["value"] == 2


def test_put_without_value_is_422(client: TestClient) -> None:
    """A body without `value` is rejected with the validation error shape."""
    response = client.put("/api/v0/cache/k", json={"other": 1})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_invalid_key_is_422(client: TestClient) -> None:
    """A key with characters outside the allowed set is rejected."""
    response = client.get("/api/v0/cache/bad key")
    assert response.status_code == 422


def test_delete_removes_key(client: TestClient) -> None:
    """DELETE answers 204 and the key is gone afterwards."""
    client.put("/api/v0/cache/k", json={"value": "v"})
    assert client.delete("/api/v0/cache/k").status_code == 204
    assert client.get("/api/v0/cache/k").status_code == 404


def test_delete_missing_is_404(client: TestClient) -> None:
    """Deleting a key that is not there is a 404."""
    response = client.delete("/api/v0/cache/absent")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "cache_key_not_found"
