"""/sources: where information came from, graded, with consent per use."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

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
from crimebook.register.consent import Use, permits
from crimebook.register.models import Source
from crimebook.register.selectors import source_get_for, sources_for
from crimebook.register.services import SourceData, source_create, source_update
from crimebook.register.services.sources import SOURCE_FIELDS

router = Router(tags=["sources"])


class SourceIn(Input):
    compartment_id: int
    kind: str = Field(
        ...,
        description="submission, interview, open_source, leaked_document, insider, "
        "official_record or media.",
    )
    title: str
    description: str = ""
    url: str = ""
    received_on: date | None = None
    reliability: str = Field("F", description="A (reliable) … E (unreliable), F: cannot judge.")
    credibility: int = Field(6, description="1 (confirmed) … 5 (improbable), 6: cannot judge.")
    consent_investigation: bool = False
    consent_prosecution: bool = False
    consent_prosecution_with: str = ""
    consent_publication: bool = False
    external_id: str | None = None


class SourceOut(Schema):
    id: int
    uuid: UUID
    compartment_id: int
    kind: str
    title: str
    description: str
    url: str
    received_on: date | None
    reliability: str
    credibility: int
    grade: str
    consent_investigation: bool
    consent_prosecution: bool
    consent_prosecution_with: str
    consent_publication: bool
    external_id: str | None
    recorded_by_id: int | None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    withheld: str = Field(
        "", description="Why content fields are empty: the source's consent does not cover it."
    )

    @staticmethod
    def resolve_title(obj: Source) -> str:
        return obj.title if permits(obj, Use.INVESTIGATION) else ""

    @staticmethod
    def resolve_description(obj: Source) -> str:
        return obj.description if permits(obj, Use.INVESTIGATION) else ""

    @staticmethod
    def resolve_url(obj: Source) -> str:
        return obj.url if permits(obj, Use.INVESTIGATION) else ""

    @staticmethod
    def resolve_withheld(obj: Source) -> str:
        if permits(obj, Use.INVESTIGATION):
            return ""
        return "title, description and url left out: no consent to use in investigation."


class SourceQuery(Schema):
    kind: str = ""
    reliability: str = ""
    q: str = Field("", description="Text in the title.")


def data_of(source: Source) -> SourceData:
    names = [n for n in SOURCE_FIELDS if n != "compartment"]
    return SourceData(
        compartment_id=source.compartment_id, **{n: getattr(source, n) for n in names}
    )


@router.get("", response=responses(Page[SourceOut]), summary="List sources")
def list_sources(
    request: HttpRequest, filters: Query[SourceQuery], page: Query[PageParams]
) -> dict[str, Any]:
    check_filters(
        filters, choices={"kind": Source.Kind.values, "reliability": Source.Reliability.values}
    )
    return paginate(sources_for(caller(request), **filters.model_dump()), page)


@router.get("/{source_id}", response=responses(SourceOut), summary="Read a source")
def get_source(request: HttpRequest, source_id: int) -> Source:
    return source_get_for(caller(request), source_id)


@router.post("", response=responses(SourceOut, 201), summary="Record a source")
def create_source(request: HttpRequest, payload: SourceIn) -> Status[Source]:
    data = to_data(SourceData, payload_dict(payload))
    return Status(201, source_create(actor=caller(request), data=data))


@router.patch("/{source_id}", response=responses(SourceOut), summary="Change a source")
def patch_source(request: HttpRequest, source_id: int, payload: Patch[SourceIn]) -> Source:
    user = caller(request)
    source = source_get_for(user, source_id)
    data = to_data(SourceData, payload, base=data_of(source))
    return source_update(actor=user, source=source, data=data)


add_bulk_route(
    router, SourceIn, SourceOut,
    lambda user, item: source_create(actor=user, data=to_data(SourceData, payload_dict(item))),
    "sources",
)  # fmt: skip
