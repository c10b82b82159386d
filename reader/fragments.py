"""The stored parts of articles' public pages (StoredArticle): what depends only on the
article and what it links to is rendered when that changes, so a page a reader asks for
is one query for its parts plus what only the moment can tell (the related stories).

Rows are rendered and stored by `store`, read with the article (`for_cards`,
`reader.views.article_detail`) and marked outdated by reader.signals when anything
they show changes; a missing or outdated row is rendered again on the next read. A
row is outdated (`is_current`) when:
- the templates, code or settings it was rendered with changed (`fingerprint`);
- the article's version moved (every editorial save moves it);
- it was rendered before the article went live: a scheduled article goes live without
  a save, with the disclosures, authors and pictures of that moment.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from django.conf import settings
from django.core.signals import setting_changed
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Case,
    CharField,
    Expression,
    F,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    When,
)
from django.dispatch import receiver
from django.http import Http404, HttpRequest
from django.template.base import Template
from django.template.library import InclusionNode
from django.template.loader import get_template, render_to_string
from django.template.loader_tags import IncludeNode
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, ArticleQuerySet, prefetch_byline_photos
from disclosures.rules import DisclosureRegister
from newsroom.compiled import NOW, CompiledQuery, Parameter
from newsroom.context_processors import site
from newsroom.pagination import Page, page_number
from reader import structured_data
from reader.models import StoredArticle

# The templates stored parts are rendered from; those they include are found by
# reading them (templates_used), so a new include cannot be forgotten here.
TEMPLATES = (
    "articles/article_head.html",
    "articles/article_main.html",
    "includes/article_card.html",
    "includes/byline.html",
    "includes/card_picture.html",
)
# The Python that shapes stored parts besides the templates: the template tags they
# load, the reading aids and the structured data.
MODULES = ("reader.templatetags.reader", "reader.reading", "reader.structured_data")
# The settings stored parts show (names, addresses, the time zone of dates).
SETTINGS = (
    "SITE_NAME",
    "SITE_TAGLINE",
    "PUBLISHER_NAME",
    "PUBLISHER_LOGO",
    "SHARE_IMAGE",
    "SITE_URL",
    "MEDIA_URL",
    "STATIC_URL",
    "TIME_ZONE",
)

# The stored parts, as StoredArticle names them.
PARTS = (
    "head",
    "main",
    "card",
    "section_card",
    "lead_card",
    "dated_card",
    "card_picture",
    "byline",
)
CARD_FIELDS = (
    "slug",
    "headline",
    "standfirst",
    "kind",
    "status",
    "published_at",
    "embargo_until",
    "version",
)


@functools.cache
def origin_placeholder() -> str:
    """What absolute addresses in stored parts start with, replaced by the request's
    origin when served (the site may answer on several hosts): a host under .invalid
    (RFC 2606) named by a digest of SECRET_KEY. Escaping, HTML's or JSON's, leaves it
    as it is, and no writer can type it into a story without the key."""
    return f"http://{salted_hmac('reader.fragments', 'origin').hexdigest()[:24]}.invalid"


@functools.cache
def fingerprint() -> str:
    """What the stored parts were rendered with: the templates' sources, the Python
    that shapes them, the settings they show, and the addresses of the static files
    they name (hashed by content)."""
    digest = hashlib.blake2b(origin_placeholder().encode(), digest_size=16)
    # A row from before a part (or the topics) was added lacks it.
    digest.update(repr((*PARTS, "topics")).encode())
    for template in templates_used(TEMPLATES):
        digest.update(template.source.encode())
    for module in MODULES:
        digest.update(Path(importlib.import_module(module).__file__ or "").read_bytes())
    for name in SETTINGS:
        digest.update(repr(getattr(settings, name, None)).encode())
    digest.update(repr(structured_data.organization(None)).encode())
    digest.update(repr(structured_data.share_image(None)).encode())
    return digest.hexdigest()


def templates_used(names: Iterable[str]) -> list[Template]:
    """The named templates and every template they include, by {% include %} or by an
    inclusion tag, each once (stored parts include templates by constant names only)."""
    found: dict[str, Template] = {}
    waiting = list(names)
    while waiting:
        name = waiting.pop()
        if name in found:
            continue
        template = get_template(name).template  # type: ignore[attr-defined]
        found[name] = template
        for node in template.nodelist.get_nodes_by_type((IncludeNode, InclusionNode)):
            named = node.template.var if isinstance(node, IncludeNode) else node.filename
            if isinstance(named, str):
                waiting.append(named)
    return list(found.values())


@receiver(setting_changed)
def settings_changed(**kwargs: Any) -> None:
    """Settings change only in tests (override_settings): the parts rendered with the
    old ones are outdated."""
    origin_placeholder.cache_clear()
    fingerprint.cache_clear()


class _Origin:
    """Stands in for the request while parts are rendered to be stored: absolute
    addresses start with origin_placeholder()."""

    def build_absolute_uri(self, location: str) -> str:
        return origin_placeholder() + location


def render_parts(
    article: Article,
    request: HttpRequest | None = None,
    *,
    preview: bool = False,
    register: DisclosureRegister | None = None,
) -> dict[str, SafeString]:
    """The article page's head and article, and its card's pictures and byline, for an
    article read with Article.objects.for_page(). With a request (a preview), addresses
    are the request's; without, on origin_placeholder(), to be stored. `register`: the
    disclosures register read once for many articles (Article.disclosures)."""
    asking = cast(HttpRequest, request or _Origin())
    article.prefetch_byline_photos()
    context: dict[str, Any] = {
        **site(asking),
        "request": asking,
        "article": article,
        # Rendered and sanitised (nh3, autoescaped templates) when stored.
        "body_html": mark_safe(article.body_html),  # noqa: S308
        "disclosures": article.disclosures(register=register),
        # Only live articles are described to search engines: never a preview.
        "structured_data": None if preview else structured_data.news_article(article, asking),
        "preview": preview,
    }
    picture = render_to_string("includes/card_picture.html", context)
    byline = render_to_string("includes/byline.html", context)
    card = {**context, "picture": picture, "byline": byline}
    lead_picture = render_to_string("includes/card_picture.html", {**context, "lead": True})
    return {
        "head": render_to_string("articles/article_head.html", context),
        "main": render_to_string("articles/article_main.html", context),
        "card": render_to_string("includes/article_card.html", {**card, "heading": "h2"}),
        "section_card": render_to_string("includes/article_card.html", {**card, "heading": "h3"}),
        "lead_card": render_to_string(
            "includes/article_card.html",
            {**card, "heading": "h2", "lead": True, "picture": lead_picture},
        ),
        # On its author's page: the date in place of the byline the page's heading says.
        "dated_card": render_to_string(
            "includes/article_card.html",
            {**context, "picture": picture, "heading": "h3", "dated": True},
        ),
        "card_picture": picture,
        "byline": byline,
    }


def topic_keys(article: Article) -> list[int]:
    """The keys of the article's topics (read with for_page: prefetched), which its
    related stories are found by (reader.views.related_html)."""
    return [topic.pk for topic in article.tags.all()]


_stores = 0


def stores() -> int:
    """How many times this process stored parts: a change marked before the last
    store must be marked again (reader.signals)."""
    return _stores


def store(pks: Iterable[int]) -> dict[int, StoredArticle]:
    """Render and store the parts of these articles, in a fixed number of queries
    whatever their number; returns the rows by article. An article deleted meanwhile
    is left out."""
    global _stores
    _stores += 1
    now = timezone.now()
    articles = list(Article.objects.for_page().filter(pk__in=list(pks)))
    prefetch_byline_photos(articles)
    # Articles no publishing path recorded disclosures for (an import, a script) show
    # those due: the register is read once for them all.
    unrecorded = [article for article in articles if article.disclosures_as_of is None]
    authors = {author for article in unrecorded for author in article.ordered_authors}
    register = DisclosureRegister(authors) if unrecorded else None
    rows = {
        article.pk: StoredArticle(
            article=article,
            fingerprint=fingerprint(),
            article_version=article.version,
            rendered_at=now,
            topics=topic_keys(article),
            **render_parts(article, register=register),
        )
        for article in articles
    }
    try:
        with transaction.atomic():
            StoredArticle.objects.bulk_create(
                rows.values(),
                update_conflicts=True,
                unique_fields=["article"],
                update_fields=["fingerprint", "article_version", "rendered_at", "topics", *PARTS],
            )
    except IntegrityError:
        # An article deleted between reading and storing: its parts are served once,
        # and the next read renders them again.
        pass
    return rows


# The first key of the advisory locks store_outdated takes (the second is the article's),
# so they meet no other use of PostgreSQL's advisory locks.
RENDER_LOCK = 0x6E77_7270


def store_outdated(pks: Sequence[int]) -> dict[int, StoredArticle]:
    """store() for a reader who found these articles' parts missing or outdated. On
    PostgreSQL one process renders an article at a time; the others wait for it and read
    the row it stored. A story going live on schedule shows in every worker's lists at
    the same moment, and every worker rendering it at once made the requests queued
    behind them wait on the CPU (docs/performance.md)."""
    if connection.vendor != "postgresql":
        return store(pks)
    keys = sorted(set(pks))
    with transaction.atomic(), connection.cursor() as cursor:
        # Taken in the keys' order, so two readers of overlapping lists cannot deadlock;
        # released when the transaction ends, once the row is stored.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, (key %% 2147483647)::integer) "
            "FROM unnest(%s::bigint[]) AS key",
            [RENDER_LOCK, keys],
        )
        done = {
            row.article_id: row
            for row in StoredArticle.objects.filter(
                article__in=Article.objects.filter(pk__in=keys).filter(current(fingerprint()))
            )
        }
        due = [key for key in keys if key not in done]
        return {**done, **(store(due) if due else {})}


def is_current(article: Article) -> bool:
    """Whether the article's stored row (read with it) can be served: rendered with
    today's templates and settings, from this version, after it went live."""
    stored: StoredArticle | None = getattr(article, "stored", None)
    return (
        stored is not None
        and stored.fingerprint == fingerprint()
        and stored.article_version == article.version
        and (article.published_at is None or stored.rendered_at >= article.published_at)
        and (article.embargo_until is None or stored.rendered_at >= article.embargo_until)
    )


