from __future__ import annotations

import datetime
from argparse import ArgumentParser
from collections.abc import Iterator
from typing import Any

from django.core.files.storage import Storage, default_storage
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from articles.management.base import StaffCommand
from articles.models import Image, Rendition
from articles.renditions import ensure_renditions, plan_upkeep

# Where rendition files live (articles.images.rendition_upload_path).
FOLDER = "renditions"
# A file younger than this may belong to a rendition being made right now, whose row is
# not committed yet (make_renditions_later runs after each image save): leave it alone.
ORPHAN_GRACE = datetime.timedelta(hours=1)
CHUNK = 200


class Command(StaffCommand):
    help = """\
Make the image renditions that are missing and remove those nobody uses.

For each image: makes the renditions its picture should have and does not
(new sizes, an image saved while rendition making failed), drops those made
from a file the image no longer has (the picture was replaced), and makes
again those whose file has gone from storage. Then removes the files in the
renditions folder that no rendition row names (left by an interrupted run or
a deleted image), if they are more than an hour old: a younger one may belong
to a rendition being made right now.

Each image is done in its own transaction, so an interrupted run keeps what
it finished; run it again for the rest. Exits with status 1 when an image
cannot be done (its file is missing or unreadable); those are listed."""
    examples = """
        manage.py renditions --dry-run           # what would be made and removed
        manage.py renditions                     # make the missing, remove the orphans
        manage.py renditions --image lead-photo --image chart -v 2
        # crontab: nightly, quiet unless something fails
        30 3 * * * cd /srv/newsroom && .venv/bin/python manage.py renditions -v 0
    """
    interrupted = "the images done so far keep their renditions; run it again for the rest"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--image",
            action="append",
            metavar="KEY",
            help="Only this image (repeatable); orphaned files are then left alone.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what would be made and removed; change nothing.",
        )

    def handle(
        self, *args: Any, image: list[str] | None, dry_run: bool, verbosity: int, **options: Any
    ) -> None:
        images = Image.objects.order_by("pk")
        if image:
            unknown = sorted(
                set(image) - set(images.filter(key__in=image).values_list("key", flat=True))
            )
            if unknown:
                raise CommandError(f"No image has the key {', '.join(map(repr, unknown))}.")
            images = images.filter(key__in=image)
        self.dry_run, self.verbosity = dry_run, verbosity
        self.counts = {"made": 0, "stale": 0, "broken": 0, "images": 0, "orphans": 0}
        failures = []
        with self.progress(
            total=images.count(), desc="Images", unit="images", verbosity=verbosity
        ) as bar:
            for item in images.prefetch_related("renditions").iterator(chunk_size=CHUNK):
                if problem := self.upkeep(item):
                    failures.append(problem)
                    self.stderr.write(f"image {item.key!r}: {problem}")
                bar.update()
        if not image:
            self.remove_orphans(default_storage)
        self.report()
        if failures:
            raise CommandError(
                f"{len(failures)} image{'s' * (len(failures) != 1)} could not be done "
                "(listed above)."
            )

    def upkeep(self, image: Image) -> str | None:
        """Bring one image's renditions up to date; returns why it could not be, if so."""
        if not image.file or not image.file.storage.exists(image.file.name):
            return "its picture file is missing from storage; upload it again"
        plan = plan_upkeep(image)
        if not plan.needed:
            return None
        self.counts["images"] += 1
        if not self.dry_run:
            try:
                with transaction.atomic():
                    # Rows whose file has gone are dropped and made again; deleting a row
                    # removes its file after the commit (articles.signals).
                    Rendition.objects.filter(pk__in=[r.pk for r in plan.broken]).delete()
                    fresh = Image.objects.prefetch_related("renditions").get(pk=image.pk)
                    ensure_renditions(fresh)
            except OSError as error:
                return f"could not make renditions ({error})"
        self.counts["made"] += len(plan.missing)
        self.counts["stale"] += len(plan.stale)
        self.counts["broken"] += len(plan.broken)
        if self.verbosity >= 2:
            would = "would " if self.dry_run else ""
            self.stdout.write(
                f"image {image.key!r}: {would}make {len(plan.missing)}, "
                f"{would}drop {len(plan.stale)} of a replaced picture, "
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
                self.counts["orphans"] += 1
                if self.verbosity >= 2:
                    self.stdout.write(f"{path}: {'would remove' if self.dry_run else 'removed'}")
                if not self.dry_run:
                    storage.delete(path)

    def report(self) -> None:
        if self.verbosity < 1:
            return
        counts = self.counts
        if self.dry_run:
            self.stdout.write("Dry run: nothing was changed.")
            make, drop, remove = "Would make", "would drop", "Would remove"
        else:
            make, drop, remove = "Made", "dropped", "Removed"
        self.stdout.write(
            f"{make} {plural(counts['made'], 'rendition')} for {plural(counts['images'], 'image')} "
            f"({counts['broken']} again, as their file was missing); "
            f"{drop} {counts['stale']} of replaced pictures."
        )
        self.stdout.write(f"{remove} {plural(counts['orphans'], 'orphaned file')}.")
        if not self.dry_run and not any(counts.values()):
            self.stdout.write(self.style.SUCCESS("Every image's renditions are up to date."))


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


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
