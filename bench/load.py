"""A small closed-loop HTTP/1.1 load generator: `python -m bench.load < spec.json`.

Each of `connections` coroutines keeps one keep-alive connection and sends its next request as soon
as the previous answer is read (like wrk). Requests that complete during the warm-up are thrown away;
those completing inside the measured window give the throughput and the latency percentiles.

Input (stdin, JSON): {"host", "port", "connections", "warmup", "duration", "request": {"method",
"path", "headers": {...}, "body": null | {...}, "grow": null | "field"}}. With `grow`, that body
field becomes `start + n` for the n-th request sent (all connections share one counter), so a
progress write always carries a larger value.

Two optional request fields for multi-user, two-step work (the quiz benchmark):
- `tokens`: a list of bearer tokens; connection i sends `Authorization: Bearer tokens[i % len]`, so
  each connection acts as its own user (one user per connection when there are enough tokens);
- `then`: {"method", "path", "body"}, a second request sent right after a 2xx answer to the first,
  on the same connection; `{id}` in its path is replaced by the `id` of the first answer's JSON.
  One iteration is then the pair: `rps` counts pairs, `p50_ms`/`p99_ms` are the pair's latency, and
  `steps` gives each step's own percentiles and request count.

Output (stdout): the line `MEASURE_START` when the window opens, `MEASURE_END` when it closes (the
runner samples the server's CPU time at those two lines), then one JSON line with the figures.

Standard library only, so it runs from any Python; asyncio streams, no TLS, no redirects.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


def percentile(values: Sequence[float], pct: float) -> float | None:
    """The `pct` percentile (0-100) by linear interpolation between closest ranks; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def build_request(
    method: str, path: str, *, host: str, headers: dict[str, str] | None = None, body: Any = None
) -> bytes:
    """One HTTP/1.1 keep-alive request; a body (any JSON value) is sent as application/json."""
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {host}",
        "Connection: keep-alive",
        "Accept: application/json",
    ]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    payload = b""
    if body is not None:
        payload = json.dumps(body, separators=(",", ":")).encode()
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Read one response: (status, body, keep_alive). Content-Length and chunked bodies."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    headers = {}
    for line in header_lines:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            chunks.append(chunk[:-2])
        body = b"".join(chunks)
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    else:  # no length: the body runs to the end of the connection
        body = await reader.read()
        return status, body, False
    keep_alive = headers.get("connection", "").lower() != "close"
    return status, body, keep_alive


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0
    completed: int = 0  # warm-up included: the client's CPU time is spread over these
    error_samples: list[str] = field(default_factory=list)
    steps: tuple[list[float], list[float]] = field(default_factory=lambda: ([], []))

    def error(self, text: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(text[:300])


async def _connection_loop(
    spec: dict[str, Any], counter: itertools.count, window: dict[str, float], tally: Tally, index: int = 0
) -> None:
    request = spec["request"]
    host, port = spec["host"], spec["port"]
    headers = dict(request.get("headers") or {})
    if request.get("tokens"):
        headers["Authorization"] = f"Bearer {request['tokens'][index % len(request['tokens'])]}"
    fixed = build_request(
        request["method"], request["path"], host=host, headers=headers, body=request.get("body")
    )
    then = request.get("then")
    grow = request.get("grow")
    reader = writer = None
    while time.perf_counter() < window["end"]:
        if writer is None:
            try:
                reader, writer = await asyncio.open_connection(host, port)
            except OSError as exc:
                tally.error(f"connect: {exc}")
                await asyncio.sleep(0.05)
                continue
        if grow:
            body = dict(request["body"], **{grow: request["body"][grow] + next(counter)})
            payload = build_request(request["method"], request["path"], host=host, headers=headers, body=body)
        else:
            payload = fixed
        started = time.perf_counter()
        try:
            writer.write(payload)
            status, body_bytes, keep_alive = await read_response(reader)
            if then is not None and 200 <= status < 300 and keep_alive:
                first_done = time.perf_counter()
                path = then["path"].replace("{id}", str(json.loads(body_bytes)["id"]))
                writer.write(
                    build_request(then["method"], path, host=host, headers=headers, body=then.get("body"))
                )
                status, body_bytes, keep_alive = await read_response(reader)
                if window["start"] <= time.perf_counter() <= window["end"]:
                    tally.steps[0].append((first_done - started) * 1000)
                    if 200 <= status < 300:
                        tally.steps[1].append((time.perf_counter() - first_done) * 1000)
        except (OSError, asyncio.IncompleteReadError, ValueError, KeyError) as exc:
            writer.close()
            reader = writer = None
            if window["start"] <= time.perf_counter() <= window["end"]:
                tally.error(f"{type(exc).__name__}: {exc}")
            continue
        finished = time.perf_counter()
        tally.completed += 1
        if window["start"] <= finished <= window["end"]:
            tally.statuses[status] += 1
            if 200 <= status < 300:
                tally.latencies_ms.append((finished - started) * 1000)
            else:
                tally.error(f"HTTP {status}: {body_bytes[:200].decode('utf-8', 'replace')}")
        if not keep_alive:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    tally = Tally()
    now = time.perf_counter()
    window = {"start": now + spec["warmup"], "end": now + spec["warmup"] + spec["duration"]}
    counter = itertools.count(1)
    tasks = [
        asyncio.create_task(_connection_loop(spec, counter, window, tally, index))
        for index in range(spec["connections"])
    ]

    async def markers() -> None:
        await asyncio.sleep(max(window["start"] - time.perf_counter(), 0))
        print("MEASURE_START", flush=True)
        await asyncio.sleep(max(window["end"] - time.perf_counter(), 0))
        print("MEASURE_END", flush=True)

    cpu_before = time.process_time()
    await asyncio.gather(markers(), *tasks)
    ok = len(tally.latencies_ms)
    return {
        "requests": sum(tally.statuses.values()),
        "ok": ok,
        "errors": tally.errors,
        "error_samples": tally.error_samples,
        "statuses": {str(code): n for code, n in sorted(tally.statuses.items())},
        "rps": ok / spec["duration"],
        "p50_ms": percentile(tally.latencies_ms, 50),
        "p99_ms": percentile(tally.latencies_ms, 99),
        "client_cpu_s": time.process_time() - cpu_before,
        "client_requests": tally.completed,
        "steps": [
            {"requests": len(step), "p50_ms": percentile(step, 50), "p99_ms": percentile(step, 99)}
            for step in tally.steps
        ]
        if spec["request"].get("then")
        else None,
    }


def main() -> None:
    spec = json.load(sys.stdin)
    result = asyncio.run(run(spec))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
