"""Article bodies: the site's Markdown (newsroom.markdown), with quotes and images
placed by markers.

A marker is a line of its own in the Markdown body: ``[[quote:<key>]]`` places
the article's quote with that key, ``[[image:<key>]]`` the image with that key.
The Markdown is rendered and sanitised first; the quotes and images are then
rendered from templates (autoescaped), so nothing an author types runs.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db.models import Model, Prefetch, QuerySet
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from newsroom.markdown import RENDERED_MARKER_RE, marker_keys, render_markdown

if TYPE_CHECKING:
    from pictures.models import Image
    from quotes.models import Quote

logger = logging.getLogger(__name__)

# Sent after bodies were stored in bulk (refresh_bodies), which sends no save signals:
# sender is the article model, pks the articles whose body changed.
bodies_changed = Signal()


def render_body(
    body: str, quotes: Iterable[Quote], images: Mapping[str, Image], *, warn: bool = True
) -> SafeString:
    """The article body as safe HTML, with quote and image markers replaced. It names
    no request: it is stored (Article.body_html), so a quote's permalink is absolute
    under SITE_URL when set, else root-relative (newsroom.links.absolute_url)."""
    quotes_by_key = {quote.key: quote for quote in quotes}

    def place(match: re.Match[str]) -> str:
        kind, key = match.groups()
        if kind == "quote" and key in quotes_by_key:
            return render_to_string("includes/quote.html", {"quote": quotes_by_key[key]})
        if kind == "image" and key in images:
            return render_to_string("includes/figure.html", {"image": images[key]})
        # The admin refuses unmatched markers; one can only appear if a quote or an
        # image was deleted afterwards. Leave it out of the page, but say so.
        if warn:
            logger.warning("Unmatched %s marker %r left out of the page", kind, key)
        return ""

    return mark_safe(RENDERED_MARKER_RE.sub(place, render_markdown(body)))  # noqa: S308 # nh3 output


# The functions below read fields and relations only, so a data migration can pass its
# historical models: the image and quote models are those the article's relations point
# to, whichever app holds them then.


def image_model_of(article_model: type[Model]) -> type[Model]:
    image_model: Any = article_model._meta.get_field("lead_image").related_model
    return image_model


def placed_images(image_model: type[Model], keys: Iterable[str]) -> dict[str, Any]:
    """The images of these keys with their renditions, by key (no query for none)."""
    keys = set(keys)
    if not keys:
        return {}
    placed: Iterable[Any] = image_model._default_manager.filter(key__in=keys).prefetch_related(
        "renditions"
    )
    return {image.key: image for image in placed}


def rendered_body(article: Any, *, warn: bool = True) -> SafeString:
    """An article's body as readers see it, from its quotes and placed images as
    stored now (an article not saved yet has no quotes). `warn`: log the markers left
    out (render_body)."""
    quotes: Iterable[Quote] = ()
    if article.pk is not None and marker_keys(article.body, "quote"):
        quotes = article.quotes.select_related("speaker")
    images = placed_images(image_model_of(type(article)), marker_keys(article.body, "image"))
    return render_body(article.body, quotes, images, warn=warn)


def refresh_bodies(articles: QuerySet[Any], *, batch_size: int = 500) -> int:
    """Render these articles' bodies again and store those that changed, for writes that
    do not go through Article.save (a quote, speaker or image changing, bulk writes).
    A fixed number of queries per batch. Returns how many changed."""
    model = articles.model
    quote_model: Any = model._meta.get_field("quotes").related_model
    image_model = image_model_of(model)
    quotes = Prefetch("quotes", queryset=quote_model._default_manager.select_related("speaker"))
    pks = list(articles.order_by("pk").values_list("pk", flat=True).distinct())
    changed = 0
    for start in range(0, len(pks), batch_size):
        batch = list(
            model._default_manager.filter(pk__in=pks[start : start + batch_size])
            .only("pk", "slug", "body", "body_html")
            .prefetch_related(quotes)
        )
        keys = {key for article in batch for key in marker_keys(article.body, "image")}
        images = placed_images(image_model, keys)
        stale = []
        for article in batch:
            html = str(render_body(article.body, article.quotes.all(), images))
            if html != article.body_html:
                article.body_html = html
                stale.append(article)
        model._default_manager.bulk_update(stale, ["body_html"])
        if stale:
            bodies_changed.send(sender=model, pks=[article.pk for article in stale])
        changed += len(stale)
    return changed


# Articles whose bodies are due to be rendered again at the end of the current
# bodies_rendered_at_end block, if one is open in this thread.
_pending = threading.local()


def refresh_bodies_of(model: type[Model], pks: Iterable[int]) -> None:
    """Render these articles' bodies again: now, or once at the end of the open
    bodies_rendered_at_end block."""
    pending: set[int] | None = getattr(_pending, "pks", None)
    if pending is not None:
        pending.update(pks)
    else:
        refresh_bodies(model._default_manager.filter(pk__in=list(pks)))


@contextmanager
def bodies_rendered_at_end(model: type[Model]) -> Iterator[None]:
    """Within the block, bodies asked to render again (refresh_bodies_of) are rendered
    once, at its end: for code that saves or deletes many rows one body shows (an
    import replacing quotes, a revision restored), which would otherwise render a body
    for each row. Nested blocks leave it to the outermost."""
    if getattr(_pending, "pks", None) is not None:
        yield
        return
    _pending.pks = set()
    try:
        yield
        pks = _pending.pks
    finally:
        _pending.pks = None
    refresh_bodies(model._default_manager.filter(pk__in=pks))
