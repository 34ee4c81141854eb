"""Map reads that depend on who asks (CONVENTIONS 3).

Every layer starts from the selector its list page uses — ``incidents_for``, ``units_for``,
``cameras_for``, ``evidence_for`` — so the map can never show a record the lists would not.
(Places of detention are units, public reference data the same for every staff account: they
are read from the shared reference cache after the same staff check ``units_for`` makes, and
through ``units_for`` when more than ``max_points`` are in view.)
Each layer is bounded: at most ``max_points`` rows leave the database as points; beyond that
the database groups the rows in the box into aligned grid cells (``GROUP BY FLOOR(...)``, see
:mod:`crimebook.maps.grid`) and only the cells (count, mean position) are returned.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from math import cos, radians
from typing import Any

from django.db.models import Avg, Count, Exists, F, Func, IntegerField, OuterRef, QuerySet
from django.utils import timezone

from crimebook.accounts.access import is_staff_user, readable_compartment_ids
from crimebook.core import refcache
from crimebook.correlation.geo import haversine_scalar_m
from crimebook.evidence.commrules import MAX_RADIUS_M
from crimebook.evidence.models import Camera, EvidenceItem, Recording
from crimebook.evidence.selectors import (
    EvidenceFilter,
    cameras_for,
    communications_for,
    evidence_for,
    recordings_for,
)
from crimebook.maps import _compiled, gridindex
from crimebook.maps.grid import FINE_EXPONENT, LAYERS, WORLD, Bounds, cell_size_for
from crimebook.register import selectors
from crimebook.register.models import Incident, Involvement, Post, Unit
from crimebook.register.models.units import unit_name_expression
from crimebook.register.selectors import IncidentFilter
from crimebook.web.refdata import UNITS

__all__ = [
    "DETENTION_UNIT_TYPES",
    "MAX_POINTS",
    "Cluster",
    "LayerResult",
    "MapQuery",
    "Nearby",
    "incident_extent_for",
    "map_incidents_for",
    "map_layers_for",
    "near_incident_for",
]

MAX_POINTS = 500
DETENTION_UNIT_TYPES = ("detention_centre", "prison")


@dataclass(frozen=True)
class MapQuery:
    """What the map shows. Incident facets (``incidents``, ``place``, ``unit``) apply to
    incidents; the date range and ``day`` apply to every layer that has a time (incidents:
    their window overlaps; evidence: capture time; cameras: a recording overlaps)."""

    bounds: Bounds = WORLD
    layers: tuple[str, ...] = LAYERS
    incidents: IncidentFilter = field(default_factory=IncidentFilter)
    place: str = ""
    unit_id: int | None = None
    day: date | None = None
    max_points: int = MAX_POINTS

    def period(self) -> tuple[date | None, date | None, bool]:
        """(from, to, empty): the date filter with the slider's day applied; ``empty`` when
        the day lies outside the filter's range."""
        start, end = self.incidents.date_from, self.incidents.date_to
        if self.day is not None:
            start = max(start, self.day) if start else self.day
            end = min(end, self.day) if end else self.day
        return start, end, bool(start and end and start > end)


# A cell of a layer's grid: its column and row, count and mean position (the grid index's
# cells are returned as they are).
Cluster = gridindex.CellCount


@dataclass
class LayerResult:
    name: str
    count: int = 0
    aggregated: bool = False
    cell_deg: float | None = None
    points: list[dict[str, Any]] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)


