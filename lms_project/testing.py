"""Helpers shared by the test suites: PostgreSQL-only marks, real concurrent requests, free ports."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import TypeVar

import pytest
from django.db import connection, connections

T = TypeVar("T")

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so there is no race to prove",
)


def run_concurrently(requests: list[Callable[[], T]], *, timeout: float = 60) -> list[T]:
    """Run each callable in its own thread (so its own database connection), all released together
    by a barrier; return their results. Each thread closes its connection, so none leaks into the
    next test; a thread still running after `timeout` fails the test (a deadlock, or a lost wake-up)."""
    barrier = threading.Barrier(len(requests))
    results: list[T] = []
    lock = threading.Lock()

    def worker(request: Callable[[], T]) -> None:
        try:
            barrier.wait()
            result = request()
            with lock:
                results.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a request hung (deadlock?)"
    return results


def free_port() -> int:
    """A loopback port nothing listens on (yet): for a private server, or for an outage."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
