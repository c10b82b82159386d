from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from taggit.models import Tag

from articles.models import Article, Correction, Disclosure, Organisation, Quote, Speaker
from articles.services import article_pk_for_share_token
from newsroom.pagination import paginate

PER_PAGE = 20
# An organisation page shows its newest quotes; each links to its speaker's page for more.
QUOTES_ON_ORGANISATION_PAGE = 20


def render_article(
    request: HttpRequest, article: Article, *, preview: bool = False
) -> HttpResponse:
    """The article page. Previews use the same template, marked, unindexed and uncached."""
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "body_html": article.body_html(),
            "disclosures": list(article.disclosures()),
            "preview": preview,
        },
    )
    if preview:
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published().for_page(), slug=slug)
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


def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A "Read more on" topic: its published articles, newest first."""
    # With its organisation, if it stands for one (a reverse one-to-one: same query).
    tag = get_object_or_404(Tag.objects.select_related("organisation"), slug=slug)
    page = paginate(request, Article.objects.published().filter(tags=tag).for_listing(), PER_PAGE)
    if not page.items:
        # A topic with nothing published yet must not reveal itself.
        return render(request, "404.html", status=404)
    return render(request, "articles/tag_detail.html", {"tag": tag, "page": page})


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
    return render(request, "articles/quote_detail.html", {"quote": quote})


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """What the publisher's relationship with an organisation is, and what it wrote
    about it: relationships, coverage and the quotes of its people, on one page."""
    organisation = get_object_or_404(Organisation, slug=slug)
    relationships = list(organisation.disclosures.register().order_by("-valid_from", "pk"))
    coverage = paginate(
        request,
        Article.objects.published().filter(tags=organisation.tag_id).for_listing(),
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
