"""Checking one record alone (types, lengths, choices, dates, files, characters) and
normalising it to its one canonical form, the form export writes."""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models
from django.utils.text import slugify
from taggit.models import Tag

from articles.models import Article, Citation, Correction
from authors.models import Author, AuthorLink
from disclosures.models import AuthorInterest, Disclosure, Organisation, RecordedDisclosure
from interchange import exporting
from interchange.exporting import Record
from interchange.items import BadRecord
from media.images import validate_image_file
from media.models import Image
from newsroom.markdown import marker_keys
from newsroom.text import forbidden_character
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


# --- Checking one record --------------------------------------------------------------

_REQUIRED: Any = object()

# Deeper than any record the exporter writes (an article's quote's speaker's
# organisation's topic is 7 levels): deeper nesting is a broken or hostile file.
MAX_DEPTH = 20


def check_text(raw: Record) -> None:
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


def take(raw: Record, spec: Mapping[str, tuple[type, Any]], what: str) -> Record:
    """The fields of `spec` from `raw`, type-checked, with defaults; unknown fields refused
    (a misspelt field name must not be silently dropped). A default of None allows null."""
    unknown = sorted(set(raw) - set(spec) - {"type"})
    if unknown:
        raise BadRecord(f"{what}: unknown field {', '.join(map(repr, unknown))}")
    values = {}
    for name, (kind, default) in spec.items():
        value = raw.get(name, default)
        if value is _REQUIRED:
            raise BadRecord(f"{what}: {name} is missing")
        if not (isinstance(value, kind) or (value is None and default is None)):
            raise BadRecord(f"{what}: {name} must be {kind.__name__}, not {json.dumps(value)}")
        values[name] = value
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
    with path.open("rb") as stream:
        try:
            validate_image_file(File(stream, name=path.name))
        except ValidationError as error:
            raise BadRecord(f"{what}: {name}: {error.messages[0]}") from None
    return path


def tag_entry(value: object, what: str) -> Record:
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        raise BadRecord(f"{what}: a tag must be a name or {{name, slug}}")
    entry = take(value, {"name": (str, _REQUIRED), "slug": (str, "")}, what)
    # Stripped as the article form strips what an editor types, so the name the form
    # shows is the name it saves back.
    entry["name"] = entry["name"].strip()
    entry["slug"] = entry["slug"] or slugify(entry["name"])
    if not entry["name"] or not entry["slug"]:
        raise BadRecord(f"{what}: {entry['name']!r} cannot be a tag")
    check_fields(Tag, entry, f"{what} {entry['name']!r}", [])
    return entry


# Speakers and organisations travel inside articles (see interchange/exporting.py). An entry
# sets the fields it gives and leaves the others as the site has them (or at their
# defaults, for a new one): a WordPress quote names its speaker and must not wipe what
# editors wrote about them. A full export gives every field.
ORGANISATION_DEFAULTS: Record = {"description": "", "url": ""}
SPEAKER_DEFAULTS: Record = {
    "kind": Speaker.Kind.PERSON.value,
    "description": "",
    "organisation": None,
    "author": None,
}


def _given(value: Record, spec: Mapping[str, tuple[type, Any]], what: str) -> Record:
    """The fields of `value` that it gives, type-checked, with the slug made from the name
    when missing."""
    entry = take(value, spec, what)
    entry = {name: entry[name] for name in spec if name in value or name in ("name", "slug")}
    entry["slug"] = entry["slug"] or slugify(entry["name"])
    if not entry["name"].strip() or not entry["slug"]:
        raise BadRecord(f"{what}: {entry['name']!r} cannot be one (no name or slug)")
    return entry


