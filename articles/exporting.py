"""The project's JSON Lines interchange format: one JSON object per line.

A file starts with a `meta` record, then the `author` and `image` records that the
articles refer to, then one `article` record per article. Authors are keyed by slug,
images by key, articles by `uid` (stable, unlike the slug); image files are named by
a path relative to a media folder that travels with the file. Lists that have no
order of their own (tags, corrections, disclosures) are sorted, so that the same
content always gives the same record: import compares records to tell "unchanged".

Speakers and organisations are shared by many articles but small, so they travel
inside the articles that use them (a quote's `speaker`, a disclosure's
`organisation`), keyed by slug; import creates or updates them by that slug. A
hand-written record may give just a name for either; import fills in the rest.

Disclosures: an article record carries its own disclosures (those written for it).
Those it carries from the publisher's register and its authors' interests are not
exported: import records them afresh, from the register of the site it goes to,
as of the article's publication (articles.services.record_disclosures).

An article record:

    uid, slug, headline, standfirst, body, kind, dateline, backstory, status,
    published_at, updated_at, embargo_until, embargo_by, embargo_note,
    authors: [author slug, ...] (byline order), tags: [{name, slug}, ...],
    lead_image: image key or null,
    quotes: [{key, text, speaker, source_kind, source_title, reported_by, source_url,
              said_on, context, is_pull_quote, position}, ...],
    citations: [{title, url}, ...] (in the order shown),
    corrections: [{kind, text, published_at}, ...],
    disclosures: [{organisation, kind, statement, valid_from, valid_until}, ...]

    speaker: {name, slug, kind, description, organisation: organisation or null,
              author: author slug or null}
    organisation: {name, slug, tag: {name, slug}, description, url}

Times are ISO 8601 with a time zone (written in UTC), days are YYYY-MM-DD.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from taggit.models import Tag

from articles.models import Article, Byline, Disclosure, Image, Organisation, Quote, Speaker
from authors.models import Author

FORMAT = "newsroom-articles"
VERSION = 1

Record = dict[str, Any]


def meta_record() -> Record:
    return {"type": "meta", "format": FORMAT, "version": VERSION}


def iso_datetime(value: datetime.datetime | None) -> str | None:
    return value.astimezone(datetime.UTC).isoformat() if value else None


def iso_date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def tag_value(tag: Tag) -> Record:
    return {"name": tag.name, "slug": tag.slug}


def sort_tags(tags: Iterable[Record]) -> list[Record]:
    return sorted(tags, key=lambda tag: tag["slug"])


def sort_corrections(corrections: Iterable[Record]) -> list[Record]:
    return sorted(corrections, key=lambda c: (c["published_at"], c["kind"], c["text"]))


def sort_disclosures(disclosures: Iterable[Record]) -> list[Record]:
    return sorted(
        disclosures,
        key=lambda d: (d["valid_from"], d["organisation"]["slug"], d["kind"], d["statement"]),
    )


def for_export(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Everything article_record() reads, in a fixed number of queries per chunk."""
    return articles.select_related("lead_image").prefetch_related(
        Prefetch("bylines", queryset=Byline.objects.select_related("author")),
        "tags",
        Prefetch(
            "quotes",
            queryset=Quote.objects.select_related("speaker__author", "speaker__organisation__tag"),
        ),
        "citations",
        "corrections",
        Prefetch(
            "own_disclosures", queryset=Disclosure.objects.select_related("organisation__tag")
        ),
    )


def author_record(author: Author) -> Record:
    return {
        "type": "author",
        "slug": author.slug,
        "name": author.name,
        "job_title": author.job_title,
        "bio": author.bio,
        "expertise": author.expertise,
        "photo": author.photo.name or None,
        "links": [{"label": link.label, "url": link.url} for link in author.links.all()],
    }


def image_record(image: Image) -> Record:
    return {
        "type": "image",
        "key": image.key,
        "file": image.file.name,
        "alt_text": image.alt_text,
        "is_decorative": image.is_decorative,
        "caption": image.caption,
        "credit": image.credit,
    }


def organisation_value(organisation: Organisation) -> Record:
    return {
        "name": organisation.name,
        "slug": organisation.slug,
        "tag": tag_value(organisation.tag),
        "description": organisation.description,
        "url": organisation.url,
    }


def speaker_value(speaker: Speaker) -> Record:
    return {
        "name": speaker.name,
        "slug": speaker.slug,
        "kind": speaker.kind,
        "description": speaker.description,
        "organisation": (
            organisation_value(speaker.organisation) if speaker.organisation else None
        ),
        "author": speaker.author.slug if speaker.author else None,
    }


def quote_value(quote: Quote) -> Record:
    return {
        "key": quote.key,
        "text": quote.text,
        "speaker": speaker_value(quote.speaker),
        "source_kind": quote.source_kind,
        "source_title": quote.source_title,
        "reported_by": quote.reported_by,
        "source_url": quote.source_url,
        "said_on": iso_date(quote.said_on),
        "context": quote.context,
        "is_pull_quote": quote.is_pull_quote,
        "position": quote.position,
    }


def article_record(article: Article) -> Record:
    """An article as one record; reads only what for_export() prefetched."""
    return {
        "type": "article",
        "uid": str(article.uid),
        "slug": article.slug,
        "headline": article.headline,
        "standfirst": article.standfirst,
        "body": article.body,
        "kind": article.kind,
        "dateline": article.dateline,
        "backstory": article.backstory,
        "status": article.status,
        "published_at": iso_datetime(article.published_at),
        "updated_at": iso_datetime(article.updated_at),
        "embargo_until": iso_datetime(article.embargo_until),
        "embargo_by": article.embargo_by,
        "embargo_note": article.embargo_note,
        "authors": [byline.author.slug for byline in article.bylines.all()],
        "tags": sort_tags(tag_value(tag) for tag in article.tags.all()),
        "lead_image": article.lead_image.key if article.lead_image else None,
        "quotes": [quote_value(quote) for quote in article.quotes.all()],
        "citations": [
            {"title": citation.title, "url": citation.url} for citation in article.citations.all()
        ],
        "corrections": sort_corrections(
            {
                "kind": correction.kind,
                "text": correction.text,
                "published_at": iso_datetime(correction.published_at),
            }
            for correction in article.corrections.all()
        ),
        "disclosures": sort_disclosures(
            {
                "organisation": organisation_value(disclosure.organisation),
                "kind": disclosure.kind,
                "statement": disclosure.statement,
                "valid_from": iso_date(disclosure.valid_from),
                "valid_until": iso_date(disclosure.valid_until),
            }
            for disclosure in article.own_disclosures.all()
        ),
    }
