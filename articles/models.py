from __future__ import annotations

import datetime
import uuid
from collections.abc import Collection
from typing import Any

import reversion
from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from django.db.models import F, Prefetch, Q, Value, Window, prefetch_related_objects
from django.db.models.functions import RowNumber
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItemBase

from articles.images import (
    PictureField,
    generated_upload_path,
    rendition_upload_path,
    stored_extension,
    validate_image_file,
)
from articles.rendering import marker_keys, render_body, render_markdown, validate_markdown
from authors.models import Author, AuthorInterest


def image_upload_path(instance: Image, filename: str) -> str:
    return generated_upload_path("images", stored_extension(instance.file, filename))


class Image(models.Model):
    """An uploaded picture with the words that travel with it."""

    key = models.SlugField(
        max_length=100,
        unique=True,
        help_text="Short name used to place the image in a body: [[image:<key>]].",
    )
    file = PictureField(
        upload_to=image_upload_path,
        validators=[validate_image_file],
        width_field="width",
        height_field="height",
        help_text="JPEG, PNG, WebP or GIF. The stored file gets a generated name.",
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt_text = models.CharField(
        max_length=300,
        blank=True,
        help_text="What the picture shows, for readers who cannot see it.",
    )
    is_decorative = models.BooleanField(
        default=False,
        help_text="Tick only if the picture adds nothing to the text (then no alt text is needed).",
    )
    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(max_length=200, blank=True, help_text='For example "WEF".')
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.caption or self.alt_text or self.key


class RenditionCrop(models.TextChoices):
    ORIGINAL = "original", "Original shape"
    WIDE = "16x9", "16:9"
    STANDARD = "4x3", "4:3"
    SQUARE = "1x1", "1:1"


class RenditionFormat(models.TextChoices):
    WEBP = "webp", "WebP"
    JPEG = "jpeg", "JPEG"


class Rendition(models.Model):
    """A resized (and possibly cropped) copy of a picture, made once when the picture is
    saved (articles.renditions) and reused by every page, feed and structured data.
    The picture is either an Image or an author's photo: exactly one of the two keys
    is set."""

    Crop = RenditionCrop
    Format = RenditionFormat

    image = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.CASCADE, related_name="renditions"
    )
    author = models.ForeignKey(
        Author,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photo_renditions",
        help_text="Set for a rendition of this author's photo (instead of an image).",
    )
    crop = models.CharField(max_length=10, choices=Crop.choices)
    format = models.CharField(max_length=10, choices=Format.choices)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    file = models.FileField(upload_to=rendition_upload_path, max_length=200)
    file_size = models.PositiveIntegerField(help_text="Bytes; feeds announce it with the image.")
    source_name = models.CharField(
        max_length=200, help_text="The image file this was made from; a new upload replaces it."
    )

    class Meta:
        ordering = ["crop", "format", "width"]
        constraints = [
            # One rendition per shape, size and format; also serves the image's prefetch.
            models.UniqueConstraint(
                fields=["image", "crop", "width", "format"], name="unique_rendition"
            ),
            # The same for an author's photo; serves the bylines' and author page's prefetch.
            models.UniqueConstraint(
                fields=["author", "crop", "width", "format"], name="unique_photo_rendition"
            ),
            models.CheckConstraint(
                condition=Q(image__isnull=False, author__isnull=True)
                | Q(image__isnull=True, author__isnull=False),
                name="rendition_of_one_picture",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.image or self.author} {self.crop} {self.width}w {self.format}"


# Prefetched renditions in no SQL order: pages pick a picture's shape and format and
# sort by width in Python (renditions_of), so an ORDER BY would only cost its compiling
# on every page.
UNSORTED_RENDITIONS = Rendition.objects.order_by()


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self) -> ArticleQuerySet:
        """The one visibility rule: published, its time has come and no embargo holds it."""
        now = timezone.now()
        return self.filter(
            Q(embargo_until__isnull=True) | Q(embargo_until__lte=now),
            status=Article.Status.PUBLISHED,
            published_at__lte=now,
        )

    def by_author(self, author: Author | int) -> ArticleQuerySet:
        """The author's articles newest first, for the author page after published().
        Ordered and bounded by the byline's copy of the publication time, so PostgreSQL
        reads them from byline_author_published newest first and fetches each article by
        primary key to apply the visibility rule, rather than walking every article
        until enough are the author's."""
        return self.filter(
            bylines__author=author, bylines__published_at__lte=timezone.now()
        ).order_by("-bylines__published_at", "-pk")

    def on_topic(self, tag: Tag | int) -> ArticleQuerySet:
        """The topic's articles newest first, for the topic page after published(), read
        from tagged_article_tag_published as by_author reads an author's."""
        return self.filter(
            taggedarticle__tag=tag, taggedarticle__published_at__lte=timezone.now()
        ).order_by("-taggedarticle__published_at", "-pk")

    def next_visibility_change(self) -> datetime.datetime | None:
        """The earliest future moment published() may gain an article: a scheduled time
        or an embargo's end. An article goes live at the later of its two, so the earlier
        of these minima is never after it. Two indexed queries: article_status_published
        and article_embargo_until, so scheduled articles appear without cron."""
        now = timezone.now()
        pending = self.filter(status=Article.Status.PUBLISHED)
        moments = [
            pending.filter(**{f"{field}__gt": now})
            .order_by(field)
            .values_list(field, flat=True)
            .first()
            for field in ("published_at", "embargo_until")
        ]
        return min((moment for moment in moments if moment is not None), default=None)

    def editable_by(self, user: AbstractUser | AnonymousUser) -> ArticleQuerySet:
        """Editors see every article; writers see the ones they created or are bylined on."""
        if user.has_perm("articles.publish_article"):
            return self
        return self.filter(Q(created_by=user.pk) | Q(bylines__author__user=user.pk)).distinct()

    def awaiting_go_live(self) -> ArticleQuerySet:
        """Live articles whose go-live side effects (cache purge, notifications) have not run."""
        return self.published().filter(went_live_at__isnull=True)

    def with_bylines(self) -> ArticleQuerySet:
        return self.prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author"))
        )

    def for_listing(self) -> ArticleQuerySet:
        """What an article card needs: lead image with its renditions, ordered authors."""
        return (
            self.select_related("lead_image")
            .prefetch_related(Prefetch("lead_image__renditions", queryset=UNSORTED_RENDITIONS))
            .with_bylines()
            # Only search reads the stored vector; pages need not carry it.
            .defer("search_vector")
        )

    def for_page(self) -> ArticleQuerySet:
        """What the article page needs, in a fixed number of queries (and the byline
        photos: Article.prefetch_byline_photos)."""
        # taggit ships no types: to the plugin, "tags" is no relation to prefetch.
        return self.for_listing().prefetch_related(  # type: ignore[misc]
            "tags",
            Prefetch("quotes", queryset=Quote.objects.select_related("speaker")),
            Prefetch("corrections", queryset=Correction.objects.order_by("published_at")),
            "recorded_disclosures",
            "own_disclosures",
            "citations",
        )

    def related_to(self, article: Article) -> ArticleQuerySet:
        """Other articles sharing a topic with this one, newest first. Reads the
        article's (prefetched) tags; one query, no DISTINCT needed."""
        tag_ids = [tag.pk for tag in article.tags.all()]
        if not tag_ids:
            return self.none()
        sharing = TaggedArticle.objects.filter(tag_id__in=tag_ids).values("content_object_id")
        return self.filter(pk__in=sharing).exclude(pk=article.pk).order_by("-published_at", "-pk")

    def newest_by_topic(self, topic_ids: list[int], per_topic: int) -> ArticleQuerySet:
        """Each topic's `per_topic` newest articles, in one query (a UNION ALL of one
        LIMITed part per topic, each served by walking article_status_published and
        probing unique_article_tag, as a topic page is: a window over every article of
        a topic cost seconds at a million articles); every row carries the `topic_id`
        it was picked for."""
        if not topic_ids:
            return self.none()
        if not connection.features.supports_slicing_ordering_in_compound:
            # SQLite (the small, embedded case) has no LIMIT in a UNION's parts: a window
            # per topic instead.
            topic = F("taggedarticle__tag_id")
            return (
                self.filter(taggedarticle__tag_id__in=topic_ids)
                .annotate(
                    topic_id=topic,
                    topic_rank=Window(
                        RowNumber(),
                        partition_by=topic,
                        order_by=[F("published_at").desc(), F("pk").desc()],
                    ),
                )
                .filter(topic_rank__lte=per_topic)
                .order_by("topic_id", "topic_rank")
            )
        parts = [
            self.filter(taggedarticle__tag_id=topic_id)
            .annotate(topic_id=Value(topic_id, output_field=models.BigIntegerField()))
            .order_by("-published_at", "-pk")[:per_topic]
            for topic_id in topic_ids
        ]
        return parts[0].union(*parts[1:], all=True)


