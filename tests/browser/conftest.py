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
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

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


class OneRequestAtATime(WSGIServer):
    """The live server, answering one request at a time. On the in-memory SQLite test
    database the server is handed the test's one connection, and Chromium asks for a
    page's images in parallel: two threads in that connection at once crashed the run
    (a segfault, or "Cannot operate on a closed database") when the machine was busy.
    Not threaded, Django's server closes each connection after its answer, so the
    browser's parallel requests wait their turn. `answering` is held from accepting a
    request to its answer, so a test can wait for the server to fall quiet (drain)."""

    answering = threading.Lock()

    def __init__(self, *args: object, connections_override: object = None, **kwargs: object):
        # The thread that runs this server has the overrides already (LiveServerThread).
        super().__init__(*args, **kwargs)

    def _handle_request_noblock(self) -> None:
        with self.answering:
            super()._handle_request_noblock()

    def drain(self) -> None:
        """Return once no request is being answered or waits to be accepted."""
        while True:
            with self.answering:
                waiting, _, _ = select.select([self.socket], [], [], 0)
            if not waiting:
                return
            time.sleep(0.01)  # let the server take it


LiveServerThread.server_class = OneRequestAtATime


@contextlib.contextmanager
def server_paused(live_server) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The test's own queries while a browser is still open: the server answers no
    request meanwhile (the preview and autosave ask whenever the writer pauses), so the
    two never read the shared SQLite connection at once."""
    with live_server.thread.httpd.answering:
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


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
    tab = context.new_page()
    yield tab
    context.close()
    # An image or favicon the tab asked for may still be on its way; the test's database
    # teardown must not run while the server reads the same connection.
    live_server.thread.httpd.drain()


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
