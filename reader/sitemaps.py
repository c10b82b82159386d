"""Sitemaps of published articles and their topics, and the Google News sitemap."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sites.requests import RequestSite
from django.db.models import Exists, OuterRef, QuerySet
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


class PublicSitemap(Sitemap):
    """Addresses under SITE_URL when it is set, else on the requested host."""

    # Fewer than the protocol's 50,000 per file, so each page stays quick to build.
    limit = 10_000

    def get_protocol(self, protocol: str | None = None) -> str:
        if settings.SITE_URL:
            return urlsplit(settings.SITE_URL).scheme
        return super().get_protocol(protocol)

    def get_domain(self, site: Site | RequestSite | None = None) -> str:
        if settings.SITE_URL:
            return urlsplit(settings.SITE_URL).netloc
        return super().get_domain(site)


class ArticleSitemap(PublicSitemap):
    def items(self) -> QuerySet[Article]:
        # By id, so pages keep their content as new articles arrive.
        return Article.objects.published().only("slug", "published_at", "updated_at").order_by("pk")

    def lastmod(self, item: Article) -> datetime.datetime | None:
        return item.updated_at or item.published_at


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
