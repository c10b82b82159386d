"""Article bodies: Markdown, sanitised, with quotes and images placed by markers.

A marker is a line of its own in the Markdown body: ``[[quote:<key>]]`` places
the article's quote with that key, ``[[image:<key>]]`` the image with that key.
The Markdown is rendered and sanitised first; the quotes and images are then
rendered from templates (autoescaped), so nothing an author types runs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import markdown
import nh3
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from django.http import HttpRequest

    from articles.models import Image, Quote

logger = logging.getLogger(__name__)

MARKER_RE = re.compile(r"^\[\[(quote|image):([-a-zA-Z0-9_]+)\]\]\s*$", re.MULTILINE)
_RENDERED_MARKER_RE = re.compile(r"<p>\[\[(quote|image):([-a-zA-Z0-9_]+)\]\]</p>")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "em", "h2", "h3", "h4", "hr", "i",
    "li", "ol", "p", "pre", "q", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


def marker_keys(body: str, kind: str) -> list[str]:
    """Keys of the markers of one kind ("quote" or "image"), in body order."""
    return [key for marker_kind, key in MARKER_RE.findall(body) if marker_kind == kind]


def render_markdown(text: str) -> str:
    html = markdown.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def render_body(
    body: str,
    quotes: Iterable[Quote],
    images: Mapping[str, Image],
    request: HttpRequest | None = None,
) -> SafeString:
    """The article body as safe HTML, with quote and image markers replaced; a quote
    names its permalink on the request's site (newsroom.links.absolute_url)."""
    quotes_by_key = {quote.key: quote for quote in quotes}

    def place(match: re.Match[str]) -> str:
        kind, key = match.groups()
        if kind == "quote" and key in quotes_by_key:
            context = {"quote": quotes_by_key[key], "request": request}
            return render_to_string("includes/quote.html", context)
        if kind == "image" and key in images:
            return render_to_string("includes/figure.html", {"image": images[key]})
        # The admin refuses unmatched markers; one can only appear if a quote or an
        # image was deleted afterwards. Leave it out of the page, but say so.
        logger.warning("Unmatched %s marker %r left out of the page", kind, key)
        return ""

    return mark_safe(_RENDERED_MARKER_RE.sub(place, render_markdown(body)))  # noqa: S308 # nosec B308 B703 # nh3 output
