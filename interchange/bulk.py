"""Bulk writes for the writer of import_articles (which seed_demo uses too): plain
INSERTs (COPY on PostgreSQL) with none of bulk_create's per-row SQL building. Like
bulk_create they send no signals: callers build search vectors and retire cached
pages themselves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from operator import attrgetter, itemgetter
from typing import Any

from django.contrib.postgres.search import SearchVectorField
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model, TextField
from django.db.models.expressions import RawSQL

from articles.models import Article
from articles.search import search_document

# The columns whose Python values a database driver does not take as they are: the
# others (text, numbers, booleans, foreign keys' ids) go to it unconverted.
CONVERTED = {"DateTimeField", "DateField", "TimeField", "UUIDField", "DecimalField", "JSONField"}


def write_objects(
    model: type[Model],
    objects: Iterable[Model],
    *,
    with_pk: bool = False,
    search_vectors: list[str] | None = None,
) -> None:
    """Write unsaved model instances in bulk: every column with its value as saving
    would take it (pre_save: the times set on save), and prepared for the database
    only where the driver does not take the Python value as it is (CONVERTED, as
    write_values), with none of bulk_create's per-row SQL building. Without `with_pk`
    the database assigns the primary keys; `search_vectors` go in the model's search
    vector column."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if (with_pk or not field.primary_key) and not isinstance(field, SearchVectorField)
    ]
    # The connection itself, not the thread-local proxy: it is asked once per value.
    database = connections[DEFAULT_DB_ALIAS]
    read = attrgetter(*(field.attname for field in fields))
    # Field.pre_save reads the attribute, as `read` does: only the fields that do more
    # (times set on save, files) are asked.
    saved = [
        (index, field)
        for index, field in enumerate(fields)
        if type(field).pre_save is not Field.pre_save
    ]
    converted = [
        (index, field)
        for index, field in enumerate(fields)
        if field.get_internal_type() in CONVERTED
    ]

    def values(obj: Model) -> list[object]:
        row = list(read(obj))
        for index, field in saved:
            row[index] = field.pre_save(obj, add=True)
        for index, field in converted:
            row[index] = field.get_db_prep_save(row[index], database)
        return row

    # Made as they are written: on PostgreSQL the server takes in the first rows while
    # the next are being made.
    rows: Iterable[Sequence[object]] = map(values, objects)
    columns = [field.column for field in fields]
    if search_vectors is not None:
        columns.append("search_vector")
        rows = ((*row, vector) for row, vector in zip(rows, search_vectors, strict=True))
    write_rows(model._meta.db_table, columns, rows)


def write_values(model: type[Model], rows: Iterable[Mapping[str, object]]) -> None:
    """Write rows given as {attname: value}; the database assigns the primary keys, and
    a column a row leaves out takes its field's default (taken once per call: a callable
    default gives every row the same value). For the many small rows that hang off an
    article (bylines, topics, quotes): no model instance is made for a row, and only
    the values of CONVERTED columns are prepared."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    database = connections[DEFAULT_DB_ALIAS]
    defaults = {field.attname: field.get_default() for field in fields}
    ordered = itemgetter(*(field.attname for field in fields))
    converted = [
        (index, field, PreparedOnce(field, database))
        for index, field in enumerate(fields)
        if field.get_internal_type() in CONVERTED
    ]

    def values(row: Mapping[str, object]) -> list[object]:
        out = list(ordered({**defaults, **row}))
        for index, _, prepare in converted:
            out[index] = prepare(out[index])
        return out

    write_rows(model._meta.db_table, [field.column for field in fields], map(values, rows))


class PreparedOnce:
    """A field's database value for a Python value, prepared again only when the value
    changes: consecutive rows often share one (the bylines and topics of an article
    carry its publication time)."""

    def __init__(self, field: Field[Any, Any], database: BaseDatabaseWrapper) -> None:
        self.field, self.database = field, database
        self.last: tuple[object, object] | None = None

    def __call__(self, value: object) -> object:
        if self.last is None or self.last[0] is not value:
            self.last = (value, self.field.get_db_prep_save(value, self.database))
        return self.last[1]


def write_rows(table: str, columns: list[str], rows: Iterable[Sequence[object]]) -> None:
    """Write plain tuples: COPY on PostgreSQL (the fastest way in), executemany elsewhere."""
    table = connection.ops.quote_name(table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        # Quoted model names and placeholders only: every value is a parameter. The rows
        # stream in: executemany takes any iterable, where the stubs ask a Sequence.
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)  # type: ignore[arg-type]  # noqa: S608


# The texts of a search document, in articles.search.search_document's order.
DOCUMENT = ["headline", "standfirst", "topics", "body", "quotes", "authors"]


def vectors_of(documents: Sequence[Sequence[str]]) -> list[str]:
    """PostgreSQL: the search vectors of these documents (six texts each, as
    articles.search.search_document takes them), in order, in one query, so that
    articles can be written with theirs."""
    query = Article.objects.all().query
    # The unnest() columns below, by their fixed names.
    texts = [
        RawSQL(f"document.{name}", [], output_field=TextField())  # noqa: S611
        for name in DOCUMENT
    ]
    vector, params = (
        search_document(*texts)
        .resolve_expression(query)
        .as_sql(query.get_compiler(connection=connection), connection)
    )
    arrays = ", ".join(["%s::text[]"] * len(DOCUMENT))
    connection.ensure_connection()
    # psycopg's own cursor: the texts go as bound parameters, not spelled into the SQL,
    # and with DEBUG on Django would keep every such statement (megabytes a batch).
    with connection.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {vector} FROM unnest({arrays}) WITH ORDINALITY "  # noqa: S608
            f"AS document({', '.join(DOCUMENT)}, number) ORDER BY number",
            [*params, *(list(texts) for texts in zip(*documents, strict=True))],
        )
        return [row[0] for row in cursor.fetchall()]


class VectorBuilder:
    """PostgreSQL: builds search vectors (vectors_of) on a connection of its own, in a
    thread, while this connection carries on: stemming the texts is most of the
    server's work in writing new articles, and it runs beside the making of the
    batch's other rows instead of before them. The other connection only computes:
    it reads and writes no table. close() ends the thread and its connection."""

    def __init__(self) -> None:
        self.pool: ThreadPoolExecutor | None = None

    def start(self, documents: Sequence[Sequence[str]]) -> Future[list[str]]:
        if self.pool is None:
            self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-vectors")
        return self.pool.submit(vectors_of, documents)

    def close(self) -> None:
        if self.pool is not None:
            # The thread's own connection is closed in that thread.
            self.pool.submit(connections.close_all).result()
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
