from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, ArticleKind


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
    # A card in a listing of its own (h2), in a section of a page (h3), as the lead, or
    # on its author's page (dated, without the byline).
    card = RenderedHTMLField()
    section_card = RenderedHTMLField()
    lead_card = RenderedHTMLField()
    dated_card = RenderedHTMLField()
    card_picture = RenderedHTMLField()
    byline = RenderedHTMLField()
    # The keys of the article's topics, stored with its parts (topics changed render
    # them again): its page finds its related stories among each topic's newest
    # (reader.views.related_html) without another query.
    topics = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"Stored parts of article {self.article_id}"


class MenuItem(models.Model):
    """One entry of the site's section menu, shown in the header of every public page.
    Editors choose what it points to and its place; the menu is read once per content
    generation (reader.navigation), so it costs a page no query."""

    class Target(models.TextChoices):
        HOME = "home", "Home (latest stories)"
        ARCHIVE = "archive", "Archive"
        TOPIC = "topic", "A topic"
        KIND = "kind", "A kind of work"
        PAGE = "page", "A page"

    target = models.CharField(max_length=10, choices=Target.choices)
    topic = models.ForeignKey(
        "taggit.Tag",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The topic whose page the item opens (when it points to a topic).",
    )
    kind = models.CharField(
        max_length=20,
        choices=ArticleKind.choices,
        blank=True,
        help_text="The kind of work whose page the item opens (when it points to a kind).",
    )
    page = models.ForeignKey(
        "pages.Page",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The page the item opens (when it points to a page).",
    )
    label = models.CharField(
        max_length=40,
        blank=True,
        help_text="The words in the menu. Leave empty to use the name of what it points to.",
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Place in the menu: lower numbers come first."
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            # Exactly the field its target needs is filled, so every item has an address.
            models.CheckConstraint(
                name="menu_item_points_somewhere",
                condition=(
                    models.Q(target="topic", topic__isnull=False, kind="", page__isnull=True)
                    | models.Q(target="kind", topic__isnull=True, page__isnull=True)
                    & ~models.Q(kind="")
                    | models.Q(target="page", topic__isnull=True, kind="", page__isnull=False)
                    | models.Q(
                        target__in=["home", "archive"],
                        topic__isnull=True,
                        kind="",
                        page__isnull=True,
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        # The check constraint makes the target's own field filled.
        if self.target == self.Target.TOPIC and self.topic:
            return reverse("articles:tag", args=[self.topic.slug])
        if self.target == self.Target.KIND:
            return reverse("articles:kind", args=[self.kind])
        if self.target == self.Target.PAGE and self.page:
            return self.page.get_absolute_url()
        if self.target == self.Target.ARCHIVE:
            return reverse("articles:archive")
        return reverse("home")

    def clean(self) -> None:
        needed = {self.Target.TOPIC: "topic", self.Target.KIND: "kind", self.Target.PAGE: "page"}
        errors = {}
        for target, field in needed.items():
            filled = bool(getattr(self, field if field == "kind" else f"{field}_id"))
            if target == self.target and not filled:
                errors[field] = f"Choose the {field} this item opens."
            elif target != self.target and filled:
                errors[field] = f"Leave this empty: the item opens {self.get_target_display()}."
        if errors:
            raise ValidationError(errors)

    @property
    def name(self) -> str:
        """The label, or the name of what the item opens."""
        if self.label:
            return self.label
        if self.target == self.Target.TOPIC and self.topic:
            return str(self.topic.name)
        if self.target == self.Target.KIND:
            return self.get_kind_display()
        if self.target == self.Target.PAGE and self.page:
            return self.page.title
        return "Archive" if self.target == self.Target.ARCHIVE else "Home"
