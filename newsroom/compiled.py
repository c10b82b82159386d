"""Querysets compiled to SQL once per database connection, run with fresh values.

Compiling a queryset (Django's SQL compiler) costs a small page's hot path more than
the database takes to plan and run it. A query whose shape never changes, only its
values (the moment of the request, the address's slug, a listing's topic), is written
as a queryset with a `Parameter` where each such value goes, compiled the first time a
connection runs it, and from then on run with each call's values. It runs through
Django's cursor, so it is routed (database routers), logged and counted like any other
query, and its results are the queryset's own: model instances (`objects`, with its
`only()` and `select_related()`), or the rows of a values_list queryset (`rows`, with a
limit and offset given at each run), their values converted as Django converts them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import DateTimeField, Expression, Field, Model, QuerySet

# What QuerySet.iterator() builds instances with; django-stubs leave them out.
from django.db.models.query import (  # type: ignore[attr-defined]
    ModelIterable,
    RelatedPopulator,
    get_related_populators,
)
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)
# The attribute of a connection object that holds what was compiled for it.
_KEPT_AS = "newsroom_compiled_queries"


class Parameter(Expression):
    """A value named here and given when the compiled query runs; `output_field`
    prepares it for the database as a lookup on that field would."""

    def __init__(self, name: str, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        # The parameter stands for itself until the query runs.
        return "%s", [self]


# The moment a query's visibility rule is evaluated at (each request's).
NOW = Parameter("now", DateTimeField())


@dataclasses.dataclass(frozen=True)
class _Instances:
    """What turns a row into a model instance (Django's ModelIterable, computed once)."""

    fields: slice
    init_list: list[str]
    populators: list[RelatedPopulator]


@dataclasses.dataclass(frozen=True)
class _Compiled:
    """One queryset compiled for one connection."""

    compiler: SQLCompiler
    sql: str
    params: tuple[Any, ...]
    # Each Parameter's field by name, and the places in `params` it fills: a value used
    # in several places (the moment) is prepared once a run.
    fields: dict[str, Field[Any, Any]]
    slots: tuple[tuple[int, str], ...]
    converters: dict[int, Any]
    # The selected columns a values row has (columns selected only to order by follow).
    columns: int
    sliced: bool
    # None for a values queryset: its rows are not instances.
    instances: _Instances | None


class CompiledQuery(Generic[M]):
    """The queryset `build()` returns (called once, at the first run: after the apps
    are loaded), compiled once per connection and run with the values of its
    Parameters."""

    def __init__(self, build: Callable[[], QuerySet[M, Any]]) -> None:
        self.build = build
        self._queryset: QuerySet[M, Any] | None = None

    def queryset(self) -> QuerySet[M, Any]:
        if self._queryset is None:
            self._queryset = self.build()
        return self._queryset

    def objects(self, **values: Any) -> list[M]:
        """The queryset's instances, its Parameters given by `values`."""
        connection = self._connection()
        compiled = self._compiled(connection)
        if compiled.instances is None:
            raise TypeError("A values queryset gives rows, not instances: call rows()")
        made = compiled.instances
        model = self.queryset().model
        found = []
        sql, params = self._statement(connection, compiled, None, 0, values)
        for row in self._fetch(connection, compiled, sql, params):
            instance = model.from_db(connection.alias, made.init_list, row[made.fields])
            for populator in made.populators:
                populator.populate(row, instance)
            found.append(instance)
        return found

    def rows(
        self, limit: int | None = None, offset: int = 0, **values: Any
    ) -> list[tuple[Any, ...]]:
        """The rows of a values_list queryset, its Parameters given by `values`: `limit`
        of them (all, if None) after `offset`."""
        connection = self._connection()
        compiled = self._compiled(connection)
        sql, params = self._statement(connection, compiled, limit, offset, values)
        rows = self._fetch(connection, compiled, sql, params)
        if len(rows) and len(rows[0]) > compiled.columns:
            return [row[: compiled.columns] for row in rows]
        return rows

    def statement(
        self, limit: int | None = None, offset: int = 0, **values: Any
    ) -> tuple[str, list[Any]]:
        """The SQL and parameters rows() runs for these arguments (to EXPLAIN it)."""
        connection = self._connection()
        return self._statement(connection, self._compiled(connection), limit, offset, values)

    def _connection(self) -> BaseDatabaseWrapper:
        return connections[router.db_for_read(self.queryset().model)]

    def _compiled(self, connection: BaseDatabaseWrapper) -> _Compiled:
        # Kept on the connection object: each thread has its own, and what was compiled
        # for it (which refers to it) goes when it goes.
        kept: dict[CompiledQuery[Any], _Compiled] = vars(connection).setdefault(_KEPT_AS, {})
        compiled = kept.get(self)
        if compiled is None:
            compiled = kept[self] = self._compile(connection)
        return compiled

    def _compile(self, connection: BaseDatabaseWrapper) -> _Compiled:
        # A copy each: compiling fills in parts of the query it compiles.
        queryset = self.queryset().all()
        query = queryset.query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        # Filled by as_sql: the selected columns, and which of them are the model's own.
        selected = [column[0] for column in compiler.select[: compiler.col_count]]
        instances = None
        # A values queryset has a klass_info too, but its rows are not instances.
        if (klass_info := compiler.klass_info) and queryset._iterable_class is ModelIterable:
            select_fields = klass_info["select_fields"]
            fields = slice(select_fields[0], select_fields[-1] + 1)
            instances = _Instances(
                fields=fields,
                init_list=[column[0].target.attname for column in compiler.select[fields]],
                populators=get_related_populators(klass_info, compiler.select, connection.alias),
            )
        return _Compiled(
            compiler=compiler,
            sql=sql,
            params=tuple(params),
            fields={p.name: p.output_field for p in params if isinstance(p, Parameter)},
            slots=tuple(
                (place, param.name)
                for place, param in enumerate(params)
                if isinstance(param, Parameter)
            ),
            converters=compiler.get_converters(selected),
            columns=len(selected),
            sliced=query.is_sliced,
            instances=instances,
        )

    @staticmethod
    def _statement(
        connection: BaseDatabaseWrapper,
        compiled: _Compiled,
        limit: int | None,
        offset: int,
        values: dict[str, Any],
    ) -> tuple[str, list[Any]]:
        """The compiled SQL with `limit` rows after `offset` (if given) and the
        parameters for these values."""
        if missing := compiled.fields.keys() - values.keys():
            raise TypeError(
                f"No value given for the query's parameter {', '.join(map(repr, sorted(missing)))}"
            )
        if unknown := values.keys() - compiled.fields.keys():
            raise TypeError(f"The query has no parameter {', '.join(map(repr, sorted(unknown)))}")
        sql = compiled.sql
        if limit is not None or offset:
            if compiled.sliced:
                raise TypeError("The queryset is sliced already: give no limit or offset")
            high = None if limit is None else offset + limit
            sql = f"{sql} {connection.ops.limit_offset_sql(offset, high)}"
        prepared = {
            name: field.get_db_prep_value(values[name], connection)
            for name, field in compiled.fields.items()
        }
        params = list(compiled.params)
        for place, name in compiled.slots:
            params[place] = prepared[name]
        return sql, params

    @staticmethod
    def _fetch(
        connection: BaseDatabaseWrapper, compiled: _Compiled, sql: str, params: list[Any]
    ) -> list[tuple[Any, ...]]:
        """The rows of the statement, converted."""
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            return [
                tuple(row) for row in compiled.compiler.apply_converters(rows, compiled.converters)
            ]
        return rows
