"""renditions: makes the missing image renditions and removes orphaned ones, with real files."""

import datetime
import os
import time
from io import StringIO
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import CommandError
from django.test import TestCase
from PIL import Image as PILImage

from authors.models import Author
from newsroom.commands import Progress
from pictures.management.commands import renditions as command
from pictures.models import Image, Rendition
from pictures.renditions import PHOTO_PLAN, specs_for
from tests.base import run_command, stored_files
from tests.factories import AuthorFactory, ImageFactory, png_bytes
from tests.test_object_storage import ObjectStorageTestCase
from tests.test_renditions import picture_file


def age(name: str, hours: float) -> None:
    """Make a stored file look `hours` old."""
    path = Path(settings.MEDIA_ROOT) / name
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


class RenditionsCommandTests(TestCase):
    def setUp(self) -> None:
        # Saved in a test transaction that never commits, so no renditions are made yet.
        self.image = ImageFactory(key="wide", file=ContentFile(png_bytes((900, 500)), "w.png"))
        self.expected = len(specs_for((900, 500)))

    def renditions(self, *args: str) -> tuple[str, str]:
        with self.captureOnCommitCallbacks(execute=True):
            return run_command("renditions", *args)

    def test_makes_the_missing_renditions_as_real_files(self) -> None:
        """Every rendition the picture should have, each a stored file; a second run finds
        nothing to do."""
        output, _ = self.renditions()
        self.assertIn(f"Made {self.expected} renditions for 1 image ", output)
        made = list(self.image.renditions.all())
        self.assertEqual(len(made), self.expected)
        for rendition in made:
            self.assertTrue(default_storage.exists(rendition.file.name), rendition.file.name)
            self.assertEqual(rendition.source_name, self.image.file.name)

        files = stored_files()
        output, _ = self.renditions()
        self.assertIn("Every image's and author photo's renditions are up to date.", output)
        self.assertEqual(stored_files(), files)

    def test_dry_run_says_what_it_would_do_and_changes_nothing(self) -> None:
        files = stored_files()
        output, _ = self.renditions("--dry-run")
        self.assertIn("Dry run: nothing was changed.", output)
        self.assertIn(f"Would make {self.expected} renditions for 1 image ", output)
        self.assertFalse(self.image.renditions.exists())
        self.assertEqual(stored_files(), files)

    def test_a_rendition_whose_file_is_gone_is_made_again(self) -> None:
        self.renditions()
        lost = self.image.renditions.first()
        default_storage.delete(lost.file.name)
        output, _ = self.renditions()
        self.assertIn("Made 1 rendition for 1 image (1 again, as its file was missing)", output)
        self.assertFalse(Rendition.objects.filter(pk=lost.pk).exists())
        remade = self.image.renditions.get(crop=lost.crop, width=lost.width, format=lost.format)
        self.assertTrue(default_storage.exists(remade.file.name))

    def test_renditions_of_a_replaced_picture_are_dropped_with_their_files(self) -> None:
        self.renditions()
        old = {r.file.name for r in self.image.renditions.all()}
        self.image.file.save("new.png", ContentFile(png_bytes((300, 300))), save=False)
        # The admin would make the new renditions on commit; suppose that failed.
        Image.objects.filter(pk=self.image.pk).update(
            file=self.image.file.name, width=300, height=300
        )
        output, _ = self.renditions()
        self.assertIn(f"dropped {self.expected} of replaced pictures or moved focal points", output)
        self.assertFalse(any(default_storage.exists(name) for name in old))
        self.assertEqual(
            {r.source_name for r in self.image.renditions.all()}, {self.image.file.name}
        )
        self.assertEqual(self.image.renditions.count(), len(specs_for((300, 300))))

    def test_crops_around_an_old_focal_point_are_made_again(self) -> None:
        """A focal point changed without the image's save (a bulk update) leaves crops
        around the old one: the command drops and makes them again, and only them."""
        self.renditions()
        crops = set(self.image.renditions.exclude(crop="original").values_list("pk", flat=True))
        originals = set(self.image.renditions.filter(crop="original").values_list("pk", flat=True))
        Image.objects.filter(pk=self.image.pk).update(focal_x=0.1, focal_y=0.9)
        output, _ = self.renditions()
        self.assertIn(f"dropped {len(crops)} of replaced pictures or moved focal points", output)
        kept = set(self.image.renditions.values_list("pk", flat=True))
        self.assertTrue(originals <= kept)
        self.assertFalse(crops & kept)
        self.assertEqual(
            set(self.image.renditions.exclude(crop="original").values_list("focal_x", flat=True)),
            {0.1},
        )

    def test_orphaned_files_are_removed_once_an_hour_old(self) -> None:
        """Files in the renditions folder that no row names: removed when old, kept while
        young (a rendition being made right now); files with a row are kept."""
        self.renditions()
        used = self.image.renditions.first().file.name
        old = default_storage.save("renditions/2020/01/left-behind.webp", ContentFile(b"x"))
        young = default_storage.save("renditions/2020/01/being-made.webp", ContentFile(b"x"))
        age(old, hours=2)
        age(used, hours=2)

        output, _ = self.renditions("--dry-run", "-v", "2")
        self.assertIn(f"{old}: would remove", output)
        self.assertIn("Would remove 1 orphaned file.", output)
        self.assertTrue(default_storage.exists(old))

        output, _ = self.renditions()
        self.assertIn("Removed 1 orphaned file.", output)
        self.assertFalse(default_storage.exists(old))
        self.assertTrue(default_storage.exists(young))
        self.assertTrue(default_storage.exists(used))

    def test_an_image_without_its_file_is_listed_and_exits_non_zero(self) -> None:
        """The others are still done; the one that cannot be is named on stderr."""
        ImageFactory(key="fine")
        default_storage.delete(self.image.file.name)
        errors = StringIO()
        with self.assertRaisesMessage(CommandError, "1 image could not be done") as caught:
            run_command("renditions", stderr=errors)
        self.assertEqual(caught.exception.returncode, 1)
        self.assertIn("image 'wide': its picture file is missing from storage", errors.getvalue())
        self.assertTrue(Image.objects.get(key="fine").renditions.exists())
        self.assertFalse(self.image.renditions.exists())

    def test_only_the_images_asked_for(self) -> None:
        ImageFactory(key="other")
        output, _ = self.renditions("--image", "wide", "-v", "2")
        self.assertIn("image 'wide': make", output)
        self.assertNotIn("other", output)
        self.assertFalse(Image.objects.get(key="other").renditions.exists())
        with self.assertRaisesMessage(CommandError, "No image has the key 'nope'."):
            run_command("renditions", "--image", "nope")

    def test_verbosity_0_says_nothing(self) -> None:
        self.assertEqual(self.renditions("-v", "0"), ("", ""))
        self.assertEqual(self.image.renditions.count(), self.expected)

    def test_progress_in_logs(self) -> None:
        """Plain progress lines on stderr when not a terminal (here: every update)."""
        with mock.patch.object(Progress, "PLAIN_SECONDS", 0):
            _, errors = self.renditions("--dry-run")
        count = Image.objects.count()  # the seeded story's pictures too
        self.assertIn(f"Images: 100% ({count} of {count} images)", errors)


