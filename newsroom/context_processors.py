from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """The publication's name and tagline, for every template."""
    return site_names()


def site_names() -> dict[str, str]:
    """The publication's names, from settings."""
    return {
        "site_name": settings.SITE_NAME,
        "site_tagline": settings.SITE_TAGLINE,
        "publisher_name": settings.PUBLISHER_NAME,
    }
