"""Workflows that touch more than one model, or rules every writer must go through."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article
from articles.signals import article_went_live


def set_publication(
    article: Article,
    *,
    status: str,
    published_at: datetime.datetime | None,
    announce: bool = True,
) -> None:
    """The one place that sets an article's publishing state (the workflow issue adds the
    embargo check here). Does not save.

    `announce=False` is for content that is already public elsewhere (imports, demo data):
    an article live at once is marked as announced, so publish_scheduled does not send
    notifications for old news.
    """
    if status == Article.Status.PUBLISHED and published_at is None:
        raise ValidationError("A published article needs a publication time.")
    article.status = status
    article.published_at = published_at
    if not article.is_live:
        # Unpublished or rescheduled: its go-live side effects run again when it goes live.
        article.went_live_at = None
    elif not announce and article.went_live_at is None:
        article.went_live_at = timezone.now()


def go_live_due(*, limit: int) -> list[Article]:
    """Claim up to `limit` articles whose time has come, mark them live and, after each
    commit, send article_went_live. Each article is claimed by exactly one caller,
    however many run at once.
    """
    now = timezone.now()
    due = Article.objects.awaiting_go_live().order_by("published_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: lock the rows; a concurrent run skips them and takes others.
        with transaction.atomic():
            claimed = list(due.select_for_update(skip_locked=True)[:limit])
            Article.objects.filter(pk__in=[a.pk for a in claimed]).update(went_live_at=now)
            _announce_on_commit(claimed, now)
        return claimed
    # SQLite has no row locks. Each claim is a conditional UPDATE as the first statement of
    # its transaction: it takes the database write lock before reading, so a concurrent run
    # waits its turn and then finds the row taken (a read first could deadlock instead).
    claimed = []
    for article in due[:limit]:
        with transaction.atomic():
            if Article.objects.filter(pk=article.pk, went_live_at__isnull=True).update(
                went_live_at=now
            ):
                claimed.append(article)
                _announce_on_commit([article], now)
    return claimed


def _announce_on_commit(articles: list[Article], now: datetime.datetime) -> None:
    for article in articles:
        article.went_live_at = now
        transaction.on_commit(
            lambda article=article: article_went_live.send(sender=Article, article=article)
        )