# The article's publication time, copied onto its byline and topic links so an author's
# or a topic's page reads its newest articles straight from the link's own index (issue
# 7). Kept equal to Article.published_at by database triggers (migration articles
# 0001_squashed_0028_markdown_limits), whatever writes the rows: code need not set it.
LINK_PUBLISHED_AT_HELP = "A copy of the article's publication time, kept by the database."


def link_published_at() -> models.DateTimeField:
    return models.DateTimeField(
        null=True, blank=True, editable=False, help_text=LINK_PUBLISHED_AT_HELP
    )


class TaggedArticle(TaggedItemBase):
    """A real foreign key (not a generic relation) so tag listings can use indexes."""

    # taggit's tag, without its own index: unique_article_tag and
    # tagged_article_tag_published both lead with it.
    tag: models.ForeignKey[Tag, Tag] = models.ForeignKey(
        Tag, related_name="%(app_label)s_%(class)s_items", on_delete=models.CASCADE, db_index=False
    )
    content_object: models.ForeignKey[Article, Article] = models.ForeignKey(
        "Article", on_delete=models.CASCADE
    )
    published_at = link_published_at()

    class Meta:
        constraints = [
            # One tag once per article; also serves "articles with this tag" lookups.
            models.UniqueConstraint(fields=["tag", "content_object"], name="unique_article_tag"),
        ]
        indexes = [
            # Topic page: the topic's articles newest first (ArticleQuerySet.on_topic).
            models.Index(
                fields=["tag", "-published_at", "-content_object"],
                name="tagged_article_tag_published",
            ),
        ]


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class ArticleKind(models.TextChoices):
    NEWS = "news", "News"
    ANALYSIS = "analysis", "Analysis"
    OPINION = "opinion", "Opinion"
    REVIEW = "review", "Review"
    SPONSORED = "sponsored", "Sponsored"


