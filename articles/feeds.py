import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse

from articles.models import Correction

FEED_ITEMS = 50


class CorrectionsFeed(Feed):
    """Corrections and updates, newest first: the RSS twin of /corrections/."""

    item_guid_is_permalink = False

    def title(self) -> str:
        return f"{settings.SITE_NAME}: corrections and updates"

    def link(self) -> str:
        return reverse("articles:corrections")

    def description(self) -> str:
        return f"Corrections, clarifications and updates to {settings.SITE_NAME} stories."

    def items(self) -> QuerySet[Correction]:
        return Correction.objects.public()[:FEED_ITEMS]

    def item_title(self, item: Correction) -> str:
        return f"{item.get_kind_display()}: {item.article.headline}"

    def item_description(self, item: Correction) -> str:
        return item.text

    def item_link(self, item: Correction) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Correction) -> str:
        return f"correction-{item.pk}"

    def item_pubdate(self, item: Correction) -> datetime.datetime:
        return item.published_at
