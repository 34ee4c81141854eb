"""Appending to the audit log. Call inside the transaction of the write being audited."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol
from uuid import UUID

from django.db import connection, models, transaction
from django.utils import timezone

from crimebook.audit.chain import GENESIS, EntryContent, entry_hash
from crimebook.audit.models import AuditEntry
from crimebook.core.keys import get_keyring

__all__ = ["Actor", "audit_record", "field_changes", "snapshot"]

# A 64-bit key for PostgreSQL's advisory lock that serialises appends to the chain.
_PG_LOCK_KEY = 0x6372696D65626F6F  # "crimeboo"


class Actor(Protocol):
    """Who did it: a user (``pk``, ``username``) or the system (pk None)."""

    @property
    def pk(self) -> Any: ...

    def get_username(self) -> str: ...


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)  # exact and finite-safe in canonical JSON
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID | Enum):
        return str(value.value if isinstance(value, Enum) else value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values of a model instance, by attribute name (FKs as ids)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attr = getattr(field, "attname", name)
        out[name] = _jsonable(getattr(instance, attr))
    return out


def field_changes(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    sensitive: Iterable[str] = (),
) -> dict[str, Any]:
    """{field: [old, new]} for fields that differ; sensitive values become keyed digests."""
    secret = set(sensitive)
    keyring = get_keyring() if secret else None
    changes: dict[str, Any] = {}
    for name in sorted(set(before) | set(after)):
        old, new = _jsonable(before.get(name)), _jsonable(after.get(name))
        if old == new:
            continue
        if name in secret and keyring is not None:
            old = None if old in (None, "") else keyring.audit_digest(str(old))
            new = None if new in (None, "") else keyring.audit_digest(str(new))
        changes[name] = [old, new]
    return changes


def _now_ms() -> datetime:
    """Now, to the millisecond: every serialisation (JSON dumps, backups, APIs) keeps
    milliseconds, so the canonical form hashes the same after a round trip."""
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    # SQLite: settings use transaction_mode IMMEDIATE, so the write lock is already held.


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: object,
    changes: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry linked to the current head. Must run inside the write's transaction."""
    with transaction.atomic():
        _lock_chain()
        head = AuditEntry.objects.order_by("-seq").only("seq", "entry_hash").first()
        content = EntryContent(
            seq=(head.seq + 1) if head else 1,
            at=_now_ms(),
            actor_id=int(actor.pk) if actor is not None and actor.pk is not None else None,
            actor_name=actor.get_username() if actor is not None else "system",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            changes=_jsonable(dict(changes or {})),
            prev_hash=head.entry_hash if head else GENESIS,
        )
        return AuditEntry.objects.create(
            seq=content.seq,
            at=content.at,
            actor_id=content.actor_id,
            actor_name=content.actor_name,
            action=content.action,
            object_type=content.object_type,
            object_id=content.object_id,
            changes=content.changes,
            prev_hash=content.prev_hash,
            entry_hash=entry_hash(content),
        )
