"""The backup archive: one tar.gz with the database's content, every media file and a
manifest, written and read as streams (a media file is never held in memory whole).

Members, in this order, so a reader can stream the archive from the start:

    data.jsonl     every row of every content model, one JSON object per line (Django's
                   jsonl serializer), without the search vectors, which a restore
                   rebuilds. Rows keep their primary keys; content types,
                   permissions, users and groups are named by natural keys, so the
                   archive loads into a database whose ids of those differ.
    media/<name>   each file of the media storage (default_storage: local folder or
                   S3-compatible bucket), under its storage name
    manifest.json  format and version, the app version, when, from which database
                   engine, the applied migrations, rows per model, and the size and
                   SHA-256 of every other member

The archive holds password hashes and unpublished articles: keep it as safe as the
database itself (it is written readable by its owner only).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import posixpath
import shutil
import tarfile
import tempfile
import tomllib
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import IO, Any, cast

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchVectorField
from django.core import serializers
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Serializer as JSONLSerializer
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from reversion.models import Revision

from articles.models import Article
from articles.search import refresh_search_vectors_later
from newsroom import page_cache

FORMAT = "newsroom-backup"
VERSION = 1
DATA = "data.jsonl"
MEDIA = "media/"
MANIFEST = "manifest.json"
CHUNK = 1 << 20
ROWS_PER_QUERY = 2000

# Not content: made by `migrate` for the code (content types, permissions), short-lived
# (sessions, login attempts and lockouts) or made from the content (the stored parts of
# article pages, rendered again on the next read). A restore logs everyone out.
EXCLUDED_APPS = frozenset({"contenttypes", "sessions", "axes"})
EXCLUDED_MODELS = frozenset({"auth.permission", "reader.storedarticle"})
CLEARED_TABLES = ("django_session", "reader_storedarticle")


class ArchiveError(Exception):
    """A problem with the archive or the database, said in one line."""


def content_models() -> list[type[models.Model]]:
    """Every model whose rows a backup holds, in an order that loads: a model named by
    natural key (users, groups) before the models that name it."""
    app_list = []
    for config in apps.get_app_configs():
        if config.label in EXCLUDED_APPS:
            continue
        chosen = [
            model
            for model in config.get_models()
            if model._meta.managed
            and not model._meta.proxy
            and model._meta.label_lower not in EXCLUDED_MODELS
        ]
        if chosen:
            app_list.append((config, chosen))
    return serializers.sort_dependencies(app_list, allow_cycles=True)


def tables_of(content: list[type[models.Model]]) -> list[str]:
    """The tables a restore empties: the models' own and their many-to-many tables."""
    tables = []
    for model in content:
        tables.append(model._meta.db_table)
        for m2m in model._meta.local_many_to_many:
            # A model once the app registry is ready (a string only while it loads).
            through = cast(type[models.Model], m2m.remote_field.through)
            if through._meta.auto_created:
                tables.append(through._meta.db_table)
    return [*tables, *CLEARED_TABLES]


def squashed_migrations() -> set[str]:
    """The names of the squashed migrations. Django records one as applied once it, or
    every migration it replaces, has run, and records those too: their names say the
    same, and a backup made before the squash lists only them."""
    replacements = MigrationLoader(None, ignore_no_migrations=True).replacements
    return {f"{app}.{name}" for app, name in replacements}


def applied_migrations() -> list[str]:
    return sorted(
        f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
    )


def app_version() -> str:
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as stream:
            return str(tomllib.load(stream)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def media_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file in the storage, through the storage API (local folder or bucket)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a local MEDIA_ROOT nothing was ever saved to
        return
    for name in sorted(files):
        yield posixpath.join(folder, name) if folder else name
    for sub in sorted(folders):
        yield from media_names(storage, posixpath.join(folder, sub) if folder else sub)


class Hashing:
    """A read-only stream that hashes and counts what passes through it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data

    # What storages ask of a stream before reading it (django-storages' S3 upload).
    closed = False

    def seekable(self) -> bool:
        return False

    def member(self) -> dict[str, Any]:
        return {"size": self.size, "sha256": self.sha256.hexdigest()}


@dataclass
class Contents:
    """What a backup holds, or would hold."""

    counts: dict[str, int]
    media: list[tuple[str, int]]

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def media_bytes(self) -> int:
        return sum(size for _, size in self.media)


def survey(storage: Storage = default_storage) -> Contents:
    counts = {m._meta.label_lower: m._default_manager.count() for m in content_models()}
    return Contents(counts, [(name, storage.size(name)) for name in media_names(storage)])


def natural_key_relations(model: type[models.Model]) -> list[str]:
    """Foreign keys the serializer writes as natural keys: join them instead of one query
    per row."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation and hasattr(f.related_model, "natural_key")
    ]


