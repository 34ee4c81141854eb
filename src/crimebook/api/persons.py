"""/persons: read-only, pseudonym and roles only. Identity never leaves through the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from crimebook.api._common import Page, PageParams, caller, paginate, responses
from crimebook.register.models import Person
from crimebook.register.selectors import person_get_for, persons_for

router = Router(tags=["persons"])


class PersonOut(Schema):
    """Deliberately no identity fields: the API cannot reveal who a person is."""

    id: int
    pseudonym: str
    compartment_id: int
    roles: list[str] = Field(..., description="victim, witness, insider, perpetrator.")


class PersonQuery(Schema):
    role: str = Field("", description="victim, witness, insider or perpetrator.")
    q: str = Field("", description="Part of a pseudonym.")


@router.get("", response=responses(Page[PersonOut]), summary="List persons (pseudonyms)")
def list_persons(
    request: HttpRequest, filters: Query[PersonQuery], page: Query[PageParams]
) -> dict[str, Any]:
    return paginate(persons_for(caller(request), **filters.model_dump()), page)


@router.get("/{person_id}", response=responses(PersonOut), summary="Read a person (pseudonym)")
def get_person(request: HttpRequest, person_id: int) -> Person:
    return person_get_for(caller(request), person_id)
