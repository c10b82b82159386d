from django.apps import AppConfig


class PicturesConfig(AppConfig):
    name = "pictures"
    # Editors find these in the newsroom's section of the admin, as they always have
    # (newsroom.admin_site.LISTED_UNDER): the breadcrumbs say so too.
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        from pictures import signals  # noqa: F401 - connects the receivers

        # Pillow's process-wide limit, so every opening of a picture (validation,
        # renditions) refuses decompression bombs at the configured size.
        Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