def write_backup(
    path: Path,
    *,
    storage: Storage = default_storage,
    on_item: Callable[[int], None],
    warn: Callable[[str], None],
) -> dict[str, Any]:
    """Write the archive beside `path` and rename it into place at the end: an error or
    Ctrl-C never leaves a half-written file under the real name. Returns the manifest."""
    if not path.parent.is_dir():
        raise ArchiveError(f"{path.parent}: no such folder.")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(handle)
    try:
        os.chmod(temporary, 0o600)
        with (
            tempfile.TemporaryFile(dir=path.parent) as data,
            tarfile.open(temporary, "w:gz", compresslevel=6) as archive,
        ):
            manifest = dump(data, on_rows=on_item)
            data.seek(0)
            add(archive, DATA, data, manifest)
            # After the rows, so every file a row names (saved before its row) is there.
            for name in media_names(storage):
                if not storage.exists(name):  # removed since the listing
                    warn(f"{name}: removed from storage during the backup, not included.")
                    continue
                with storage.open(name, "rb") as stream:
                    add(archive, MEDIA + name, stream, manifest, size=storage.size(name))
                on_item(1)
            body = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(manifest_time(manifest)), 0o600
            archive.addfile(info, io.BytesIO(body))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return manifest


def manifest_time(manifest: dict[str, Any]) -> float:
    return datetime.datetime.fromisoformat(manifest["created_at"]).timestamp()


def add(
    archive: tarfile.TarFile,
    name: str,
    stream: IO[bytes],
    manifest: dict[str, Any],
    *,
    size: int | None = None,
) -> None:
    if size is None:
        size = stream.seek(0, os.SEEK_END)
        stream.seek(0)
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(manifest_time(manifest)), 0o600
    reader = Hashing(stream)
    archive.addfile(info, reader)
    manifest["members"][name] = reader.member()
    if name.startswith(MEDIA):
        manifest["media"]["files"] += 1
        manifest["media"]["bytes"] += size


def dump(out: IO[bytes], *, on_rows: Callable[[int], None]) -> dict[str, Any]:
    """Every content row as JSON Lines, from one consistent snapshot of the database
    (REPEATABLE READ on PostgreSQL; SQLite's read transaction), and the manifest to go
    with it."""
    text = _TextOut(out)
    with transaction.atomic():
        # Only possible as the transaction's first statement, so not inside a test's.
        if connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "app_version": app_version(),
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": connection.vendor,
            "migrations": applied_migrations(),
            "counts": {},
            "media": {"files": 0, "bytes": 0},
            "members": {},
        }
        for model in content_models():
            rows = (
                model._default_manager.select_related(*natural_key_relations(model))
                .defer(*derived_fields(model))
                .order_by("pk")
                .iterator(chunk_size=ROWS_PER_QUERY)
            )
            counted = _Counted(rows, on_rows)
            # The serializer only writes to its stream and flushes it.
            RowSerializer().serialize(
                counted, stream=cast(IO[str], text), use_natural_foreign_keys=True, cls=ExactEncoder
            )
            manifest["counts"][model._meta.label_lower] = counted.count
    return manifest


def derived_fields(model: type[models.Model]) -> list[str]:
    """Fields computed from the row's other content, which a restore rebuilds: search
    vectors (refresh_search_vectors_later), the largest field of an article row."""
    return [f.name for f in model._meta.concrete_fields if isinstance(f, SearchVectorField)]


