"""Fixtures shared by the platform's tests (the rate limiter's and the fault-injection suites)."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import redis

from lms_project.testing import free_port


class PrivateRedis:
    """A throw-away redis-server on its own port, with no persistence."""

    def __init__(self, binary: str, port: int, directory: str) -> None:
        self.binary, self.port, self.directory = binary, port, directory
        self.process: subprocess.Popen | None = None

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.directory]
        command += ["--save", "", "--appendonly", "no"]  # nothing on disk: a restart starts empty
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while True:
            try:
                self.client().ping()
                return
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"redis-server did not start on port {self.port}")
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None


@pytest.fixture
def private_redis(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed: the Redis outage test needs a server it can stop")
    server = PrivateRedis(binary, free_port(), str(tmp_path))
    server.start()
    try:
        yield server
    finally:
        server.stop()
