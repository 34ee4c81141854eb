"""Fast inserts for bulk imports: ``executemany`` with ids reserved up front, converters
chosen once per column (Django's per-value ``get_db_prep_save`` dominated the profile).

Call only inside the import's transaction. Ids: PostgreSQL takes them from the table's
identity sequence (``nextval``, safe with concurrent writers); SQLite already holds the
database write lock (transactions are ``IMMEDIATE``), so the next ids after both the highest
row and ``sqlite_sequence`` are reserved for us (a deleted incident's id is never reused).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Any

from django.db import connection, models
from django.db.models import Model

Row = dict[str, Any]


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    if isinstance(field, models.DateTimeField):
        if connection.vendor == "sqlite":  # what Django stores: naive UTC text
            return lambda v: None if v is None else str(v.astimezone(UTC).replace(tzinfo=None))
        adapt = connection.ops.adapt_datetimefield_value
        return lambda v: None if v is None else adapt(v)
    if isinstance(field, models.UUIDField):
        if connection.vendor == "postgresql":
            return lambda v: v
        return lambda v: None if v is None else v.hex
    return lambda v: v


def reserve_ids(model: type[Model], count: int) -> list[int]:
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk.column, count],
            )
            return [int(r[0]) for r in cur.fetchall()]
        quoted = connection.ops.quote_name(table)
        column = connection.ops.quote_name(pk.column)
        sql = f"SELECT COALESCE(MAX({column}), 0) FROM {quoted}"  # noqa: S608 - model names
        cur.execute(sql)
        top = int(cur.fetchone()[0])
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        top = max(top, int(row[0]) if row else 0)
    return list(range(top + 1, top + 1 + count))


def insert(model: type[Model], rows: Sequence[Row]) -> None:
    """INSERT ``rows`` (column name → Python value, same columns in every row): ``COPY`` on
    PostgreSQL, ``executemany`` on SQLite."""
    if not rows:
        return
    fields = {f.column: f for f in model._meta.concrete_fields}
    columns = list(rows[0])
    convert = [_converter(fields[c]) for c in columns]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    params = [[conv(row[c]) for conv, c in zip(convert, columns, strict=True)] for row in rows]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            copy_sql = "COPY {} ({}) FROM STDIN".format(
                connection.ops.quote_name(model._meta.db_table),
                ", ".join(connection.ops.quote_name(c) for c in columns),
            )
            with cur.cursor.copy(copy_sql) as copy:  # psycopg 3: COPY is the bulk path
                for values in params:
                    copy.write_row(values)
        else:
            cur.executemany(sql, params)
