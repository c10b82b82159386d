from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from taggit.models import Tag

from articles.models import Article
from newsroom.pagination import paginate

PER_PAGE = 20


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published().for_page(), slug=slug)
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "body_html": article.body_html(),
            "disclosures": list(article.disclosures()),
        },
    )


def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A "Read more on" topic: its published articles, newest first."""
    tag = get_object_or_404(Tag, slug=slug)
    page = paginate(request, Article.objects.published().filter(tags=tag).for_listing(), PER_PAGE)
    if not page.items:
        # A topic with nothing published yet must not reveal itself.
        return render(request, "404.html", status=404)
    return render(request, "articles/tag_detail.html", {"tag": tag, "page": page})
