"""An author's photo gets its renditions as an image does (pictures.signals)."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from authors.models import Author
from pictures.renditions import make_renditions_later


@receiver(post_save, sender=Author)
def author_photo_saved(
    sender: type[Author], instance: Author, created: bool, raw: bool, **kwargs: Any
) -> None:
    """A new, replaced or removed photo gets its renditions made or dropped (a saved
    author whose photo did not change costs the job one query)."""
    if raw:
        return
    if instance.photo or not created:
        make_renditions_later(instance)