def organisation_entry(value: object, what: str) -> Record:
    """An organisation: a name, or {name, slug, tag, description, url}. A new one's topic
    (tag) is one of the same name and slug unless `tag` says otherwise."""
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        raise BadRecord(f"{what}: an organisation must be a name or {{name, slug, ...}}")
    spec: dict[str, tuple[type, Any]] = {"name": (str, _REQUIRED), "slug": (str, "")}
    spec |= {"tag": (object, None), "description": (str, ""), "url": (str, "")}
    entry = _given(value, spec, what)
    if "tag" in entry:
        entry["tag"] = tag_entry(entry["tag"], f"{what} tag")
    fields = {**ORGANISATION_DEFAULTS, **entry}
    fields.pop("tag", None)
    check_fields(Organisation, fields, f"{what} {entry['name']!r}", ["tag"])
    return entry


def speaker_entry(value: object, what: str) -> Record:
    """A quote's speaker: a name, or {name, slug, kind, description, organisation,
    author}; a new one is a person unless `kind` says otherwise."""
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        raise BadRecord(f"{what}: a speaker must be a name or {{name, slug, ...}}")
    spec: dict[str, tuple[type, Any]] = {
        "name": (str, _REQUIRED),
        "slug": (str, ""),
        "kind": (str, ""),
        "description": (str, ""),
    }
    spec |= {"organisation": (object, None), "author": (str, None)}
    entry = _given(value, spec, what)
    if entry.get("organisation") is not None:
        entry["organisation"] = organisation_entry(entry["organisation"], f"{what} organisation")
    fields = {**SPEAKER_DEFAULTS, **entry}
    fields = {name: fields[name] for name in ("name", "slug", "kind", "description")}
    check_fields(Speaker, fields, f"{what} {entry['name']!r}", ["organisation", "author"])
    return entry


def shared_entries(record: Record) -> Iterator[tuple[str, Record]]:
    """The speakers and organisations a record carries (or is): (kind, entry) pairs."""
    if record["type"] == "organisation":
        yield "organisation", {k: v for k, v in record.items() if k not in ("type", "disclosures")}
        return
    if record["type"] == "author":
        for interest in record["interests"]:
            yield "organisation", interest["organisation"]
        return
    if record["type"] != "article":
        return
    for quote in record["quotes"]:
        if (speaker := quote["speaker"]) is None:
            continue  # a draft's quote that names no speaker yet
        yield "speaker", speaker
        if speaker.get("organisation"):
            yield "organisation", speaker["organisation"]
    for disclosure in record["disclosures"]:
        yield "organisation", disclosure["organisation"]


def normalize_author(raw: Record, media_dir: Path) -> Record:
    spec = {
        "slug": (str, _REQUIRED),
        "name": (str, _REQUIRED),
        "job_title": (str, ""),
        "bio": (str, ""),
        "expertise": (str, ""),
        "photo": (str, None),
        "links": (list, []),
        "interests": (list, []),
    }
    record = take(raw, spec, "author")
    fields = {name: record[name] for name in ("slug", "name", "job_title", "bio", "expertise")}
    check_fields(Author, fields, f"author {record['slug']!r}", ["photo", "user"])
    links = []
    for link in record["links"]:
        if not isinstance(link, dict):
            raise BadRecord("author links: each link must be {label, url}")
        values = take(link, {"label": (str, _REQUIRED), "url": (str, _REQUIRED)}, "author link")
        check_fields(AuthorLink, values, "author link", ["author"])
        links.append(values)
    photo = record["photo"]
    interests = exporting.sort_interests(map(normalize_interest, record["interests"]))
    return {
        "type": "author",
        **fields,
        "photo": str(media_file(media_dir, photo, "photo")) if photo else None,
        "links": links,
        "interests": no_repeats(interests, f"author {record['slug']!r} interests"),
    }


def normalize_organisation(raw: Record, media_dir: Path) -> Record:
    """An organisation with the whole of its register (see interchange/exporting.py)."""
    register = raw.get("disclosures", [])
    if not isinstance(register, list):
        raise BadRecord("organisation: disclosures must be a list")
    fields = {name: value for name, value in raw.items() if name not in ("type", "disclosures")}
    entry = organisation_entry(fields, "organisation")
    what = f"organisation {entry['slug']!r} disclosure"
    entries = exporting.sort_disclosures(register_entry(item, what) for item in register)
    return {"type": "organisation", **entry, "disclosures": no_repeats(entries, what)}


