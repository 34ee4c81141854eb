"""/staffing and /dismissals: what sources reported about a unit's headcount and its
dismissals, in a compartment. Created through the register's services; no change or
delete (a correction is a new record with its own source)."""

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
    UtcDatetime,
    caller,
    paginate,
    responses,
)
from crimebook.core.errors import NotFound
from crimebook.register.models import Dismissal, StaffingRecord
from crimebook.register.selectors import dismissals_for, staffing_for
from crimebook.register.services import dismissal_create, staffing_record_create

staffing_router = Router(tags=["staffing"])
dismissals_router = Router(tags=["dismissals"])


class StaffingIn(Input):
    compartment_id: int
    unit_id: int
    on: date = Field(..., description="The day the headcount refers to.")
    headcount: int = Field(..., ge=0, le=10_000_000)
    source_id: int = Field(..., description="A source in the same compartment.")
    as_reported: str = Field("", max_length=500, description="The source's own wording.")


class StaffingOut(Schema):
    id: int
    compartment_id: int
    unit_id: int
    on: date
    headcount: int
    as_reported: str
    source_id: int
    created_at: UtcDatetime


class DismissalIn(Input):
    compartment_id: int
    unit_id: int
    on: date
    count: int = Field(1, ge=1, le=10_000_000, description="Persons dismissed.")
    person_id: int | None = Field(None, description="The person, if one is known.")
    source_id: int


class DismissalOut(Schema):
    id: int
    compartment_id: int
    unit_id: int
    on: date
    count: int
    person_id: int | None
    source_id: int
    created_at: UtcDatetime


class UnitRecordQuery(Schema):
    unit_id: int | None = None
    compartment_id: int | None = None
    date_from: date | None = Field(None, description="On or after this day.")
    date_to: date | None = Field(None, description="On or before this day.")


def _filtered(qs: Any, f: UnitRecordQuery) -> Any:
    if f.compartment_id is not None:
        qs = qs.filter(compartment_id=f.compartment_id)
    if f.date_from is not None:
        qs = qs.filter(on__gte=f.date_from)
    if f.date_to is not None:
        qs = qs.filter(on__lte=f.date_to)
    return qs


def _one(qs: Any, pk: int, what: str) -> Any:
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound(what)
    return found


def staffing_create_from(request: HttpRequest, payload: StaffingIn) -> StaffingRecord:
    return staffing_record_create(actor=caller(request), **payload.model_dump())


def dismissal_create_from(request: HttpRequest, payload: DismissalIn) -> Dismissal:
    return dismissal_create(actor=caller(request), **payload.model_dump())


@staffing_router.get("", response=responses(Page[StaffingOut]), summary="List staffing records")
def list_staffing(
    request: HttpRequest, filters: Query[UnitRecordQuery], page: Query[PageParams]
) -> dict[str, Any]:
    found = staffing_for(caller(request), unit_id=filters.unit_id)
    return paginate(_filtered(found, filters), page)


@staffing_router.get(
    "/{staffing_id}", response=responses(StaffingOut), summary="Read a staffing record"
)
def get_staffing(request: HttpRequest, staffing_id: int) -> StaffingRecord:
    return _one(staffing_for(caller(request)), staffing_id, "staffing record")  # type: ignore[no-any-return]


@staffing_router.post("", response=responses(StaffingOut, 201), summary="Record a headcount")
def create_staffing(request: HttpRequest, payload: StaffingIn) -> Status[StaffingRecord]:
    return Status(201, staffing_create_from(request, payload))


@dismissals_router.get("", response=responses(Page[DismissalOut]), summary="List dismissals")
def list_dismissals(
    request: HttpRequest, filters: Query[UnitRecordQuery], page: Query[PageParams]
) -> dict[str, Any]:
    found = dismissals_for(caller(request), unit_id=filters.unit_id)
    return paginate(_filtered(found, filters), page)


@dismissals_router.get(
    "/{dismissal_id}", response=responses(DismissalOut), summary="Read a dismissal"
)
def get_dismissal(request: HttpRequest, dismissal_id: int) -> Dismissal:
    return _one(dismissals_for(caller(request)), dismissal_id, "dismissal")  # type: ignore[no-any-return]


@dismissals_router.post("", response=responses(DismissalOut, 201), summary="Record dismissals")
def create_dismissal(request: HttpRequest, payload: DismissalIn) -> Status[Dismissal]:
    return Status(201, dismissal_create_from(request, payload))


add_bulk_route(
    staffing_router, StaffingIn, StaffingOut,
    lambda user, item: staffing_record_create(actor=user, **item.model_dump()),
    "staffing records",
)  # fmt: skip
add_bulk_route(
    dismissals_router, DismissalIn, DismissalOut,
    lambda user, item: dismissal_create(actor=user, **item.model_dump()),
    "dismissals",
)  # fmt: skip
