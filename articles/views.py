from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from taggit.models import Tag

from articles.models import Article, Correction
from articles.services import article_pk_for_share_token
from newsroom.pagination import paginate

PER_PAGE = 20


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
    tag = get_object_or_404(Tag, slug=slug)
    page = paginate(request, Article.objects.published().filter(tags=tag).for_listing(), PER_PAGE)
    if not page.items:
        # A topic with nothing published yet must not reveal itself.
        return render(request, "404.html", status=404)
    return render(request, "articles/tag_detail.html", {"tag": tag, "page": page})
