"""Template tags for reader pages: pictures from renditions, absolute, canonical and
fixed addresses, JSON-LD."""

from __future__ import annotations

import datetime
import functools
from typing import Any
from urllib.parse import quote, urlencode

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import QueryDict
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from authors.models import Author
from newsroom.context_processors import site_names
from newsroom.links import absolute_url
from newsroom.text import clean_text
from pictures.models import Image, Rendition
from pictures.renditions import renditions_of
from quotes.models import speaker_schema_type
from reader import navigation, reading, structured_data

register = template.Library()


def _srcset(renditions: list[Rendition]) -> str:
    return ", ".join(f"{rendition.file.url} {rendition.width}w" for rendition in renditions)


def _picture_context(
    owner: Image | Author,
    crop: str,
    original: tuple[str, int, int],
    *,
    sizes: str,
    alt: str,
    lazy: bool,
    fallback_width: int,
) -> dict[str, Any]:
    """What includes/picture.html needs, from the (prefetched) renditions of an image or
    an author photo of one shape; before they exist, the `original` (url, width, height)."""
    webp = renditions_of(owner, crop, Rendition.Format.WEBP)
    jpeg = renditions_of(owner, crop, Rendition.Format.JPEG)
    if jpeg:
        # The JPEG nearest `fallback_width` for browsers that ignore srcset.
        src = min(jpeg, key=lambda rendition: abs(rendition.width - fallback_width)).file.url
        width, height = jpeg[-1].width, jpeg[-1].height
    else:
        src, width, height = original
    return {
        "src": src,
        "width": width,
        "height": height,
        "webp_srcset": _srcset(webp),
        "jpeg_srcset": _srcset(jpeg),
        "sizes": sizes,
        "alt": alt,
        "lazy": lazy,
    }


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
    (no layout shift). Reads prefetched renditions; before they exist, the original.
    A missing picture (an imported image without its file) is a placeholder box that
    says so, never an <img> pointing nowhere."""
    alt = "" if decorative or image.is_decorative else image.alt_text
    # Read as a field, not a model property: a migration renders bodies with its own models.
    if not image.file:
        return {"missing": True, "alt": alt}
    return _picture_context(
        image,
        crop,
        (image.file.url, image.width, image.height),
        sizes=sizes,
        alt=alt,
        lazy=lazy,
        fallback_width=800,
    )


@register.inclusion_tag("includes/picture.html")
def author_photo(
    author: Author, *, size: int, css_class: str, lazy: bool = False
) -> dict[str, Any]:
    """An author's photo shown as a `size` CSS px square: a <picture> of its square
    renditions (prefetched), or the original before they exist, which CSS crops."""
    context = _picture_context(
        author,
        Rendition.Crop.SQUARE,
        (author.photo.url, size, size),
        sizes=f"{size}px",
        alt=f"Profile picture of {author.name}",
        lazy=lazy,
        fallback_width=2 * size,
    )
    # The box the page gives it, whatever the rendition's pixels (all square).
    return {**context, "width": size, "height": size, "css_class": css_class}


@functools.lru_cache(maxsize=128)
def _reversed(view_name: str, args: tuple[str, ...], *_key: str | None) -> str:
    """reverse(), remembered; `_key` is what reverse() reads besides its arguments (the
    URLconf, script prefix and language), so a change of any of them is a new entry."""
    return reverse(view_name, args=args)


# Moves when settings change (only tests change them): every fixed part renders again.
_settings_changes = 0


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:
    global _settings_changes
    _settings_changes += 1


class FixedNode(template.Node):
    """What {% fixed %} holds, rendered once for each URLconf, script prefix, language
    and settings the process serves."""

    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist
        self.rendered: dict[tuple[object, ...], str] = {}

    def render(self, context: template.Context) -> str:
        key = (get_urlconf(), get_script_prefix(), get_language(), _settings_changes)
        found = self.rendered.get(key)
        if found is None:
            # The site's names only: nothing of the page can be frozen into it.
            found = self.rendered[key] = self.nodelist.render(context.new(site_names()))
        return found


@register.tag
def fixed(parser: template.base.Parser, token: template.base.Token) -> FixedNode:
    """{% fixed %}...{% endfixed %}: markup every page repeats that depends only on
    settings (names, static files, the site's fixed addresses), rendered once per
    process instead of on every page: the page's header, footer and head links are a
    measurable share of a page's rendering (docs/performance.md). It sees only the
    site's names (site_name, site_tagline, publisher_name), never the page's context."""
    nodelist = parser.parse(("endfixed",))
    parser.delete_first_token()
    return FixedNode(nodelist)


@register.simple_tag
def fixed_url(view_name: str, *args: str) -> str:
    """{% url %} for the site's own fixed addresses (the header's and footer's links,
    named on every page): reversed once for each URLconf, script prefix and language
    the process serves, not on every page, where reversing each is a measurable share of
    a page (measured: see docs/performance.md). Only for fixed view names and arguments:
    the cache is bounded."""
    return _reversed(view_name, args, get_urlconf(), get_script_prefix(), get_language())


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
def schema_type(speaker_kind: str) -> str:
    """A speaker's schema.org type from their kind (reads a field only, so a data
    migration's historical rows render alike)."""
    return speaker_schema_type(speaker_kind)


