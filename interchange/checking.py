"""The check pass: every record against the others and the database (references,
duplicate keys), every problem collected before anything is written."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from articles.models import Article
from authors.models import Author
from interchange.items import BadRecord, Item
from interchange.records import normalize, record_key, references, shared_entries
from interchange.schema import ArticleRecord, PageRecord, Record, Skip, to_json
from pictures.models import Image

_QUERY_CHUNK = 500


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
            CREATE TABLE address (path TEXT PRIMARY KEY, key TEXT) WITHOUT ROWID;
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
        self.db.execute("INSERT OR REPLACE INTO slug VALUES (?, ?, ?)", (slug, key, place))

    def claim_address(self, path: str, key: str) -> bool:
        """True when the old address is this article's (no other article claimed it first)."""
        self.db.execute("INSERT OR IGNORE INTO address VALUES (?, ?)", (path, key))
        owner = self.db.execute("SELECT key FROM address WHERE path = ?", (path,)).fetchone()
        return bool(owner[0] == key)

    def replace_record(self, kind: str, key: str, digest: bytes, place: str) -> None:
        query = "UPDATE record SET digest = ?, place = ? WHERE kind = ? AND key = ?"
        self.db.execute(query, (digest, place, kind, key))

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
    # What the report says of records imported otherwise than exactly as they were.
    warnings: list[Problem] = field(default_factory=list)
    records: int = 0  # authors, images and articles, readable or not
    skipped: Counter[str] = field(default_factory=Counter)  # WordPress items, by why
    # WordPress's own rules (set for a WordPress export): a slug another post has gets a
    # suffix, as WordPress gives one; a post (or attachment) exported twice, differently,
    # is taken from its later copy.
    wordpress: bool = False
    # Records the write pass leaves out: a copy of one written from another place (the
    # same record again, or an earlier copy a different later one supersedes).
    left_out: set[str] = field(default_factory=set)
    # where -> the fields an article gets instead of its own (a renamed slug, the old
    # addresses left to the article that claimed them first).
    adjusted: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: KeyIndex = field(default_factory=KeyIndex)
    slug_batch: list[tuple[tuple[int, int], str, str, str, bool]] = field(default_factory=list)
    shared: dict[tuple[str, str, str], tuple[object, str]] = field(default_factory=dict)

    def fail(self, order: tuple[int, int], where: str, reason: str) -> None:
        if where not in self.bad:
            self.bad.add(where)
            self.problems.append(Problem(order, where, reason))

    def warn(self, order: tuple[int, int], where: str, text: str) -> None:
        self.warnings.append(Problem(order, where, text))

    def check(self, order: tuple[int, int], where: str, item: Item, media_dir: Path) -> None:
        kind = item.record.get("type") if isinstance(item.record, dict) else None
        self.records += kind not in ("meta", "skip")
        notes: list[str] = []
        try:
            if isinstance(item.record, BadRecord):
                raise item.record
            record = normalize(item.record, media_dir, notes=notes)
        except BadRecord as error:
            self.fail(order, where, str(error))
            return
        if isinstance(record, Skip):
            self.skipped[record.reason] += 1
        # A record normalize() takes has a type.
        if kind is None or kind in ("meta", "skip"):
            return
        key = record_key(record)
        # A fingerprint to tell a repeated record from a different one, not security.
        canonical = json.dumps(to_json(record), sort_keys=True)
        digest = hashlib.sha1(canonical.encode()).digest()  # noqa: S324
        seen = self.keys.record(kind, key)
        slug = ""
        if isinstance(record, ArticleRecord):
            slug = self.article_slug(order, where, record.slug, key, seen, digest)
            if not slug:
                return
        if seen is not None and not self.repeated(order, where, f"{kind} {key!r}", seen, digest):
            return
        if reason := self.check_shared(record, where):
            self.fail(order, where, reason)
            return
        self.claim(order, where, record, key, slug)
        for ref_kind, ref_key in references(record):
            if self.keys.record(ref_kind, ref_key) is None:
                self.keys.add_reference(order, where, ref_kind, ref_key)
        if seen is None:
            self.keys.add_record(kind, key, digest, where)
        else:
            self.keys.replace_record(kind, key, digest, where)
        for text in (*item.notes, *notes):
            self.warn(order, where, text)

    def claim(
        self, order: tuple[int, int], where: str, record: Record, key: str, slug: str
    ) -> None:
        """What an article or page takes that no other may: its old addresses, and an
        article its slug (checked against the database in batches)."""
        if isinstance(record, ArticleRecord | PageRecord):
            self.claim_addresses(where, record, key)
        if isinstance(record, ArticleRecord):
            self.keys.add_slug(slug, key, where)
            self.slug_batch.append((order, where, slug, key, self.wordpress))
            if len(self.slug_batch) >= _QUERY_CHUNK:
                self.check_slugs_against_database()

    def article_slug(
        self,
        order: tuple[int, int],
        where: str,
        slug: str,
        key: str,
        seen: tuple[bytes, str] | None,
        digest: bytes,
    ) -> str:
        """The slug the article gets ("" when the slug is a problem): another article's
        slug is refused, or, under WordPress's rules, given a suffix."""
        earlier = self.keys.slug(slug)
        same = seen is not None and seen[0] == digest
        if earlier is None or (earlier[0] == key and (self.wordpress or same)):
            return slug
        if self.wordpress:
            return self.rename(order, where, slug, key, f"also at {earlier[1]}")
        self.fail(order, where, f"duplicate slug {slug!r}: also at {earlier[1]}")
        return ""

    def repeated(
        self, order: tuple[int, int], where: str, what: str, seen: tuple[bytes, str], digest: bytes
    ) -> bool:
        """A record whose key was read before: True when this copy is to be taken (under
        WordPress's rules, a later copy that differs supersedes the earlier)."""
        earlier_digest, earlier = seen
        if earlier_digest == digest:
            self.left_out.add(where)  # written once, from the first copy
            return False
        if not self.wordpress:
            self.fail(order, where, f"{what} is also at {earlier}, differently")
            return False
        self.left_out.add(earlier)
        self.warn(
            order,
            where,
            f"{what} is also at {earlier}, differently (exported twice): "
            "this later copy is imported",
        )
        return True

    def claim_addresses(self, where: str, record: ArticleRecord | PageRecord, key: str) -> None:
        """An old address answers for one article or page: the first in the files to
        claim it."""
        owner = f"{record.type} {key}"
        mine = [path for path in record.old_addresses if self.keys.claim_address(path, owner)]
        if mine != record.old_addresses:
            self.adjusted.setdefault(where, {})["old_addresses"] = mine

    def rename(self, order: tuple[int, int], where: str, slug: str, key: str, why: str) -> str:
        """The slug with the first suffix (-2, -3...) that no other article has, in the
        files or the database, as WordPress makes one; said in the report."""
        number = 2
        while True:
            candidate = f"{slug[:190]}-{number}"
            taken_here = self.keys.slug(candidate)
            if (taken_here is None or taken_here[0] == key) and not Article.objects.filter(
                slug=candidate
            ).exclude(uid=key).exists():
                break
            number += 1
        self.adjusted.setdefault(where, {})["slug"] = candidate
        self.keys.add_slug(candidate, key, where)
        self.warn(order, where, f"the slug {slug!r} is taken ({why}): imported as {candidate!r}")
        return candidate

    def check_shared(self, record: Record, where: str) -> str | None:
        """Speakers and organisations travel inside articles and authors' interests (and
        organisations have records of their own): the copies of one may give different
        fields but must not disagree on any, and two of them cannot claim one author or
        one topic."""
        found: list[tuple[tuple[str, str, str], object, str]] = []
        for kind, shared in shared_entries(record):
            entry = to_json(shared)
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
            Article.objects.filter(slug__in=[slug for _, _, slug, _, _ in batch]).values_list(
                "slug", "uid"
            )
        )
        for order, where, slug, uid, wordpress in batch:
            if slug not in taken or str(taken[slug]) == uid:
                continue
            if wordpress:
                self.rename(order, where, slug, uid, "another article here has it")
            else:
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
        self.warnings.sort()
        self.keys.close()
