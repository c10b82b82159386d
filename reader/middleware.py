"""Old addresses of imported content: the site an article came from (WordPress) linked
to it by addresses this site has no page for. They answer 301 to the page here, as
Django's RedirectFallbackMiddleware does: only where the site would answer 404, so no
page of the site pays for them, except WordPress's short links /?p=ID and /?page_id=ID,
which are the home page's address with a query no page of this site uses."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, LegacyAddress
from newsroom.text import forbidden_character

# WordPress's archives of a category or tag, and their feeds: the topic of that slug.
_TOPIC_PREFIXES = ("/category/", "/tag/")


def _short_link(request: HttpRequest) -> str | None:
    """WordPress's short link of a post (/?p=ID) or page (/?page_id=ID), if it is one."""
    for name in ("p", "page_id"):
        if name in request.GET:
            return f"/?{name}={request.GET[name]}"
    return None


def legacy_redirect(request: HttpRequest) -> HttpResponse | None:
    """The 301 an old address answers, if it is one: an imported article's permalink
    (only while the article is live, so an old address reveals nothing unpublished), an
    imported page's (pages are always public), or a WordPress category or tag archive
    whose topic has published articles."""
    path = request.path
    if path == "/" and (short := _short_link(request)):
        path = short
    if forbidden_character(path):
        # No address stored has one (an import refuses them), and PostgreSQL would
        # refuse a NUL in the query.
        return None
    address = (
        LegacyAddress.objects.filter(
            Q(article__in=Article.objects.published()) | Q(page__isnull=False), path=path
        )
        .select_related("article", "page")
        .first()
    )
    if address is not None and (target := address.article or address.page) is not None:
        return HttpResponsePermanentRedirect(target.get_absolute_url())
    if path.startswith(_TOPIC_PREFIXES) and path.endswith("/"):
        parts = path.strip("/").split("/")
        feed = parts[-1] == "feed"
        slug = parts[-2] if feed and len(parts) > 2 else parts[-1]
        tag = Tag.objects.filter(slug=slug).first()
        if tag is not None and Article.objects.published().on_topic(tag).exists():
            name = "articles:tag_rss" if feed else "articles:tag"
            return HttpResponsePermanentRedirect(reverse(name, kwargs={"slug": tag.slug}))
    return None


class LegacyAddressMiddleware:
    """Before the page cache: the home page's cached copy must not answer /?p=ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/" and _short_link(request) and request.method in ("GET", "HEAD"):
            return legacy_redirect(request) or self.get_response(request)
        response = self.get_response(request)
        if response.status_code == 404 and request.method in ("GET", "HEAD"):
            return legacy_redirect(request) or response
        return response
