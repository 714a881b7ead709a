"""The same protocol as `bench.load`, driven by wrk (Debian's package): `python -m bench.wrk < spec.json`.

The FastAPI baseline (`../shared/bench/peer.md`) was measured with wrk at 32 connections; wrk is C
and costs the shared cores a fraction of what the Python client does, so the side-by-side figures
for plain requests (no `tokens`, `then` or `grow`: those need the Python client) come from the same
tool. Two wrk runs: the warm-up (thrown away), then the measured window, bracketed by the
`MEASURE_START` / `MEASURE_END` lines the runner samples CPU time at. wrk's own CPU time is the
children's rusage.

wrk counts a response that is not 2xx/3xx as "Non-2xx or 3xx responses"; those and its socket
errors are the errors here. Latency percentiles come from `--latency` (p50 and p99 are exact
to wrk's histogram, microsecond resolution).
"""

from __future__ import annotations

import json
import re
import resource
import shutil
import subprocess
import sys
from typing import Any

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def available() -> bool:
    return shutil.which("wrk") is not None


def supports(request: dict[str, Any]) -> bool:
    """Plain requests only: a fixed method, path, headers and body."""
    return not (request.get("tokens") or request.get("then") or request.get("grow"))


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS_MS[unit]


def parse(output: str, duration: float) -> dict[str, Any]:
    """Figures from wrk's text report (with --latency)."""
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket.groups())) if socket else 0)
    ok = requests - (int(non_2xx.group(1)) if non_2xx else 0)
    return {
        "requests": requests,
        "ok": ok,
        "errors": errors,
        "error_samples": [
            line.strip() for line in output.splitlines() if "errors" in line or "Non-2xx" in line
        ],
        "statuses": {},
        "rps": ok / duration,
        "p50_ms": _ms(percentiles["50"]) if "50" in percentiles else None,
        "p99_ms": _ms(percentiles["99"]) if "99" in percentiles else None,
    }


def command(spec: dict[str, Any], seconds: float) -> list[str]:
    request = spec["request"]
    url = f"http://{spec['host']}:{spec['port']}{request['path']}"
    args = [
        "wrk",
        f"-t{min(2, spec['connections'])}",
        f"-c{spec['connections']}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "30s",  # wrk's default (2 s) counts a slow answer under load as a socket error
    ]
    for name, value in (request.get("headers") or {}).items():
        args += ["-H", f"{name}: {value}"]
    if request.get("method", "GET") != "GET" or request.get("body") is not None:
        raise SystemExit("bench.wrk drives GET requests without a body; use bench.load")
    return [*args, url]


def main() -> None:
    spec = json.load(sys.stdin)
    if spec["warmup"] > 0:
        subprocess.run(command(spec, max(1, round(spec["warmup"]))), capture_output=True, check=True)  # noqa: S603
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    print("MEASURE_START", flush=True)
    done = subprocess.run(command(spec, spec["duration"]), capture_output=True, text=True, check=True)  # noqa: S603
    print("MEASURE_END", flush=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = parse(done.stdout, spec["duration"])
    result["client_cpu_s"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    result["client_requests"] = result["requests"]
    result["client"] = "wrk"
    result["steps"] = None
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
