"""The interchange records (interchange/schema.py) built from the models: what
export_articles writes, and what import compares a record with to tell "unchanged".
Each builder reads only what its *_for_export() queryset fetched."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from taggit.models import Tag

from articles.models import Article, Byline
from authors.models import Author
from disclosures.models import AuthorInterest, Disclosure, Organisation, RecordedDisclosure
from interchange import schema
from pictures.models import Image
from quotes.models import Quote, Speaker


def meta_record() -> schema.Meta:
    return schema.Meta(format=schema.FORMAT, version=schema.VERSION)


def tag_value(tag: Tag) -> schema.Tag:
    return schema.Tag(name=tag.name, slug=tag.slug)


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
        "legacy_addresses",
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


def interest_value(interest: AuthorInterest) -> schema.Interest:
    return schema.Interest(
        organisation=organisation_value(interest.organisation),
        kind=interest.kind,
        statement=interest.statement,
        started_on=interest.started_on,
        ended_on=interest.ended_on,
    )


def author_record(author: Author) -> schema.AuthorRecord:
    """An author as one record; reads only what authors_for_export() prefetched."""
    return schema.AuthorRecord(
        slug=author.slug,
        name=author.name,
        job_title=author.job_title,
        bio=author.bio,
        expertise=author.expertise,
        photo=author.photo.name or None,
        links=[schema.Link(label=link.label, url=link.url) for link in author.links.all()],
        interests=schema.sort_interests(map(interest_value, author.interests.all())),
    )


def register_value(disclosure: Disclosure) -> schema.RegisterEntry:
    """A register entry inside its organisation's record."""
    return schema.RegisterEntry(
        kind=disclosure.kind,
        statement=disclosure.statement,
        valid_from=disclosure.valid_from,
        valid_until=disclosure.valid_until,
    )


def organisation_record(organisation: Organisation) -> schema.OrganisationRecord:
    """An organisation with its register entries; reads what organisations_for_export()
    prefetched."""
    return schema.OrganisationRecord(
        **schema.shallow(organisation_value(organisation)),
        # organisations_for_export() prefetches the register into this attribute.
        disclosures=schema.sort_register(map(register_value, organisation.register)),  # type: ignore[attr-defined]
    )


def recorded_source(
    record: RecordedDisclosure,
) -> schema.RegisterSource | schema.InterestSource | None:
    """The register entry or author's interest a recorded disclosure was copied from, by
    what identifies it (its statement and end may have changed since), or None when it
    is gone. Reads the rows for_export() selected."""
    if record.interest is not None:
        interest = record.interest
        return schema.InterestSource(
            author=interest.author.slug,
            organisation=interest.organisation.slug,
            kind=interest.kind,
            started_on=interest.started_on,
        )
    if record.disclosure is not None:
        disclosure = record.disclosure
        return schema.RegisterSource(
            organisation=disclosure.organisation.slug,
            kind=disclosure.kind,
            valid_from=disclosure.valid_from,
        )
    return None


def recorded_value(record: RecordedDisclosure) -> schema.RecordedDisclosure:
    """A disclosure an article carries, as recorded at its publication."""
    return schema.RecordedDisclosure(
        organisation_name=record.organisation_name,
        relationship=record.relationship,
        statement=record.statement,
        valid_from=record.valid_from,
        valid_until=record.valid_until,
        source=recorded_source(record),
    )


def image_record(image: Image) -> schema.ImageRecord:
    return schema.ImageRecord(
        key=image.key,
        file=image.file.name or None,
        alt_text=image.alt_text,
        is_decorative=image.is_decorative,
        caption=image.caption,
        credit=image.credit,
        source_url=image.source_url,
        focal_x=image.focal_x,
        focal_y=image.focal_y,
    )


def organisation_value(organisation: Organisation) -> schema.Organisation:
    return schema.Organisation(
        name=organisation.name,
        slug=organisation.slug,
        tag=tag_value(organisation.tag),
        description=organisation.description,
        url=organisation.url,
    )


def speaker_value(speaker: Speaker) -> schema.Speaker:
    return schema.Speaker(
        name=speaker.name,
        slug=speaker.slug,
        kind=speaker.kind,
        description=speaker.description,
        organisation=organisation_value(speaker.organisation) if speaker.organisation else None,
        author=speaker.author.slug if speaker.author else None,
    )


def quote_value(quote: Quote) -> schema.Quote:
    return schema.Quote(
        key=quote.key,
        text=quote.text,
        speaker=speaker_value(quote.speaker) if quote.speaker else None,
        source_kind=quote.source_kind,
        source_title=quote.source_title,
        reported_by=quote.reported_by,
        source_url=quote.source_url,
        said_on=quote.said_on,
        context=quote.context,
        is_pull_quote=quote.is_pull_quote,
        position=quote.position,
    )


def disclosure_value(disclosure: Disclosure) -> schema.Disclosure:
    """An article's own disclosure."""
    return schema.Disclosure(
        organisation=organisation_value(disclosure.organisation),
        **schema.shallow(register_value(disclosure)),
    )


def article_record(article: Article) -> schema.ArticleRecord:
    """An article as one record; reads only what for_export() prefetched."""
    return schema.ArticleRecord(
        uid=article.uid,
        slug=article.slug,
        headline=article.headline,
        standfirst=article.standfirst,
        body=article.body,
        kind=article.kind,
        dateline=article.dateline,
        backstory=article.backstory,
        status=article.status,
        published_at=article.published_at,
        updated_at=article.updated_at,
        embargo_until=article.embargo_until,
        embargo_by=article.embargo_by,
        embargo_note=article.embargo_note,
        authors=[byline.author.slug for byline in article.bylines.all()],
        tags=schema.sort_tags(map(tag_value, article.tags.all())),
        lead_image=article.lead_image.key if article.lead_image else None,
        quotes=[quote_value(quote) for quote in article.quotes.all()],
        citations=[
            schema.Citation(title=citation.title, url=citation.url)
            for citation in article.citations.all()
        ],
        corrections=schema.sort_corrections(
            schema.Correction(kind=c.kind, text=c.text, published_at=c.published_at)
            for c in article.corrections.all()
        ),
        disclosures=schema.sort_disclosures(map(disclosure_value, article.own_disclosures.all())),
        disclosures_as_of=article.disclosures_as_of,
        recorded_disclosures=[recorded_value(r) for r in article.recorded_disclosures.all()],
        old_addresses=sorted(address.path for address in article.legacy_addresses.all()),
    )
