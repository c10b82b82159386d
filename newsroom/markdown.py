"""The site's Markdown: articles' bodies and backstories, and the policy pages.

A marker is a line of its own: ``[[quote:<key>]]`` or ``[[image:<key>]]``. Here it is
parsed as a block of its own and rendered as a placeholder paragraph; the articles app
places the quote or image there (articles.rendering).

Markdown is CommonMark (markdown-it-py) with tables, raw HTML kept for the sanitiser
(WordPress imports are HTML). Its parser takes time in proportion to the text; the
limits below keep the rest in proportion too: the text's length, how deep lists and
quotes nest (markdown-it-py stops parsing, and so drops text, past its own limit),
and how deep raw HTML nests (an HTML parser, the sanitiser's included, checks the
open elements at each tag, so its time grows with length times depth).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import nh3
from django.core.exceptions import ValidationError
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

MARKER_RE = re.compile(r"^\[\[(quote|image):([-a-zA-Z0-9_]+)\]\]\s*$", re.MULTILINE)
RENDERED_MARKER_RE = re.compile(r"<p>\[\[(quote|image):([-a-zA-Z0-9_]+)\]\]</p>")

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


def parse(text: str) -> list[Token]:
    """The text's tokens as the renderer reads them, for checks of its structure
    (headings, links, paragraphs); markers are tokens of type "marker"."""
    return _tokens(text)[0]


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
