"""Querysets compiled to SQL once per database connection, run with fresh values.

Compiling a queryset (Django's SQL compiler) costs a small page's hot path more than
the database takes to plan and run it. A query whose shape never changes, only its
values (the moment of the request, the address's slug), is written as a queryset with
a `Parameter` where each such value goes, compiled the first time a connection runs
it, and from then on run with each call's values. It runs through Django's cursor, so
it is routed (database routers), logged and counted like any other query, and its rows
become model instances as the queryset's own would (its `only()`, `select_related()`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, Field, Model, QuerySet

# What QuerySet.iterator() builds instances with; django-stubs leave them out.
from django.db.models.query import (  # type: ignore[attr-defined]
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


@dataclasses.dataclass(frozen=True)
class _Compiled:
    """One queryset compiled for one connection, with what turns its rows into
    instances (Django's ModelIterable, computed once)."""

    compiler: SQLCompiler
    sql: str
    params: tuple[Any, ...]
    converters: dict[int, Any]
    fields: slice
    init_list: list[str]
    populators: list[RelatedPopulator]


class CompiledQuery(Generic[M]):
    """The queryset `build()` returns (called once, at the first run: after the apps
    are loaded), compiled once per connection and run with the values of its
    Parameters."""

    def __init__(self, build: Callable[[], QuerySet[M]]) -> None:
        self.build = build
        self._queryset: QuerySet[M] | None = None

    def _compile(self, connection: BaseDatabaseWrapper) -> _Compiled:
        # A copy each: compiling fills in parts of the query it compiles.
        compiler = self.queryset().all().query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        # Filled by as_sql: the selected columns, and which of them are the model's own.
        klass_info = compiler.klass_info or {}
        select_fields = klass_info["select_fields"]
        fields = slice(select_fields[0], select_fields[-1] + 1)
        return _Compiled(
            compiler=compiler,
            sql=sql,
            params=tuple(params),
            converters=compiler.get_converters([s[0] for s in compiler.select]),
            fields=fields,
            init_list=[column[0].target.attname for column in compiler.select[fields]],
            populators=get_related_populators(klass_info, compiler.select, connection.alias),
        )

    def queryset(self) -> QuerySet[M]:
        if self._queryset is None:
            self._queryset = self.build()
        return self._queryset

    def objects(self, **values: Any) -> list[M]:
        """The queryset's instances, its Parameters given by `values`."""
        model = self.queryset().model
        connection = connections[router.db_for_read(model)]
        # Kept on the connection object: each thread has its own, and what was compiled
        # for it (which refers to it) goes when it goes.
        kept: dict[CompiledQuery[Any], _Compiled] = vars(connection).setdefault(_KEPT_AS, {})
        compiled = kept.get(self)
        if compiled is None:
            compiled = kept[self] = self._compile(connection)
        try:
            params = [
                param.output_field.get_db_prep_value(values[param.name], connection)
                if isinstance(param, Parameter)
                else param
                for param in compiled.params
            ]
        except KeyError as missing:
            raise TypeError(f"No value given for the query's parameter {missing}") from None
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        found = []
        for row in rows:
            instance = model.from_db(connection.alias, compiled.init_list, row[compiled.fields])
            for populator in compiled.populators:
                populator.populate(row, instance)
            found.append(instance)
        return found
