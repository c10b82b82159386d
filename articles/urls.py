from django.urls import path

from articles import views
from articles.feeds import CorrectionsFeed

app_name = "articles"

urlpatterns = [
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("topics/<slug:slug>/", views.tag_detail, name="tag"),
    path("preview/<str:token>/", views.shared_preview, name="shared_preview"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/feed/", CorrectionsFeed(), name="corrections_feed"),
]
