"""Checking one record alone (types, lengths, choices, dates, files, characters) and
normalising it to its one canonical form, the form export writes."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import types
import typing
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models
from django.utils.text import slugify
from taggit.models import Tag

from articles.models import Article, Citation, Correction
from authors.models import Author, AuthorLink
from disclosures.models import AuthorInterest, Disclosure, Organisation, RecordedDisclosure
from interchange import fetching, schema
from interchange.items import BadRecord
from interchange.schema import FILE_DEFAULT, RawRecord, Unset
from newsroom.markdown import marker_keys
from newsroom.text import forbidden_character
from pages.models import Page
from pictures.images import validate_image_file
from pictures.models import Image
from quotes.models import Quote, Speaker

# Articles without a uid get one derived from their slug, so re-importing them matches.
SLUG_UID_NAMESPACE = uuid.UUID("1d0c5d2e-6b1e-4f55-9c55-0b8f3c1f6a10")
# The article fields a record sets as they are (publishing state and relations aside).
ARTICLE_FIELDS = (
    "slug", "headline", "standfirst", "body", "kind", "dateline", "backstory",
    "embargo_by", "embargo_note",
)  # fmt: skip


# True while normalize() reads a record that has passed the check pass.
_records_checked: ContextVar[bool] = ContextVar("records_checked", default=False)
# What normalize() has to tell about a record it takes as it is not (see note()).
_notes: ContextVar[list[str] | None] = ContextVar("notes", default=None)


def note(text: str) -> None:
    """Tell the import's report something about the record being read (a picture that
    could not be had): a warning, not a problem, as the record is imported."""
    notes = _notes.get()
    if notes is not None:
        notes.append(text)


# --- Checking one record --------------------------------------------------------------

_REQUIRED: Any = object()
# What a field may hold besides a value: nothing, or nothing given.
_NOTHING = (types.NoneType, Unset)

# Deeper than any record the exporter writes (an article's quote's speaker's
# organisation's topic is 7 levels): deeper nesting is a broken or hostile file.
MAX_DEPTH = 20


def check_text(raw: RawRecord) -> None:
    """Refuse a record nested deeper than MAX_DEPTH, or with a character XML forbids in
    any field (NUL, other control characters, lone surrogates from JSON's "\\ud800"):
    none can be stored in every database or served in a feed, and the file is the place
    to correct them. Walked with a stack, not recursion, so depth costs no stack."""
    pending: list[tuple[object, str, int]] = [(raw, "", 1)]
    while pending:
        value, path, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise BadRecord(f"nested too deeply (a record nests at most {MAX_DEPTH} levels)")
        if isinstance(value, str):
            if found := forbidden_character(value):
                raise BadRecord(
                    f"{path}: {found} is a control character or no character at all "
                    "(XML forbids it, and PostgreSQL stores no NUL); remove it"
                )
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                pending.append((item, f"{path}.{key}" if path else str(key), depth + 1))
                pending.append((key, f"a field name in {path or 'the record'}", depth))
        elif isinstance(value, list):
            for index, item in reversed(list(enumerate(value))):
                pending.append((item, f"{path}[{index}]", depth + 1))


@functools.cache
def file_spec(cls: type) -> dict[str, tuple[type, Any]]:
    """What a file may give for each field of a record class (interchange/schema.py): the
    JSON type, and the value when it is left out (_REQUIRED: it may not be). Derived from
    the class's annotations and defaults; a default of None allows null."""
    hints = typing.get_type_hints(cls)
    spec = {}
    for each in dataclasses.fields(cls):
        if FILE_DEFAULT in each.metadata:
            default = each.metadata[FILE_DEFAULT]
        elif each.default is not dataclasses.MISSING:
            default = each.default
        elif each.default_factory is not dataclasses.MISSING:
            default = each.default_factory()
        else:
            default = _REQUIRED
        spec[each.name] = (_json_type(hints[each.name]), default)
    return spec


def _json_type(hint: Any) -> type:
    """The JSON value a field's annotation takes in a file: text for times, days and
    uids, object for a nested record (checked by its own reader)."""
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    kinds = [kind for kind in (typing.get_args(hint) if union else [hint]) if kind not in _NOTHING]
    kind = (typing.get_origin(kinds[0]) or kinds[0]) if len(kinds) == 1 else object
    if kind in (datetime.date, datetime.datetime, uuid.UUID):
        return str
    return kind if kind in (str, int, float, bool, list) else object


def take(
    raw: RawRecord, cls: type, what: str, defaults: Mapping[str, Any] | None = None
) -> RawRecord:
    """The fields of record class `cls` from `raw`, type-checked, with defaults (or these
    `defaults`); unknown fields refused (a misspelt field name must not be silently
    dropped)."""
    spec = file_spec(cls)
    unknown = sorted(set(raw) - set(spec) - {"type"})
    if unknown:
        raise BadRecord(f"{what}: unknown field {', '.join(map(repr, unknown))}")
    values = {}
    for name, (kind, spec_default) in spec.items():
        default = (defaults or {}).get(name, spec_default)
        value = raw.get(name, default)
        if value is _REQUIRED:
            raise BadRecord(f"{what}: {name} is missing")
        # JSON writes a whole number without a point: 1 is a float's value too.
        number = kind is float and type(value) is int
        if not (isinstance(value, kind) or number or (value is None and default is None)):
            raise BadRecord(f"{what}: {name} must be {kind.__name__}, not {json.dumps(value)}")
        values[name] = float(value) if number else value
    return values


def check_fields(
    model: type[models.Model], values: dict[str, Any], what: str, exclude: list[str]
) -> None:
    """The model's own field rules (lengths, choices, slugs, URLs) for these values, as
    one line. Not run again on records the check pass has passed (see normalize())."""
    if _records_checked.get():
        return
    try:
        model(**values).clean_fields(exclude=exclude)
    except ValidationError as error:
        problems = [f"{name}: {' '.join(msgs)}" for name, msgs in error.message_dict.items()]
        raise BadRecord(f"{what}: {'; '.join(problems)}") from None


def parse_datetime(value: str | None, name: str) -> datetime.datetime | None:
    return None if value is None else parse_required_datetime(value, name)


def parse_required_datetime(value: str, name: str) -> datetime.datetime:
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise BadRecord(f"{name}: {value!r} is not an ISO 8601 date and time") from None
    if parsed.tzinfo is None:
        raise BadRecord(f"{name}: {value!r} needs a time zone, e.g. {value}+00:00")
    return parsed


def parse_date(value: str | None, name: str) -> datetime.date | None:
    return None if value is None else parse_required_date(value, name)


def parse_required_date(value: str, name: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise BadRecord(f"{name}: {value!r} is not an ISO 8601 date (YYYY-MM-DD)") from None


def media_file(media_dir: Path, name: str, what: str) -> Path:
    """A picture named by a path inside the media folder, checked like an upload."""
    relative = PurePosixPath(name)
    if not name or relative.is_absolute() or ".." in relative.parts:
        raise BadRecord(f"{what}: {name!r} must be a path inside the media folder")
    path = media_dir / relative
    if not path.is_file():
        raise BadRecord(f"{what}: {name} is not in {media_dir}")
    check_picture(path, f"{what}: {name}")
    return path


def check_picture(path: Path, what: str) -> None:
    """The file at `path` judged as an upload is (pictures.images)."""
    with path.open("rb") as stream:
        try:
            validate_image_file(File(stream, name=path.name))
        except ValidationError as error:
            raise BadRecord(f"{what}: {error.messages[0]}") from None


def image_file(media_dir: Path, name: str | None, source_url: str, what: str) -> str | None:
    """The picture file of an image record. An image with the address it was at
    (`source_url`: a WordPress attachment) is never refused for its picture: from the
    media folder, or fetched from that address when the import is asked to
    (interchange.fetching), or else imported without it (None), said in the report."""
    if not source_url:
        if name is None:
            raise BadRecord(f"{what}: file is null, which needs the source_url it was at")
        return str(media_file(media_dir, name, what))
    reason = f"{source_url} is not in the media folder"
    if name:
        try:
            return str(media_file(media_dir, name, what))
        except BadRecord as error:
            reason = str(error).removeprefix(f"{what}: ")
    fetched = fetching.fetch_for_import(source_url)
    if isinstance(fetched, Path):
        try:
            check_picture(fetched, source_url)
        except BadRecord as error:
            reason = str(error)
        else:
            return str(fetched)
    elif fetched:
        reason = f"{reason}; {fetched}"
    note(f"{what}: imported without its picture ({reason}); pages show a placeholder")
    return None


def tag_entry(value: object, what: str) -> schema.Tag:
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        raise BadRecord(f"{what}: a tag must be a name or {{name, slug}}")
    entry = take(value, schema.Tag, what)
    # Stripped as the article form strips what an editor types, so the name the form
    # shows is the name it saves back.
    name = entry["name"].strip()
    slug = entry["slug"] or slugify(name)
    if not name or not slug:
        raise BadRecord(f"{what}: {name!r} cannot be a tag")
    check_fields(Tag, {"name": name, "slug": slug}, f"{what} {name!r}", [])
    return schema.Tag(name=name, slug=slug)


# Speakers and organisations travel inside articles (see interchange/schema.py). An entry
# sets the fields it gives and leaves the others as the site has them (or at these
# defaults, for a new one): a WordPress quote names its speaker and must not wipe what
# editors wrote about them. A full export gives every field.
ORGANISATION_DEFAULTS: dict[str, Any] = {"description": "", "url": ""}
SPEAKER_DEFAULTS: dict[str, Any] = {
    "kind": Speaker.Kind.PERSON.value,
    "description": "",
    "organisation": None,
    "author": None,
}


def _given(value: RawRecord, cls: type, what: str) -> RawRecord:
    """The fields of `value` that it gives, type-checked, with the slug made from the name
    when missing."""
    entry = take(value, cls, what)
    entry = {name: entry[name] for name in entry if name in value or name in ("name", "slug")}
    entry["slug"] = entry["slug"] or slugify(entry["name"])
    if not entry["name"].strip() or not entry["slug"]:
        raise BadRecord(f"{what}: {entry['name']!r} cannot be one (no name or slug)")
    return entry


def organisation_entry(value: object, what: str) -> schema.Organisation:
    """An organisation: a name, or {name, slug, tag, description, url}. A new one's topic
    (tag) is one of the same name and slug unless `tag` says otherwise."""
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        raise BadRecord(f"{what}: an organisation must be a name or {{name, slug, ...}}")
    entry = _given(value, schema.Organisation, what)
    if "tag" in entry:
        entry["tag"] = tag_entry(entry["tag"], f"{what} tag")
    fields = {**ORGANISATION_DEFAULTS, **entry}
    fields.pop("tag", None)
    check_fields(Organisation, fields, f"{what} {entry['name']!r}", ["tag"])
    return schema.Organisation(**entry)


def speaker_entry(value: object, what: str) -> schema.Speaker:
    """A quote's speaker: a name, or {name, slug, kind, description, organisation,
    author}; a new one is a person unless `kind` says otherwise."""
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        raise BadRecord(f"{what}: a speaker must be a name or {{name, slug, ...}}")
    entry = _given(value, schema.Speaker, what)
    if entry.get("organisation") is not None:
        entry["organisation"] = organisation_entry(entry["organisation"], f"{what} organisation")
    fields = {**SPEAKER_DEFAULTS, **entry}
    fields = {name: fields[name] for name in ("name", "slug", "kind", "description")}
    check_fields(Speaker, fields, f"{what} {entry['name']!r}", ["organisation", "author"])
    return schema.Speaker(**entry)


def shared_entries(
    record: schema.Record,
) -> Iterator[tuple[str, schema.Organisation | schema.Speaker]]:
    """The speakers and organisations a record carries (or is): (kind, entry) pairs."""
    if isinstance(record, schema.OrganisationRecord):
        yield "organisation", schema.organisation_of(record)
    elif isinstance(record, schema.AuthorRecord):
        for interest in record.interests:
            yield "organisation", interest.organisation
    elif isinstance(record, schema.ArticleRecord):
        for quote in record.quotes:
            if (speaker := quote.speaker) is None:
                continue  # a draft's quote that names no speaker yet
            yield "speaker", speaker
            if isinstance(speaker.organisation, schema.Organisation):
                yield "organisation", speaker.organisation
        for disclosure in record.disclosures:
            yield "organisation", disclosure.organisation


def normalize_author(raw: RawRecord, media_dir: Path) -> schema.AuthorRecord:
    record = take(raw, schema.AuthorRecord, "author")
    fields = {name: record[name] for name in ("slug", "name", "job_title", "bio", "expertise")}
    check_fields(Author, fields, f"author {record['slug']!r}", ["photo", "user"])
    links = []
    for link in record["links"]:
        if not isinstance(link, dict):
            raise BadRecord("author links: each link must be {label, url}")
        values = take(link, schema.Link, "author link")
        check_fields(AuthorLink, values, "author link", ["author"])
        links.append(schema.Link(**values))
    photo = record["photo"]
    interests = schema.sort_interests(map(normalize_interest, record["interests"]))
    return schema.AuthorRecord(
        **fields,
        photo=str(media_file(media_dir, photo, "photo")) if photo else None,
        links=links,
        interests=no_repeats(interests, f"author {record['slug']!r} interests"),
    )


def normalize_organisation(raw: RawRecord, media_dir: Path) -> schema.OrganisationRecord:
    """An organisation with the whole of its register (see interchange/schema.py)."""
    register = raw.get("disclosures", [])
    if not isinstance(register, list):
        raise BadRecord("organisation: disclosures must be a list")
    fields = {name: value for name, value in raw.items() if name not in ("type", "disclosures")}
    entry = organisation_entry(fields, "organisation")
    what = f"organisation {entry.slug!r} disclosure"
    entries = schema.sort_register(register_entry(item, what) for item in register)
    return schema.OrganisationRecord(**schema.shallow(entry), disclosures=no_repeats(entries, what))


def normalize_image(raw: RawRecord, media_dir: Path) -> schema.ImageRecord:
    record = take(raw, schema.ImageRecord, "image")
    fields = {name: value for name, value in record.items() if name != "file"}
    what = f"image {record['key']!r}"
    check_fields(Image, fields, what, ["file"])
    if (fields["focal_x"] is None) != (fields["focal_y"] is None):
        raise BadRecord(f"{what}: give focal_x and focal_y both, or neither (the centre)")
    return schema.ImageRecord(
        **fields, file=image_file(media_dir, record["file"], record["source_url"], what)
    )


def normalize_quote(raw: object, position: int) -> schema.Quote:
    if not isinstance(raw, dict):
        raise BadRecord("quotes: each quote must be a JSON object")
    quote = take(raw, schema.Quote, "quote", {"position": position})
    what = f"quote {quote['key']!r}"
    said_on = parse_date(quote["said_on"], f"{what} said_on")
    speaker = (
        None if quote["speaker"] is None else speaker_entry(quote["speaker"], f"{what} speaker")
    )
    fields = {k: v for k, v in quote.items() if k not in ("speaker", "said_on")}
    check_fields(Quote, {**fields, "said_on": said_on}, what, ["article", "speaker"])
    return schema.Quote(**fields, speaker=speaker, said_on=said_on)


def normalize_citation(raw: object) -> schema.Citation:
    if not isinstance(raw, dict):
        raise BadRecord("citations: each citation must be a JSON object")
    citation = take(raw, schema.Citation, "citation")
    check_fields(Citation, citation, f"citation {citation['title'][:40]!r}", ["article"])
    return schema.Citation(**citation)


def normalize_correction(raw: object) -> schema.Correction:
    if not isinstance(raw, dict):
        raise BadRecord("corrections: each correction must be a JSON object")
    correction = take(raw, schema.Correction, "correction")
    published_at = parse_required_datetime(correction["published_at"], "correction published_at")
    fields = {"kind": correction["kind"], "text": correction["text"]}
    check_fields(Correction, {**fields, "published_at": published_at}, "correction", ["article"])
    return schema.Correction(**fields, published_at=published_at)


def _period(values: RawRecord, start: str, end: str, what: str) -> RawRecord:
    """The values with their start and end days parsed, the end not before the start."""
    since = parse_required_date(values[start], f"{what} {start}")
    until = parse_date(values[end], f"{what} {end}")
    if until and until < since:
        raise BadRecord(f"{what}: {end} is before {start}")
    return {**values, start: since, end: until}


def register_entry(raw: object, what: str) -> schema.RegisterEntry:
    """A disclosure's own fields (kind, statement, dates), as a register entry inside
    its organisation's record has them."""
    if not isinstance(raw, dict):
        raise BadRecord(f"{what}: each disclosure must be a JSON object")
    disclosure = _period(take(raw, schema.RegisterEntry, what), "valid_from", "valid_until", what)
    check_fields(Disclosure, disclosure, what, ["organisation", "article"])
    return schema.RegisterEntry(**disclosure)


def normalize_disclosure(raw: object) -> schema.Disclosure:
    """An article's own disclosure: an organisation and a register entry's fields."""
    if not isinstance(raw, dict):
        raise BadRecord("disclosures: each disclosure must be a JSON object")
    if "organisation" not in raw:
        raise BadRecord("disclosure: organisation is missing")
    organisation = organisation_entry(raw["organisation"], "disclosure organisation")
    fields = {name: value for name, value in raw.items() if name != "organisation"}
    entry = register_entry(fields, "disclosure")
    return schema.Disclosure(organisation=organisation, **schema.shallow(entry))


def normalize_interest(raw: object) -> schema.Interest:
    """An entry in an author's register of interests."""
    if not isinstance(raw, dict):
        raise BadRecord("author interests: each interest must be a JSON object")
    interest = take(raw, schema.Interest, "interest")
    organisation = organisation_entry(interest["organisation"], "interest organisation")
    interest = _period(interest, "started_on", "ended_on", "interest")
    fields = {name: value for name, value in interest.items() if name != "organisation"}
    check_fields(AuthorInterest, fields, "interest", ["author", "organisation"])
    return schema.Interest(organisation=organisation, **fields)


# What identifies the row a recorded disclosure was copied from, by its type.
SOURCES: dict[str, type[schema.RegisterSource | schema.InterestSource]] = {
    "register": schema.RegisterSource,
    "interest": schema.InterestSource,
}


def recorded_source(raw: object) -> schema.RegisterSource | schema.InterestSource | None:
    if raw is None:
        return None
    kind = raw.get("type") if isinstance(raw, dict) else None
    if kind not in SOURCES or not isinstance(raw, dict):
        raise BadRecord(
            'recorded disclosure: source must be null or {type: "register" or "interest", ...}'
        )
    cls = SOURCES[kind]
    source = take(raw, cls, f"recorded disclosure {kind} source")
    since = "valid_from" if kind == "register" else "started_on"
    day = parse_required_date(source[since], f"recorded disclosure source {since}")
    return cls(**{**source, since: day})


def normalize_recorded(raw: object) -> schema.RecordedDisclosure:
    """A disclosure an article carries as recorded at its publication: a copy, kept as
    it is (see interchange/schema.py)."""
    if not isinstance(raw, dict):
        raise BadRecord("recorded_disclosures: each must be a JSON object")
    what = "recorded disclosure"
    recorded = take(raw, schema.RecordedDisclosure, what)
    recorded = _period(recorded, "valid_from", "valid_until", what)
    fields = {name: value for name, value in recorded.items() if name != "source"}
    check_fields(RecordedDisclosure, fields, what, ["article", "disclosure", "interest"])
    return schema.RecordedDisclosure(**fields, source=recorded_source(recorded["source"]))


Entry = TypeVar("Entry", schema.RegisterEntry, schema.Interest)


def no_repeats(entries: list[Entry], what: str) -> list[Entry]:
    """A register or interests list in which each entry appears once (a list is written
    whole: a repeated entry would be a second row)."""
    seen = set()
    for entry in entries:
        key = json.dumps(schema.to_json(entry), sort_keys=True)
        if key in seen:
            raise BadRecord(f"{what}: the same entry twice ({entry.statement[:60]!r})")
        seen.add(key)
    return entries


def _publication(record: RawRecord, what: str) -> dict[str, Any]:
    """An article's times, parsed and checked against its status and one another (its
    other fields checked by the model's rules on the way)."""
    times = {
        name: parse_datetime(record[name], name)
        for name in ("published_at", "updated_at", "embargo_until")
    }
    published_at, updated_at, embargo_until = times.values()
    fields = {name: record[name] for name in (*ARTICLE_FIELDS, "status")}
    check_fields(
        Article,
        {**fields, "published_at": published_at, "updated_at": updated_at},
        what,
        ["uid", "lead_image", "tags"],
    )
    publishing = record["status"] == Article.Status.PUBLISHED
    if publishing and published_at is None:
        raise BadRecord(f"{what}: a published article needs published_at")
    if updated_at and (published_at is None or updated_at < published_at):
        raise BadRecord(f"{what}: updated_at must come after published_at")
    if publishing and embargo_until and published_at and published_at < embargo_until:
        raise BadRecord(f"{what}: published_at is before embargo_until")
    # Disclosures are recorded for the publication time, or not at all (yet).
    as_of = parse_datetime(record["disclosures_as_of"], "disclosures_as_of")
    if as_of is not None and as_of != published_at:
        raise BadRecord(f"{what}: disclosures_as_of must be null or the same as published_at")
    if as_of is None and record["recorded_disclosures"]:
        raise BadRecord(f"{what}: recorded_disclosures need the disclosures_as_of they were for")
    return {**times, "disclosures_as_of": as_of}


def _uid(record: RawRecord, what: str) -> uuid.UUID:
    try:
        return (
            uuid.UUID(record["uid"])
            if record["uid"]
            else uuid.uuid5(SLUG_UID_NAMESPACE, record["slug"])
        )
    except ValueError:
        raise BadRecord(f"{what}: uid {record['uid']!r} is not a UUID") from None


def _quotes(record: RawRecord, what: str) -> list[schema.Quote]:
    """An article's quotes, each placed in the body at most once by its own key."""
    quotes = [normalize_quote(quote, n) for n, quote in enumerate(record["quotes"])]
    keys = [quote.key for quote in quotes]
    if len(set(keys)) != len(keys):
        raise BadRecord(f"{what}: two quotes have the same key")
    if unknown := [key for key in marker_keys(record["body"], "quote") if key not in keys]:
        markers = ", ".join(f"[[quote:{key}]]" for key in unknown)
        raise BadRecord(f"{what}: the body places {markers}, but the article has no such quote")
    return quotes


def normalize_article(raw: RawRecord, media_dir: Path) -> schema.ArticleRecord:
    record = take(raw, schema.ArticleRecord, "article")
    what = f"article {record['slug']!r}"
    times = _publication(record, what)
    uid = _uid(record, what)
    if not all(isinstance(slug, str) for slug in record["authors"]):
        raise BadRecord(f"{what}: authors must be a list of author slugs")
    if len(set(record["authors"])) != len(record["authors"]):
        raise BadRecord(f"{what}: an author appears twice in the byline")
    quotes = _quotes(record, what)
    return schema.ArticleRecord(
        **{name: record[name] for name in (*ARTICLE_FIELDS, "status", "authors", "lead_image")},
        **times,
        uid=uid,
        tags=one_topic_each(tag_entry(t, "tags") for t in record["tags"]),
        quotes=quotes,
        citations=[normalize_citation(citation) for citation in record["citations"]],
        corrections=schema.sort_corrections(map(normalize_correction, record["corrections"])),
        disclosures=schema.sort_disclosures(map(normalize_disclosure, record["disclosures"])),
        recorded_disclosures=list(map(normalize_recorded, record["recorded_disclosures"])),
        old_addresses=old_addresses(record, what),
    )


def one_topic_each(tags: Iterable[schema.Tag]) -> list[schema.Tag]:
    """The tags, one per topic: the site's topic names are unique whatever their case
    (articles 0023), so two entries with one name (a WordPress category and tag named
    alike, with different slugs) are one topic, as are two with one slug. The first
    entry gives the topic its slug."""
    slugs: set[str] = set()
    names: set[str] = set()
    kept = []
    for tag in tags:
        if tag.slug in slugs or tag.name.casefold() in names:
            continue
        slugs.add(tag.slug)
        names.add(tag.name.casefold())
        kept.append(tag)
    return schema.sort_tags(kept)


def normalize_meta(raw: RawRecord, media_dir: Path) -> schema.Meta:
    meta = take(raw, schema.Meta, "meta")
    if meta["format"] != schema.FORMAT:
        raise BadRecord(f"meta: format {meta['format']!r} is not {schema.FORMAT!r}")
    if meta["version"] not in schema.READABLE_VERSIONS:
        readable = " or ".join(map(str, schema.READABLE_VERSIONS))
        raise BadRecord(
            f"meta: version {meta['version']} is not one this importer reads ({readable})"
        )
    return schema.Meta(**meta)


def old_addresses(record: RawRecord, what: str) -> list[str]:
    if not all(isinstance(path, str) for path in record["old_addresses"]):
        raise BadRecord(f"{what}: old_addresses must be a list of paths")
    return sorted(set(record["old_addresses"]))


def normalize_page(raw: RawRecord, media_dir: Path) -> schema.PageRecord:
    record = take(raw, schema.PageRecord, "page")
    fields = {name: record[name] for name in ("slug", "title", "body")}
    what = f"page {record['slug']!r}"
    check_fields(Page, fields, what, [])
    return schema.PageRecord(**fields, old_addresses=old_addresses(record, what))


def normalize_skip(raw: RawRecord, media_dir: Path) -> schema.Skip:
    """A WordPress item with no place here (a page, a menu item); counted, not imported."""
    return schema.Skip(reason=str(raw.get("reason", "")))


NORMALIZERS: dict[str, Callable[[RawRecord, Path], schema.Record]] = {
    "meta": normalize_meta,
    "organisation": normalize_organisation,
    "author": normalize_author,
    "image": normalize_image,
    "article": normalize_article,
    "page": normalize_page,
    "skip": normalize_skip,
}


def normalize(
    raw: RawRecord, media_dir: Path, *, checked: bool = False, notes: list[str] | None = None
) -> schema.Record:
    """The record in its one canonical form (the form export writes), or BadRecord.
    `checked`: the record has passed the check pass, whose model field rules (a good
    part of an import's time) are then not run again. `notes` receives what the report
    says of a record taken otherwise than as it is (see note())."""
    if not checked:
        check_text(raw)
    normalizer = NORMALIZERS.get(raw.get("type"))  # type: ignore[arg-type]
    if normalizer is None:
        raise BadRecord(f"unknown record type {raw.get('type')!r}")
    token = _records_checked.set(checked)
    notes_token = _notes.set(notes)
    try:
        return normalizer(raw, media_dir)
    finally:
        _notes.reset(notes_token)
        _records_checked.reset(token)


def record_key(record: schema.Record) -> str:
    """What a record is matched on: an article's uid, an image's key, a slug."""
    if isinstance(record, schema.ArticleRecord):
        return str(record.uid)
    if isinstance(record, schema.ImageRecord):
        return record.key
    if isinstance(record, schema.AuthorRecord | schema.OrganisationRecord | schema.PageRecord):
        return record.slug
    return record.type


def references(record: schema.Record) -> Iterator[tuple[str, str]]:
    """The authors and images an article needs: (kind, key) pairs."""
    if not isinstance(record, schema.ArticleRecord):
        return
    for slug in record.authors:
        yield "author", slug
    for quote in record.quotes:
        author = quote.speaker and quote.speaker.author
        if isinstance(author, str) and author:
            yield "author", author
    if record.lead_image:
        yield "image", record.lead_image
    for key in marker_keys(record.body, "image"):
        yield "image", key
