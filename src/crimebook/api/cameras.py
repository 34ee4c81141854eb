"""/cameras and /recordings: evidence metadata of CCTV cameras and the footage spans known
for them (read-only here; they are imported with `crimebook evidence cameras/recordings`).
Compartmented like every record: a caller sees only their compartments' cameras."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from crimebook.api._common import Page, PageParams, UtcDatetime, caller, paginate, responses
from crimebook.core.errors import NotFound
from crimebook.evidence.models import Camera, Recording
from crimebook.evidence.selectors import cameras_for, recordings_for

cameras_router = Router(tags=["cameras"])
recordings_router = Router(tags=["recordings"])


class CameraOut(Schema):
    id: int
    compartment_id: int
    external_id: str
    name: str
    latitude: float
    longitude: float
    fov_radius_m: float
    description: str


class CameraQuery(Schema):
    compartment_id: int | None = None
    q: str = Field("", max_length=200, description="Part of the name or camera id.")


class RecordingOut(Schema):
    id: int
    compartment_id: int
    camera_id: int
    item_id: int | None = Field(..., description="The footage in the vault, if held here.")
    start: UtcDatetime
    end: UtcDatetime
    held_by: str
    external_id: str


class RecordingQuery(Schema):
    camera_id: int | None = None
    compartment_id: int | None = None
    date_from: date | None = Field(None, description="Spans ending on or after this day.")
    date_to: date | None = Field(None, description="Spans starting on or before this day.")
    held: bool | None = Field(None, description="true: footage in the vault; false: elsewhere.")


def _day(d: date, end: bool = False) -> datetime:
    # UTC days: a local offset would push 0001-01-01 or 9999-12-31 out of range
    return datetime.combine(d, time.max if end else time.min, tzinfo=UTC)


@cameras_router.get("", response=responses(Page[CameraOut]), summary="List cameras")
def list_cameras(
    request: HttpRequest, filters: Query[CameraQuery], page: Query[PageParams]
) -> dict[str, Any]:
    from django.db.models import Q

    found = cameras_for(caller(request))
    if filters.compartment_id is not None:
        found = found.filter(compartment_id=filters.compartment_id)
    if filters.q:
        found = found.filter(Q(name__icontains=filters.q) | Q(external_id__icontains=filters.q))
    return paginate(found, page)


@cameras_router.get("/{camera_id}", response=responses(CameraOut), summary="Read a camera")
def get_camera(request: HttpRequest, camera_id: int) -> Camera:
    found = cameras_for(caller(request)).filter(pk=camera_id).first()
    if found is None:
        raise NotFound("camera")
    return found


@recordings_router.get("", response=responses(Page[RecordingOut]), summary="List recordings")
def list_recordings(
    request: HttpRequest, filters: Query[RecordingQuery], page: Query[PageParams]
) -> dict[str, Any]:
    found = recordings_for(caller(request))
    if filters.camera_id is not None:
        found = found.filter(camera_id=filters.camera_id)
    if filters.compartment_id is not None:
        found = found.filter(compartment_id=filters.compartment_id)
    if filters.date_from is not None:
        found = found.filter(end__gte=_day(filters.date_from))
    if filters.date_to is not None:
        found = found.filter(start__lte=_day(filters.date_to, end=True))
    if filters.held is not None:
        found = found.filter(item__isnull=not filters.held)
    return paginate(found, page)


@recordings_router.get(
    "/{recording_id}", response=responses(RecordingOut), summary="Read a recording"
)
def get_recording(request: HttpRequest, recording_id: int) -> Recording:
    found = recordings_for(caller(request)).filter(pk=recording_id).first()
    if found is None:
        raise NotFound("recording")
    return found