class RowSerializer(JSONLSerializer):
    """Django's JSON Lines, without the derived fields (left deferred, never read)."""

    def handle_field(self, obj: models.Model, field: models.Field) -> None:
        if not isinstance(field, SearchVectorField):
            super().handle_field(obj, field)


class ExactEncoder(DjangoJSONEncoder):
    """Times to the microsecond: Django's encoder keeps milliseconds only, so a restored
    row would not be the row backed up."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class _Counted:
    def __init__(self, rows: Iterator[models.Model], on_row: Callable[[int], None]) -> None:
        self.rows, self.on_row, self.count = rows, on_row, 0

    def __iter__(self) -> Iterator[models.Model]:
        for row in self.rows:
            self.count += 1
            self.on_row(1)
            yield row


class _TextOut:
    """The serializer writes text; the archive member is UTF-8 bytes."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text.encode())

    def flush(self) -> None:
        self.out.flush()


# Reading


@dataclass
class Checked:
    """An archive whose every member matched its manifest."""

    path: Path
    manifest: dict[str, Any]

    @property
    def contents(self) -> Contents:
        return manifest_contents(self.manifest)


def manifest_contents(manifest: dict[str, Any]) -> Contents:
    media = [
        (name.removeprefix(MEDIA), member["size"])
        for name, member in manifest["members"].items()
        if name.startswith(MEDIA)
    ]
    return Contents(dict(manifest["counts"]), media)


class _Position:
    """The raw (compressed) file, counting the bytes read, for progress."""

    def __init__(self, stream: IO[bytes], on_read: Callable[[int], None]) -> None:
        self.stream, self.on_read = stream, on_read

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.on_read(len(data))
        return data


DAMAGE = (tarfile.TarError, EOFError, zlib.error, OSError)


class _Guarded:
    """A member's stream: damage found while reading it is an ArchiveError."""

    def __init__(self, stream: IO[bytes], path: Path) -> None:
        self.stream, self.path = stream, path

    def read(self, size: int = -1) -> bytes:
        try:
            return self.stream.read(size)
        except DAMAGE as error:
            raise ArchiveError(f"{self.path}: truncated or corrupt archive ({error}).") from None

    def __iter__(self) -> Iterator[bytes]:
        # The jsonl deserializer reads line by line.
        while line := self._readline():
            yield line

    def _readline(self) -> bytes:
        try:
            return self.stream.readline()
        except DAMAGE as error:
            raise ArchiveError(f"{self.path}: truncated or corrupt archive ({error}).") from None


def _members(
    path: Path, on_read: Callable[[int], None]
) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    """The archive's members in order, as streams; damage becomes an ArchiveError."""
    try:
        raw = path.open("rb")
    except FileNotFoundError:
        raise ArchiveError(f"{path}: no such file.") from None
    except OSError as error:
        raise ArchiveError(f"{path}: cannot be read ({error.strerror}).") from None
    with raw:
        try:
            archive = tarfile.open(fileobj=_Position(raw, on_read), mode="r|gz")  # type: ignore[call-overload]  # noqa: SIM115 # closed below
        except DAMAGE:
            raise ArchiveError(f"{path}: not a backup archive (not a tar.gz file).") from None
        try:
            with archive:
                for member in archive:
                    _check_name(path, member)
                    stream = archive.extractfile(member)
                    assert stream is not None  # a regular file, checked above  # noqa: S101
                    # Its readers (the deserializer, storages) need only read and iteration.
                    yield member, cast(IO[bytes], _Guarded(stream, path))
        except DAMAGE as error:
            raise ArchiveError(f"{path}: truncated or corrupt archive ({error}).") from None


def _check_name(path: Path, member: tarfile.TarInfo) -> None:
    name = member.name
    parts = name.removeprefix(MEDIA).split("/")
    safe = (
        member.isfile()
        and (name in (DATA, MANIFEST) or name.startswith(MEDIA))
        and "\\" not in name
        and all(part not in ("", ".", "..") for part in parts)
    )
    if not safe:
        raise ArchiveError(f"{path}: unexpected member {name!r}; not a backup archive.")


