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
        calls = endpoint.get("calls") or spec["calls"]
        tokens = endpoint.get("tokens") or []
        turn = iter(range(10**9))

        def one(method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
            # What Django's WSGI handler does around each request (request_started / finished); the
            # test client leaves it out, so the health-check ping would be missed.
            close_old_connections()
            response = client.generic(
                method,
                path,
                data=json.dumps(body) if body is not None else "",
                content_type="application/json",
                headers=headers,
            )
            close_old_connections()
            return response

        def send(  # the loop's values bound as defaults (B023)
            endpoint: dict[str, Any] = endpoint,
            counter: Any = counter,
            steps: list | None = None,
            tokens: list[str] = tokens,
            turn: Any = turn,
        ) -> Any:
            body = endpoint.get("body")
            if endpoint.get("grow"):
                body = dict(body, **{endpoint["grow"]: body[endpoint["grow"]] + next(counter)})
            headers = dict(endpoint.get("headers") or {})
            if tokens:
                headers["Authorization"] = f"Bearer {tokens[next(turn) % len(tokens)]}"
            then = endpoint.get("then")
            if steps is None:
                response = one(endpoint["method"], endpoint["path"], body, headers)
                if then is not None and 200 <= response.status_code < 300:
                    path = then["path"].replace("{id}", str(response.json()["id"]))
                    response = one(then["method"], path, then.get("body"), headers)
                return response
            with CaptureQueriesContext(connection) as captured:  # one step at a time, for the counts
                response = one(endpoint["method"], endpoint["path"], body, headers)
            steps.append(captured.captured_queries)
            if then is not None and 200 <= response.status_code < 300:
                path = then["path"].replace("{id}", str(response.json()["id"]))
                with CaptureQueriesContext(connection) as captured:
                    response = one(then["method"], path, then.get("body"), headers)
                steps.append(captured.captured_queries)
            return response

        for _ in range(20 if calls >= 100 else 3):  # warm-up: imports, caches, the connection
            send()
        pings["pings"] = 0
        steps: list[list[dict[str, Any]]] = []
        response = send(steps=steps)
        sql = [query["sql"] for queries in steps for query in queries]
        control = [statement for statement in sql if _TRANSACTION_CONTROL.match(statement)]
        ping_count = pings["pings"]
        step_counts = [
            {
                "data_statements": sum(1 for q in queries if not _TRANSACTION_CONTROL.match(q["sql"])),
                "all_statements": len(queries) + 1,  # + the health check on each request's first query
            }
            for queries in steps
        ]

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
            "steps": step_counts if len(step_counts) > 1 else None,
            "calls": calls,
            "sql": [statement[:2000] for statement in sql],
            "cpu_ms": cpu / calls * 1000,
            "wall_ms": wall / calls * 1000,
        }
    if spec.get("pdf"):
        results["pdf"] = _pdf_renders(**spec["pdf"])
    print(json.dumps(results))


def _pdf_renders(certificate_id: str, renders: int) -> dict[str, Any]:
    """Render one certificate's PDF `renders` times (after one warm-up render): wall and CPU ms."""
    from statistics import median

    from certificates.models import Certificate
    from certificates.pdf import render_certificate_pdf

    certificate = Certificate.objects.get(pk=certificate_id)
    size = len(render_certificate_pdf(certificate))  # warm-up: fonts, the stylesheet, the template
    wall, cpu = [], []
    for _ in range(renders):
        cpu_started, wall_started = time.process_time(), time.perf_counter()
        render_certificate_pdf(certificate)
        wall.append((time.perf_counter() - wall_started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return {
        "renders": renders,
        "bytes": size,
        "wall_ms_median": median(wall),
        "wall_ms_min": min(wall),
        "wall_ms_max": max(wall),
        "cpu_ms_median": median(cpu),
    }


if __name__ == "__main__":
    main()
