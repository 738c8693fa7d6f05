"""Send a bounded number of requests to one route with Locust and print JSON.

bench/run.py starts this script in its own process, once per measured load:

    python bench/loadgen.py --url http://127.0.0.1:PORT/health --requests 3000

Locust's FastHttpUser (geventhttpclient) sends the requests, with --users
users that each keep one connection open and send the next request as soon
as the previous response arrives. The run stops after --requests requests or
--timeout seconds, whichever comes first. The bearer key, when the route
needs one, is read from the BENCH_API_KEY environment variable so that it
never shows in `ps`. Only http://127.0.0.1 URLs are accepted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from typing import Any
from urllib.parse import urlsplit

# Locust patches the standard library for gevent when it is imported, so
# time.sleep below yields to the users' greenlets.
from locust import FastHttpUser, constant, task
from locust.env import Environment
from locust.exception import StopUser

API_KEY_VARIABLE = "BENCH_API_KEY"
ALLOWED_PREFIX = "http://127.0.0.1:"
POLL_SECONDS = 0.01


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="full URL of the route")
    parser.add_argument("--method", default="GET", help="HTTP method (default GET)")
    parser.add_argument("--json-body", help="JSON request body, sent as is")
    parser.add_argument(
        "--expect", type=int, default=200, help="expected status (default 200)"
    )
    parser.add_argument(
        "--requests", type=int, default=3000, help="requests to send (default 3000)"
    )
    parser.add_argument(
        "--users", type=int, default=16, help="concurrent connections (default 16)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds after which the load stops (default 60)",
    )
    args = parser.parse_args()
    if not args.url.startswith(ALLOWED_PREFIX):
        parser.error(f"invalid --url {args.url!r}: only {ALLOWED_PREFIX} is allowed")
    if args.requests < 1 or args.users < 1 or args.timeout <= 0:
        parser.error("--requests, --users and --timeout must be positive")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the load and return its request count, failures, rate and latencies."""
    parts = urlsplit(args.url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"content-type": "application/json"} if args.json_body else {}
    api_key = os.environ.get(API_KEY_VARIABLE)
    if api_key:
        headers["authorization"] = f"Bearer {api_key}"
    body = args.json_body.encode() if args.json_body else None
    budget = {"left": args.requests}

    class RouteUser(FastHttpUser):
        host = f"{parts.scheme}://{parts.netloc}"
        wait_time = constant(0)
        # Keep-alive connections, one per user, as a load balancer would hold.
        concurrency = 1

        @task
        def send(self) -> None:
            if budget["left"] <= 0:
                raise StopUser
            budget["left"] -= 1
            with self.client.request(
                args.method,
                path,
                data=body,
                headers=headers,
                catch_response=True,
                name=path,
            ) as response:
                if response.status_code != args.expect:
                    response.failure(f"status {response.status_code}")

    environment = Environment(user_classes=[RouteUser])
    runner = environment.create_local_runner()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    runner.start(args.users, spawn_rate=args.users * 100)
    deadline = started + args.timeout
    timed_out = False
    while budget["left"] > 0 or runner.user_count > 0:
        if time.perf_counter() > deadline:
            timed_out = True
            break
        time.sleep(POLL_SECONDS)
    seconds = time.perf_counter() - started
    runner.quit()
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    total = environment.stats.total
    client_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    return {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "errors": [str(error.error) for error in environment.stats.errors.values()][:5],
        "seconds": seconds,
        "rps": total.num_requests / seconds if seconds else 0.0,
        "p50_ms": total.get_response_time_percentile(0.5),
        "p99_ms": total.get_response_time_percentile(0.99),
        "client_cpu_share": client_cpu / seconds if seconds else 0.0,
        "timed_out": timed_out,
    }


def main() -> None:
    """Run the load and print its result as one JSON line."""
    result = run(parse_args())
    print(json.dumps(result))  # noqa: T201  (read by bench/run.py)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
