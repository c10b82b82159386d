"""Shared helpers for the test modules."""

import html
import re
from pathlib import Path

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
