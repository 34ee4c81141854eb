"""Reads of the evidence vault that depend on who asks (CONVENTIONS 3)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.utils import timezone

from crimebook.audit.models import AuditEntry
from crimebook.audit.selectors import audit_entries_for_object
from crimebook.core.errors import NotFound
from crimebook.evidence.models import Camera, Communication, EvidenceItem, Recording
from crimebook.evidence.pipeline import OBJECT_TYPE

__all__ = [
    "NEAR_DUPLICATE_DISTANCE",
    "CommunicationFilter",
    "EvidenceFilter",
    "cameras_for",
    "communication_get_for",
    "communication_party_matches",
    "communications_for",
    "evidence_custody",
    "evidence_for",
    "evidence_get_for",
    "evidence_near_duplicates",
    "evidence_preview_for",
    "hamming",
    "recordings_for",
]

NEAR_DUPLICATE_DISTANCE = 8
_M = TypeVar("_M", EvidenceItem, Communication)


def hamming(a: int, b: int) -> int:
    return ((a ^ b) & (2**64 - 1)).bit_count()


@dataclass(frozen=True)
class EvidenceFilter:
    kind: str = ""
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None
    near: int | None = None  # near-duplicates of this item id
    incident_id: int | None = None
    q: str = ""
    source_id: int | None = None
    near_place: tuple[float, float, float] | None = None  # latitude, longitude, radius km
    originals_only: bool = True


def _day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def evidence_for(user: Any, filters: EvidenceFilter | None = None) -> QuerySet[EvidenceItem]:
    f = filters or EvidenceFilter()
    qs: QuerySet[EvidenceItem] = EvidenceItem.objects.visible_to(user)
    if f.originals_only:
        qs = qs.filter(derived_from__isnull=True)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.date_from:
        qs = qs.filter(captured_at__gte=_day_start(f.date_from))
    if f.date_to:
        qs = qs.filter(captured_at__lt=_day_start(f.date_to) + timedelta(days=1))
    if f.incident_id:
        qs = qs.filter(incidents__id=f.incident_id)
    if f.q:
        qs = qs.filter(original_name__icontains=f.q)
    if f.source_id:
        qs = qs.filter(source_id=f.source_id)
    if f.near_place is not None:
        qs = _within(qs, *f.near_place)
    if f.near is not None:
        anchor = qs.model.objects.visible_to(user).filter(pk=f.near).first()
        if anchor is None or anchor.phash is None:
            return qs.none()
        ids = [anchor.pk, *(i.pk for i in evidence_near_duplicates(user, anchor))]
        qs = qs.filter(pk__in=ids)
    return qs


def _within(qs: QuerySet[_M], lat: float, lon: float, km: float) -> QuerySet[_M]:
    """Items (or communications' cell centres) whose position is within ``km`` of a point: a bounding box in the database,
    then the great-circle distance for the candidates."""
    dlat = km / 111.195
    dlon = km / max(111.195 * math.cos(math.radians(lat)), 1e-6)
    box = qs.filter(
        latitude__gte=lat - dlat, latitude__lte=lat + dlat,
        longitude__gte=lon - dlon, longitude__lte=lon + dlon,
    )  # fmt: skip
    keep = [
        pk
        for pk, plat, plon in box.values_list("pk", "latitude", "longitude")
        if plat is not None and plon is not None and _km(lat, lon, plat, plon) <= km
    ]
    return qs.filter(pk__in=keep)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def evidence_get_for(user: Any, pk: object) -> EvidenceItem:
    try:
        item = EvidenceItem.objects.visible_to(user).filter(pk=int(str(pk))).first()
    except (TypeError, ValueError):
        item = None
    if item is None:
        raise NotFound("evidence item")
    return item


def evidence_near_duplicates(
    user: Any, item: EvidenceItem, distance: int = NEAR_DUPLICATE_DISTANCE
) -> list[EvidenceItem]:
    """Visible originals whose perceptual hash is within ``distance`` bits of this one's."""
    anchor = item.phash
    if anchor is None:
        return []
    rows = (
        EvidenceItem.objects.visible_to(user)
        .filter(phash__isnull=False, derived_from__isnull=True)
        .exclude(pk=item.pk)
        .values_list("pk", "phash")
    )
    near = [
        pk
        for pk, phash in rows.iterator()
        if phash is not None and hamming(phash, anchor) <= distance
    ]
    return list(EvidenceItem.objects.filter(pk__in=near).order_by("pk"))


def evidence_preview_for(user: Any, pk: object) -> EvidenceItem:
    """The thumbnail derivative of a visible item (the only thing shown inline)."""
    item = evidence_get_for(user, pk)
    preview = (
        item.derivatives.filter(status=EvidenceItem.Status.INGESTED, kind="photo")
        .order_by("pk")
        .first()
    )
    if preview is None:
        raise NotFound("preview")
    return preview


def evidence_custody(item: EvidenceItem) -> QuerySet[AuditEntry]:
    """The item's custody timeline: every audit entry about it, oldest first."""
    return audit_entries_for_object(OBJECT_TYPE, item.pk).order_by("seq")


def cameras_for(user: Any) -> QuerySet[Camera]:
    return Camera.objects.visible_to(user)


def recordings_for(user: Any) -> QuerySet[Recording]:
    return Recording.objects.visible_to(user).select_related("camera")


@dataclass(frozen=True)
class CommunicationFilter:
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""  # part of a party label, the place or the record id
    source_id: int | None = None
    item_id: int | None = None
    near_place: tuple[float, float, float] | None = None  # latitude, longitude, radius km
    compartment_id: int | None = None


def communications_for(
    user: Any, filters: CommunicationFilter | None = None
) -> QuerySet[Communication]:
    from django.db.models import Q

    f = filters or CommunicationFilter()
    qs: QuerySet[Communication] = Communication.objects.visible_to(user)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.date_from:  # spans ending on or after the day
        qs = qs.filter(end__gte=_day_start(f.date_from))
    if f.date_to:  # spans starting on or before the day
        qs = qs.filter(start__lt=_day_start(f.date_to) + timedelta(days=1))
    if f.q:
        qs = qs.filter(
            Q(party_a__icontains=f.q) | Q(party_b__icontains=f.q)
            | Q(place_name__icontains=f.q) | Q(external_id__icontains=f.q)
        )  # fmt: skip
    if f.source_id:
        qs = qs.filter(source_id=f.source_id)
    if f.item_id:
        qs = qs.filter(item_id=f.item_id)
    if f.compartment_id:
        qs = qs.filter(compartment_id=f.compartment_id)
    if f.near_place is not None:
        qs = _within(qs, *f.near_place)
    return qs.select_related("item", "source")


def communication_get_for(user: Any, pk: object) -> Communication:
    try:
        found = communications_for(user).filter(pk=int(str(pk))).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise NotFound("communication")
    return found


def communication_party_matches(user: Any, comm: Communication) -> dict[str, list[Any]]:
    """Persons the user may see whose contact blind-index digest equals a party's phone
    digest ("party_a" / "party_b" → persons): the number itself is never compared or shown."""
    from crimebook.register.models import Person, PersonIndex

    out: dict[str, list[Any]] = {}
    for party, digest in (("party_a", comm.party_a_digest), ("party_b", comm.party_b_digest)):
        if not digest:
            continue
        ids = PersonIndex.objects.filter(kind=PersonIndex.Kind.CONTACT, digest=digest).values_list(
            "person_id", flat=True
        )
        found = list(Person.objects.visible_to(user).filter(pk__in=ids).order_by("pk")[:20])
        if found:
            out[party] = found
    return out
