"""The project's JSON Lines interchange format, defined once: the records below are what
export_articles builds from the models and writes, what import_articles parses a file
(or a WordPress export, through wxr.py) into, and what seed_demo hands to the same
writer. One JSON object per line: a record's fields in the order they are declared
here, its `type` first.

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
slug. A hand-written record may give just a name for either, or some of their
fields: the others are UNSET, and import leaves them as the site has them (or at
their defaults, for a new one).

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
  statement may have been edited since). Import keeps them as they are, so an
  article keeps saying what was true when it was published, whatever the register
  says now; a record without them (`disclosures_as_of` null) has them recorded on
  import as of its publication, as the publish move does.

In the file, times are ISO 8601 with a time zone (written in UTC), days are
YYYY-MM-DD, uids are UUIDs as text; in the records they are datetime, date and UUID.
A field's default here is the value a file may leave out (FILE_DEFAULT names one
that differs from the record's own). Version 2 added organisation records,
interests and recorded disclosures; a version 1 file (which has none of them) still
imports. An image's `source_url` and null `file` (a picture an import could not bring)
and an article's `old_addresses` are optional in both.
"""

from __future__ import annotations

import datetime
import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, ClassVar

FORMAT = "newsroom-articles"
VERSION = 2
# Versions import_articles reads: each one's records are a subset of the next's.
READABLE_VERSIONS = (1, 2)

# A line of a file as JSON gives it, before it is checked.
RawRecord = dict[str, Any]


class Unset(enum.Enum):
    """A field a hand-written speaker or organisation does not give."""

    UNSET = "unset"


UNSET = Unset.UNSET
# Metadata naming what a file may leave out for a field, where that differs from the
# record's default (a uid the import derives, a speaker's field it leaves as it is).
FILE_DEFAULT = "file_default"


def file_default(value: object) -> dict[str, object]:
    return {FILE_DEFAULT: value}


@dataclass(kw_only=True)
class Meta:
    type: ClassVar[str] = "meta"
    format: str
    version: int


@dataclass(kw_only=True)
class Tag:
    name: str
    slug: str = field(default="", metadata=file_default(""))


@dataclass(kw_only=True)
class Organisation:
    """An organisation inside another record: a name and slug, with what it gives."""

    name: str
    slug: str = ""
    tag: Tag | Unset = field(default=UNSET, metadata=file_default(None))
    description: str | Unset = field(default=UNSET, metadata=file_default(""))
    url: str | Unset = field(default=UNSET, metadata=file_default(""))


@dataclass(kw_only=True)
class Speaker:
    """A quote's speaker: a name and slug, with what it gives."""

    name: str
    slug: str = ""
    kind: str | Unset = field(default=UNSET, metadata=file_default(""))
    description: str | Unset = field(default=UNSET, metadata=file_default(""))
    organisation: Organisation | None | Unset = field(default=UNSET, metadata=file_default(None))
    author: str | None | Unset = field(default=UNSET, metadata=file_default(None))


@dataclass(kw_only=True)
class RegisterEntry:
    """A disclosure in the publisher's register, inside its organisation's record."""

    kind: str
    statement: str
    valid_from: datetime.date
    valid_until: datetime.date | None = None


@dataclass(kw_only=True)
class OrganisationRecord(Organisation):
    """An organisation with the whole of its register."""

    type: ClassVar[str] = "organisation"
    disclosures: list[RegisterEntry] = field(default_factory=list)


@dataclass(kw_only=True)
class Link:
    label: str
    url: str


@dataclass(kw_only=True)
class Interest:
    """An entry in an author's register of interests."""

    organisation: Organisation
    kind: str
    statement: str
    started_on: datetime.date
    ended_on: datetime.date | None = None


@dataclass(kw_only=True)
class AuthorRecord:
    type: ClassVar[str] = "author"
    slug: str
    name: str
    job_title: str = ""
    bio: str = ""
    expertise: str = ""
    photo: str | None = None
    links: list[Link] = field(default_factory=list)
    interests: list[Interest] = field(default_factory=list)


@dataclass(kw_only=True)
class ImageRecord:
    type: ClassVar[str] = "image"
    key: str
    # None: the picture could not be had; the image is kept without it (a placeholder on
    # the site), with the address it was at.
    file: str | None = None
    alt_text: str = ""
    is_decorative: bool = False
    caption: str = ""
    credit: str = ""
    source_url: str = ""
    # Where crops centre, as fractions across and down; None for the centre.
    focal_x: float | None = None
    focal_y: float | None = None


@dataclass(kw_only=True)
class Quote:
    key: str
    text: str
    speaker: Speaker | None  # None: a draft's quote names no speaker yet
    source_kind: str = "other"
    source_title: str = ""
    reported_by: str = ""
    source_url: str = ""
    said_on: datetime.date | None = None
    context: str = ""
    is_pull_quote: bool = False
    position: int  # in a file, by default its place in the list


@dataclass(kw_only=True)
class Citation:
    title: str
    url: str = ""


@dataclass(kw_only=True)
class Correction:
    kind: str = "correction"
    text: str
    published_at: datetime.datetime


