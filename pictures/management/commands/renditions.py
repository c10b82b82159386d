from __future__ import annotations

import datetime
from argparse import ArgumentParser
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import Storage, default_storage
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from newsroom.commands import StaffCommand
from newsroom.plurals import counted
from pictures.models import Image, Picture, Rendition, photo_owners
from pictures.renditions import (
    RELATED_NAMES,
    ensure_renditions,
    plan_upkeep,
    renditions_changed,
    source_of,
)

# Where rendition files live (pictures.images.rendition_upload_path).
FOLDER = "renditions"
# A file younger than this may belong to a rendition being made right now, whose row is
# not committed yet (make_renditions_later runs after each image save): leave it alone.
ORPHAN_GRACE = datetime.timedelta(hours=1)
CHUNK = 200


@dataclass(frozen=True)
class Kind:
    """One kind of picture with renditions, as this command names and counts it."""

    model: type[Picture]
    key_field: str  # how staff name one: --image KEY, --author SLUG
    noun: str  # "image", "author photo"
    counted: tuple[str, str]  # "%(count)s image", "%(count)s images"
    replaced: str  # what the stale renditions were made from

    @property
    def related_name(self) -> str:
        """The owners' related name for their renditions."""
        return RELATED_NAMES[self.model.__name__.lower()]


IMAGES = Kind(
    Image,
    "key",
    "image",
    ("%(count)s image", "%(count)s images"),
    "replaced pictures or moved focal points",
)
PHOTOS = Kind(
    photo_owners().model,
    "slug",
    "author photo",
    ("%(count)s author photo", "%(count)s author photos"),
    "replaced or removed photos",
)


