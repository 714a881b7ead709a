"""Schema fuzzing: schemathesis against the production server, once per role.

Run: `.venv/bin/python scripts/fuzz_api.py` from the project folder (CI does). Exit code 0 only when
every role's run finished with no failure and no error. Needs PostgreSQL and Redis on 127.0.0.1
(trust auth, user postgres) and schemathesis in the venv (the dev extra).

Steps (the server is stopped at the end, also on errors and Ctrl-C; nothing else is dropped):

1. Drop and recreate the database `lms_fuzz`, flush Redis db 5, `manage.py migrate`,
   `manage.py seed_demo_data` (the demo world: four accounts, courses, quizzes, a certificate...).
2. Start gunicorn with gunicorn.conf.py on a free loopback port with production settings
   (ENVIRONMENT=production, DEBUG=false, a generated SECRET_KEY, Redis), the rate limits raised out
   of reach (the limiter still runs, it never answers 429), Celery inline (no broker: certificate
   and e-mail jobs run in the request) and local file storage in a temporary UPLOAD_DIR.
3. Log in through the API as the demo student, instructor and admin, all before any fuzzing.
4. Run `schemathesis run <server>/openapi.json` once per role (anonymous, student, instructor, admin),
   with schemathesis' default checks (all of them: no 5xx, response schema, documented status
   codes, content type, headers, negative data rejected, positive data accepted, auth not ignored,
   ...), every operation, a fixed seed, at most FUZZ_MAX_EXAMPLES cases per operation and phase, and
   FUZZ_MAX_TIME seconds per role.
5. Print a summary per role and a total line
   `fuzz: <ops> operations x 4 roles, <N> cases, <F> failures, seed <S>`.
   Reports (JUnit XML, schemathesis' NDJSON events, the server log) go to FUZZ_REPORT_DIR.

Exclusions (only those needed to keep the run's own credentials alive):

- `POST /api/v1/auth/logout` runs only as the anonymous role. With a bearer token, a logout whose
  body holds a refresh token of the same user denies the presented access token: schemathesis'
  stateful phase can chain the documented login example (student@lms.local) into a logout and
  would then test the student's remaining operations with a revoked token (401 everywhere).
- One check is relaxed, not disabled, on the operations in BUSINESS_RULE_400 (each with its
  reason): schemathesis' positive_data_acceptance treats any 400 to a schema-valid request as a
  failure, but the contract answers 400 for business rules no JSON Schema can state (password
  policy, "a course needs a lesson to be published", ...). There a 400 counts as accepted.
- Upload bodies whose form fields were given another JSON type are dropped (scripts/fuzz_hooks.py):
  a multipart field is text on the wire, so the integer -50312 as `folder` arrives as the valid
  folder "-50312", and schemathesis would report the 201 as a schema-violating request accepted.
- Nothing else is excluded. A password change (`PATCH /api/v1/users/me`, whose documented example
  carries the demo student's real password) keeps the current session and only revokes the others,
  and an admin cannot demote or deactivate themself (400 cannot_modify_self); the logins happen
  before any fuzzing, so a changed password or a locked-out e-mail cannot stop a later role.

Settings (environment, all optional):
  FUZZ_SEED (2026)            seed of every run: the same seed gives the same cases (as far as
                              FUZZ_MAX_TIME lets a run go on a machine of that speed)
  FUZZ_MAX_EXAMPLES (8)       cases per operation and phase (the release run: 100 and more)
  FUZZ_MAX_TIME (60)          seconds per role (schemathesis --max-time); 0: no time limit
  FUZZ_PHASES                 comma-separated subset of examples,coverage,fuzzing,stateful (all)
  FUZZ_WORKERS (1)            schemathesis workers per role (more: faster, but the order of the
                              cases, hence the database they meet, no longer follows the seed alone)
  FUZZ_ROLES                  comma-separated subset of anonymous,student,instructor,admin (all)
  FUZZ_DATABASE_URL           postgresql://postgres@127.0.0.1:5432/lms_fuzz (dropped and recreated!)
  FUZZ_REDIS_URL              redis://127.0.0.1:6379/5 (flushed!)
  FUZZ_REPORT_DIR             where the reports go; default a new temporary folder
  and the server's own WEB_CONCURRENCY (2), GUNICORN_THREADS (4).

Release run, for example: FUZZ_MAX_EXAMPLES=200 FUZZ_MAX_TIME=1800 .venv/bin/python scripts/fuzz_api.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the project's bench.harness is shared with `make bench`

from bench.harness import (  # noqa: E402
    BIN,
    HOST,
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

METHODS = {"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"}
ROLES = ("anonymous", "student", "instructor", "admin")
# The published demo accounts (lms_project.demo.base).
ACCOUNTS = {
    "student": ("student@lms.local", "LmsLearn!2026"),
    "instructor": ("instructor@lms.local", "LmsTeach!2026"),
    "admin": ("admin@lms.local", "LmsAdmin!2026"),
}
# Runs only anonymously: see "Exclusions" in the docstring.
AUTHENTICATED_EXCLUDED = ["auth_logout_create"]  # operation ids: POST /api/v1/auth/logout
# positive_data_acceptance expects a schema-valid request never to get a 400. The contract answers
# 400 for business rules that a JSON Schema cannot state (API.md: password policy, "publish needs a
# lesson", "lesson_ids must list every lesson"...), each documented on the operation with its code.
# For these operations alone, and for this check alone, a 400 also counts as accepted; the check
# still fails on any other refusal (415, 422, ...), and every other check runs unchanged.
BUSINESS_RULE_400 = {
    "auth_register_create": "password policy (length, common, numeric, similar to e-mail/name)",
    "users_create": "password policy",
    "users_me_partial_update": "a new password needs the right current password, and the policy",
    "users_partial_update": "password policy; an admin cannot demote or deactivate themself",
    "courses_create": "thumbnail_url: Django's URL check (host <= 253 chars) is stricter than format: uri;"
    " metadata keys cannot hold U+0000 (PostgreSQL jsonb), which OpenAPI 3.0 cannot state",
    "courses_partial_update": "as courses_create: thumbnail_url, and U+0000 in metadata keys",
    "courses_publish_create": "a course needs a lesson to be published (course_has_no_lessons)",
    "courses_lessons_create": "parent_lesson_id must be a lesson of the same course",
    "lessons_partial_update": "parent_lesson_id must be a lesson of the same course, outside the subtree",
    "courses_lessons_reorder_create": "lesson_ids must list every lesson of the course exactly once",
    "courses_quizzes_create": "lesson_id must be a lesson of the same course",
    "courses_quizzes_partial_update": "lesson_id must be a lesson of the same course",
    "courses_quizzes_publish_create": "a quiz needs a question to be published",
    "courses_quizzes_questions_create": "options/answers must fit question_type (e.g. choices need options)",
    "courses_quizzes_questions_partial_update": "options/answers must fit question_type",
    "enrollments_create": "student_id must name a student (admin enrolling someone)",
    "files_upload_create": "the file extension must be in ALLOWED_UPLOAD_EXTENSIONS",
    "certificates_enrollments_generate_create": "the enrollment must be completed first",
}
ACCEPTED_STATUSES = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]


def schemathesis_config() -> str:
    """schemathesis.toml for every run. auto-signup off: the anonymous role stays anonymous
    (schemathesis would otherwise register an account through POST /auth/register and use it)."""
    lines = ["[auth]", "auto-signup = false", ""]
    for operation_id, reason in BUSINESS_RULE_400.items():
        lines += [
            f"# {reason}",
            "[[operations]]",
            f'include-operation-id = "{operation_id}"',
            f"checks.positive_data_acceptance.expected-statuses = {json.dumps(ACCEPTED_STATUSES)}",
            "",
        ]
    return "\n".join(lines)


def env_list(name: str, default: tuple[str, ...]) -> list[str]:
    raw = os.environ.get(name, "").strip()
    return [item.strip() for item in raw.split(",") if item.strip()] if raw else list(default)


# --- Database, Redis, server -----------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import psycopg  # the project's own driver
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def flush_redis(url: str) -> None:
    import redis  # installed with the project (django's RedisCache)

    client = redis.Redis.from_url(url, socket_connect_timeout=5)
    client.flushdb()
    client.close()


def server_environment(database_url: str, redis_url: str, upload_dir: Path) -> dict[str, str]:
    return production_environment(
        database_url,
        redis_url,
        # The logins happen before the fuzzing: the tokens must outlive the longest release run.
        ACCESS_TOKEN_EXPIRE_MINUTES="720",
        FILE_STORAGE_PROVIDER="local",
        UPLOAD_DIR=str(upload_dir),
        EMAIL_HOST="",  # e-mails go to the console (the server log)
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="lms_project.settings",
        WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "2"),
    )


def count_operations(port: int) -> int:
    status, schema = http("GET", port, "/openapi.json")
    if status != 200:
        raise SystemExit(f"GET /openapi.json answered {status}")
    return sum(1 for item in schema["paths"].values() for method in item if method.upper() in METHODS)


# --- Schemathesis ----------------------------------------------------------------------------------


@dataclass
class RoleResult:
    role: str
    exit_code: int = 0
    operations: int = 0
    cases: int = 0
    failures: int = 0
    errors: int = 0
    seconds: float = 0.0
    messages: list[str] = field(default_factory=list)


def schemathesis_command(role: str, token: str | None, port: int, report_dir: Path) -> list[str]:
    seed = env_int("FUZZ_SEED", 2026)
    config = report_dir / "schemathesis.toml"
    config.write_text(schemathesis_config())
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(config),
        "run",
        f"http://{HOST}:{port}/openapi.json",
        "--url",
        f"http://{HOST}:{port}",
        "--seed",
        str(seed),
        "--max-examples",
        str(env_int("FUZZ_MAX_EXAMPLES", 8)),
        "--workers",
        str(env_int("FUZZ_WORKERS", 1)),
        "--phases",
        ",".join(env_list("FUZZ_PHASES", ("examples", "coverage", "fuzzing", "stateful"))),
        "--request-timeout",
        "30",
        "--generation-database",
        "none",  # no examples remembered between runs: the seed alone decides
        "--no-color",
        "--output-truncate",
        "true",
        "--report",
        "junit,ndjson",
        "--report-junit-path",
        str(report_dir / f"{role}.junit.xml"),
        "--report-ndjson-path",
        str(report_dir / f"{role}.ndjson"),
    ]
    max_time = env_int("FUZZ_MAX_TIME", 60)
    if max_time > 0:
        command += ["--max-time", str(max_time)]
    if token is not None:
        command += ["--header", f"Authorization: Bearer {token}"]
        for operation_id in AUTHENTICATED_EXCLUDED:
            command += ["--exclude-operation-id", operation_id]
    return command


def read_events(path: Path) -> tuple[int, int, int, int, list[str]]:
    """Operations, cases, unique failures and errors from schemathesis' NDJSON event stream.

    A failure is counted once per (operation, failure code, message), as schemathesis' own summary
    counts "unique failures"; the same bug hit by many cases is one failure.
    """
    operations: set[str] = set()
    failures: set[tuple[str, str, str]] = set()
    cases = errors = 0
    messages: list[str] = []
    if not path.exists():
        return 0, 0, 0, 1, ["schemathesis wrote no event file"]
    for line in path.read_text().splitlines():
        event = json.loads(line)
        ((kind, data),) = event.items()
        if kind == "ScenarioFinished":
            recorder = data.get("recorder") or {}
            label = recorder.get("label", "")
            if label.split(" ", 1)[0] in METHODS:  # not the "Stateful tests" scenario
                operations.add(label)
            cases += len(recorder.get("cases") or {})
            for checks in (recorder.get("checks") or {}).values():
                for check in checks:
                    if check.get("status") == "failure":
                        info = check["failure_info"]["failure"]
                        failures.add((info["operation"], info["code"], info["message"]))
        elif kind in ("NonFatalError", "FatalError"):
            errors += 1
            info = data.get("info") or data.get("exception") or data
            messages.append(str(info.get("message", info) if isinstance(info, dict) else info)[:300])
    return len(operations), cases, len(failures), errors, messages


def fuzz_role(role: str, token: str | None, port: int, report_dir: Path) -> RoleResult:
    log(f"\n=== {role} " + "=" * 90)
    started = time.monotonic()
    command = schemathesis_command(role, token, port, report_dir)
    env = dict(os.environ, SCHEMATHESIS_HOOKS=str(ROOT / "scripts" / "fuzz_hooks.py"), PYTHONUNBUFFERED="1")
    # cwd: schemathesis keeps a crash cache (.schemathesis/) in its working directory and replays it on
    # the next run; in the report folder it neither litters the project nor makes runs depend on the past.
    done = subprocess.run(command, cwd=report_dir, env=env, check=False)  # noqa: S603
    result = RoleResult(role=role, exit_code=done.returncode, seconds=time.monotonic() - started)
    (result.operations, result.cases, result.failures, result.errors, result.messages) = read_events(
        report_dir / f"{role}.ndjson"
    )
    return result


# --- Main ------------------------------------------------------------------------------------------


def main() -> int:
    database_url = os.environ.get("FUZZ_DATABASE_URL", f"postgresql://postgres@{HOST}:5432/lms_fuzz")
    redis_url = os.environ.get("FUZZ_REDIS_URL", f"redis://{HOST}:6379/5")
    roles = env_list("FUZZ_ROLES", ROLES)
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise SystemExit(f"FUZZ_ROLES: unknown roles {sorted(unknown)}; use {', '.join(ROLES)}")
    if shutil.which("schemathesis", path=str(BIN)) is None:
        raise SystemExit(f"schemathesis is not installed: {BIN / 'pip'} install schemathesis")
    report_dir = Path(os.environ.get("FUZZ_REPORT_DIR") or tempfile.mkdtemp(prefix="lms-fuzz-"))
    report_dir.mkdir(parents=True, exist_ok=True)
    upload_dir = Path(tempfile.mkdtemp(prefix="lms-fuzz-uploads-"))
    seed = env_int("FUZZ_SEED", 2026)
    started = time.monotonic()
    try:
        env = server_environment(database_url, redis_url, upload_dir)
        log(f"fuzz: database {urlsplit(database_url).path.lstrip('/')} (recreated), {redis_url} (flushed)")
        recreate_database(database_url)
        flush_redis(redis_url)
        manage(env, "migrate", "--no-input")
        manage(env, "seed_demo_data")
        port = free_port()
        server_log = report_dir / "server.log"
        log(f"fuzz: seeded in {time.monotonic() - started:.0f}s; gunicorn on {HOST}:{port}")
        with running_server(env, port, server_log) as server:
            wait_until_healthy(server, port, server_log)
            tokens: dict[str, str | None] = {"anonymous": None}
            for role, (email, password) in ACCOUNTS.items():
                tokens[role] = login(port, email, password)
            total_operations = count_operations(port)
            results = [fuzz_role(role, tokens[role], port, report_dir) for role in roles]
    finally:
        shutil.rmtree(upload_dir, ignore_errors=True)

    log("\n" + "=" * 100)
    log(f"{'role':<12}{'operations':>12}{'cases':>10}{'failures':>10}{'errors':>8}{'exit':>6}{'seconds':>9}")
    for result in results:
        log(
            f"{result.role:<12}{result.operations:>12}{result.cases:>10}{result.failures:>10}"
            f"{result.errors:>8}{result.exit_code:>6}{result.seconds:>9.0f}"
        )
        for message in result.messages[:5]:
            log(f"    error: {message}")
    cases = sum(r.cases for r in results)
    failures = sum(r.failures for r in results)
    errors = sum(r.errors for r in results)
    log(
        f"fuzz: {total_operations} operations x {len(results)} roles, {cases} cases, {failures} failures, "
        f"seed {seed}" + (f", {errors} errors" if errors else "")
    )
    log(f"fuzz: reports in {report_dir}; {time.monotonic() - started:.0f}s in all")
    failed = failures or errors or any(r.exit_code for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
