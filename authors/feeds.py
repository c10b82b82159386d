"""RSS 2.0 and Atom feeds of one author's published articles."""

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.html import escape

from articles.feeds import ArticleFeed, AtomMixin
from articles.models import Article, ArticleQuerySet
from authors.models import Author
from newsroom.links import absolute_url


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
