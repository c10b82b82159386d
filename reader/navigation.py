"""The section menu in every page's header, and the section an article belongs to.

An article's section is its kind of work (News, Analysis, Opinion, ...): every published
article has one, it is a column of the article row (so marking the menu and drawing the
breadcrumb cost no query), and it does not move when an editor reorders the topics.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from articles.models import Article
from newsroom import page_cache
from reader.models import MenuItem


@dataclass(frozen=True)
class Entry:
    name: str
    url: str


def read_menu() -> list[Entry]:
    """The menu as editors ordered it, in one query."""
    items = MenuItem.objects.select_related("topic", "page").defer("page__body")
    return [Entry(item.name, item.get_absolute_url()) for item in items]


def menu(request: HttpRequest) -> list[Entry]:
    """The menu, read once per content generation: a save of an item moves it."""
    return page_cache.kept_for_site("menu", read_menu, request=request)


def section_url(article: Article) -> str:
    return reverse("articles:kind", args=[article.kind])


def marked(request: HttpRequest, article: object) -> list[tuple[Entry, str]]:
    """The menu's entries with their aria-current values: "page" on its own page,
    "true" on an article of its section, "" elsewhere."""
    page = request.path
    section = section_url(article) if isinstance(article, Article) and article.kind else None
    return [
        (entry, "page" if entry.url == page else "true" if entry.url == section else "")
        for entry in menu(request)
    ]
