"""A WordPress post's content as an article body: Markdown that keeps the HTML blocks
(the site's Markdown passes raw HTML to its sanitiser, newsroom.markdown), with
quotes and pictures as markers and records of their own.

Block-editor content (WordPress 5+) is a sequence of blocks delimited by comments,
``<!-- wp:name {"json": "attributes"} -->...<!-- /wp:name -->`` or, for a block with
no content of its own, ``<!-- wp:name {...} /-->``; blocks nest (a quote holds
paragraphs, columns hold anything). The grammar is WordPress's own block parser's
(wp-includes/class-wp-block-parser.php), read here with the same token expression.
No Python package parses it; the tree is small enough to build here.

Classic-editor content (and text outside blocks) is HTML whose paragraphs are blank
lines, as WordPress's wpautop() turns them into <p> when it shows a post.

What has no equivalent here is kept as readable text and named in `notes` (the
import report): a shortcode this does not know, a block it does not map.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.utils.html import strip_tags

from interchange.schema import RawRecord

_TOKEN = re.compile(
    r"<!--\s+(?P<closer>/)?wp:(?P<name>[a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?)\s+"
    r"(?P<attrs>\{(?:(?!-->).)*?\}\s+)?(?P<void>/)?-->",
    re.S,
)
_COMMENT = re.compile(r"<!--(?!more\b|noteaser).*?-->", re.S)
_IMG = re.compile(r"<img\b[^>]*>", re.S | re.I)
_ATTRIBUTE = re.compile(r"""\b([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_WP_IMAGE_ID = re.compile(r"\bwp-image-(\d+)\b")
_MEDIA_SOURCE = re.compile(r"<(?:video|audio|source)\b[^>]*\bsrc=\"([^\"]+)\"", re.I)
_FIGCAPTION = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption>", re.S | re.I)
_BLOCKQUOTE = re.compile(r"<blockquote\b[^>]*>.*?</blockquote>", re.S | re.I)
_CITE = re.compile(r"<cite\b[^>]*>(.*?)</cite>", re.S | re.I)
_CAPTION = re.compile(r"\[(?:wp_)?caption\b([^\]]*)\](.*?)\[/(?:wp_)?caption\]", re.S)
_GALLERY = re.compile(r"\[gallery\b([^\]]*)\]")
_EMBED = re.compile(r"\[embed\b[^\]]*\](.*?)\[/embed\]", re.S)
_SHORTCODE = re.compile(r"\[(/?)([a-z][a-z0-9_-]*)((?:\s[^\]]*)?)\]")
_HEADING = re.compile(r"<(/?)h([1-6])\b", re.I)
_FOOTNOTE_REF = re.compile(r"<sup\b[^>]*\bdata-fn=\"([^\"]+)\"[^>]*>.*?</sup>", re.S)
_BLANK_LINES = re.compile(r"\n\s*\n\s*")
# A paragraph wpautop leaves alone: it starts with a block element of its own.
_BLOCK_START = re.compile(
    r"^\s*(?:</?(?:p|div|h[1-6]|ul|ol|li|dl|blockquote|pre|table|figure|hr|address|section|"
    r"form|iframe|video|audio)\b|\[(?:caption|gallery|embed)|<!--|\[\[)",
    re.I,
)
# Blocks whose content is HTML the site keeps as it is (the sanitiser has the last word).
_HTML_BLOCKS = {
    "paragraph", "list", "list-item", "preformatted", "code", "verse", "table", "separator",
    "html", "freeform", "heading", "shortcode", "missing",
}  # fmt: skip
# Blocks that only arrange others: their content is their inner blocks'.
_LAYOUT_BLOCKS = {"columns", "column", "group", "buttons", "button", "row", "stack"}
# Blocks with nothing to show besides WordPress's own layout.
_EMPTY_BLOCKS = {"spacer", "nextpage"}
PROVIDERS = {
    "youtube": "YouTube", "vimeo": "Vimeo", "twitter": "Twitter", "x": "X",
    "instagram": "Instagram", "facebook": "Facebook", "soundcloud": "SoundCloud",
    "spotify": "Spotify", "tiktok": "TikTok", "flickr": "Flickr", "wordpress": "WordPress",
    "wordpress-tv": "WordPress.tv", "slideshare": "SlideShare", "reddit": "Reddit",
    "tumblr": "Tumblr", "imgur": "Imgur", "ted": "TED", "mixcloud": "Mixcloud",
}  # fmt: skip
# Longer than any name: a citation this long is a source's description, kept as text.
_MAX_SPEAKER = 150


def plain(fragment: str) -> str:
    """HTML to one-paragraph-per-line plain text."""
    text = re.sub(r"</p>|<br\s*/?>", "\n\n", fragment)
    return _BLANK_LINES.sub("\n\n", html.unescape(strip_tags(text))).strip()


def image_key(attachment_id: str) -> str:
    return f"wp-{attachment_id}"


@dataclass
class Block:
    name: str
    attrs: dict[str, object]
    parts: list[str | Block] = field(default_factory=list)

    def inner_html(self) -> str:
        """The block's own HTML, its inner blocks' as they were written."""
        return "".join(part if isinstance(part, str) else part.inner_html() for part in self.parts)


def parse_blocks(content: str) -> list[str | Block]:
    """Free HTML and blocks, in order; a block the content never closes ends with it."""
    root = Block("", {})
    stack = [root]
    position = 0
    for token in _TOKEN.finditer(content):
        stack[-1].parts.append(content[position : token.start()])
        position = token.end()
        name = token["name"].removeprefix("core/")
        if token["closer"]:
            # Close up to the block of that name (a stray closer closes nothing).
            if any(block.name == name for block in stack[1:]):
                while stack[-1].name != name:
                    stack.pop()
                stack.pop()
            continue
        try:
            attrs = json.loads(token["attrs"]) if token["attrs"] else {}
        except ValueError:
            attrs = {}
        block = Block(name, attrs if isinstance(attrs, dict) else {})
        stack[-1].parts.append(block)
        if not token["void"]:
            stack.append(block)
    stack[-1].parts.append(content[position:])
    return root.parts


def _attributes(tag: str) -> dict[str, str]:
    return {
        m[1].lower(): html.unescape(m[2] if m[2] is not None else m[3])
        for m in _ATTRIBUTE.finditer(tag)
    }


@dataclass
class Body:
    """A post's content converted: the body, its quotes, the pictures it shows that are
    not attachments of the export (records of their own), and what the report says."""

    attachments: dict[str, str]  # the export's attachments' captions, by id
    footnotes: list[dict[str, str]]
    # False for a page, which places no quote or picture: quotations stay as written
    # and pictures become links to them.
    places: bool = True
    quotes: list[RawRecord] = field(default_factory=list)
    images: dict[str, RawRecord] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    # --- pictures and quotes -----------------------------------------------------------

    def picture(self, tag: str, caption: str = "", attachment_id: str = "") -> str:
        """The marker of the picture an <img> shows: the export's attachment, or a
        record of its own made from the tag (its address, alt text and caption)."""
        attributes = _attributes(tag)
        if not self.places:
            self.note("a page shows no pictures: each is a link to it")
            return self.link(attributes.get("src", ""), attributes.get("alt") or "Picture")
        found = _WP_IMAGE_ID.search(attributes.get("class", ""))
        attachment_id = attachment_id or (found[1] if found else "")
        if attachment_id in self.attachments:
            key = image_key(attachment_id)
            words = plain(caption)
            if words and words != self.attachments[attachment_id]:
                # An image has one caption wherever it is placed: its own.
                self.note(f"the caption {words!r} given to picture {key} here is not carried")
        else:
            source = attributes.get("src", "")
            if not source:
                return ""
            # Keyed by what it shows and says: two posts showing one picture with
            # different words are two images, not a conflict.
            words = json.dumps([source, attributes.get("alt", ""), plain(caption)])
            key = f"wp-picture-{hashlib.sha256(words.encode()).hexdigest()[:16]}"
            self.images.setdefault(
                key,
                {
                    "type": "image",
                    "key": key,
                    "file": None,
                    "source_url": source,
                    "alt_text": attributes.get("alt", "")[:300],
                    "caption": plain(caption)[:500],
                },
            )
        return f"\n\n[[image:{key}]]\n\n"

    def quote(self, fragment: str, *, pull: bool) -> str:
        """A quotation with a citation as a Quote placed by a marker; without one (or
        with a citation too long to be a name), the quotation as it is."""
        cite = _CITE.search(fragment)
        speaker = plain(cite[1]) if cite else ""
        text = plain(_CITE.sub("", fragment))
        if not self.places or not speaker or not text or len(speaker) > _MAX_SPEAKER:
            return f"\n\n{fragment.strip()}\n\n"
        key = f"quote-{len(self.quotes) + 1}"
        self.quotes.append(
            {
                "key": key,
                "text": text,
                "speaker": speaker,
                "source_kind": "other",
                "is_pull_quote": pull,
                "position": len(self.quotes),
            }
        )
        return f"\n\n[[quote:{key}]]\n\n"

    # --- blocks ------------------------------------------------------------------------

    def blocks(self, parts: list[str | Block]) -> str:
        return "".join(
            self.free(part) if isinstance(part, str) else self.block(part) for part in parts
        )

    def block(self, block: Block) -> str:
        name = block.name
        if name.startswith("core-embed/"):
            # WordPress 5.0-5.5 named an embed by its provider.
            block.attrs.setdefault("providerNameSlug", name.split("/", 1)[1])
            name = "embed"
        own_html = _COMMENT.sub("", block.inner_html())
        if name in _HTML_BLOCKS:
            return f"\n\n{self.free(own_html)}\n\n"
        if name in ("quote", "pullquote"):
            return self.quote(own_html, pull=name == "pullquote")
        if name == "image":
            found = _IMG.search(own_html)
            caption = _FIGCAPTION.search(own_html)
            attachment_id = str(block.attrs.get("id", ""))
            return (
                self.picture(found[0], caption[1] if caption else "", attachment_id)
                if found
                else ""
            )
        if name == "gallery":
            return "".join(self.picture(tag) for tag in _IMG.findall(own_html)) or self.gallery_ids(
                block.attrs.get("ids")
            )
        if name == "embed":
            return self.embed(
                str(block.attrs.get("url", "")), str(block.attrs.get("providerNameSlug", ""))
            )
        if name in ("video", "audio"):
            found = _MEDIA_SOURCE.search(own_html)
            return self.link(html.unescape(found[1]), name.title()) if found else ""
        if name == "more":
            return "\n\n<!--more-->\n\n"
        if name == "footnotes":
            return self.footnote_list()
        if name in _EMPTY_BLOCKS:
            return ""
        if name in _LAYOUT_BLOCKS:
            return self.blocks(block.parts)
        # Anything else: its text, kept where it was, and said in the report.
        kept = self.blocks(block.parts)
        self.note(
            f"block wp:{name} kept as its text"
            if plain(kept)
            else f"block wp:{name} left out: WordPress makes its content as it shows the page"
        )
        return kept

    def gallery_ids(self, ids: object) -> str:
        if not isinstance(ids, list | str):
            return ""
        values = ids.split(",") if isinstance(ids, str) else ids
        markers = [
            image_key(str(value).strip())
            for value in values
            if str(value).strip() in self.attachments
        ]
        if len(markers) < len(values):
            self.note("a gallery shows pictures that are not in the export: left out")
        return "".join(f"\n\n[[image:{key}]]\n\n" for key in markers)

    def embed(self, url: str, provider_slug: str) -> str:
        """An embed as a link named by its provider."""
        provider = PROVIDERS.get(provider_slug) or provider_slug.replace("-", " ").title()
        return self.link(url, provider or (urlsplit(url).hostname or "").removeprefix("www."))

    @staticmethod
    def link(url: str, label: str) -> str:
        """A paragraph with a link to `url`, named "label: url"."""
        url = url.strip()
        if not url:
            return ""
        text = html.escape(f"{label}: {url}" if label else url)
        return f'\n\n<p><a href="{html.escape(url)}">{text}</a></p>\n\n'

    def footnote_list(self) -> str:
        if not self.footnotes:
            return ""
        items = "".join(f"<li>{note.get('content', '')}</li>" for note in self.footnotes)
        self.footnotes = []  # shown once
        return f"\n\n<ol>{items}</ol>\n\n"

    # --- classic HTML and shortcodes ---------------------------------------------------

    def free(self, text: str) -> str:
        """HTML outside blocks (or in blocks kept as HTML): paragraphs from blank lines,
        shortcodes and pictures mapped."""
        text = _CAPTION.sub(self.caption, text)
        text = _GALLERY.sub(lambda m: self.gallery_ids(_attributes(m[1]).get("ids", "")), text)
        text = _EMBED.sub(lambda m: self.embed(plain(m[1]), ""), text)
        text = _IMG.sub(lambda m: self.picture(m[0]), text)
        text = _BLOCKQUOTE.sub(lambda m: self.quote(m[0], pull=False), text)
        text = _HEADING.sub(lambda m: f"<{m[1]}h{min(max(int(m[2]), 2), 4)}", text)
        # A shortcode has attributes or a closing tag: "[sic]" or "[1]" are words.
        for match in _SHORTCODE.finditer(text):
            if not match[1] and ("=" in match[3] or f"[/{match[2]}]" in text):
                self.note(f"shortcode [{match[2]}] kept as text")
        return autop(text)

    def caption(self, match: re.Match[str]) -> str:
        found = _IMG.search(match[2])
        if not found:
            return match[0]
        attachment = re.search(r'id="attachment_(\d+)"', match[1])
        words = _IMG.sub("", match[2])
        return self.picture(found[0], words, attachment[1] if attachment else "")


def autop(text: str) -> str:
    """WordPress's wpautop() in short: text between blank lines is a paragraph (its
    single line breaks kept), unless it starts with a block element, a shortcode that
    is one, a marker or a comment."""
    paragraphs = []
    for chunk in _BLANK_LINES.split(text.replace("\r\n", "\n")):
        chunk = chunk.strip()
        if not chunk:
            continue
        if _BLOCK_START.match(chunk):
            paragraphs.append(chunk)
        else:
            paragraphs.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return "\n\n".join(paragraphs)


def convert(
    content: str, attachments: dict[str, str], footnotes_meta: str, *, places: bool = True
) -> tuple[str, Body]:
    """The post's content as a body (see the module's docstring), and what came of it.
    `places`: quotes and pictures become records placed by markers (not in a page)."""
    try:
        footnotes = json.loads(footnotes_meta) if footnotes_meta else []
    except ValueError:
        footnotes = []
    body = Body(
        attachments,
        [f for f in footnotes if isinstance(f, dict)] if isinstance(footnotes, list) else [],
        places,
    )
    numbers = {str(note.get("id")): n for n, note in enumerate(body.footnotes, 1)}
    content = _FOOTNOTE_REF.sub(lambda m: f"<sup>{numbers.get(m[1], '')}</sup>", content)
    text = body.blocks(parse_blocks(content))
    # Footnotes without the block that shows them go at the end, as WordPress shows them.
    text += body.footnote_list()
    return _BLANK_LINES.sub("\n\n", text).strip(), body