def normalize_image(raw: Record, media_dir: Path) -> Record:
    spec = {
        "key": (str, _REQUIRED),
        "file": (str, _REQUIRED),
        "alt_text": (str, ""),
        "is_decorative": (bool, False),
        "caption": (str, ""),
        "credit": (str, ""),
    }
    record = take(raw, spec, "image")
    fields = {name: value for name, value in record.items() if name != "file"}
    check_fields(Image, fields, f"image {record['key']!r}", ["file"])
    return {
        "type": "image",
        **fields,
        "file": str(media_file(media_dir, record["file"], f"image {record['key']!r}")),
    }


def normalize_quote(raw: object, position: int) -> Record:
    if not isinstance(raw, dict):
        raise BadRecord("quotes: each quote must be a JSON object")
    spec = {
        "key": (str, _REQUIRED),
        "text": (str, _REQUIRED),
        "speaker": (object, _REQUIRED),  # null: a draft's quote names no speaker yet
        "source_kind": (str, Quote.SourceKind.OTHER.value),
        "source_title": (str, ""),
        "reported_by": (str, ""),
        "source_url": (str, ""),
        "said_on": (str, None),
        "context": (str, ""),
        "is_pull_quote": (bool, False),
        "position": (int, position),
    }
    quote = take(raw, spec, "quote")
    what = f"quote {quote['key']!r}"
    said_on = parse_date(quote["said_on"], f"{what} said_on")
    speaker = (
        None if quote["speaker"] is None else speaker_entry(quote["speaker"], f"{what} speaker")
    )
    fields = {k: v for k, v in quote.items() if k not in ("speaker", "said_on")}
    check_fields(Quote, {**fields, "said_on": said_on}, what, ["article", "speaker"])
    return {**quote, "speaker": speaker, "said_on": exporting.iso_date(said_on)}


def normalize_citation(raw: object) -> Record:
    if not isinstance(raw, dict):
        raise BadRecord("citations: each citation must be a JSON object")
    citation = take(raw, {"title": (str, _REQUIRED), "url": (str, "")}, "citation")
    check_fields(Citation, citation, f"citation {citation['title'][:40]!r}", ["article"])
    return citation


def normalize_correction(raw: object) -> Record:
    if not isinstance(raw, dict):
        raise BadRecord("corrections: each correction must be a JSON object")
    spec = {
        "kind": (str, Correction.Kind.CORRECTION.value),
        "text": (str, _REQUIRED),
        "published_at": (str, _REQUIRED),
    }
    correction = take(raw, spec, "correction")
    published_at = parse_datetime(correction["published_at"], "correction published_at")
    check_fields(
        Correction,
        {"kind": correction["kind"], "text": correction["text"], "published_at": published_at},
        "correction",
        ["article"],
    )
    return {**correction, "published_at": exporting.iso_datetime(published_at)}


def register_entry(raw: object, what: str) -> Record:
    """A disclosure's own fields (kind, statement, dates), as a register entry inside
    its organisation's record has them."""
    if not isinstance(raw, dict):
        raise BadRecord(f"{what}: each disclosure must be a JSON object")
    spec = {
        "kind": (str, _REQUIRED),
        "statement": (str, _REQUIRED),
        "valid_from": (str, _REQUIRED),
        "valid_until": (str, None),
    }
    disclosure = take(raw, spec, what)
    valid_from = parse_date(disclosure["valid_from"], f"{what} valid_from")
    valid_until = parse_date(disclosure["valid_until"], f"{what} valid_until")
    if valid_from and valid_until and valid_until < valid_from:
        raise BadRecord(f"{what}: valid_until is before valid_from")
    check_fields(
        Disclosure,
        {
            "kind": disclosure["kind"],
            "statement": disclosure["statement"],
            "valid_from": valid_from,
            "valid_until": valid_until,
        },
        what,
        ["organisation", "article"],
    )
    return {
        **disclosure,
        "valid_from": exporting.iso_date(valid_from),
        "valid_until": exporting.iso_date(valid_until),
    }


