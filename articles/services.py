"""Workflows that span several models. Keyword-only, so call sites read clearly.

Disclosures (issue 5, point 6): an article carries the register entries and the
authors' interests valid on its publication day for the organisations it is
tagged with. They are copied into RecordedDisclosure rows when the article is
saved as published, re-taken while it is not yet live, and frozen once its
publication time has passed, so later edits of the register cannot rewrite
what readers were told.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from articles.models import Article, RecordedDisclosure


@transaction.atomic
def record_disclosures(*, article: Article) -> bool:
    """Record the disclosures the article carries; call after its tags and bylines
    are saved (the admin does, in save_related). Returns True when it recorded.

    - Frozen (recorded for a publication time that has passed): nothing changes.
    - Published (live or scheduled): the due disclosures replace any earlier record.
    - Draft, in review or archived, and never live: any record is dropped, since
      the publication time, tags and register may all change before it goes out.
    """
    if article.disclosures_frozen:
        return False
    RecordedDisclosure.objects.filter(article=article).delete()
    as_of = article.published_at if article.status == Article.Status.PUBLISHED else None
    if as_of is not None:
        RecordedDisclosure.objects.bulk_create(article.due_disclosures())
    # update(), not save(): recording is not an editorial change, so the version
    # used for safe concurrent editing stays as it is.
    Article.objects.filter(pk=article.pk).update(disclosures_as_of=as_of)
    article.disclosures_as_of = as_of
    return as_of is not None


def record_upcoming_disclosures() -> int:
    """Re-take the disclosures of every scheduled article, after the register or an
    author's interests changed: they must go out with the register as it stands
    when they go live. Returns how many were re-taken."""
    scheduled = Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gt=timezone.now()
    ).prefetch_related("tags")
    return sum(record_disclosures(article=article) for article in scheduled)
