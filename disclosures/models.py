"""Disclosures: the organisations the newsroom covers, the publisher's register of its
relationships with them, the authors' registers of interests, and what each article
carried when it was published. The rule "what an article carries as of its
publication day" lives here (rules.py)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag


class DisclosureQuerySet(models.QuerySet["Disclosure"]):
    def register(self) -> DisclosureQuerySet:
        """The publisher's register: relationships not written for one article."""
        return self.filter(article__isnull=True)

    def valid_on(self, day: datetime.date) -> DisclosureQuerySet:
        return self.filter(
            Q(valid_from__lte=day) & (Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        )


class DisclosureKind(models.TextChoices):
    PARTNER = "partner", "Partner"
    SPONSOR = "sponsor", "Sponsor"
    CLIENT = "client", "Client"
    ADVERTISER = "advertiser", "Advertiser"
    INVESTOR = "investor", "Investor"
    OWNER = "owner", "Owner"
    PERSONAL = "personal", "Personal interest of an author"


class Disclosure(models.Model):
    """A relationship between the publisher and an organisation (or an article's own)."""

    Kind = DisclosureKind

    organisation = models.ForeignKey(
        "Organisation",
        on_delete=models.PROTECT,
        related_name="disclosures",
        help_text="Articles tagged with this organisation's topic carry the disclosure.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    statement = models.CharField(
        max_length=500,
        help_text='Shown after "At time of writing", e.g. "Salesforce is a premier partner of …".',
    )
    valid_from = models.DateField(
        help_text="The first day it is true. Articles published from this day carry it."
    )
    valid_until = models.DateField(
        null=True, blank=True, help_text="The last day it is true. Leave empty while it lasts."
    )
    article = models.ForeignKey(
        "articles.Article",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_disclosures",
        help_text="Only for a disclosure that belongs to one article (an author's own interest).",
    )

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "pk"]
        # The tables of the app these models began in: moving apps renamed nothing.
        db_table = "articles_disclosure"
        indexes = [
            # Article page: register entries of the article's organisations.
            models.Index(fields=["organisation", "valid_from"], name="disclosure_org_from"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="disclosure_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DisclosureKind.values),
                name="disclosure_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.statement

    def is_valid_on(self, day: datetime.date) -> bool:
        """DisclosureQuerySet.valid_on for one loaded entry (seed_demo's bulk recording);
        tests/test_rule_pairs.py holds the two equal."""
        return self.valid_from <= day and (self.valid_until is None or self.valid_until >= day)

    @property
    def is_current(self) -> bool:
        """Not ended yet (an agreed relationship that has not begun counts as current)."""
        return self.valid_until is None or self.valid_until >= timezone.localdate()

    @property
    def has_begun(self) -> bool:
        return self.valid_from <= timezone.localdate()


class Organisation(models.Model):
    """An organisation the newsroom covers: what one topic (tag) stands for.

    An article tagged with the organisation's topic is about the organisation, so it
    carries the publisher's disclosures about it and counts as its coverage.
    """

    name = models.CharField(max_length=200, help_text='As readers know it, e.g. "Salesforce".')
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="The organisation page's address: /organisations/<slug>/.",
    )
    tag = models.OneToOneField(
        Tag,
        on_delete=models.PROTECT,
        related_name="organisation",
        help_text="The topic articles about it are tagged with (+ adds a new topic).",
    )
    description = models.TextField(blank=True, help_text="A sentence or two for its page.")
    url = models.URLField(blank=True, max_length=500, help_text="Its own website.")

    class Meta:
        ordering = ["name"]
        db_table = "articles_organisation"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:organisation", kwargs={"slug": self.slug})


class InterestKind(models.TextChoices):
    HOLDING = "holding", "Shareholding or other financial holding"
    BOARD = "board", "Board seat or advisory role"
    EMPLOYER = "employer", "Employer (current or former)"
    OTHER = "other", "Other interest"


class AuthorInterestQuerySet(models.QuerySet["AuthorInterest"]):
    def carried_on(self, day: datetime.date) -> AuthorInterestQuerySet:
        """Interests an article published on `day` must disclose: those held that day,
        and any employer the author had worked for by then (a former employer stays
        relevant after the job ends)."""
        held = Q(ended_on__isnull=True) | Q(ended_on__gte=day)
        return self.filter(Q(started_on__lte=day) & (held | Q(kind=InterestKind.EMPLOYER)))


class AuthorInterest(models.Model):
    """An entry in an author's register of interests, shown on the author page and,
    as of publication time, on their articles about the organisation."""

    Kind = InterestKind

    author = models.ForeignKey("authors.Author", on_delete=models.CASCADE, related_name="interests")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="author_interests",
        help_text="Their articles tagged with this organisation's topic carry the disclosure.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    statement = models.CharField(
        max_length=500,
        help_text='Shown on articles after "At time of writing", e.g. "Jane Doe owns shares '
        'in Salesforce". For an employer, word it so it stays true after the job ends.',
    )
    started_on = models.DateField(help_text="When the holding, seat or job began.")
    ended_on = models.DateField(
        null=True, blank=True, help_text="When it ended. Leave empty while it lasts."
    )

    objects = AuthorInterestQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "pk"]
        verbose_name = "interest"
        # The table of the app AuthorInterest began in: moving apps renamed nothing.
        db_table = "authors_authorinterest"
        indexes = [
            # Publishing: interests of an article's authors in its organisations.
            models.Index(fields=["author", "organisation"], name="interest_author_org"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="interest_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=InterestKind.values), name="interest_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.statement

    def is_carried_on(self, day: datetime.date) -> bool:
        """AuthorInterestQuerySet.carried_on for one loaded interest (seed_demo's bulk
        recording); tests/test_rule_pairs.py holds the two equal."""
        held = self.ended_on is None or self.ended_on >= day
        return self.started_on <= day and (held or self.kind == InterestKind.EMPLOYER)


class RecordedDisclosure(models.Model):
    """A disclosure as one article carries it, copied from the register or from an
    author's interests when the article is published. Later edits (or deletion) of
    the register entry do not touch it: the article keeps showing what was true
    when it was published."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="recorded_disclosures"
    )
    # Where it was copied from, while that still exists (for the admin's comparison).
    disclosure = models.ForeignKey(
        Disclosure, null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    interest = models.ForeignKey(
        AuthorInterest, null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    organisation_name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100, help_text='The kind, e.g. "Partner".')
    statement = models.CharField(max_length=500)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        db_table = "articles_recordeddisclosure"

    def __str__(self) -> str:
        return self.statement

    @classmethod
    def copy_of(cls, article: Any, source: Disclosure | AuthorInterest) -> RecordedDisclosure:
        """An unsaved record of a register entry or an author's interest, as it is now."""
        interest = source if isinstance(source, AuthorInterest) else None
        register = source if isinstance(source, Disclosure) else None
        return cls(
            article=article,
            disclosure=register,
            interest=interest,
            organisation_name=source.organisation.name,
            relationship=source.get_kind_display(),
            statement=source.statement,
            valid_from=source.valid_from if isinstance(source, Disclosure) else source.started_on,
            valid_until=source.valid_until if isinstance(source, Disclosure) else source.ended_on,
        )

    @classmethod
    def copies_of(
        cls, article: Any, sources: list[Disclosure | AuthorInterest]
    ) -> list[RecordedDisclosure]:
        """Unsaved records of these entries, numbered in their order."""
        copies = [cls.copy_of(article, source) for source in sources]
        for position, record in enumerate(copies):
            record.position = position
        return copies

    @property
    def source_id(self) -> tuple[str, int | None]:
        """Which register entry or interest this is, to compare records with what is due."""
        if self.interest_id is not None:
            return ("interest", self.interest_id)
        return ("register", self.disclosure_id)
