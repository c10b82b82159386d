from typing import Any

from django.core import signing
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.views.generic.dates import (
    ArchiveIndexView,
    DayArchiveView,
    MonthArchiveView,
    YearArchiveView,
)
from taggit.models import Tag

from articles.models import (
    Article,
    ArticleSlugHistory,
    Correction,
    Disclosure,
    Organisation,
    Quote,
    Speaker,
)
from articles.services import article_pk_for_share_token
from newsroom import page_cache, structured_data
from newsroom.pagination import paginate

PER_PAGE = 20
RELATED_COUNT = 4
# An organisation page shows its newest quotes; each links to its speaker's page for more.
QUOTES_ON_ORGANISATION_PAGE = 20


def render_article(
    request: HttpRequest, article: Article, *, preview: bool = False
) -> HttpResponse:
    """The article page. Previews use the same template, marked, unindexed and uncached,
    and carry no structured data: only live articles are described to search engines.
    The body and related stories are kept per generation for live articles only (an
    editor's preview of a live article shows what its readers see); a page-cache miss
    skips the body's rendering, the related stories' three queries and their cards,
    and the structured data's work."""
    article.prefetch_byline_photos()
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "body_html": page_cache.body_html(article, request),
            "disclosures": list(article.disclosures()),
            "related_html": page_cache.kept(
                "related", lambda: related_html(request, article), article=article, request=request
            ),
            "structured_data": None
            if preview
            else page_cache.kept(
                f"structured-data:{page_cache.site_address(request)}",
                lambda: structured_data.news_article(article, request),
                article=article,
                request=request,
            ),
            "preview": preview,
        },
    )
    if preview:
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def related_html(request: HttpRequest, article: Article) -> str:
    """The "Related stories" section, rendered: newest stories sharing a topic."""
    related = list(Article.objects.published().for_listing().related_to(article)[:RELATED_COUNT])
    if not related:
        return ""
    return render_to_string(
        "includes/card_section.html",
        {
            "articles": related,
            "section_class": "related",
            "heading_id": "related-heading",
            "heading_text": "Related stories",
        },
        request,
    )


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # get(), not first(): the slug is unique, so no ORDER BY to compile and run.
    try:
        article = Article.objects.published().for_page().get(slug=slug)
    except Article.DoesNotExist:
        return redirect_old_slug(slug)
    return render_article(request, article)


def shared_preview(request: HttpRequest, token: str) -> HttpResponse:
    """An editor's share link: one unpublished article, no login, until it expires."""
    try:
        pk = article_pk_for_share_token(token)
    except signing.SignatureExpired:
        response = render(request, "articles/preview_expired.html", status=410)
        add_never_cache_headers(response)
        return response
    except signing.BadSignature:
        raise Http404("No such preview") from None
    article = get_object_or_404(Article.objects.for_page(), pk=pk)
    if article.is_live:
        return redirect(article)
    return render_article(request, article, preview=True)


def corrections(request: HttpRequest) -> HttpResponse:
    """Every correction and update to a live article, newest first."""
    page = paginate(request, Correction.objects.public(), PER_PAGE)
    return render(request, "articles/corrections.html", {"page": page})


def redirect_old_slug(slug: str) -> HttpResponse:
    """An address an article had before its slug changed answers 301 to the current one;
    only for a live article, so an old slug reveals nothing unpublished."""
    history = (
        ArticleSlugHistory.objects.filter(slug=slug, article__in=Article.objects.published())
        .select_related("article")
        .first()
    )
    if history is None:
        raise Http404("No such article")
    return HttpResponsePermanentRedirect(history.article.get_absolute_url())


