"""Passes 2 and 3: writing the checked records (authors and images, then articles in
batches, in bulk)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Lower
from django.utils.safestring import mark_safe
from taggit.models import Tag

from articles.models import (
    Article,
    ArticleSlugHistory,
    Byline,
    Citation,
    Correction,
    LegacyAddress,
    TaggedArticle,
)
from articles.rendering import (
    BodyRenderer,
    PlainBody,
    bodies_rendered_at_end,
    placed_images,
    plain_quote,
    refresh_bodies_of,
)
from articles.search import refresh_search_vectors, remember_words
from articles.services import set_publication
from authors.models import Author, AuthorLink
from disclosures.models import AuthorInterest, Disclosure, Organisation, RecordedDisclosure
from disclosures.rules import DisclosureRegister
from interchange import exporting, schema
from interchange.bulk import VectorBuilder, write_objects, write_values
from interchange.records import (
    ARTICLE_FIELDS,
    ORGANISATION_DEFAULTS,
    SPEAKER_DEFAULTS,
    one_topic_each,
    shared_entries,
)
from interchange.schema import UNSET, Record, Unset, to_json
from newsroom import page_cache
from newsroom.markdown import marker_keys
from newsroom.processes import Worker
from pages.models import Page
from pictures.models import Image
from quotes.models import Quote, Speaker

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


def canonical(value: object) -> str:
    return json.dumps(to_json(value), sort_keys=True)


def interest_key(value: schema.Interest) -> str:
    """An interest by its organisation's slug: the organisation's other fields may change
    in the same import without making it another interest."""
    return canonical({**to_json(value), "organisation": value.organisation.slug})


def complete(entry: Entry, base: Entry) -> Entry:
    """The entry with the fields it leaves UNSET taken from `base`."""
    given = {name: value for name, value in schema.shallow(entry).items() if value is not UNSET}
    return replace(base, **given)


def sync_rows(
    model: type[models.Model],
    current: list[tuple[Value, int]],
    wanted: list[Value],
    key: Callable[[Value], str],
    make: Callable[[Value], models.Model],
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


Entry = TypeVar("Entry", schema.Organisation, schema.Speaker)
Value = TypeVar("Value", schema.RegisterEntry, schema.Interest)
Done = TypeVar("Done", schema.Speaker, Speaker)
# A row to write, by attribute name (see bulk.write_values).
Row = dict[str, Any]


@dataclass(frozen=True)
class Links:
    """An article's topics and authors, by pk: what decides the disclosures it carries."""

    tag_ids: set[int]
    author_ids: set[int]


