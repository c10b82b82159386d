"""Template tags for reader pages: pictures from renditions, absolute and canonical
addresses, JSON-LD."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.http import QueryDict
from django.utils.safestring import SafeString

from articles.feeds import xml_text
from articles.models import Image, Rendition
from articles.renditions import renditions_of
from newsroom import structured_data
from newsroom.links import absolute_url

register = template.Library()


def _srcset(renditions: list[Rendition]) -> str:
    return ", ".join(f"{rendition.file.url} {rendition.width}w" for rendition in renditions)


@register.inclusion_tag("includes/picture.html")
def picture(
    image: Image,
    *,
    sizes: str,
    crop: str = Rendition.Crop.ORIGINAL,
    lazy: bool = True,
    decorative: bool = False,
) -> dict[str, Any]:
    """A <picture>: WebP sources, a JPEG <img> with srcset, explicit width and height
    (no layout shift). Reads prefetched renditions; before they exist, the original."""
    webp = renditions_of(image, crop, Rendition.Format.WEBP)
    jpeg = renditions_of(image, crop, Rendition.Format.JPEG)
    if jpeg:
        # The 800 px JPEG (or the nearest) for browsers that ignore srcset.
        src = min(jpeg, key=lambda rendition: abs(rendition.width - 800)).file.url
        width, height = jpeg[-1].width, jpeg[-1].height
    else:
        src, width, height = image.file.url, image.width, image.height
    return {
        "src": src,
        "width": width,
        "height": height,
        "webp_srcset": _srcset(webp),
        "jpeg_srcset": _srcset(jpeg),
        "sizes": sizes,
        "alt": "" if decorative or image.is_decorative else image.alt_text,
        "lazy": lazy,
    }


@register.simple_tag(takes_context=True)
def absolute(context: template.Context, path: str) -> str:
    return absolute_url(context.get("request"), path)


@register.simple_tag(takes_context=True)
def canonical_url(context: template.Context) -> str:
    """This page's one address: the path, plus the page number past the first page
    (every other query parameter is a variant of the same page)."""
    request = context["request"]
    url = absolute_url(request, request.path)
    page = request.GET.get("page", "")
    if page.isdigit() and page != "1":
        query = QueryDict(mutable=True)
        query["page"] = page
        url += f"?{query.urlencode()}"
    return url


@register.filter
def json_ld(data: structured_data.JsonDict) -> SafeString:
    return structured_data.script(data)


@register.filter(name="xml_text")
def xml_text_filter(text: str) -> str:
    return xml_text(str(text))


@register.filter
def iso_datetime(moment: datetime.datetime) -> str:
    """ISO 8601 to the second with the site's offset (the W3C format sitemaps use)."""
    return structured_data.iso(moment)
