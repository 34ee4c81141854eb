"""``.values()`` statements of the map's layers compiled by the ORM once per process and
database, then run with a new view box: building and compiling a layer's queryset cost more
than running it (a third of a country-wide map answer).

A statement is compiled from the queryset its caller builds — from the same selectors, with
the reader's compartments — but with *marker* numbers in place of the varying float inputs
(the box, the cell size). Each marker is an unmistakable float (never a coordinate, a cell
size or a constant of these statements); the positions where the compiled parameters hold a
marker become slots, every other parameter stays as compiled. The caller's key must name
everything else the queryset depends on (the compartment ids, the dates, the limit): a
different reader or filter is a different statement. The statement is run through the
connection's cursor and its rows converted by the same converters as the ORM's
(``SQLCompiler.results_iter``), so the rows are the dicts ``.values()`` gives.

Nothing is cached when a marker does not appear among the parameters or the query is empty
(the caller then runs its queryset as before).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

__all__ = ["MARKERS", "values_rows"]

# Far outside every coordinate and cell size, not integers, distinct: a compiled parameter
# equal to one of them can only be that input.
MARKERS = tuple(1.0e9 + 0.5 + i for i in range(8))
MAX_STATEMENTS = 512  # keys include the compartment ids and dates: bounded, then forgotten


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple[Any, ...]  # as compiled, markers included
    slots: tuple[tuple[int, int], ...]  # (parameter position, input index)
    names: tuple[str, ...]  # the ``.values()`` keys, in column order
    columns: tuple[Any, ...]  # the selected expressions (for the converters)


_STATEMENTS: dict[tuple[Any, ...], Statement | None] = {}


def _compile(build: Callable[..., QuerySet[Any]], count: int) -> Statement | None:
    markers = MARKERS[:count]
    qs = build(*markers)
    query = qs.query
    compiler = query.get_compiler(connection=connection)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    slots = tuple(
        (pos, markers.index(p))
        for pos, p in enumerate(params)
        if type(p) is float and p in markers
    )  # fmt: skip
    if {index for _, index in slots} != set(range(count)):
        return None
    # as ``ValuesIterable`` names a row's values
    names = tuple(
        query.selected
        if query.selected
        else (*query.extra_select, *query.values_select, *query.annotation_select)
    )
    columns = tuple(s[0] for s in compiler.select[: compiler.col_count])
    if len(names) != len(columns):
        return None
    return Statement(sql, tuple(params), slots, names, columns)


def values_rows(
    key: tuple[Any, ...], build: Callable[..., QuerySet[Any]], values: Sequence[float]
) -> list[dict[str, Any]] | None:
    """The rows of ``build(*values)`` (a ``.values()`` queryset whose only varying inputs are
    the floats ``values``, everything else named by ``key``), from the statement compiled for
    ``key`` on this database; None when it cannot be compiled so (run the queryset)."""
    full_key = (connection.alias, connection.vendor, len(values), *key)
    if full_key in _STATEMENTS:
        statement = _STATEMENTS[full_key]
    else:
        if len(_STATEMENTS) >= MAX_STATEMENTS:
            _STATEMENTS.clear()
        statement = _STATEMENTS[full_key] = _compile(build, len(values))
    if statement is None:
        return None
    params = list(statement.params)
    for pos, index in statement.slots:
        params[pos] = values[index]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        rows = cursor.fetchall()
    ops = connection.ops
    converters = []
    for pos, column in enumerate(statement.columns):
        convs = ops.get_db_converters(column) + column.get_db_converters(connection)
        if convs:
            converters.append((pos, convs, column))
    names = statement.names
    out = []
    for raw in rows:
        row = list(raw)
        for pos, convs, column in converters:
            value = row[pos]
            for converter in convs:
                value = converter(value, column, connection)
            row[pos] = value
        out.append(dict(zip(names, row, strict=True)))
    return out
