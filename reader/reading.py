"""Reading aids drawn from an article's stored body when its page is stored (reader.
fragments): ids on its headings, a table of contents for a long article, and its
analysis section ("My take") set apart. The body is HTML the site's sanitiser wrote
(newsroom.markdown), so its headings are plain <h2>...</h2> elements."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

# An article with this many sections or more gets a table of contents.
CONTENTS_FROM = 3
# Headings that open the writer's own view of the story: the section after one is
# shown apart from the reporting, as the seeded story's "My take" is.
ANALYSIS_HEADINGS = frozenset(
    {"my take", "our take", "analysis", "my view", "our view", "the take", "comment"}
)

_HEADING = re.compile(r"<h2>(.*?)</h2>", re.S)


@dataclass(frozen=True)
class Section:
    id: str
    title: str


@dataclass(frozen=True)
class Outline:
    body: SafeString
    sections: list[Section]

    @property
    def contents(self) -> list[Section]:
        """The table of contents: the sections of a long article, else none."""
        return self.sections if len(self.sections) >= CONTENTS_FROM else []


def _title(inner: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", inner)).strip()


def outline(body_html: str) -> Outline:
    """The body with an id on each <h2> (section-<words>, unique in the page) and the
    analysis section wrapped in <section class="analysis">, and its sections."""
    sections: list[Section] = []
    used: set[str] = set()
    parts = _HEADING.split(body_html)
    # parts: text before the first heading, then (heading, text after it) pairs.
    out = [parts[0]]
    for inner, after in zip(parts[1::2], parts[2::2], strict=True):
        title = _title(inner)
        base = f"section-{slugify(title) or len(sections) + 1}"
        anchor, number = base, 1
        while anchor in used:
            number += 1
            anchor = f"{base}-{number}"
        used.add(anchor)
        sections.append(Section(anchor, title))
        heading = f'<h2 id="{anchor}">{inner}</h2>'
        if title.casefold() in ANALYSIS_HEADINGS:
            out.append(
                f'<section class="analysis" aria-labelledby="{anchor}">{heading}{after}</section>'
            )
        else:
            out.append(heading + after)
    return Outline(mark_safe("".join(out)), sections)  # noqa: S308 - sanitised HTML, ids slugified