class AuthorPhotoRenditionsCommandTests(TestCase):
    """The same upkeep for authors' photos: made when missing, dropped when the photo
    was replaced or removed, files nobody names removed."""

    def setUp(self) -> None:
        # Saved in a test transaction that never commits, so no renditions are made yet.
        self.author = AuthorFactory(slug="ana", with_photo=True)
        self.expected = len(specs_for((600, 400), PHOTO_PLAN))

    def renditions(self, *args: str) -> tuple[str, str]:
        with self.captureOnCommitCallbacks(execute=True):
            return run_command("renditions", *args)

    def test_makes_the_missing_photo_renditions_as_real_square_files(self) -> None:
        output, _ = self.renditions()
        self.assertIn(f"Made {self.expected} renditions for 1 author photo ", output)
        made = list(self.author.photo_renditions.all())
        self.assertEqual(len(made), self.expected)
        for rendition in made:
            with rendition.file.open("rb") as handle, PILImage.open(handle) as picture:
                self.assertEqual(picture.size, (rendition.width, rendition.width))
            self.assertEqual(rendition.source_name, self.author.photo.name)
        files = stored_files()
        output, _ = self.renditions()
        self.assertIn("Every image's and author photo's renditions are up to date.", output)
        self.assertEqual(stored_files(), files)

    def test_dry_run_counts_photos_and_changes_nothing(self) -> None:
        files = stored_files()
        output, _ = self.renditions("--dry-run", "--author", "ana", "-v", "2")
        self.assertIn(f"author photo 'ana': would make {self.expected}", output)
        self.assertIn(f"Would make {self.expected} renditions for 1 author photo ", output)
        self.assertIn("Would make 0 renditions for 0 images ", output)
        self.assertFalse(self.author.photo_renditions.exists())
        self.assertEqual(stored_files(), files)

    def test_renditions_of_a_removed_photo_are_dropped_with_their_files(self) -> None:
        self.renditions()
        old = {r.file.name for r in self.author.photo_renditions.all()}
        # As if the job that follows removing the photo had failed.
        Author.objects.filter(pk=self.author.pk).update(photo="")
        output, _ = self.renditions("--author", "ana")
        self.assertIn(f"dropped {self.expected} of replaced or removed photos", output)
        self.assertFalse(self.author.photo_renditions.exists())
        self.assertFalse(any(default_storage.exists(name) for name in old))

    def test_renditions_of_a_replaced_photo_are_made_again(self) -> None:
        self.renditions()
        old = {r.file.name for r in self.author.photo_renditions.all()}
        self.author.photo.save("new.png", ContentFile(png_bytes((200, 300))), save=False)
        Author.objects.filter(pk=self.author.pk).update(
            photo=self.author.photo.name, photo_width=200, photo_height=300
        )
        self.renditions()
        fresh = set(self.author.photo_renditions.values_list("width", flat=True))
        self.assertEqual(fresh, {96, 160, 200})
        self.assertFalse(any(default_storage.exists(name) for name in old))

    def test_orphaned_photo_rendition_files_are_removed(self) -> None:
        """Rows deleted without their files (say, a crash before the commit hook): the
        files are orphans, removed once old enough."""
        self.renditions()
        names = list(self.author.photo_renditions.values_list("file", flat=True))
        Rendition.objects.filter(author=self.author).delete()  # no on-commit file removal
        for name in names:
            age(name, hours=2)
        output, _ = self.renditions("--dry-run")
        self.assertIn(f"Would remove {len(names)} orphaned files.", output)
        output, _ = self.renditions()
        self.assertIn(f"Removed {len(names)} orphaned files.", output)
        self.assertFalse(any(default_storage.exists(name) for name in names))

    def test_a_photo_missing_from_storage_is_listed_and_exits_non_zero(self) -> None:
        default_storage.delete(self.author.photo.name)
        errors = StringIO()
        with self.assertRaisesMessage(CommandError, "1 author photo could not be done"):
            run_command("renditions", stderr=errors)
        self.assertIn("author photo 'ana': its picture file is missing", errors.getvalue())

    def test_only_the_authors_asked_for(self) -> None:
        AuthorFactory(slug="bo", with_photo=True)
        output, _ = self.renditions("--author", "ana")
        self.assertIn("for 1 author photo ", output)
        self.assertFalse(Author.objects.get(slug="bo").photo_renditions.exists())
        self.assertTrue(self.author.photo_renditions.exists())
        with self.assertRaisesMessage(CommandError, "No author has the slug 'nope'."):
            run_command("renditions", "--author", "nope")


