"""Article bodies: the site's Markdown (newsroom.markdown), with quotes and images
placed by markers.

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

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from newsroom.markdown import RENDERED_MARKER_RE, render_markdown

if TYPE_CHECKING:
    from django.http import HttpRequest

    from media.models import Image
    from quotes.models import Quote

logger = logging.getLogger(__name__)


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

    return mark_safe(RENDERED_MARKER_RE.sub(place, render_markdown(body)))  # noqa: S308 # nh3 output
