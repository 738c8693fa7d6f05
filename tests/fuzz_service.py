"""Fuzz a rendered service in-process with schemathesis and print a JSON summary.

This script runs inside a rendered project's environment, with schemathesis
added on top of the project's locked packages, for example:

    uv run --no-sync --with "schemathesis>=4.3,<5" python fuzz_service.py my_service

It builds the app with `create_app` on the in-memory backend, loads its OpenAPI
schema through schemathesis' ASGI loader and, for every operation, sends
positive and negative cases with the bearer key. Every check that schemathesis
enables by default runs on each response. The app's JSON log lines go to
stderr, and stdout gets one JSON line with the keys operations, cases,
per_operation, failures, without_cases, shadowed and seconds.

tests/test_schema_fuzz.py runs it. The script imports nothing from this
repository, because it runs with the rendered project's interpreter.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import importlib.metadata
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

# The name FastAPI gives the security scheme of `HTTPBearer()` in the schema.
SECURITY_SCHEME = "HTTPBearer"


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", help="import name of the rendered service")
    parser.add_argument(
        "--api-key",
        required=True,
        help="bearer key the app is configured with and every case sends",
    )
    parser.add_argument(
        "--max-examples",
        type=int,
        default=25,
        help="Hypothesis examples per operation and generation mode (default 25)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the Hypothesis runs (default 0)",
    )
    return parser.parse_args()


def shadowed_distributions(project_venv: Path) -> list[str]:
    """List the project's packages that the `uv run --with` overlay replaced.

    The overlay may install another version of a package that the project
    locked, and then the fuzz run would test other code than the project's
    tests do. Returns one `name: imported version, locked version` per package.
    """
    site_packages = [str(path) for path in project_venv.glob("lib/*/site-packages")]
    shadowed = []
    for locked in importlib.metadata.distributions(path=site_packages):
        name = locked.metadata["Name"]
        # distribution() searches sys.path in order, as `import` does.
        imported = importlib.metadata.distribution(name)
        if imported.version != locked.version:
            shadowed.append(
                f"{name}: imported {imported.version}, locked {locked.version}"
            )
    return sorted(shadowed)


def build_app(package: str, api_key: str) -> Any:
    """Return the service's app on a fresh in-memory backend, key required."""
    from pydantic import SecretStr  # noqa: PLC0415  (the project's own pydantic)

    app_module = importlib.import_module(f"{package}.app")
    backends = importlib.import_module(f"{package}.backends")
    settings_module = importlib.import_module(f"{package}.settings")
    settings_fields = settings_module.Settings.model_fields
    options: dict[str, Any] = {
        "environment": "test",
        "backend": "memory",
        "api_key": SecretStr(api_key),
        "log_format": "json",
        "log_level": "WARNING",
    }
    if "local_drain_interval_seconds" in settings_fields:
        options["local_drain_interval_seconds"] = 0.05
    settings = settings_module.Settings(**options)
    backend = backends.in_memory_backend(settings)
    if hasattr(backend, "timed_worker"):
        # The worker route waits `seconds` (up to 30) for real. The fuzzer checks
        # the API, not the wait, so a worker that returns at once replaces it
        # through the same seam the tests use.
        registry = importlib.import_module(f"{package}.in_memory").InMemoryModal()

        async def instant_worker(seconds: float, request_id: str | None) -> Any:
            return {"seconds": seconds, "elapsed_ms": 0.0, "request_id": request_id}

        backend = dataclasses.replace(
            backend,
            timed_worker=registry.function(instant_worker),
            function_call_from_id=registry.function_call_from_id,
        )
    return app_module.create_app(settings, backend)


@contextlib.contextmanager
def logs_to_stderr() -> Iterator[None]:
    """Send the service's log lines, written to sys.stdout, to stderr instead."""
    with contextlib.redirect_stdout(sys.stderr):
        yield


def fuzz(app: Any, api_key: str, max_examples: int, seed: int) -> dict[str, Any]:
    """Run every operation of the app's schema and return the summary."""
    import schemathesis  # noqa: PLC0415  (only in the `uv run --with` overlay)

    # Auth through the OpenAPI security scheme, not a fixed header, so that
    # negative cases can leave the key out and expect a 401.
    config = schemathesis.Config.from_dict(
        {"auth": {"openapi": {SECURITY_SCHEME: {"bearer": api_key}}}}
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    run = FuzzRun(max_examples, seed)
    for result in schema.get_all_operations():
        operation = result.ok()
        run.per_operation[operation.label] = 0
        for mode in (
            schemathesis.GenerationMode.POSITIVE,
            schemathesis.GenerationMode.NEGATIVE,
        ):
            run.fuzz_operation(operation, mode)
    return {
        "operations": len(run.per_operation),
        "cases": sum(run.per_operation.values()),
        "per_operation": run.per_operation,
        "failures": run.failures,
        "without_cases": run.without_cases,
    }


class FuzzRun:
    """Cases sent per operation and the distinct failures the checks reported."""

    def __init__(self, max_examples: int, seed: int) -> None:
        self.max_examples = max_examples
        self.seed = seed
        self.per_operation: dict[str, int] = {}
        self.failures: list[dict[str, str]] = []
        self.without_cases: list[str] = []
        self._seen: set[tuple[str, str, str]] = set()

    def fuzz_operation(self, operation: Any, mode: Any) -> None:
        """Send up to max_examples cases of one generation mode to operation."""
        from hypothesis import HealthCheck, Phase, given  # noqa: PLC0415
        from hypothesis import seed as hypothesis_seed  # noqa: PLC0415
        from hypothesis import settings as hypothesis_settings  # noqa: PLC0415
        from hypothesis.errors import Unsatisfiable  # noqa: PLC0415

        # A fixed seed, no example database and no shrinking make the cases
        # the same on every run. A failing case is recorded and the run goes
        # on, so one run reports every distinct failure.
        @hypothesis_seed(self.seed)
        @hypothesis_settings(
            max_examples=self.max_examples,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.filter_too_much,
                HealthCheck.data_too_large,
            ],
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def send_case(case: Any) -> None:
            self.send(case, operation.label, mode.value)

        try:
            send_case()
        except Unsatisfiable:
            # An operation without parameters or a body has no negative cases.
            self.without_cases.append(f"{operation.label} ({mode.value})")

    def send(self, case: Any, label: str, mode: str) -> None:
        """Call the app with case, run the checks and record new failures."""
        from schemathesis.core.failures import FailureGroup  # noqa: PLC0415

        self.per_operation[label] += 1
        try:
            case.call_and_validate()
        except FailureGroup as group:
            for failure in group.exceptions:
                key = (label, failure.code, failure.title)
                if key in self._seen:
                    continue
                self._seen.add(key)
                self.failures.append(
                    {
                        "operation": label,
                        "mode": mode,
                        "check": ", ".join(failure.checks) or failure.code,
                        "title": failure.title,
                        "message": failure.message,
                        "reproduce": case.as_curl_command(),
                    }
                )


def main() -> None:
    """Fuzz the service and print the summary as one JSON line on stdout."""
    args = parse_args()
    started = time.monotonic()
    shadowed = shadowed_distributions(Path.cwd() / ".venv")
    with logs_to_stderr():
        app = build_app(args.package, args.api_key)
        summary = fuzz(app, args.api_key, args.max_examples, args.seed)
    summary["shadowed"] = shadowed
    summary["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(summary))  # noqa: T201  (the summary that the test reads)


if __name__ == "__main__":
    main()
