"""Sitemaps of published articles and their topics, and the Google News sitemap.

Django's sitemaps framework serves them (its views, pagination and hooks), with two
changes that keep an uncached section page cheap at a million articles: a page reads its
items without counting every item first (Uncounted), and a section's XML is written by
URLSET, which writes what Django's sitemap.xml template writes without a template loop
over each page's thousands of addresses. Articles are listed as rows (slug and dates),
not model instances.
"""

from __future__ import annotations

import datetime
import functools
from html import escape
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sites.requests import RequestSite
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, TaggedArticle
from authors.models import Author

if TYPE_CHECKING:
    from django.contrib.sites.models import Site

# Google News takes articles of the last two days, at most 1,000 of them.
NEWS_WINDOW = datetime.timedelta(hours=48)
NEWS_LIMIT = 1000


class Uncounted(Paginator):
    """A sitemap's pages as Paginator gives them, but a page is read without counting
    the items first: a page past the end is found empty instead (COUNT over a million
    articles costs more than reading a page). The index still counts, once a section,
    to name its pages."""

    def page(self, number: Any) -> Page:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        bottom = (number - 1) * self.per_page
        items = list(self.object_list[bottom : bottom + self.per_page])
        if not items and number > 1:
            raise EmptyPage("That page contains no results")
        return Page(items, number, self)


def _day(value: datetime.date, zone: datetime.tzinfo) -> str:
    """A lastmod as Django's template writes it (|date:"Y-m-d", an aware time in the
    current time zone, `zone`)."""
    if isinstance(value, datetime.datetime) and value.utcoffset() is not None:
        value = value.astimezone(zone)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _url_xml(url: dict[str, Any], zone: datetime.tzinfo) -> str:
    """One <url> of a urlset, as Django's sitemap.xml template writes it (spaceless;
    autoescaped as django.utils.html.escape does, with html.escape)."""
    parts = [f"<url><loc>{escape(url['location'])}</loc>"]
    if url["lastmod"]:
        parts.append(f"<lastmod>{_day(url['lastmod'], zone)}</lastmod>")
    if url["changefreq"]:
        parts.append(f"<changefreq>{escape(url['changefreq'])}</changefreq>")
    if url["priority"]:
        parts.append(f"<priority>{escape(url['priority'])}</priority>")
    parts.extend(
        f'<xhtml:link rel="alternate" hreflang="{escape(alternate["lang_code"])}"'
        f' href="{escape(alternate["location"])}"/>'
        for alternate in url["alternates"]
    )
    parts.append("</url>")
    return "".join(parts)


class Urlset:
    """What Django's sitemap.xml template renders, written without the template: a
    section's page has thousands of addresses, and the template's loop costs seconds
    for them. A template object, as TemplateResponse takes one (render)."""

    def render(
        self, context: dict[str, Any] | None = None, request: HttpRequest | None = None
    ) -> str:
        zone = timezone.get_current_timezone()
        urls = "".join(_url_xml(url, zone) for url in (context or {}).get("urlset", []))
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
            ' xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
            f"{urls}\n</urlset>\n"
        )


URLSET = Urlset()


class PublicSitemap(Sitemap):
    """Addresses under SITE_URL when it is set, else on the requested host."""

    # Fewer than the protocol's 50,000 per file, so each page stays quick to build.
    limit = 10_000

    @property
    def paginator(self) -> Paginator:
        # Every public sitemap lists a queryset.
        return Uncounted(cast(QuerySet[Any, Any], self.items()), self.limit)

    def get_protocol(self, protocol: str | None = None) -> str:
        if settings.SITE_URL:
            return urlsplit(settings.SITE_URL).scheme
        return super().get_protocol(protocol)

    def get_domain(self, site: Site | RequestSite | None = None) -> str:
        if settings.SITE_URL:
            return urlsplit(settings.SITE_URL).netloc
        return super().get_domain(site)


# An article's last change: its last update, else its publication.
LASTMOD = Coalesce("updated_at", "published_at")
# An article as the articles section lists it: its slug and lastmod.
ArticleRow = tuple[str, datetime.datetime]


class ArticleSitemap(PublicSitemap):
    def items(self) -> QuerySet[Article, ArticleRow]:
        # By id, so pages keep their content as new articles arrive.
        return Article.objects.published().order_by("pk").values_list("slug", LASTMOD)

    @functools.cached_property
    def _address(self) -> tuple[str, str]:
        """What comes before and after the slug in an article's address: one reverse()
        a page rather than one an address (a slug is the same in an address, unquoted)."""
        before, _, after = reverse("articles:detail", args=["0"]).rpartition("0")
        return before, after

    def location(self, item: ArticleRow) -> str:
        before, after = self._address
        return f"{before}{item[0]}{after}"

    def lastmod(self, item: ArticleRow) -> datetime.datetime:
        return item[1]

    def get_latest_lastmod(self) -> datetime.datetime | None:
        """The index's lastmod for the section, the newest item's: found by the
        database, not by reading every article."""
        latest: datetime.datetime | None = Article.objects.published().aggregate(
            latest=Max(LASTMOD)
        )["latest"]
        return latest


class TopicSitemap(PublicSitemap):
    def items(self) -> QuerySet[Tag]:
        published = Article.objects.published()
        used = TaggedArticle.objects.filter(tag=OuterRef("pk"), content_object__in=published)
        return Tag.objects.filter(Exists(used)).order_by("pk")

    def location(self, item: Tag) -> str:
        return reverse("articles:tag", args=[item.slug])


class NewsSitemap(PublicSitemap):
    """Articles published in the last 48 hours, newest first (sitemaps/news.xml)."""

    limit = NEWS_LIMIT

    def items(self) -> QuerySet[Article]:
        since = timezone.now() - NEWS_WINDOW
        return (
            Article.objects.published()
            .filter(published_at__gte=since)
            .only("slug", "headline", "published_at")
            .order_by("-published_at", "-pk")[:NEWS_LIMIT]
        )


class AuthorSitemap(PublicSitemap):
    """Authors with at least one published article (the others have empty pages)."""

    def items(self) -> QuerySet[Author]:
        published = Article.objects.published().filter(bylines__author=OuterRef("pk"))
        return Author.objects.filter(Exists(published)).order_by("pk")