def served(part: str, request: HttpRequest) -> SafeString:
    """A stored part with its absolute addresses on the request's origin: as they are,
    and percent-encoded in the query of another address (the share links')."""
    origin = f"{request.scheme}://{request.get_host()}"
    placeholder = origin_placeholder()
    served = part.replace(placeholder, origin).replace(
        quote(placeholder, safe=""), quote(origin, safe="")
    )
    return mark_safe(served)  # noqa: S308 - ours, and a checked host


def for_cards(articles: ArticleQuerySet, parts: tuple[str, ...] = ("card",)) -> ArticleQuerySet:
    """Articles shown as cards: a few columns and the stored `parts` the listing shows
    (a card as PARTS names it, or the topics), in the listing's one query."""
    return articles.select_related("stored").only(
        *CARD_FIELDS,
        "stored__fingerprint",
        "stored__article_version",
        "stored__rendered_at",
        *(f"stored__{part}" for part in parts),
    )


def with_cards(articles: Sequence[Article]) -> Sequence[Article]:
    """The articles (read with for_cards), each with current stored parts: those
    missing or outdated are rendered and stored now, in one batch."""
    stale = [article.pk for article in articles if not is_current(article)]
    if stale:
        fresh = store_outdated(stale)
        for article in articles:
            if article.pk in fresh:
                article.stored = fresh[article.pk]
    return articles


