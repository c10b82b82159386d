"""Browser tests: Playwright driving Debian's Chromium against a live server.

No browser is downloaded: Playwright launches the system's `chromium` through
`executable_path`. Without Chromium these tests skip with a message, except
under CI=true, where they fail (`.ci/run` installs the `chromium` package).
Screenshots go to test-artifacts/ at the repository root.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from articles.models import Article

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"

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
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def fresh_install(django_db_setup: None, django_db_blocker: Any) -> str:
    """The database as `migrate` leaves it on a fresh install (seeded story, roles,
    policy pages, ...), serialized once. Browser tests run first among the tests that
    empty the database, so it is still whole here."""
    with django_db_blocker.unblock():
        if not Article.objects.exists():
            pytest.fail("The test database lost its seeded content before the browser tests.")
        return connection.creation.serialize_db_to_string()


@pytest.fixture(autouse=True)
def seeded_site(transactional_db: None, fresh_install: str) -> None:
    """The state a fresh install has, put back before each browser test.

    Browser tests use a transactional database that is emptied after each test.
    Restoring a snapshot, rather than re-running data migrations' functions against
    today's models, keeps working when later migrations change those models.
    """
    if not Article.objects.exists():
        # The flush that emptied the database made content types (and permissions)
        # afresh; the snapshot brings its own, with the ids its rows refer to.
        ContentType.objects.all().delete()
        connection.creation.deserialize_db_from_string(fresh_install)
        ContentType.objects.clear_cache()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    """A fresh browser tab whose relative URLs resolve against the live server."""
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """screenshot(page, "name"): save a full-page PNG under test-artifacts/."""

    def take(tab, name: str) -> Path:  # type: ignore[no-untyped-def]
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return take