# taggit ships no types: to the plugin, TaggedArticle (on taggit's base) is no model.
class Article(models.Model):  # type: ignore[django-manager-missing]
    Status = ArticleStatus
    Kind = ArticleKind

    headline = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The article's address: /articles/<slug>/. Keep it stable once published.",
    )
    standfirst = models.TextField(
        blank=True,
        help_text="The summary under the headline; also the meta description.",
    )
    body = models.TextField(
        blank=True,
        help_text=(
            "Markdown: a blank line between paragraphs; ## for a heading; - for a bullet; "
            "**bold**, *italic*, [words](https://link). Place a quote with [[quote:<key>]] "
            "and an image with [[image:<key>]], each on a line of its own."
        ),
        validators=[validate_markdown],
    )
    kind = models.CharField(
        max_length=20,
        choices=Kind.choices,
        blank=True,
        help_text="The kind of work, shown above the headline. Required to publish.",
    )
    dateline = models.CharField(
        max_length=100,
        blank=True,
        help_text='Where the story was reported from, e.g. "SAN FRANCISCO". Leave empty if none.',
    )
    backstory = models.TextField(
        blank=True,
        help_text=(
            '"How we reported this" (Markdown): sources, methods, why the story was written. '
            "Shown at the end of the article."
        ),
        validators=[validate_markdown],
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When readers may see it. A time in the future schedules the article.",
    )
    updated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The public 'Updated' time: set only for substantive changes.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    authors: models.ManyToManyField[Author, Byline] = models.ManyToManyField(
        Author, through="Byline", related_name="articles"
    )
    tags = TaggableManager(
        through=TaggedArticle,
        blank=True,
        verbose_name="Topics",
        help_text='"Read more on" topics, separated by commas. Organisations are topics too.',
    )
    lead_image = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.PROTECT, related_name="lead_of"
    )
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Bumped on every save, for safe concurrent editing.",
    )
    uid = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="Stable identity across exports and imports: never changes, unlike the slug.",
    )
    went_live_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When publish_scheduled ran the go-live side effects; empty until then.",
    )
    # Kept current by articles.search on PostgreSQL (GIN index in migration
    # 0001_squashed_0028_markdown_limits); stays empty on SQLite, where search falls
    # back to icontains.
    search_vector = SearchVectorField(null=True, editable=False)
    embargo_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Nothing can make the article visible before this time, whatever its status.",
    )
    embargo_by = models.CharField(
        max_length=200, blank=True, help_text="Who imposed the embargo, e.g. a press office."
    )
    embargo_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="Who saved last: named when a concurrent edit is refused.",
    )
    disclosures_as_of = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=(
            "The publication time the article's disclosures were recorded for. Once that time "
            "has passed, later edits of the register no longer change them."
        ),
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            # Home page and every public listing: published, newest first.
            models.Index(fields=["status", "-published_at"], name="article_status_published"),
            # The admin's article list (every status, in Meta.ordering) and its date
            # drill-down (first and last publication times, the years).
            models.Index(fields=["-published_at", "-id"], name="article_newest_first"),
            # publish_scheduled: awaiting_go_live(), every minute; stays tiny however old the site.
            models.Index(
                fields=["published_at"],
                condition=Q(status="published", went_live_at__isnull=True),
                name="article_awaiting_go_live",
            ),
            # Page cache: the next embargo to end (next_visibility_change). Few rows carry
            # an embargo, so the index stays small.
            models.Index(
                fields=["embargo_until"],
                condition=Q(embargo_until__isnull=False),
                name="article_embargo_until",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ArticleStatus.values),
                name="article_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["", *ArticleKind.values]),
                name="article_kind_valid",
            ),
            # A published article always has a publication time.
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_time",
            ),
            models.CheckConstraint(
                condition=Q(updated_at__isnull=True)
                | Q(published_at__isnull=False, updated_at__gte=models.F("published_at")),
                name="article_updated_after_published",
            ),
        ]
        permissions = [
            ("publish_article", "Can publish, schedule, unpublish and archive any article"),
        ]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            self.version += 1
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        self.remember_old_slug()

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    # The slug as loaded (from_db) or last saved; unset on an article never stored.
    _stored_slug: str | None

    @classmethod
    def from_db(
        cls, db: str | None, field_names: Collection[str], values: Collection[Any]
    ) -> Article:
        article = super().from_db(db, field_names, values)
        # The slug as stored, so a save can tell that an editor changed it.
        article._stored_slug = article.__dict__.get("slug")
        return article

    def remember_old_slug(self) -> None:
        """After a slug change the old address keeps working: it answers 301 to the new one."""
        old = getattr(self, "_stored_slug", None)
        if old and old != self.slug:
            ArticleSlugHistory.objects.update_or_create(slug=old, defaults={"article": self})
        # The article may take back an old slug: it is its address again, not a redirect.
        ArticleSlugHistory.objects.filter(slug=self.slug).delete()
        self._stored_slug = self.slug

    @property
    def is_embargoed(self) -> bool:
        return self.embargo_until is not None and self.embargo_until > timezone.now()

    @property
    def is_live(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
            and not self.is_embargoed
        )

    @property
    def goes_live_at(self) -> datetime.datetime | None:
        """When readers will first see it: its publication time, or the embargo's end if later."""
        if self.status != self.Status.PUBLISHED or self.published_at is None:
            return None
        return max(self.published_at, self.embargo_until or self.published_at)

    @property
    def state_label(self) -> str:
        """What an editor needs to know at a glance: draft, in review, scheduled, live..."""
        go_live = self.goes_live_at
        if go_live is not None and not self.is_live:
            return f"Scheduled for {timezone.localtime(go_live):%d %b %Y %H:%M}"
        if go_live is not None:
            return "Live"
        return str(self.get_status_display())

    @property
    def word_count(self) -> int:
        return len(self.body.split())

    @property
    def reading_minutes(self) -> int:
        """At about 230 words a minute, rounded up, and at least one."""
        return max(1, -(-self.word_count // 230))

    @property
    def ordered_authors(self) -> list[Author]:
        return [byline.author for byline in self.bylines.all()]

    def prefetch_byline_photos(self) -> None:
        """The renditions of its authors' photos (the article page shows them; listings
        do not), in one query, and in none when no author has a photo: the (prefetched)
        bylines tell, so a page without one skips the query."""
        authors = [author for author in self.ordered_authors if author.photo]
        prefetch_related_objects(
            authors, Prefetch("photo_renditions", queryset=UNSORTED_RENDITIONS)
        )

    def body_html(self, request: HttpRequest | None = None) -> SafeString:
        """The rendered body; quotes come from the (prefetched) quotes, images in one query.
        The request gives the site's address to the quotes' absolute permalinks."""
        keys = marker_keys(self.body, "image")
        placed = Image.objects.filter(key__in=keys).prefetch_related("renditions")
        images = {image.key: image for image in placed}
        return render_body(self.body, self.quotes.all(), images, request)

    @property
    def is_sponsored(self) -> bool:
        return self.kind == self.Kind.SPONSORED

    def backstory_html(self) -> SafeString:
        return mark_safe(render_markdown(self.backstory))  # noqa: S308 # nh3 output

    def pull_quotes(self) -> list[Quote]:
        """Quotes shown beside the body rather than placed in it (prefetched quotes)."""
        placed = set(marker_keys(self.body, "quote"))
        return [q for q in self.quotes.all() if q.is_pull_quote and q.key not in placed]

    @property
    def disclosures_frozen(self) -> bool:
        """True once the disclosures recorded for its publication time may have been seen
        by readers: from then on they stay as they were, whatever happens to the
        register. A new publication time (republishing) records them afresh."""
        return (
            self.disclosures_as_of is not None
            and self.disclosures_as_of == self.published_at
            and self.disclosures_as_of <= timezone.now()
        )

    def due_disclosures(self, at: datetime.datetime | None = None) -> list[RecordedDisclosure]:
        """What the register and the authors' interests say this article should carry if
        published at `at` (default: its publication time, or now if it has none), for the
        organisations it is tagged with, as unsaved rows.
        Three queries: tags, register entries, authors' interests."""
        day = timezone.localdate(at or self.published_at or timezone.now())
        tag_ids = [tag.pk for tag in self.tags.all()]
        register = (
            Disclosure.objects.register()
            .valid_on(day)
            .filter(organisation__tag__in=tag_ids)
            .select_related("organisation")
            .order_by("organisation__name", "valid_from", "pk")
        )
        interests = (
            AuthorInterest.objects.carried_on(day)
            .filter(author__bylines__article=self, organisation__tag__in=tag_ids)
            .select_related("organisation")
            .order_by("author__name", "organisation__name", "pk")
        )
        return RecordedDisclosure.copies_of(self, [*register, *interests])

    def disclosures(
        self, at: datetime.datetime | None = None
    ) -> list[RecordedDisclosure | Disclosure]:
        """Every disclosure the article shows: those recorded for its publication (or,
        when none are recorded, or for a publication being prepared at `at`, those due),
        then the article's own. Reads prefetched rows when recorded."""
        carried: list[RecordedDisclosure | Disclosure]
        if self.disclosures_as_of is not None and (at is None or self.disclosures_frozen):
            carried = [*self.recorded_disclosures.all()]
        else:
            carried = [*self.due_disclosures(at)]
        return carried + list(self.own_disclosures.all())


class ArticleSlugHistory(models.Model):
    """A slug an article had before: its old address redirects (301) to the current one."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")
    # Unique: it serves the lookup of an unknown slug on the article page.
    slug = models.SlugField(max_length=200, unique=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "article slug history"

    def __str__(self) -> str:
        return f"{self.slug} -> {self.article.slug}"


class Byline(models.Model):
    # No index of their own: unique_byline leads with the article, byline_author_published
    # with the author (each would be a third copy of the column to write on every byline).
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="bylines", db_index=False
    )
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="bylines", db_index=False
    )
    position = models.PositiveSmallIntegerField(default=0)
    published_at = link_published_at()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="unique_byline"),
        ]
        indexes = [
            # Author page: this author's articles newest first (ArticleQuerySet.by_author).
            models.Index(
                fields=["author", "-published_at", "-article"], name="byline_author_published"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.article}"


class QuoteQuerySet(models.QuerySet["Quote"]):
    def published(self) -> QuoteQuerySet:
        """Quotes readers may see: those of published articles (the one rule)."""
        return self.filter(article__in=Article.objects.published())

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

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="quotes")
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
        Article,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_disclosures",
        help_text="Only for a disclosure that belongs to one article (an author's own interest).",
    )

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "pk"]
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
        """DisclosureQuerySet.valid_on for one loaded entry (seed_demo's bulk recording)."""
        return self.valid_from <= day and (self.valid_until is None or self.valid_until >= day)

    @property
    def is_current(self) -> bool:
        """Not ended yet (an agreed relationship that has not begun counts as current)."""
        return self.valid_until is None or self.valid_until >= timezone.localdate()

    @property
    def has_begun(self) -> bool:
        return self.valid_from <= timezone.localdate()


class CorrectionKind(models.TextChoices):
    CORRECTION = "correction", "Correction"
    CLARIFICATION = "clarification", "Clarification"
    UPDATE = "update", "Update"


class CorrectionQuerySet(models.QuerySet["Correction"]):
    def public(self) -> CorrectionQuerySet:
        """Corrections readers may see: those of live articles, newest first."""
        return (
            self.filter(article__in=Article.objects.published(), published_at__lte=timezone.now())
            .select_related("article")
            .order_by("-published_at", "-pk")
        )


class Correction(models.Model):
    Kind = CorrectionKind

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(help_text="What was wrong and what is right now.")
    published_at = models.DateTimeField(default=timezone.now)

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]
        indexes = [
            # /corrections/: newest first.
            models.Index(fields=["-published_at"], name="correction_published"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CorrectionKind.values),
                name="correction_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.article}"

    def save(self, *args: object, **kwargs: object) -> None:
        """A correction is a substantive change: it moves the article's public "Updated" time
        (never backwards, and never before the article's own publication)."""
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        Article.objects.filter(
            Q(updated_at__isnull=True) | Q(updated_at__lt=self.published_at),
            pk=self.article_id,
            status=Article.Status.PUBLISHED,
            published_at__lte=self.published_at,
        ).update(updated_at=self.published_at)

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#corrections"


class ChecklistOverride(models.Model):
    """An editor published despite failed soft checks: who, when, which checks and why."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="overrides")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    checks = models.JSONField(help_text="The messages of the checks that were overridden.")
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Override on {self.article} by {self.user}"


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

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:organisation", kwargs={"slug": self.slug})


class SpeakerKind(models.TextChoices):
    PERSON = "person", "Person"
    GROUP = "group", "Group of people"
    ORGANISATION = "organisation", "Organisation"


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
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="speakers",
        help_text="The organisation they speak for or belong to (itself, for an organisation); "
        "their quotes then appear on its page.",
    )
    author = models.OneToOneField(
        Author,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="speaker",
        help_text="When the speaker is one of our authors.",
    )

    class Meta:
        ordering = ["name"]
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
        return "Person" if self.kind == self.Kind.PERSON else "Organization"


class RecordedDisclosure(models.Model):
    """A disclosure as one article carries it, copied from the register or from an
    author's interests when the article is published. Later edits (or deletion) of
    the register entry do not touch it: the article keeps showing what was true
    when it was published."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="recorded_disclosures"
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

    def __str__(self) -> str:
        return self.statement

    @classmethod
    def copy_of(cls, article: Article, source: Disclosure | AuthorInterest) -> RecordedDisclosure:
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
        cls, article: Article, sources: list[Disclosure | AuthorInterest]
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


class Citation(models.Model):
    """A source the article cites (schema.org citation), listed under the article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="citations")
    title = models.CharField(
        max_length=300, help_text='What is cited, e.g. "Letter to Marc Benioff (BuzzFeed News)".'
    )
    url = models.URLField(blank=True, max_length=500, help_text="Where readers can find it.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


# Revisions keep an article together with its authors, quotes, topics, lead image and
# corrections. Restoring is done by articles.services.restore_revision, which
# brings back content and never the publishing state.
reversion.register(Image)
reversion.register(Byline)
reversion.register(Quote)
reversion.register(TaggedArticle)
reversion.register(Correction)
reversion.register(
    Article,
    follow=["bylines", "quotes", "taggedarticle_set", "lead_image", "corrections"],
    # Derived from the rest and rebuilt on every save: not worth keeping per revision.
    exclude=["search_vector"],
)
