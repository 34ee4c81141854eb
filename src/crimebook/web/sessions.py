"""The workspace's session store: Django's database sessions, read by one plain statement.

Every signed-in request loads its session before anything else. Django's store builds an ORM
query for it each time (``Session.objects.get(session_key=…, expire_date__gt=now)``), which
cost about as much CPU as the rest of the fixed per-request work together; the statement
itself takes a few microseconds. This store runs the same ``SELECT`` directly — the same
rule (the key, not expired: an expired or unknown session is empty and its key dropped, as
before) — and inherits everything else (save, create, delete, ``clearsessions``) unchanged.

A save that only moves the idle clock (``touch_only``, set by ``IdleSessionMiddleware`` for
an unchanged session) must not hold a page for the register's write lock: on SQLite a long
import holds it for minutes, and Django's save would wait ``busy_timeout`` (15 s) and then
answer 400 (``SessionInterrupted``). Such a save waits at most ``TOUCH_WAIT_SECONDS`` and is
skipped if the lock is busy: the session stays valid until its stored expiry, and the next
request touches it again. Any other save (login, logout, messages) is Django's, unchanged.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

from crimebook.core.writelock import is_lock_busy, lock_wait

__all__ = ["TOUCH_WAIT_SECONDS", "SessionStore"]

logger = logging.getLogger(__name__)
TOUCH_WAIT_SECONDS = 0.25


class SessionStore(DatabaseSessionStore):
    touch_only = False  # this save only moves the idle clock (IdleSessionMiddleware)

    def save(self, must_create: bool = False) -> None:
        if not self.touch_only or must_create or self.session_key is None:
            super().save(must_create)
            return
        try:
            with lock_wait(TOUCH_WAIT_SECONDS):
                super().save(must_create)
        except UpdateError as exc:
            if not is_lock_busy(exc):
                raise
            logger.info("session touch skipped: the database's write lock is busy")

    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if key is None:  # what the ORM read found for no key: nothing
            return None
        model = self.model
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        sql = (
            f"SELECT {quote('session_data')} FROM {quote(model._meta.db_table)} "  # noqa: S608 - names
            f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        # load() reads session_data only; the expiry was checked by the statement
        return model(session_key=key, session_data=row[0])
