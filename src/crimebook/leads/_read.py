"""Reading rows for a correlation run: ``values_list`` rows → the pure core's arrays and
dataclasses (incidents, cameras, recordings, media, deployments, communications, unit
structure, reports). Private to :mod:`crimebook.leads.build`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

import numpy as np
from django.db.models import BigIntegerField, Func

from crimebook.correlation import (
    CameraTable,
    IncidentTable,
    MatchConfig,
    MediaItem,
    SegmentTable,
)
from crimebook.correlation import units as core_units
from crimebook.correlation.clusters import Report
from crimebook.correlation.model import Communication as Communication_
from crimebook.correlation.model import Deployment as Deployment_
from crimebook.correlation.model import Incident as Incident_
from crimebook.evidence.models import Camera, EvidenceItem
from crimebook.register.models import Act, Incident, PersonIndex, Post, UnitRelation


def _epoch(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def _day_start(value: date | None) -> int | None:
    if value is None:
        return None
    return int(datetime.combine(value, time.min, tzinfo=UTC).timestamp())


def _day_end(value: date | None) -> int | None:
    if value is None:
        return None
    return int(datetime.combine(value, time.max, tzinfo=UTC).timestamp())


def _incident_table(rows: Iterable[tuple[Any, ...]], cfg: MatchConfig) -> IncidentTable:
    ids, starts, ends, lats, lons, radii, tols = [], [], [], [], [], [], []
    for pk, start, end, lat, lon, radius, precision in rows:
        ids.append(pk)
        starts.append(_epoch(start))
        ends.append(_epoch(end))
        lats.append(lat)
        lons.append(lon)
        radii.append(radius)
        tols.append(cfg.tolerance_for(precision))
    return IncidentTable.from_records(
        [Incident_(*row) for row in zip(ids, starts, ends, lats, lons, radii, tols, strict=True)]
    )


INCIDENT_FIELDS = ("id", "start", "end", "latitude", "longitude", "radius_m", "precision")


def _cameras(compartment_id: int) -> CameraTable:
    rows = list(
        Camera.objects.filter(compartment_id=compartment_id)
        .order_by("id")
        .values_list("id", "latitude", "longitude", "fov_radius_m")
    )
    cols: list[Any] = list(zip(*rows, strict=True)) if rows else [[], [], [], []]
    return CameraTable.from_arrays(
        id=np.array(cols[0], dtype=np.int64),
        lat=np.array(cols[1], dtype=np.float64),
        lon=np.array(cols[2], dtype=np.float64),
        fov_radius_m=np.array(cols[3], dtype=np.float64),
    )


class Epoch(Func):
    """Whole seconds since 1970 UTC, computed by the database (no datetime objects built for
    millions of recording rows). SQLite stores UTC text, PostgreSQL ``timestamptz``."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(strftime('%%s', {sql}) AS INTEGER)", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {sql})) AS BIGINT)", params


def _segments(queryset: Any) -> SegmentTable:
    rows = list(
        queryset.order_by("camera_id", "start")
        .annotate(t0=Epoch("start"), t1=Epoch("end"))
        .values_list("id", "camera_id", "t0", "t1")
    )
    table = np.array(rows, dtype=np.int64).reshape(-1, 4)
    return SegmentTable.from_arrays(
        id=table[:, 0], camera_id=table[:, 1], start=table[:, 2], end=table[:, 3]
    )


def media_queryset(compartment_id: int) -> Any:
    """Originals that can show a place and time: photos and videos in the vault."""
    return EvidenceItem.objects.filter(
        compartment_id=compartment_id,
        kind__in=(EvidenceItem.Kind.PHOTO, EvidenceItem.Kind.VIDEO),
        status=EvidenceItem.Status.INGESTED,
        derived_from__isnull=True,
    )


def _media(queryset: Any) -> list[MediaItem]:
    out = []
    for pk, kind, captured, lat, lon, acc, duration, tz_name, inferred in queryset.values_list(
        "id", "kind", "captured_at", "latitude", "longitude", "gps_accuracy_m", "duration_s",
        "tz_name", "tz_inferred",
    ):  # fmt: skip
        tz = "known" if tz_name and not inferred else ("inferred" if tz_name else "unknown")
        out.append(
            MediaItem(
                id=pk, capture_time=_epoch(captured), lat=lat, lon=lon, accuracy_m=acc,
                duration_s=max(0, round(duration)) if duration else 0, tz=tz,  # type: ignore[arg-type]
                is_video=kind == EvidenceItem.Kind.VIDEO,
            )
        )  # fmt: skip
    return out


def _deployments(queryset: Any) -> list[Deployment_]:
    return [
        Deployment_(pk, unit_id, _epoch(start), _epoch(end), lat, lon, radius)
        for pk, unit_id, start, end, lat, lon, radius in queryset.values_list(
            "id", "unit_id", "start", "end", "latitude", "longitude", "radius_m"
        )
    ]


def _communications(queryset: Any) -> list[Communication_]:
    return [
        Communication_(pk, _epoch(start), _epoch(end), lat, lon, radius)
        for pk, start, end, lat, lon, radius in queryset.values_list(
            "id", "start", "end", "latitude", "longitude", "radius_m"
        )
    ]


def _structure(compartment_id: int) -> tuple[list[core_units.UnitEdge], list[core_units.Post]]:
    edges = [
        core_units.UnitEdge(child, parent, _day_start(vf), _day_end(vt))
        for child, parent, vf, vt in UnitRelation.objects.values_list(
            "child_id", "parent_id", "valid_from", "valid_to"
        )
    ]
    posts = [
        core_units.Post(pk, person, unit, _day_start(start), _day_end(end), commander,
                        " ".join(x for x in (rank, position) if x))
        for pk, person, unit, start, end, commander, rank, position in Post.objects.filter(
            person__compartment_id=compartment_id
        ).values_list(
            "id", "person_id", "unit_id", "start", "end", "is_commander", "rank", "position"
        )
    ]  # fmt: skip
    return edges, posts


def _reports(compartment_id: int, incident_ids: set[int] | None, cfg: MatchConfig) -> list[Report]:
    """Incidents as the clustering core sees them: window, place, words and victims (one
    opaque token per victim: the smallest of its blind name digests, so two records of the
    same name count as the same victim; the person id when no name is recorded)."""
    qs = Incident.objects.filter(compartment_id=compartment_id)
    if incident_ids is not None:
        qs = qs.filter(pk__in=incident_ids)
    rows = list(qs.values_list(*INCIDENT_FIELDS, "title", "description"))
    ids = [r[0] for r in rows]
    victims: dict[int, set[int]] = defaultdict(set)
    for incident_id, victim_id in Act.objects.filter(incident_id__in=ids).values_list(
        "incident_id", "victim_id"
    ):
        victims[incident_id].add(victim_id)
    people = {p for vs in victims.values() for p in vs}
    digest: dict[int, str] = {}
    for person_id, d in PersonIndex.objects.filter(
        person_id__in=people, kind=PersonIndex.Kind.NAME
    ).values_list("person_id", "digest"):
        if person_id not in digest or d < digest[person_id]:
            digest[person_id] = d
    return [
        Report(
            id=pk, start=_epoch(start), end=_epoch(end), lat=lat, lon=lon, radius_m=radius,
            tolerance_s=cfg.tolerance_for(precision), text=f"{title}\n{description}".strip(),
            victim_digests=frozenset(digest.get(p, f"person:{p}") for p in victims[pk]),
        )
        for pk, start, end, lat, lon, radius, precision, title, description in rows
    ]  # fmt: skip
