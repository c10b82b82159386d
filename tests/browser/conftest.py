"""Browser tests: Playwright driving Debian's Chromium against a live server.

No browser is downloaded: Playwright launches the system's `chromium` through
`executable_path`. Without Chromium these tests skip with a message, except
under CI=true, where they fail (`.ci/run` installs the `chromium` package).
Screenshots go to test-artifacts/ at the repository root.
"""

import contextlib
import os
import select
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
DOCS = Path(__file__).resolve().parent.parent.parent / "docs"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests
# make between browser steps are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Flags that keep a headless Chromium off the (closed) network and quiet as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


class AnsweredInTurn(QuietWSGIRequestHandler):
    """Waits for a request with no lock held, then reads and answers it in turn."""

    server: "OneRequestAtATime"

    def handle_one_request(self) -> None:
        # A connection the browser opened ahead of need and has sent nothing on yet
        # waits here, in its own thread, instead of holding up the requests behind it.
        # Waiting on the socket, not its buffered reader, leaves the request unread,
        # so drain() sees it; Chromium never pipelines, so nothing waits in the buffer.
        select.select([self.connection], [], [])
        with self.server.answering:
            super().handle_one_request()

    def log_message(self, format: str, *args: object) -> None:
        self.server.log.append(f"{time.strftime('%H:%M:%S')} {format % args}")


class OneRequestAtATime(ThreadedWSGIServer):
    """The live server. Each connection waits for its request in a thread of its own,
    so a connection Chromium opened ahead of need, with nothing sent on it yet, holds up
    no other; the requests themselves are read and answered one at a time, under
    `answering`, which is held around accepting and closing connections too. A test can
    so wait for the server to fall quiet (drain) before it queries the database itself,
    or hold it still meanwhile (server_paused). `log` keeps the requests answered during
    the test, shown with its failure."""

    answering = threading.RLock()
    # The browser may keep a connection open past the server's stop; its thread dies
    # with the run instead of holding the stop up.
    block_on_close = False
    log: list[str] = []

    def __init__(
        self,
        address: tuple[str, int],
        handler: type,
        *,
        connections_override: object = None,
        **kwargs: object,
    ) -> None:
        # pytest-django hands the server the test thread's own SQLite connection when the
        # session's live server starts before the test database exists, while the
        # database's name is still ":memory:". The test database is a file
        # (settings_test): each request's thread opens its own connection to it. Shared,
        # a request's end closed the connection under the test's own queries (a
        # segfault in the database's setup or flush on a busy machine).
        super().__init__(address, AnsweredInTurn, **kwargs)
        self.connections: set[socket.socket] = set()

    def _handle_request_noblock(self) -> None:
        with self.answering:
            super()._handle_request_noblock()

    def process_request(self, request: socket.socket, client_address: object) -> None:
        self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:
        with self.answering:
            self.connections.discard(request)
            super().shutdown_request(request)

    def drain(self) -> None:
        """Return once no request is being answered or waits to be read or accepted."""
        while True:
            with self.answering:
                waiting, _, _ = select.select([self.socket, *self.connections], [], [], 0)
            if not waiting:
                return
            time.sleep(0.01)  # let the server take it


LiveServerThread.server_class = OneRequestAtATime


@contextlib.contextmanager
def server_paused(live_server) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The test's own queries while a browser is still open: the server answers no
    request meanwhile (the preview and autosave ask whenever the writer pauses), so what
    the test reads is not being written as it reads."""
    with live_server.thread.httpd.answering:
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def pytest_runtest_setup(item: pytest.Item) -> None:
    OneRequestAtATime.log.clear()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    if report.failed:
        answered = "\n".join(OneRequestAtATime.log) or "(no request answered)"
        report.sections.append(("live server: requests answered", answered))
    return report


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        message = "Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; CI=true requires the browser tests.")
        pytest.skip(message)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API leaves an event loop running in this thread, so from then
    # on Django's connection handler (an asgiref Local) hands out new connection
    # objects. They must keep the snapshot that serialized_rollback restores, or a
    # browser test run after another test flushed the database finds no seeded story.
    snapshots = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        for alias, contents in snapshots.items():
            connections[alias]._test_serialized_contents = contents
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    """A fresh browser tab whose relative URLs resolve against the live server."""
    context = browser.new_context(base_url=live_server.url)
    yield context.new_page()
    context.close()


@pytest.fixture(autouse=True)
def server_quiet_after_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every tab a test opened is closed, and its last requests answered, before the
    test's database is torn down and the next test's set up: an editor's tab left open
    keeps asking (the preview and autosave), and a request answered while the next
    test's database was being loaded crashed the run (SQLite, a busy machine)."""
    yield
    if "browser" in request.fixturenames:
        for context in request.getfixturevalue("browser").contexts:
            context.close()
    if "live_server" in request.fixturenames:
        request.getfixturevalue("live_server").thread.httpd.drain()


def docs_screenshot(target, path: str) -> None:  # type: ignore[no-untyped-def]
    """The docs' picture of a page or part of one (`path` under docs/), taken only when
    DOCS_SCREENSHOTS is set (`make screenshots`): a plain test run leaves the tree as it
    was, since no two runs draw a page byte for byte alike."""
    if not os.environ.get("DOCS_SCREENSHOTS"):
        return
    file = DOCS / path
    file.parent.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(file))


@pytest.fixture
def screenshot(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """screenshot(page, "name"): save a full-page PNG under test-artifacts/."""

    def take(tab, name: str) -> Path:  # type: ignore[no-untyped-def]
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return take
