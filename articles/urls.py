from django.urls import path

from articles import views
from articles.feeds import CorrectionsFeed

app_name = "articles"

urlpatterns = [
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("articles/<slug:slug>/quotes/<slug:key>/", views.quote_detail, name="quote"),
    path("topics/<slug:slug>/", views.tag_detail, name="tag"),
    path("preview/<str:token>/", views.shared_preview, name="shared_preview"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/feed/", CorrectionsFeed(), name="corrections_feed"),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("disclosures/", views.disclosures, name="disclosures"),
]
