"""Readable differences between two revisions of an article (issue #3).

Each revision is turned into labelled text (headline, body, authors, topics,
quotes, ...) from the versions django-reversion stored, then compared line by
line with difflib; the output escapes all stored text.
"""

from __future__ import annotations

import difflib

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
            f"[{row['key']}] {speakers.get(row['speaker_id'], '(deleted speaker)')}: {row['text']}"
            for row in quotes
        ),
        "Corrections": "\n".join(f"{row['kind']}: {row['text']}" for row in corrections),
    }


def revision_differences(older: Version, newer: Version) -> list[tuple[str, SafeString]]:
    """(label, HTML table) for each part that differs between two revisions."""
    before, after = revision_text(older), revision_text(newer)
    differ = difflib.HtmlDiff(wrapcolumn=70)
    return [
        (
            label,
            # HtmlDiff escapes the text it shows.
            mark_safe(  # noqa: S308
                differ.make_table(
                    before[label].splitlines(),
                    after[label].splitlines(),
                    "Before",
                    "After",
                    context=True,
                    numlines=2,
                )
            ),
        )
        for label in before
        if before[label] != after[label]
    ]