@dataclass
class Writer:
    """Passes 2 and 3: create, update or leave each record. A dry run is this same
    writing, rolled back (import_articles), so it tells what an import would do."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    stored_files: list[str] = field(default_factory=list)
    author_ids: dict[str, int] = field(default_factory=dict)
    image_ids: dict[str, int] = field(default_factory=dict)
    tags: dict[str, Tag] = field(default_factory=dict)
    # By lower-case name: topic names are unique whatever their case (articles 0023).
    tag_names: dict[str, Tag] = field(default_factory=dict)
    # By slug; None for one the site does not have (yet).
    organisations: dict[str, Organisation | None] = field(default_factory=dict)
    speakers: dict[str, Speaker | None] = field(default_factory=dict)
    # The rows a recorded disclosure's source may name, by the source (see recorded_source).
    sources: dict[str, list[Any]] = field(default_factory=dict)
    # Within a batch of articles, by slug: the full speakers made from their entries, and
    # the speakers found (or made) to match full entries (see same_entry).
    completed: dict[str, tuple[schema.Speaker, schema.Speaker]] = field(default_factory=dict)
    matched: dict[str, tuple[schema.Speaker, Speaker]] = field(default_factory=dict)
    vectors: VectorBuilder = field(default_factory=VectorBuilder)
    # A worker running articles.rendering.render_plain: the next batch's bodies are
    # rendered there while this batch is written (see prepare). None: each batch's
    # bodies are rendered here, before it is written.
    renderer: Worker | None = None
    # The articles to be written after the next batch (prepare), and the bodies sent to
    # the renderer, by uid, until their rendering is read (render_bodies).
    upcoming: list[schema.ArticleRecord] = field(default_factory=list)
    sent: dict[uuid.UUID, PlainBody] = field(default_factory=dict)
    # PostgreSQL: the search documents of the upcoming articles, by uid, and their
    # vectors being built (start_vectors).
    documents_sent: dict[uuid.UUID, tuple[str, ...]] = field(default_factory=dict)
    vectors_ahead: Future[list[str]] | None = None
    # Authors' names by pk, as the last batch read them (author_names).
    names: dict[int, str] = field(default_factory=dict)
    # Set when a register or an author's interests changed: scheduled articles must then
    # be recorded again (as the admin does), once the import is written.
    register_changed: bool = False

    def write(self, records: Sequence[Record]) -> list[str]:
        """Write records of one pass: articles together (see articles()), the others one
        at a time. Returns "created", "updated" or "unchanged" for each; counts them once
        all are written."""
        articles = [record for record in records if isinstance(record, schema.ArticleRecord)]
        actions = self.articles(articles) if articles else [self.one(r) for r in records]
        self.counts.update(
            (record.type, action) for record, action in zip(records, actions, strict=True)
        )
        return actions

    def one(self, record: Record) -> str:
        if isinstance(record, schema.OrganisationRecord):
            return self.organisation_record(record)
        if isinstance(record, schema.AuthorRecord):
            return self.author(record)
        if isinstance(record, schema.ImageRecord):
            return self.image(record)
        if isinstance(record, schema.PageRecord):
            return self.page(record)
        raise TypeError(f"no {record.type} record is written")

    def discard_stored_files(self, since: int = 0) -> None:
        """Delete the files stored (from the `since`-th on) by writes that were rolled back."""
        for name in self.stored_files[since:]:
            default_storage.delete(name)
        del self.stored_files[since:]

    def forget(self) -> None:
        """Drop what was looked up or created so far: after a rolled-back savepoint
        (--partial), some of it may no longer exist."""
        caches = (self.author_ids, self.image_ids, self.tags, self.organisations, self.speakers)
        for cache in (*caches, self.tag_names, self.sources, self.completed, self.matched):
            cache.clear()
        self.names.clear()

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

    def author(self, record: schema.AuthorRecord) -> str:
        record = replace(
            record,
            interests=[
                replace(interest, organisation=self.full_organisation(interest.organisation))
                for interest in record.interests
            ],
        )
        authors = Author.objects.filter(slug=record.slug)
        author = exporting.authors_for_export(authors).first()
        if author is not None:
            self.author_ids[author.slug] = author.pk
            current = replace(exporting.author_record(author), photo=None)
            if current == replace(record, photo=None) and same_file(author.photo, record.photo):
                return "unchanged"
        created = author is None
        author = author or Author(slug=record.slug)
        for name in ("name", "job_title", "bio", "expertise"):
            setattr(author, name, getattr(record, name))
        if not same_file(author.photo, record.photo):
            self.store(author.photo, record.photo)
        author.save()
        author.links.all().delete()
        AuthorLink.objects.bulk_create(
            AuthorLink(author=author, position=n, label=link.label, url=link.url)
            for n, link in enumerate(record.links)
        )
        self.author_ids[author.slug] = author.pk
        self.replace_interests(author, [] if created else list(author.interests.all()), record)
        return "created" if created else "updated"

    def replace_interests(
        self, author: Author, interests: list[AuthorInterest], record: schema.AuthorRecord
    ) -> None:
        organisations = {
            interest.organisation.slug: self.organisation(interest.organisation)
            for interest in record.interests
        }
        self.register_changed |= sync_rows(
            AuthorInterest,
            [(exporting.interest_value(interest), interest.pk) for interest in interests],
            record.interests,
            interest_key,
            lambda value: AuthorInterest(
                author=author,
                organisation=organisations[value.organisation.slug],
                kind=value.kind,
                statement=value.statement,
                started_on=value.started_on,
                ended_on=value.ended_on,
            ),
        )

    def organisation_record(self, record: schema.OrganisationRecord) -> str:
        """An organisation and the whole of its register."""
        full = self.full_organisation(schema.organisation_of(record))
        existing = self.existing_organisation(full.slug)
        register = (
            list(Disclosure.objects.register().filter(organisation=existing)) if existing else []
        )
        current = [(exporting.register_value(disclosure), disclosure.pk) for disclosure in register]
        if (
            existing is not None
            and exporting.organisation_value(existing) == full
            and schema.sort_register(value for value, _ in current) == record.disclosures
        ):
            return "unchanged"
        organisation = self.organisation(full)
        self.register_changed |= sync_rows(
            Disclosure,
            current,
            record.disclosures,
            canonical,
            lambda value: Disclosure(organisation=organisation, **schema.shallow(value)),
        )
        return "created" if existing is None else "updated"

    def image(self, record: schema.ImageRecord) -> str:
        image = Image.objects.filter(key=record.key).first()
        metadata = {k: v for k, v in schema.shallow(record).items() if k != "file"}
        if image is not None:
            self.image_ids[image.key] = image.pk
            current = {name: getattr(image, name) for name in metadata}
            if current == metadata and same_file(image.file, record.file):
                return "unchanged"
        image = image or Image()
        for name, value in metadata.items():
            setattr(image, name, value)
        if not same_file(image.file, record.file):
            self.store(image.file, record.file)
        created = image.pk is None
        image.save()
        self.image_ids[image.key] = image.pk
        return "created" if created else "updated"

    @staticmethod
    def page(record: schema.PageRecord) -> str:
        """A page and its old addresses (each moved to it from whatever had it)."""
        page = Page.objects.filter(slug=record.slug).first()
        if page is not None:
            addresses = sorted(page.legacy_addresses.values_list("path", flat=True))
            if (page.title, page.body, addresses) == (
                record.title,
                record.body,
                record.old_addresses,
            ):
                return "unchanged"
        created = page is None
        page = page or Page(slug=record.slug)
        page.title, page.body = record.title, record.body
        page.save()
        LegacyAddress.objects.filter(Q(page=page) | Q(path__in=record.old_addresses)).delete()
        LegacyAddress.objects.bulk_create(
            LegacyAddress(page=page, path=path) for path in record.old_addresses
        )
        return "created" if created else "updated"

    def author_id(self, slug: str) -> int:
        if slug not in self.author_ids:
            self.author_ids[slug] = Author.objects.values_list("pk", flat=True).get(slug=slug)
        return self.author_ids[slug]

    def image_id(self, key: str) -> int:
        if key not in self.image_ids:
            self.image_ids[key] = Image.objects.values_list("pk", flat=True).get(key=key)
        return self.image_ids[key]

    def tag(self, entry: schema.Tag) -> Tag:
        """The tag with this slug, or this name, or a new one."""
        slug = entry.slug
        if slug not in self.tags:
            # get_or_create: a topic another save made meanwhile is found, not doubled
            # (names are unique whatever their case, articles 0023).
            tag = (
                Tag.objects.filter(slug=slug).first()
                or Tag.objects.get_or_create(
                    name__iexact=entry.name, defaults={"name": entry.name, "slug": slug}
                )[0]
            )
            self.tags[slug] = tag
        return self.tags[slug]

    def full_organisation(self, entry: schema.Organisation) -> schema.Organisation:
        """The organisation as it will be: the site's (or the defaults), then the entry."""
        existing = self.existing_organisation(entry.slug)
        if existing is not None:
            base = exporting.organisation_value(existing)
        else:
            tag = schema.Tag(name=entry.name, slug=entry.slug)
            base = schema.Organisation(
                name=entry.name, slug=entry.slug, tag=tag, **ORGANISATION_DEFAULTS
            )
        return complete(entry, base)

    def full_speaker(self, entry: schema.Speaker) -> schema.Speaker:
        """The speaker as it will be: the site's (or the defaults), then the entry."""
        if done := self.same_entry(self.completed, entry):
            return done
        existing = self.existing_speaker(entry.slug)
        if existing is not None:
            base = exporting.speaker_value(existing)
        else:
            base = schema.Speaker(name=entry.name, slug=entry.slug, **SPEAKER_DEFAULTS)
        full = complete(entry, base)
        if isinstance(full.organisation, schema.Organisation):
            full.organisation = self.full_organisation(full.organisation)
        self.completed[entry.slug] = (entry, full)
        return full

    @staticmethod
    def same_entry(
        done: dict[str, tuple[schema.Speaker, Done]], entry: schema.Speaker
    ) -> Done | None:
        """What was made of this speaker's entry earlier in the batch, if the entry is
        the same: most articles of a batch quote a speaker another has quoted."""
        if entry.slug in done:
            earlier, made = done[entry.slug]
            if earlier is entry or earlier == entry:
                return made
        return None

    def full_record(self, record: schema.ArticleRecord) -> schema.ArticleRecord:
        """The article record with every speaker and organisation in full, as export
        would write it, to compare with what the site holds."""
        return replace(
            record,
            tags=one_topic_each(map(self.known_tag, record.tags)),
            quotes=[
                replace(quote, speaker=quote.speaker and self.full_speaker(quote.speaker))
                for quote in record.quotes
            ],
            disclosures=[
                replace(disclosure, organisation=self.full_organisation(disclosure.organisation))
                for disclosure in record.disclosures
            ],
        )

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

    def organisation(self, entry: schema.Organisation) -> Organisation:
        """The organisation with this slug, made to match the full entry (created if new)."""
        organisation = self.existing_organisation(entry.slug)
        if organisation is not None and exporting.organisation_value(organisation) == entry:
            return organisation
        organisation = organisation or Organisation(slug=entry.slug)
        assert not isinstance(entry.tag, Unset), "a full entry gives every field"  # noqa: S101
        tag = self.tag(entry.tag)
        owner = Organisation.objects.filter(tag=tag).exclude(pk=organisation.pk).first()
        if owner is not None:
            raise ValidationError(
                f"organisation {entry.slug!r}: the topic {tag.slug!r} stands for {owner.slug!r}"
            )
        for name in ("name", "description", "url"):
            setattr(organisation, name, getattr(entry, name))
        organisation.tag = tag
        organisation.save()
        self.organisations[organisation.slug] = organisation
        return organisation

    def speaker(self, entry: schema.Speaker) -> Speaker:
        """The speaker with this slug, made to match the full entry (created if new)."""
        if done := self.same_entry(self.matched, entry):
            return done
        speaker = self.existing_speaker(entry.slug)
        if speaker is not None and exporting.speaker_value(speaker) == entry:
            self.matched[entry.slug] = (entry, speaker)
            return speaker
        speaker = speaker or Speaker(slug=entry.slug)
        author_id = self.author_id(entry.author) if isinstance(entry.author, str) else None
        if (
            author_id is not None
            and Speaker.objects.filter(author_id=author_id).exclude(pk=speaker.pk).exists()
        ):
            raise ValidationError(
                f"speaker {entry.slug!r}: the author {entry.author!r} is another speaker"
            )
        for name in ("name", "kind", "description"):
            setattr(speaker, name, getattr(entry, name))
        speaker.author_id = author_id
        speaker.organisation = (
            self.organisation(entry.organisation)
            if isinstance(entry.organisation, schema.Organisation)
            else None
        )
        speaker.save()
        # Read back with its relations, as the comparison for the next article needs them.
        self.speakers.pop(speaker.slug, None)
        return self.existing_speaker(speaker.slug) or speaker

    def articles(self, records: list[schema.ArticleRecord]) -> list[str]:
        """Write a batch of articles: a fixed number of queries for the batch (looking up
        the articles, speakers and organisations it names, writing each kind of row in
        bulk), plus one per speaker, organisation or topic new to this run."""
        self.completed.clear()
        self.matched.clear()
        self.load_shared(records)
        records = [self.full_record(record) for record in records]
        uids = [record.uid for record in records]
        found = {
            article.uid: article
            for article in exporting.for_export(Article.objects.filter(uid__in=uids))
        }
        actions, changed, batch = [], [], set()
        for record in records:
            article = found.get(record.uid)
            if record.uid in batch:
                # The same record twice (the check refuses differing copies).
                actions.append("unchanged")
                continue
            batch.add(record.uid)
            if article is None:
                actions.append("created")
            elif self.holds(article, record):
                actions.append("unchanged")
                continue
            else:
                actions.append("updated")
            changed.append((article or Article(uid=record.uid), record))
        if changed:
            self.write_articles(changed)
        return actions

    @staticmethod
    def holds(article: Article, record: schema.ArticleRecord) -> bool:
        """True when the article already is what the (full) record says."""
        current = exporting.article_record(article)
        if record.disclosures_as_of is None:
            # Not recorded in the file: this site records them (as the publish move
            # does), so what it holds is its own, not a difference.
            current = replace(current, disclosures_as_of=None, recorded_disclosures=[])
        return current == record

    def known_tag(self, entry: schema.Tag) -> schema.Tag:
        """The entry as the topic the site has for it (by slug, else by name: see tag()),
        once looked up (load_shared); the entry itself for a new topic."""
        tag = self.tags.get(entry.slug) or self.tag_names.get(entry.name.lower())
        return entry if tag is None else exporting.tag_value(tag)

    def load_tags(self, records: list[schema.ArticleRecord]) -> None:
        """Look up the batch's topics not looked up yet, by slug or name, in one query."""
        entries = [
            entry
            for record in records
            for entry in record.tags
            if entry.slug not in self.tags and entry.name.lower() not in self.tag_names
        ]
        if not entries:
            return
        found = Tag.objects.annotate(lowered=Lower("name")).filter(
            Q(slug__in={entry.slug for entry in entries})
            | Q(lowered__in={entry.name.lower() for entry in entries})
        )
        for tag in found:
            self.tags.setdefault(tag.slug, tag)
            self.tag_names.setdefault(tag.name.lower(), tag)

    def load_shared(self, records: list[schema.ArticleRecord]) -> None:
        """Look up the topics, speakers and organisations of a batch not looked up yet,
        in three queries (remembering those the site does not have)."""
        self.load_tags(records)
        wanted: dict[str, set[str]] = {"speaker": set(), "organisation": set()}
        for record in records:
            for kind, entry in shared_entries(record):
                wanted[kind].add(entry.slug)
        speakers = wanted["speaker"] - self.speakers.keys()
        found_speakers = Speaker.objects.select_related("author", "organisation__tag").in_bulk(
            speakers, field_name="slug"
        )
        self.speakers |= {slug: found_speakers.get(slug) for slug in speakers}
        # The speakers' own organisations came with them: an entry that leaves its
        # speaker's organisation as the site has it needs that one too.
        for speaker in found_speakers.values():
            if speaker.organisation is not None:
                self.organisations.setdefault(speaker.organisation.slug, speaker.organisation)
        organisations = wanted["organisation"] - self.organisations.keys()
        found = Organisation.objects.select_related("tag").in_bulk(organisations, field_name="slug")
        self.organisations |= {slug: found.get(slug) for slug in organisations}

    def write_articles(self, changed: list[tuple[Article, schema.ArticleRecord]]) -> None:
        """Create or update the articles with everything they carry, then record their
        disclosures and build their search vectors, as saving each would. A new article
        is written once, with its vector and the time its disclosures are recorded for."""
        for article, record in changed:
            self.set_fields(article, record)
        due = self.disclosures_due([article for article, _ in changed])
        for article in due:
            if article.pk is None and article.status == Article.Status.PUBLISHED:
                # What record_disclosures() sets, below.
                article.disclosures_as_of = article.published_at
        existing = [article for article, _ in changed if article.pk is not None]
        for article in existing:
            article.save()
        new = [(article, record) for article, record in changed if article.pk is None]
        # As Article.save() does for each: a new article's slug is no other's old address.
        ArticleSlugHistory.objects.filter(slug__in=[a.slug for a, _ in new]).delete()
        write_new = self.start_new(new)
        # Made while the new articles' vectors are built (PostgreSQL).
        rows = self.related(changed)
        links = {
            article.pk: Links(
                tag_ids={self.tag(entry).pk for entry in record.tags},
                author_ids={self.author_id(slug) for slug in record.authors},
            )
            for article, record in changed
        }
        recorded = self.recorded_rows(due, links)
        write_new()
        with bodies_rendered_at_end(Article):
            # An existing article was saved above with the quotes it had, which are now
            # replaced in bulk: its body is rendered once, at the end, with the new ones.
            self.replace_related(changed, existing, rows)
            refresh_bodies_of(Article, [article.pk for article in existing])
        self.record_disclosures(due, recorded)
        refresh_search_vectors(Article.objects.filter(pk__in=[a.pk for a in existing]))
        # A new article's vector was written with it; its words are remembered here,
        # from its record: what remember_article_words would read back of it.
        remember_words(self.words(new))
        # Bulk writes send no signals: cached pages are retired here.
        page_cache.content_changed()

    def prepare(self, records: Sequence[Record]) -> None:
        """Say which records will be written after the batch written next: their new
        articles' bodies (with a renderer) and search vectors (PostgreSQL) are made
        while that batch is written (see send_upcoming)."""
        self.upcoming = [r for r in records if isinstance(r, schema.ArticleRecord)]

    def send_upcoming(self) -> None:
        """Send the upcoming articles' bodies to the renderer, and (PostgreSQL) their
        search documents to the vector builder, made from what this writer has looked
        up already (no query): an article that places an image, or names a speaker,
        topic or author not looked up yet, is done when it is written. Which articles
        are new, and what they name as it will be, is known only once their batch is
        written: a body or vector made ahead is taken only if it was made from what is
        then to be rendered or built (render_bodies, start_vectors)."""
        upcoming, self.upcoming = self.upcoming, []
        cached = self.speakers.get
        if self.renderer is not None:
            for record in upcoming:
                plain = self.plain_body(record, lambda entry: cached(entry.slug))
                if plain is not None:
                    self.sent[record.uid] = plain
            if self.sent:
                self.renderer.send(list(self.sent.values()))
        if connection.vendor == "postgresql":
            for record in upcoming:
                document = self.known_document(record)
                if document is not None:
                    self.documents_sent[record.uid] = document
            if self.documents_sent:
                self.vectors_ahead = self.vectors.start(list(self.documents_sent.values()))

    def known_document(self, record: schema.ArticleRecord) -> tuple[str, ...] | None:
        """The record's search document (see documents) from the topics and authors as
        looked up so far; None if it names one not looked up yet."""
        topics = []
        # The topics as the record written will list them (full_record).
        for entry in one_topic_each(map(self.known_tag, record.tags)):
            tag = self.tags.get(entry.slug) or self.tag_names.get(entry.name.lower())
            if tag is None:
                return None
            topics.append(tag.name)
        authors = []
        for slug in record.authors:
            name = self.names.get(self.author_ids.get(slug, 0))
            if name is None:
                return None
            authors.append(name)
        return self.document(record, topics, authors)

    def rendered_beside(self) -> dict[uuid.UUID, tuple[PlainBody, str]]:
        """The bodies sent to the renderer, by uid, with their rendering (waiting for
        it); {} when none were sent."""
        if not self.sent:
            return {}
        assert self.renderer is not None  # noqa: S101 # only send_upcoming() fills sent
        sent, self.sent = self.sent, {}
        rendered = self.renderer.receive()
        pairs = zip(sent.items(), rendered, strict=True)
        return {uid: (plain, html) for (uid, plain), html in pairs}

    @staticmethod
    def plain_body(
        record: schema.ArticleRecord, speaker_of: Callable[[schema.Speaker], Speaker | None]
    ) -> PlainBody | None:
        """The record's body and quotes in plain values, with the speakers `speaker_of`
        gives; None for a body that places an image, or quotes a speaker it gives none
        for."""
        if marker_keys(record.body, "image"):
            return None
        quotes = []
        for quote in record.quotes:
            fields = schema.shallow(quote)
            entry = fields.pop("speaker")
            speaker = speaker_of(entry) if entry else None
            if entry and speaker is None:
                return None
            quotes.append(plain_quote(fields, speaker))
        return PlainBody(record.slug, record.body, tuple(quotes))

    def render_bodies(self, new: list[tuple[Article, schema.ArticleRecord]]) -> None:
        """The new articles' bodies as Article.save stores them, from the quotes about to
        be written: each new article is written once, with its body. With a renderer,
        those rendered there (a batch ahead) are taken, and the next batch's are sent."""
        beside = self.rendered_beside()
        # The next batch's, made while this one is written.
        self.send_upcoming()
        keys = {key for _, record in new for key in marker_keys(record.body, "image")}
        images = placed_images(Image, keys)
        renderer = BodyRenderer()
        for article, record in new:
            done = beside.get(record.uid)
            if done is not None and done[0] == self.plain_body(record, self.speaker):
                article.body_html = mark_safe(done[1])  # noqa: S308 # render_plain's output
                continue
            quotes = [
                Quote(
                    **{
                        **schema.shallow(quote),
                        "article": article,
                        "speaker": self.speaker(quote.speaker) if quote.speaker else None,
                    }
                )
                for quote in record.quotes
            ]
            article.body_html = renderer.render(article.body, quotes, images)

    def start_new(self, new: list[tuple[Article, schema.ArticleRecord]]) -> Callable[[], None]:
        """Give the new articles their pks and their rendered bodies; returns what writes
        them. PostgreSQL: the pks come from the sequence and the vectors are built on
        the side (VectorBuilder) while the bodies and the batch's other rows are made,
        and the articles are written with them.
        Elsewhere they are written at once, for the database to assign the pks.
        Not bulk_create: with DEBUG on, Django keeps the text of its last 9,000 queries,
        and a batch of articles in one INSERT is megabytes of it (memory would grow with
        the file). write_objects runs one executemany (COPY on PostgreSQL)."""
        articles = [article for article, _ in new]
        if connection.vendor != "postgresql" or not new:
            self.render_bodies(new)
            write_objects(Article, articles)
            uids = [article.uid for article in articles]
            pks = dict(Article.objects.filter(uid__in=uids).values_list("uid", "pk"))
            for article in articles:
                article.pk = pks[article.uid]
            return lambda: None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Article._meta.db_table, len(articles)],
            )
            for article, (pk,) in zip(articles, cursor.fetchall(), strict=True):
                article.pk = pk
        vectors = self.start_vectors(new, self.documents(new))
        # The bodies (those not rendered ahead are most of Python's work for a batch):
        # done while the server builds the vectors, which do not read them.
        self.render_bodies(new)
        return lambda: write_objects(Article, articles, with_pk=True, search_vectors=vectors())

    def start_vectors(
        self, new: list[tuple[Article, schema.ArticleRecord]], documents: list[tuple[str, ...]]
    ) -> Callable[[], list[str]]:
        """PostgreSQL: start building the new articles' search vectors (VectorBuilder),
        but for those built ahead from the same documents (send_upcoming); returns what
        gives them all, in order, once built."""
        sent, ahead = self.documents_sent, self.vectors_ahead
        self.documents_sent, self.vectors_ahead = {}, None
        fresh = [
            document
            for (_, record), document in zip(new, documents, strict=True)
            if sent.get(record.uid) != document
        ]
        started = self.vectors.start(fresh) if fresh else None

        def vectors() -> list[str]:
            built = dict(zip(sent, ahead.result(), strict=True)) if ahead else {}
            rest = iter(started.result() if started else [])
            return [
                built[record.uid] if sent.get(record.uid) == document else next(rest)
                for (_, record), document in zip(new, documents, strict=True)
            ]

        return vectors

    def close(self) -> None:
        """End what the writer started beside the import (VectorBuilder's connection)."""
        self.vectors.close()

    def set_fields(self, article: Article, record: schema.ArticleRecord) -> None:
        """The article's own fields as the record gives them."""
        for name in ARTICLE_FIELDS:
            setattr(article, name, getattr(record, name))
        # Before the publication time, which must respect it.
        article.embargo_until = record.embargo_until
        set_publication(
            article, status=record.status, published_at=record.published_at, announce=False
        )
        article.updated_at = record.updated_at
        article.lead_image_id = self.image_id(record.lead_image) if record.lead_image else None
        if record.disclosures_as_of is not None:
            # As the file records them; otherwise as this site has them.
            article.disclosures_as_of = record.disclosures_as_of

    def author_names(self, new: list[tuple[Article, schema.ArticleRecord]]) -> dict[int, str]:
        """The names of the new articles' authors, by pk (remembered in `names`)."""
        authors = {self.author_id(slug) for _, record in new for slug in record.authors}
        names = dict(Author.objects.filter(pk__in=authors).values_list("pk", "name"))
        self.names.update(names)
        return names

    def words(self, new: list[tuple[Article, schema.ArticleRecord]]) -> Iterator[str]:
        """The texts articles.search.remember_article_words reads of new articles, from
        their records, without reading back the rows just written: headlines,
        standfirsts, and the names of their topics, authors and quoted speakers."""
        names = self.author_names(new)
        for _, record in new:
            yield record.headline
            yield record.standfirst
            for entry in record.tags:
                yield self.tag(entry).name
            for slug in record.authors:
                yield names[self.author_id(slug)]
            for quote in record.quotes:
                if quote.speaker:
                    yield self.speaker(quote.speaker).name

    def documents(self, new: list[tuple[Article, schema.ArticleRecord]]) -> list[tuple[str, ...]]:
        """The search documents of new articles, from their records: the six texts
        articles.search.search_vector() reads from their rows, in the same order, so
        that they are written with their vectors (an UPDATE after the COPY would write
        every new article twice)."""
        names = self.author_names(new)
        return [
            self.document(
                record,
                [self.tag(entry).name for entry in record.tags],
                [names[self.author_id(slug)] for slug in record.authors],
            )
            for _, record in new
        ]

    @staticmethod
    def document(
        record: schema.ArticleRecord, topics: list[str], authors: list[str]
    ) -> tuple[str, ...]:
        """The record's search document, given its topics' and authors' names."""
        quotes = sorted(record.quotes, key=lambda quote: quote.position)
        return (
            record.headline,
            record.standfirst,
            " ".join(topics),
            record.body,
            " ".join(f"{q.speaker.name if q.speaker else ''} {q.text}" for q in quotes),
            " ".join(authors),
        )

    def replace_related(
        self,
        changed: list[tuple[Article, schema.ArticleRecord]],
        existing: list[Article],
        rows: dict[type[models.Model], list[Row]],
    ) -> None:
        """The bylines, topics, quotes, citations, corrections, own disclosures and (when
        the file records them) recorded disclosures of the articles, replaced in bulk by
        these `rows` (see related())."""
        if existing:
            ids = {article.pk for article in existing}
            for model in (Byline, Quote, Citation, Correction, Disclosure):
                model._default_manager.filter(article__in=existing).delete()
            TaggedArticle.objects.filter(content_object__in=existing).delete()
            LegacyAddress.objects.filter(article__in=existing).delete()
            recorded = [a for a, r in changed if a.pk in ids and r.disclosures_as_of]
            RecordedDisclosure.objects.filter(article__in=recorded).delete()
        # An old address moves to the article that has it now (the site it came from
        # answered it for one post at a time).
        paths = [row["path"] for row in rows.get(LegacyAddress, [])]
        LegacyAddress.objects.filter(path__in=paths).delete()
        for row_model, values in rows.items():
            write_values(row_model, values)

    def related(
        self, changed: list[tuple[Article, schema.ArticleRecord]]
    ) -> dict[type[models.Model], list[Row]]:
        """The rows the articles carry, by model (see related_rows)."""
        rows: defaultdict[type[models.Model], list[Row]] = defaultdict(list)
        paths: set[str] = set()
        for article, record in changed:
            for row_model, row in self.related_rows(article, record):
                rows[row_model].append(row)
            # Two articles of the batch claiming one old address: the first has it.
            for path in set(record.old_addresses) - paths:
                paths.add(path)
                rows[LegacyAddress].append({"article_id": article.pk, "path": path})
        return rows

    def related_rows(
        self, article: Article, record: schema.ArticleRecord
    ) -> Iterator[tuple[type[models.Model], Row]]:
        """The rows the article carries as the record gives them: (model, its values by
        attribute name)."""
        # The links' copies of the article's time and kind are the database triggers' to
        # keep; given here, SQLite's triggers have no second write of each link to make.
        copies = {"published_at": article.published_at, "article_kind": article.kind}
        for n, slug in enumerate(record.authors):
            yield (
                Byline,
                {
                    "article_id": article.pk,
                    "author_id": self.author_id(slug),
                    "position": n,
                    **copies,
                },
            )
        # Straight to the through model: taggit's tags.set() costs a get_or_create per tag.
        # One link per topic: two entries can be one topic here (a name found in
        # another case, see tag()), and the link is unique.
        for tag_id in dict.fromkeys(self.tag(entry).pk for entry in record.tags):
            yield (
                TaggedArticle,
                {"content_object_id": article.pk, "tag_id": tag_id, **copies},
            )
        for quote in record.quotes:
            speaker = quote.speaker and self.speaker(quote.speaker)
            yield (
                Quote,
                {
                    **schema.shallow(quote),
                    "article_id": article.pk,
                    "speaker_id": speaker.pk if speaker else None,
                },
            )
        for n, citation in enumerate(record.citations):
            yield Citation, {**schema.shallow(citation), "article_id": article.pk, "position": n}
        for correction in record.corrections:
            yield Correction, {**schema.shallow(correction), "article_id": article.pk}
        for disclosure in record.disclosures:
            yield (
                Disclosure,
                {
                    **schema.shallow(disclosure),
                    "article_id": article.pk,
                    "organisation_id": self.organisation(disclosure.organisation).pk,
                },
            )
        # The disclosures the article carried at publication, as the file records them.
        for position, recorded in enumerate(record.recorded_disclosures):
            yield (
                RecordedDisclosure,
                {
                    **schema.shallow(recorded),
                    **self.recorded_source(recorded),
                    "article_id": article.pk,
                    "position": position,
                },
            )

    def recorded_source(self, entry: schema.RecordedDisclosure) -> dict[str, Any]:
        """{"disclosure_id": pk} or {"interest_id": pk}: the row the recorded disclosure
        was copied from, found by what identifies it (the one saying the same, if
        several); {} when this site has none."""
        source = entry.source
        if source is None:
            return {}
        key = canonical(source)
        if key not in self.sources:
            rows: models.QuerySet[Any]
            if isinstance(source, schema.RegisterSource):
                rows = Disclosure.objects.register().filter(
                    organisation__slug=source.organisation,
                    kind=source.kind,
                    valid_from=source.valid_from,
                )
            else:
                rows = AuthorInterest.objects.filter(
                    author__slug=source.author,
                    organisation__slug=source.organisation,
                    kind=source.kind,
                    started_on=source.started_on,
                )
            self.sources[key] = list(rows)
        found = sorted(
            self.sources[key], key=lambda row: (row.statement != entry.statement, row.pk)
        )
        if not found:
            return {}
        return {"disclosure_id" if source.type == "register" else "interest_id": found[0].pk}

    @staticmethod
    def disclosures_due(articles: list[Article]) -> list[Article]:
        """The articles whose recorded disclosures are to be (re)made: the published
        (unless those recorded for them are frozen) and those no longer published."""
        return [
            article
            for article in articles
            if (article.status == Article.Status.PUBLISHED or article.disclosures_as_of is not None)
            and not article.disclosures_frozen
        ]

    @staticmethod
    def recorded_rows(due: list[Article], links: dict[int, Links]) -> list[RecordedDisclosure]:
        """The disclosures the due articles (see disclosures_due) record: for a published
        one, those due at its publication time, from the register and its authors'
        interests. `links`: each article's topics and authors (by article pk)."""
        published = [article for article in due if article.status == Article.Status.PUBLISHED]
        if not published:
            return []
        authors = set().union(*(links[article.pk].author_ids for article in published))
        register = DisclosureRegister(Author.objects.filter(pk__in=authors))
        return [
            record
            for article in published
            for record in register.due(
                article, tag_ids=links[article.pk].tag_ids, author_ids=links[article.pk].author_ids
            )
        ]

    @staticmethod
    def record_disclosures(due: list[Article], recorded: list[RecordedDisclosure]) -> None:
        """What record_disclosures() does for each article, for all the due ones at once
        (see disclosures_due): a published one records the disclosures due at its
        publication time (`recorded`, see recorded_rows); one no longer published drops
        what it recorded. Articles never published record nothing."""
        if not due:
            return
        RecordedDisclosure.objects.filter(article__in=due).delete()
        published = [article for article in due if article.status == Article.Status.PUBLISHED]
        published_ids = {article.pk for article in published}
        write_objects(RecordedDisclosure, recorded)
        # update(), as record_disclosures() does: recording is not an editorial change.
        # Only the rows that differ: a new article was written with its time.
        Article.objects.filter(
            pk__in=[a.pk for a in published if a.disclosures_as_of != a.published_at]
        ).update(disclosures_as_of=F("published_at"))
        Article.objects.filter(
            pk__in=[a.pk for a in due if a.pk not in published_ids and a.disclosures_as_of]
        ).update(disclosures_as_of=None)
        for article in due:
            is_published = article.pk in published_ids
            article.disclosures_as_of = article.published_at if is_published else None
