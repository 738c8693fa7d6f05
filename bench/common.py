"""Shared pieces of the benchmarks: render and sync a project, run uvicorn.

Every server listens on 127.0.0.1, and every wait has a deadline.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
# `python bench/<script>.py` puts bench/ on sys.path, not the repository root.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.commands import (  # noqa: E402
    SYNC_TIMEOUT,
    UV,
    describe_failure,
    project_env,
    run_command,
)
from tests.pythons import find_python  # noqa: E402
from tests.rendering import render  # noqa: E402

HOST = "127.0.0.1"
PACKAGE = "my_service"
ENV_PREFIX = "MY_SERVICE_"
STARTUP_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 30


def free_port() -> int:
    """Return a TCP port on HOST that is free now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def resident_kib(pid: int) -> int:
    """Return the VmRSS of process pid in KiB, from /proc/<pid>/status."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    message = f"no VmRSS line in /proc/{pid}/status"
    raise RuntimeError(message)


def cpu_seconds(pid: int) -> float:
    """Return the user plus system CPU time of process pid, from /proc/<pid>/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    # The command name in parentheses may contain spaces, so split after it.
    fields = stat.rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of proc(5), counted in clock ticks.
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def prepare_project(directory: Path, python: str) -> tuple[Path, dict[str, str]]:
    """Render the defaults into directory, sync them and return the path and env."""
    interpreter = find_python(python)
    if interpreter is None:
        sys.exit(f"Python {python} is not installed: pass --python with another X.Y")
    project = directory / "project"
    render(project)
    env = project_env(interpreter)
    # Modal's `Image.uv_sync` compiles bytecode when it builds the image, and
    # a developer's first run writes it. Compiling at sync measures that state
    # even where PYTHONDONTWRITEBYTECODE is set.
    sync = run_command(
        (UV, "sync", "--compile-bytecode", "--python", str(interpreter)),
        project,
        env,
        SYNC_TIMEOUT,
    )
    if sync.returncode != 0:
        sys.exit(describe_failure(sync, project))
    compile_sources(project / ".venv" / "bin" / "python", project / "src", env)
    return project, env


def compile_sources(python: Path, directory: Path, env: dict[str, str]) -> None:
    """Write the bytecode of the Python files under directory.

    `uv sync --compile-bytecode` compiles the installed packages but not the
    project's own editable source, and PYTHONDONTWRITEBYTECODE keeps imports
    from writing it, so each start would compile the source again.
    """
    result = run_command(
        (str(python), "-m", "compileall", "-q", str(directory)),
        directory,
        env,
        SYNC_TIMEOUT,
    )
    if result.returncode != 0:
        sys.exit(describe_failure(result, directory))


def service_env(env: dict[str, str], api_key: str) -> dict[str, str]:
    """Return env with the settings of a production server on the in-memory backend."""
    return {
        **env,
        f"{ENV_PREFIX}ENVIRONMENT": "production",
        f"{ENV_PREFIX}BACKEND": "memory",
        f"{ENV_PREFIX}API_KEY": api_key,
        f"{ENV_PREFIX}LOG_FORMAT": "json",
    }


def start_uvicorn(
    python: Path,
    factory: str,
    cwd: Path,
    env: dict[str, str],
    log: Path,
) -> tuple[subprocess.Popen[bytes], str]:
    """Start `uvicorn --factory factory` on a free port of HOST.

    Return the process and the base URL. The interpreter runs uvicorn itself,
    so the process id is the server's, and its output goes to log.
    """
    port = free_port()
    command = [
        str(python),
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        HOST,
        "--port",
        str(port),
    ]
    with log.open("wb") as stdout:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=stdout,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    return process, f"http://{HOST}:{port}"


def start_server(
    project: Path, env: dict[str, str], api_key: str, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """Start the rendered service under uvicorn, and return the process and URL."""
    return start_uvicorn(
        project / ".venv" / "bin" / "python",
        f"{PACKAGE}.app:create_app",
        project,
        service_env(env, api_key),
        log,
    )


def wait_until_healthy(
    process: subprocess.Popen[bytes],
    base_url: str,
    log: Path,
    interval: float = 0.1,
) -> None:
    """Poll /health every interval seconds until it returns 200.

    Exit with the tail of the server's log when the server exits first or
    STARTUP_TIMEOUT_SECONDS pass.
    """
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if client.get(f"{base_url}/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(interval)
    tail = log.read_text(encoding="utf-8", errors="replace")[-4000:]
    sys.exit(
        f"uvicorn did not answer /health on {base_url} within "
        f"{STARTUP_TIMEOUT_SECONDS} s:\n{tail}"
    )


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop uvicorn as Ctrl-C would, and kill it if it does not exit in time."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_SECONDS)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of already sorted values."""
    rank = max(1, round(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]
