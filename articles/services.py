"""The editorial workflow: every change of an article's publishing state goes through here.

Admin buttons, bulk actions, imports and commands all call these functions, so the
rules (who may do what, the publish checklist, embargoes) hold on every path.
Each change is saved in a revision naming who did it.

Disclosures: an article carries the register entries and the
authors' interests valid on its publication day for the organisations it is
tagged with. They are copied into RecordedDisclosure rows on every move and save,
re-taken while the article is not yet live, and frozen once its publication time
has passed, so later edits of the register cannot rewrite what readers were told.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import reversion
from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from reversion.models import Revision, Version
from taggit.models import Tag

from articles import accessibility
from articles.models import Article, Byline, ChecklistOverride, TaggedArticle
from articles.rendering import bodies_rendered_at_end
from articles.signals import article_went_live
from authors.models import Author
from disclosures import rules as disclosure_rules
from disclosures.models import Organisation, RecordedDisclosure
from newsroom.markdown import marker_keys
from pictures.models import Image
from quotes.models import Quote, Speaker

User = AbstractUser | AnonymousUser
Status = Article.Status


class WorkflowError(Exception):
    """A move the rules refuse; the message is written for the editor."""


@dataclass(frozen=True)
class Check:
    label: str
    passed: bool
    hard: bool
    problem: str = ""
    # Advice is shown but never stops a move, so it needs no override either.
    advice: bool = False


# -- who may do what ---------------------------------------------------------------


def is_editor(user: User) -> bool:
    return user.is_active and user.has_perm("articles.publish_article")


def owns(user: User, article: Article) -> bool:
    """A writer owns the articles they created or carry their byline."""
    if not user.is_authenticated or article.pk is None:
        return False
    return (
        article.created_by_id == user.pk or article.bylines.filter(author__user_id=user.pk).exists()
    )


def can_view(user: User, article: Article) -> bool:
    return is_editor(user) or (user.has_perm("articles.view_article") and owns(user, article))


def can_edit(user: User, article: Article) -> bool:
    """Editors edit everything; writers only their own drafts."""
    if is_editor(user):
        return True
    return (
        user.has_perm("articles.change_article")
        and article.status == Status.DRAFT
        and owns(user, article)
    )


def shown_by_published(item: Image | Author | Speaker | Organisation) -> bool:
    """Whether a published article, live or scheduled, shows this record to readers: an
    image as its lead or placed in its body, an author in its byline, a speaker through
    its quotes, an organisation through its topic or its speakers' quotes. Scheduled
    articles count: they were approved as they stand and go out without another look."""
    published = Article.objects.filter(status=Status.PUBLISHED)
    match item:
        case Image():
            if published.filter(lead_image=item).exists():
                return True
            bodies = published.placing_images([item.key])
            return any(
                item.key in marker_keys(body, "image")
                for body in bodies.values_list("body", flat=True).iterator()
            )
        case Author():
            return published.filter(bylines__author=item).exists()
        case Speaker():
            return published.filter(quotes__speaker=item).exists()
        case Organisation():
            return published.filter(
                Q(taggedarticle__tag=item.tag_id) | Q(quotes__speaker__organisation=item)
            ).exists()
    raise TypeError(f"No rule for what readers see of a {type(item).__name__}")


def can_change(user: User, item: Image | Author | Speaker | Organisation) -> bool:
    """Editors change any image, author, speaker or organisation; anyone else (within
    their model permissions) only those no published article shows, since a change
    there would reach readers at once, without review."""
    return is_editor(user) or not shown_by_published(item)


def visible_topics(user: User) -> QuerySet[Tag]:
    """The topics this user may learn the names of: editors all of them; anyone else
    those of live articles (public anyway) and of the articles they may see, so a draft's
    topics stay as private as the draft."""
    if is_editor(user):
        return Tag.objects.all()
    links = TaggedArticle.objects.filter(tag=OuterRef("pk")).filter(
        Q(content_object__in=Article.objects.published())
        | Q(content_object__in=Article.objects.editable_by(user).values("pk"))
    )
    return Tag.objects.filter(Exists(links))


def allowed_actions(user: User, article: Article) -> list[str]:
    """The workflow moves this user may make on this article now, in display order."""
    return [name for name, action in ACTIONS.items() if action.allowed(user, article)]


# -- the publish checklist ---------------------------------------------------------

EMBARGO_CHECK = "The embargo is lifted"


def checklist(article: Article, *, at: datetime.datetime | None = None) -> list[Check]:
    """What a news editor checks before publishing (at `at`, default now).

    Hard checks can never be overridden; soft ones can, by an editor with a reason.
    """
    at = at or timezone.now()
    quotes = list(article.quotes.all())
    quote_keys = {quote.key for quote in quotes}
    incomplete = [
        f"“{quote.key}” has no " + " and no ".join(missing)
        for quote in quotes
        if (
            missing := [
                *(["speaker"] if quote.speaker_id is None else []),
                *(["kind of source"] if not quote.source_kind else []),
            ]
        )
    ]
    unmatched = [key for key in marker_keys(article.body, "quote") if key not in quote_keys]
    image_keys = marker_keys(article.body, "image")
    images = list(Image.objects.filter(key__in=image_keys))
    missing_images = sorted(set(image_keys) - {image.key for image in images})
    # Missing alt text has a check of its own below, which an editor must override.
    advice = [
        f"{finding.where}: {finding.problem}"
        for finding in accessibility.findings(
            article.body, {image.key: image for image in images}, article.lead_image
        )
        if finding.check != accessibility.NO_ALT
    ]
    if article.lead_image:
        images.append(article.lead_image)
    no_alt = sorted(
        {image.key for image in images if not image.alt_text.strip() and not image.is_decorative}
    )
    embargoed = article.embargo_until is not None and article.embargo_until > at
    return [
        Check("A headline", bool(article.headline.strip()), hard=True, problem="No headline."),
        Check(
            "At least one author",
            article.bylines.exists(),
            hard=True,
            problem="No author: add one under Authors.",
        ),
        Check(
            "A kind of work",
            bool(article.kind),
            hard=True,
            problem="No kind of work chosen (news, analysis, opinion, ...).",
        ),
        Check(
            "Every quote and image marker matches",
            not unmatched and not missing_images,
            hard=True,
            problem="Markers that match nothing: "
            + ", ".join(
                [f"[[quote:{k}]]" for k in unmatched] + [f"[[image:{k}]]" for k in missing_images]
            ),
        ),
        Check(
            "Every quote names its speaker and kind of source",
            not incomplete,
            hard=True,
            problem="Quotes to complete: " + "; ".join(incomplete) + ".",
        ),
        Check(
            EMBARGO_CHECK,
            not embargoed,
            hard=True,
            problem=f"Embargoed until {_when(article.embargo_until)}: "
            "schedule it for that time or later.",
        ),
        Check(
            "A standfirst", bool(article.standfirst.strip()), hard=False, problem="No standfirst."
        ),
        Check(
            "Every image has alt text (or is marked decorative)",
            not no_alt,
            hard=False,
            problem="Images without alt text: " + ", ".join(no_alt) + ".",
        ),
        Check(
            "At least one topic",
            article.tags.exists(),
            hard=False,
            problem="No topics: readers and disclosures rely on them.",
        ),
        Check(
            "The body reads well with a screen reader",
            not advice,
            hard=False,
            problem=" ".join(advice),
            advice=True,
        ),
    ]


def _when(moment: datetime.datetime | None) -> str:
    return f"{timezone.localtime(moment):%d %b %Y %H:%M %Z}" if moment else "—"


def failures(checks: Iterable[Check], *, hard: bool) -> list[str]:
    return [
        check.problem
        for check in checks
        if not check.passed and check.hard is hard and not check.advice
    ]


# -- the moves ---------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    label: str
    done: str
    sources: frozenset[str]
    editors_only: bool

    def allowed(self, user: User, article: Article) -> bool:
        if article.status not in self.sources:
            return False
        if is_editor(user):
            return True
        return (
            not self.editors_only
            and user.has_perm("articles.change_article")
            and owns(user, article)
        )


ACTIONS = {
    "submit": Action(
        "Submit for review", "Submitted for review", frozenset({Status.DRAFT}), editors_only=False
    ),
    "withdraw": Action(
        "Return to draft", "Returned to draft", frozenset({Status.REVIEW}), editors_only=False
    ),
    "publish": Action(
        "Publish or schedule",
        "Published",
        frozenset({Status.DRAFT, Status.REVIEW, Status.PUBLISHED, Status.ARCHIVED}),
        editors_only=True,
    ),
    "unpublish": Action("Unpublish", "Unpublished", frozenset({Status.PUBLISHED}), True),
    "archive": Action("Archive", "Archived", frozenset({Status.PUBLISHED}), editors_only=True),
}


def _move(
    *, article: Article, user: User, action: str, prepare: Callable[[Article], str]
) -> Article:
    """Lock the row, check the move against its current state, apply it in a revision.

    `prepare` changes the locked article (or raises WorkflowError) and returns the
    revision comment."""
    with transaction.atomic(), reversion.create_revision():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if not ACTIONS[action].allowed(user, locked):
            raise WorkflowError(
                f"You cannot {ACTIONS[action].label.lower()} this article "
                f"(it is {locked.state_label.lower()})."
            )
        comment = prepare(locked)
        locked.modified_by_id = user.pk
        locked.save()
        # Publishing records the disclosures as of the publication time; unpublishing a
        # scheduled article drops them; those readers have seen stay (see below).
        record_disclosures(article=locked)
        reversion.set_user(user if user.is_authenticated else None)
        reversion.set_comment(comment)
    article.refresh_from_db()
    return article


def submit_for_review(*, article: Article, user: User) -> Article:
    """Draft to review; the hard checks (other than the embargo) must pass."""

    def prepare(locked: Article) -> str:
        problems = [
            check.problem
            for check in checklist(locked)
            if not check.passed and check.hard and check.label != EMBARGO_CHECK
        ]
        if problems:
            raise WorkflowError("Cannot submit for review: " + " ".join(problems))
        locked.status = Status.REVIEW
        return "Submitted for review"

    return _move(article=article, user=user, action="submit", prepare=prepare)


def return_to_draft(*, article: Article, user: User) -> Article:
    return _set_status(article=article, user=user, action="withdraw", status=Status.DRAFT)


def publish(
    *,
    article: Article,
    user: User,
    at: datetime.datetime | None = None,
    override_reason: str = "",
) -> Article:
    """Publish now, or schedule for `at`. Hard checks must pass; failed soft checks need
    an override reason, which is recorded with who gave it."""
    at = at or timezone.now()
    reason = override_reason.strip()

    def prepare(locked: Article) -> str:
        if locked.is_live:
            raise WorkflowError("The article is already live.")
        checks = checklist(locked, at=at)
        if hard := failures(checks, hard=True):
            raise WorkflowError("Cannot publish: " + " ".join(hard))
        if soft := failures(checks, hard=False):
            if not reason:
                raise WorkflowError(
                    "Cannot publish without a reason to override: " + " ".join(soft)
                )
            ChecklistOverride.objects.create(
                article=locked, user_id=user.pk, checks=soft, reason=reason
            )
        locked.status = Status.PUBLISHED
        locked.published_at = at
        if locked.updated_at and locked.updated_at < at:
            locked.updated_at = None  # a new publication time starts a new public life
        comment = f"Scheduled for {_when(at)}" if at > timezone.now() else "Published"
        if soft:
            # The override is part of the history too: which checks, and why.
            comment += f", overriding: {' '.join(soft)} Reason: {reason}"
        return comment

    return _move(article=article, user=user, action="publish", prepare=prepare)


def unpublish(*, article: Article, user: User) -> Article:
    return _set_status(
        article=article, user=user, action="unpublish", status=Status.DRAFT, off_site=True
    )


def archive(*, article: Article, user: User) -> Article:
    return _set_status(
        article=article, user=user, action="archive", status=Status.ARCHIVED, off_site=True
    )


def _set_status(
    *, article: Article, user: User, action: str, status: str, off_site: bool = False
) -> Article:
    def prepare(locked: Article) -> str:
        locked.status = status
        if off_site:
            # Off the site: when it is published again, publish_scheduled announces it
            # again (cache purge, notifications), as it did the first time.
            locked.went_live_at = None
        return ACTIONS[action].done

    return _move(article=article, user=user, action=action, prepare=prepare)


MOVES: dict[str, Callable[..., Article]] = {
    "submit": submit_for_review,
    "withdraw": return_to_draft,
    "publish": publish,
    "unpublish": unpublish,
    "archive": archive,
}


# -- revisions -----------------------------------------------------------------------

# What a restore brings back: the words and pictures, never the publishing state
# (status, times, embargo), which only the moves above change.
RESTORED_FIELDS = [
    "headline", "standfirst", "body", "kind", "dateline", "backstory", "lead_image_id",
]  # fmt: skip


def revisions(article: Article) -> list[Version]:
    """The article's versions, newest first, with who saved them and why."""
    return list(
        Version.objects.get_for_object(article).select_related("revision__user").order_by("-pk")
    )


