from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        from articles import signals  # noqa: F401 - connects the receivers

        # Pillow's process-wide limit, so every opening of a picture (validation,
        # renditions) refuses decompression bombs at the configured size.
        Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
