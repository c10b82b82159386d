"""Readable differences between two revisions of an article.

Each revision is turned into labelled text (headline, body, authors, topics,
quotes, ...) from the versions django-reversion stored, then compared word by
word with difflib; the output escapes all stored text.
"""

from __future__ import annotations

import difflib
import re

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from reversion.models import Version
from taggit.models import Tag

from articles.models import Article, Byline, Correction, TaggedArticle
from authors.models import Author
from pictures.models import Image
from quotes.models import Quote, Speaker


def _rows(version: Version, model: type, article_field: str = "article_id") -> list[dict]:
    article_pk = str(version.object_id)
    return [
        v.field_dict
        for v in version.revision.version_set.all()
        if v._model is model and str(v.field_dict[article_field]) == article_pk
    ]


def _speaker(speakers: dict[int, Speaker], speaker_id: int | None) -> str:
    if speaker_id is None:
        return "(no speaker yet)"
    return str(speakers.get(speaker_id, "(deleted speaker)"))


def revision_text(version: Version) -> dict[str, str]:
    """One revision of an article as labelled text, in the order an editor reads it."""
    fields = version.field_dict
    bylines = sorted(_rows(version, Byline), key=lambda row: (row["position"], row["id"]))
    authors = Author.objects.in_bulk([row["author_id"] for row in bylines])
    tag_ids = [row["tag_id"] for row in _rows(version, TaggedArticle, "content_object_id")]
    quotes = sorted(_rows(version, Quote), key=lambda row: (row["position"], row["id"]))
    speakers = Speaker.objects.in_bulk([row["speaker_id"] for row in quotes])
    corrections = sorted(_rows(version, Correction), key=lambda row: row["published_at"])
    lead = Image.objects.filter(pk=fields["lead_image_id"]).first()
    return {
        "Headline": fields["headline"],
        "Kind": dict(Article.Kind.choices).get(fields["kind"], "(none)"),
        "Standfirst": fields["standfirst"],
        "Body": fields["body"],
        "Lead image": str(lead) if lead else "(none)",
        "Authors": "\n".join(
            str(authors.get(row["author_id"], "(deleted author)")) for row in bylines
        ),
        "Topics": "\n".join(
            sorted(Tag.objects.filter(pk__in=tag_ids).values_list("name", flat=True))
        ),
        "Quotes": "\n\n".join(
            f"[{row['key']}] {_speaker(speakers, row['speaker_id'])}: {row['text']}"
            for row in quotes
        ),
        "Corrections": "\n".join(f"{row['kind']}: {row['text']}" for row in corrections),
    }


# Words, runs of spaces and single other characters: a change shows as the words that
# changed, never a line cut in the middle of a word.
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")
# Unchanged stretches longer than this many tokens show only their two ends.
_CONTEXT = 30


def _changes(old: list[str], new: list[str]) -> list[tuple[str, str, str]]:
    """(kind, old text, new text) runs. An unchanged stretch between two changes that is
    no longer than either of them (a space, a lone "a") joins them into one change, the
    rule of diff-match-patch's semantic cleanup: a rewritten phrase reads as one
    change, not as scattered words that happen to match."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    runs = [
        ("same" if op == "equal" else "changed", "".join(old[i1:i2]), "".join(new[j1:j2]))
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
    index = 1
    while index < len(runs) - 1:
        before, same, after = runs[index - 1 : index + 2]
        if (
            same[0] == "same"
            and before[0] == after[0] == "changed"
            and len(same[1]) <= max(len(before[1]), len(before[2]))
            and len(same[1]) <= max(len(after[1]), len(after[2]))
        ):
            joined = before[1] + same[1] + after[1], before[2] + same[1] + after[2]
            runs[index - 1 : index + 2] = [("changed", *joined)]
            index = max(index - 1, 1)
        else:
            index += 1
    return runs


def word_diff(before: str, after: str) -> SafeString:
    """`after` with the words removed since `before` in <del> and those added in <ins>,
    every piece of text escaped."""
    parts: list[str] = []
    for kind, old_text, new_text in _changes(_TOKENS.findall(before), _TOKENS.findall(after)):
        if kind == "same":
            tokens = _TOKENS.findall(old_text)
            if len(tokens) > 2 * _CONTEXT:
                parts.append(escape("".join(tokens[:_CONTEXT])))
                parts.append('<span class="diff-skipped">[…]</span>')
                parts.append(escape("".join(tokens[-_CONTEXT:])))
            else:
                parts.append(escape(old_text))
            continue
        if old_text:
            parts.append(format_html("<del>{}</del>", old_text))
        if new_text:
            parts.append(format_html("<ins>{}</ins>", new_text))
    return mark_safe("".join(parts))  # noqa: S308 # every part escaped above


def revision_differences(older: Version, newer: Version) -> list[tuple[str, SafeString]]:
    """(label, the newer text marked with what changed) for each part that differs."""
    before, after = revision_text(older), revision_text(newer)
    return [
        (label, word_diff(before[label], after[label]))
        for label in before
        if before[label] != after[label]
    ]