@register.filter
def json_ld(data: structured_data.JsonDict) -> SafeString:
    return structured_data.script(data)


@register.inclusion_tag("includes/social_image.html", takes_context=True)
def default_social_image(context: template.Context) -> dict[str, Any]:
    """og:image and twitter:image for a page with no picture of its own: the publisher's."""
    return {
        "image": structured_data.share_image(context.get("request")),
        "alt": f"{settings.SITE_NAME}: {settings.SITE_TAGLINE}",
    }


@register.filter
def xml_text(text: str) -> str:
    return clean_text(str(text))


@register.filter
def iso_datetime(moment: datetime.datetime) -> str:
    """ISO 8601 to the second with the site's offset (the W3C format sitemaps use)."""
    return structured_data.iso(moment)


@register.inclusion_tag("includes/site_menu.html", takes_context=True)
def site_menu(context: template.Context) -> dict[str, Any]:
    """The section menu, its current entry marked (reader.navigation)."""
    request = context.get("request")
    if request is None:  # a page rendered outside a request has no current section either
        return {"entries": []}
    return {"entries": navigation.marked(request, context.get("article"))}


@register.filter
def outline(body_html: str) -> reading.Outline:
    """The stored body with its reading aids (reader.reading)."""
    return reading.outline(body_html)


# Where each network takes a link to share, and what it is given ({title}, {url}): plain
# addresses, no script of theirs, so a visit tells them nothing until the reader shares.
SHARE_ADDRESSES = [
    ("Bluesky", "https://bsky.app/intent/compose", {"text": "{title} {url}"}),
    ("Mastodon", "https://mastodonshare.com/", {"text": "{title}", "url": "{url}"}),
    ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/", {"url": "{url}"}),
    ("X", "https://x.com/intent/post", {"text": "{title}", "url": "{url}"}),
    ("Facebook", "https://www.facebook.com/sharer/sharer.php", {"u": "{url}"}),
    ("WhatsApp", "https://wa.me/", {"text": "{title} {url}"}),
]


@register.inclusion_tag("includes/share.html", takes_context=True)
def share_links(context: template.Context, article: Any) -> dict[str, Any]:
    """Links that share the article by email and on the main networks, for the page's
    own address (stored with the article on the placeholder origin, which
    reader.fragments.served replaces, percent-encoded too, with the request's)."""
    url = absolute_url(context["request"], article.get_absolute_url())
    title = article.headline
    links = [("Email", "mailto:?" + urlencode({"subject": title, "body": url}, quote_via=quote))]
    for name, address, query in SHARE_ADDRESSES:
        filled = {key: value.format(title=title, url=url) for key, value in query.items()}
        links.append((name, f"{address}?{urlencode(filled)}"))
    return {"url": url, "title": title, "links": links}
