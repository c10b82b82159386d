"""Passes 2 and 3: writing the checked records (authors and images, then articles in
batches, in bulk)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import F
from django.db.models.fields.files import FieldFile
from taggit.models import Tag

from articles.models import (
    Article,
    ArticleSlugHistory,
    Byline,
    Citation,
    Correction,
    Disclosure,
    Image,
    Organisation,
    Quote,
    RecordedDisclosure,
    Speaker,
    TaggedArticle,
)
from articles.rendering import bodies_rendered_at_end, refresh_bodies_of
from articles.search import refresh_search_vectors
from articles.services import DisclosureRegister, set_publication
from authors.models import Author, AuthorInterest, AuthorLink
from interchange import exporting
from interchange.bulk import write_objects
from interchange.exporting import Record
from interchange.records import (
    ARTICLE_FIELDS,
    ORGANISATION_DEFAULTS,
    SPEAKER_DEFAULTS,
    parse_date,
    parse_datetime,
    parse_required_date,
    parse_required_datetime,
    shared_entries,
)
from newsroom import page_cache

# --- Writing ---------------------------------------------------------------------------


def file_digest(path: Path | FieldFile) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.digest()


def same_file(stored: FieldFile, source: str | None) -> bool:
    if not stored.name or source is None:
        return not stored.name and source is None
    return stored.storage.exists(stored.name) and file_digest(stored) == file_digest(Path(source))


def canonical(value: Record) -> str:
    return json.dumps(value, sort_keys=True)


def interest_key(value: Record) -> str:
    """An interest by its organisation's slug: the organisation's other fields may change
    in the same import without making it another interest."""
    return canonical({**value, "organisation": value["organisation"]["slug"]})


def sync_rows(
    model: type[models.Model],
    current: list[tuple[Record, int]],
    wanted: list[Record],
    key: Callable[[Record], str],
    make: Callable[[Record], models.Model],
) -> bool:
    """Make a whole list (a register, an author's interests) hold exactly the `wanted`
    entries: rows equal to one are kept (so disclosures recorded from them stay linked),
    the others deleted, the missing created. `current` pairs each row's value with its
    pk. True when anything changed."""
    have = {key(value): pk for value, pk in current}
    want = {key(value): value for value in wanted}
    stale = [pk for name, pk in have.items() if name not in want]
    new = [make(value) for name, value in want.items() if name not in have]
    model._default_manager.filter(pk__in=stale).delete()
    model._default_manager.bulk_create(new)
    return bool(stale or new)


@dataclass
class Writer:
    """Passes 2 and 3: create, update or leave each record; with dry_run, only tell."""

    dry_run: bool
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    stored_files: list[str] = field(default_factory=list)
    author_ids: dict[str, int] = field(default_factory=dict)
    image_ids: dict[str, int] = field(default_factory=dict)
    tags: dict[str, Tag] = field(default_factory=dict)
    # By slug; None for one the site does not have (yet).
    organisations: dict[str, Organisation | None] = field(default_factory=dict)
    speakers: dict[str, Speaker | None] = field(default_factory=dict)
    # The rows a recorded disclosure's source may name, by the source (see recorded_source).
    sources: dict[str, list[Any]] = field(default_factory=dict)
    # Set when a register or an author's interests changed: scheduled articles must then
    # be recorded again (as the admin does), once the import is written.
    register_changed: bool = False

    def write(self, records: list[Record]) -> list[str]:
        """Write records of one pass: articles together (see articles()), the others one
        at a time. Returns "created", "updated" or "unchanged" for each; counts them once
        all are written."""
        if records[0]["type"] == "article":
            actions = self.articles(records)
        else:
            write = {
                "organisation": self.organisation_record,
                "author": self.author,
                "image": self.image,
            }
            actions = [write[record["type"]](record) for record in records]
        self.counts.update(
            (record["type"], action) for record, action in zip(records, actions, strict=True)
        )
        return actions

    def discard_stored_files(self, since: int = 0) -> None:
        """Delete the files stored (from the `since`-th on) by writes that were rolled back."""
        for name in self.stored_files[since:]:
            default_storage.delete(name)
        del self.stored_files[since:]

    def forget(self) -> None:
        """Drop what was looked up or created so far: after a rolled-back savepoint
        (--partial), some of it may no longer exist."""
        caches = (self.author_ids, self.image_ids, self.tags, self.organisations, self.speakers)
        for cache in (*caches, self.sources):
            cache.clear()

    def store(self, field_file: FieldFile, source: str | None) -> None:
        old = field_file.name
        if source is None:
            field_file.name = ""
        else:
            path = Path(source)
            with path.open("rb") as stream:
                field_file.save(path.name, File(stream), save=False)
            self.stored_files.append(str(field_file.name))
        if old:
            transaction.on_commit(lambda: default_storage.delete(old))

    def author(self, record: Record) -> str:
        record = {
            **record,
            "interests": [
                {**interest, "organisation": self.full_organisation(interest["organisation"])}
                for interest in record["interests"]
            ],
        }
        authors = Author.objects.filter(slug=record["slug"])
        author = exporting.authors_for_export(authors).first()
        if author is not None:
            self.author_ids[author.slug] = author.pk
            current = {**exporting.author_record(author), "photo": None}
            if current == {**record, "photo": None} and same_file(author.photo, record["photo"]):
                return "unchanged"
        if self.dry_run:
            return "created" if author is None else "updated"
        created = author is None
        author = author or Author(slug=record["slug"])
        for name in ("name", "job_title", "bio", "expertise"):
            setattr(author, name, record[name])
        if not same_file(author.photo, record["photo"]):
            self.store(author.photo, record["photo"])
        author.save()
        author.links.all().delete()
        AuthorLink.objects.bulk_create(
            AuthorLink(author=author, position=n, **link) for n, link in enumerate(record["links"])
        )
        self.author_ids[author.slug] = author.pk
        self.replace_interests(author, [] if created else list(author.interests.all()), record)
        return "created" if created else "updated"

    def replace_interests(
        self, author: Author, interests: list[AuthorInterest], record: Record
    ) -> None:
        organisations = {
            interest["organisation"]["slug"]: self.organisation(interest["organisation"])
            for interest in record["interests"]
        }
        self.register_changed |= sync_rows(
            AuthorInterest,
            [(exporting.interest_value(interest), interest.pk) for interest in interests],
            record["interests"],
            interest_key,
            lambda value: AuthorInterest(
                author=author,
                organisation=organisations[value["organisation"]["slug"]],
                kind=value["kind"],
                statement=value["statement"],
                started_on=parse_required_date(value["started_on"], "started_on"),
                ended_on=parse_date(value["ended_on"], "ended_on"),
            ),
        )

    def organisation_record(self, record: Record) -> str:
        """An organisation and the whole of its register."""
        entry = {
            name: value for name, value in record.items() if name not in ("type", "disclosures")
        }
        full = self.full_organisation(entry)
        existing = self.existing_organisation(full["slug"])
        register = (
            list(Disclosure.objects.register().filter(organisation=existing)) if existing else []
        )
        current = [(exporting.register_value(disclosure), disclosure.pk) for disclosure in register]
        if (
            existing is not None
            and exporting.organisation_value(existing) == full
            and exporting.sort_disclosures(value for value, _ in current) == record["disclosures"]
        ):
            return "unchanged"
        if self.dry_run:
            return "created" if existing is None else "updated"
        organisation = self.organisation(full)
        self.register_changed |= sync_rows(
            Disclosure,
            current,
            record["disclosures"],
            canonical,
            lambda value: Disclosure(
                organisation=organisation,
                kind=value["kind"],
                statement=value["statement"],
                valid_from=parse_required_date(value["valid_from"], "valid_from"),
                valid_until=parse_date(value["valid_until"], "valid_until"),
            ),
        )
        return "created" if existing is None else "updated"

    def image(self, record: Record) -> str:
        image = Image.objects.filter(key=record["key"]).first()
        metadata = {k: v for k, v in record.items() if k not in ("type", "file")}
        if image is not None:
            self.image_ids[image.key] = image.pk
            current = {name: getattr(image, name) for name in metadata}
            if current == metadata and same_file(image.file, record["file"]):
                return "unchanged"
        if self.dry_run:
            return "created" if image is None else "updated"
        image = image or Image()
        for name, value in metadata.items():
            setattr(image, name, value)
        if not same_file(image.file, record["file"]):
            self.store(image.file, record["file"])
        created = image.pk is None
        image.save()
        self.image_ids[image.key] = image.pk
        return "created" if created else "updated"

    def author_id(self, slug: str) -> int:
        if slug not in self.author_ids:
            self.author_ids[slug] = Author.objects.values_list("pk", flat=True).get(slug=slug)
        return self.author_ids[slug]

    def image_id(self, key: str) -> int:
        if key not in self.image_ids:
            self.image_ids[key] = Image.objects.values_list("pk", flat=True).get(key=key)
        return self.image_ids[key]

    def tag(self, entry: Record) -> Tag:
        """The tag with this slug, or this name, or a new one."""
        slug = entry["slug"]
        if slug not in self.tags:
            # get_or_create: a topic another save made meanwhile is found, not doubled
            # (names are unique whatever their case, articles 0023).
            tag = (
                Tag.objects.filter(slug=slug).first()
                or Tag.objects.get_or_create(
                    name__iexact=entry["name"], defaults={"name": entry["name"], "slug": slug}
                )[0]
            )
            self.tags[slug] = tag
        return self.tags[slug]

    def full_organisation(self, entry: Record) -> Record:
        """The organisation as it will be: the site's (or the defaults), then the entry."""
        existing = self.existing_organisation(entry["slug"])
        if existing is not None:
            base = exporting.organisation_value(existing)
        else:
            base = {**ORGANISATION_DEFAULTS, "tag": {"name": entry["name"], "slug": entry["slug"]}}
        return {**base, **entry}

    def full_speaker(self, entry: Record) -> Record:
        """The speaker as it will be: the site's (or the defaults), then the entry."""
        existing = self.existing_speaker(entry["slug"])
        base = exporting.speaker_value(existing) if existing else SPEAKER_DEFAULTS
        full = {**base, **entry}
        if full["organisation"] is not None:
            full["organisation"] = self.full_organisation(full["organisation"])
        return full

    def full_record(self, record: Record) -> Record:
        """The article record with every speaker and organisation in full, as export
        would write it, to compare with what the site holds."""
        return {
            **record,
            "quotes": [
                {**quote, "speaker": quote["speaker"] and self.full_speaker(quote["speaker"])}
                for quote in record["quotes"]
            ],
            "disclosures": [
                {**disclosure, "organisation": self.full_organisation(disclosure["organisation"])}
                for disclosure in record["disclosures"]
            ],
        }

    def existing_organisation(self, slug: str) -> Organisation | None:
        if slug not in self.organisations:
            organisations = Organisation.objects.select_related("tag")
            self.organisations[slug] = organisations.filter(slug=slug).first()
        return self.organisations[slug]

    def existing_speaker(self, slug: str) -> Speaker | None:
        if slug not in self.speakers:
            speakers = Speaker.objects.select_related("author", "organisation__tag")
            self.speakers[slug] = speakers.filter(slug=slug).first()
        return self.speakers[slug]

    def organisation(self, entry: Record) -> Organisation:
        """The organisation with this slug, made to match the full entry (created if new)."""
        organisation = self.existing_organisation(entry["slug"])
        if organisation is not None and exporting.organisation_value(organisation) == entry:
            return organisation
        organisation = organisation or Organisation(slug=entry["slug"])
        tag = self.tag(entry["tag"])
        owner = Organisation.objects.filter(tag=tag).exclude(pk=organisation.pk).first()
        if owner is not None:
            raise ValidationError(
                f"organisation {entry['slug']!r}: the topic {tag.slug!r} stands for {owner.slug!r}"
            )
        for name in ("name", "description", "url"):
            setattr(organisation, name, entry[name])
        organisation.tag = tag
        organisation.save()
        self.organisations[organisation.slug] = organisation
        return organisation

    def speaker(self, entry: Record) -> Speaker:
        """The speaker with this slug, made to match the full entry (created if new)."""
        speaker = self.existing_speaker(entry["slug"])
        if speaker is not None and exporting.speaker_value(speaker) == entry:
            return speaker
        speaker = speaker or Speaker(slug=entry["slug"])
        author_id = self.author_id(entry["author"]) if entry["author"] else None
        if (
            author_id is not None
            and Speaker.objects.filter(author_id=author_id).exclude(pk=speaker.pk).exists()
        ):
            raise ValidationError(
                f"speaker {entry['slug']!r}: the author {entry['author']!r} is another speaker"
            )
        for name in ("name", "kind", "description"):
            setattr(speaker, name, entry[name])
        speaker.author_id = author_id
        speaker.organisation = (
            self.organisation(entry["organisation"]) if entry["organisation"] else None
        )
        speaker.save()
        # Read back with its relations, as the comparison for the next article needs them.
        self.speakers.pop(speaker.slug, None)
        return self.existing_speaker(speaker.slug) or speaker

    def articles(self, records: list[Record]) -> list[str]:
        """Write a batch of articles: a fixed number of queries for the batch (looking up
        the articles, speakers and organisations it names, writing each kind of row in
        bulk), plus one per speaker, organisation or topic new to this run."""
        self.load_shared(records)
        records = [self.full_record(record) for record in records]
        uids = [record["uid"] for record in records]
        found = {
            str(article.uid): article
            for article in exporting.for_export(Article.objects.filter(uid__in=uids))
        }
        actions, changed, batch = [], [], set()
        for record in records:
            article = found.get(record["uid"])
            if record["uid"] in batch:
                # The same record twice (the check refuses differing copies).
                actions.append("unchanged")
                continue
            batch.add(record["uid"])
            if article is None:
                actions.append("created")
            elif self.holds(article, record):
                actions.append("unchanged")
                continue
            else:
                actions.append("updated")
            changed.append((article or Article(uid=uuid.UUID(record["uid"])), record))
        if changed and not self.dry_run:
            self.write_articles(changed)
        return actions

    @staticmethod
    def holds(article: Article, record: Record) -> bool:
        """True when the article already is what the (full) record says."""
        current = exporting.article_record(article)
        if record["disclosures_as_of"] is None:
            # Not recorded in the file: this site records them (as the publish move
            # does), so what it holds is its own, not a difference.
            current |= {"disclosures_as_of": None, "recorded_disclosures": []}
        return current == record

    def load_shared(self, records: list[Record]) -> None:
        """Look up the speakers and organisations of a batch not looked up yet, in two
        queries (remembering those the site does not have)."""
        wanted: dict[str, set[str]] = {"speaker": set(), "organisation": set()}
        for record in records:
            for kind, entry in shared_entries(record):
                wanted[kind].add(entry["slug"])
        speakers = wanted["speaker"] - self.speakers.keys()
        found_speakers = Speaker.objects.select_related("author", "organisation__tag").in_bulk(
            speakers, field_name="slug"
        )
        self.speakers |= {slug: found_speakers.get(slug) for slug in speakers}
        organisations = wanted["organisation"] - self.organisations.keys()
        found = Organisation.objects.select_related("tag").in_bulk(organisations, field_name="slug")
        self.organisations |= {slug: found.get(slug) for slug in organisations}

    def write_articles(self, changed: list[tuple[Article, Record]]) -> None:
        """Create or update the articles with everything they carry, then record their
        disclosures and build their search vectors, as saving each would."""
        for article, record in changed:
            for name in ARTICLE_FIELDS:
                setattr(article, name, record[name])
            # Before the publication time, which must respect it.
            article.embargo_until = parse_datetime(record["embargo_until"], "embargo_until")
            set_publication(
                article,
                status=record["status"],
                published_at=parse_datetime(record["published_at"], "published_at"),
                announce=False,
            )
            article.updated_at = parse_datetime(record["updated_at"], "updated_at")
            article.lead_image_id = (
                self.image_id(record["lead_image"]) if record["lead_image"] else None
            )
            if record["disclosures_as_of"] is not None:
                # As the file records them; otherwise as this site has them.
                article.disclosures_as_of = parse_datetime(
                    record["disclosures_as_of"], "disclosures_as_of"
                )
        existing = [article for article, _ in changed if article.pk is not None]
        for article in existing:
            article.save()
        new = [article for article, _ in changed if article.pk is None]
        # As Article.save() does for each: a new article's slug is no other's old address.
        ArticleSlugHistory.objects.filter(slug__in=[article.slug for article in new]).delete()
        # Not bulk_create: with DEBUG on, Django keeps the text of its last 9,000 queries,
        # and a batch of articles in one INSERT is megabytes of it (memory would grow with
        # the file). write_objects runs one executemany (COPY on PostgreSQL).
        write_objects(Article, new)
        pks = dict(Article.objects.filter(uid__in=[a.uid for a in new]).values_list("uid", "pk"))
        for article in new:
            article.pk = pks[article.uid]
        with bodies_rendered_at_end(Article):
            # The quotes are replaced in bulk, after the articles: each stored body is
            # rendered once, at the end, with its quotes.
            self.replace_related(changed, existing)
            refresh_bodies_of(Article, [article.pk for article, _ in changed])
        self.record_disclosures([article for article, _ in changed])
        refresh_search_vectors(Article.objects.filter(pk__in=[a.pk for a, _ in changed]))
        # Bulk writes send no signals: cached pages are retired here.
        page_cache.content_changed()

    def replace_related(
        self, changed: list[tuple[Article, Record]], existing: list[Article]
    ) -> None:
        """The bylines, topics, quotes, citations, corrections, own disclosures and (when
        the file records them) recorded disclosures of the articles, replaced in bulk."""
        if existing:
            ids = {article.pk for article in existing}
            for model in (Byline, Quote, Citation, Correction, Disclosure):
                model._default_manager.filter(article__in=existing).delete()
            TaggedArticle.objects.filter(content_object__in=existing).delete()
            recorded = [a for a, r in changed if a.pk in ids and r["disclosures_as_of"]]
            RecordedDisclosure.objects.filter(article__in=recorded).delete()
        rows: defaultdict[type[models.Model], list[models.Model]] = defaultdict(list)
        for article, record in changed:
            for row in self.related_rows(article, record):
                rows[type(row)].append(row)
        for row_model, objects in rows.items():
            write_objects(row_model, objects)

    def related_rows(self, article: Article, record: Record) -> Iterator[models.Model]:
        """The rows the article carries as the record gives them, unsaved."""
        # The links' copy of the article's time is the database triggers' to keep; given
        # here, SQLite's triggers have no second write of each link to make.
        when = article.published_at
        for n, slug in enumerate(record["authors"]):
            yield Byline(
                article=article, author_id=self.author_id(slug), position=n, published_at=when
            )
        # Straight to the through model: taggit's tags.set() costs a get_or_create per tag.
        for entry in record["tags"]:
            yield TaggedArticle(content_object=article, tag=self.tag(entry), published_at=when)
        for quote in record["quotes"]:
            yield Quote(
                article=article,
                **{k: v for k, v in quote.items() if k not in ("speaker", "said_on")},
                speaker=quote["speaker"] and self.speaker(quote["speaker"]),
                said_on=parse_date(quote["said_on"], "said_on"),
            )
        for n, citation in enumerate(record["citations"]):
            yield Citation(article=article, position=n, **citation)
        for correction in record["corrections"]:
            yield Correction(
                article=article,
                kind=correction["kind"],
                text=correction["text"],
                published_at=parse_required_datetime(correction["published_at"], "published_at"),
            )
        for disclosure in record["disclosures"]:
            yield Disclosure(
                article=article,
                organisation=self.organisation(disclosure["organisation"]),
                kind=disclosure["kind"],
                statement=disclosure["statement"],
                valid_from=parse_required_date(disclosure["valid_from"], "valid_from"),
                valid_until=parse_date(disclosure["valid_until"], "valid_until"),
            )
        # The disclosures the article carried at publication, as the file records them.
        for position, entry in enumerate(record["recorded_disclosures"]):
            yield RecordedDisclosure(
                article=article,
                **self.recorded_source(entry),
                organisation_name=entry["organisation_name"],
                relationship=entry["relationship"],
                statement=entry["statement"],
                valid_from=parse_required_date(entry["valid_from"], "valid_from"),
                valid_until=parse_date(entry["valid_until"], "valid_until"),
                position=position,
            )

    def recorded_source(self, entry: Record) -> dict[str, Any]:
        """{"disclosure": entry} or {"interest": interest}: the row the recorded
        disclosure was copied from, found by what identifies it (the one saying the
        same, if several); {} when this site has none."""
        source = entry["source"]
        if source is None:
            return {}
        key = canonical(source)
        if key not in self.sources:
            rows: models.QuerySet[Any]
            if source["type"] == "register":
                rows = Disclosure.objects.register().filter(
                    organisation__slug=source["organisation"],
                    kind=source["kind"],
                    valid_from=parse_required_date(source["valid_from"], "valid_from"),
                )
            else:
                rows = AuthorInterest.objects.filter(
                    author__slug=source["author"],
                    organisation__slug=source["organisation"],
                    kind=source["kind"],
                    started_on=parse_required_date(source["started_on"], "started_on"),
                )
            self.sources[key] = list(rows)
        found = sorted(
            self.sources[key], key=lambda row: (row.statement != entry["statement"], row.pk)
        )
        if not found:
            return {}
        return {"disclosure" if source["type"] == "register" else "interest": found[0]}

    @staticmethod
    def record_disclosures(articles: list[Article]) -> None:
        """What record_disclosures() does for each article, for all at once: a published
        one records the disclosures due at its publication time, from the register and
        its authors' interests (unless those recorded for it are frozen); one no longer
        published drops what it recorded. Articles never published record nothing."""
        due = [
            article
            for article in articles
            if (article.status == Article.Status.PUBLISHED or article.disclosures_as_of is not None)
            and not article.disclosures_frozen
        ]
        if not due:
            return
        RecordedDisclosure.objects.filter(article__in=due).delete()
        published = [article for article in due if article.status == Article.Status.PUBLISHED]
        published_ids = {article.pk for article in published}
        tag_ids: defaultdict[int, set[int]] = defaultdict(set)
        for article_id, tag_id in TaggedArticle.objects.filter(
            content_object_id__in=published_ids
        ).values_list("content_object_id", "tag_id"):
            tag_ids[article_id].add(tag_id)
        author_ids: defaultdict[int, set[int]] = defaultdict(set)
        for article_id, author_id in Byline.objects.filter(article__in=published).values_list(
            "article_id", "author_id"
        ):
            author_ids[article_id].add(author_id)
        register = DisclosureRegister(
            Author.objects.filter(pk__in=set().union(*author_ids.values()))
        )
        write_objects(
            RecordedDisclosure,
            [
                record
                for article in published
                for record in register.due(
                    article, tag_ids=tag_ids[article.pk], author_ids=author_ids[article.pk]
                )
            ],
        )
        # update(), as record_disclosures() does: recording is not an editorial change.
        Article.objects.filter(pk__in=published_ids).update(disclosures_as_of=F("published_at"))
        Article.objects.filter(pk__in=[a.pk for a in due if a.pk not in published_ids]).update(
            disclosures_as_of=None
        )
        for article in due:
            recorded = article.pk in published_ids
            article.disclosures_as_of = article.published_at if recorded else None
