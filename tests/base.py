"""Shared helpers for the test modules."""

import html
import json
import re
import xml.etree.ElementTree as ET
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


def parse_xml(content: bytes) -> ET.Element:
    """Parse a feed or sitemap the site itself produced (trusted input, so the
    standard library parser is fine); a malformed document fails the test."""
    return ET.fromstring(content)  # noqa: S314


def json_ld(response: HttpResponse) -> list[dict]:
    """Every JSON-LD object in the page's <script type="application/ld+json"> elements."""
    scripts = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return [json.loads(script) for script in scripts]
