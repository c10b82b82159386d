"""Problems editors must fix, found by check_content. Each check yields Problems.

Checks read in chunks, so they run in bounded memory on a large site.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Trim
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article
from authors.models import Author
from disclosures.models import AuthorInterest, Disclosure, Organisation
from newsroom.markdown import marker_keys
from pages.models import Page
from pictures.models import Image
from quotes.models import Quote, Speaker

CHUNK = 1000

# Markdown inline links [text](/path "title"), reference definitions [id]: /path, HTML href.
_LINK_RE = re.compile(
    r"\]\(\s*<?(?P<inline>[^)\s>]+)>?"
    r"|^\s{0,3}\[[^\]]+\]:\s*<?(?P<reference>\S+?)>?(?:\s|$)"
    r"|\bhref=[\"'](?P<href>[^\"']+)[\"']",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Problem:
    check: str
    model: str
    id: int
    name: str
    message: str
    admin_url: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def article_problem(check: str, article: Article, message: str) -> Problem:
    return Problem(
        check,
        "article",
        article.pk,
        article.slug,
        message,
        reverse("admin:articles_article_change", args=[article.pk]),
    )


def internal_links(body: str) -> Iterator[str]:
    """Paths on this site that the body links to ("/articles/x/"), without query or anchor."""
    for match in _LINK_RE.finditer(body):
        url = match.group("inline") or match.group("reference") or match.group("href")
        if url.startswith("/") and not url.startswith("//"):
            yield urlsplit(url).path


def _chunks(articles: Any) -> Iterator[list[Article]]:
    chunk: list[Article] = []
    for article in articles.iterator(chunk_size=CHUNK):
        chunk.append(article)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def body_problems(on_article: Any) -> Iterator[Problem]:
    """Broken internal links, and quote or image markers with nothing to place."""
    articles = Article.objects.order_by("pk").only("pk", "slug", "body")
    # (kind, key) -> articles that need it; resolved in bulk at the end.
    wanted: dict[tuple[str, str], list[tuple[Article, str]]] = defaultdict(list)
    for chunk in _chunks(articles):
        quote_keys: dict[int, set[str]] = defaultdict(set)
        for article_id, key in Quote.objects.filter(article__in=chunk).values_list(
            "article_id", "key"
        ):
            quote_keys[article_id].add(key)
        for article in chunk:
            for key in marker_keys(article.body, "quote"):
                if key not in quote_keys[article.pk]:
                    yield article_problem(
                        "quote-marker", article, f"[[quote:{key}]] places a quote it does not have"
                    )
            for key in marker_keys(article.body, "image"):
                wanted["image", key].append((article, f"[[image:{key}]] places an image"))
            for path in internal_links(article.body):
                yield from link_problem(article, path, wanted)
            on_article()
    yield from missing_targets(wanted)


def link_problem(
    article: Article, path: str, wanted: dict[tuple[str, str], list[tuple[Article, str]]]
) -> Iterator[Problem]:
    if path.startswith((settings.MEDIA_URL, settings.STATIC_URL)):
        return
    try:
        match = resolve(path)
    except Resolver404:
        yield article_problem("broken-link", article, f"links to {path}, where there is no page")
        return
    kinds = {
        "articles:detail": "article",
        "authors:detail": "author",
        "articles:tag": "topic",
        "articles:speaker": "speaker",
        "articles:organisation": "organisation",
        "pages:detail": "page",
    }
    if kind := kinds.get(match.view_name):
        wanted[kind, match.kwargs["slug"]].append((article, f"links to {path}"))


def missing_targets(wanted: dict[tuple[str, str], list[tuple[Article, str]]]) -> Iterator[Problem]:
    """Which of the wanted images, public articles, authors, topics, speakers,
    organisations and pages do not exist (or, for an article, are not public)."""
    lookups = {
        "image": (Image.objects.all(), "key"),
        "article": (Article.objects.all(), "slug"),
        "author": (Author.objects.all(), "slug"),
        "topic": (Tag.objects.all(), "slug"),
        "speaker": (Speaker.objects.all(), "slug"),
        "organisation": (Organisation.objects.all(), "slug"),
        "page": (Page.objects.all(), "slug"),
    }
    for kind, (queryset, field) in lookups.items():
        keys = sorted(key for wanted_kind, key in wanted if wanted_kind == kind)
        found: set[str] = set()
        public: set[str] = set()
        for start in range(0, len(keys), CHUNK):
            chunk = queryset.filter(**{f"{field}__in": keys[start : start + CHUNK]})
            found.update(chunk.values_list(field, flat=True))
            if kind == "article":
                public.update(chunk.published().values_list(field, flat=True))
        for key in keys:
            if key in found and (kind != "article" or key in public):
                continue
            for article, what in wanted[kind, key]:
                if kind == "image":
                    yield article_problem("image-marker", article, f"{what} that does not exist")
                elif key in found:
                    message = f"{what}, an article that is not public"
                    yield article_problem("broken-link", article, message)
                else:
                    message = f"{what}, where there is no {kind}"
                    yield article_problem("broken-link", article, message)


def image_problems() -> Iterator[Problem]:
    for image in Image.objects.filter(file="").order_by("key"):
        where = f" (was at {image.source_url})" if image.source_url else ""
        yield Problem(
            "missing-picture",
            "image",
            image.pk,
            image.key,
            f"has no picture file{where}: pages show a placeholder; upload the picture",
            reverse("admin:pictures_image_change", args=[image.pk]),
        )
    for image in Image.objects.filter(alt_text="", is_decorative=False).order_by("key"):
        yield Problem(
            "image-alt",
            "image",
            image.pk,
            image.key,
            "has no alt text and is not marked decorative",
            reverse("admin:pictures_image_change", args=[image.pk]),
        )


def published_problems() -> Iterator[Problem]:
    published = Article.objects.filter(status=Article.Status.PUBLISHED).order_by("pk")
    for article in published.filter(bylines__isnull=True).only("pk", "slug"):
        yield article_problem("no-author", article, "is published without an author")
    no_standfirst = published.annotate(trimmed=Trim("standfirst")).filter(trimmed="")
    for article in no_standfirst.only("pk", "slug"):
        yield article_problem("no-standfirst", article, "is published without a standfirst")


def disclosure_problems(today: datetime.date | None = None) -> Iterator[Problem]:
    """Typo years (in the register, article disclosures and authors' interests), and
    article disclosures not valid when their article was published (the page says "at
    time of writing"). Ends before it starts is refused by the database."""
    today = today or timezone.localdate()
    earliest, latest = datetime.date(1900, 1, 1), today.replace(year=today.year + 10)
    disclosures = Disclosure.objects.select_related("article").order_by("pk")
    for disclosure in disclosures.filter(
        Q(valid_from__lt=earliest) | Q(valid_from__gt=latest) | Q(valid_until__gt=latest)
        | Q(valid_until__lt=earliest)
        | Q(article__published_at__isnull=False)
    ):  # fmt: skip
        message = disclosure_date_problem(disclosure, earliest, latest)
        if message:
            yield Problem(
                "disclosure-dates",
                "disclosure",
                disclosure.pk,
                disclosure.statement[:60],
                message,
                reverse("admin:disclosures_disclosure_change", args=[disclosure.pk]),
            )
    # Authors' interests are disclosed too; they are edited on the author's page.
    interests = AuthorInterest.objects.select_related("author").order_by("pk")
    for interest in interests.filter(
        Q(started_on__lt=earliest) | Q(started_on__gt=latest) | Q(ended_on__gt=latest)
        | Q(ended_on__lt=earliest)
    ):  # fmt: skip
        name, day = next(
            (name, day)
            for name, day in [("started_on", interest.started_on), ("ended_on", interest.ended_on)]
            if day is not None and not earliest <= day <= latest
        )
        yield Problem(
            "disclosure-dates",
            "author interest",
            interest.pk,
            interest.statement[:60],
            f"{name} {day} is not a plausible date",
            reverse("admin:authors_author_change", args=[interest.author_id]),
        )


def disclosure_date_problem(
    disclosure: Disclosure, earliest: datetime.date, latest: datetime.date
) -> str | None:
    for name in ("valid_from", "valid_until"):
        day = getattr(disclosure, name)
        if day is not None and not earliest <= day <= latest:
            return f"{name} {day} is not a plausible date"
    article = disclosure.article
    if article is not None and article.published_at is not None:
        day = timezone.localdate(article.published_at)
        if day < disclosure.valid_from or (disclosure.valid_until and day > disclosure.valid_until):
            return (
                f"is not valid on {day}, when its article {article.slug!r} was published "
                f"({disclosure.valid_from} to {disclosure.valid_until or 'now'})"
            )
    return None
