"""`make bench`: seed a PostgreSQL database, start the production server, load it, print the figures.

Steps (everything stops by itself; the server is killed at the end, also on errors and Ctrl-C):

1. Create the database `lms_bench` if missing, migrate it, and `seed_demo_data --scale N` unless
   it already holds that scale's 100 x N courses (BENCH_RESEED=1 runs the seed command anyway).
2. Start gunicorn with gunicorn.conf.py on a free loopback port, with production settings
   (ENVIRONMENT=production, DEBUG=false, a generated SECRET_KEY, Redis) and the rate limits raised
   out of reach: the limiter still runs (one Redis round trip a request) but never answers 429.
3. Log in through the API as a scale student (10 enrollments) and the hot course's instructor;
   create the quiz and certificate fixtures through the services (`bench.fixtures`).
4. For each endpoint, drive it from a separate process (`bench.load`: 32 keep-alive connections,
   3 s warm-up, 10 s measured), then 2 s from one connection for the unloaded latency. The
   server's CPU time (gunicorn master + workers, from /proc) and the bench database's PostgreSQL
   backends' CPU time are sampled at the start and end of the measured window.
5. Stop the server, then measure SQL statements and Python CPU per request in-process
   (`bench.inprocess`) against the same database.
6. Print the table; write bench/results/latest.json and latest.md.

Settings (environment): BENCH_SCALE (10), BENCH_DATABASE_URL
(postgresql://postgres@127.0.0.1:5432/lms_bench, lms_bench_<N> for other scales), BENCH_REDIS_URL
(redis://127.0.0.1:6379/15),
BENCH_ONLY (comma-separated groups: core, floor, quiz, certificates, analytics, bulk, worker; all by
default), BENCH_CLIENT (wrk: wrk for plain GETs when installed; python: the Python client for all),
BENCH_CONNECTIONS (32), BENCH_WARMUP (3), BENCH_DURATION (10), BENCH_CPU_CALLS (200), BENCH_PROFILE
(set: also write a cProfile listing per endpoint to bench/results/), and the server's own
WEB_CONCURRENCY, GUNICORN_THREADS, GUNICORN_MAX_REQUESTS if set.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from typing import Any
from urllib.parse import urlsplit

from bench.harness import (
    API,
    HOST,
    HUGE_LIMIT,
    PYTHON,
    ROOT,
    env_int,
    free_port,
    http,
    log,
    login,
    manage,
    production_environment,
    running_server,
    wait_until_healthy,
)
from bench.machine import (
    background_busy,
    machine_busy,
    machine_description,
    postgres_backends_cpu,
    postgres_cpu_delta,
    tree_cpu_seconds,
)

RESULTS = ROOT / "bench" / "results"
SERVER_LOG = RESULTS / "server.log"
MANAGE_LOG = RESULTS / "manage.log"
SCALE_DOMAIN = "scale.lms.local"
# The published demo passwords (lms_project.demo).
STUDENT_PASSWORD = "LmsLearn!2026"
INSTRUCTOR_PASSWORD = "LmsTeach!2026"
HOT_COURSE_SLUG = "scale-course-000001"
# BENCH_ONLY picks some of them; bulk and worker are separate scripts (bench.bulk_enroll,
# bench.certificates_worker) run after the server has stopped, in scratch databases of their own.
GROUPS = ("core", "floor", "quiz", "certificates", "analytics", "bulk", "worker")
QUIZ_CONNECTIONS = 16  # issue 7: quiz submit p99 < 50 ms at 16 concurrent clients
UNLOADED_REQUESTS = 50  # analytics: the unloaded median is over this many sequential requests
PDF_RENDERS = 20

# The FastAPI implementation on the same kind of machine (../shared/bench/peer.md).
BASELINE = {
    "health": {"rps": 631, "p50": 47, "p99": 177, "cpu_ms": 2.9, "sql": "0 / 4", "unloaded_p50": 2.5},
    "courses": {"rps": 251, "p50": 121, "p99": 324, "cpu_ms": 7.1, "sql": "2 / 5", "unloaded_p50": 7.7},
    "lessons": {"rps": 239, "p50": 126, "p99": 325, "cpu_ms": 7.0, "sql": "2 / 5", "unloaded_p50": 5.1},
    "my-courses": {"rps": 199, "p50": 155, "p99": 326, "cpu_ms": 9.2, "sql": "3 / 6", "unloaded_p50": 8.0},
    "progress": {"rps": 81, "p50": 388, "p99": 669, "cpu_ms": 20.9, "sql": "12 / 18", "unloaded_p50": 15.3},
    "course-analytics": {
        "rps": 130,
        "p50": 239,
        "p99": 496,
        "cpu_ms": 14.9,
        "sql": "3 / 6",
        "unloaded_p50": 15.9,
    },
    "system-overview": {
        "rps": 94,
        "p50": 327,
        "p99": 737,
        "cpu_ms": 21.1,
        "sql": "8 / 11",
        "unloaded_p50": 21.0,
    },
}


def ensure_database(url: str) -> str:
    """Create the database named in `url` if it does not exist; return its name."""
    import psycopg  # the project's own driver, installed with it

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            log(f"creating database {name}")
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
    return name


def scale_courses_in(url: str) -> int:
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as conn:
        query = "SELECT count(*) FROM courses_course WHERE slug LIKE %s"
        return conn.execute(query, [f"{HOT_COURSE_SLUG.rsplit('-', 1)[0]}-%"]).fetchone()[0]


def server_environment(database_url: str, redis_url: str) -> dict[str, str]:
    return production_environment(
        database_url,
        redis_url,
        ACCESS_TOKEN_EXPIRE_MINUTES="60",
        # The product's settings with the floor views (bench.floor) mounted beside its URLs.
        DJANGO_SETTINGS_MODULE="bench.settings_floor",
    )


def fixtures(env: dict[str, str], students: int) -> dict[str, Any]:
    """The quiz, the certificate and the extra users' tokens (bench.fixtures, through the services)."""
    spec = {"hot_slug": HOT_COURSE_SLUG, "students": students}
    done = subprocess.run(  # noqa: S603
        [PYTHON, "-m", "bench.fixtures"], cwd=ROOT, env=env, input=json.dumps(spec), capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"bench.fixtures failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sequential(port: int, path: str, headers: dict[str, str] | None, count: int) -> dict[str, Any]:
    """`count` requests one after the other on one keep-alive connection (after 3 unmeasured ones):
    the unloaded latency, with the full body read each time."""
    import http.client
    from statistics import median

    from bench.load import percentile

    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    timings, size, statuses = [], 0, {}
    try:
        for n in range(count + 3):
            started = time.perf_counter()
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if n >= 3:
                timings.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
            size = len(body)
            last = body
    finally:
        connection.close()
    return {
        "requests": count,
        "statuses": {str(k): v for k, v in statuses.items()},
        "errors": sum(v for k, v in statuses.items() if not 200 <= k < 300),
        "p50_ms": median(timings),
        "p90_ms": percentile(timings, 90),
        "min_ms": min(timings),
        "max_ms": max(timings),
        "bytes": size,
        "lines": last.count(b"\n"),
    }


# --- Load ------------------------------------------------------------------------------------------


def drive(
    request: dict[str, Any],
    *,
    port: int,
    connections: int,
    warmup: float,
    duration: float,
    server_pid: int,
    database: str,
) -> dict[str, Any]:
    """Run bench.load in its own process, sampling CPU time at the window's start and end."""
    spec = {
        "host": HOST,
        "port": port,
        "connections": connections,
        "warmup": warmup,
        "duration": duration,
        "request": request,
    }
    # wrk (as for the FastAPI figures) for plain requests when it is installed; the Python client for
    # the rest, or for everything with BENCH_CLIENT=python.
    from bench import wrk

    use_wrk = os.environ.get("BENCH_CLIENT", "wrk") == "wrk" and wrk.available() and wrk.supports(request)
    use_wrk = use_wrk and request.get("method", "GET") == "GET" and request.get("body") is None
    loader = subprocess.Popen(  # noqa: S603
        [PYTHON, "-m", "bench.wrk" if use_wrk else "bench.load"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert loader.stdin is not None and loader.stdout is not None
    loader.stdin.write(json.dumps(spec))
    loader.stdin.close()
    samples: dict[str, tuple[float, dict[int, float], tuple[float, float]]] = {}
    result: dict[str, Any] = {}
    try:
        for line in loader.stdout:
            line = line.strip()
            if line in ("MEASURE_START", "MEASURE_END"):
                samples[line] = (
                    tree_cpu_seconds(server_pid),
                    postgres_backends_cpu(database),
                    machine_busy(),
                )
            elif line.startswith("{"):
                result = json.loads(line)
        loader.wait(timeout=duration + warmup + 30)
    finally:
        if loader.poll() is None:
            loader.kill()
            loader.wait()
    if not result or len(samples) != 2:
        raise SystemExit(f"the load generator failed (exit {loader.returncode})")
    (server_a, pg_a, (busy_a, total_a)), (server_b, pg_b, (busy_b, total_b)) = (
        samples["MEASURE_START"],
        samples["MEASURE_END"],
    )
    result.setdefault("client", "python")
    served = max(result["requests"], 1)
    result["server_cpu_ms"] = (server_b - server_a) * 1000 / served
    result["postgres_cpu_ms"] = postgres_cpu_delta(pg_a, pg_b) * 1000 / served
    result["client_cpu_ms"] = result["client_cpu_s"] * 1000 / max(result["client_requests"], 1)
    result["machine_busy_pct"] = 100 * (busy_b - busy_a) / max(total_b - total_a, 1)
    # Of the machine's cores, how many the server actually got: with other work on the machine, less
    # than all of them, and the requests per second shrink in proportion.
    result["server_cores"] = (server_b - server_a) / duration
    return result


def _request(endpoint: dict[str, Any]) -> dict[str, Any]:
    """The request of an endpoint for one pass. A growing field starts a million above the previous
    pass's start (a pass sends far fewer requests), so each write carries a larger value than any
    before it."""
    request = {
        key: endpoint.get(key) for key in ("method", "path", "headers", "body", "grow", "tokens", "then")
    }
    if endpoint.get("grow"):
        field = endpoint["grow"]
        endpoint["body"] = dict(endpoint["body"], **{field: endpoint["body"][field] + 10**6})
    return request


# --- The floor -------------------------------------------------------------------------------------


def same_body(port: int, ours: dict[str, Any], floor: dict[str, Any]) -> str | None:
    """Fetch ours and the floor once each; None when both answer 200 with equal parsed JSON bodies,
    else what differs."""
    token = (ours.get("headers") or {}).get("Authorization", "").removeprefix("Bearer ") or None
    ours_status, ours_body = http("GET", port, ours["path"], token=token)
    floor_status, floor_body = http("GET", port, floor["path"], token=token)
    if ours_status != 200 or floor_status != 200:
        return f"status {ours_status} (ours) vs {floor_status} (floor)"
    if ours_body == floor_body:
        return None
    if isinstance(ours_body, dict) and isinstance(floor_body, dict):
        keys = sorted(
            k for k in ours_body.keys() | floor_body.keys() if ours_body.get(k) != floor_body.get(k)
        )
        return f"the bodies differ at the top-level keys {keys}"
    return "the bodies differ"


def floor_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| Endpoint | ours req/s | ours p50 ms | ours p99 ms | floor req/s | floor p50 ms | floor p99 ms "
        "| ours/floor (req/s) | server CPU-ms/req ours / floor |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if row.get("error"):
            lines.append(f"| `{row['label']}` | SELF-CHECK FAILED: {row['error']} |||||||| ")
            continue
        ours, floor = row["ours"], row["floor"]
        lines.append(
            f"| `{row['label']}` | {_fmt(ours['rps'], 0)} | {_fmt(ours['p50_ms'])} | {_fmt(ours['p99_ms'])} "
            f"| {_fmt(floor['rps'], 0)} | {_fmt(floor['p50_ms'])} | {_fmt(floor['p99_ms'])} "
            f"| {row['ratio']:.2f} | {_fmt(ours['server_cpu_ms'], 2)} / {_fmt(floor['server_cpu_ms'], 2)} |"
        )
    return "\n".join(lines)


# --- Report ----------------------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def table(rows: list[dict[str, Any]]) -> str:
    header = (
        "| Endpoint | req/s | p50 ms | p99 ms | errors | unloaded p50 ms | server cores used | "
        "server CPU-ms/req (load) | "
        "Python CPU-ms/req (in-process) | PostgreSQL CPU-ms/req | SQL statements (data / with tx + ping) | "
        "FastAPI: req/s, CPU-ms/req, SQL |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [header]
    for row in rows:
        load, single, inproc = row["load"], row["unloaded"], row.get("inprocess") or {}
        base = BASELINE.get(row["name"])
        baseline = f"{base['rps']}, {base['cpu_ms']}, {base['sql']}" if base else "not measured"
        sql = f"{inproc['data_statements']} / {inproc['all_statements']}" if inproc else "-"
        if inproc.get("steps"):
            sql = " + ".join(
                f"{step['data_statements']} / {step['all_statements']}" for step in inproc["steps"]
            )
        lines.append(
            f"| `{row['label']}` | {_fmt(load['rps'], 0)} | {_fmt(load['p50_ms'])} | {_fmt(load['p99_ms'])} "
            f"| {load['errors']} | {_fmt(single['p50_ms'])} | {_fmt(load['server_cores'], 2)} "
            f"| {_fmt(load['server_cpu_ms'])} "
            f"| {_fmt(inproc.get('cpu_ms'))} | {_fmt(load['postgres_cpu_ms'])} | {sql} | {baseline} |"
        )
    return "\n".join(lines)


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**MISSED**")


def targets_table(
    rows: list[dict[str, Any]],
    floor_rows: list[dict[str, Any]],
    pdf: dict[str, Any] | None,
    scripts: dict[str, dict[str, Any]],
) -> str:
    """Issue 7's targets, each against the figure of this run that decides it."""
    by_name = {row["name"]: row for row in rows}
    floors = {row["name"]: row for row in floor_rows if not row.get("error")}
    lines = ["| Target | Measured | Verdict |", "|---|---|---|"]

    def add(target: str, measured: str, ok: bool | None) -> None:
        lines.append(f"| {target} | {measured} | {_verdict(ok)} |")

    for name in ("courses", "course-detail", "lessons", "my-courses", "verify-api"):
        row = by_name.get(name)
        if name in floors:
            ratio = floors[name]["ratio"]
            add(f"`{name}`: >= 0.6x the floor's req/s", f"{ratio:.2f}x", ratio >= 0.6)
        if row and row.get("inprocess"):
            cpu = row["inprocess"]["cpu_ms"]
            add(f"`{name}`: <= 1.5 Python CPU-ms/req", f"{cpu:.2f} ms", cpu <= 1.5)
        if row and name in BASELINE:
            rps, base = row["load"]["rps"], BASELINE[name]["rps"]
            add(
                f"`{name}`: >= 2x FastAPI's {base} req/s",
                f"{rps:,.0f} req/s ({rps / base:.2f}x)",
                rps >= 2 * base,
            )
    if row := by_name.get("progress"):
        rps, errors = row["load"]["rps"], row["load"]["errors"]
        add("progress write: >= 3x FastAPI's 81 req/s, 0 errors", f"{rps:,.0f} req/s ({rps / 81:.2f}x), "
            f"{errors} errors", rps >= 243 and errors == 0)  # fmt: skip
    if row := by_name.get("quiz-pair"):
        steps = row["load"].get("steps") or []
        submit = steps[1]["p99_ms"] if len(steps) > 1 else None
        conns = row.get("connections", "?")
        add(f"quiz submit (20 questions): p99 < 50 ms at {conns} clients, no errors",
            f"submit p99 {_fmt(submit)} ms, {row['load']['errors']} errors",
            None if submit is None else submit < 50 and row["load"]["errors"] == 0)  # fmt: skip
    for name in ("course-analytics", "system-overview"):
        if row := by_name.get(name):
            rps, base, p50 = row["load"]["rps"], BASELINE[name]["rps"], row["unloaded"]["p50_ms"]
            add(
                f"`{name}`: >= 5x FastAPI's {base} req/s",
                f"{rps:,.0f} req/s ({rps / base:.2f}x)",
                rps >= 5 * base,
            )
            add(f"`{name}`: < 100 ms median (unloaded)", f"{p50:.1f} ms", p50 < 100)
    if row := by_name.get("my-dashboard"):
        p50 = row["unloaded"]["p50_ms"]
        add("dashboard reads (`my-dashboard`): < 20 ms median (unloaded)", f"{p50:.1f} ms", p50 < 20)
    if pdf:
        add(
            "certificate PDF: median render < 250 ms",
            f"{pdf['wall_ms_median']:,.0f} ms",
            pdf["wall_ms_median"] < 250,
        )
    if bulk := scripts.get("bulk"):
        median = bulk.get("median_s")
        add("bulk enroll 10,000 students: < 2 s", "-" if median is None else f"median {median:.3f} s",
            None if median is None else median < 2)  # fmt: skip
    if worker := scripts.get("worker"):
        add("1,000 certificates through the Celery worker (rate printed)",
            f"{worker.get('done', '-')} PDFs, {worker.get('rate', '-')} certificates/s, errors: "
            f"{worker.get('errors', '-')}", worker.get("done") == "1,000 / 1,000")  # fmt: skip
    return "\n".join(lines)


def run_script(module: str, database_url: str) -> dict[str, Any]:
    """Run one of the stand-alone bench scripts, echo its output, and pick its headline figures."""
    log(f"{module} ...")
    env = dict(os.environ, DATABASE_URL=database_url, LMS_IGNORE_DOTENV="true", PYTHONUNBUFFERED="1")
    done = subprocess.run(  # noqa: S603
        [PYTHON, "-m", module], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    for line in done.stdout.splitlines():
        log(f"  | {line}")
    figures: dict[str, Any] = {"exit": done.returncode, "output": done.stdout[-4000:]}
    if done.returncode and done.stderr:
        log(f"  {module} exited {done.returncode}: {done.stderr[-1500:]}")
    patterns = {
        "median_s": r"students: median ([\d.]+)s",
        "done": r"certificates with a stored PDF: ([\d,]+ / [\d,]+)",
        "rate": r"rate: ([\d.]+) certificates/s",
        "wall_s": r"wall time \(first enqueue -> last PDF stored\): ([\d.]+)s",
        "errors": r"errors: (.+)",
    }
    for key, pattern in patterns.items():
        if match := re.search(pattern, done.stdout):
            figures[key] = float(match.group(1)) if key == "median_s" else match.group(1)
    return figures


def analytics_table(rows: list[dict[str, Any]], csv: dict[str, Any] | None) -> str:
    """The analytics endpoints against the 100 ms median target (unloaded: sequential requests)."""
    lines = [
        "| Endpoint | unloaded p50 ms (n) | unloaded p90 ms | req/s (32 conn.) | p50 ms | p99 ms | errors "
        "| Python CPU-ms/req | PostgreSQL CPU-ms/req | SQL | target |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if row.get("group") != "analytics":
            continue
        load, single, inproc = row["load"], row["unloaded"], row.get("inprocess") or {}
        target = "-"
        if row.get("target_ms"):
            target = "met" if single["p50_ms"] < row["target_ms"] else f"MISSED (< {row['target_ms']} ms)"
        sql = f"{inproc['data_statements']} / {inproc['all_statements']}" if inproc else "-"
        lines.append(
            f"| `{row['label']}` | {_fmt(single['p50_ms'])} ({single.get('requests', '-')}) "
            f"| {_fmt(single.get('p90_ms'))} | {_fmt(load['rps'], 0)} | {_fmt(load['p50_ms'])} "
            f"| {_fmt(load['p99_ms'])} | {load['errors']} | {_fmt(inproc.get('cpu_ms'))} "
            f"| {_fmt(load['postgres_cpu_ms'])} | {sql} | {target} |"
        )
    if csv:
        lines.append(
            f"\nCSV export of the hot course (`?format=csv`, streamed once, whole body read): "
            f"{csv['p50_ms']:,.0f} ms for {csv['bytes']:,} bytes, {csv['lines']:,} lines (median of "
            f"{csv['requests']}; min {csv['min_ms']:,.0f}, max {csv['max_ms']:,.0f})."
        )
    return "\n".join(lines)


# --- Main ------------------------------------------------------------------------------------------


def main() -> None:
    scale = env_int("BENCH_SCALE", 10)
    # One database per scale: the seed command never grafts a second scale onto the first one.
    default_name = "lms_bench" if scale == 1 else f"lms_bench_{scale}"
    database_url = (
        os.environ.get("BENCH_DATABASE_URL") or f"postgresql://postgres@127.0.0.1:5432/{default_name}"
    )
    redis_url = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/15"
    connections = env_int("BENCH_CONNECTIONS", 32)
    warmup, duration = env_int("BENCH_WARMUP", 3), env_int("BENCH_DURATION", 10)
    cpu_calls = env_int("BENCH_CPU_CALLS", 200)
    RESULTS.mkdir(parents=True, exist_ok=True)
    MANAGE_LOG.write_text("")
    started = time.monotonic()

    machine = machine_description()
    log(
        f"machine: {machine['cpus']} CPUs ({machine['cpu_model']}), {machine['memory_gb']} GB, "
        f"load average {machine['load_average']}"
    )
    database = ensure_database(database_url)
    env = server_environment(database_url, redis_url)
    log(f"database {database}: migrate")
    manage(env, "migrate", "--noinput", log_path=MANAGE_LOG)
    # A database that already holds this scale's courses is reused as it is (set BENCH_RESEED=1 to run
    # the seed command anyway; it skips what is there and adds what a newer version seeds).
    if scale_courses_in(database_url) != scale * 100 or os.environ.get("BENCH_RESEED"):
        log(f"seed_demo_data --scale {scale}")
        for line in manage(env, "seed_demo_data", "--scale", str(scale), log_path=MANAGE_LOG).splitlines():
            if line.strip().startswith(("scale", "steps", "Demo data")):
                log(f"  {line.strip()}")
    else:
        log(f"  {database} already holds the {scale * 100} scale courses of scale {scale}: not re-seeded")
    courses = scale_courses_in(database_url)
    if courses != scale * 100:
        raise SystemExit(
            f"{database} holds {courses} scale courses, not the {scale * 100} of scale {scale}: "
            "drop it (dropdb) or point BENCH_DATABASE_URL elsewhere"
        )

    port = free_port()
    log(
        f"server: gunicorn --config gunicorn.conf.py on {HOST}:{port}, ENVIRONMENT=production, "
        f"DEBUG=false, REDIS_URL={redis_url}"
    )
    log(
        f"rate limiting effectively off: RATE_LIMIT_REQUESTS_PER_MINUTE={HUGE_LIMIT:,} (the limiter "
        "still counts every request in Redis)"
    )
    groups = {g.strip() for g in (os.environ.get("BENCH_ONLY") or ",".join(GROUPS)).split(",") if g.strip()}
    if not groups <= set(GROUPS):
        raise SystemExit(
            f"BENCH_ONLY: unknown group(s) {sorted(groups - set(GROUPS))}; known: {', '.join(GROUPS)}"
        )
    log(f"groups: {', '.join(g for g in GROUPS if g in groups)}")
    extra = fixtures(env, students=max(connections, 32) * 2)
    log(
        f"fixtures: quiz {extra['quiz_id']} ({extra['quiz_questions']} questions), "
        f"{len(extra['student_tokens'])} student tokens, certificate {extra['certificate_number']}"
    )
    rows: list[dict[str, Any]] = []
    csv_figures: dict[str, Any] | None = None
    with running_server(env, port, SERVER_LOG) as server:
        wait_until_healthy(server, port, SERVER_LOG)
        student = login(port, f"student1@{SCALE_DOMAIN}", STUDENT_PASSWORD)
        instructor = login(port, f"instructor1@{SCALE_DOMAIN}", INSTRUCTOR_PASSWORD)
        status, mine = http("GET", port, f"{API}/enrollments/my-courses", token=student)
        if status != 200 or not mine["items"]:
            raise SystemExit(f"my-courses answered {status}: {mine}")
        hot = next(e["course"]["id"] for e in mine["items"] if e["course"]["slug"] == HOT_COURSE_SLUG)
        enrollment = next(e for e in mine["items"] if e["status"] != "dropped")
        status, lessons = http("GET", port, f"{API}/courses/{enrollment['course_id']}/lessons", token=student)
        lesson_id = lessons["items"][0]["id"]
        progress_path = f"{API}/enrollments/{enrollment['id']}/lessons/{lesson_id}/progress"
        # Start above whatever an earlier run stored, so every write really moves time_spent forward.
        status, current = http("PUT", port, progress_path, token=student, body={"last_position_seconds": 1})
        if status != 200:
            raise SystemExit(f"progress PUT answered {status}: {current}")
        base_seconds = current["time_spent_seconds"] + 1
        log(f"student1 has {mine['total']} enrollments; hot course {hot}; instructor1 teaches it")

        auth_student = {"Authorization": f"Bearer {student}"}
        auth_instructor = {"Authorization": f"Bearer {instructor}"}
        auth_admin = {"Authorization": f"Bearer {extra['admin_token']}"}
        quiz_path = f"{API}/quizzes/{extra['quiz_id']}/attempts"
        number = extra["certificate_number"]
        endpoints = [
            {"group": "core", "name": "health", "label": "GET /api/v1/health", "method": "GET",
             "path": f"{API}/health"},
            {"group": "core", "name": "courses", "label": "GET /api/v1/courses?page_size=20 (anonymous)",
             "method": "GET", "path": f"{API}/courses?page_size=20"},
            {"group": "core", "name": "course-detail", "label": "GET /api/v1/courses/{id} (anonymous)",
             "method": "GET", "path": f"{API}/courses/{hot}"},
            {"group": "core", "name": "lessons",
             "label": "GET /api/v1/courses/{id}/lessons (20 lessons, anonymous)",
             "method": "GET", "path": f"{API}/courses/{hot}/lessons"},
            {"group": "core", "name": "my-courses",
             "label": "GET /api/v1/enrollments/my-courses (10 enrollments)",
             "method": "GET", "path": f"{API}/enrollments/my-courses", "headers": auth_student},
            {"group": "core", "name": "progress",
             "label": "PUT /api/v1/enrollments/{id}/lessons/{id}/progress (one student)",
             "method": "PUT", "path": progress_path, "headers": auth_student,
             "body": {"time_spent_seconds": base_seconds, "last_position_seconds": 30},
             "grow": "time_spent_seconds"},
            {"group": "core", "name": "course-stats",
             "label": f"GET /api/v1/enrollments/courses/{{hot}}/stats ({scale * 1000:,} enrollments)",
             "method": "GET", "path": f"{API}/enrollments/courses/{hot}/stats", "headers": auth_instructor},
            {"group": "quiz", "name": "quiz-pair",
             "label": "POST /api/v1/quizzes/{id}/attempts + POST .../attempts/{id}/submit (20 questions; "
                      "one student per connection; figures per pair)",
             "method": "POST", "path": quiz_path, "tokens": extra["student_tokens"],
             "then": {"method": "POST", "path": f"{quiz_path}/{{id}}/submit",
                      "body": {"answers": extra["answers"]}},
             "calls": 100, "connections": QUIZ_CONNECTIONS},
            {"group": "certificates", "name": "verify-api",
             "label": "GET /api/v1/certificates/verify/{number}",
             "method": "GET", "path": f"{API}/certificates/verify/{number}"},
            {"group": "certificates", "name": "verify-page", "label": "GET /verify/{number} (HTML page)",
             "method": "GET", "path": f"/verify/{number}"},
            {"group": "analytics", "name": "my-progress",
             "label": "GET /api/v1/analytics/my-progress (student)",
             "method": "GET", "path": f"{API}/analytics/my-progress", "headers": auth_student},
            {"group": "analytics", "name": "my-dashboard",
             "label": "GET /api/v1/analytics/my-dashboard (student)",
             "method": "GET", "path": f"{API}/analytics/my-dashboard", "headers": auth_student},
            {"group": "analytics", "name": "course-analytics",
             "label": f"GET /api/v1/analytics/courses/{{hot}} ({scale * 1000:,} enrollments; instructor)",
             "method": "GET", "path": f"{API}/analytics/courses/{hot}", "headers": auth_instructor,
             "target_ms": 100, "calls": 50},
            {"group": "analytics", "name": "instructor-overview",
             "label": "GET /api/v1/analytics/instructors/{id}/overview (the instructor)",
             "method": "GET", "path": f"{API}/analytics/instructors/{extra['instructor_id']}/overview",
             "headers": auth_instructor},
            {"group": "analytics", "name": "system-overview",
             "label": "GET /api/v1/analytics/system/overview (admin)",
             "method": "GET", "path": f"{API}/analytics/system/overview", "headers": auth_admin,
             "target_ms": 100, "calls": 50},
        ]  # fmt: skip
        everything = endpoints
        endpoints = [endpoint for endpoint in endpoints if endpoint["group"] in groups]
        for endpoint in endpoints:
            idle_busy = background_busy()
            log(f"load: {endpoint['label']} (machine {idle_busy:.0f}% busy before, server idle) ...")
            loaded = drive(
                _request(endpoint), port=port, connections=endpoint.get("connections", connections),
                warmup=warmup, duration=duration, server_pid=server.pid, database=database,
            )  # fmt: skip
            if endpoint["group"] == "analytics":  # the target is on the unloaded median: 50 in a row
                unloaded = sequential(port, endpoint["path"], endpoint.get("headers"), UNLOADED_REQUESTS)
            else:
                unloaded = drive(
                    _request(endpoint), port=port, connections=1, warmup=0.5, duration=2,
                    server_pid=server.pid, database=database,
                )  # fmt: skip
            rows.append({**endpoint, "load": loaded, "unloaded": unloaded, "background_busy_pct": idle_busy})
            log(
                f"  {loaded['rps']:,.0f} {'pairs' if endpoint.get('then') else 'req'}/s, "
                f"p50 {_fmt(loaded['p50_ms'])} ms, p99 {_fmt(loaded['p99_ms'])} ms, "
                f"errors {loaded['errors']}, server CPU {loaded['server_cpu_ms']:.2f} ms/req, "
                f"PostgreSQL CPU {loaded['postgres_cpu_ms']:.2f} ms/req, "
                f"machine busy {loaded['machine_busy_pct']:.0f}%; unloaded p50 {_fmt(unloaded['p50_ms'])} ms"
            )
            if loaded.get("steps"):
                log(f"  steps (start, submit): {loaded['steps']}")
            if loaded["error_samples"]:
                log(f"  error samples: {loaded['error_samples'][:2]}")
        floor_rows: list[dict[str, Any]] = []
        if "floor" in groups:
            by_name = {endpoint["name"]: endpoint for endpoint in everything}
            floors = [
                ("courses", "/floor/courses?page_size=20"),
                ("course-detail", f"/floor/courses/{hot}"),
                ("lessons", f"/floor/courses/{hot}/lessons"),
                ("my-courses", "/floor/enrollments/my-courses"),
                ("verify-api", f"/floor/certificates/verify/{number}"),
            ]
            for name, floor_path in floors:
                ours = by_name[name]
                floor = {"method": "GET", "path": floor_path, "headers": ours.get("headers")}
                row: dict[str, Any] = {"name": name, "label": ours["label"], "floor_path": floor_path}
                floor_rows.append(row)
                mismatch = same_body(port, ours, floor)
                if mismatch:
                    row["error"] = mismatch
                    log(
                        f"floor SELF-CHECK FAILED for {ours['path']} vs {floor_path}: {mismatch} "
                        "(not measured)"
                    )
                    continue
                for side, request in (("ours", _request(ours)), ("floor", floor)):
                    log(f"floor group, {side}: {request['path']} (machine {background_busy():.0f}% busy) ...")
                    row[side] = drive(
                        request, port=port, connections=connections, warmup=warmup, duration=duration,
                        server_pid=server.pid, database=database,
                    )  # fmt: skip
                    log(
                        f"  {row[side]['rps']:,.0f} req/s, p50 {_fmt(row[side]['p50_ms'])} ms, "
                        f"p99 {_fmt(row[side]['p99_ms'])} ms, errors {row[side]['errors']}"
                    )
                row["ratio"] = row["ours"]["rps"] / max(row["floor"]["rps"], 1e-9)
                log(f"  ours/floor (req/s): {row['ratio']:.2f}")
        if "analytics" in groups:
            csv_path = f"{API}/analytics/courses/{hot}?format=csv"
            csv_figures = sequential(port, csv_path, auth_instructor, 3)
            log(
                f"CSV export of the hot course: median {csv_figures['p50_ms']:,.0f} ms of 3, "
                f"{csv_figures['bytes']:,} bytes, {csv_figures['lines']:,} lines"
            )

    log(f"in-process: SQL statements and Python CPU over {cpu_calls} calls per endpoint (fewer where set)")
    spec = {
        "host": HOST,
        "calls": cpu_calls,
        "profile_dir": str(RESULTS) if os.environ.get("BENCH_PROFILE") else None,
        "endpoints": [{"name": row["name"], "calls": row.get("calls"), **_request(row)} for row in rows],
        "pdf": {"certificate_id": extra["certificate_id"], "renders": PDF_RENDERS}
        if "certificates" in groups
        else None,
    }
    done = subprocess.run(  # noqa: S603
        [PYTHON, "-m", "bench.inprocess"], cwd=ROOT, env=env, input=json.dumps(spec), capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"bench.inprocess failed:\n{done.stderr[-3000:]}")
    inprocess = json.loads(done.stdout.strip().splitlines()[-1])
    for row in rows:
        row["inprocess"] = inprocess[row["name"]]
    pdf = inprocess.get("pdf")

    scripts = {}
    for group, module in (("bulk", "bench.bulk_enroll"), ("worker", "bench.certificates_worker")):
        if group in groups:
            scripts[group] = run_script(module, database_url)

    machine["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    report = {
        "machine": machine,
        "scale": scale,
        "connections": connections,
        "warmup_s": warmup,
        "duration_s": duration,
        "cpu_calls": cpu_calls,
        "elapsed_s": round(time.monotonic() - started, 1),
        "groups": sorted(groups),
        "rows": [
            {key: value for key, value in row.items() if key not in ("headers", "tokens")} for row in rows
        ],
        "floor": floor_rows,
        "csv_export": csv_figures,
        "pdf_render": pdf,
        "scripts": scripts,
    }
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2))
    markdown = table(rows) if rows else ""
    if floor_rows:
        markdown += (
            f"\n\nOurs against the floor (bench/floor.py: plain Django views, the same SQL through "
            f"connection.cursor(), the same JSON with orjson), back to back, {connections} connections, "
            f"{duration} s each:\n\n"
        )
        markdown += floor_table(floor_rows)
    if "analytics" in groups:
        markdown += (
            f"\n\nAnalytics, scale {scale}: unloaded = {UNLOADED_REQUESTS} sequential requests, "
            "one connection\n\n"
        )
        markdown += analytics_table(rows, csv_figures)
    if pdf:
        markdown += (
            "\n\nCertificate PDF (`certificates.pdf.render_certificate_pdf`, in-process, "
            f"{pdf['renders']} renders): "
            f"median {pdf['wall_ms_median']:,.0f} ms wall (min {pdf['wall_ms_min']:,.0f}, max "
            f"{pdf['wall_ms_max']:,.0f}), {pdf['cpu_ms_median']:,.0f} ms CPU, {pdf['bytes']:,} bytes"
        )
    markdown += "\n\nIssue 7's targets in this run:\n\n" + targets_table(rows, floor_rows, pdf, scripts)
    (RESULTS / "latest.md").write_text(markdown + "\n")
    log()
    log(markdown)
    log()
    log(
        f"done in {report['elapsed_s']:.0f}s; load average at the end {machine['load_average_end']}; "
        f"details in {RESULTS / 'latest.json'}"
    )


if __name__ == "__main__":
    main()
