"""Absolute addresses for canonical links, feeds, sitemaps and structured data."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def absolute_url(request: HttpRequest | None, path: str) -> str:
    """`path` on the public site: under SITE_URL when set, else on the host the
    request came in on (ALLOWED_HOSTS vouches for it). Absolute URLs pass through;
    without SITE_URL or a request, the path stays relative."""
    if path.startswith(("https://", "http://")):
        return path
    if settings.SITE_URL:
        return settings.SITE_URL + path
    if request is None:
        return path
    return request.build_absolute_uri(path)
