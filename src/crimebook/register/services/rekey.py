"""Re-encrypting every identity field under the active data key (``crimebook keys rotate``).

Rotation is resumable: the new key is written to the key file *before* any record changes
(old keys stay in the file), records are re-encrypted in batches of one transaction each, and
a rerun continues with whatever still carries an old key id. Nothing is readable only under a
key that is not in the file at any moment, so an interruption loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from crimebook.audit.services import audit_record
from crimebook.core.keys import get_keyring
from crimebook.register.models import Person
from crimebook.register.models.people import IDENTITY_FIELDS


@dataclass(frozen=True)
class RekeyProgress:
    done: int
    total: int


def _stale_filter(active: str) -> Q:
    prefix = f"v1:{active}:"
    cond = Q()
    for name in IDENTITY_FIELDS:
        column = f"{name}_enc"
        cond |= ~Q(**{column: ""}) & ~Q(**{f"{column}__startswith": prefix})
    return cond


def persons_needing_rekey() -> int:
    return Person.objects.filter(_stale_filter(get_keyring().active)).count()


def persons_rekey(
    *, batch: int = 500, progress: Callable[[RekeyProgress], None] | None = None
) -> int:
    """Re-encrypt every person whose identity is under an older key. Returns the count."""
    keyring = get_keyring()
    stale = _stale_filter(keyring.active)
    total = Person.objects.filter(stale).count()
    done = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(
                Person.objects.select_for_update()
                .filter(stale, pk__gt=last_pk)
                .order_by("pk")[:batch]
            )
            if not rows:
                break
            for person in rows:
                for name in IDENTITY_FIELDS:
                    token = getattr(person, f"{name}_enc")
                    if token and keyring.key_id_of(token) != keyring.active:
                        plain = keyring.decrypt(token, person.aad(name))
                        setattr(person, f"{name}_enc", keyring.encrypt(plain, person.aad(name)))
            Person.objects.bulk_update(rows, [f"{n}_enc" for n in IDENTITY_FIELDS])
            audit_record(
                actor=None,
                action="rekey",
                object_type="register.person",
                object_id=f"{rows[0].pk}-{rows[-1].pk}",
                changes={"count": len(rows), "key": keyring.active},
            )
            last_pk = rows[-1].pk
            done += len(rows)
        if progress is not None:
            progress(RekeyProgress(done, total))
    return done


def key_ids_in_use() -> set[str]:
    """Every data key id that some stored ciphertext still needs."""
    used: set[str] = set()
    keyring = get_keyring()
    for key_id in keyring.data_keys:
        prefix = f"v1:{key_id}:"
        cond = Q()
        for name in IDENTITY_FIELDS:
            cond |= Q(**{f"{name}_enc__startswith": prefix})
        if Person.objects.filter(cond).exists():
            used.add(key_id)
    return used
