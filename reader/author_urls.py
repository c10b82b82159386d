"""The author pages and feeds, under the authors' URL namespace: pages that list
published articles live with the articles (docs/architecture.md)."""

from django.urls import path

from reader import feeds, views

app_name = "authors"

urlpatterns = [
    path("authors/<slug:slug>/", views.author_detail, name="detail"),
    path("authors/<slug:slug>/feed/", feeds.AuthorRssFeed.as_view(), name="rss"),
    path("authors/<slug:slug>/feed/atom/", feeds.AuthorAtomFeed.as_view(), name="atom"),
]