@dataclass(kw_only=True)
class Disclosure:
    """An article's own disclosure: an organisation and a register entry's fields."""

    organisation: Organisation
    kind: str
    statement: str
    valid_from: datetime.date
    valid_until: datetime.date | None = None


@dataclass(kw_only=True)
class RegisterSource:
    """The register entry a recorded disclosure was copied from, by what identifies it."""

    type: ClassVar[str] = "register"
    organisation: str
    kind: str
    valid_from: datetime.date


@dataclass(kw_only=True)
class InterestSource:
    """The author's interest a recorded disclosure was copied from, by what identifies it."""

    type: ClassVar[str] = "interest"
    author: str
    organisation: str
    kind: str
    started_on: datetime.date


@dataclass(kw_only=True)
class RecordedDisclosure:
    """A disclosure an article carries as recorded at its publication: a copy, kept as
    it is. `source`: None when the row it was copied from is gone."""

    organisation_name: str
    relationship: str
    statement: str
    valid_from: datetime.date
    valid_until: datetime.date | None = None
    source: RegisterSource | InterestSource | None = None


@dataclass(kw_only=True)
class ArticleRecord:
    type: ClassVar[str] = "article"
    # Derived from the slug when a file gives none, so re-importing it matches.
    uid: uuid.UUID = field(metadata=file_default(None))
    slug: str
    headline: str
    standfirst: str = ""
    body: str = ""
    kind: str = "news"
    dateline: str = ""
    backstory: str = ""
    status: str = "draft"
    published_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None
    embargo_until: datetime.datetime | None = None
    embargo_by: str = ""
    embargo_note: str = ""
    authors: list[str] = field(default_factory=list)  # author slugs, in byline order
    tags: list[Tag] = field(default_factory=list)
    lead_image: str | None = None  # an image key
    quotes: list[Quote] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)  # in the order shown
    corrections: list[Correction] = field(default_factory=list)
    disclosures: list[Disclosure] = field(default_factory=list)
    disclosures_as_of: datetime.datetime | None = None
    recorded_disclosures: list[RecordedDisclosure] = field(default_factory=list)
    # The addresses it had on the site it came from (WordPress permalinks), sorted: each
    # answers 301 to its page here.
    old_addresses: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class PageRecord:
    """A page of standing content (/about/<slug>/): a WordPress page, imported when
    asked (import_articles --pages), with the addresses it had there."""

    type: ClassVar[str] = "page"
    slug: str
    title: str
    body: str = ""
    old_addresses: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class Skip:
    """A WordPress item with no place here (a page, a menu item): counted, not imported."""

    type: ClassVar[str] = "skip"
    reason: str


Record = Meta | OrganisationRecord | AuthorRecord | ImageRecord | ArticleRecord | PageRecord | Skip


def iso_datetime(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat()


def to_json(value: Any) -> Any:
    """A record (or any value in one) as the file has it: a dict with the record's `type`
    first, then its fields in their declared order; UNSET fields left out."""
    names = _field_names(type(value))
    if names is not None:
        kind = getattr(value, "type", None)
        out: dict[str, Any] = {} if kind is None else {"type": kind}
        for name in names:
            item = getattr(value, name)
            if item is not UNSET:
                out[name] = to_json(item)
        return out
    if isinstance(value, list):
        return [to_json(item) for item in value]
    if isinstance(value, datetime.datetime):
        return iso_datetime(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    """A record class's field names in order (worked out once a class: an export asks
    for every value it writes); None for any other type."""
    if cls not in _FIELD_NAMES:
        _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls)) if is_dataclass(cls) else None
    return _FIELD_NAMES[cls]


def shallow(value: Any) -> dict[str, Any]:
    """A record's fields as keyword arguments (nested records left as they are, where
    dataclasses.asdict would turn them into dicts too)."""
    return {each.name: getattr(value, each.name) for each in fields(value)}


def organisation_of(record: OrganisationRecord) -> Organisation:
    """The organisation an organisation record describes, without its register."""
    return Organisation(**{each.name: getattr(record, each.name) for each in fields(Organisation)})


# Lists that have no order of their own are sorted: the same content, the same record.


def sort_tags(tags: Iterable[Tag]) -> list[Tag]:
    return sorted(tags, key=lambda tag: tag.slug)


def sort_corrections(corrections: Iterable[Correction]) -> list[Correction]:
    # By the time as written, so that the order is the file's whatever the zone read.
    return sorted(corrections, key=lambda c: (iso_datetime(c.published_at), c.kind, c.text))


def sort_register(entries: Iterable[RegisterEntry]) -> list[RegisterEntry]:
    return sorted(entries, key=lambda d: (d.valid_from, d.kind, d.statement))


def sort_disclosures(disclosures: Iterable[Disclosure]) -> list[Disclosure]:
    return sorted(
        disclosures, key=lambda d: (d.valid_from, d.organisation.slug, d.kind, d.statement)
    )


def sort_interests(interests: Iterable[Interest]) -> list[Interest]:
    return sorted(interests, key=lambda i: (i.started_on, i.organisation.slug, i.kind, i.statement))
