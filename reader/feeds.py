"""RSS 2.0 and Atom feeds of published articles (the whole site, each author, each topic),
and the RSS feed of corrections.

Each request gets its own feed object (`as_view`), so the request (for absolute
image addresses) is never shared between threads.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Enclosure, SyndicationFeed
from django.utils.html import escape
from taggit.models import Tag

from articles.models import Article, ArticleQuerySet, Correction
from authors.models import Author
from newsroom.feeds import AtomFeed, RssFeed
from newsroom.links import absolute_url
from pictures.models import Rendition
from pictures.renditions import renditions_of

FEED_LENGTH = 20


class ArticleFeed(Feed):
    """The newest published articles: headline, standfirst, authors, dates, topics and
    the lead image (16:9 JPEG) as an enclosure."""

    feed_type: type[SyndicationFeed] = RssFeed

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    @classmethod
    def as_view(cls) -> Callable[..., HttpResponse]:
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return cls(request)(request, *args, **kwargs)

        return view

    def articles(self, obj: Any) -> ArticleQuerySet:
        return Article.objects.published()

    def items(self, obj: Any) -> list[Article]:
        # taggit ships no types: to the plugin, "tags" is no relation to prefetch.
        listing = self.articles(obj).for_listing().prefetch_related("tags")  # type: ignore[misc]
        return list(listing[:FEED_LENGTH])

    def title(self, obj: Any) -> str:
        return settings.SITE_NAME

    def description(self, obj: Any) -> str:
        return settings.SITE_TAGLINE

    def link(self, obj: Any) -> str:
        return absolute_url(self.request, reverse("home"))

    def feed_url(self, obj: Any) -> str:
        return absolute_url(self.request, self.request.path)

    def feed_copyright(self, obj: Any) -> str:
        return f"© {settings.PUBLISHER_NAME}"

    def item_title(self, item: Article) -> str:
        return item.headline

    def item_description(self, item: Article) -> str:
        # RSS descriptions and Atom summaries are HTML to feed readers: the standfirst is
        # plain text, so it is escaped, or a "<script>" in it would be markup there.
        return escape(item.standfirst)

    def item_link(self, item: Article) -> str:
        return absolute_url(self.request, item.get_absolute_url())

    def item_guid(self, item: Article) -> str:
        """Stable through slug changes, so a renamed article is not news again."""
        return uuid.uuid5(uuid.NAMESPACE_URL, f"newsroom:article:{item.pk}").urn

    item_guid_is_permalink = False

    def item_author_name(self, item: Article) -> str:
        """ "Ann Author, Bo Byline and Cy Writer", as the byline reads."""
        names = [author.name for author in item.ordered_authors]
        if len(names) > 1:
            names = [", ".join(names[:-1]), names[-1]]
        return " and ".join(names)

    def item_author_link(self, item: Article) -> str | None:
        authors = item.ordered_authors
        return absolute_url(self.request, authors[0].get_absolute_url()) if authors else None

    def item_pubdate(self, item: Article) -> Any:
        return item.published_at

    def item_updateddate(self, item: Article) -> Any:
        return item.updated_at or item.published_at

    def item_categories(self, item: Article) -> list[str]:
        return [tag.name for tag in item.tags.all()]

    def item_enclosures(self, item: Article) -> list[Enclosure]:
        if item.lead_image is None:
            return []
        wide = renditions_of(item.lead_image, Rendition.Crop.WIDE, Rendition.Format.JPEG)
        if not wide:
            return []
        return [
            Enclosure(
                absolute_url(self.request, wide[-1].file.url), str(wide[-1].file_size), "image/jpeg"
            )
        ]


class AtomMixin:
    feed_type: type[SyndicationFeed] = AtomFeed

    def subtitle(self, obj: Any) -> str:
        return self.description(obj)  # type: ignore[attr-defined]


class SiteRssFeed(ArticleFeed):
    pass


class SiteAtomFeed(AtomMixin, SiteRssFeed):
    pass


class TopicRssFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Tag:
        return get_object_or_404(Tag, slug=slug)

    def articles(self, obj: Tag) -> ArticleQuerySet:
        return Article.objects.published().on_topic(obj)

    def items(self, obj: Tag) -> list[Article]:
        items = super().items(obj)
        if not items:
            # Like the topic page: a topic with nothing published does not reveal itself.
            raise Http404("No such topic")
        return items

    def title(self, obj: Tag) -> str:
        return f"{obj.name} - {settings.SITE_NAME}"

    def description(self, obj: Tag) -> str:
        return escape(f"Stories about {obj.name} from {settings.SITE_NAME}")

    def link(self, obj: Tag) -> str:
        return absolute_url(self.request, reverse("articles:tag", args=[obj.slug]))


class TopicAtomFeed(AtomMixin, TopicRssFeed):
    pass


FEED_ITEMS = 50


class CorrectionsFeed(Feed):
    """Corrections and updates, newest first: the RSS twin of /corrections/."""

    feed_type = RssFeed
    item_guid_is_permalink = False

    def title(self) -> str:
        return f"{settings.SITE_NAME}: corrections and updates"

    def link(self) -> str:
        return reverse("articles:corrections")

    def description(self) -> str:
        return f"Corrections, clarifications and updates to {settings.SITE_NAME} stories."

    def items(self) -> QuerySet[Correction]:
        return Correction.objects.public()[:FEED_ITEMS]

    def item_title(self, item: Correction) -> str:
        return f"{item.get_kind_display()}: {item.article.headline}"

    def item_description(self, item: Correction) -> str:
        return escape(item.text)

    def item_link(self, item: Correction) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Correction) -> str:
        return f"correction-{item.pk}"

    def item_pubdate(self, item: Correction) -> datetime.datetime:
        return item.published_at


class AuthorRssFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Author:
        return get_object_or_404(Author, slug=slug)

    def articles(self, obj: Author) -> ArticleQuerySet:
        return Article.objects.published().by_author(obj)

    def title(self, obj: Author) -> str:
        return f"{obj.name} - {settings.SITE_NAME}"

    def description(self, obj: Author) -> str:
        # A channel description is HTML to feed readers: the name is plain text.
        return escape(f"Stories by {obj.name} from {settings.SITE_NAME}")

    def link(self, obj: Author) -> str:
        return absolute_url(self.request, obj.get_absolute_url())


class AuthorAtomFeed(AtomMixin, AuthorRssFeed):
    pass
