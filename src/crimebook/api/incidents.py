"""/incidents: list with filters, read, create, patch."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime

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
from crimebook.register.consent import Use, split_by_consent, withheld_note
from crimebook.register.models import Incident
from crimebook.register.selectors import IncidentFilter, incident_get_for, incidents_for
from crimebook.register.services import IncidentData, incident_create, incident_update

router = Router(tags=["incidents"])

PREFETCH = ("violation_types", "sources", "witnesses")


class IncidentIn(Input):
    compartment_id: int
    title: str
    description: str = ""
    start: AwareDatetime | None = Field(None, description="ISO 8601 with a UTC offset.")
    end: AwareDatetime | None = Field(None, description="ISO 8601 with a UTC offset.")
    precision: str = Field("hour", description="minute, hour, part_of_day, day or range.")
    place_name: str = ""
    latitude: float | None = None
    longitude: float | None = None
    radius_m: float | None = Field(None, description="Uncertainty radius in metres.")
    violation_types: list[str] = Field([], description="Codes of the violation_type vocabulary.")
    status: str = Field("reported", description="reported, under_review, verified or closed.")
    verification: str = Field(
        "unverified", description="unverified, partially_verified, verified or disputed."
    )
    confidentiality: str = Field("confidential", description="restricted, confidential or secret.")
    source_ids: list[int] = Field([], description="Sources in the same compartment.")
    witness_ids: list[int] = Field([], description="Persons in the same compartment.")
    external_id: str | None = None


class IncidentOut(Schema):
    id: int
    uuid: UUID
    compartment_id: int
    title: str
    description: str
    start: UtcDatetime | None
    end: UtcDatetime | None
    precision: str
    place_name: str
    latitude: float | None
    longitude: float | None
    radius_m: float | None
    violation_types: list[str]
    status: str
    verification: str
    confidentiality: str
    source_ids: list[int]
    sources_withheld: str = Field("", description="Sources left out because of their consent.")
    witness_ids: list[int]
    external_id: str | None
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @staticmethod
    def resolve_violation_types(obj: Incident) -> list[str]:
        return [t.code for t in obj.violation_types.all()]

    @staticmethod
    def resolve_source_ids(obj: Incident) -> list[int]:
        kept, _ = split_by_consent(obj.sources.all(), Use.INVESTIGATION)
        return [s.pk for s in kept]

    @staticmethod
    def resolve_sources_withheld(obj: Incident) -> str:
        _, left_out = split_by_consent(obj.sources.all(), Use.INVESTIGATION)
        return withheld_note(left_out, Use.INVESTIGATION)

    @staticmethod
    def resolve_witness_ids(obj: Incident) -> list[int]:
        return [p.pk for p in obj.witnesses.all()]


class IncidentQuery(Schema):
    q: str = Field("", description="Text in the title, place or description.")
    status: str = ""
    verification: str = ""
    violation_type: str = Field("", description="A violation_type code.")
    date_from: date | None = Field(None, description="Incidents ending on or after this day.")
    date_to: date | None = Field(None, description="Incidents starting on or before this day.")
    compartment_id: int | None = None


def data_of(incident: Incident) -> IncidentData:
    """The incident as the service's input, for merging a patch into."""
    return IncidentData(
        compartment_id=incident.compartment_id, title=incident.title,
        description=incident.description, start=incident.start, end=incident.end,
        precision=incident.precision, place_name=incident.place_name,
        latitude=incident.latitude, longitude=incident.longitude, radius_m=incident.radius_m,
        violation_types=tuple(t.code for t in incident.violation_types.all()),
        status=incident.status, verification=incident.verification,
        confidentiality=incident.confidentiality,
        source_ids=tuple(incident.sources.values_list("pk", flat=True)),
        witness_ids=tuple(incident.witnesses.values_list("pk", flat=True)),
        external_id=incident.external_id,
    )  # fmt: skip


@router.get("", response=responses(Page[IncidentOut]), summary="List incidents")
def list_incidents(
    request: HttpRequest, filters: Query[IncidentQuery], page: Query[PageParams]
) -> dict[str, Any]:
    check_filters(
        filters,
        choices={
            "status": Incident.Status.values,
            "verification": Incident.Verification.values,
        },
        terms={"violation_type": "violation_type"},
    )
    found = incidents_for(caller(request), IncidentFilter(**filters.model_dump()))
    return paginate(found, page, prefetch=PREFETCH)


@router.get("/{incident_id}", response=responses(IncidentOut), summary="Read an incident")
def get_incident(request: HttpRequest, incident_id: int) -> Incident:
    return incident_get_for(caller(request), incident_id)


@router.post("", response=responses(IncidentOut, 201), summary="Create an incident")
def create_incident(request: HttpRequest, payload: IncidentIn) -> Status[Incident]:
    data = to_data(IncidentData, payload_dict(payload))
    return Status(201, incident_create(actor=caller(request), data=data))


@router.patch("/{incident_id}", response=responses(IncidentOut), summary="Change an incident")
def patch_incident(request: HttpRequest, incident_id: int, payload: Patch[IncidentIn]) -> Incident:
    user = caller(request)
    incident = incident_get_for(user, incident_id)
    data = to_data(IncidentData, payload, base=data_of(incident))
    return incident_update(actor=user, incident=incident, data=data)


add_bulk_route(
    router, IncidentIn, IncidentOut,
    lambda user, item: incident_create(actor=user, data=to_data(IncidentData, payload_dict(item))),
    "incidents",
)  # fmt: skip
