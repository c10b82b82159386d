"""What outdates the stored parts of articles (reader.fragments), one receiver per thing
they show. Each marks the rows of the articles showing the change in one statement, in
the writer's transaction, so a rolled-back change outdates nothing; the next read
renders them again. An article saved, or a part of it, is rendered again once the
transaction commits (with its bylines, topics and quotes as saved with it), so its
first reader does not wait; a scheduled one is rendered when it goes live.

Rows saved raw (a fixture, `manage.py restore`) are skipped: a restore brings whole
tables back, and is followed by its own refresh."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from taggit.models import Tag

from articles.models import Article, Byline, Citation, Correction, TaggedArticle
from authors.models import Author
from disclosures.models import AuthorInterest, Disclosure
from pages.models import Page
from pictures.models import Image
from pictures.renditions import renditions_changed
from quotes.models import Quote, Speaker
from reader import fragments
from reader.models import StoredArticle


def forget(articles: QuerySet[Article] | Iterable[int]) -> None:
    """Mark the stored parts of these articles outdated (one UPDATE, no signals: a
    topic's rename may touch a great many): now, and again once the transaction
    commits, in case a reader rendered them meanwhile from what was committed before."""
    rows = StoredArticle.objects.filter(article__in=articles)
    rows.update(fingerprint="")
    transaction.on_commit(lambda: rows.update(fingerprint=""))


# Articles to render again once the transaction commits. Every change registers a
# callback, and the first to run renders them all: an article saved with ten inlines
# is rendered once. Left over from a rolled-back transaction, they are rendered at the
# next commit, from what is committed then: redundant, never wrong.
_pending = threading.local()


def render_again(pks: Iterable[int]) -> None:
    """Mark these articles' parts outdated now and render them again once the
    transaction commits (those live then)."""
    pks = set(pks)
    StoredArticle.objects.filter(article__in=pks).update(fingerprint="")
    pending: set[int] = getattr(_pending, "pks", set())
    _pending.pks = pending | pks
    transaction.on_commit(_render_pending)


def _render_pending() -> None:
    pks, _pending.pks = getattr(_pending, "pks", set()), set()
    if pks:
        live = Article.objects.published().filter(pk__in=pks)
        fragments.store(live.values_list("pk", flat=True))


def _raw(kwargs: dict[str, Any]) -> bool:
    return bool(kwargs.get("raw"))


@receiver(post_save, sender=Article)
def article_saved(sender: type[Article], instance: Article, **kwargs: Any) -> None:
    if not _raw(kwargs):
        render_again([instance.pk])


@receiver(post_save, sender=Byline)
@receiver(post_delete, sender=Byline)
@receiver(post_save, sender=Quote)
@receiver(post_delete, sender=Quote)
@receiver(post_save, sender=Correction)
@receiver(post_delete, sender=Correction)
@receiver(post_save, sender=Citation)
@receiver(post_delete, sender=Citation)
@receiver(post_save, sender=TaggedArticle)
@receiver(post_delete, sender=TaggedArticle)
def article_part_changed(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    """Its authors, quotes (placed or pulled), corrections, sources or topics."""
    if not _raw(kwargs):
        article = instance.content_object_id if sender is TaggedArticle else instance.article_id
        render_again([article])


@receiver(m2m_changed, sender=Article.tags.through)
def article_topics_changed(sender: type, instance: Any, action: str, **kwargs: Any) -> None:
    """Topics set through the article's tags (taggit's manager writes in bulk)."""
    if action in ("post_add", "post_remove", "post_clear"):
        if isinstance(instance, Article):
            render_again([instance.pk])
        else:
            forget(Article.objects.filter(tags=instance))


@receiver(post_save, sender=Tag)
def topic_saved(sender: type[Tag], instance: Tag, created: bool, **kwargs: Any) -> None:
    """A topic renamed: every article listing it among its topics."""
    if not created and not _raw(kwargs):
        forget(Article.objects.filter(tags=instance))


@receiver(post_save, sender=Author)
def author_saved(sender: type[Author], instance: Author, created: bool, **kwargs: Any) -> None:
    """Name, address, job title or photo: every byline and profile in the parts."""
    if not created and not _raw(kwargs):
        forget(Article.objects.filter(bylines__author=instance))


@receiver(post_save, sender=Speaker)
def speaker_saved(sender: type[Speaker], instance: Speaker, created: bool, **kwargs: Any) -> None:
    if not created and not _raw(kwargs):
        forget(Article.objects.filter(quotes__speaker=instance))


@receiver(post_save, sender=Image)
@receiver(post_delete, sender=Image)
def image_changed(sender: type[Image], instance: Image, **kwargs: Any) -> None:
    """Lead images, and pictures placed in bodies (those are rendered again by the
    articles app; their pages show the new body)."""
    if not _raw(kwargs):
        forget_showing(instance)


@receiver(renditions_changed)
def renditions_of_a_picture_changed(sender: type, owner: object, **kwargs: Any) -> None:
    if isinstance(owner, Image):
        forget_showing(owner)
    elif isinstance(owner, Author):
        forget(Article.objects.filter(bylines__author=owner))


def forget_showing(image: Image) -> None:
    keys = {image.key, getattr(image, "_key_before_saving", None) or image.key}
    forget(Article.objects.filter(lead_image=image.pk))
    forget(Article.objects.placing_images(keys))


@receiver(post_save, sender=Disclosure)
@receiver(post_delete, sender=Disclosure)
@receiver(post_save, sender=AuthorInterest)
@receiver(post_delete, sender=AuthorInterest)
def disclosure_changed(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    """An article's own disclosure; or the register or an author's interests, which
    only articles without disclosures recorded at publication read."""
    if _raw(kwargs):
        return
    if getattr(instance, "article_id", None) is not None:
        render_again([instance.article_id])
    else:
        forget(Article.objects.filter(disclosures_as_of__isnull=True))


@receiver(post_save, sender=Page)
@receiver(post_delete, sender=Page)
def policy_page_changed(sender: type[Page], **kwargs: Any) -> None:
    """The publisher's structured data in every article names its policy pages."""
    if not _raw(kwargs):
        forget(Article.objects.all())
