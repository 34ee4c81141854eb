"""/units: security-force units (shared reference data) and their hierarchy over time."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from crimebook.api._bulk import add_bulk_route
from crimebook.api._common import (
    Input,
    Page,
    PageParams,
    Patch,
    UtcDatetime,
    caller,
    check_filters,
    paginate,
    payload_dict,
    responses,
    to_data,
)
from crimebook.core.errors import NotFound, ValidationFailed
from crimebook.register.models import Unit, UnitRelation
from crimebook.register.selectors import unit_children, unit_get_for, unit_parents, units_for
from crimebook.register.services import (
    UnitData,
    unit_create,
    unit_parent_add,
    unit_parent_end,
    unit_update,
)

router = Router(tags=["units"])


class UnitIn(Input):
    code: str = Field(..., description="A unique slug, e.g. 'omon-minsk'.")
    name: str
    unit_type: str = Field(..., description="A code of the unit_type vocabulary.")
    name_ru: str = ""
    name_be: str = ""
    valid_from: date | None = Field(None, description="The unit existed from this day.")
    valid_to: date | None = Field(None, description="The unit existed until this day.")
    latitude: float | None = None
    longitude: float | None = None


class UnitOut(Schema):
    id: int
    code: str
    name: str
    name_ru: str
    name_be: str
    unit_type: str
    valid_from: date | None
    valid_to: date | None
    latitude: float | None
    longitude: float | None
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @staticmethod
    def resolve_unit_type(obj: Unit) -> str:
        return obj.unit_type.code


class UnitQuery(Schema):
    q: str = Field("", description="Text in a name or the code.")
    unit_type: str = ""


class ParentIn(Input):
    parent_id: int
    valid_from: date | None = None
    valid_to: date | None = None


class ParentEndIn(Input):
    valid_to: date


class RelationOut(Schema):
    id: int
    child_id: int
    parent_id: int
    valid_from: date | None
    valid_to: date | None


def data_of(unit: Unit) -> UnitData:
    return UnitData(
        code=unit.code, name=unit.name, unit_type=unit.unit_type.code, name_ru=unit.name_ru,
        name_be=unit.name_be, valid_from=unit.valid_from, valid_to=unit.valid_to,
        latitude=unit.latitude, longitude=unit.longitude,
    )  # fmt: skip


@router.get("", response=responses(Page[UnitOut]), summary="List units")
def list_units(
    request: HttpRequest, filters: Query[UnitQuery], page: Query[PageParams]
) -> dict[str, Any]:
    check_filters(filters, terms={"unit_type": "unit_type"})
    return paginate(units_for(caller(request), **filters.model_dump()), page)


@router.get("/{unit_id}", response=responses(UnitOut), summary="Read a unit")
def get_unit(request: HttpRequest, unit_id: int) -> Unit:
    return unit_get_for(caller(request), unit_id)


@router.post("", response=responses(UnitOut, 201), summary="Create a unit")
def create_unit(request: HttpRequest, payload: UnitIn) -> Status[Unit]:
    return Status(
        201, unit_create(actor=caller(request), data=to_data(UnitData, payload_dict(payload)))
    )


@router.patch("/{unit_id}", response=responses(UnitOut), summary="Change a unit")
def patch_unit(request: HttpRequest, unit_id: int, payload: Patch[UnitIn]) -> Unit:
    user = caller(request)
    unit = unit_get_for(user, unit_id)
    return unit_update(actor=user, unit=unit, data=to_data(UnitData, payload, base=data_of(unit)))


@router.get("/{unit_id}/parents", response=responses(list[RelationOut]), summary="Parent links")
def list_parents(request: HttpRequest, unit_id: int) -> list[UnitRelation]:
    return list(unit_parents(unit_get_for(caller(request), unit_id)))


@router.get("/{unit_id}/children", response=responses(list[RelationOut]), summary="Child links")
def list_children(request: HttpRequest, unit_id: int) -> list[UnitRelation]:
    return list(unit_children(unit_get_for(caller(request), unit_id)))


@router.post(
    "/{unit_id}/parents", response=responses(RelationOut, 201), summary="Subordinate to a parent"
)
def add_parent(request: HttpRequest, unit_id: int, payload: ParentIn) -> Status[UnitRelation]:
    user = caller(request)
    child = unit_get_for(user, unit_id)
    try:
        parent = unit_get_for(user, payload.parent_id)
    except NotFound:
        raise ValidationFailed.single(
            "parent_id", gettext("No unit with id %(id)s.") % {"id": payload.parent_id}
        ) from None
    relation = unit_parent_add(
        actor=user, child=child, parent=parent,
        valid_from=payload.valid_from, valid_to=payload.valid_to,
    )  # fmt: skip
    return Status(201, relation)


@router.patch(
    "/{unit_id}/parents/{link_id}", response=responses(RelationOut), summary="End a parent link"
)
def end_parent(
    request: HttpRequest, unit_id: int, link_id: int, payload: ParentEndIn
) -> UnitRelation:
    user = caller(request)
    relation = unit_parents(unit_get_for(user, unit_id)).filter(pk=link_id).first()
    if relation is None:
        raise NotFound("unit link")
    return unit_parent_end(actor=user, relation=relation, valid_to=payload.valid_to)


add_bulk_route(
    router, UnitIn, UnitOut,
    lambda user, item: unit_create(actor=user, data=to_data(UnitData, payload_dict(item))),
    "units",
)  # fmt: skip
