"""Shared helpers for the test modules."""

import html
import json
import re
import time
import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.utils.html import strip_tags

DATA = Path(__file__).parent / "data"

SEED_SLUG = "salesforce-staffers-voice-concern-over-contract-with-us-border-control"
SEED_URL = f"/articles/{SEED_SLUG}/"


def page_text(response: HttpResponse) -> str:
    """What a reader reads: the page's text without tags, whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(strip_tags(body))).strip()


def parse_xml(content: bytes) -> ET.Element:
    """Parse a feed or sitemap the site itself produced (trusted input, so the
    standard library parser is fine); a malformed document fails the test."""
    return ET.fromstring(content)


def json_ld(response: HttpResponse) -> list[dict]:
    """Every JSON-LD object in the page's <script type="application/ld+json"> elements."""
    scripts = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return [json.loads(script) for script in scripts]


def run_command(
    name: str,
    *args: str,
    stdout: StringIO | None = None,
    stderr: StringIO | None = None,
    **options: object,
) -> tuple[str, str]:
    """call_command with stdout and stderr captured: (stdout, stderr). Pass your own
    streams to read them after the command raised."""
    out, err = stdout or StringIO(), stderr or StringIO()
    call_command(name, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def stored_files() -> set[str]:
    """Every file under MEDIA_ROOT, relative to it: what the storage holds."""
    root = Path(settings.MEDIA_ROOT)
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def row_counts() -> dict[str, int]:
    """Rows of every table, so a half-saved anything shows."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def search_results(response: HttpResponse) -> list:
    """The articles a search page shows, in its order (its results carry their keys)."""
    from articles.models import Article

    keys = [result.pk for result in response.context["page"].items]
    by_key = Article.objects.in_bulk(keys)
    return [by_key[key] for key in keys]


def wait_for_lock_waiters(count: int, failure: str) -> None:
    """Return once `count` sessions of the test database wait on a lock (PostgreSQL: a
    row, an insert's unique key or an advisory lock), or fail with `failure` after 30 s."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0] >= count:
                return
        time.sleep(0.05)
    raise AssertionError(failure)
