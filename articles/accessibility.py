"""Accessibility checks of an article's body, like Wagtail's checker: what a reader
with a screen reader, or one who cannot see the pictures, would stumble on.

`findings(body, images)` takes the body's Markdown and the images the article shows (by
key) and answers what is wrong, where and how to fix it. It never blocks anything: the
publish checklist shows the findings as advice, and the editor's accessibility panel
shows them as the writer types. It reads no database: callers pass the images they
already have.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from markdown_it.token import Token

from newsroom.markdown import parse
from pictures.models import Image

# The titles of the checks, as the panel and the checklist name them.
NO_ALT = "Image without alt text"
FILE_NAME_ALT = "Alt text that is a file name"
SKIPPED_HEADING = "Skipped heading level"
VAGUE_LINK = "Link text that says nothing"
ALL_CAPITALS = "Paragraph in capitals"

# Link words that tell a screen reader's list of links nothing about where they go.
VAGUE_LINK_TEXTS = {
    "click here", "click", "here", "read more", "more", "learn more", "find out more",
    "more here", "link", "this link", "this", "go", "details", "continue", "see more",
}  # fmt: skip
_URL_RE = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
# A name as cameras, phones and file systems give pictures: "IMG_1234", "DSC01234.JPG",
# "photo-final.png", "PXL_20240101_123456".
_FILE_NAME_RE = re.compile(
    r"^(?:[\w ().,-]+\.(?:jpe?g|png|gif|webp|avif|heic|heif|tiff?|bmp|svg)"
    r"|(?:img|dsc[nf]?|pxl|mvimg|gopr|dji|screenshot|photo|image)[-_ ]?\d[\d_-]*)$",
    re.IGNORECASE,
)
# A paragraph in capitals is shouting, and some screen readers spell it out letter by
# letter; a short one ("NASA", a dateline) is an abbreviation, not a paragraph.
_MIN_CAPITAL_LETTERS = 20
_MIN_CAPITAL_WORDS = 4
# The article's headline is the page's h1: the body's headings start at h2.
_TOP_BODY_LEVEL = 2


@dataclass(frozen=True)
class Finding:
    """One problem: which check found it, where (a line of the body, or the image's
    key), what is wrong and how to fix it."""

    check: str
    where: str
    problem: str
    fix: str
    line: int | None = None  # first line of the body it is on, counted from 1


def findings(
    body: str, images: Mapping[str, Image], lead_image: Image | None = None
) -> list[Finding]:
    """Every finding of every check, in the order the reader meets them: the lead
    image first, then the body from top to bottom. `images` holds the images the
    body's markers place, by key (a marker matching none is the checklist's hard
    check, not an accessibility one)."""
    tokens = parse(body)
    found = [*_image_findings(lead_image, "The lead image", None)] if lead_image else []
    level = _TOP_BODY_LEVEL - 1
    for index, token in enumerate(tokens):
        line = token.map[0] + 1 if token.map else None
        if token.type == "marker" and token.meta["kind"] == "image":
            image = images.get(token.meta["key"])
            if image is not None:
                found.extend(_image_findings(image, f"Line {line}", line))
        elif token.type == "heading_open":
            heading_level = int(token.tag[1])
            found.extend(_heading_findings(tokens[index + 1], heading_level, level, line))
            level = heading_level
        elif token.type == "inline":
            found.extend(_link_findings(token, line))
            if index and tokens[index - 1].type == "paragraph_open":
                found.extend(_capitals_findings(token, line))
    return found


def _image_findings(image: Image, where: str, line: int | None) -> Iterator[Finding]:
    name = f"“{image.key}”"
    alt = image.alt_text.strip()
    if image.is_decorative:
        return
    if not alt:
        yield Finding(
            NO_ALT,
            where,
            f"The image {name} has no alt text: a reader who cannot see it gets nothing.",
            "Describe what the picture shows in the image's alt text, or mark it "
            "decorative if it adds nothing to the text.",
            line,
        )
    elif _looks_like_file_name(alt, image):
        yield Finding(
            FILE_NAME_ALT,
            where,
            f"The alt text of {name} is “{alt}”, a file name: a screen reader reads it "
            "out as it is.",
            "Replace it with a sentence saying what the picture shows.",
            line,
        )


def _looks_like_file_name(alt: str, image: Image) -> bool:
    names = {image.key.lower()}
    if image.file.name:
        stored = PurePosixPath(image.file.name)
        names |= {stored.name.lower(), stored.stem.lower()}
    return alt.lower() in names or bool(_FILE_NAME_RE.match(alt))


def _heading_findings(
    inline: Token, level: int, previous: int, line: int | None
) -> Iterator[Finding]:
    text = inline.content.strip()
    if level < _TOP_BODY_LEVEL:
        yield Finding(
            SKIPPED_HEADING,
            f"Line {line}",
            f"The heading “{text}” is a level-1 heading: the headline is the page's only one.",
            "Start the body's headings at level 2 (## in Markdown).",
            line,
        )
    elif level > previous + 1:
        after = "the headline" if previous < _TOP_BODY_LEVEL else f"a level-{previous} heading"
        yield Finding(
            SKIPPED_HEADING,
            f"Line {line}",
            f"The heading “{text}” is at level {level} right after {after}: "
            "readers who move by headings think something is missing.",
            f"Make it a level-{previous + 1} heading ({'#' * (previous + 1)} in Markdown).",
            line,
        )


def _link_findings(inline: Token, line: int | None) -> Iterator[Finding]:
    children: Sequence[Token] = inline.children or ()
    for index, child in enumerate(children):
        if child.type != "link_open":
            continue
        words = []
        for inner in children[index + 1 :]:
            if inner.type == "link_close":
                break
            words.append(inner.content)
        text = "".join(words).strip()
        href = str(child.attrs.get("href", ""))
        plain = re.sub(r"[^\w\s]", "", text.lower()).strip()
        if not text:
            problem = f"A link to {href} has no text: a screen reader reads out its address."
        elif plain in VAGUE_LINK_TEXTS:
            problem = f"A link says “{text}”: out of its sentence it says nothing of where it goes."
        elif _URL_RE.match(text) or text == href:
            problem = f"A link's text is its address ({text}): read aloud, it says little."
        else:
            continue
        yield Finding(
            VAGUE_LINK,
            f"Line {line}",
            problem,
            "Make the link's words say where it goes, e.g. “the ministry's report”.",
            line,
        )


def _capitals_findings(inline: Token, line: int | None) -> Iterator[Finding]:
    text = inline.content
    # Letters with a case only: a script without capitals is never shouting.
    cased = [c for c in text if c.isupper() or c.islower()]
    if (
        len(cased) >= _MIN_CAPITAL_LETTERS
        and len(text.split()) >= _MIN_CAPITAL_WORDS
        and all(c.isupper() for c in cased)
    ):
        start = " ".join(text.split()[:6])
        yield Finding(
            ALL_CAPITALS,
            f"Line {line}",
            f"The paragraph “{start} …” is in capitals: hard to read, and some screen "
            "readers spell it out letter by letter.",
            "Write it in sentence case; use bold for emphasis.",
            line,
        )
