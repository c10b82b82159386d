from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from articles.models import Article
from newsroom.pagination import paginate

PER_PAGE = 20


def home(request: HttpRequest) -> HttpResponse:
    """Latest published articles, newest first."""
    page = paginate(request, Article.objects.published().for_listing(), PER_PAGE)
    return render(request, "home.html", {"page": page})
