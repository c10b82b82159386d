"""Hostile input in real Chromium: every payload of the catalogue,
stored through the admin and published, is opened on every page that shows it. No
dialog opens, the console stays free of errors (a Content-Security-Policy violation
is one) and no request leaves for another origin."""

from io import StringIO
from pprint import pformat
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests.hostile import PAYLOADS, SHARED_URLS, store_through_admin

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class Watch:
    """Everything a page did that hostile content could have caused."""

    def __init__(self, page, origin: str) -> None:  # type: ignore[no-untyped-def]
        self.host = urlsplit(origin).netloc
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("dialog", self.on_dialog)
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        page.route("**/*", self.on_request)

    def on_dialog(self, dialog) -> None:  # type: ignore[no-untyped-def]
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_console(self, message) -> None:  # type: ignore[no-untyped-def]
        if message.type == "error":
            self.errors.append(message.text)

    def on_request(self, route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != self.host:
            self.foreign.append(url)
            route.abort()  # nothing leaves the machine, even if a test fails
        else:
            route.continue_()

    def problems(self) -> list[str]:
        return self.dialogs + self.errors + self.foreign


def test_hostile_content_runs_nothing_in_chromium(page, live_server) -> None:  # type: ignore[no-untyped-def]
    editor = get_user_model().objects.create_user("edith", password="unused-in-tests")
    call_command("grant_role", "edith", "editor", stdout=StringIO())
    client = Client()
    client.force_login(editor)
    stored = [
        store_through_admin(client, number, payload) for number, payload in enumerate(PAYLOADS)
    ]

    # Sitemaps and feeds are XML, checked in tests/test_hostile_rendering.py: Chromium's
    # own XML viewer styles them inline, which the CSP (rightly) reports.
    urls = [url for url in SHARED_URLS if not url.endswith((".xml", "feed/", "atom/"))]
    # Every field reaches the article page (quotes, captions, credits, topics, corrections,
    # disclosures, bylines); bios and descriptions reach their own pages. Search, topic
    # and quote pages repeat the same words and are parsed in test_hostile_rendering.py.
    for item in stored:
        author, organisation, speaker = item.reader_urls()[2], item.urls[0], item.urls[1]
        urls += [item.article.get_absolute_url(), author, organisation, speaker]
    # The admin shows the same words to editors: list, change form, preview, history.
    first = stored[0].article.pk
    admin_urls = [
        "/admin/articles/article/",
        "/admin/authors/author/",
        "/admin/pictures/image/",
        f"/admin/articles/article/{first}/change/",
        f"/admin/articles/article/{first}/preview/",
        f"/admin/articles/article/{first}/history/",
    ]
    watch = Watch(page, live_server.url)
    findings = {}

    def visit(url: str) -> None:
        response = page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, url
        if watch.problems():
            findings[url] = watch.problems()
            watch.dialogs, watch.errors, watch.foreign = [], [], []

    for url in dict.fromkeys(urls):  # as an anonymous reader
        visit(url)
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    for url in admin_urls:
        visit(url)
    assert findings == {}, pformat(findings)
    assert len(urls) >= 4 * len(PAYLOADS)