def _related_versions(revision: Revision, model: type) -> list[Version]:
    return [v for v in revision.version_set.all() if v._model is model]


def restore_revision(*, article: Article, revision: Revision, user: User) -> Article:
    """Bring back an old revision's content, quotes, authors and topics as a new revision.

    Corrections stay as they are: they are a public record.
    """
    if not can_edit(user, article):
        raise WorkflowError("You cannot edit this article.")
    old = Version.objects.get_for_object(article).filter(revision=revision).first()
    if old is None:
        raise WorkflowError("That revision is not a revision of this article.")
    # The quotes come back one by one: the body is rendered once, with all of them.
    with transaction.atomic(), reversion.create_revision(), bodies_rendered_at_end(Article):
        fields = old.field_dict
        for name in RESTORED_FIELDS:
            setattr(article, name, fields[name])
        lead_image = article.lead_image_id
        if lead_image is not None and not Image.objects.filter(pk=lead_image).exists():
            article.lead_image_id = None
        article.modified_by_id = user.pk
        article.save()
        _restore_related(article, revision, Quote, Speaker, "speaker_id", required=False)
        _restore_related(article, revision, Byline, Author, "author_id", required=True)
        _restore_related(article, revision, TaggedArticle, Tag, "tag_id", required=True)
        reversion.add_to_revision(article)
        reversion.set_user(user if user.is_authenticated else None)
        reversion.set_comment(
            f"Restored the revision of {_when(revision.date_created)} (#{revision.pk})"
        )
    return article


