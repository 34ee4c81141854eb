"""Shared, versioned cache of small reference data that nearly every workspace page reads
(vocabulary terms, the unit list, whether the demo compartment exists).

Values live in the shared Django cache (Redis, else files in the data directory), so every
process of a host sees one copy, under a key that includes a *version token* per group. A
write to a model of the group replaces the token (a ``post_save`` / ``post_delete`` receiver,
again when the transaction commits), so every process misses and reads the database afresh.
The second replacement at commit closes the race in which another process reads the old rows
while the write is still uncommitted and stores them under the new token.

Only data that is the same for every staff account may be cached here: anything that depends
on the user's compartments is computed per request. Writes that bypass the model signals
(``QuerySet.update``, raw SQL) must call :func:`invalidate` themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

PREFIX = "cb:ref"
TIMEOUT = 24 * 3600  # an entry is re-read at least once a day even with no write
_MISSING = object()


def _token_key(group: str) -> str:
    return f"{PREFIX}:{group}:version"


def _token(group: str) -> str:
    key = _token_key(group)
    token = cache.get(key)
    if token is None:  # first use, or evicted: a fresh token (never one used before)
        cache.add(key, uuid.uuid4().hex, None)
        token = cache.get(key)
    return str(token)


# Values also kept in this process by their versioned key (``kept=True``): the version token
# is still read from the shared cache on every call, so a write elsewhere is seen at once; the
# value itself is not read and unpickled again. Only for values no caller changes.
_KEPT: dict[str, Any] = {}
_KEPT_MAX = 64  # versions of a few values; forgotten all at once beyond


def get_or_compute(group: str, name: str, compute: Callable[[], T], *, kept: bool = False) -> T:
    """The cached value ``name`` of ``group``, computed (and stored) when missing. With
    ``kept`` the value is shared by every caller of this process: callers must not change it."""
    key = f"{PREFIX}:{group}:{_token(group)}:{name}"
    if kept and key in _KEPT:
        return _KEPT[key]  # type: ignore[no-any-return]
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, TIMEOUT)
    if kept:
        if len(_KEPT) >= _KEPT_MAX:
            _KEPT.clear()
        _KEPT[key] = value
    return value  # type: ignore[no-any-return]


def _replace_token(group: str) -> None:
    cache.set(_token_key(group), uuid.uuid4().hex, None)


_AT_COMMIT: dict[str, Callable[[], None]] = {}


def _at_commit(group: str) -> Callable[[], None]:
    callback = _AT_COMMIT.get(group)
    if callback is None:

        def callback() -> None:
            _replace_token(group)

        _AT_COMMIT[group] = callback
    return callback


def invalidate(group: str) -> None:
    """Forget every cached value of ``group`` now and, inside a transaction, again when it
    commits — once per transaction however many rows it writes (an import of a thousand
    units schedules one replacement, not a thousand)."""
    _replace_token(group)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    callback = _at_commit(group)
    # pending callbacks are (savepoint ids, function, robust); one rolled back with its
    # savepoint is gone from the list, so a later write schedules it again
    if not any(entry[1] is callback for entry in connection.run_on_commit):
        transaction.on_commit(callback)


def invalidating_receiver(group: str) -> Callable[..., None]:
    """A signal receiver that invalidates ``group`` (connect it with ``weak=False``)."""

    def receiver(sender: Any, **kwargs: Any) -> None:
        invalidate(group)

    return receiver