def normalize_disclosure(raw: object) -> Record:
    """An article's own disclosure: an organisation and a register entry's fields."""
    if not isinstance(raw, dict):
        raise BadRecord("disclosures: each disclosure must be a JSON object")
    if "organisation" not in raw:
        raise BadRecord("disclosure: organisation is missing")
    organisation = organisation_entry(raw["organisation"], "disclosure organisation")
    fields = {name: value for name, value in raw.items() if name != "organisation"}
    return {"organisation": organisation, **register_entry(fields, "disclosure")}


def normalize_interest(raw: object) -> Record:
    """An entry in an author's register of interests."""
    if not isinstance(raw, dict):
        raise BadRecord("author interests: each interest must be a JSON object")
    spec = {
        "organisation": (object, _REQUIRED),
        "kind": (str, _REQUIRED),
        "statement": (str, _REQUIRED),
        "started_on": (str, _REQUIRED),
        "ended_on": (str, None),
    }
    interest = take(raw, spec, "interest")
    organisation = organisation_entry(interest["organisation"], "interest organisation")
    started_on = parse_date(interest["started_on"], "interest started_on")
    ended_on = parse_date(interest["ended_on"], "interest ended_on")
    if started_on and ended_on and ended_on < started_on:
        raise BadRecord("interest: ended_on is before started_on")
    check_fields(
        AuthorInterest,
        {
            "kind": interest["kind"],
            "statement": interest["statement"],
            "started_on": started_on,
            "ended_on": ended_on,
        },
        "interest",
        ["author", "organisation"],
    )
    return {
        **interest,
        "organisation": organisation,
        "started_on": exporting.iso_date(started_on),
        "ended_on": exporting.iso_date(ended_on),
    }


# What identifies the row a recorded disclosure was copied from (interchange/exporting.py).
SOURCE_SPECS: dict[str, dict[str, tuple[type, Any]]] = {
    "register": {"organisation": (str, _REQUIRED), "kind": (str, _REQUIRED)}
    | {"valid_from": (str, _REQUIRED)},
    "interest": {"author": (str, _REQUIRED), "organisation": (str, _REQUIRED)}
    | {"kind": (str, _REQUIRED), "started_on": (str, _REQUIRED)},
}


def recorded_source(raw: object) -> Record | None:
    if raw is None:
        return None
    kind = raw.get("type") if isinstance(raw, dict) else None
    if kind not in SOURCE_SPECS or not isinstance(raw, dict):
        raise BadRecord(
            'recorded disclosure: source must be null or {type: "register" or "interest", ...}'
        )
    source = take(raw, SOURCE_SPECS[kind], f"recorded disclosure {kind} source")
    since = "valid_from" if kind == "register" else "started_on"
    day = parse_date(source[since], f"recorded disclosure source {since}")
    return {"type": kind, **source, since: exporting.iso_date(day)}