class Command(StaffCommand):
    help = """\
Make the renditions of images and author photos that are missing, and remove
those nobody uses.

For each image and each author's photo: makes the renditions its picture
should have and does not (new sizes, a picture saved while rendition making
failed), drops those made from a file it no longer has (the picture was
replaced, or the author's photo removed), and makes again those whose file
has gone from storage. Then removes the files in the renditions folder that
no rendition row names (left by an interrupted run, a deleted image or
author), if they are more than an hour old: a younger one may belong to a
rendition being made right now.

Each picture is done in its own transaction, so an interrupted run keeps what
it finished; run it again for the rest. Exits with status 1 when a picture
cannot be done (its file is missing or unreadable); those are listed."""
    examples = """
        manage.py renditions --dry-run           # what would be made and removed
        manage.py renditions                     # make the missing, remove the orphans
        manage.py renditions --image lead-photo --image chart -v 2
        manage.py renditions --author slauchlan  # one author's photo only
        # crontab: nightly, quiet unless something fails
        30 3 * * * cd /srv/newsroom && .venv/bin/python manage.py renditions -v 0
    """
    interrupted = "the pictures done so far keep their renditions; run it again for the rest"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--image",
            action="append",
            metavar="KEY",
            help="Only this image (repeatable); orphaned files are then left alone.",
        )
        parser.add_argument(
            "--author",
            action="append",
            metavar="SLUG",
            help="Only this author's photo (repeatable); orphaned files are then left alone.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what would be made and removed; change nothing.",
        )

    def handle(
        self,
        *args: Any,
        image: list[str] | None,
        author: list[str] | None,
        dry_run: bool,
        verbosity: int,
        **options: Any,
    ) -> None:
        # With --image or --author, only the pictures named; otherwise every one.
        chosen = {IMAGES: image, PHOTOS: author} if image or author else {IMAGES: [], PHOTOS: []}
        work = [
            (kind, self.owners(kind, names)) for kind, names in chosen.items() if names is not None
        ]
        self.dry_run, self.verbosity = dry_run, verbosity
        self.counts = {
            kind: {"made": 0, "stale": 0, "broken": 0, "owners": 0} for kind in (IMAGES, PHOTOS)
        }
        self.orphans = 0
        failures: Counter[Kind] = Counter()
        for kind, owners in work:
            desc = f"{kind.noun.capitalize()}s"
            with self.progress(
                total=owners.count(), desc=desc, unit=f"{kind.noun}s", verbosity=verbosity
            ) as bar:
                related = kind.related_name
                for item in owners.prefetch_related(related).iterator(chunk_size=CHUNK):
                    if problem := self.upkeep(kind, item):
                        failures[kind] += 1
                        name = getattr(item, kind.key_field)
                        self.stderr.write(f"{kind.noun} {name!r}: {problem}")
                    bar.update()
        if not (image or author):
            self.remove_orphans(default_storage)
        self.report()
        if failures:
            failed = " and ".join(counted(count, *kind.counted) for kind, count in failures.items())
            raise CommandError(f"{failed} could not be done (listed above).")

    def owners(self, kind: Kind, names: list[str]) -> QuerySet[Any]:
        """The images or authors to look after: those named, or else every image and every
        author with a photo or with renditions left from one."""
        owners = kind.model._default_manager.order_by("pk")
        if names:
            lookup = f"{kind.key_field}__in"
            known = set(owners.filter(**{lookup: names}).values_list(kind.key_field, flat=True))
            if unknown := sorted(set(names) - known):
                label = "image has the key" if kind is IMAGES else "author has the slug"
                raise CommandError(f"No {label} {', '.join(map(repr, unknown))}.")
            return owners.filter(**{lookup: names})
        if kind is PHOTOS:
            with_renditions = Rendition.objects.filter(author__isnull=False).values("author_id")
            return owners.filter(~Q(photo="") | Q(pk__in=with_renditions))
        return owners

    def upkeep(self, kind: Kind, owner: Picture) -> str | None:
        """Bring one picture's renditions up to date; returns why it could not be, if so."""
        source = source_of(owner)
        present = bool(source.file.name and source.file.storage.exists(source.file.name))
        # Without a file (an author without a photo, an imported image whose picture could
        # not be had: check_content lists those) there are only leftovers to drop.
        if source.file and not present:
            return "its picture file is missing from storage; upload it again"
        plan = plan_upkeep(owner)
        if not plan.needed:
            return None
        counts = self.counts[kind]
        counts["owners"] += 1
        if not self.dry_run:
            try:
                with transaction.atomic():
                    # Rows whose file has gone are dropped and made again; deleting a row
                    # removes its file after the commit (articles.signals).
                    Rendition.objects.filter(pk__in=[r.pk for r in plan.broken]).delete()
                    related = kind.related_name
                    fresh = kind.model._default_manager.prefetch_related(related).get(pk=owner.pk)
                    ensure_renditions(fresh)
                    renditions_changed.send(sender=type(fresh), owner=fresh)
            except OSError as error:
                return f"could not make renditions ({error})"
        counts["made"] += len(plan.missing)
        counts["stale"] += len(plan.stale)
        counts["broken"] += len(plan.broken)
        if self.verbosity >= 2:
            would = "would " if self.dry_run else ""
            self.stdout.write(
                f"{kind.noun} {getattr(owner, kind.key_field)!r}: {would}make "
                f"{len(plan.missing)}, {would}drop {len(plan.stale)} outdated, "
                f"{len(plan.broken)} with a missing file"
            )
        return None

    def remove_orphans(self, storage: Storage) -> None:
        """Files in the renditions folder that no row names, folder by folder (so memory
        stays bounded by one folder's rows)."""
        cutoff = timezone.now() - ORPHAN_GRACE
        for folder, names in walk(storage, FOLDER):
            if not names:
                continue
            paths = [f"{folder}/{name}" for name in names]
            known = set(
                Rendition.objects.filter(file__startswith=f"{folder}/").values_list(
                    "file", flat=True
                )
            )
            for path in paths:
                if path in known or not older_than(storage, path, cutoff):
                    continue
                self.orphans += 1
                if self.verbosity >= 2:
                    self.stdout.write(f"{path}: {'would remove' if self.dry_run else 'removed'}")
                if not self.dry_run:
                    storage.delete(path)

    def report(self) -> None:
        if self.verbosity < 1:
            return
        if self.dry_run:
            self.stdout.write("Dry run: nothing was changed.")
            make, drop, remove = "Would make", "would drop", "Would remove"
        else:
            make, drop, remove = "Made", "dropped", "Removed"
        for kind, counts in self.counts.items():
            self.stdout.write(
                f"{make} "
                + counted(counts["made"], "%(count)s rendition", "%(count)s renditions")
                + f" for {counted(counts['owners'], *kind.counted)} "
                + counted(
                    counts["broken"],
                    "(%(count)s again, as its file was missing)",
                    "(%(count)s again, as their file was missing)",
                )
                + f"; {drop} {counts['stale']:,} of {kind.replaced}."
            )
        orphans = counted(self.orphans, "%(count)s orphaned file", "%(count)s orphaned files")
        self.stdout.write(f"{remove} {orphans}.")
        changed = self.orphans or any(any(c.values()) for c in self.counts.values())
        if not self.dry_run and not changed:
            self.stdout.write(
                self.style.SUCCESS("Every image's and author photo's renditions are up to date.")
            )


def walk(storage: Storage, folder: str) -> Iterator[tuple[str, list[str]]]:
    """(folder, file names) for a storage folder and every folder below it."""
    # No exists() first: object storage has no folders, only names with this prefix.
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    yield folder, files
    for name in sorted(folders):
        yield from walk(storage, f"{folder}/{name}")


def older_than(storage: Storage, path: str, cutoff: datetime.datetime) -> bool:
    try:
        return storage.get_modified_time(path) < cutoff
    except NotImplementedError:
        # A storage that cannot tell (few can't): the row check alone decides.
        return True