def _day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def map_incidents_for(user: Any, query: MapQuery) -> QuerySet[Incident]:
    """The incidents the map (and its table) shows: ``incidents_for`` with the same facets as
    the list, plus place and unit, and the slider's day. Not limited to the box."""
    start, end, empty = query.period()
    # The violation type is the list's facet, from the list's selector: a semi-join on the
    # term's id (from the reference cache). A join to the terms by code instead hid the
    # type's share from PostgreSQL's planner (4,000 links estimated, 79,764 of 200,000 in
    # fact): it read every typed link and looked each incident up by key, 320,000 buffers
    # and ~0.7 s for the page's table of 1,001 keys.
    filters = dataclasses.replace(query.incidents, date_from=start, date_to=end)
    qs = selectors.incidents_for(user, filters)
    if empty:
        return qs.none()
    if query.place.strip():
        qs = qs.filter(place_name__icontains=query.place.strip())
    if query.unit_id:
        # alleged perpetrators of an act in the incident who held a post in the unit — both
        # read through the selectors' compartment rules (a post or involvement the user may
        # not see does not put an incident on the map)
        involved = Involvement.objects.visible_to(user).filter(
            act__incident=OuterRef("pk"),
            person__in=Post.objects.visible_to(user)
            .filter(unit_id=query.unit_id)
            .values("person_id"),
        )
        qs = qs.filter(Exists(involved))
    return qs


def _cameras(user: Any, query: MapQuery) -> QuerySet[Camera]:
    start, end, empty = query.period()
    qs = cameras_for(user)
    if empty:
        return qs.none()
    if start or end:
        spans = recordings_for(user).filter(camera=OuterRef("pk"))
        if start:
            spans = spans.filter(end__gte=_day_start(start))
        if end:
            spans = spans.filter(start__lt=_day_start(end) + timedelta(days=1))
        qs = qs.filter(Exists(spans))
    return qs


def _evidence(user: Any, query: MapQuery) -> QuerySet[EvidenceItem]:
    start, end, empty = query.period()
    qs = evidence_for(user, EvidenceFilter(date_from=start, date_to=end))
    if empty:
        return qs.none()
    return qs.filter(status=EvidenceItem.Status.INGESTED)


def _detention(user: Any) -> QuerySet[Unit]:
    return selectors.units_for(user).filter(unit_type__code__in=DETENTION_UNIT_TYPES)


def _detention_places() -> list[dict[str, Any]]:
    return list(
        Unit.objects.filter(
            unit_type__code__in=DETENTION_UNIT_TYPES, latitude__isnull=False,
            longitude__isnull=False,
        )
        .order_by("pk")
        .values(*POINT_FIELDS["detention"])
    )  # fmt: skip


def _detention_layer(user: Any, query: MapQuery) -> LayerResult:
    """Places of detention in the box. Units are public reference data, the same for every
    staff account (``units_for`` checks only that the reader is one): their positioned
    places of detention are read once into the shared reference cache (group ``units``,
    replaced on every ``Unit`` write and, see ``MapsConfig.ready``, every ``Term`` write) and
    boxed here, with ``_in_box``'s inclusive bounds. More than ``max_points`` in the box: the
    database groups them into cells as before."""
    if not is_staff_user(user):
        return LayerResult("detention")  # what units_for answers: nothing
    b = query.bounds
    places = refcache.get_or_compute(UNITS, "map-detention", _detention_places)
    rows = [
        p for p in places
        if b.south <= p["latitude"] <= b.north and b.west <= p["longitude"] <= b.east
    ]  # fmt: skip
    if len(rows) > query.max_points:
        return _layer("detention", _detention(user), query)
    return LayerResult("detention", count=len(rows), points=rows)


def _in_box(qs: QuerySet[Any], bounds: Bounds) -> QuerySet[Any]:
    # no separate IS NOT NULL: a comparison with NULL is never true (each lookup costs
    # the ORM as much as the query's execution here)
    return qs.filter(
        latitude__gte=bounds.south, latitude__lte=bounds.north,
        longitude__gte=bounds.west, longitude__lte=bounds.east,
    )  # fmt: skip


POINT_FIELDS: dict[str, tuple[str, ...]] = {
    "incidents": (
        "pk", "title", "place_name", "latitude", "longitude", "radius_m", "start", "end",
        "precision", "status", "verification",
    ),
    "detention": ("pk", "name", "name_ru", "name_be", "latitude", "longitude"),
    "cameras": ("pk", "external_id", "name", "latitude", "longitude", "fov_radius_m"),
    "evidence": (
        "pk", "original_name", "kind", "latitude", "longitude", "gps_accuracy_m", "captured_at",
    ),
}  # fmt: skip