def normalize_recorded(raw: object) -> Record:
    """A disclosure an article carries as recorded at its publication: a copy, kept as
    it is (see interchange/exporting.py)."""
    if not isinstance(raw, dict):
        raise BadRecord("recorded_disclosures: each must be a JSON object")
    spec = {
        "organisation_name": (str, _REQUIRED),
        "relationship": (str, _REQUIRED),
        "statement": (str, _REQUIRED),
        "valid_from": (str, _REQUIRED),
        "valid_until": (str, None),
        "source": (object, None),
    }
    recorded = take(raw, spec, "recorded disclosure")
    valid_from = parse_date(recorded["valid_from"], "recorded disclosure valid_from")
    valid_until = parse_date(recorded["valid_until"], "recorded disclosure valid_until")
    if valid_from and valid_until and valid_until < valid_from:
        raise BadRecord("recorded disclosure: valid_until is before valid_from")
    fields = {k: v for k, v in recorded.items() if k not in ("source", "valid_from", "valid_until")}
    check_fields(
        RecordedDisclosure,
        {**fields, "valid_from": valid_from, "valid_until": valid_until},
        "recorded disclosure",
        ["article", "disclosure", "interest"],
    )
    return {
        **recorded,
        "valid_from": exporting.iso_date(valid_from),
        "valid_until": exporting.iso_date(valid_until),
        "source": recorded_source(recorded["source"]),
    }


def no_repeats(entries: list[Record], what: str) -> list[Record]:
    """A register or interests list in which each entry appears once (a list is written
    whole: a repeated entry would be a second row)."""
    seen = set()
    for entry in entries:
        key = json.dumps(entry, sort_keys=True)
        if key in seen:
            raise BadRecord(f"{what}: the same entry twice ({entry['statement'][:60]!r})")
        seen.add(key)
    return entries


def normalize_article(raw: Record, media_dir: Path) -> Record:
    spec = {
        "uid": (str, None),
        "slug": (str, _REQUIRED),
        "headline": (str, _REQUIRED),
        "standfirst": (str, ""),
        "body": (str, ""),
        "kind": (str, Article.Kind.NEWS.value),
        "dateline": (str, ""),
        "backstory": (str, ""),
        "status": (str, Article.Status.DRAFT.value),
        "published_at": (str, None),
        "updated_at": (str, None),
        "embargo_until": (str, None),
        "embargo_by": (str, ""),
        "embargo_note": (str, ""),
        "authors": (list, []),
        "tags": (list, []),
        "lead_image": (str, None),
        "quotes": (list, []),
        "citations": (list, []),
        "corrections": (list, []),
        "disclosures": (list, []),
        "disclosures_as_of": (str, None),
        "recorded_disclosures": (list, []),
    }
    record = take(raw, spec, "article")
    what = f"article {record['slug']!r}"
    published_at = parse_datetime(record["published_at"], "published_at")
    updated_at = parse_datetime(record["updated_at"], "updated_at")
    embargo_until = parse_datetime(record["embargo_until"], "embargo_until")
    fields = {name: record[name] for name in (*ARTICLE_FIELDS, "status")}
    check_fields(
        Article,
        {**fields, "published_at": published_at, "updated_at": updated_at},
        what,
        ["uid", "lead_image", "tags"],
    )
    if record["status"] == Article.Status.PUBLISHED and published_at is None:
        raise BadRecord(f"{what}: a published article needs published_at")
    if updated_at and (published_at is None or updated_at < published_at):
        raise BadRecord(f"{what}: updated_at must come after published_at")
    publishing = record["status"] == Article.Status.PUBLISHED
    if publishing and embargo_until and published_at and published_at < embargo_until:
        raise BadRecord(f"{what}: published_at is before embargo_until")
    # Disclosures are recorded for the publication time, or not at all (yet).
    as_of = parse_datetime(record["disclosures_as_of"], "disclosures_as_of")
    if as_of is not None and as_of != published_at:
        raise BadRecord(f"{what}: disclosures_as_of must be null or the same as published_at")
    if as_of is None and record["recorded_disclosures"]:
        raise BadRecord(f"{what}: recorded_disclosures need the disclosures_as_of they were for")
    try:
        uid = (
            uuid.UUID(record["uid"])
            if record["uid"]
            else uuid.uuid5(SLUG_UID_NAMESPACE, record["slug"])
        )
    except ValueError:
        raise BadRecord(f"{what}: uid {record['uid']!r} is not a UUID") from None
    if not all(isinstance(slug, str) for slug in record["authors"]):
        raise BadRecord(f"{what}: authors must be a list of author slugs")
    if len(set(record["authors"])) != len(record["authors"]):
        raise BadRecord(f"{what}: an author appears twice in the byline")
    quotes = [normalize_quote(quote, n) for n, quote in enumerate(record["quotes"])]
    keys = [quote["key"] for quote in quotes]
    if len(set(keys)) != len(keys):
        raise BadRecord(f"{what}: two quotes have the same key")
    if unknown := [key for key in marker_keys(record["body"], "quote") if key not in keys]:
        markers = ", ".join(f"[[quote:{key}]]" for key in unknown)
        raise BadRecord(f"{what}: the body places {markers}, but the article has no such quote")
    tags = {tag["slug"]: tag for tag in (tag_entry(t, "tags") for t in record["tags"])}
    return {
        "type": "article",
        **record,
        "uid": str(uid),
        "published_at": exporting.iso_datetime(published_at),
        "updated_at": exporting.iso_datetime(updated_at),
        "embargo_until": exporting.iso_datetime(embargo_until),
        "tags": exporting.sort_tags(tags.values()),
        "quotes": quotes,
        "citations": [normalize_citation(citation) for citation in record["citations"]],
        "corrections": exporting.sort_corrections(map(normalize_correction, record["corrections"])),
        "disclosures": exporting.sort_disclosures(map(normalize_disclosure, record["disclosures"])),
        "disclosures_as_of": exporting.iso_datetime(as_of),
        "recorded_disclosures": list(map(normalize_recorded, record["recorded_disclosures"])),
    }


