"""/persons: pseudonym and roles. An identity leaves the API only through the audited
reveal (``POST /persons/{id}/reveal`` with a reason), for the roles that may see it; it
may be given on create, where it is encrypted at once and never echoed back."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from crimebook.api._bulk import add_bulk_route
from crimebook.api._common import (
    Input,
    Page,
    PageParams,
    caller,
    check_filters,
    paginate,
    responses,
)
from crimebook.register.models import Person
from crimebook.register.selectors import PERSON_ROLES, person_get_for, persons_for
from crimebook.register.services import (
    PersonData,
    PersonIdentity,
    person_create,
    person_identity_reveal,
)

router = Router(tags=["persons"])


class PersonOut(Schema):
    """Deliberately no identity fields: only the audited reveal shows who a person is."""

    id: int
    pseudonym: str
    compartment_id: int
    roles: list[str] = Field(..., description="victim, witness, insider, perpetrator.")


class PersonQuery(Schema):
    role: str = Field("", description="victim, witness, insider or perpetrator.")
    q: str = Field("", description="Part of a pseudonym.")


class IdentityIn(Input):
    full_name: str = Field("", max_length=500)
    birth_date: date | None = None
    contacts: list[str] = Field([], max_length=20)
    identifiers: list[str] = Field([], max_length=20)


class PersonIn(Input):
    compartment_id: int
    is_victim: bool = False
    is_witness: bool = False
    is_insider: bool = False
    is_perpetrator: bool = False
    identity: IdentityIn | None = Field(
        None, description="Encrypted on arrival; never returned except by the reveal."
    )
    external_id: str | None = Field(None, max_length=200)


class RevealIn(Input):
    reason: str = Field(..., description="Why you need to see this identity (audited).")


class IdentityOut(Schema):
    person_id: int
    full_name: str
    birth_date: date | None
    contacts: list[str]
    identifiers: list[str]


def person_data(payload: PersonIn) -> PersonData:
    identity = None
    if payload.identity is not None:
        given = payload.identity
        identity = PersonIdentity(
            full_name=given.full_name, birth_date=given.birth_date,
            contacts=tuple(given.contacts), identifiers=tuple(given.identifiers),
        )  # fmt: skip
    return PersonData(
        compartment_id=payload.compartment_id, is_victim=payload.is_victim,
        is_witness=payload.is_witness, is_insider=payload.is_insider,
        is_perpetrator=payload.is_perpetrator, identity=identity,
        external_id=payload.external_id,
    )  # fmt: skip


@router.get("", response=responses(Page[PersonOut]), summary="List persons (pseudonyms)")
def list_persons(
    request: HttpRequest, filters: Query[PersonQuery], page: Query[PageParams]
) -> dict[str, Any]:
    check_filters(filters, choices={"role": PERSON_ROLES})
    return paginate(persons_for(caller(request), **filters.model_dump()), page)


@router.get("/{person_id}", response=responses(PersonOut), summary="Read a person (pseudonym)")
def get_person(request: HttpRequest, person_id: int) -> Person:
    return person_get_for(caller(request), person_id)


@router.post("", response=responses(PersonOut, 201), summary="Create a person")
def create_person(request: HttpRequest, payload: PersonIn) -> Status[Person]:
    return Status(201, person_create(actor=caller(request), data=person_data(payload)))


@router.post(
    "/{person_id}/reveal",
    response=responses(IdentityOut),
    summary="Reveal a person's identity (permitted roles; audited with the reason)",
)
def reveal_person(request: HttpRequest, person_id: int, payload: RevealIn) -> dict[str, Any]:
    user = caller(request)
    person = person_get_for(user, person_id)
    identity = person_identity_reveal(actor=user, person=person, reason=payload.reason)
    return {
        "person_id": person.pk, "full_name": identity.full_name,
        "birth_date": identity.birth_date, "contacts": list(identity.contacts),
        "identifiers": list(identity.identifiers),
    }  # fmt: skip


add_bulk_route(
    router, PersonIn, PersonOut,
    lambda user, item: person_create(actor=user, data=person_data(item)),
    "persons",
)  # fmt: skip
