"""Article bodies: the site's Markdown (newsroom.markdown), with quotes and images
placed by markers.

A marker is a line of its own in the Markdown body: ``[[quote:<key>]]`` places
the article's quote with that key, ``[[image:<key>]]`` the image with that key.
The Markdown is rendered and sanitised first; the images are then rendered from
their template and the quotes as theirs renders them, every value escaped, so nothing
an author types runs.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from html import escape
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db.models import Model, Prefetch, QuerySet
from django.dispatch import Signal
from django.template.defaultfilters import date, linebreaks_filter
from django.template.loader import get_template, render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

from newsroom.links import absolute_url
from newsroom.markdown import RENDERED_MARKER_RE, marker_keys, render_markdown
from quotes.models import Quote, Speaker, speaker_schema_type

if TYPE_CHECKING:
    from pictures.models import Image

logger = logging.getLogger(__name__)

# Sent after bodies were stored in bulk (refresh_bodies), which sends no save signals:
# sender is the article model, pks the articles whose body changed.
bodies_changed = Signal()


class BodyRenderer:
    """Renders article bodies. One renderer serves a batch of bodies (a bulk write, a
    refresh): it reverses each article's and speaker's address once for the batch."""

    def __init__(self) -> None:
        self.paths: dict[tuple[str, str], str] = {}
        self.quote_changed = get_template("includes/quote_changed.html")

    def render(
        self, body: str, quotes: Iterable[Quote], images: Mapping[str, Image], *, warn: bool = True
    ) -> SafeString:
        """The article body as safe HTML, with quote and image markers replaced. It names
        no request: it is stored (Article.body_html), so a quote's permalink is absolute
        under SITE_URL when set, else root-relative (newsroom.links.absolute_url)."""
        quotes_by_key = {quote.key: quote for quote in quotes}

        def place(match: re.Match[str]) -> str:
            kind, key = match.groups()
            if kind == "quote" and key in quotes_by_key:
                return self.quote_figure(quotes_by_key[key])
            if kind == "image" and key in images:
                return render_to_string("includes/figure.html", {"image": images[key]})
            # The admin refuses unmatched markers; one can only appear if a quote or an
            # image was deleted afterwards. Leave it out of the page, but say so.
            if warn:
                logger.warning("Unmatched %s marker %r left out of the page", kind, key)
            return ""

        return mark_safe(RENDERED_MARKER_RE.sub(place, render_markdown(body)))  # noqa: S308 # nh3 output

    def path(self, view_name: str, slug: str) -> str:
        """{% url view_name slug=slug %}, remembered for the batch."""
        key = (view_name, slug)
        if key not in self.paths:
            self.paths[key] = reverse(view_name, kwargs={"slug": slug})
        return self.paths[key]

    def quote_figure(self, quote: Quote) -> str:
        """includes/quote.html as a stored body shows it (no request), byte for byte.
        Every article a bulk write makes renders its body, and the template costs about
        three times this; the quote pages and pull quotes keep the template, and
        tests/test_quote_figure.py compares the two for each of its branches.

        Every value is escaped as the template escapes it: html.escape is what Django's
        escape calls, without its handling of lazy strings, which fields never hold."""
        speaker = quote.speaker
        slug = quote.article.slug
        # The template's {% url ... as name %} gives "" where no address matches.
        article = permalink = ""
        with suppress(NoReverseMatch):
            article = self.path("articles:detail", slug)
        with suppress(NoReverseMatch):
            permalink = reverse("articles:quote", kwargs={"slug": slug, "key": quote.key})
        if speaker:
            name = escape(speaker.name)
            by = (
                '<span itemprop="creator" itemscope itemtype="https://schema.org/'
                f'{escape(speaker_schema_type(speaker.kind))}"><a class="quote__speaker" '
                f'href="{escape(self.path("articles:speaker", speaker.slug))}" itemprop="url">'
                f'<span itemprop="name">{name}</span></a></span>'
            )
        else:
            by = '<span class="quote__no-speaker">No speaker yet</span>'
        source_url = escape(quote.source_url)
        cite = f' cite="{source_url}"' if source_url else ""
        # The caption's parts after the speaker, each on a line of its own.
        parts = []
        if quote.source_title and source_url:
            parts.append(
                f'<a href="{source_url}" itemprop="citation">'
                f"<cite>{escape(quote.source_title)}</cite></a>"
            )
        elif quote.source_title:
            parts.append(f'<cite itemprop="citation">{escape(quote.source_title)}</cite>')
        elif source_url:
            parts.append(f'<a href="{source_url}" itemprop="citation">source</a>')
        if quote.reported_by:
            parts.append(f"as reported by {escape(quote.reported_by)}")
        if quote.said_on:
            day = escape(date(quote.said_on, "Y-m-d"))
            parts.append(
                f'<time itemprop="dateCreated" datetime="{day}">'
                f"{escape(date(quote.said_on, 'DATE_FORMAT'))}</time>"
            )
        caption = "".join(f",\n            {part}" for part in parts)
        return (
            f'<figure class="quote" id="quote-{escape(quote.key)}" itemscope '
            'itemtype="https://schema.org/Quotation" '
            f'itemid="{escape(absolute_url(None, permalink))}">\n'
            f'    <blockquote{cite} itemprop="text">\n'
            f"        {linebreaks_filter(quote.text, autoescape=True)}\n"
            "    </blockquote>\n"
            "    <figcaption>\n"
            f"        {by}{caption}\n"
            f'        <link itemprop="isPartOf" href="{escape(absolute_url(None, article))}">\n'
            f'        <a class="quote__permalink" href="{escape(permalink)}">Permalink'
            '<span class="visually-hidden"> to this quote'
            f"{f' by {name}' if speaker else ''}</span></a>\n"
            f"        {self.quote_changed.render({'quote': quote, 'microdata': True})}\n"
            "    </figcaption>\n"
            "</figure>\n"
        )


def render_body(
    body: str, quotes: Iterable[Quote], images: Mapping[str, Image], *, warn: bool = True
) -> SafeString:
    """One article's body (BodyRenderer.render)."""
    return BodyRenderer().render(body, quotes, images, warn=warn)