def normalize_meta(raw: Record, media_dir: Path) -> Record:
    meta = take(raw, {"format": (str, _REQUIRED), "version": (int, _REQUIRED)}, "meta")
    if meta["format"] != exporting.FORMAT:
        raise BadRecord(f"meta: format {meta['format']!r} is not {exporting.FORMAT!r}")
    if meta["version"] not in exporting.READABLE_VERSIONS:
        readable = " or ".join(map(str, exporting.READABLE_VERSIONS))
        raise BadRecord(
            f"meta: version {meta['version']} is not one this importer reads ({readable})"
        )
    return {"type": "meta", **meta}


def normalize_skip(raw: Record, media_dir: Path) -> Record:
    """A WordPress item with no place here (a page, a menu item); counted, not imported."""
    return raw


NORMALIZERS: dict[str, Callable[[Record, Path], Record]] = {
    "meta": normalize_meta,
    "organisation": normalize_organisation,
    "author": normalize_author,
    "image": normalize_image,
    "article": normalize_article,
    "skip": normalize_skip,
}


def normalize(raw: Record, media_dir: Path, *, checked: bool = False) -> Record:
    """The record in its one canonical form (the form export writes), or BadRecord.
    `checked`: the record has passed the check pass, whose model field rules (a good
    part of an import's time) are then not run again."""
    if not checked:
        check_text(raw)
    normalizer = NORMALIZERS.get(raw.get("type"))  # type: ignore[arg-type]
    if normalizer is None:
        raise BadRecord(f"unknown record type {raw.get('type')!r}")
    token = _records_checked.set(checked)
    try:
        return normalizer(raw, media_dir)
    finally:
        _records_checked.reset(token)


def record_key(record: Record) -> str:
    keys = {"organisation": "slug", "author": "slug", "image": "key", "article": "uid"}
    return keys.get(record["type"], "type")


def references(record: Record) -> Iterator[tuple[str, str]]:
    """The authors and images an article needs: (kind, key) pairs."""
    if record["type"] != "article":
        return
    for slug in record["authors"]:
        yield "author", slug
    for quote in record["quotes"]:
        if quote["speaker"] and quote["speaker"].get("author"):
            yield "author", quote["speaker"]["author"]
    if record["lead_image"]:
        yield "image", record["lead_image"]
    for key in marker_keys(record["body"], "image"):
        yield "image", key
