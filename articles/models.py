from __future__ import annotations

import datetime
import uuid
from collections.abc import Collection, Iterable
from typing import Any

import reversion
from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from django.db.models import Expression, F, Prefetch, Q, Value, Window, prefetch_related_objects
from django.db.models.expressions import Combinable
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItemBase

from articles.rendering import rendered_body
from authors.models import Author
from disclosures import rules as disclosure_rules
from disclosures.models import Disclosure, RecordedDisclosure
from newsroom.markdown import marker_keys, render_markdown, validate_markdown
from pages.models import Page
from pictures.models import UNSORTED_RENDITIONS, Image
from quotes.models import Quote


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self, now: datetime.datetime | Expression | None = None) -> ArticleQuerySet:
        """The one visibility rule: published, its time has come and no embargo holds it.
        Article.is_live says the same of one article (tests/test_rule_pairs.py). `now`:
        the moment it is evaluated at, by default this one; a query compiled once gives
        a newsroom.compiled.Parameter, filled with each request's moment."""
        now = timezone.now() if now is None else now
        return self.filter(
            Q(embargo_until__isnull=True) | Q(embargo_until__lte=now),
            status=Article.Status.PUBLISHED,
            published_at__lte=now,
        )

    def by_author(
        self,
        author: Author | int | Combinable,
        now: datetime.datetime | Expression | None = None,
        kind: str | Combinable | None = None,
    ) -> ArticleQuerySet:
        """The author's articles newest first, for the author page after published()
        (`now` as there). Ordered and bounded by the byline's copy of the publication
        time, so PostgreSQL reads them from byline_author_published newest first and
        fetches each article by primary key to apply the visibility rule, rather than
        walking every article until enough are the author's. `author` may be an
        expression (OuterRef, Subquery) naming one. With a `kind`, only articles of that
        kind, read by the byline's copy of it (byline_author_kind)."""
        links = Q(bylines__author=author)
        if kind is not None:
            links &= Q(bylines__article_kind=kind)
        return self.filter(
            links, bylines__published_at__lte=timezone.now() if now is None else now
        ).order_by("-bylines__published_at", "-pk")

    def on_topic(
        self,
        tag: Tag | int | Combinable,
        now: datetime.datetime | Expression | None = None,
        kind: str | Combinable | None = None,
    ) -> ArticleQuerySet:
        """The topic's articles newest first, for the topic page after published() (`now`
        and `kind` as by_author's), read from tagged_article_tag_published (with a
        kind, tagged_article_tag_kind) as by_author reads an author's."""
        links = Q(taggedarticle__tag=tag)
        if kind is not None:
            links &= Q(taggedarticle__article_kind=kind)
        return self.filter(
            links, taggedarticle__published_at__lte=timezone.now() if now is None else now
        ).order_by("-taggedarticle__published_at", "-pk")

    def placing_images(self, keys: Collection[str]) -> ArticleQuerySet:
        """Articles whose body may place one of these images: a LIKE finds the candidates
        (marker_keys tells the real markers, on a line of their own; SQLite's LIKE
        ignores case). Scans the bodies: for an image's rare changes, not for pages."""
        condition = Q()
        for key in keys:
            condition |= Q(body__contains=f"[[image:{key}]]")
        return self.filter(condition) if condition else self.none()

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

    def _with_card_parts(self) -> ArticleQuerySet:
        return (
            self.select_related("lead_image")
            .prefetch_related(Prefetch("lead_image__renditions", queryset=UNSORTED_RENDITIONS))
            .with_bylines()
        )

    def for_listing(self) -> ArticleQuerySet:
        """What an article card needs: lead image with its renditions, ordered authors."""
        # Only search reads the stored vector, only the article page the rendered body.
        return self._with_card_parts().defer("search_vector", "body_html")

    def for_page(self) -> ArticleQuerySet:
        """What the article page needs, in a fixed number of queries (and the byline
        photos: Article.prefetch_byline_photos)."""
        # taggit ships no types: to the plugin, "tags" is no relation to prefetch.
        return (
            self._with_card_parts()
            .defer("search_vector")
            .prefetch_related(  # type: ignore[misc]
                "tags",
                Prefetch("quotes", queryset=Quote.objects.select_related("speaker")),
                Prefetch("corrections", queryset=Correction.objects.order_by("published_at")),
                "recorded_disclosures",
                "own_disclosures",
                "citations",
            )
        )

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


# The article's publication time and kind, copied onto its byline and topic links so an
# author's or a topic's page reads its newest articles straight from the link's own
# index, and a search narrowed to a topic or an author and a kind reads only that
# kind's links. Kept equal to the article's by database triggers (migration articles
# 0037_links_article_kind), whatever writes the rows: code need not set them.
def link_published_at() -> models.DateTimeField:
    return models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="A copy of the article's publication time, kept by the database.",
    )