# A quote in plain values: its own fields by name (no relation), and its speaker's
# name, kind and slug (None for none).
PlainQuote = tuple[dict[str, Any], tuple[str, str, str] | None]


class PlainBody(NamedTuple):
    """An article's body and quotes as plain values (texts, dates), which can be sent to
    another process cheaply, unlike model instances and their relations: what
    BodyRenderer.render reads of them. It places no image (images are read from the
    database)."""

    slug: str
    body: str
    quotes: tuple[PlainQuote, ...]


def plain_quote(fields: dict[str, Any], speaker: Speaker | None) -> PlainQuote:
    return fields, None if speaker is None else (speaker.name, speaker.kind, speaker.slug)


def render_plain(bodies: Iterable[PlainBody]) -> list[str]:
    """The bodies as BodyRenderer.render renders the article, quotes and speakers that
    their plain values stand for (unsaved instances holding those values), with one
    renderer for them all, as for a batch."""
    article_model: Any = Quote._meta.get_field("article").related_model
    renderer = BodyRenderer()
    speakers: dict[tuple[str, str, str], Speaker] = {}
    rendered = []
    for plain in bodies:
        article = article_model(slug=plain.slug)
        quotes = []
        for fields, values in plain.quotes:
            speaker = None
            if values is not None:
                if values not in speakers:
                    name, kind, slug = values
                    speakers[values] = Speaker(name=name, kind=kind, slug=slug)
                speaker = speakers[values]
            quotes.append(Quote(**fields, article=article, speaker=speaker))
        rendered.append(str(renderer.render(plain.body, quotes, {})))
    return rendered


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
        renderer = BodyRenderer()
        for article in batch:
            html = str(renderer.render(article.body, article.quotes.all(), images))
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
