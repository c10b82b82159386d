"""Article bodies: Markdown, sanitised, with quotes and images placed by markers.

A marker is a line of its own in the Markdown body: ``[[quote:<key>]]`` places
the article's quote with that key, ``[[image:<key>]]`` the image with that key.
The Markdown is rendered and sanitised first; the quotes and images are then
rendered from templates (autoescaped), so nothing an author types runs.

Markdown is CommonMark (markdown-it-py) with tables, raw HTML kept for the sanitiser
(WordPress imports are HTML). Its parser takes time in proportion to the text; the
limits below keep the rest in proportion too: the text's length, how deep lists and
quotes nest (markdown-it-py stops parsing, and so drops text, past its own limit),
and how deep raw HTML nests (an HTML parser, the sanitiser's included, checks the
open elements at each tag, so its time grows with length times depth).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import nh3
from django.core.exceptions import ValidationError
from django.db.models import Model, Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

if TYPE_CHECKING:
    from articles.models import Image, Quote

logger = logging.getLogger(__name__)

MARKER_RE = re.compile(r"^\[\[(quote|image):([-a-zA-Z0-9_]+)\]\]\s*$", re.MULTILINE)
_RENDERED_MARKER_RE = re.compile(r"<p>\[\[(quote|image):([-a-zA-Z0-9_]+)\]\]</p>")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "em", "h2", "h3", "h4", "hr", "i",
    "li", "ol", "p", "pre", "q", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}

# About 30,000 words: longer than any long read, and it bounds the slowest text's
# render time (docs/performance.md, "Rendering bodies: worst cases").
MAX_LENGTH = 200_000
# Lists and block quotes inside one another. markdown-it-py's maxNesting counts a list
# as two levels (the list and its item), so 20 parses nine lists deep: one more than
# allowed, so a text past the limit is seen and refused rather than cut short.
MAX_NESTING = 8
_PARSER_NESTING = 20
# Raw HTML elements left open inside one another: far more than real pages nest.
MAX_HTML_NESTING = 100

_CONTAINERS = {"bullet_list_open", "ordered_list_open", "blockquote_open"}
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)[^>]*>")
_VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
    "param", "source", "track", "wbr",
}  # fmt: skip
# Elements whose end tag may be left out: the next one of the same name closes it.
_SELF_CLOSING_SIBLINGS = {"dd", "dt", "li", "option", "p", "rp", "rt", "td", "th", "tr"}


def _marker(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A marker line: a block of its own, as MARKER_RE sees it (from the line's first
    character), so it also ends a paragraph, list or quote written right above it."""
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if begin and state.src[begin - 1] != "\n":
        return False  # indented, or inside a quote's "> "
    match = MARKER_RE.match(state.src, begin, state.eMarks[start_line])
    if match is None:
        return False
    if not silent:
        token = state.push("marker", "", 0)
        token.map = [start_line, start_line + 1]
        token.meta = {"kind": match[1], "key": match[2]}
        state.line = start_line + 1
    return True


def _render_marker(
    self: object, tokens: Sequence[Token], index: int, options: object, env: object
) -> str:
    """The marker as its placeholder paragraph, replaced by render_body."""
    meta = tokens[index].meta
    return f"<p>[[{meta['kind']}:{meta['key']}]]</p>\n"


def _parser(*, html: bool) -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": html, "maxNesting": _PARSER_NESTING})
    parser.enable("table")
    parser.block.ruler.before(
        "paragraph", "marker", _marker, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    parser.add_render_rule("marker", _render_marker)
    return parser


_MARKDOWN = _parser(html=True)
# For a text whose raw HTML nests too deep: the HTML shown as text instead.
_MARKDOWN_WITHOUT_HTML = _parser(html=False)


def marker_keys(body: str, kind: str) -> list[str]:
    """Keys of the markers of one kind ("quote" or "image"), in body order."""
    return [key for marker_kind, key in MARKER_RE.findall(body) if marker_kind == kind]


def _nesting(tokens: Iterable[Token]) -> int:
    """How many lists and block quotes the deepest text is inside."""
    depth = deepest = 0
    for token in tokens:
        if token.type in _CONTAINERS:
            depth += 1
            deepest = max(deepest, depth)
        elif token.type.removesuffix("_close") + "_open" in _CONTAINERS:
            depth -= 1
    return deepest


def _html_nesting(tokens: Iterable[Token]) -> int:
    """How deep the raw HTML's elements nest, counted so that a browser's parser never
    holds more open: an end tag closes only the element it matches last."""
    open_elements: list[str] = []
    deepest = 0
    for token in tokens:
        if token.type == "inline":
            fragments = [
                child.content for child in token.children or () if child.type == "html_inline"
            ]
        elif token.type == "html_block":
            fragments = [token.content]
        else:
            continue
        for fragment in fragments:
            for closing, tag in _TAG_RE.findall(fragment):
                name = tag.lower()
                if name in _VOID_ELEMENTS:
                    continue
                if closing:
                    if open_elements and open_elements[-1] == name:
                        open_elements.pop()
                elif not (name in _SELF_CLOSING_SIBLINGS and open_elements[-1:] == [name]):
                    open_elements.append(name)
                    deepest = max(deepest, len(open_elements))
    return deepest


def _tokens(text: str) -> tuple[list[Token], MarkdownIt]:
    tokens = _MARKDOWN.parse(text)
    if _html_nesting(tokens) > MAX_HTML_NESTING:
        return _MARKDOWN_WITHOUT_HTML.parse(text), _MARKDOWN_WITHOUT_HTML
    return tokens, _MARKDOWN


def validate_markdown(text: str) -> None:
    """Refuse a text the renderer would not show in full, or not quickly."""
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            "This text is %(length)s characters long; the limit is %(limit)s (about "
            "30,000 words). Split it into several articles or pages.",
            code="too_long",
            params={"length": f"{len(text):,}", "limit": f"{MAX_LENGTH:,}"},
        )
    tokens = _MARKDOWN.parse(text)
    if _nesting(tokens) > MAX_NESTING:
        raise ValidationError(
            "Lists and block quotes can be nested at most %(limit)s deep; this text nests "
            "them deeper. Flatten the innermost ones.",
            code="nested_too_deep",
            params={"limit": MAX_NESTING},
        )
    if _html_nesting(tokens) > MAX_HTML_NESTING:
        raise ValidationError(
            "The HTML in this text leaves more than %(limit)s elements open inside one "
            "another. Close its tags, or write it as Markdown.",
            code="html_nested_too_deep",
            params={"limit": MAX_HTML_NESTING},
        )


def render_markdown(text: str) -> str:
    tokens, parser = _tokens(text)
    html = parser.renderer.render(tokens, parser.options, {})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


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

    return mark_safe(_RENDERED_MARKER_RE.sub(place, render_markdown(body)))  # noqa: S308 # nh3 output


# The functions below read fields and relations only, so a data migration can pass its
# historical models.


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
    image_model = article._meta.apps.get_model("articles", "Image")
    images = placed_images(image_model, marker_keys(article.body, "image"))
    return render_body(article.body, quotes, images, warn=warn)


def refresh_bodies(articles: QuerySet[Any], *, batch_size: int = 500) -> int:
    """Render these articles' bodies again and store those that changed, for writes that
    do not go through Article.save (a quote, speaker or image changing, bulk writes).
    A fixed number of queries per batch. Returns how many changed."""
    model = articles.model
    quote_model = model._meta.apps.get_model("articles", "Quote")
    image_model = model._meta.apps.get_model("articles", "Image")
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