def current(fingerprint_value: str | Expression) -> Q:
    """is_current as a condition on an article row and its stored row, for listings that
    read their cards as values (the same rule: tests/test_rule_pairs.py compares
    them); `fingerprint_value` is fingerprint()'s, or a Parameter given it at each run."""
    rendered = F("stored__rendered_at")
    return (
        Q(stored__fingerprint=fingerprint_value, stored__article_version=F("version"))
        & (Q(published_at__isnull=True) | Q(published_at__lte=rendered))
        & (Q(embargo_until__isnull=True) | Q(embargo_until__lte=rendered))
    )


def card_rows(
    articles: ArticleQuerySet,
    fingerprint_value: str | Expression,
    parts: tuple[str, ...],
    *also: Expression,
) -> QuerySet[Any, tuple[Any, ...]]:
    """The articles as rows of their key, their stored `parts`, each part NULL when
    the row is missing or outdated, and the values of `also` (a search's snippet): no
    model instances to make, no dates to read. The parts are read as plain text
    (cards() marks them safe), so no converter runs on them row by row."""
    condition = current(fingerprint_value)
    return articles.values_list(
        "pk",
        *(
            Case(When(condition, then=F(f"stored__{part}")), output_field=TextField())
            for part in parts
        ),
        *also,
    )


@dataclasses.dataclass(frozen=True)
class Card:
    """An article as a listing shows it: its key, its stored parts by PARTS name
    (`card.stored.section_card`, as templates read an Article's), and the values of
    the columns card_rows was given `also`."""

    pk: int
    stored: dict[str, SafeString]
    also: tuple[Any, ...] = ()


