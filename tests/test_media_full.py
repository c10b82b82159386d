"""Media storage failing during an upload: a full disk.

MEDIA_ROOT is a 1 MB tmpfs the test mounts (CI runs as root), so the kernel itself
refuses the write part-way through a file, as a full disk does. Without root, the
kernel's per-process file size limit (RLIMIT_FSIZE) refuses it instead; under CI=true
root is required, so the real full disk is always tried there.
"""

import contextlib
import io
import os
import random
import re
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from PIL import Image as PILImage

from newsroom.storage import MediaWriteError
from pictures.models import Image, Rendition
from tests.base import row_counts
from tests.factories import AuthorFactory

ROOM = 1024 * 1024
AS_ROOT = os.geteuid() == 0
MOUNT, UMOUNT = shutil.which("mount") or "mount", shutil.which("umount") or "umount"


@contextlib.contextmanager
def full_disk() -> Iterator[Path]:
    """A media folder where the kernel refuses to write past ROOM bytes."""
    folder = Path(tempfile.mkdtemp(prefix="newsroom-full-media-"))
    try:
        if AS_ROOT:
            subprocess.run(
                [MOUNT, "-t", "tmpfs", "-o", f"size={ROOM},mode=700", "tmpfs", str(folder)],
                check=True,
            )  # fmt: skip
            try:
                yield folder
            finally:
                subprocess.run([UMOUNT, str(folder)], check=True)
        else:
            assert os.environ.get("CI") != "true", (
                "Under CI the full-disk test mounts a tmpfs and must run as root (.ci/run does)"
            )
            soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
            resource.setrlimit(resource.RLIMIT_FSIZE, (ROOM, hard))
            try:
                yield folder
            finally:
                resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def noise(size: tuple[int, int], fmt: str, **options: object) -> bytes:
    """A picture of random pixels: it compresses badly, so its size is predictable."""
    pixels = random.Random(9).randbytes(size[0] * size[1] * 3)
    buffer = io.BytesIO()
    PILImage.frombytes("RGB", size, pixels).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def files_in(folder: Path) -> dict[str, int]:
    return {str(path.relative_to(folder)): path.stat().st_size for path in folder.rglob("*")
            if path.is_file()}  # fmt: skip


class FullDiskTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = get_user_model().objects.create_superuser("edith", password="unused")
        cls.author = AuthorFactory(name="Ann Author", slug="ann")

    def setUp(self) -> None:
        self.client.force_login(self.editor)
        self.media = self.enterContext(full_disk())
        self.enterContext(override_settings(MEDIA_ROOT=self.media))

    def test_a_picture_too_big_for_the_disk_gives_a_form_error_and_leaves_nothing(self) -> None:
        """On the image form and on an author's photo: the form comes back with the
        reason, no row is added or changed, no file (partial or empty) is kept."""
        big = noise((700, 600), "PNG")
        self.assertGreater(len(big), ROOM)  # does not fit, under the upload size limit
        forms = {
            "image": (
                reverse("admin:pictures_image_add"),
                {"key": "too-big", "alt_text": "Noise", "caption": "Noise", "credit": "Me"},
                "file",
            ),
            "author photo": (
                reverse("admin:authors_author_change", args=[self.author.pk]),
                {"name": "Ann Renamed", "slug": "ann", "job_title": "", "bio": "", "expertise": "",
                 "user": "", "links-TOTAL_FORMS": 0, "links-INITIAL_FORMS": 0,
                 "interests-TOTAL_FORMS": 0, "interests-INITIAL_FORMS": 0},
                "photo",
            ),
        }  # fmt: skip
        before = row_counts()
        for label, (url, fields, file_field) in forms.items():
            with self.subTest(label):
                upload = SimpleUploadedFile("noise.png", big, content_type="image/png")
                with self.assertLogs("newsroom.storage", "ERROR"):
                    response = self.client.post(url, {**fields, file_field: upload})
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "errornote")
                self.assertContains(response, "The file could not be stored")
                # The picture itself is fine: nothing says otherwise.
                self.assertNotContains(response, "not an image or a corrupted image")
                self.assertNotContains(response, "not a valid JPEG")
                errors = re.findall(r'<ul class="errorlist[^>]*>(.*?)</ul>', response.text, re.S)
                self.assertEqual("".join(errors).count("<li>"), 1, errors)
                # What the editor typed is still in the form.
                self.assertContains(response, f'value="{fields.get("key", "Ann Renamed")}"')
                self.assertEqual(files_in(self.media), {})
        self.assertEqual(row_counts(), before)
        self.author.refresh_from_db()
        self.assertEqual((self.author.name, self.author.photo.name), ("Ann Author", ""))

    def test_a_picture_too_big_for_the_disk_is_refused_in_json_by_the_image_picker(
        self,
    ) -> None:
        """The article form's upload: the storage's reason in JSON (503), no row, no file."""
        upload = SimpleUploadedFile("noise.png", noise((700, 600), "PNG"), "image/png")
        before = row_counts()
        with self.assertLogs("newsroom.storage", "ERROR"):
            response = self.client.post(
                reverse("admin:articles_pick_upload"),
                {"file": upload, "alt_text": "Noise", "caption": "", "credit": ""},
            )
        self.assertEqual(response.status_code, 503)
        self.assertIn("media storage is full", response.json()["errors"]["file"][0])
        self.assertEqual(row_counts(), before)
        self.assertEqual(files_in(self.media), {})

    def test_renditions_that_do_not_fit_fail_leave_no_file_and_are_made_later(self) -> None:
        """The original fits, its renditions do not: the image is saved, the renditions
        task fails with the storage's error, no rendition row or file is kept; once
        there is room, the `renditions` command (cron) makes them all."""
        if not AS_ROOT:
            self.skipTest("needs a filesystem that fills up: run as root (CI does)")
        original = noise((1200, 800), "JPEG", quality=40)
        self.assertLess(len(original), ROOM // 2)
        upload = SimpleUploadedFile("noise.jpg", original, content_type="image/jpeg")
        # The renditions task runs when the save commits (leaving captureOnCommitCallbacks).
        with self.assertLogs("django_tasks", "ERROR"), self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("admin:pictures_image_add"),
                {"key": "fits", "alt_text": "Noise", "caption": "", "credit": "", "file": upload},
            )
        self.assertEqual(response.status_code, 302)
        image = Image.objects.get(key="fits")
        self.assertEqual(files_in(self.media), {image.file.name: len(original)})
        self.assertFalse(image.renditions.exists())
        [error] = DBTaskResult.objects.get(
            args_kwargs__kwargs={"image_id": image.pk}
        ).task_result.errors
        self.assertIs(error.exception_class, MediaWriteError)

        # Room again (the tmpfs grows): the nightly command makes them all.
        subprocess.run([MOUNT, "-o", "remount,size=64m", str(self.media)], check=True)
        call_command("renditions", "--image", "fits", stdout=StringIO())
        stored = files_in(self.media)
        renditions = list(Rendition.objects.filter(image=image))
        self.assertGreater(len(renditions), 5)
        self.assertEqual(
            stored,
            {image.file.name: len(original)} | {r.file.name: r.file_size for r in renditions},
        )
        self.assertNotIn(0, stored.values())