class RenditionsOnObjectStorageTests(ObjectStorageTestCase):
    """The same upkeep with media in an S3 bucket, which has no folders, only names."""

    def test_missing_renditions_are_made_and_orphans_removed_in_the_bucket(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            image = ImageFactory(key="in-bucket", file=picture_file((900, 500)))
        lost = image.renditions.first()
        default_storage.delete(lost.file.name)
        orphan = default_storage.save("renditions/2020/01/left-behind.webp", ContentFile(b"x"))
        self.assertTrue(default_storage.exists(orphan))

        # Object storage reports modification times; make every file old enough. (The
        # seeded story's pictures and author photo are on the local disk, not in this
        # bucket: listed.)
        output, errors = StringIO(), StringIO()
        with (
            mock.patch.object(command, "ORPHAN_GRACE", datetime.timedelta(0)),
            self.captureOnCommitCallbacks(execute=True),
            self.assertRaisesMessage(CommandError, "2 images and 1 author photo could not be done"),
        ):
            run_command("renditions", stdout=output, stderr=errors)
        self.assertNotIn("in-bucket", errors.getvalue())
        self.assertIn("Made 1 rendition for 1 image (1 again", output.getvalue())
        self.assertIn("Removed 1 orphaned file.", output.getvalue())
        self.assertFalse(default_storage.exists(orphan))
        for rendition in image.renditions.all():
            self.assertTrue(default_storage.exists(rendition.file.name), rendition.file.name)