def check_archive(path: Path, *, on_read: Callable[[int], None]) -> Checked:
    """Read the whole archive once: every member's size and SHA-256 must be the
    manifest's, and the manifest must be one this release can restore."""
    found: dict[str, dict[str, Any]] = {}
    manifest: dict[str, Any] | None = None
    for member, stream in _members(path, on_read):
        if member.name == MANIFEST:
            try:
                manifest = json.load(stream)
            except ValueError:
                raise ArchiveError(f"{path}: the manifest is not valid JSON.") from None
            continue
        reader = Hashing(stream)
        while reader.read(CHUNK):
            pass
        found[member.name] = reader.member()
    if not isinstance(manifest, dict):
        raise ArchiveError(f"{path}: no manifest; not a backup archive (or truncated).")
    if manifest.get("format") != FORMAT:
        raise ArchiveError(f"{path}: not a Newsroom backup (format {manifest.get('format')!r}).")
    version = manifest.get("version")
    if version != VERSION:
        raise ArchiveError(
            f"{path}: backup format version {version!r}; this release restores version {VERSION}"
            f" (made by Newsroom {manifest.get('app_version', 'unknown')})."
        )
    listed = manifest.get("members", {})
    for name in sorted(set(listed) | set(found)):
        if name not in found:
            raise ArchiveError(f"{path}: {name} is missing from the archive.")
        if name not in listed:
            raise ArchiveError(f"{path}: {name} is not in the manifest.")
        if found[name] != listed[name]:
            raise ArchiveError(
                f"{path}: {name} does not match its checksum; the archive is damaged."
            )
    if DATA not in found:
        raise ArchiveError(f"{path}: no {DATA}; not a backup archive.")
    return Checked(path, manifest)


def schema_difference(manifest: dict[str, Any]) -> str | None:
    """Why the database's migrations are not the backup's, or None when they are."""
    if "django_migrations" not in connection.introspection.table_names():
        return "the database has no tables yet: run `manage.py migrate` first"
    squashed = squashed_migrations()
    ours = set(applied_migrations()) - squashed
    theirs = set(manifest["migrations"]) - squashed
    if ours == theirs:
        return None
    parts = []
    if theirs - ours:
        parts.append(f"it lacks {_some(theirs - ours)} of the backup")
    if ours - theirs:
        parts.append(f"it has {_some(ours - theirs)} the backup lacks")
    return (
        f"the database's migrations differ from the backup's: {' and '.join(parts)}. Restore"
        " with the release that made the backup (or migrate the database to its state)"
    )


def _some(names: set[str]) -> str:
    shown = sorted(names)[:3]
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return ", ".join(shown) + more


SEED_MIGRATION = "articles.migrations.0001_squashed_0028_markdown_limits"


def existing_content() -> dict[tuple[str, str], int]:
    """What the database holds, as counted nouns and their exact counts (every article,
    the seeded story included), when it holds more than `migrate` makes: user accounts,
    articles other than the seeded story, revisions. Empty for a new or freshly migrated
    database."""
    seed_slug = import_module(SEED_MIGRATION).SLUG
    users = get_user_model()._default_manager.count()
    revisions = Revision.objects.count()
    if not (users or revisions or Article.objects.exclude(slug=seed_slug).exists()):
        return {}
    held = {
        ("%(count)s user account", "%(count)s user accounts"): users,
        ("%(count)s article", "%(count)s articles"): Article.objects.count(),
        ("%(count)s revision", "%(count)s revisions"): revisions,
    }
    return {nouns: count for nouns, count in held.items() if count}


