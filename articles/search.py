"""Reader search over published articles.

PostgreSQL: ranked full-text search on a stored tsvector (Article.search_vector,
GIN-indexed) weighted headline (A) > standfirst and topics (B) > body, quotes and
author names (C), English stemming, highlighted snippets. The vector is refreshed
after every change that affects it (articles.signals), once the transaction commits.

SQLite: every word must appear (case-insensitively) in one of the same fields;
newest first; the standfirst stands in for a snippet. Same page, same template.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import Exists, F, Func, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.expressions import Combinable, CombinedExpression
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, ArticleQuerySet, Byline, TaggedArticle
from quotes.models import Quote

# The text search configuration the stored vectors are built with: changing it
# means rebuilding every vector (refresh_search_vectors).
SEARCH_CONFIG = "english"
# Longer queries are cut: no reader types more, and it bounds the work per request.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
# How many of a query's newest matches are ranked (PostgreSQL): 25 pages of results; the
# cost of a common word is about proportional to it (reading and ranking each vector).
RANKED_MATCHES = 500
# Private-use characters mark the highlighted words in ts_headline's output, so the
# snippet can be escaped as plain text before the marks become <mark> elements.
_START, _STOP = "\ue000", "\ue001"
_MARKER_RE = r"\[\[(quote|image):[^\]]*\]\]"


def clean_query(raw: str) -> str:
    """The query as searched: control characters (a NUL breaks PostgreSQL) and the
    snippet marks removed, whitespace collapsed, at most MAX_QUERY_LENGTH characters."""
    kept = "".join(
        " " if unicodedata.category(char).startswith("C") else char
        for char in raw[: MAX_QUERY_LENGTH * 4]
    )
    return " ".join(kept.split())[:MAX_QUERY_LENGTH].strip()


def _joined(subquery_values: QuerySet[Any, Any]) -> Func:
    """All values of a one-column subquery, as one space-separated text."""
    return Func(
        ArraySubquery(subquery_values),
        Value(" "),
        function="array_to_string",
        output_field=TextField(),
    )


def _without_markers(text: Combinable | str) -> Func:
    return Func(
        text,
        Value(_MARKER_RE),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def search_document(
    headline: Combinable,
    standfirst: Combinable,
    topics: Combinable,
    body: Combinable,
    quotes: Combinable,
    authors: Combinable,
) -> CombinedExpression:
    """The weighted document of an article, from six texts: its headline (A), its
    standfirst and topic names (B), its body without markers, quotes with their speakers
    and author names (C). Every vector is built by this one expression."""
    return (
        SearchVector(headline, weight="A", config=SEARCH_CONFIG)
        + SearchVector(standfirst, topics, weight="B", config=SEARCH_CONFIG)
        + SearchVector(_without_markers(body), quotes, authors, weight="C", config=SEARCH_CONFIG)
    )


def search_vector() -> CombinedExpression:
    """An article's document, from its own row and its related rows, each list in the
    order it was made (interchange.writing builds the same texts for new articles)."""
    tags = (
        TaggedArticle.objects.filter(content_object=OuterRef("pk"))
        .order_by("pk")
        .values("tag__name")
    )
    authors = Byline.objects.filter(article=OuterRef("pk")).values("author__name")
    quotes = (
        Quote.objects.filter(article=OuterRef("pk"))
        .annotate(words=Concat("speaker__name", Value(" "), "text", output_field=TextField()))
        .values("words")
    )
    return search_document(
        F("headline"),
        F("standfirst"),
        _joined(tags),
        F("body"),
        _joined(quotes),
        _joined(authors),
    )


def refresh_search_vectors(articles: ArticleQuerySet) -> None:
    """Rebuild the stored vectors of these articles in one UPDATE (PostgreSQL only)."""
    if connection.vendor == "postgresql":
        articles.update(search_vector=search_vector())


def refresh_search_vectors_later(articles: ArticleQuerySet) -> None:
    """Once the transaction commits (bylines, topics and quotes saved with the article
    included), rebuild the vectors. Nothing to keep current on SQLite."""
    if connection.vendor == "postgresql":
        transaction.on_commit(lambda: refresh_search_vectors(articles))


def _words(query: str) -> list[str]:
    return re.findall(r"\w+", query)[:MAX_TERMS]


def _contains(term: str) -> Q:
    """An article whose own text, quotes, authors or topics contain the term."""
    return (
        Q(headline__icontains=term)
        | Q(standfirst__icontains=term)
        | Q(body__icontains=term)
        | Q(Exists(Quote.objects.filter(article=OuterRef("pk"), text__icontains=term)))
        | Q(Exists(Quote.objects.filter(article=OuterRef("pk"), speaker__name__icontains=term)))
        | Q(Exists(Byline.objects.filter(article=OuterRef("pk"), author__name__icontains=term)))
        | Q(
            Exists(
                TaggedArticle.objects.filter(
                    content_object=OuterRef("pk"), tag__name__icontains=term
                )
            )
        )
    )


def search_articles(query: str) -> ArticleQuerySet:
    """Published articles matching the (cleaned) query, best first; unevaluated.

    PostgreSQL ranks only the newest RANKED_MATCHES matches: a common word matches a
    good part of a large archive, and ranking reads every matching document, so an
    unbounded ranking grows with the archive. A query with fewer matches
    finds them all, best first; one with more finds its newest RANKED_MATCHES, best
    first, which the newest-first walk of article_status_published serves at once."""
    published = Article.objects.published()
    if connection.vendor == "postgresql":
        tsquery = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        newest = (
            Article.objects.published()
            .filter(search_vector=tsquery)
            .order_by("-published_at", "-pk")
            .values("pk")[:RANKED_MATCHES]
        )
        return (
            published.filter(pk__in=newest)
            .annotate(
                rank=SearchRank(F("search_vector"), tsquery),
                snippet=SearchHeadline(
                    Concat(
                        "standfirst", Value(" "), _without_markers("body"), output_field=TextField()
                    ),
                    tsquery,
                    config=SEARCH_CONFIG,
                    start_sel=_START,
                    stop_sel=_STOP,
                    max_words=35,
                    min_words=15,
                ),
            )
            .order_by("-rank", "-published_at", "-pk")
        )
    terms = _words(query)
    if not terms:
        return published.none()
    condition = Q()
    for term in terms:
        condition &= _contains(term)
    return published.filter(condition).order_by("-published_at", "-pk")


def highlight(snippet: str) -> SafeString:
    """A ts_headline snippet as safe HTML: the text escaped, the matches in <mark>."""
    html = escape(snippet).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - every character but the marks was escaped
