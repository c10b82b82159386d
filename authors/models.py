import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from articles.images import (
    PictureField,
    generated_upload_path,
    stored_extension,
    validate_image_file,
)


def author_photo_path(instance: "Author", filename: str) -> str:
    return generated_upload_path("authors", stored_extension(instance.photo, filename))


class Author(models.Model):
    name = models.CharField(max_length=200, help_text="As shown in the byline.")
    slug = models.SlugField(
        max_length=100, unique=True, help_text="The author page's address: /authors/<slug>/."
    )
    job_title = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True, help_text="A short biography shown on the author page.")
    photo = PictureField(
        upload_to=author_photo_path,
        blank=True,
        validators=[validate_image_file],
        width_field="photo_width",
        height_field="photo_height",
        help_text="Profile picture shown next to the byline. JPEG, PNG or WebP.",
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    expertise = models.CharField(
        max_length=500, blank=True, help_text="Beats and areas of expertise, separated by commas."
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text="The staff account of this author, if they have one.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("authors:detail", kwargs={"slug": self.slug})

    @property
    def expertise_list(self) -> list[str]:
        return [item.strip() for item in self.expertise.split(",") if item.strip()]


class AuthorLink(models.Model):
    """A public profile of an author elsewhere (schema.org sameAs)."""

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(max_length=100, help_text="For example: LinkedIn, Mastodon, Website.")
    url = models.URLField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.author}: {self.label}"


class InterestKind(models.TextChoices):
    HOLDING = "holding", "Shareholding or other financial holding"
    BOARD = "board", "Board seat or advisory role"
    EMPLOYER = "employer", "Employer (current or former)"
    OTHER = "other", "Other interest"


class AuthorInterestQuerySet(models.QuerySet["AuthorInterest"]):
    def carried_on(self, day: datetime.date) -> "AuthorInterestQuerySet":
        """Interests an article published on `day` must disclose: those held that day,
        and any employer the author had worked for by then (a former employer stays
        relevant after the job ends)."""
        held = Q(ended_on__isnull=True) | Q(ended_on__gte=day)
        return self.filter(Q(started_on__lte=day) & (held | Q(kind=InterestKind.EMPLOYER)))


class AuthorInterest(models.Model):
    """An entry in an author's register of interests, shown on the author page and,
    as of publication time, on their articles about the organisation."""

    Kind = InterestKind

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="interests")
    organisation = models.ForeignKey(
        "articles.Organisation",
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
