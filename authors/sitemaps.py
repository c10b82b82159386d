from django.db.models import Exists, OuterRef, QuerySet

from articles.models import Article
from articles.sitemaps import PublicSitemap
from authors.models import Author


class AuthorSitemap(PublicSitemap):
    """Authors with at least one published article (the others have empty pages)."""

    def items(self) -> QuerySet[Author]:
        published = Article.objects.published().filter(bylines__author=OuterRef("pk"))
        return Author.objects.filter(Exists(published)).order_by("pk")
