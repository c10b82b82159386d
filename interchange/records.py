"""Import articles with their authors, images, tags, quotes (and their speakers),
citations, corrections and disclosures.

Input is the project's JSON Lines format (see interchange/exporting.py) or a WordPress
export (WXR, translated to the same records by interchange/wxr.py). An import reads its
files as streams, so memory does not grow with the size of a file, in three passes:

1. check every record, alone (types, lengths, choices, dates, files) and against the
   others and the database (references, duplicate slugs), collecting every problem;
2. write authors and images;
3. write articles, which refer to them (a WordPress export may list an image after the
   post that uses it), in batches (see Writer.articles): each kind of row in bulk, with
   no signals, so the batch's search vectors and disclosures are built here, as saving
   each article would. A batch that fails to write is written again one article at a
   time, to name the one that failed.

Records are matched on a stable key (author slug, image key, article uid; speakers and
organisations, which travel inside articles, by slug), and one that equals what the
database holds is left alone: importing a file twice changes nothing. A published
article written by an import records its disclosures as of its publication, as the
publish move does.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import sqlite3
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import F
from django.db.models.fields.files import FieldFile
from django.utils.text import slugify
from taggit.models import Tag

from articles.images import validate_image_file
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
from articles.rendering import marker_keys
from articles.search import refresh_search_vectors
from articles.services import DisclosureRegister, set_publication
from authors.models import Author, AuthorInterest, AuthorLink
from interchange import exporting
from interchange.bulk import write_objects
from interchange.exporting import Record
from newsroom import page_cache
from newsroom.text import forbidden_character

# Articles without a uid get one derived from their slug, so re-importing them matches.
SLUG_UID_NAMESPACE = uuid.UUID("1d0c5d2e-6b1e-4f55-9c55-0b8f3c1f6a10")
_BOM = b"\xef\xbb\xbf"
_QUERY_CHUNK = 500
# The article fields a record sets as they are (publishing state and relations aside).
ARTICLE_FIELDS = (
    "slug", "headline", "standfirst", "body", "kind", "dateline", "backstory",
    "embargo_by", "embargo_note",
)  # fmt: skip


# True while normalize() reads a record that has passed the check pass.
_records_checked: ContextVar[bool] = ContextVar("records_checked", default=False)


class ImportFileError(Exception):
    """A problem with a whole file (missing, wrong format, malformed XML): nothing is imported."""


class BadRecord(Exception):
    """A problem with one record; the message says why, in one line."""


@dataclass(frozen=True)
class Source:
    path: Path
    format: str  # "jsonl" or "wxr"
    media_dir: Path
    size: int


@dataclass(frozen=True)
class Item:
    """One record read from a source: where it is, and the record or why it is unreadable."""

    where: str
    record: Record | BadRecord
    position: int  # bytes of the file read so far, for progress


def open_source(name: str, media_dir: str | None) -> Source:
    """Check that a file exists and tell its format by its first bytes."""
    path = Path(name)
    if not path.exists():
        raise ImportFileError(f"{path}: no such file")
    if not path.is_file():
        raise ImportFileError(f"{path}: not a file")
    with path.open("rb") as stream:
        head = stream.read(1024)
    first = head.removeprefix(_BOM).lstrip()[:1]
    if first == b"{":
        file_format, default_media = "jsonl", path.parent
    elif first == b"<":
        file_format, default_media = "wxr", path.parent / "uploads"
    elif not head.strip():
        raise ImportFileError(f"{path}: the file is empty")
    elif first == b"[":
        raise ImportFileError(
            f"{path}: a JSON array; expected JSON Lines, one JSON object per line "
            "(as export_articles writes)"
        )
    else:
        raise ImportFileError(
            f"{path}: neither JSON Lines nor a WordPress export (WXR); check the file"
        )
    media = Path(media_dir) if media_dir else default_media
    return Source(path=path, format=file_format, media_dir=media, size=path.stat().st_size)


def read_items(source: Source) -> Iterator[Item]:
    if source.format == "wxr":
        # Imported here: interchange.wxr imports this module's record and error types.
        from interchange.wxr import read_wxr

        return read_wxr(source.path)
    return read_jsonl(source.path)


def read_jsonl(path: Path) -> Iterator[Item]:
    """One record per line, read as bytes and decoded line by line (a 1 GB file is fine)."""
    position = 0
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, 1):
            position += len(raw)
            where = f"line {number}"
            line = raw.removeprefix(_BOM) if number == 1 else raw
            if not line.strip():
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as error:
                reason = (
                    f"not UTF-8 text (byte 0x{line[error.start]:02x} at column {error.start + 1}); "
                    "save the file as UTF-8"
                )
                yield Item(where, BadRecord(reason), position)
                continue
            yield Item(where, _parse_json_line(text), position)


def _parse_json_line(text: str) -> Record | BadRecord:
    try:
        value = json.loads(text)
    except RecursionError:
        # The parser recurses once for each level: a line of thousands of "[" exhausts
        # Python's stack before any record could be read.
        return BadRecord(f"nested too deeply (a record nests at most {MAX_DEPTH} levels)")
    except json.JSONDecodeError as error:
        if error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated"):
            return BadRecord("truncated JSON: the line ends before the record does")
        return BadRecord(f"not valid JSON ({error.msg}, column {error.colno})")
    if not isinstance(value, dict):
        return BadRecord(f"expected a JSON object, found {type(value).__name__}")
    return value


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


def take(raw: Record, spec: dict[str, tuple[type, Any]], what: str) -> Record:
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
    if value is None:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise BadRecord(f"{name}: {value!r} is not an ISO 8601 date and time") from None
    if parsed.tzinfo is None:
        raise BadRecord(f"{name}: {value!r} needs a time zone, e.g. {value}+00:00")
    return parsed


def parse_date(value: str | None, name: str) -> datetime.date | None:
    if value is None:
        return None
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


def _given(value: Record, spec: dict[str, tuple[type, Any]], what: str) -> Record:
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
    spec = {"name": (str, _REQUIRED), "slug": (str, "")}
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
    spec = {
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
    if kind not in SOURCE_SPECS:
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


# --- Checking all records ---------------------------------------------------------------


@dataclass(order=True)
class Problem:
    order: tuple[int, int]
    where: str
    reason: str


class KeyIndex:
    """What the check pass remembers of every record: its key, with a digest of the
    record and where it is; an article's slug; the references to records not read yet.
    Kept in a private temporary SQLite database on disk (deleted when closed), not in
    Python objects: those grow with the file (measured: see docs/performance.md), this
    stays flat."""

    def __init__(self) -> None:
        # "": a temporary on-disk database; only its page cache (2 MB) is in memory.
        self.db = sqlite3.connect("")
        self.db.executescript(
            """
            CREATE TABLE record (kind TEXT, key TEXT, digest BLOB, place TEXT,
                                 PRIMARY KEY (kind, key)) WITHOUT ROWID;
            CREATE TABLE slug (slug TEXT PRIMARY KEY, key TEXT, place TEXT) WITHOUT ROWID;
            CREATE TABLE reference (source INTEGER, item INTEGER, place TEXT, kind TEXT,
                                    key TEXT);
            """
        )

    def close(self) -> None:
        """Close the database, which deletes it."""
        self.db.close()

    def record(self, kind: str, key: str) -> tuple[bytes, str] | None:
        """The digest and place of the record of this kind and key read first."""
        query = "SELECT digest, place FROM record WHERE kind = ? AND key = ?"
        return self.db.execute(query, (kind, key)).fetchone()

    def add_record(self, kind: str, key: str, digest: bytes, place: str) -> None:
        self.db.execute("INSERT INTO record VALUES (?, ?, ?, ?)", (kind, key, digest, place))

    def slug(self, slug: str) -> tuple[str, str] | None:
        """The key and place of the article read first with this slug."""
        return self.db.execute("SELECT key, place FROM slug WHERE slug = ?", (slug,)).fetchone()

    def add_slug(self, slug: str, key: str, place: str) -> None:
        self.db.execute("INSERT INTO slug VALUES (?, ?, ?)", (slug, key, place))

    def add_reference(self, order: tuple[int, int], place: str, kind: str, key: str) -> None:
        self.db.execute("INSERT INTO reference VALUES (?, ?, ?, ?, ?)", (*order, place, kind, key))

    def unresolved(self) -> Iterator[tuple[tuple[int, int], str, str, str]]:
        """References to records of no file: (order, place, kind, key)."""
        rows = self.db.execute(
            "SELECT source, item, place, kind, key FROM reference WHERE NOT EXISTS "
            "(SELECT 1 FROM record WHERE record.kind = reference.kind "
            "AND record.key = reference.key)"
        )
        for source, item, place, kind, key in rows:
            yield (source, item), place, kind, key


@dataclass
class Checker:
    """Pass 1: every record checked, alone and against the others and the database.

    What it remembers of each record is kept on disk (KeyIndex): memory does not grow
    with the number of records, nor their size.
    """

    problems: list[Problem] = field(default_factory=list)
    bad: set[str] = field(default_factory=set)
    records: int = 0  # authors, images and articles, readable or not
    skipped: int = 0  # WordPress items with no place here
    keys: KeyIndex = field(default_factory=KeyIndex)
    slug_batch: list[tuple[tuple[int, int], str, str, str]] = field(default_factory=list)
    shared: dict[tuple[str, str, str], tuple[object, str]] = field(default_factory=dict)

    def fail(self, order: tuple[int, int], where: str, reason: str) -> None:
        if where not in self.bad:
            self.bad.add(where)
            self.problems.append(Problem(order, where, reason))

    def check(self, order: tuple[int, int], where: str, item: Item, media_dir: Path) -> None:
        kind = item.record.get("type") if isinstance(item.record, dict) else None
        self.records += kind not in ("meta", "skip")
        self.skipped += kind == "skip"
        try:
            if isinstance(item.record, BadRecord):
                raise item.record
            record = normalize(item.record, media_dir)
        except BadRecord as error:
            self.fail(order, where, str(error))
            return
        if kind in ("meta", "skip"):
            return
        key = record[record_key(record)]
        # A fingerprint to tell a repeated record from a different one, not security.
        digest = hashlib.sha1(json.dumps(record, sort_keys=True).encode()).digest()  # noqa: S324
        seen = self.keys.record(kind, key)
        if kind == "article":
            slug = record["slug"]
            earlier_slug = self.keys.slug(slug)
            if earlier_slug and (earlier_slug[0] != key or seen is None or seen[0] != digest):
                self.fail(order, where, f"duplicate slug {slug!r}: also at {earlier_slug[1]}")
                return
        if seen is not None:
            earlier_digest, earlier = seen
            if earlier_digest != digest:
                self.fail(order, where, f"{kind} {key!r} is also at {earlier}, differently")
            return
        if reason := self.check_shared(record, where):
            self.fail(order, where, reason)
            return
        if kind == "article":
            self.keys.add_slug(slug, key, where)
            self.slug_batch.append((order, where, slug, key))
            if len(self.slug_batch) >= _QUERY_CHUNK:
                self.check_slugs_against_database()
        for ref_kind, ref_key in references(record):
            if self.keys.record(ref_kind, ref_key) is None:
                self.keys.add_reference(order, where, ref_kind, ref_key)
        self.keys.add_record(kind, key, digest, where)

    def check_shared(self, record: Record, where: str) -> str | None:
        """Speakers and organisations travel inside articles and authors' interests (and
        organisations have records of their own): the copies of one may give different
        fields but must not disagree on any, and two of them cannot claim one author or
        one topic."""
        found: list[tuple[tuple[str, str, str], object, str]] = []
        for kind, entry in shared_entries(record):
            for name, value in entry.items():
                if isinstance(value, dict):
                    value = value["slug"]  # a speaker's organisation is checked on its own
                found.append(((kind, entry["slug"], name), value, f"{kind} {entry['slug']!r}"))
            if entry.get("author"):
                claim = ("speaker author", entry["author"], "")
                found.append((claim, entry["slug"], f"author {entry['author']!r}"))
            if kind == "organisation" and "tag" in entry:
                claim = ("organisation topic", entry["tag"]["slug"], "")
                found.append((claim, entry["slug"], f"topic {entry['tag']['slug']!r}"))
        for key, value, name in found:
            earlier = self.shared.get(key)
            if earlier is not None and earlier[0] != value:
                if key[0] in ("speaker", "organisation"):
                    return f"{name}: {key[2]} differs from {earlier[1]}"
                return f"{name} is claimed by two {key[0].split()[0]}s (see {earlier[1]})"
        for key, value, _ in found:
            self.shared.setdefault(key, (value, where))
        return None

    def check_slugs_against_database(self) -> None:
        """A slug taken in the database by another article (another uid) is a duplicate."""
        batch, self.slug_batch = self.slug_batch, []
        taken = dict(
            Article.objects.filter(slug__in=[slug for _, _, slug, _ in batch]).values_list(
                "slug", "uid"
            )
        )
        for order, where, slug, uid in batch:
            if slug in taken and str(taken[slug]) != uid:
                self.fail(order, where, f"duplicate slug {slug!r}: another article has it")

    def finish(self) -> None:
        """Resolve references to records later in the files, or in the database."""
        self.check_slugs_against_database()
        # Few in a file in order (authors and images before the articles).
        missing = list(self.keys.unresolved())
        in_database = {
            "author": set(Author.objects.values_list("slug", flat=True).filter(
                slug__in={key for _, _, kind, key in missing if kind == "author"}
            )),
            "image": set(Image.objects.values_list("key", flat=True).filter(
                key__in={key for _, _, kind, key in missing if kind == "image"}
            )),
        }  # fmt: skip
        for order, where, kind, key in missing:
            if key not in in_database[kind]:
                self.fail(
                    order, where, f"unknown {kind} {key!r}: not in the files nor the database"
                )
        self.problems.sort()
        self.keys.close()


# --- Writing ---------------------------------------------------------------------------


def file_digest(path: Path | FieldFile) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.digest()


def same_file(stored: FieldFile, source: str | None) -> bool:
    if not stored or source is None:
        return not stored and source is None
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
            self.stored_files.append(field_file.name)
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
                started_on=parse_date(value["started_on"], "started_on"),
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
                valid_from=parse_date(value["valid_from"], "valid_from"),
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
        others = Speaker.objects.filter(author_id=author_id).exclude(pk=speaker.pk)
        if author_id is not None and others.exists():
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
        found = Speaker.objects.select_related("author", "organisation__tag").in_bulk(
            speakers, field_name="slug"
        )
        self.speakers |= {slug: found.get(slug) for slug in speakers}
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
        self.replace_related(changed, existing)
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
        for model, objects in rows.items():
            write_objects(model, objects)

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
                published_at=parse_datetime(correction["published_at"], "published_at"),
            )
        for disclosure in record["disclosures"]:
            yield Disclosure(
                article=article,
                organisation=self.organisation(disclosure["organisation"]),
                kind=disclosure["kind"],
                statement=disclosure["statement"],
                valid_from=parse_date(disclosure["valid_from"], "valid_from"),
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
                valid_from=parse_date(entry["valid_from"], "valid_from"),
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
                    valid_from=parse_date(source["valid_from"], "valid_from"),
                )
            else:
                rows = AuthorInterest.objects.filter(
                    author__slug=source["author"],
                    organisation__slug=source["organisation"],
                    kind=source["kind"],
                    started_on=parse_date(source["started_on"], "started_on"),
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
