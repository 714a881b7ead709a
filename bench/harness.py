"""What the bench scripts and the schema fuzzer (scripts/fuzz_api.py) share: the production server's
environment, running manage.py, the server (gunicorn) or a Celery worker in its own process group,
and talking to the API on loopback. Standard library only."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
HOST = "127.0.0.1"
API = "/api/v1"
HUGE_LIMIT = 1_000_000_000  # requests per minute: rate limiting effectively off (it still counts)


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def production_environment(database_url: str, redis_url: str, **overrides: str) -> dict[str, str]:
    """The server's environment as in production (DEBUG off, a fresh secret key, the real middleware
    and JWT auth) on the given database and Redis, with rate limiting effectively off, tasks inline
    (no broker) and a developer's .env ignored, then `overrides`."""
    env = dict(os.environ)
    env.update(
        ENVIRONMENT="production",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        TRUSTED_HOSTS=f"{HOST},localhost",
        RATE_LIMIT_REQUESTS_PER_MINUTE=str(HUGE_LIMIT),
        RATE_LIMIT_AUTH_REQUESTS_PER_MINUTE=str(HUGE_LIMIT),
        LMS_IGNORE_DOTENV="true",  # a developer's .env must not change what is measured or tested
        PYTHONUNBUFFERED="1",
    )
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        env.pop(name, None)
    env.update(overrides)
    return env


def log(text: str = "") -> None:
    print(text, flush=True)


def manage(env: dict[str, str], *args: str, log_path: Path | None = None) -> str:
    """`manage.py <args>` with `env`; its output is appended to `log_path` if given. Exits on failure."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if log_path is not None:
        with log_path.open("a") as out:
            out.write(f"$ manage.py {' '.join(args)}\n{done.stdout}{done.stderr}\n")
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def process_group(
    command: list[str], env: dict[str, str], log_path: Path, *, stop_timeout: float = 15
) -> Iterator[subprocess.Popen]:
    """`command` in its own process group, output to `log_path`; on the way out SIGTERM to the whole
    group (gunicorn's and Celery's workers included), SIGKILL after `stop_timeout` seconds."""
    with log_path.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own venv's executables
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=stop_timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def running_server(env: dict[str, str], port: int, log_path: Path) -> contextlib.AbstractContextManager:
    """The production server command (gunicorn with gunicorn.conf.py) on HOST:`port`."""
    command = [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--bind", f"{HOST}:{port}"]
    return process_group(command, env, log_path)


def http(method: str, port: int, path: str, *, token: str | None = None, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def wait_until_healthy(server: subprocess.Popen, port: int, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {log_path}")
        with contextlib.suppress(OSError):
            if http("GET", port, f"{API}/health")[0] == 200:
                return
        time.sleep(0.25)
    raise SystemExit(f"the server did not answer /health within {timeout:.0f}s; see {log_path}")


def login(port: int, email: str, password: str) -> str:
    """An access token, through the API's login."""
    status, body = http("POST", port, f"{API}/auth/login", body={"email": email, "password": password})
    if status != 200:
        raise SystemExit(f"login as {email} failed ({status}): {body}")
    return body["tokens"]["access_token"]
