"""The login backend: allauth's, with the signed-in user loaded by one statement.

Every signed-in request loads its user (``django.contrib.auth.get_user``) and nearly every
page then reads the compartments the user is a member of (``access.readable_compartment_ids``).
Through the ORM these were two queries, each costing more to build than to run (and on
PostgreSQL a round trip each). :meth:`StaffAuthenticationBackend.get_user` reads the user row
and the member compartments' ids in one ``SELECT`` by primary key; the row goes through the
ORM's converters for each column and ``Model.from_db``, as a queryset's rows do.

Nothing else changes: logging in is allauth's ``authenticate`` (after django-axes' lockout
check, the first backend), a deactivated account is refused (``user_can_authenticate``), and
Django still verifies the session's password hash against the row read here.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from django.db import connections, router

from crimebook.accounts.access import remember_readable
from crimebook.accounts.models import Membership, User

__all__ = ["StaffAuthenticationBackend"]

# the member compartments' ids as one comma-separated text, per database vendor
_AGGREGATE = {
    "sqlite": "group_concat({column}, ',')",
    "postgresql": "string_agg(CAST({column} AS text), ',')",
}
_SQL: dict[str, str] = {}


def _statement(vendor: str, quote: Any) -> str:
    """``SELECT <every user column>, (<member compartments>) FROM user WHERE id = %s``,
    built once per vendor (names from the models' metadata, no input)."""
    sql = _SQL.get(vendor)
    if sql is None:
        user, member = User._meta, Membership._meta
        table = quote(user.db_table)
        columns = ", ".join(f"{table}.{quote(f.column)}" for f in user.concrete_fields)
        compartment = quote(member.get_field("compartment").column)
        owner = quote(member.get_field("user").column)
        ids = _AGGREGATE[vendor].format(column=compartment)
        sql = _SQL[vendor] = (
            f"SELECT {columns}, (SELECT {ids} FROM {quote(member.db_table)} "  # noqa: S608 - names
            f"WHERE {owner} = {table}.{quote(user.pk.column)}) AS cb_readable "
            f"FROM {table} WHERE {table}.{quote(user.pk.column)} = %s"
        )
    return sql


def _converters(connection: Any) -> list[tuple[list[Any], Any]]:
    """Per user column, the converters the ORM applies to a value read from ``connection``
    (``SQLCompiler.get_converters``: the backend's, then the field's), and the column."""
    found = _CONVERTERS.get(connection.alias)
    if found is None:
        found = []
        for field in User._meta.concrete_fields:
            column = field.get_col(User._meta.db_table)
            found.append(
                (
                    connection.ops.get_db_converters(column) + column.get_db_converters(connection),
                    column,
                )
            )
        _CONVERTERS[connection.alias] = found
    return found


_CONVERTERS: dict[str, list[tuple[list[Any], Any]]] = {}
_ATTNAMES = [f.attname for f in User._meta.concrete_fields]


class StaffAuthenticationBackend(AuthenticationBackend):
    def get_user(self, user_id: Any) -> User | None:
        """The active user of this id with their member compartments' ids, or None."""
        connection = connections[router.db_for_read(User)]
        if connection.vendor not in _AGGREGATE:  # another database: the ORM's two reads
            return super().get_user(user_id)
        key = User._meta.pk.to_python(user_id)  # as the ORM's lookup would convert it
        with connection.cursor() as cursor:
            cursor.execute(_statement(connection.vendor, connection.ops.quote_name), [key])
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row[:-1])
        for i, (converters, column) in enumerate(_converters(connection)):
            for convert in converters:
                values[i] = convert(values[i], column, connection)
        user = User.from_db(connection.alias, _ATTNAMES, values)
        ids = row[-1]
        remember_readable(user, {int(i) for i in ids.split(",")} if ids else set())
        return user if self.user_can_authenticate(user) else None