@dataclass
class MediaWriter:
    """Writes media through the storage API and can take it all back: files it wrote
    are removed, files it replaced are put back as they were."""

    storage: Storage
    written: list[str] = field(default_factory=list)
    replaced: list[tuple[str, IO[bytes]]] = field(default_factory=list)
    unchanged: int = 0

    def write(self, name: str, stream: IO[bytes], expected: dict[str, Any]) -> None:
        try:
            self._write(name, Hashing(stream), expected)
        except OSError as error:
            raise ArchiveError(
                f"{name}: cannot be written to the media storage ({error})"
            ) from None

    def _write(self, name: str, reader: Hashing, expected: dict[str, Any]) -> None:
        if self.storage.exists(name):
            if self._digest(name) == expected["sha256"]:
                self.unchanged += 1
                while reader.read(CHUNK):
                    pass
                return
            self._set_aside(name)
        # Storages read the stream only (Hashing says it cannot seek).
        stored = self.storage.save(
            name, File(cast(IO[bytes], reader), name=posixpath.basename(name))
        )
        self.written.append(stored)
        if stored != name:
            raise ArchiveError(f"{name}: the storage stored it as {stored}")
        if reader.member() != expected:
            raise ArchiveError(f"{name}: changed while being restored; the archive is damaged")

    def _digest(self, name: str) -> str:
        with self.storage.open(name, "rb") as existing:
            reader = Hashing(existing)
            while reader.read(CHUNK):
                pass
        return reader.sha256.hexdigest()

    def _set_aside(self, name: str) -> None:
        copy = tempfile.TemporaryFile()  # noqa: SIM115 # closed by undo() or close()
        with self.storage.open(name, "rb") as existing:
            shutil.copyfileobj(existing, copy, CHUNK)
        self.replaced.append((name, copy))
        self.storage.delete(name)

    def undo(self) -> None:
        for name in reversed(self.written):
            self.storage.delete(name)
        for name, copy in self.replaced:
            copy.seek(0)
            if self.storage.exists(name):
                self.storage.delete(name)
            self.storage.save(name, File(copy, name=posixpath.basename(name)))
        self.close()

    def close(self) -> None:
        for _, copy in self.replaced:
            copy.close()
        self.replaced = []


def restore_archive(
    checked: Checked,
    *,
    storage: Storage = default_storage,
    on_read: Callable[[int], None],
) -> tuple[dict[str, int], MediaWriter]:
    """Empty the content tables and load the archive, in one transaction; write the media
    files. On any error the transaction rolls back and the media written are taken
    back. Returns the rows loaded per model and the media writer."""
    content = content_models()
    members = checked.manifest["members"]
    media = MediaWriter(storage)
    loaded: dict[str, int] = {}
    try:
        with transaction.atomic():
            # DELETE, not TRUNCATE: foreign keys are checked at the commit, in any order.
            with connection.cursor() as cursor:
                for table in tables_of(content):
                    statement = f"DELETE FROM {connection.ops.quote_name(table)}"  # noqa: S608 # a model's own table name
                    cursor.execute(statement)
            for member, stream in _members(checked.path, on_read):
                if member.name == DATA:
                    loaded = _load(stream)
                elif member.name.startswith(MEDIA):
                    media.write(member.name.removeprefix(MEDIA), stream, members[member.name])
            if loaded != {k: v for k, v in checked.manifest["counts"].items() if v}:
                raise ArchiveError(
                    f"{checked.path}: the rows loaded differ from the manifest's counts."
                )
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), content):
                    cursor.execute(statement)
            # Saved raw, the rows sent no signals' side effects: ask for them once.
            refresh_search_vectors_later(Article.objects.all())
            page_cache.content_changed()
    except BaseException:
        media.undo()
        raise
    media.close()
    return loaded, media


def _load(stream: IO[bytes]) -> dict[str, int]:
    """Save every object as loaddata does: raw (no save() logic, signals told so),
    foreign keys checked once everything is in."""
    loaded: dict[str, int] = {}
    deferred = []
    with connection.constraint_checks_disabled():
        objects = serializers.deserialize("jsonl", stream, handle_forward_references=True)
        try:
            for obj in objects:
                obj.save()
                label = obj.object._meta.label_lower
                loaded[label] = loaded.get(label, 0) + 1
                if obj.deferred_fields:
                    deferred.append(obj)
            for obj in deferred:
                obj.save_deferred_fields()
            connection.check_constraints()
        except (serializers.base.DeserializationError, DatabaseError) as error:
            first_line = str(error).strip().splitlines()[0]
            raise ArchiveError(f"cannot load the rows: {first_line}") from None
    return loaded
