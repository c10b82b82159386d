from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from articles.models import Article
from authors.models import Author
from disclosures.models import AuthorInterest
from newsroom import structured_data
from newsroom.pagination import paginate

PER_PAGE = 20


def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    interests = AuthorInterest.objects.select_related("organisation")
    author = get_object_or_404(
        Author.objects.prefetch_related(
            "links", Prefetch("interests", queryset=interests), "photo_renditions"
        ),
        slug=slug,
    )
    page = paginate(request, Article.objects.published().by_author(author).for_listing(), PER_PAGE)
    return render(
        request,
        "authors/author_detail.html",
        {
            "author": author,
            "page": page,
            "structured_data": structured_data.author_profile(author, request),
        },
    )
