"""Gunicorn settings for the API container: `gunicorn --config gunicorn.conf.py`.

Why threaded WSGI (gthread) and not ASGI: every view runs Django's synchronous ORM. Under ASGI each
sync view is handed to a thread through `sync_to_async` anyway (thread-sensitive mode pushes them onto
one thread per request context), so ASGI adds an event-loop hop and a thread switch to every request
and gains nothing until the views are async end to end. Threads release the GIL while waiting on
PostgreSQL and Redis, which is where a request spends its time, and the worker processes use the cores.

Variables (all optional): WEB_CONCURRENCY, GUNICORN_THREADS, PORT, GUNICORN_TIMEOUT,
GUNICORN_GRACEFUL_TIMEOUT, GUNICORN_MAX_REQUESTS, LOG_LEVEL.
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"gunicorn.conf.py: {name}={raw!r} is not an integer.") from None


def _cores() -> int:
    # sched_getaffinity honours a container's cpuset (docker --cpuset-cpus); os.cpu_count() does not.
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


wsgi_app = "lms_project.wsgi:application"
bind = f"0.0.0.0:{_int('PORT', 8000)}"

worker_class = "gthread"
# Each thread keeps its own persistent database connection (CONN_MAX_AGE), so one container holds up
# to workers x threads connections to PostgreSQL: keep that under max_connections (100 by default)
# summed over every container, or set DB_POOL_SIZE.
workers = _int("WEB_CONCURRENCY", 2 * _cores())
threads = _int("GUNICORN_THREADS", 4)

# A worker that sends no heartbeat for this long is killed and replaced. With gthread the heartbeat
# comes from the worker's main loop, so a slow request (a large upload) does not trip it by itself.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM (docker stop, a deploy) workers finish the requests they hold for up to this long.
# docker-compose.yml gives the container a longer stop_grace_period than this.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5

# Recycle each worker after about this many requests, so slow memory growth (fragmentation, caches
# in third-party code) cannot accumulate for weeks; the jitter keeps workers from restarting together.
# Not lower: booting a worker costs ~0.7 s of CPU (1,000 halved the health check's throughput).
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = max(max_requests // 10, 0)

# The heartbeat file is touched on every loop; on a container's overlay filesystem that write can
# block, so keep it in memory. (gunicorn creates the file with mkstemp: a unique name, mode 0600.)
_SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None

# gunicorn 25.1+ opens a management socket under $HOME by default; nothing here uses it, and a
# read-only root filesystem would have to make room for it. Older versions ignore the name.
control_socket_disable = True

# The app writes one JSON line per request itself (lms_project.middleware.request_id); a second,
# plain-text access log would only double the volume.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").strip().lower() or "info"
