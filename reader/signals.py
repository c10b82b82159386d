"""What outdates the stored parts of articles (reader.fragments), one receiver per thing
they show. Each marks the rows of the articles showing the change in one statement, in
the writer's transaction, so a rolled-back change outdates nothing; the next read
renders them again. An article saved, or a part of it, is rendered again once the
transaction commits (with its bylines, topics and quotes as saved with it), so its
first reader does not wait; a scheduled one is rendered when it goes live.

Rows saved raw (a fixture, `manage.py restore`) are skipped: a restore brings whole
tables back, and is followed by its own refresh."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from taggit.models import Tag

from articles.models import Article, Byline, Citation, Correction, TaggedArticle
from articles.rendering import bodies_changed
from authors.models import Author
from disclosures.models import AuthorInterest, Disclosure
from newsroom import page_cache
from pages.models import Page
from pictures.models import Image
from pictures.renditions import renditions_changed
from quotes.models import Quote, Speaker
from reader import fragments
from reader.models import MenuItem, StoredArticle


def forget(articles: QuerySet[Article] | Iterable[int]) -> None:
    """Mark the stored parts of these articles outdated (one UPDATE, no signals: a
    topic's rename may touch a great many): now, and again once the transaction
    commits, in case a reader rendered them meanwhile from what was committed before."""
    rows = StoredArticle.objects.filter(article__in=articles)
    rows.update(fingerprint="")
    transaction.on_commit(lambda: rows.update(fingerprint=""))


class _RenderAtCommit:
    """The articles to render again when a transaction commits. A change marks its
    article's row outdated at once, so a read inside the transaction renders it
    afresh; once marked, further changes to it need no mark until parts are stored
    again (an import replacing a thousand quotes of one article marks it once). At
    commit they are all rendered once, those live then (an article saved with ten
    inlines is rendered once): each change registers a callback, the first to run
    renders, the others find nothing left."""

    def __init__(self) -> None:
        self.marked: dict[int, int] = {}
        self.callbacks: list[Callable[[], None]] = []

    def add(self, pks: set[int]) -> None:
        stores = fragments.stores()
        if new := {pk for pk in pks if self.marked.get(pk) != stores}:
            StoredArticle.objects.filter(article__in=new).update(fingerprint="")
            self.marked.update(dict.fromkeys(new, stores))
        callback = functools.partial(self.render)
        self.callbacks.append(callback)
        transaction.on_commit(callback)

    def is_waiting(self) -> bool:
        """Whether its transaction is still open: one committed or rolled back took
        its callbacks from the connection's on-commit list."""
        # Each entry is (savepoint ids, callback, robust).
        waiting = {id(entry[1]) for entry in connection.run_on_commit}
        return any(id(callback) in waiting for callback in self.callbacks)

    def render(self) -> None:
        pks, self.marked = list(self.marked), {}
        if pks:
            live = Article.objects.published().filter(pk__in=pks)
            fragments.store(live.values_list("pk", flat=True))


_current = threading.local()


def render_again(pks: Iterable[int]) -> None:
    """Render these articles' parts again once the transaction commits."""
    batch: _RenderAtCommit | None = getattr(_current, "batch", None)
    if batch is None or not batch.is_waiting():
        batch = _current.batch = _RenderAtCommit()
    batch.add(set(pks))


def _raw(kwargs: dict[str, Any]) -> bool:
    return bool(kwargs.get("raw"))


def _deleted_with_its_article(origin: object) -> bool:
    return (origin.model if isinstance(origin, QuerySet) else type(origin)) is Article


@receiver(bodies_changed)
def bodies_rendered_again(sender: type, pks: Iterable[int], **kwargs: Any) -> None:
    """Bodies stored in bulk (a quote, speaker or image they show changed, an import,
    render_bodies): no save announced them. Not the historical models of migrations,
    which run before this app's table exists."""
    if sender is Article:
        render_again(pks)


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
    """Its authors, quotes (placed or pulled), corrections, sources or topics; not when
    they go with the article."""
    if not _raw(kwargs) and not _deleted_with_its_article(kwargs.get("origin")):
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


@receiver(post_save, sender=MenuItem)
@receiver(post_delete, sender=MenuItem)
def menu_changed(sender: type[MenuItem], **kwargs: Any) -> None:
    """Every page shows the menu, kept per generation (reader.navigation): move it."""
    if not kwargs.get("raw"):
        page_cache.content_changed()
