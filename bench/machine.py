"""CPU accounting from /proc (Linux): the server's processes, PostgreSQL's backends, the machine."""

from __future__ import annotations

import contextlib
import os
import platform
import time
from pathlib import Path
from typing import Any

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # fields after "pid (comm)", so index 0 is field 3


def process_cpu_seconds(pid: int, *, with_reaped_children: bool = False) -> float:
    """utime + stime of a process (and of its children it has waited for, if asked)."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if with_reaped_children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / CLOCK_TICKS


def tree_cpu_seconds(root: int) -> float:
    """CPU time of a process tree: the root with its reaped children (recycled gunicorn workers end
    up there) plus every live child."""
    total = process_cpu_seconds(root, with_reaped_children=True)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and int(fields[1]) == root:
                total += process_cpu_seconds(int(entry.name))
    return total


def postgres_backends_cpu(database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to `database`, by pid."""
    backends = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if cmdline.startswith("postgres:") and f" {database} " in cmdline:
            backends[int(entry.name)] = process_cpu_seconds(int(entry.name))
    return backends


def postgres_cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two samples by the backends alive at the second one. A backend that exited in
    between (a recycled gunicorn worker's connection) is lost, so this can only under-count."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def background_busy(seconds: float = 1.0) -> float:
    """Percent of the machine's CPU in use while our server sits idle: other people's work, which
    competes with the benchmark for the same cores."""
    busy_a, total_a = machine_busy()
    time.sleep(seconds)
    busy_b, total_b = machine_busy()
    return 100 * (busy_b - busy_a) / max(total_b - total_a, 1)


def machine_description() -> dict[str, Any]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem_kb = int(Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1])
    return {
        "cpus": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
