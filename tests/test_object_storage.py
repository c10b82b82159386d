"""Media on S3-compatible object storage, against a real S3 server (moto, on loopback)."""

import urllib.request
from typing import Any

from django.conf import settings
from django.test import TestCase, override_settings
from PIL import Image as PILImage

from deploy.engines import LOOPBACK, create_public_bucket, free_port, start_s3, stop
from newsroom.settings import object_storage
from tests.factories import ArticleFactory, ImageFactory
from tests.test_renditions import picture_file

BUCKET = "newsroom-media"
REGION = "us-east-1"
KEYS = {"access_key": "test-key", "secret_key": "test-secret"}


class ObjectStorageTestCase(TestCase):
    """Media in a bucket of a real S3 server, for every test of the class."""

    server: Any
    endpoint: str

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        port = free_port()
        cls.server = start_s3(port)
        cls.addClassCleanup(stop, cls.server)
        cls.endpoint = f"http://{LOOPBACK}:{port}"
        create_public_bucket(cls.endpoint, BUCKET, REGION, **KEYS)
        # The storage a deployment gets from AWS_STORAGE_BUCKET_NAME and its companions.
        storage = object_storage(
            BUCKET,
            endpoint_url=cls.endpoint,
            region_name=REGION,
            access_key=KEYS["access_key"],
            secret_key=KEYS["secret_key"],
            custom_domain=None,
        )
        s3 = override_settings(STORAGES={**settings.STORAGES, "default": storage})
        s3.enable()
        cls.addClassCleanup(s3.disable)


class ObjectStorageTests(ObjectStorageTestCase):
    def test_uploads_and_renditions_are_stored_in_the_bucket_and_served_from_it(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            image = ImageFactory(file=picture_file((1600, 900)))
        renditions = list(image.renditions.all())
        self.assertGreater(len(renditions), 5)
        for stored in [image.file, *(r.file for r in renditions)]:
            with self.subTest(name=stored.name):
                self.assertTrue(stored.url.startswith(f"{self.endpoint}/{BUCKET}/"), stored.url)
                with urllib.request.urlopen(stored.url) as response:  # noqa: S310 (loopback)
                    self.assertEqual(
                        response.headers["Cache-Control"], "public, max-age=31536000, immutable"
                    )
                    with PILImage.open(response) as picture:
                        picture.load()
        wide = max(renditions, key=lambda r: r.width)
        self.assertEqual(wide.file.size, wide.file_size)

    def test_article_page_points_readers_at_the_bucket(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            image = ImageFactory(file=picture_file((1200, 800)))
        article = ArticleFactory(lead_image=image)
        response = self.client.get(article.get_absolute_url())
        self.assertContains(response, f'srcset="{self.endpoint}/{BUCKET}/renditions/')