class GridIndex(Func):
    """``FLOOR(x)`` as an integer, for x ≥ 0 (offsets from -180°/-90° in cell units).
    SQLite gets ``CAST(x AS INTEGER)`` (truncation is the floor for x ≥ 0): Django registers
    FLOOR there as a Python function when SQLite lacks its math functions, a callback per row
    (4 µs) that made a country-wide grid of a million incidents take seconds."""

    function = "FLOOR"
    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS INTEGER)")


def _points(name: str, qs: QuerySet[Any], bounds: Bounds, limit: int) -> QuerySet[Any]:
    return _in_box(qs.order_by(), bounds).values(*POINT_FIELDS[name])[:limit]


def _cells(qs: QuerySet[Any], bounds: Bounds, size: float) -> QuerySet[Any]:
    cells: QuerySet[Any] = (
        _in_box(qs.order_by(), bounds)
        .annotate(
            gx=GridIndex((F("longitude") + 180.0) / size),
            gy=GridIndex((F("latitude") + 90.0) / size),
        )
        .values("gx", "gy")
        .annotate(n=Count("pk"), lat=Avg("latitude"), lon=Avg("longitude"))
        .order_by()
    )
    return cells


def _layer_result(name: str, query: MapQuery, points: Any, cells: Any) -> LayerResult:
    """Points when at most ``max_points`` lie in the box, else grid cells computed by the
    database. ``points()`` reads at most ``max_points + 1`` rows either way; ``cells(size)``
    the cells' (gx, gy, n, lat, lon) rows."""
    rows = points()
    if len(rows) <= query.max_points:
        return LayerResult(name, count=len(rows), points=rows)
    size = cell_size_for(query.bounds)
    clusters = [
        Cluster(int(c["gx"]), int(c["gy"]), int(c["n"]), float(c["lat"]), float(c["lon"]))
        for c in cells(size)
    ]
    return LayerResult(
        name,
        count=sum(c.count for c in clusters),
        aggregated=True,
        cell_deg=size,
        clusters=clusters,
    )


def _layer(name: str, qs: QuerySet[Any], query: MapQuery) -> LayerResult:
    """A layer read through the ORM (see :func:`_layer_result`)."""
    return _layer_result(
        name,
        query,
        lambda: list(_points(name, qs, query.bounds, query.max_points + 1)),
        lambda size: _cells(qs, query.bounds, size),
    )


def _compiled_layer(
    name: str, source: Callable[[], QuerySet[Any]], user: Any, query: MapQuery
) -> LayerResult:
    """:func:`_layer` of ``source()`` through statements compiled once per reader's
    compartments, dates and limit (:mod:`crimebook.maps._compiled`): only the box and the
    cell size vary between runs of one statement. ``source`` must depend on the user only
    through ``readable_compartment_ids`` — what ``visible_to`` filters by — and on the query
    only through its period (tested). No compartment: the ORM path, which answers nothing."""
    ids = tuple(sorted(readable_compartment_ids(user)))
    if not ids:
        return _layer(name, source(), query)
    # the dates become datetimes at midnight of the current time zone
    key = (name, ids, query.period(), timezone.get_current_timezone_name(), query.max_points)
    box = query.bounds.as_list()

    def points() -> list[dict[str, Any]]:
        limit = query.max_points + 1
        rows = _compiled.values_rows(
            (*key, "points"), lambda *b: _points(name, source(), Bounds(*b), limit), box
        )
        return rows if rows is not None else list(_points(name, source(), query.bounds, limit))

    def cells(size: float) -> list[dict[str, Any]]:
        rows = _compiled.values_rows(
            (*key, "cells"), lambda *v: _cells(source(), Bounds(*v[:4]), v[4]), [*box, size]
        )
        return rows if rows is not None else list(_cells(source(), query.bounds, size))

    return _layer_result(name, query, points, cells)


