"""/evidence: items of the vault (read), and ingest of one file streamed as the raw request
body (``Content-Type: application/octet-stream``), hashed while it is sealed: the body is
never held in memory or written in plaintext."""

from __future__ import annotations

from datetime import date
from typing import Any, BinaryIO, cast
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from crimebook.api._common import (
    Page,
    PageParams,
    UtcDatetime,
    caller,
    check_filters,
    paginate,
    responses,
)
from crimebook.evidence.models import EvidenceItem
from crimebook.evidence.selectors import EvidenceFilter, evidence_for, evidence_get_for
from crimebook.evidence.services import evidence_ingest_stream

router = Router(tags=["evidence"])


class EvidenceOut(Schema):
    id: int
    uuid: UUID
    compartment_id: int
    kind: str
    original_name: str
    size: int
    sha256: str
    media_type: str
    status: str
    failure_reason: str
    derived_from_id: int | None
    derivation: str
    source_id: int | None
    metadata_status: str
    captured_at: UtcDatetime | None
    tz_name: str
    tz_inferred: bool
    latitude: float | None
    longitude: float | None
    gps_accuracy_m: float | None
    device_make: str
    device_model: str
    duration_s: float | None
    fps: float | None
    phash: str = Field("", description="Perceptual hash, 16 hex digits.")
    created_at: UtcDatetime

    @staticmethod
    def resolve_phash(obj: EvidenceItem) -> str:
        return obj.phash_hex


class EvidenceQuery(Schema):
    kind: str = ""
    status: str = ""
    captured_from: date | None = None
    captured_to: date | None = None
    near: int | None = Field(None, description="Near-duplicates of this item id.")


class IngestOut(Schema):
    outcome: str = Field(..., description="ingested, duplicate or failed.")
    item: EvidenceOut | None
    reason: str
    job_id: int | None = Field(
        None, description="The job extracting metadata and thumbnails (GET /jobs/{job_id})."
    )


@router.get("", response=responses(Page[EvidenceOut]), summary="List evidence items")
def list_evidence(
    request: HttpRequest, filters: Query[EvidenceQuery], page: Query[PageParams]
) -> dict[str, Any]:
    check_filters(
        filters,
        choices={"kind": EvidenceItem.Kind.values, "status": EvidenceItem.Status.values},
    )
    f = EvidenceFilter(
        kind=filters.kind, status=filters.status, date_from=filters.captured_from,
        date_to=filters.captured_to, near=filters.near,
    )  # fmt: skip
    return paginate(evidence_for(caller(request), f), page)


@router.get("/{evidence_id}", response=responses(EvidenceOut), summary="Read an evidence item")
def get_evidence(request: HttpRequest, evidence_id: int) -> EvidenceItem:
    return evidence_get_for(caller(request), evidence_id)


@router.post(
    "",
    response={**responses(IngestOut, 201), 200: IngestOut},
    summary="Ingest one file (raw body, streamed into the vault)",
)
def ingest_evidence(
    request: HttpRequest, compartment_id: int, name: str, source_id: int | None = None
) -> Status[dict[str, Any]]:
    outcome = evidence_ingest_stream(
        actor=caller(request), compartment_id=compartment_id, name=name,
        stream=cast(BinaryIO, request), source_id=source_id,
    )  # fmt: skip
    item = EvidenceItem.objects.filter(pk=outcome.item_id).first() if outcome.item_id else None
    status = 201 if outcome.outcome == "ingested" else 200
    return Status(
        status,
        {"outcome": outcome.outcome, "item": item, "reason": outcome.reason,
         "job_id": outcome.job_id},
    )  # fmt: skip