def link_article_kind() -> models.CharField:
    return models.CharField(
        max_length=20,
        blank=True,
        default="",
        editable=False,
        help_text="A copy of the article's kind, kept by the database.",
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
    article_kind = link_article_kind()

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
            # Search in a topic for one kind: that kind's articles of the topic newest
            # first (on_topic(kind=...)), however rare the kind is in the topic.
            models.Index(
                fields=["tag", "article_kind", "-published_at", "-content_object"],
                name="tagged_article_tag_kind",
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
    body_html = models.TextField(
        blank=True,
        editable=False,
        help_text=(
            "The body as readers see it: rendered when the article is saved and again "
            "when a quote, speaker or image it shows changes (articles.signals)."
        ),
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
            # Search filtered by kind alone (articles.search): that kind's articles newest
            # first, however rare the kind.
            models.Index(fields=["kind", "-published_at"], name="article_kind_published"),
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

    def save(self, *args: object, **kwargs: Any) -> None:
        if self.pk is not None:
            self.version += 1
        # The stored body shows the body and, in its quotes' links, the slug.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or not {"body", "slug"}.isdisjoint(update_fields):
            # Quiet about markers left out: the quotes are saved after the article (the
            # admin's inlines), and their saves render the body again.
            self.body_html = rendered_body(self, warn=False)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)
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
        """ArticleQuerySet.published for one article (tests/test_rule_pairs.py)."""
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
        """The renditions of its authors' photos: prefetch_byline_photos([self])."""
        prefetch_byline_photos([self])

    def rendered_body(self) -> SafeString:
        """The body rendered afresh from the quotes and images stored now; pages show the
        stored copy, body_html."""
        return rendered_body(self)

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

    def disclosures(
        self,
        at: datetime.datetime | None = None,
        *,
        register: disclosure_rules.DisclosureRegister | None = None,
    ) -> list[RecordedDisclosure | Disclosure]:
        """Every disclosure the article shows: those recorded for its publication (or,
        when none are recorded, or for a publication being prepared at `at`, those due),
        then the article's own. Reads prefetched rows when recorded; those due of a
        published article from `register` when given (many articles at once), with its
        prefetched topics and bylines."""
        carried: list[RecordedDisclosure | Disclosure]
        if self.disclosures_as_of is not None and (at is None or self.disclosures_frozen):
            carried = [*self.recorded_disclosures.all()]
        elif register is not None and at is None and self.published_at is not None:
            topics = {tag.pk for tag in self.tags.all()}
            authors = {author.pk for author in self.ordered_authors}
            carried = [*register.due(self, tag_ids=topics, author_ids=authors)]
        else:
            carried = [*disclosure_rules.due(self, at)]
        return carried + list(self.own_disclosures.all())


def prefetch_byline_photos(articles: Iterable[Article]) -> None:
    """The renditions of these articles' authors' photos (the article page shows them;
    listings do not), in one query, and in none when no author has a photo: the
    (prefetched) bylines tell, so a page without one skips the query."""
    authors = [author for article in articles for author in article.ordered_authors if author.photo]
    prefetch_related_objects(authors, Prefetch("photo_renditions", queryset=UNSORTED_RENDITIONS))


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


class LegacyAddress(models.Model):
    """An address an article or page had on the site it was imported from (a WordPress
    permalink such as /2018/06/25/slug/ or /?p=101): it answers 301 to its page here,
    for an article while it is live (reader.middleware.LegacyAddressMiddleware)."""

    article = models.ForeignKey(
        Article, null=True, on_delete=models.CASCADE, related_name="legacy_addresses"
    )
    page = models.ForeignKey(
        Page, null=True, on_delete=models.CASCADE, related_name="legacy_addresses"
    )
    # Unique: it serves the lookup of an address the site has no page for.
    path = models.CharField(
        max_length=1000, unique=True, help_text="The path, with ?p=ID for WordPress's short link."
    )

    class Meta:
        verbose_name_plural = "legacy addresses"
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False, page__isnull=True)
                | Q(article__isnull=True, page__isnull=False),
                name="legacy_address_of_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.path} -> {self.article or self.page}"


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
    article_kind = link_article_kind()

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
            # Search by an author for one kind (by_author(kind=...)), as for a topic.
            models.Index(
                fields=["author", "article_kind", "-published_at", "-article"],
                name="byline_author_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.article}"


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


# Longer "words" are codes, addresses and run-together text, not words to suggest.
SEARCH_WORD_LENGTH = 40


class SearchWord(models.Model):
    """A word of the site's headlines, standfirsts and names of topics, authors and
    speakers: the words a misspelt search is corrected to ("did you mean", articles.search).
    Kept as articles are saved; a word is offered only when searching for it finds
    published stories, so a draft's words never reach a reader."""

    word = models.CharField(max_length=SEARCH_WORD_LENGTH, primary_key=True)

    def __str__(self) -> str:
        return self.word


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


class Autosave(models.Model):
    """A writer's unsaved changes to one article (or to the new article they are
    writing), kept by the change form every few seconds so a crash, a closed tab or
    another browser loses nothing. Readers never see it, it is no revision, and it never
    writes the article: the writer restores it into the form and saves as usual, and
    that save still goes through the article's version check."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE)
    fields = models.JSONField(help_text="The form's text fields as the writer left them.")
    # The version the writer's form was loaded at: restoring hands it back to the form,
    # so a save over someone else's later save is refused (ArticleAdminForm).
    version = models.PositiveIntegerField(null=True, blank=True)
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            # One copy per writer and article, looked up by both on every form and save.
            models.UniqueConstraint(fields=["user", "article"], name="one_autosave_per_article"),
            # NULLs are distinct to a unique index: one copy per writer of their new article.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(article__isnull=True),
                name="one_autosave_per_new_article",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.article or 'a new article'} at {self.saved_at}"


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
    exclude=["search_vector", "body_html"],
)


def next_reader_change() -> datetime.datetime | None:
    """The next moment time alone changes what readers see: an article going live (its
    time, or its embargo's end) or a correction dated ahead joining /corrections/. The
    page cache asks (newsroom.page_cache), on every new generation."""
    correction = (
        Correction.objects.filter(published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    moments = (Article.objects.next_visibility_change(), correction)
    return min((when for when in moments if when), default=None)
