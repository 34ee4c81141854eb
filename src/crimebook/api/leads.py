"""/leads: proposals of the correlation engine, and their review (accept / reject).

A lead is listed and read only if the caller can read both of its sides; reviewing needs an
investigator's or analyst's membership in its compartment (403 otherwise)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from crimebook.api._common import (
    Input,
    Page,
    PageParams,
    UtcDatetime,
    caller,
    check_filters,
    paginate,
    responses,
)
from crimebook.leads.models import Lead
from crimebook.leads.selectors import LeadFilter, lead_get_for, leads_for
from crimebook.leads.services import lead_accept, lead_reject
from crimebook.leads.wording import NUMBERS, Names, lead_reasons, lead_sentence, names_for

router = Router(tags=["leads"])
NAMES = "crimebook_lead_names"  # request attribute: the names for the leads of this response


def _named(request: HttpRequest, leads: list[Lead]) -> None:
    """Looks up the names the response's leads mention, once for the whole page."""
    setattr(request, NAMES, names_for(caller(request), leads))


def _names(context: dict[str, Any]) -> Names:
    names = getattr(context.get("request"), NAMES, None)
    return names if isinstance(names, Names) else NUMBERS


class LeadOut(Schema):
    id: int
    compartment_id: int
    kind: str = Field(..., description="recording, media, communication, merge, unit or person.")
    incident_id: int
    target: str = Field(
        ..., description='The other side, e.g. "recording:12", "communication:4", "unit:3".'
    )
    recording_id: int | None
    camera_id: int | None
    item_id: int | None
    communication_id: int | None
    other_incident_id: int | None
    unit_id: int | None
    person_id: int | None
    deployment_id: int | None
    score: float
    grade: str = Field(..., description='"possible" for unit and person leads.')
    explanation: str = Field(..., description="The engine's sentence, in English (stored).")
    explanation_localized: str = Field(
        ...,
        description="The explanation in the request's language (Accept-Language: en, ru, be); "
        "the English sentence for leads stored without a structured form.",
    )
    reasons: list[str]
    reasons_localized: list[str] = Field(..., description="The reasons in the request's language.")
    details: dict[str, Any]
    status: str = Field(..., description="proposed, accepted or rejected.")
    reviewer: str | None
    decided_at: UtcDatetime | None
    decision_note: str
    link: dict[str, Any]
    run_id: int | None
    created_at: UtcDatetime

    @staticmethod
    def resolve_target(obj: Lead) -> str:
        return obj.target_key

    @staticmethod
    def resolve_explanation_localized(obj: Lead, context: dict[str, Any]) -> str:
        return lead_sentence(obj, _names(context))

    @staticmethod
    def resolve_reasons_localized(obj: Lead, context: dict[str, Any]) -> list[str]:
        return lead_reasons(obj, _names(context))

    @staticmethod
    def resolve_reviewer(obj: Lead) -> str | None:
        return obj.reviewer.get_username() if obj.reviewer else None


class LeadQuery(Schema):
    kind: str = Field("", description="recording, media, communication, merge, unit, person.")
    status: str = ""
    min_score: float | None = Field(None, ge=0, le=1)
    incident_id: int | None = None
    unit_id: int | None = None
    item_id: int | None = None
    person_id: int | None = None
    communication_id: int | None = None


class ReviewIn(Input):
    note: str = Field("", max_length=2000, description="Why (kept with the decision).")
    act_id: int | None = Field(
        None, description="Person leads: the act of the incident to record the involvement in."
    )


class RejectIn(Input):
    note: str = Field("", max_length=2000)


@router.get("", response=responses(Page[LeadOut]), summary="List leads")
def list_leads(
    request: HttpRequest, filters: Query[LeadQuery], page: Query[PageParams]
) -> dict[str, Any]:
    check_filters(filters, choices={"kind": Lead.Kind.values, "status": Lead.Status.values})
    f = LeadFilter(**filters.model_dump())
    result = paginate(leads_for(caller(request), f), page)
    _named(request, result["items"])
    return result


@router.get("/{lead_id}", response=responses(LeadOut), summary="Read a lead")
def get_lead(request: HttpRequest, lead_id: int) -> Lead:
    lead = lead_get_for(caller(request), lead_id)
    _named(request, [lead])
    return lead


@router.post("/{lead_id}/accept", response=responses(LeadOut), summary="Accept a lead")
def accept_lead(request: HttpRequest, lead_id: int, payload: ReviewIn) -> Lead:
    user = caller(request)
    lead = lead_get_for(user, lead_id)
    lead_accept(actor=user, lead=lead, note=payload.note, act_id=payload.act_id)
    lead = lead_get_for(user, lead_id)
    _named(request, [lead])
    return lead


@router.post("/{lead_id}/reject", response=responses(LeadOut), summary="Reject a lead")
def reject_lead(request: HttpRequest, lead_id: int, payload: RejectIn) -> Lead:
    user = caller(request)
    lead = lead_get_for(user, lead_id)
    lead_reject(actor=user, lead=lead, note=payload.note)
    lead = lead_get_for(user, lead_id)
    _named(request, [lead])
    return lead