def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A "Read more on" topic: its published articles, newest first."""
    # With its organisation, if it stands for one (a reverse one-to-one: same query).
    tag = get_object_or_404(Tag.objects.select_related("organisation"), slug=slug)
    page = paginate(request, Article.objects.published().on_topic(tag).for_listing(), PER_PAGE)
    if not page.items:
        # A topic with nothing published yet must not reveal itself.
        return render(request, "404.html", status=404)
    return render(request, "articles/tag_detail.html", {"tag": tag, "page": page})


class ArchiveMixin:
    """Date archives of published articles, paginated without COUNT(*)."""

    date_field = "published_at"
    allow_empty = False
    paginate_by = PER_PAGE
    context_object_name = "articles"
    request: HttpRequest

    def get_queryset(self) -> QuerySet[Article]:
        # Plain: the views also read it for the dates of neighbouring periods.
        return Article.objects.published()

    # The context's date that names the page ("year", "month", "day"), and its format.
    period = ""
    period_format = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        period = context.get(self.period)
        context["heading"] = (
            f"Stories of {date_format(period, self.period_format)}" if period else "All stories"
        )
        return context

    def paginate_queryset(
        self, queryset: QuerySet[Article], page_size: int
    ) -> tuple[None, Any, list[Article], bool]:
        page = paginate(self.request, queryset.for_listing(), page_size)
        return None, page, page.items, page.has_previous or page.has_next


class ArticleArchiveIndex(ArchiveMixin, ArchiveIndexView):
    """The newest articles and the years with articles."""

    template_name = "articles/archive_index.html"


class ArticleYearArchive(ArchiveMixin, YearArchiveView):
    make_object_list = True
    period, period_format = "year", "Y"
    template_name = "articles/archive_year.html"


class ArticleMonthArchive(ArchiveMixin, MonthArchiveView):
    month_format = "%m"
    period, period_format = "month", "F Y"
    template_name = "articles/archive_month.html"


class ArticleDayArchive(ArchiveMixin, DayArchiveView):
    month_format = "%m"
    period, period_format = "day", "j F Y"
    template_name = "articles/archive_day.html"

    def get_dated_items(self) -> Any:
        # The last day the calendar holds (9999-12-31) has no next day: Django's
        # DayArchiveView raised OverflowError (a 500) where its year and month views say
        # 404 (found by tests/test_hostile_input.py).
        try:
            return super().get_dated_items()
        except OverflowError:
            raise Http404("Date out of range") from None


def speaker_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Everything one speaker is quoted as saying in published articles, newest first."""
    speaker = get_object_or_404(Speaker.objects.select_related("organisation", "author"), slug=slug)
    page = paginate(
        request, Quote.objects.published().filter(speaker=speaker).for_listing(), PER_PAGE
    )
    if not page.items:
        # Quoted only in unpublished articles: the speaker must not reveal itself.
        raise Http404("No published quotes")
    return render(request, "articles/speaker_detail.html", {"speaker": speaker, "page": page})


def quote_detail(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """A quote's permalink: the words, who said them, the source and the article."""
    quote = get_object_or_404(
        Quote.objects.published().select_related("speaker", "article"),
        article__slug=slug,
        key=key,
    )
    return render(
        request,
        "articles/quote_detail.html",
        {"quote": quote, "structured_data": structured_data.quote_page(quote, request)},
    )


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """What the publisher's relationship with an organisation is, and what it wrote
    about it: relationships, coverage and the quotes of its people, on one page."""
    organisation = get_object_or_404(Organisation, slug=slug)
    relationships = list(organisation.disclosures.register().order_by("-valid_from", "pk"))
    coverage = paginate(
        request,
        Article.objects.published().on_topic(organisation.tag_id).for_listing(),
        PER_PAGE,
    )
    quotes = Quote.objects.published().filter(speaker__organisation=organisation).for_listing()
    return render(
        request,
        "articles/organisation_detail.html",
        {
            "organisation": organisation,
            "current": [entry for entry in relationships if entry.is_current],
            "past": [entry for entry in relationships if not entry.is_current],
            "page": coverage,
            "quotes": list(quotes[:QUOTES_ON_ORGANISATION_PAGE]),
        },
    )


def disclosures(request: HttpRequest) -> HttpResponse:
    """The publisher's register of relationships, current and past, with dates."""
    entries = list(
        Disclosure.objects.register()
        .select_related("organisation")
        .order_by("organisation__name", "-valid_from", "pk")
    )
    return render(
        request,
        "articles/disclosures.html",
        {
            "current": [entry for entry in entries if entry.is_current],
            "past": [entry for entry in entries if not entry.is_current],
        },
    )
