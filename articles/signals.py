"""Side effects of saving content, run once the transaction commits: search vectors
and image renditions stay current whatever saved the rows (admin, commands, shell)."""

from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from taggit.models import Tag

from articles.models import Article, Byline, Image, Quote, Rendition, Speaker
from articles.renditions import make_renditions_later
from articles.search import refresh_search_vectors_later
from authors.models import Author


@receiver(post_save, sender=Article)
def article_saved(sender: type[Article], instance: Article, **kwargs: Any) -> None:
    refresh_search_vectors_later(Article.objects.filter(pk=instance.pk))


@receiver(post_save, sender=Byline)
@receiver(post_delete, sender=Byline)
@receiver(post_save, sender=Quote)
@receiver(post_delete, sender=Quote)
def article_part_changed(sender: type, instance: Byline | Quote, **kwargs: Any) -> None:
    refresh_search_vectors_later(Article.objects.filter(pk=instance.article_id))


@receiver(m2m_changed, sender=Article.tags.through)
def article_topics_changed(sender: type, instance: Article, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Article):
        refresh_search_vectors_later(Article.objects.filter(pk=instance.pk))


@receiver(post_save, sender=Author)
def author_saved(sender: type[Author], instance: Author, created: bool, **kwargs: Any) -> None:
    """A renamed author is found under the new name in every article."""
    if not created:
        refresh_search_vectors_later(Article.objects.filter(bylines__author=instance))


@receiver(post_save, sender=Speaker)
def speaker_saved(sender: type[Speaker], instance: Speaker, created: bool, **kwargs: Any) -> None:
    """A renamed speaker is found under the new name in every article quoting them."""
    if not created:
        refresh_search_vectors_later(Article.objects.filter(quotes__speaker=instance))


@receiver(post_save, sender=Tag)
def topic_saved(sender: type[Tag], instance: Tag, created: bool, **kwargs: Any) -> None:
    if not created:
        refresh_search_vectors_later(Article.objects.filter(tags=instance))


@receiver(post_save, sender=Image)
def image_saved(sender: type[Image], instance: Image, **kwargs: Any) -> None:
    make_renditions_later(instance.pk)


@receiver(post_delete, sender=Rendition)
def rendition_deleted(sender: type[Rendition], instance: Rendition, **kwargs: Any) -> None:
    """The stored file goes with its row (once the deletion is committed)."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))
