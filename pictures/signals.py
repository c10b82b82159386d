"""The renditions of an image are made once the transaction that saved it commits,
whatever saved it (admin, commands, shell); a rendition's file goes with its row."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from pictures.models import Image, Rendition
from pictures.renditions import make_renditions_later

# Rows saved raw (a fixture, `manage.py restore`) skip these: they are loaded with their
# renditions, and the loader asks once for what is still due.


@receiver(post_save, sender=Image)
def image_saved(sender: type[Image], instance: Image, raw: bool, **kwargs: Any) -> None:
    if raw:
        return
    make_renditions_later(instance)


@receiver(post_delete, sender=Rendition)
def rendition_deleted(sender: type[Rendition], instance: Rendition, **kwargs: Any) -> None:
    """The stored file goes with its row (once the deletion is committed)."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))
