"""The rule this app exists for: what an article carries, as of its publication day.

An article tagged with an organisation's topic carries the register's entries about
that organisation valid on the day it is published, and its authors' interests in the
organisation carried that day (DisclosureQuerySet.valid_on,
AuthorInterestQuerySet.carried_on). The workflow records them when the article is
published (articles.services.record_disclosures), and from then on the article shows
what was true that day whatever happens to the registers."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from disclosures.models import AuthorInterest, Disclosure, RecordedDisclosure


def due(article: Any, at: datetime.datetime | None = None) -> list[RecordedDisclosure]:
    """What the register and the authors' interests say the article should carry if
    published at `at` (default: its publication time, or now if it has none), for the
    organisations it is tagged with, as unsaved rows.
    Three queries: tags, register entries, authors' interests."""
    day = timezone.localdate(at or article.published_at or timezone.now())
    tag_ids = [tag.pk for tag in article.tags.all()]
    register = (
        Disclosure.objects.register()
        .valid_on(day)
        .filter(organisation__tag__in=tag_ids)
        .select_related("organisation")
        .order_by("organisation__name", "valid_from", "pk")
    )
    interests = (
        AuthorInterest.objects.carried_on(day)
        .filter(author__bylines__article=article, organisation__tag__in=tag_ids)
        .select_related("organisation")
        .order_by("author__name", "organisation__name", "pk")
    )
    return RecordedDisclosure.copies_of(article, [*register, *interests])


class DisclosureRegister:
    """The register and some authors' interests, read once (two queries), to record the
    disclosures of many new articles at their publication with no query per article
    (seed_demo). Gives what due() gives, in its order."""

    def __init__(self, authors: Iterable[Any]) -> None:
        self.register = list(
            Disclosure.objects.register()
            .select_related("organisation")
            .order_by("organisation__name", "valid_from", "pk")
        )
        self.interests = list(
            AuthorInterest.objects.filter(author__in=list(authors))
            .select_related("organisation")
            .order_by("author__name", "organisation__name", "pk")
        )

    def due(
        self, article: Any, *, tag_ids: set[int], author_ids: set[int]
    ) -> list[RecordedDisclosure]:
        """The records of a saved, published article with these topics and bylines."""
        day = timezone.localdate(article.published_at)
        register = [
            entry
            for entry in self.register
            if entry.organisation.tag_id in tag_ids and entry.is_valid_on(day)
        ]
        interests = [
            interest
            for interest in self.interests
            if interest.author_id in author_ids
            and interest.organisation.tag_id in tag_ids
            and interest.is_carried_on(day)
        ]
        return RecordedDisclosure.copies_of(article, [*register, *interests])