def _restore_related(
    article: Article,
    revision: Revision,
    model: type[models.Model],
    target: type[Author] | type[Speaker] | type[Tag],
    link: str,
    *,
    required: bool,
) -> None:
    """Make the article's rows of `model` exactly those of the revision. A row whose
    `link` points at something deleted since is dropped (or unlinked if optional)."""
    article_field = "content_object_id" if model is TaggedArticle else "article_id"
    versions = [
        v
        for v in _related_versions(revision, model)
        if str(v.field_dict[article_field]) == str(article.pk)
    ]
    keep = [v.object_id for v in versions]
    model._default_manager.filter(**{article_field: article.pk}).exclude(pk__in=keep).delete()
    existing = set(
        target.objects.filter(pk__in=[v.field_dict[link] for v in versions]).values_list(
            "pk", flat=True
        )
    )
    for version in versions:
        row = version._object_version.object
        if getattr(row, link) not in existing:
            if required:
                continue
            setattr(row, link, None)
        row.save()


# -- share links -------------------------------------------------------------------

SHARE_SALT = "articles.preview-share"


def share_token(*, article: Article, user: User) -> str:
    """A signed token that shows this one article to whoever has the link, until it expires."""
    if not is_editor(user):
        raise WorkflowError("Only editors can create share links.")
    return signing.dumps(article.pk, salt=SHARE_SALT)


