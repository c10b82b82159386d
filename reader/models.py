from typing import Any

from django.db import models
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article


class RenderedHTMLField(models.TextField):
    """HTML our autoescaping templates rendered (reader.fragments is its only writer),
    read back as safe to place in a page."""

    def from_db_value(self, value: str | None, *args: Any) -> SafeString | None:
        return None if value is None else mark_safe(value)  # noqa: S308


class StoredArticle(models.Model):
    """The parts of an article's public pages that depend only on the article and what
    it links to, rendered when they change rather than when a reader asks
    (reader.fragments): the page's head and article, its card as each listing shows it,
    and the card's picture and byline (search puts its own snippet between them).
    A missing row, or one rendered by other templates or settings (`fingerprint`), or
    before the article went live, is rendered again on the next read."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="stored"
    )
    fingerprint = models.CharField(max_length=32)
    # The article's version when rendered: a write that bypassed the receivers but
    # moved the version (any editorial save does) outdates the row too.
    article_version = models.PositiveIntegerField()
    rendered_at = models.DateTimeField()
    head = RenderedHTMLField()
    main = RenderedHTMLField()
    # A card in a listing of its own (h2), in a section of a page (h3), or as the lead.
    card = RenderedHTMLField()
    section_card = RenderedHTMLField()
    lead_card = RenderedHTMLField()
    card_picture = RenderedHTMLField()
    byline = RenderedHTMLField()

    def __str__(self) -> str:
        return f"Stored parts of article {self.article_id}"
