"""The login backend: allauth's, with the signed-in user loaded by one statement.

Every signed-in request loads its user (``django.contrib.auth.get_user``) and nearly every
page then reads the compartments the user is a member of (``access.readable_compartment_ids``).
Through the ORM these were two queries, each costing more to build than to run (and on
PostgreSQL a round trip each). :meth:`StaffAuthenticationBackend.get_user` reads the user row
and the member compartments' ids in one ``SELECT`` by primary key.

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


class StaffAuthenticationBackend(AuthenticationBackend):
    def get_user(self, user_id: Any) -> User | None:
        """The active user of this id with their member compartments' ids, or None."""
        connection = connections[router.db_for_read(User)]
        if connection.vendor not in _AGGREGATE:  # another database: the ORM's two reads
            return super().get_user(user_id)
        sql = _statement(connection.vendor, connection.ops.quote_name)
        key = User._meta.pk.to_python(user_id)  # as the ORM's lookup would convert it
        found = list(User._default_manager.db_manager(connection.alias).raw(sql, [key]))
        if not found:
            return None
        user = found[0]
        ids = user.__dict__.pop("cb_readable", None)
        remember_readable(user, {int(i) for i in ids.split(",")} if ids else set())
        return user if self.user_can_authenticate(user) else None
