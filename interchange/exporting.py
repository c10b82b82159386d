"""The project's JSON Lines interchange format: one JSON object per line.

A file starts with a `meta` record, then the `organisation`, `author` and `image`
records that the articles refer to, then one `article` record per article.
Organisations and authors are keyed by slug, images by key, articles by `uid`
(stable, unlike the slug); image files are named by a path relative to a media
folder that travels with the file. Lists that have no order of their own (tags,
corrections, disclosures, interests) are sorted, so that the same content always
gives the same record: import compares records to tell "unchanged".

Speakers and organisations are shared by many articles but small, so they travel
inside the records that use them (a quote's `speaker`, a disclosure's or an
interest's `organisation`), keyed by slug; import creates or updates them by that
slug. A hand-written record may give just a name for either; import fills in the
rest.

Disclosures travel in three places:
- an `organisation` record carries the publisher's register entries for that
  organisation (`disclosures`): the whole of them, so import makes the site's
  entries for it the same (adds, keeps, removes);
- an `author` record carries the author's register of interests (`interests`),
  also whole;
- an `article` record carries its own disclosures (those written for it) and, once
  they are recorded (`disclosures_as_of`, the publication time they were taken
  for), the disclosures it carries from the register and its authors' interests as
  readers were shown them (`recorded_disclosures`, in the order shown, each with
  the `source` it was copied from, by organisation, kind and start date: its
  statement may have been edited since). Import keeps them as they are, so an article
  keeps saying what was true when it was published, whatever the register says
  now; a record without them (`disclosures_as_of` null) has them recorded on
  import as of its publication, as the publish move does.

Records:

    organisation: {name, slug, tag: {name, slug}, description, url,
                   disclosures: [{kind, statement, valid_from, valid_until}, ...]}
    author: {slug, name, job_title, bio, expertise, photo, links: [{label, url}, ...],
             interests: [{organisation, kind, statement, started_on, ended_on}, ...]}
    image: {key, file, alt_text, is_decorative, caption, credit}
    article: uid, slug, headline, standfirst, body, kind, dateline, backstory, status,
        published_at, updated_at, embargo_until, embargo_by, embargo_note,
        authors: [author slug, ...] (byline order), tags: [{name, slug}, ...],
        lead_image: image key or null,
        quotes: [{key, text, speaker (null: not named yet, a draft's),
                  source_kind, source_title, reported_by, source_url, said_on,
                  context, is_pull_quote, position}, ...],
        citations: [{title, url}, ...] (in the order shown),
        corrections: [{kind, text, published_at}, ...],
        disclosures: [{organisation, kind, statement, valid_from, valid_until}, ...],
        disclosures_as_of: time or null,
        recorded_disclosures: [{organisation_name, relationship, statement,
                                valid_from, valid_until, source}, ...]

    source (of a recorded disclosure): null (gone), or what identifies the row it was
        copied from: {type: "register", organisation: slug, kind, valid_from} or
        {type: "interest", author: slug, organisation: slug, kind, started_on}

    speaker: {name, slug, kind, description, organisation: organisation or null,
              author: author slug or null}
    organisation (inside another record): {name, slug, tag: {name, slug},
                                           description, url}

Times are ISO 8601 with a time zone (written in UTC), days are YYYY-MM-DD.
Version 2 added organisation records, interests and recorded disclosures; a
version 1 file (which has none of them) still imports.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from taggit.models import Tag

from articles.models import Article, Byline
from authors.models import Author
from disclosures.models import AuthorInterest, Disclosure, Organisation, RecordedDisclosure
from media.models import Image
from quotes.models import Quote, Speaker

FORMAT = "newsroom-articles"
VERSION = 2
# Versions import_articles reads: each one's records are a subset of the next's.
READABLE_VERSIONS = (1, 2)

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
    """Disclosures with an organisation (an article's own) or without (a register's,
    inside its organisation's record)."""
    return sorted(
        disclosures,
        key=lambda d: (
            d["valid_from"],
            d["organisation"]["slug"] if "organisation" in d else "",
            d["kind"],
            d["statement"],
        ),
    )


def sort_interests(interests: Iterable[Record]) -> list[Record]:
    return sorted(
        interests,
        key=lambda i: (i["started_on"], i["organisation"]["slug"], i["kind"], i["statement"]),
    )


def for_export(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Everything article_record() reads, in a fixed number of queries per chunk."""
    # taggit ships no types: to the plugin, "tags" is no relation to prefetch.
    return articles.select_related("lead_image").prefetch_related(  # type: ignore[misc]
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
        Prefetch(
            "recorded_disclosures",
            queryset=RecordedDisclosure.objects.select_related(
                "disclosure__organisation", "interest__author", "interest__organisation"
            ),
        ),
    )


def authors_for_export(authors: QuerySet[Author]) -> QuerySet[Author]:
    """Everything author_record() reads."""
    interests = AuthorInterest.objects.select_related("organisation__tag")
    return authors.prefetch_related("links", Prefetch("interests", queryset=interests))


def organisations_for_export(organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """Everything organisation_record() reads."""
    return organisations.select_related("tag").prefetch_related(
        Prefetch("disclosures", queryset=Disclosure.objects.register(), to_attr="register")
    )


def interest_value(interest: AuthorInterest) -> Record:
    return {
        "organisation": organisation_value(interest.organisation),
        "kind": interest.kind,
        "statement": interest.statement,
        "started_on": iso_date(interest.started_on),
        "ended_on": iso_date(interest.ended_on),
    }


def author_record(author: Author) -> Record:
    """An author as one record; reads only what authors_for_export() prefetched."""
    return {
        "type": "author",
        "slug": author.slug,
        "name": author.name,
        "job_title": author.job_title,
        "bio": author.bio,
        "expertise": author.expertise,
        "photo": author.photo.name or None,
        "links": [{"label": link.label, "url": link.url} for link in author.links.all()],
        "interests": sort_interests(map(interest_value, author.interests.all())),
    }


def register_value(disclosure: Disclosure) -> Record:
    """A register entry inside its organisation's record."""
    return {
        "kind": disclosure.kind,
        "statement": disclosure.statement,
        "valid_from": iso_date(disclosure.valid_from),
        "valid_until": iso_date(disclosure.valid_until),
    }


def organisation_record(organisation: Organisation) -> Record:
    """An organisation with its register entries; reads what organisations_for_export()
    prefetched."""
    return {
        "type": "organisation",
        **organisation_value(organisation),
        # organisations_for_export() prefetches the register into this attribute.
        "disclosures": sort_disclosures(map(register_value, organisation.register)),  # type: ignore[attr-defined]
    }


def recorded_source(record: RecordedDisclosure) -> Record | None:
    """The register entry or author's interest a recorded disclosure was copied from, by
    what identifies it (its statement and end may have changed since), or None when it
    is gone. Reads the rows for_export() selected."""
    if record.interest is not None:
        interest = record.interest
        return {
            "type": "interest",
            "author": interest.author.slug,
            "organisation": interest.organisation.slug,
            "kind": interest.kind,
            "started_on": iso_date(interest.started_on),
        }
    if record.disclosure is not None:
        disclosure = record.disclosure
        return {
            "type": "register",
            "organisation": disclosure.organisation.slug,
            "kind": disclosure.kind,
            "valid_from": iso_date(disclosure.valid_from),
        }
    return None


def recorded_value(record: RecordedDisclosure) -> Record:
    """A disclosure an article carries, as recorded at its publication."""
    return {
        "organisation_name": record.organisation_name,
        "relationship": record.relationship,
        "statement": record.statement,
        "valid_from": iso_date(record.valid_from),
        "valid_until": iso_date(record.valid_until),
        "source": recorded_source(record),
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
        "speaker": speaker_value(quote.speaker) if quote.speaker else None,
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
                **register_value(disclosure),
            }
            for disclosure in article.own_disclosures.all()
        ),
        "disclosures_as_of": iso_datetime(article.disclosures_as_of),
        "recorded_disclosures": [recorded_value(r) for r in article.recorded_disclosures.all()],
    }
