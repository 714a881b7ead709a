"""One Chromium per test session, driven by Playwright from a thread of its own.

Why a thread: Playwright's sync API runs an asyncio loop, and between two calls it leaves that loop
marked as running in the calling thread. Django's ORM refuses to run in a thread with a running loop
(SynchronousOnlyOperation), so a session-wide browser in the main thread would break every later
test of the run, not only these. In its own thread the loop never meets the ORM: the tests create
their rows and check the database in the main thread, without `DJANGO_ALLOW_ASYNC_UNSAFE`, and hand
the browser work to `browser.run(...)`, which waits for it. The live server answers from a third
thread; with SQLite's in-memory database it shares the test's connection, which is safe because the
test is blocked in `run` while the browser talks to it.

We use Debian's Chromium (`/usr/bin/chromium`, or `$LMS_CHROMIUM`), never `playwright install`.
Without the playwright package or Chromium the tests are skipped, with the reason.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import importlib.util
import os
import queue
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

T = TypeVar("T")
Job = tuple[Callable[[], Any], concurrent.futures.Future[Any]]

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1280, "height": 900}
# Generous for a shared 2-core CI machine; a healthy run takes a fraction of it.
ACTION_TIMEOUT_MS = 15_000
SCENARIO_TIMEOUT_S = 180

_saved_screenshots: list[Path] = []


def missing_requirement() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return (
            "the playwright package is not installed (pip install playwright; "
            "no `playwright install` needed: the tests drive Debian's Chromium)"
        )
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set LMS_CHROMIUM)"
    return None


def artifacts_dir() -> Path:
    return Path(os.environ.get("LMS_ARTIFACTS_DIR") or Path(tempfile.gettempdir(), "lms-browser-artifacts"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = missing_requirement()
    if reason is None:
        return
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.skip(reason=f"browser test skipped: {reason}"))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _saved_screenshots:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"{len(_saved_screenshots)} saved in {artifacts_dir()}")


# --- what a scenario gets ----------------------------------------------------------------------------


@dataclass
class Visit:
    """One browser context (its own cookies) for one test, on the live server."""

    page: Page
    origin: str  # the live server, e.g. http://localhost:40123
    name: str  # prefix of the screenshots' file names
    requests: list[str] = field(default_factory=list)  # every URL the pages asked for, in order
    _step: int = 0

    def shot(self, step: str) -> Path:
        """A full-page screenshot, `browser-<name>-<n>-<step>.png` in the artifacts directory."""
        self._step += 1
        directory = artifacts_dir()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"browser-{self.name}-{self._step}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        _saved_screenshots.append(path)
        return path

    def foreign_requests(self) -> list[str]:
        """Requests to any other place than the live server (data: URLs never leave the page)."""
        return [
            url for url in self.requests if not url.startswith("data:") and not same_origin(url, self.origin)
        ]


def same_origin(url: str, origin: str) -> bool:
    a, b = urlsplit(url), urlsplit(origin)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


# --- the browser thread ------------------------------------------------------------------------------


class Browser:
    """Chromium, owned by one daemon thread; `run` executes a scenario there and returns its result
    (or raises its exception, assertion errors included) in the calling thread."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        # Daemon: should Chromium ever hang, the test fails on its timeout and the run still ends.
        self._thread = threading.Thread(target=self._serve, name="playwright", daemon=True)
        self._playwright: Any = None
        self._chromium: Any = None

    def start(self) -> None:
        self._thread.start()
        self._call(self._launch, timeout=60)

    def stop(self) -> None:
        try:
            self._call(self._close, timeout=30)
        finally:
            self._jobs.put(None)
            self._thread.join(timeout=10)

    def run(self, name: str, scenario: Callable[[Visit], T]) -> T:
        return self._call(lambda: self._visit(name, scenario), timeout=SCENARIO_TIMEOUT_S)

    # Everything below runs in the browser thread.

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            function, future = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(function())
                except BaseException as exc:
                    future.set_exception(exc)

    def _call(self, function: Callable[[], T], *, timeout: float) -> T:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._jobs.put((function, future))
        return future.result(timeout=timeout)

    def _launch(self) -> None:
        from playwright.sync_api import expect, sync_playwright

        expect.set_options(timeout=ACTION_TIMEOUT_MS)
        self._playwright = sync_playwright().start()
        self._chromium = self._playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )

    def _close(self) -> None:
        try:
            if self._chromium is not None:
                self._chromium.close()
        finally:
            if self._playwright is not None:
                self._playwright.stop()

    def _visit(self, name: str, scenario: Callable[[Visit], T]) -> T:
        context = self._chromium.new_context(base_url=self.origin, viewport=VIEWPORT)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        visit = Visit(page=context.new_page(), origin=self.origin, name=name)
        context.on("request", lambda request: visit.requests.append(request.url))
        # Nothing leaves the machine: a request elsewhere is recorded (above), then refused, so a test
        # never waits on the network and `foreign_requests()` still names it.
        context.route(lambda url: not same_origin(url, self.origin), lambda route: route.abort())
        try:
            return scenario(visit)
        except BaseException:
            # The page as it was when the scenario failed; the scenario's own error is the one to report.
            with contextlib.suppress(Exception):
                visit.shot("FAILED")
            raise
        finally:
            context.close()


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest, django_db_setup: None) -> Iterator[Any]:
    """pytest-django's live server (same address rules), started with a MEDIA_URL.

    Django's live server wraps the site in a handler that serves MEDIA_ROOT under MEDIA_URL, and it
    crashes on every request when MEDIA_URL is None (`urlparse(None)` gives bytes), which is what our
    settings say: uploads are never served by a URL of their own. The handler reads the setting once,
    when it is built, so the site itself keeps MEDIA_URL = None; the prefix below is only the live
    server's, and no page links to it. `django_db_setup` first: the server looks at the (test)
    database connections when it starts."""
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    )
    with override_settings(MEDIA_URL="/__live-server-media__/"):
        server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(live_server: Any) -> Iterator[Browser]:
    """Chromium for the session, pointed at the live server."""
    for old in artifacts_dir().glob("browser-*.png"):  # a previous run's pictures would mislead
        old.unlink()
    chromium = Browser(live_server.url)
    chromium.start()
    yield chromium
    chromium.stop()
