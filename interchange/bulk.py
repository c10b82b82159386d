"""Bulk writes for the commands that write many rows (seed_demo, import_articles):
plain INSERTs (COPY on PostgreSQL) with none of bulk_create's per-row SQL building.
Like bulk_create they send no signals: callers build search vectors and retire cached
pages themselves."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.search import SearchVectorField
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model


def write_objects(
    model: type[Model],
    objects: Iterable[Model],
    *,
    with_pk: bool = False,
    search_vectors: list[str] | None = None,
) -> None:
    """Write unsaved model instances in bulk: every column with the value bulk_create
    would send, minus its per-row SQL building. Without `with_pk` the database assigns
    the primary keys; `search_vectors` go in the model's search vector column."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if (with_pk or not field.primary_key) and not isinstance(field, SearchVectorField)
    ]
    # The connection itself, not the thread-local proxy: it is asked once per value.
    database = connections[DEFAULT_DB_ALIAS]
    # Made as they are written: on PostgreSQL the server takes in the first rows while
    # the next are being made.
    rows: Iterable[tuple[object, ...]] = (
        tuple(field.get_db_prep_save(field.pre_save(obj, add=True), database) for field in fields)
        for obj in objects
    )
    columns = [field.column for field in fields]
    if search_vectors is not None:
        columns.append("search_vector")
        rows = ((*row, vector) for row, vector in zip(rows, search_vectors, strict=True))
    write_rows(model._meta.db_table, columns, rows)


def write_rows(table: str, columns: list[str], rows: Iterable[tuple[object, ...]]) -> None:
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
