"""Enqueue background work safely.

Work is sent only after the surrounding transaction commits (a worker must never look for a row
that is not committed yet), and a broker outage never fails the request that asked for the work:
the error is logged and the periodic sweeps catch up.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger("lms.jobs")


def enqueue(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send `task` now, swallowing (and logging) broker errors."""
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception:  # kombu raises many types for "broker unreachable"; none may fail the caller
        logger.exception("could not enqueue %s", getattr(task, "name", task))


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send `task` once the current transaction commits (at once when there is none)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs), robust=True)
