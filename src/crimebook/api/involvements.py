"""/involvements: an alleged perpetrator's graded part in an act, always with a basis."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from crimebook.api._bulk import add_bulk_route
from crimebook.api._common import (
    Input,
    Page,
    PageParams,
    UtcDatetime,
    caller,
    paginate,
    payload_dict,
    responses,
    to_data,
)
from crimebook.register.models import Involvement
from crimebook.register.selectors import involvements_for
from crimebook.register.services import InvolvementData, involvement_create

router = Router(tags=["involvements"])


class InvolvementIn(Input):
    act_id: int
    person_id: int = Field(..., description="A person in the act's compartment.")
    degree: str = Field(..., description="perpetrated, ordered, present or commanded.")
    confidence: str = Field("possible", description="possible, probable or confirmed.")
    basis_source_ids: list[int] = Field(
        [], description="Sources the hypothesis rests on (at least one)."
    )
    basis_note: str = ""


class InvolvementOut(Schema):
    id: int
    act_id: int
    person_id: int
    degree: str
    confidence: str
    basis_source_ids: list[int]
    basis_note: str
    analyst_id: int | None
    created_at: UtcDatetime

    @staticmethod
    def resolve_basis_source_ids(obj: Involvement) -> list[int]:
        return [s.pk for s in obj.basis.all()]


class InvolvementQuery(Schema):
    act_id: int | None = None
    person_id: int | None = None


@router.get("", response=responses(Page[InvolvementOut]), summary="List involvements")
def list_involvements(
    request: HttpRequest, filters: Query[InvolvementQuery], page: Query[PageParams]
) -> dict[str, Any]:
    found = involvements_for(caller(request), **filters.model_dump())
    return paginate(found, page, prefetch=("basis",))


@router.post("", response=responses(InvolvementOut, 201), summary="Record an involvement")
def create_involvement(request: HttpRequest, payload: InvolvementIn) -> Status[Involvement]:
    data = to_data(InvolvementData, payload_dict(payload))
    return Status(201, involvement_create(actor=caller(request), data=data))


add_bulk_route(
    router, InvolvementIn, InvolvementOut,
    lambda user, item: involvement_create(actor=user, data=to_data(InvolvementData, payload_dict(item))),
    "involvements",
)  # fmt: skip
