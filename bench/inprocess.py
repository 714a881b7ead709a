"""In-process figures per endpoint: `python -m bench.inprocess < spec.json` (run by bench.run).

With the server's environment (production settings, the bench database) and Django's test `Client`,
so nothing else runs on the machine while it measures:

- SQL statements per request: what `CaptureQueriesContext` sees, split into data statements and
  transaction control (`BEGIN`, `COMMIT`, savepoints: Django logs those too), plus the one it does
  not see: the `SELECT 1` connection health check (`CONN_HEALTH_CHECKS`) that psycopg runs on a
  request's first query, outside Django's cursor wrapper.
- Python CPU-ms per request: `time.process_time()` over `calls` requests (after a warm-up).
  Everything in Django (middleware, auth, views, serializers, psycopg and redis clients), nothing of
  gunicorn's HTTP parsing; PostgreSQL's and Redis' own CPU are other processes and are not counted.

Input (stdin, JSON): {"host", "calls", "profile_dir": null | path, "endpoints": [{"name", "method",
"path", "headers", "body", "grow"}]} as for bench.load. With `profile_dir`, a cProfile listing per
endpoint is written there too (`BENCH_PROFILE=1 make bench`). Output (stdout): one JSON object,
endpoint name -> figures.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import re
import sys
import time
from collections.abc import Callable
from typing import Any

_TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.IGNORECASE)


def _counting(counts: dict[str, int], key: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        counts[key] += 1
        return function(*args, **kwargs)

    return wrapper


def _profile(send: Callable[[], Any], calls: int, path: str) -> None:
    """Where the CPU goes: the functions with the most cumulative CPU time over `calls` requests."""
    profiler = cProfile.Profile(time.process_time)  # CPU only: waits on PostgreSQL and Redis drop out
    profiler.enable()
    for _ in range(calls):
        send()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
    with open(path, "w") as file:
        file.write(out.getvalue())


def main() -> None:
    spec = json.load(sys.stdin)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms_project.settings")
    import django

    django.setup()
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    pings = {"pings": 0}
    connection.ensure_connection()
    # The health check bypasses the cursor wrapper CaptureQueriesContext listens to: count it here.
    connection.is_usable = _counting(pings, "pings", connection.is_usable)

    client = Client(HTTP_HOST=spec["host"])
    calls: int = spec["calls"]
    results: dict[str, Any] = {}
    for endpoint in spec["endpoints"]:
        counter = iter(range(1, 10**9))

        def send(endpoint: dict[str, Any] = endpoint, counter: Any = counter) -> Any:
            body = endpoint.get("body")
            if endpoint.get("grow"):
                body = dict(body, **{endpoint["grow"]: body[endpoint["grow"]] + next(counter)})
            # What Django's WSGI handler does around each request (request_started / finished); the
            # test client leaves it out, so the health-check ping would be missed.
            close_old_connections()
            response = client.generic(
                endpoint["method"],
                endpoint["path"],
                data=json.dumps(body) if body is not None else "",
                content_type="application/json",
                headers=endpoint.get("headers") or {},
            )
            close_old_connections()
            return response

        for _ in range(20):  # warm-up: imports, caches, the connection
            send()
        pings["pings"] = 0
        with CaptureQueriesContext(connection) as captured:
            response = send()
        sql = [query["sql"] for query in captured.captured_queries]
        control = [statement for statement in sql if _TRANSACTION_CONTROL.match(statement)]
        ping_count = pings["pings"]

        cpu_started, wall_started = time.process_time(), time.perf_counter()
        statuses: dict[int, int] = {}
        for _ in range(calls):
            status = send().status_code
            statuses[status] = statuses.get(status, 0) + 1
        cpu = time.process_time() - cpu_started
        wall = time.perf_counter() - wall_started
        if spec.get("profile_dir"):
            _profile(send, calls, os.path.join(spec["profile_dir"], f"profile-{endpoint['name']}.txt"))
        results[endpoint["name"]] = {
            "status": response.status_code,
            "statuses": statuses,
            "data_statements": len(sql) - len(control),
            "transaction_statements": len(control),
            "pings": ping_count,
            "all_statements": len(sql) + ping_count,
            "sql": [statement[:300] for statement in sql],
            "cpu_ms": cpu / calls * 1000,
            "wall_ms": wall / calls * 1000,
        }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