def _index_filter(user: Any, query: MapQuery) -> gridindex.IndexFilter | None:
    """The grid index's filter for this query, or None when the index cannot answer it
    (free text, place, unit, a violation type without a bit, a box finer than its cells)."""
    f = query.incidents
    if f.q or query.place.strip() or query.unit_id or f.compartment_id:
        return None
    if cell_size_for(query.bounds) < 2.0**FINE_EXPONENT:
        return None
    bit = None
    if f.violation_type:
        bit = gridindex.violation_bit(f.violation_type)
        if bit is None:
            return None
    start, end, _ = query.period()
    return gridindex.IndexFilter(
        compartment_ids=tuple(sorted(readable_compartment_ids(user))),
        status=f.status,
        verification=f.verification,
        violation_bit=bit,
        date_from=start,
        date_to=end,
    )


def _incidents_layer(user: Any, query: MapQuery) -> LayerResult:
    """Incidents through the grid index when it can answer (counts per cell from the compact
    index; the points themselves always re-read through ``incidents_for``), else directly."""
    index_filter = _index_filter(user, query)
    if index_filter is None or query.period()[2]:
        return _layer("incidents", map_incidents_for(user, query), query)
    if not index_filter.compartment_ids:  # no compartment: nothing to count (deny by default)
        return LayerResult("incidents")
    gridindex.sync()
    size = cell_size_for(query.bounds)
    unfiltered = index_filter == gridindex.IndexFilter(index_filter.compartment_ids)
    counted: list[gridindex.CellCount] | None = None
    if unfiltered and round(math.log2(size)) in gridindex.LEVELS:
        counted = gridindex.level_counts(index_filter.compartment_ids, query.bounds, size)
    elif not unfiltered:  # per-facet counts when they can answer exactly, else the points
        counted = gridindex.facet_counts(index_filter, query.bounds, size)
    cells = (
        counted if counted is not None else gridindex.cell_counts(index_filter, query.bounds, size)
    )
    total = sum(c.count for c in cells)
    if total <= query.max_points:
        ids = gridindex.points_in(index_filter, query.bounds, size, query.max_points)
        rows = list(
            map_incidents_for(user, query)
            .filter(pk__in=ids)
            .order_by()
            .values(*POINT_FIELDS["incidents"])
        )
        return LayerResult("incidents", count=len(rows), points=rows)
    return LayerResult("incidents", count=total, aggregated=True, cell_deg=size, clusters=cells)


def map_layers_for(user: Any, query: MapQuery) -> list[LayerResult]:
    """Each requested layer, bounded, for this user."""
    sources: dict[str, Callable[[], QuerySet[Any]]] = {
        "cameras": lambda: _cameras(user, query),
        "evidence": lambda: _evidence(user, query),
    }
    return [
        _incidents_layer(user, query)
        if name == "incidents"
        else _detention_layer(user, query)
        if name == "detention"
        else _compiled_layer(name, sources[name], user, query)
        for name in query.layers
    ]


def map_rows_for(user: Any, query: MapQuery, layer: str) -> QuerySet[Any]:
    """All records of one layer matching the filters (not limited to the box): the table
    that stands in for the map without JavaScript."""
    if layer == "incidents":
        return map_incidents_for(user, query).order_by("-start", "-id")
    if layer == "detention":
        return (
            _detention(user).filter(latitude__isnull=False).order_by(unit_name_expression(), "pk")
        )
    if layer == "cameras":
        return _cameras(user, query).order_by("external_id", "id")
    if layer == "evidence":
        return _evidence(user, query).filter(latitude__isnull=False).order_by("-captured_at", "-id")
    raise ValueError(f"unknown layer {layer}")


