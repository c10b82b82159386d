from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from taggit.models import Tag

from articles.models import Article
from articles.search import (
    RANKED_MATCHES,
    Filters,
    Name,
    clean_query,
    letter_words,
    matching_names,
    nearest_words,
    search_keys,
    snippet,
    snippet_columns,
    snippet_values,
    suggestion,
)
from newsroom import page_cache
from newsroom.links import absolute_url
from newsroom.pagination import Page, page_number
from newsroom.plurals import counted
from reader import fragments, structured_data
from reader.search import SearchForm, filter_options
from reader.sitemaps import URLSET, ArticleSitemap, AuthorSitemap, NewsSitemap, TopicSitemap

PER_PAGE = 20
# The home page's topic blocks: the topics most used by recent stories.
HOME_TOPICS = 3
HOME_TOPIC_STORIES = 3
HOME_TOPICS_FROM_LATEST = 200
# A search that finds nothing offers the busiest topics to browse.
SUGGESTED_TOPICS = 8
# Where a card's standfirst starts (includes/article_card.html): a search's cards show
# a snippet there.
STANDFIRST_OPENING = '<p class="card__standfirst">'

SITEMAPS: dict[str, type[Sitemap[Any]] | Sitemap[Any]] = {
    "articles": ArticleSitemap,
    "authors": AuthorSitemap,
    "topics": TopicSitemap,
}


def home(request: HttpRequest) -> HttpResponse:
    """The lead story, the latest stories and blocks of the busiest topics; later pages
    carry on with the latest stories alone."""
    page = fragments.LATEST_STORIES.page(request, PER_PAGE, parts=("lead_card", "section_card"))
    context = {"page": page, "structured_data": structured_data.website(request)}
    if page.number == 1:
        context["lead_story"], context["latest"] = (page.items[:1] or [None])[0], page.items[1:]
        shown = [article.pk for article in page.items]
        # The blocks change only as stories go live or leave, with the stories above.
        context["topic_blocks"] = page_cache.kept_for_site(
            "home-topics", lambda: topic_blocks_html(shown=shown), request=request, timely=True
        )
    else:
        context["latest"] = page.items
    return render(request, "home.html", context)


def topic_blocks_html(*, shown: list[int]) -> str:
    """The home page's topic blocks (topic_blocks), rendered."""
    return render_to_string(
        "includes/topic_blocks.html", {"topic_blocks": topic_blocks(shown=shown)}
    )


def topic_blocks(*, shown: list[int]) -> list[tuple[Tag, list[Article]]]:
    """The topics most used by the latest stories, each with its newest stories not
    already `shown` above; a topic with nothing new to offer is left out. Three
    queries: the latest stories' keys, then their busiest topics (with the keys
    written out, PostgreSQL reads those stories' topics by index; with a subquery it
    chose to read every article's), then the stories of every topic at once."""
    topics = busiest_topics(HOME_TOPICS)
    if not topics:
        return []
    stories = fragments.with_cards(
        list(
            fragments.for_cards(
                Article.objects.published().exclude(pk__in=shown), ("section_card",)
            ).newest_by_topic([topic.pk for topic in topics], HOME_TOPIC_STORIES)
        )
    )
    by_topic: dict[int, list[Article]] = {topic.pk: [] for topic in topics}
    for article in stories:
        by_topic[article.topic_id].append(article)  # type: ignore[attr-defined]  # newest_by_topic annotates it
    return [(topic, by_topic[topic.pk]) for topic in topics if by_topic[topic.pk]]


def busiest_topics(count: int) -> list[Tag]:
    """The `count` topics most used by the latest stories (two queries, see topic_blocks)."""
    recent = Article.objects.published().order_by("-published_at").values_list("pk", flat=True)
    return list(
        Tag.objects.filter(
            articles_taggedarticle_items__content_object__in=list(recent[:HOME_TOPICS_FROM_LATEST])
        )
        .annotate(uses=Count("articles_taggedarticle_items"))
        .order_by("-uses", "name")[:count]
    )


def search(request: HttpRequest) -> HttpResponse:
    """Search of published stories by words, filters or both, best or newest first,
    with how many were found. A misspelt search that finds nothing shows what the
    nearest known words find instead; names of topics, authors and speakers like the
    words are offered above the results. A query string of any shape gives a page: a
    bad filter value is a 400 with its message, never an error page."""
    form = SearchForm(request.GET, options=filter_options(request))
    if not form.is_valid():
        query = clean_query(request.GET.get("q", ""))
        return render(request, "search.html", {"form": form, "query": query}, status=400)
    query, filters = form.cleaned_data["q"], form.filters()
    context: dict[str, Any] = {"form": form, "query": query, "filtered": bool(filters)}
    if not query and not filters:
        return render(request, "search.html", context)
    page, total = found(request, query, filters, by_date=form.by_date)
    if page.number == 1 and query:
        nearest, context["names"] = words_help(request, query)
        if not page.items and (corrected := suggestion(query, nearest)):
            instead, instead_total = found(request, corrected, filters, by_date=form.by_date)
            if instead.items:
                context["corrected"], page, total = corrected, instead, instead_total
    if not page.items:
        context["topics"] = busiest_topics(SUGGESTED_TOPICS)
        context["unfiltered"] = urlencode({"q": query}) if query else ""
    context["page"] = page
    context["count"] = (
        f"{RANKED_MATCHES:,}+ results"
        if total >= RANKED_MATCHES
        else counted(total, "%(count)s result", "%(count)s results")
    )
    return render(request, "search.html", context)


