"""The register's write lock as seen by code that must not wait for it.

On SQLite one writer at a time holds the database's write lock, and a long write (an import
is one transaction) holds it until it commits; every other writer waits ``busy_timeout``
(settings: 15 s) and then fails with ``OperationalError: database is locked``. PostgreSQL
locks rows, not the database, so there this module changes nothing.

* :func:`lock_wait` — wait at most this long for the lock in the block (SQLite), for writes
  that may be skipped (a session's idle-clock touch) rather than hold a page for 15 s;
* :func:`is_lock_busy` — whether an exception (or what caused it) is that failure: the
  workspace's ``handler500`` (``web/views/errors.py``) and the API answer it with a 503 and
  ``Retry-After: RETRY_AFTER_SECONDS`` saying nothing was saved; the CLI with exit code 3.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

from django.db import OperationalError, connection

__all__ = ["RETRY_AFTER_SECONDS", "is_lock_busy", "lock_wait"]

# What a page or API answer refused for a busy lock asks the client to wait (Retry-After).
RETRY_AFTER_SECONDS = 30

_BUSY = ("database is locked", "database is busy", "database table is locked")


def is_lock_busy(exc: BaseException | None) -> bool:
    """True if ``exc``, or an exception it was raised from or during, is SQLite's lock timeout."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, (OperationalError, sqlite3.OperationalError)) and any(
            text in str(exc).lower() for text in _BUSY
        ):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


@contextlib.contextmanager
def lock_wait(seconds: float) -> Iterator[None]:
    """Within the block, a write waits at most ``seconds`` for SQLite's write lock."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        row = cursor.fetchone()
        before = int(row[0]) if row else 0
        cursor.execute(f"PRAGMA busy_timeout = {max(0, int(seconds * 1000))}")
    try:
        yield
    finally:
        if connection.connection is not None:  # the block may have closed a broken one
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {before}")
