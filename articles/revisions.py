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

from articles.models import Article, Byline, Correction, Image, Quote, Speaker, TaggedArticle
from authors.models import Author


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
    """(kind, old text, new text) runs; a change separated from the next only by spaces
    becomes one change, so a rewritten phrase reads as one, not word by word."""
    runs: list[tuple[str, str, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        before, after = "".join(old[i1:i2]), "".join(new[j1:j2])
        kind = "same" if op == "equal" else "changed"
        if kind == "changed" and len(runs) >= 2 and runs[-2][0] == "changed":
            gap = runs[-1][1]
            if runs[-1][0] == "same" and gap.isspace():
                _, old_text, new_text = runs[-2]
                runs[-2:] = [("changed", old_text + gap + before, new_text + gap + after)]
                continue
        runs.append((kind, before, after))
    return runs


def word_diff(before: str, after: str) -> SafeString:
    """`after` with the words removed since `before` in <del> and those added in <ins>,
    every piece of text escaped."""
    parts = []
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
    return mark_safe("".join(parts))  # noqa: S308 # nosec B308 B703 # every part escaped above


def revision_differences(older: Version, newer: Version) -> list[tuple[str, SafeString]]:
    """(label, the newer text marked with what changed) for each part that differs."""
    before, after = revision_text(older), revision_text(newer)
    return [
        (label, word_diff(before[label], after[label]))
        for label in before
        if before[label] != after[label]
    ]