def words_help(request: HttpRequest, query: str) -> tuple[dict[str, str], list[Name]]:
    """The known words nearest the query's (nearest_words) and the topics and people
    named like them (matching_names): the same for every reader until a change readers
    see, so kept for the generation by the query's letter_words (two queries for the
    first reader of those words). Timely: the names are of those with live stories."""
    words = letter_words(query)
    if not words:
        return {}, []

    def look_up() -> tuple[dict[str, str], list[Name]]:
        nearest = nearest_words(query)
        return nearest, matching_names(nearest)

    # Hashed: a cache key holds neither spaces nor every letter a reader may type.
    key = hashlib.blake2b(" ".join(words).encode(), digest_size=16).hexdigest()
    return page_cache.kept_for_site(f"search-words:{key}", look_up, request=request, timely=True)


@dataclass(frozen=True)
class Result:
    """A search result: the article's key, and its card as the page shows it."""

    pk: int
    card: SafeString


def found(request: HttpRequest, query: str, filters: Filters, *, by_date: bool) -> tuple[Page, int]:
    """A page of the search's results, each its stored card with its snippet in place of
    the standfirst, and how many were found. Two queries: the results' keys in order
    (search_keys), then the page's cards and snippets by key (none when nothing is
    found)."""
    keys = search_keys(query, filters, by_date=by_date)
    number = page_number(request)
    start = (number - 1) * PER_PAGE
    chosen = keys[start : start + PER_PAGE]
    if number > 1 and not chosen:
        raise Http404("No such page")
    rows: list[tuple[Any, ...]] = []
    if chosen and query:
        rows = fragments.chosen_rows(
            chosen, ("card",), PER_PAGE, also=snippet_columns, **snippet_values(query)
        )
    elif chosen:
        # Without words, a result is its card as it is.
        rows = fragments.chosen_rows(chosen, ("card",), PER_PAGE)
    # An article deleted since its key was read has no row, so no card.
    items = []
    for card in fragments.cards(rows, ("card",)):
        passage = snippet(card.also[0], query) if query else None
        shown = with_snippet(card.stored["card"], passage) if passage else card.stored["card"]
        items.append(Result(card.pk, shown))
    return Page(items=items, number=number, has_next=len(keys) > start + PER_PAGE), len(keys)


def with_snippet(card: str, snippet: SafeString) -> SafeString:
    """A stored card (includes/article_card.html) with the snippet in place of its
    standfirst: the stored text around the standfirst's paragraph, no template rendered
    for each result (its escaped standfirst holds no "</p>")."""
    head, opening, rest = card.partition(STANDFIRST_OPENING)
    _standfirst, closing, tail = rest.partition("</p>")
    return mark_safe(head + opening + snippet + closing + tail)  # noqa: S308 - stored HTML and an escaped snippet


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers, feed readers and crawlers ask for whatever a page
    links (the admin links none): the publisher's icon under its hashed name, which
    changes when the icon does, so the redirect may be kept for good."""
    return HttpResponsePermanentRedirect(static("img/favicon.ico"))


def robots_txt(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "robots.txt",
        {
            "sitemaps": [
                absolute_url(request, reverse("sitemap")),
                absolute_url(request, reverse("news_sitemap")),
            ]
        },
        content_type="text/plain; charset=utf-8",
    )


def sitemap_index(request: HttpRequest) -> HttpResponse:
    """sitemap.xml: every page of every section (sections split past PublicSitemap.limit)."""
    response = sitemap_views.index(request, SITEMAPS, sitemap_url_name="sitemap_section")
    if settings.SITE_URL and response.context_data:
        # Django's index names the requested host; the public address wins.
        requested = f"{request.scheme}://{request.get_host()}"
        for entry in response.context_data["sitemaps"]:
            entry.location = settings.SITE_URL + entry.location.removeprefix(requested)
    return response


def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    # URLSET: Django's sitemap.xml, written without a template loop.
    return sitemap_views.sitemap(request, SITEMAPS, section=section, template_name=URLSET)  # type: ignore[arg-type]


def news_sitemap(request: HttpRequest) -> HttpResponse:
    return sitemap_views.sitemap(request, {"news": NewsSitemap}, template_name="sitemaps/news.xml")


# The admin pages that moved with their models, from articles to the app holding them.
MOVED_ADMIN = {
    "image": "pictures",
    "speaker": "quotes",
    "organisation": "disclosures",
    "disclosure": "disclosures",
}


def moved_admin_page(request: HttpRequest, model: str, rest: str) -> HttpResponse:
    """The same admin page at its new address (the query string kept)."""
    address = f"/{settings.ADMIN_PATH}{MOVED_ADMIN[model]}/{model}/{rest}"
    if request.META.get("QUERY_STRING"):
        address += f"?{request.META['QUERY_STRING']}"
    return HttpResponsePermanentRedirect(address)
