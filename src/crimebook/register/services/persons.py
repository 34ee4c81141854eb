"""Writes for persons. Identity is encrypted before it reaches the model and indexed blind;
revealing it is an explicit, audited act by a permitted role."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils.translation import gettext

from crimebook.accounts.access import can_reveal_identity, readable_compartment_ids
from crimebook.audit.services import Actor, audit_record, field_changes
from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed
from crimebook.core.keys import get_keyring
from crimebook.crypto import normalise_identifier, normalise_name
from crimebook.register.models import Person, PersonIndex
from crimebook.register.services._common import audited_save, clean, require_compartment_write

ROLE_FIELDS = ("is_victim", "is_witness", "is_insider", "is_perpetrator")
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_IDENTITY_CHARS = 2000


@dataclass(frozen=True)
class PersonIdentity:
    """Plaintext identity: exists only in memory, on its way in or on an audited reveal."""

    full_name: str = ""
    birth_date: date | None = None
    contacts: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.full_name or self.birth_date or self.contacts or self.identifiers)


@dataclass(frozen=True)
class PersonData:
    compartment_id: int
    is_victim: bool = False
    is_witness: bool = False
    is_insider: bool = False
    is_perpetrator: bool = False
    identity: PersonIdentity | None = field(default=None, repr=False)  # None: keep as is
    external_id: str | None = None


def _new_pseudonym() -> str:
    while True:
        code = "P-" + "".join(secrets.choice(_ALPHABET) for _ in range(7))
        if not Person.objects.filter(pseudonym=code).exists():
            return code


def _validate_identity(identity: PersonIdentity) -> None:
    total = len(identity.full_name) + sum(len(x) for x in identity.contacts + identity.identifiers)
    if total > MAX_IDENTITY_CHARS:
        raise ValidationFailed.single("full_name", gettext("Identity fields are too long."))
    if (
        identity.birth_date is not None
        and not date(1900, 1, 1) <= identity.birth_date <= date.today()
    ):
        raise ValidationFailed.single("birth_date", gettext("The birth date is not plausible."))


def person_index_digests(identity: PersonIdentity) -> set[tuple[str, str]]:
    """The (kind, digest) blind-index entries an identity should have."""
    keyring = get_keyring()
    rows: set[tuple[str, str]] = set()
    if identity.full_name.strip():
        rows.add(
            (PersonIndex.Kind.NAME, keyring.blind_index("name", normalise_name(identity.full_name)))
        )
    if identity.birth_date:
        rows.add(
            (
                PersonIndex.Kind.BIRTH_DATE,
                keyring.blind_index("birth_date", identity.birth_date.isoformat()),
            )
        )
    for value in identity.contacts:
        rows.add(
            (PersonIndex.Kind.CONTACT, keyring.blind_index("contact", normalise_identifier(value)))
        )
    for value in identity.identifiers:
        rows.add(
            (
                PersonIndex.Kind.IDENTIFIER,
                keyring.blind_index("identifier", normalise_identifier(value)),
            )
        )
    return rows


def _index_entries(person: Person, identity: PersonIdentity) -> list[PersonIndex]:
    return [
        PersonIndex(person=person, kind=k, digest=d)
        for k, d in sorted(person_index_digests(identity))
    ]


def _plain_fields(identity: PersonIdentity) -> dict[str, str]:
    return {
        "full_name": identity.full_name.strip(),
        "birth_date": identity.birth_date.isoformat() if identity.birth_date else "",
        "contacts": json.dumps(list(identity.contacts), ensure_ascii=False)
        if identity.contacts
        else "",
        "identifiers": json.dumps(list(identity.identifiers), ensure_ascii=False)
        if identity.identifiers
        else "",
    }


def _encrypt_into(person: Person, identity: PersonIdentity) -> dict[str, str]:
    keyring = get_keyring()
    plain = _plain_fields(identity)
    for name, value in plain.items():
        setattr(person, f"{name}_enc", keyring.encrypt(value, person.aad(name)) if value else "")
    return plain


def _apply_person(
    *, actor: Actor | None, person: Person, data: PersonData, creating: bool
) -> Person:
    require_compartment_write(actor, data.compartment_id)
    if not creating and person.compartment_id != data.compartment_id:
        require_compartment_write(actor, person.compartment_id)
    if data.identity is not None:
        _validate_identity(data.identity)
    before = None
    old_plain: dict[str, str] = {}
    if not creating:
        before = {
            name: getattr(person, name) for name in ("compartment", *ROLE_FIELDS, "external_id")
        }
        before["compartment"] = person.compartment_id
        if data.identity is not None:
            old_plain = _plain_fields(person_identity_decrypt(person))
    if creating:
        person.pseudonym = _new_pseudonym()
    person.compartment_id = data.compartment_id
    for name in ROLE_FIELDS:
        setattr(person, name, getattr(data, name))
    person.external_id = data.external_id or None
    new_plain = _encrypt_into(person, data.identity) if data.identity is not None else {}
    clean(person)
    identity_changes = field_changes(old_plain, new_plain, sensitive=new_plain.keys())
    with transaction.atomic():
        audited_save(
            actor=actor,
            instance=person,
            before=before,
            fields=("compartment", "pseudonym", *ROLE_FIELDS, "external_id"),
            extra_changes=identity_changes,
        )
        if data.identity is not None:
            PersonIndex.objects.filter(person=person).delete()
            PersonIndex.objects.bulk_create(_index_entries(person, data.identity))
    return person


def person_create(*, actor: Actor | None, data: PersonData) -> Person:
    return _apply_person(actor=actor, person=Person(), data=data, creating=True)


def person_update(*, actor: Actor | None, person: Person, data: PersonData) -> Person:
    return _apply_person(actor=actor, person=person, data=data, creating=False)


def person_identity_decrypt(person: Person) -> PersonIdentity:
    """Decrypt without auditing: for services that re-encrypt (update, key rotation) only."""
    keyring = get_keyring()

    def read(name: str) -> str:
        token = getattr(person, f"{name}_enc")
        return keyring.decrypt(token, person.aad(name)) if token else ""

    birth = read("birth_date")
    contacts = read("contacts")
    identifiers = read("identifiers")
    return PersonIdentity(
        full_name=read("full_name"),
        birth_date=date.fromisoformat(birth) if birth else None,
        contacts=tuple(json.loads(contacts)) if contacts else (),
        identifiers=tuple(json.loads(identifiers)) if identifiers else (),
    )


def person_identity_reveal(*, actor: Actor, person: Person, reason: str) -> PersonIdentity:
    """Show a person's identity to ``actor``: needs a permitted role and a reason; audited."""
    if person.compartment_id not in readable_compartment_ids(actor):
        raise NotFound("person")
    if not can_reveal_identity(actor, person.compartment_id):
        raise PermissionDenied(gettext("Your role does not allow revealing identities."))
    reason = reason.strip()
    if len(reason) < 5:
        raise ValidationFailed.single("reason", gettext("Say why you need to see this identity."))
    if len(reason) > 500:
        raise ValidationFailed.single("reason", gettext("Keep the reason under 500 characters."))
    identity = person_identity_decrypt(person)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="reveal_identity",
            object_type="register.person",
            object_id=person.pk,
            changes={"reason": reason},
        )
    return identity