def cards(rows: Iterable[tuple[Any, ...]], parts: tuple[str, ...]) -> list[Card]:
    """Cards from card_rows' rows (in their order): those missing or outdated are
    rendered and stored now, in one batch; an article deleted meanwhile is left out."""
    rows = list(rows)
    count = len(parts)
    stale = [row[0] for row in rows if any(part is None for part in row[1 : 1 + count])]
    fresh = store_outdated(stale) if stale else {}
    listed = []
    for pk, *values in rows:
        stored = values[:count]
        if pk in fresh:
            stored = [getattr(fresh[pk], part) for part in parts]
        elif pk in stale:
            continue
        # RenderedHTMLField's values: what our autoescaping templates rendered.
        parts_html = dict(zip(parts, map(mark_safe, stored), strict=True))
        listed.append(Card(pk, parts_html, tuple(values[count:])))
    return listed


# The fingerprint a listing's stored parts must have been rendered with to be served.
FINGERPRINT = Parameter("fingerprint", CharField())


class Listing:
    """A listing of articles shown as cards, newest first by its own rule: `articles()`,
    a queryset evaluated at NOW whose other values (a topic, an author...) are
    Parameters, given by name to `page`. Pages of it are read with their stored parts as
    values (card_rows), by queries compiled once (newsroom.compiled)."""

    def __init__(self, articles: Callable[[], ArticleQuerySet]) -> None:
        self.articles = articles
        # Each listing's page 1 with the parts it shows, and the keys of a later page.
        self._first: dict[tuple[str, ...], CompiledQuery[Article]] = {}
        self._keys = CompiledQuery(lambda: articles().values_list("pk"))

    def page(
        self,
        request: HttpRequest,
        per_page: int,
        *,
        parts: tuple[str, ...] = ("card",),
        **values: Any,
    ) -> Page:
        """A page of the listing, numbered by ?page=N (newsroom.pagination). The first
        page is one query; a later one first picks its articles' keys (an index walk
        past the earlier pages), then reads those articles' parts: joined before the
        offset, the parts of every skipped article were read and sorted too."""
        number = page_number(request)
        now = timezone.now()
        if number == 1:
            rows = self._first_page(parts).rows(
                per_page + 1, now=now, fingerprint=fingerprint(), **values
            )
        else:
            offset = (number - 1) * per_page
            found = self._keys.rows(per_page + 1, offset, now=now, **values)
            if not found:
                raise Http404("No such page")
            rows = chosen_rows([key for (key,) in found], parts, per_page + 1)
        listed = cards(rows, parts)
        return Page(items=listed[:per_page], number=number, has_next=len(rows) > per_page)

    def _first_page(self, parts: tuple[str, ...]) -> CompiledQuery[Article]:
        if parts not in self._first:
            self._first[parts] = CompiledQuery(
                lambda: card_rows(self.articles(), FINGERPRINT, parts)
            )
        return self._first[parts]


@functools.cache
def _chosen(
    parts: tuple[str, ...], count: int, also: Callable[[], tuple[Expression, ...]] | None
) -> CompiledQuery[Article]:
    """card_rows of `count` articles by key (`key0`...), with the columns `also()`
    makes: one compiled query for each shape."""
    keys = [Parameter(f"key{position}", IntegerField()) for position in range(count)]
    return CompiledQuery(
        lambda: card_rows(
            Article.objects.filter(pk__in=keys).order_by(),
            FINGERPRINT,
            parts,
            *(also() if also else ()),
        )
    )


def chosen_rows(
    keys: list[int],
    parts: tuple[str, ...],
    count: int,
    *,
    also: Callable[[], tuple[Expression, ...]] | None = None,
    **values: Any,
) -> list[tuple[Any, ...]]:
    """card_rows of these articles, in the keys' order, with the columns `also()`
    makes (a function: the query is built once), their Parameters given by `values`.
    The keys are padded to `count` with the last one, so the query has one shape
    (compiled once) for every page."""
    padded = [*keys, *[keys[-1]] * (count - len(keys))]
    given = {f"key{position}": key for position, key in enumerate(padded)}
    compiled = _chosen(parts, count, also)
    by_key = {row[0]: row for row in compiled.rows(fingerprint=fingerprint(), **given, **values)}
    return [by_key[key] for key in keys if key in by_key]


# The newest stories of the whole site (the home page, the archive's index).
LATEST_STORIES = Listing(lambda: Article.objects.published(NOW))