def incident_extent_for(user: Any, query: MapQuery) -> tuple[date, date] | None:
    """First and last day (display time zone) of the filtered incidents, for the slider.
    Two ordered single-row reads on the ``start`` index, not an aggregate over everything."""
    timed = map_incidents_for(user, dataclasses.replace(query, day=None)).filter(
        start__isnull=False
    )
    first = list(timed.order_by("start").values_list("start", flat=True)[:1])
    last = list(timed.order_by("-start").values_list("start", flat=True)[:1])
    if not first or not last:
        return None
    return timezone.localtime(first[0]).date(), timezone.localtime(last[0]).date()


# --- around one incident ------------------------------------------------------------------


@dataclass(frozen=True)
class Nearby:
    """A camera (with the recordings that overlap), an evidence item, or a communication placed
    in a cell area, near an incident."""

    kind: str  # "camera" | "evidence" | "communication"
    record: Any
    distance_m: float
    reach_m: float
    recordings: tuple[Recording, ...] = ()


def near_incident_for(
    user: Any,
    incident: Incident,
    *,
    window: timedelta = timedelta(hours=1),
    extra_m: float = 200.0,
    limit: int = 50,
) -> list[Nearby]:
    """Cameras with a recording, evidence captured, and communications placed within ``window``
    of the incident's time window and within reach of its place: distance ≤ incident radius +
    the camera's field of view (the item's GPS accuracy, 100 m when unknown; the cell area's
    radius) + ``extra_m``. Nearest first. An incident without a time or a place has no neighbours (never guessed)."""
    if incident.start is None or incident.latitude is None or incident.longitude is None:
        return []
    lat, lon = incident.latitude, incident.longitude
    radius = incident.radius_m or 0.0
    t0 = incident.start - window
    t1 = (incident.end or incident.start) + window
    # a generous box first (the database), then the exact great-circle rule (here)
    reach_box = radius + extra_m + 5_000.0
    dlat = reach_box / 111_195.0
    dlon = reach_box / max(111_195.0 * cos(radians(lat)), 1e-6)
    box = Bounds(lon - dlon, lat - dlat, lon + dlon, lat + dlat)
    found: list[Nearby] = []
    spans = recordings_for(user).filter(start__lte=t1, end__gte=t0)
    cameras = _in_box(cameras_for(user), box).filter(Exists(spans.filter(camera=OuterRef("pk"))))
    for camera in cameras[:1000]:
        distance = haversine_scalar_m(lat, lon, camera.latitude, camera.longitude)
        reach = radius + camera.fov_radius_m + extra_m
        if distance <= reach:
            overlapping = tuple(spans.filter(camera=camera).order_by("start")[:5])
            found.append(Nearby("camera", camera, distance, reach, overlapping))
    items = _in_box(evidence_for(user), box).filter(
        status=EvidenceItem.Status.INGESTED, captured_at__gte=t0, captured_at__lte=t1
    )
    for item in items[:1000]:
        distance = haversine_scalar_m(lat, lon, item.latitude, item.longitude)
        reach = radius + (item.gps_accuracy_m or 100.0) + extra_m
        if distance <= reach:
            found.append(Nearby("evidence", item, distance, reach))
    cell_box = reach_box + MAX_RADIUS_M  # the widest cell area a communication may have
    dlat, dlon = cell_box / 111_195.0, cell_box / max(111_195.0 * cos(radians(lat)), 1e-6)
    calls = _in_box(
        communications_for(user), Bounds(lon - dlon, lat - dlat, lon + dlon, lat + dlat)
    ).filter(start__lte=t1, end__gte=t0, radius_m__isnull=False)
    for call in calls[:1000]:
        distance = haversine_scalar_m(lat, lon, call.latitude, call.longitude)
        reach = radius + float(call.radius_m) + extra_m
        if distance <= reach:
            found.append(Nearby("communication", call, distance, reach))
    found.sort(key=lambda n: (n.distance_m, n.kind, n.record.pk))
    return found[:limit]
