"""Sourced quotations and the people and organisations who said them. A quote belongs
to an article and is placed in its body with [[quote:<key>]]; readers see it when they
may see its article."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class QuoteQuerySet(models.QuerySet["Quote"]):
    def published(self) -> QuoteQuerySet:
        """Quotes readers may see: those of published articles (the one rule)."""
        # The article's own rule, reached through the relation: this app sits below
        # articles and does not import it (docs/architecture.md).
        articles: Any = self.model._meta.get_field("article").related_model
        return self.filter(article__in=articles.objects.published())

    def for_listing(self) -> QuoteQuerySet:
        """What a quote in a list needs: its speaker and article, newest article first."""
        return self.select_related("speaker", "article").order_by(
            "-article__published_at", "article_id", "position", "pk"
        )


class QuoteSourceKind(models.TextChoices):
    LETTER = "letter", "Letter"
    STATEMENT = "statement", "Statement"
    INTERVIEW = "interview", "Interview"
    FILING = "filing", "Filing"
    SOCIAL = "social", "Social media post"
    SPEECH = "speech", "Speech"
    OTHER = "other", "Other"


class Quote(models.Model):
    """A sourced quotation, placed in its article's body with [[quote:<key>]]."""

    SourceKind = QuoteSourceKind

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="quotes")
    key = models.SlugField(
        max_length=50,
        help_text="Marker name: [[quote:<key>]] places this quote in the body.",
    )
    text = models.TextField(help_text="The quoted words, exactly as said or written.")
    # Speaker and kind of source may wait while the article is a draft: the publish
    # checklist requires both (services.checklist).
    speaker = models.ForeignKey(
        "Speaker",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        help_text="Who said or wrote it: a person, a group or an organisation (+ adds one). "
        "Required to publish.",
    )
    source_kind = models.CharField(
        max_length=20, choices=SourceKind.choices, blank=True, help_text="Required to publish."
    )
    source_title = models.CharField(
        max_length=300, blank=True, help_text='For example "Letter to Marc Benioff".'
    )
    reported_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who first reported the source, if not us.",
    )
    source_url = models.URLField(blank=True, max_length=500)
    said_on = models.DateField(null=True, blank=True)
    context = models.TextField(blank=True, help_text="Editor's note on the circumstances.")
    is_pull_quote = models.BooleanField(
        default=False, help_text="Shown as a pull quote rather than placed in the body."
    )
    position = models.PositiveSmallIntegerField(default=0)
    text_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the words were last changed after the article was published.",
    )
    previous_text = models.TextField(
        blank=True,
        editable=False,
        help_text="The words as readers saw them before that change.",
    )

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        # The table of the app Quote began in: moving apps renamed nothing.
        db_table = "articles_quote"
        indexes = [
            # Speaker page: this speaker's quotes (joined to the published articles).
            models.Index(fields=["speaker", "article"], name="quote_speaker_article"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["article", "key"], name="unique_quote_key"),
            models.CheckConstraint(
                condition=Q(source_kind__in=[*QuoteSourceKind.values, ""]),
                name="quote_source_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        words = self.text if len(self.text) <= 60 else f"{self.text[:57]}..."
        return f"{self.speaker or 'No speaker yet'}: {words}"

    def get_absolute_url(self) -> str:
        """The quote's permalink page."""
        return reverse("articles:quote", kwargs={"slug": self.article.slug, "key": self.key})

    @property
    def in_context_url(self) -> str:
        """The quote in its place in the article."""
        return f"{self.article.get_absolute_url()}#quote-{self.key}"

    @property
    def attribution(self) -> str:
        """'Salesforce employees, letter to Marc Benioff, as reported by BuzzFeed'."""
        parts = [self.speaker.name if self.speaker else "No speaker yet"]
        if self.source_title:
            parts.append(self.source_title)
        if self.reported_by:
            parts.append(f"as reported by {self.reported_by}")
        return ", ".join(parts)

    def note_text_change(self, previous_text: str) -> None:
        """Remember that readers saw other words (call before saving the new text)."""
        self.previous_text = previous_text
        self.text_changed_at = timezone.now()


class SpeakerKind(models.TextChoices):
    PERSON = "person", "Person"
    GROUP = "group", "Group of people"
    ORGANISATION = "organisation", "Organisation"


def speaker_schema_type(kind: str) -> str:
    """The schema.org type of a speaker of this kind."""
    return "Person" if kind == SpeakerKind.PERSON else "Organization"


class Speaker(models.Model):
    """Who said or wrote quoted words; has a page listing all of them."""

    Kind = SpeakerKind

    name = models.CharField(
        max_length=200,
        help_text='As the attribution names them, e.g. "Marc Benioff" or "Salesforce employees".',
    )
    slug = models.SlugField(
        max_length=100, unique=True, help_text="The speaker page's address: /speakers/<slug>/."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    description = models.CharField(
        max_length=300, blank=True, help_text='Who they are, e.g. "Chief executive of Salesforce".'
    )
    organisation = models.ForeignKey(
        "disclosures.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="speakers",
        help_text="The organisation they speak for or belong to (itself, for an organisation); "
        "their quotes then appear on its page.",
    )
    author = models.OneToOneField(
        "authors.Author",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="speaker",
        help_text="When the speaker is one of our authors.",
    )

    class Meta:
        ordering = ["name"]
        db_table = "articles_speaker"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SpeakerKind.values), name="speaker_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:speaker", kwargs={"slug": self.slug})

    @property
    def schema_type(self) -> str:
        return speaker_schema_type(self.kind)