def article_pk_for_share_token(token: str) -> int:
    """The article a token names. Raises signing.SignatureExpired after
    settings.PREVIEW_LINK_MAX_AGE seconds and signing.BadSignature if tampered with."""
    pk = signing.loads(token, salt=SHARE_SALT, max_age=settings.PREVIEW_LINK_MAX_AGE)
    if not isinstance(pk, int):
        raise signing.BadSignature("Not an article token")
    return pk


# -- imports and scheduled go-live -------------------------------------------------


def set_publication(
    article: Article,
    *,
    status: str,
    published_at: datetime.datetime | None,
    announce: bool = True,
) -> None:
    """Set an article's publishing state where no editor makes a move (imports, demo
    data): the same rules as publish() on what a publication time must respect. Does not
    save.

    `announce=False` is for content that is already public elsewhere: an article live at
    once is marked as announced, so publish_scheduled sends no notifications for old news.
    """
    if status == Article.Status.PUBLISHED:
        if published_at is None:
            raise ValidationError("A published article needs a publication time.")
        if article.embargo_until and published_at < article.embargo_until:
            raise ValidationError(
                f"Embargoed until {_when(article.embargo_until)}: it cannot be published earlier."
            )
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
            functools.partial(article_went_live.send, sender=Article, article=article)
        )


# -- disclosures ---------------------------------------------------------------


@transaction.atomic
def record_disclosures(*, article: Article) -> bool:
    """Record the disclosures the article carries; call after its tags and bylines
    are saved (the admin's save_related and every workflow move do; so must imports).
    Returns True when it recorded.

    - Frozen (recorded for its publication time, which has passed): nothing changes.
    - Published (live or scheduled): the due disclosures replace any earlier record.
    - Draft, in review or archived, and never live: any record is dropped, since
      the publication time, tags and register may all change before it goes out.
    """
    if article.disclosures_frozen:
        return False
    RecordedDisclosure.objects.filter(article=article).delete()
    as_of = article.published_at if article.status == Article.Status.PUBLISHED else None
    if as_of is not None:
        RecordedDisclosure.objects.bulk_create(disclosure_rules.due(article))
    # update(), not save(): recording is not an editorial change, so the version
    # used for safe concurrent editing stays as it is.
    Article.objects.filter(pk=article.pk).update(disclosures_as_of=as_of)
    article.disclosures_as_of = as_of
    return as_of is not None


def record_upcoming_disclosures() -> int:
    """Re-take the disclosures of every scheduled article, after the register or an
    author's interests changed: they must go out with the register as it stands
    when they go live. Returns how many were re-taken."""
    # taggit ships no types: to the plugin, "tags" is no relation to prefetch.
    scheduled = Article.objects.filter(  # type: ignore[misc]
        status=Article.Status.PUBLISHED, published_at__gt=timezone.now()
    ).prefetch_related("tags")
    return sum(record_disclosures(article=article) for article in scheduled)
