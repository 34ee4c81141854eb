"""Identities are encrypted at rest, found by blind index, and revealed only on audit."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection

from crimebook.audit.models import AuditEntry
from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed
from crimebook.register import selectors
from crimebook.register import services as s
from crimebook.register.models import Person
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_identity_is_never_stored_or_audited_in_plaintext(compartment: Any) -> None:
    person = f.person(
        compartment, "Сяргей Іваноў", identifiers=("MP1234567",), contacts=("+375 29 000-11-22",)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM register_person")
        rows = repr(cursor.fetchall())
        cursor.execute("SELECT changes FROM audit_auditentry")
        audit = repr(cursor.fetchall())
    for secret in ("Сяргей", "Іваноў", "MP1234567", "000-11-22", "1990-05-01"):
        assert secret not in rows and secret not in audit
    assert person.full_name_enc.startswith("v1:k1:")
    assert "hmac-sha256:" in audit


def test_blind_index_finds_transliteration_variants(compartment: Any, investigator: Any) -> None:
    person = f.person(compartment, "Сяргей Іваноў", identifiers=("MP 1234567",))
    f.person(compartment, "Другі Чалавек")
    for query in ("Siarhei Ivanou", "IVANOU  siarhei", "Іваноў Сяргей"):
        assert list(selectors.persons_find_by_identity(investigator, name=query)) == [person]
    assert list(selectors.persons_find_by_identity(investigator, identifier="mp1234567")) == [
        person
    ]
    assert not selectors.persons_find_by_identity(investigator, name="Siarhei Petrou").exists()
    assert AuditEntry.objects.filter(action="identity_lookup").count() == 5


def test_reveal_requires_role_and_reason_and_is_audited(
    compartment: Any, investigator: Any, reader: Any, mallory: Any
) -> None:
    person = f.person(compartment, "Алена Тэставая", birth_date=date(1985, 2, 3))
    with pytest.raises(ValidationFailed):
        s.person_identity_reveal(actor=investigator, person=person, reason="")
    with pytest.raises(PermissionDenied):
        s.person_identity_reveal(actor=reader, person=person, reason="checking a duplicate")
    with pytest.raises(NotFound):
        s.person_identity_reveal(actor=mallory, person=person, reason="curious about this")
    identity = s.person_identity_reveal(
        actor=investigator, person=person, reason="prepare interview"
    )
    assert identity.full_name == "Алена Тэставая" and identity.birth_date == date(1985, 2, 3)
    entry = AuditEntry.objects.get(action="reveal_identity")
    assert entry.actor_name == "ivy" and entry.changes == {"reason": "prepare interview"}


def test_tampered_or_moved_ciphertext_is_refused(compartment: Any, investigator: Any) -> None:
    from crimebook.crypto import DecryptionError

    a = f.person(compartment, "Першы Чалавек")
    b = f.person(compartment, "Другі Чалавек")
    Person.objects.filter(pk=b.pk).update(full_name_enc=a.full_name_enc)  # copy A's name into B
    b.refresh_from_db()
    with pytest.raises(DecryptionError):
        s.person_identity_reveal(actor=investigator, person=b, reason="check the record")


def test_update_without_identity_keeps_it(compartment: Any, investigator: Any) -> None:
    person = f.person(compartment, "Алесь Тэставы")
    s.person_update(
        actor=investigator,
        person=person,
        data=s.PersonData(compartment_id=compartment.pk, is_witness=True),
    )
    person.refresh_from_db()
    assert person.is_witness and not person.is_victim
    assert (
        s.person_identity_reveal(
            actor=investigator, person=person, reason="verify update"
        ).full_name
        == "Алесь Тэставы"
    )


def test_implausible_birth_date_rejected(compartment: Any) -> None:
    with pytest.raises(ValidationFailed) as info:
        f.person(compartment, "Алесь", birth_date=date(1800, 1, 1))
    assert "birth_date" in info.value.errors
    assert Person.objects.count() == 0


def test_tampered_blind_index_finds_nothing_false(compartment: Any, investigator: Any) -> None:
    from crimebook.register.models import PersonIndex

    alice = f.person(compartment, "Аліна Першая")
    bob = f.person(compartment, "Барыс Другі")
    # an attacker points Alice's name digest at Bob's record
    alice_digest = PersonIndex.objects.get(person=alice, kind="name").digest
    PersonIndex.objects.filter(person=bob, kind="name").update(digest=alice_digest)
    found = list(selectors.persons_find_by_identity(investigator, name="Аліна Першая"))
    assert found == [alice]  # Bob's forged entry does not produce a hit
    assert not selectors.persons_find_by_identity(investigator, name="Барыс Другі").exists()
