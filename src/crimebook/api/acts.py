"""/acts: one violation against one victim within an incident."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
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
from crimebook.register.models import Act, MedicalGrade
from crimebook.register.selectors import act_get_for, acts_for
from crimebook.register.services import ActData, act_create, act_update

router = Router(tags=["acts"])


class ActIn(Input):
    incident_id: int
    victim_id: int = Field(..., description="A person in the incident's compartment.")
    act_type: str = Field(..., description="A code of the act_type vocabulary.")
    injuries: list[str] = Field([], description="Codes of the injury_type vocabulary.")
    methods: list[str] = Field([], description="Codes of the method vocabulary.")
    detention_place: str | None = Field(None, description="A detention_place code.")
    medical_grade: str = Field(
        "",
        description="Istanbul Protocol: not_consistent, consistent, highly_consistent, "
        "typical or diagnostic.",
    )
    medical_findings: str = ""
    description: str = ""


class ActOut(Schema):
    id: int
    incident_id: int
    victim_id: int
    act_type: str
    injuries: list[str]
    methods: list[str]
    detention_place: str | None
    medical_grade: str
    medical_findings: str
    description: str
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @staticmethod
    def resolve_act_type(obj: Act) -> str:
        return obj.act_type.code

    @staticmethod
    def resolve_injuries(obj: Act) -> list[str]:
        return [t.code for t in obj.injuries.all()]

    @staticmethod
    def resolve_methods(obj: Act) -> list[str]:
        return [t.code for t in obj.methods.all()]

    @staticmethod
    def resolve_detention_place(obj: Act) -> str | None:
        return obj.detention_place.code if obj.detention_place else None


class ActQuery(Schema):
    incident_id: int | None = None
    act_type: str = ""
    victim_id: int | None = None
    medical_grade: str = ""


def data_of(act: Act) -> ActData:
    return ActData(
        incident_id=act.incident_id, victim_id=act.victim_id, act_type=act.act_type.code,
        injuries=tuple(t.code for t in act.injuries.all()),
        methods=tuple(t.code for t in act.methods.all()),
        detention_place=act.detention_place.code if act.detention_place else None,
        medical_grade=act.medical_grade, medical_findings=act.medical_findings,
        description=act.description,
    )  # fmt: skip


@router.get("", response=responses(Page[ActOut]), summary="List acts")
def list_acts(
    request: HttpRequest, filters: Query[ActQuery], page: Query[PageParams]
) -> dict[str, Any]:
    check_filters(
        filters, choices={"medical_grade": MedicalGrade.values}, terms={"act_type": "act_type"}
    )
    found = acts_for(caller(request), **filters.model_dump()).select_related("detention_place")
    return paginate(found, page, prefetch=("injuries", "methods"))


@router.get("/{act_id}", response=responses(ActOut), summary="Read an act")
def get_act(request: HttpRequest, act_id: int) -> Act:
    return act_get_for(caller(request), act_id)


@router.post("", response=responses(ActOut, 201), summary="Record an act")
def create_act(request: HttpRequest, payload: ActIn) -> Status[Act]:
    return Status(
        201, act_create(actor=caller(request), data=to_data(ActData, payload_dict(payload)))
    )


@router.patch("/{act_id}", response=responses(ActOut), summary="Change an act")
def patch_act(request: HttpRequest, act_id: int, payload: Patch[ActIn]) -> Act:
    user = caller(request)
    act = act_get_for(user, act_id)
    return act_update(actor=user, act=act, data=to_data(ActData, payload, base=data_of(act)))


add_bulk_route(
    router, ActIn, ActOut,
    lambda user, item: act_create(actor=user, data=to_data(ActData, payload_dict(item))),
    "acts",
)  # fmt: skip
