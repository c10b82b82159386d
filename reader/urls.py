from django.urls import path, re_path, register_converter

from reader import feeds, views


class TopicSlugConverter:
    """Topic slugs in any script: taggit keeps letters beyond ASCII ("日本", "café"),
    which Django's slug converter would refuse, making every page linking the topic fail."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TopicSlugConverter, "topic")

app_name = "articles"

urlpatterns = [
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("articles/<slug:slug>/quotes/<slug:key>/", views.quote_detail, name="quote"),
    path("topics/<topic:slug>/", views.tag_detail, name="tag"),
    path("topics/<topic:slug>/feed/", feeds.TopicRssFeed.as_view(), name="tag_rss"),
    path("topics/<topic:slug>/feed/atom/", feeds.TopicAtomFeed.as_view(), name="tag_atom"),
    path("kinds/<slug:kind>/", views.kind_detail, name="kind"),
    path("feed/", feeds.SiteRssFeed.as_view(), name="rss"),
    path("feed/atom/", feeds.SiteAtomFeed.as_view(), name="atom"),
    # Date archives: four-digit years, two-digit months and days, one address each.
    path("archive/", views.ArticleArchiveIndex.as_view(), name="archive"),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/$", views.ArticleYearArchive.as_view(), name="archive_year"
    ),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        views.ArticleMonthArchive.as_view(),
        name="archive_month",
    ),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/$",
        views.ArticleDayArchive.as_view(),
        name="archive_day",
    ),
    path("preview/<str:token>/", views.shared_preview, name="shared_preview"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/feed/", feeds.CorrectionsFeed(), name="corrections_feed"),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("disclosures/", views.disclosures, name="disclosures"),
]
