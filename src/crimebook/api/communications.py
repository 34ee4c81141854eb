"""/communications: calls, messages and intercepts as metadata (time, cell area,
pseudonymous parties). Phone numbers may be *sent* (``party_a_phone``) but are never stored or
returned: only whether a party has a blind digest. Compartmented like every record."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime

from crimebook.api._common import (
    Input,
    Page,
    PageParams,
    UtcDatetime,
    caller,
    check_filters,
    paginate,
    payload_dict,
    responses,
    to_data,
)
from crimebook.evidence.communications import CommunicationData, communication_create
from crimebook.evidence.models import Communication
from crimebook.evidence.selectors import (
    CommunicationFilter,
    communication_get_for,
    communications_for,
)

router = Router(tags=["communications"])


class CommunicationIn(Input):
    compartment_id: int
    kind: str = Field(..., description="call, message, radio or other.")
    start: AwareDatetime = Field(..., description="ISO 8601 with a UTC offset.")
    end: AwareDatetime | None = Field(None, description="Empty: a point in time (= start).")
    latitude: float | None = Field(None, description="Cell area centre (WGS84).")
    longitude: float | None = None
    radius_m: float | None = Field(None, description="Cell area radius, > 0 and ≤ 50,000 m.")
    place_name: str = Field("", max_length=300)
    party_a: str = Field("", max_length=100, description='A pseudonym, e.g. "subscriber A".')
    party_b: str = Field("", max_length=100)
    party_a_phone: str | None = Field(
        None, max_length=40, description="Kept only as a blind digest; never returned."
    )
    party_b_phone: str | None = Field(None, max_length=40)
    summary: str = Field("", max_length=5000)
    item_id: int | None = Field(None, description="Evidence item holding the record.")
    source_id: int | None = None
    external_id: str = Field("", max_length=200, description="Unique in the compartment.")


class CommunicationOut(Schema):
    id: int
    compartment_id: int
    kind: str
    start: UtcDatetime
    end: UtcDatetime
    latitude: float | None
    longitude: float | None
    radius_m: float | None
    place_name: str
    party_a: str
    party_b: str
    party_a_phone_indexed: bool = Field(..., description="A phone digest is kept for party A.")
    party_b_phone_indexed: bool
    summary: str
    item_id: int | None
    source_id: int | None
    external_id: str
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @staticmethod
    def resolve_party_a_phone_indexed(obj: Communication) -> bool:
        return bool(obj.party_a_digest)

    @staticmethod
    def resolve_party_b_phone_indexed(obj: Communication) -> bool:
        return bool(obj.party_b_digest)


class CommunicationQuery(Schema):
    compartment_id: int | None = None
    kind: str = Field("", description="call, message, radio or other.")
    date_from: date | None = Field(None, description="Ending on or after this day.")
    date_to: date | None = Field(None, description="Starting on or before this day.")
    q: str = Field("", max_length=200, description="Part of a party label, place or id.")
    source_id: int | None = None
    item_id: int | None = None


@router.get("", response=responses(Page[CommunicationOut]), summary="List communications")
def list_communications(
    request: HttpRequest, filters: Query[CommunicationQuery], page: Query[PageParams]
) -> dict[str, Any]:
    check_filters(filters, choices={"kind": Communication.Kind.values})
    f = CommunicationFilter(**filters.model_dump())
    return paginate(communications_for(caller(request), f), page)


@router.get(
    "/{communication_id}", response=responses(CommunicationOut), summary="Read a communication"
)
def get_communication(request: HttpRequest, communication_id: int) -> Communication:
    return communication_get_for(caller(request), communication_id)


@router.post("", response=responses(CommunicationOut, 201), summary="Record a communication")
def create_communication(request: HttpRequest, payload: CommunicationIn) -> Status[Communication]:
    data = to_data(CommunicationData, payload_dict(payload))
    return Status(201, communication_create(actor=caller(request), data=data))
