"""The grid index's day read (``maps._gridday``): a view filtered by a closed date range of up
to ``MAX_DAYS`` days reads the points of those days only, and answers exactly what the read by
key answers — the same cells in the same order with the same floats, the same point ids — and
what the selector selects, for windows of every span, across the day bounds, half-open, long,
without time and ending before they start, in one compartment and two, in another time zone."""

from __future__ import annotations

import importlib
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crimebook.accounts.services import compartment_create
from crimebook.audit.services import audit_record
from crimebook.maps import _gridday, gridindex
from crimebook.maps._gridsql import SPAN_LONG, SPAN_NONE
from crimebook.maps.grid import Bounds, cell_size_for, cells_touching
from crimebook.maps.models import MapPoint
from crimebook.maps.selectors import MapQuery, map_incidents_for
from crimebook.register.models import Incident, Term
from crimebook.register.selectors import IncidentFilter
from tests.maps.test_gridindex import bulk_incidents

pytestmark = pytest.mark.django_db

DISTRICT = Bounds(27.535, 53.885, 27.575, 53.925)  # cells of 2**-9 °: below the facet levels
MINSK = Bounds(27.40, 53.83, 27.70, 53.97)
MIDNIGHT = datetime(2020, 8, 9, 21, tzinfo=UTC)  # 10 Aug 00:00 in Minsk
TICK = timedelta(microseconds=1)
LENGTHS = (
    timedelta(0), timedelta(hours=1), timedelta(days=1) - TICK, timedelta(days=1),
    timedelta(days=2, hours=1), timedelta(days=7), timedelta(days=7) + TICK,
    timedelta(days=8), timedelta(days=30), -timedelta(hours=5),
)  # fmt: skip


def _rows(rng: random.Random, n: int) -> list[dict[str, Any]]:
    """Windows starting a microsecond either side of Minsk midnights (and at other hours) of
    every length above, a few open at one end or without time; many points per fine cell
    (a district of 0.04°), so that the order of the sums matters."""
    rows = []
    for i in range(n):
        day = MIDNIGHT + timedelta(days=rng.randrange(-9, 12))
        start = day + rng.choice((-TICK, timedelta(0), TICK, timedelta(hours=rng.randrange(24))))
        end = start + rng.choice(LENGTHS)
        if i % 23 == 0:
            start = None
        elif i % 29 == 0:
            end = None
        elif i % 31 == 0:
            start = end = None
        rows.append({
            "title": "d", "radius_m": 50.0, "start": start, "end": end,
            "latitude": 53.905 + rng.gauss(0, 0.012), "longitude": 27.555 + rng.gauss(0, 0.012),
            "status": rng.choice(("reported", "verified", "under_review")),
            "verification": rng.choice(("unverified", "verified")),
        })  # fmt: skip
    return rows


def _key_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn the day read off: every read goes by key, as before it existed."""
    monkeypatch.setattr(_gridday, "MAX_DAYS", 0)


def _direct(user: Any, filters: IncidentFilter, bounds: Bounds) -> dict[tuple[int, int], int]:
    size = cell_size_for(bounds)
    touching = set(cells_touching(bounds, size))
    query = MapQuery(bounds=bounds, incidents=filters)
    counts: dict[tuple[int, int], int] = {}
    rows = map_incidents_for(user, query).filter(latitude__isnull=False)
    for lat, lon in rows.values_list("latitude", "longitude"):
        cell = (int((lon + 180.0) // size), int((lat + 90.0) // size))
        if cell in touching:
            counts[cell] = counts.get(cell, 0) + 1
    return counts


@pytest.fixture
def register(make_user: Any) -> dict[str, Any]:
    rng = random.Random(11)
    a = compartment_create(actor=None, name="Day A")
    b = compartment_create(actor=None, name="Day B")
    ids = bulk_incidents(a, _rows(rng, 900))
    bulk_incidents(b, _rows(rng, 300))
    torture = Term.objects.get(vocabulary__code="violation_type", code="torture")
    through = Incident.violation_types.through
    through.objects.bulk_create(
        through(incident_id=pk, term_id=torture.pk) for pk in ids if rng.random() < 0.4
    )
    audit_record(actor=None, action="update", object_type="register.incident",
                 object_id="types", changes={"ids": [[ids[0], ids[-1]]]})  # fmt: skip
    gridindex.sync()
    return {
        "one": make_user(compartments=(a,)),
        "both": make_user(compartments=(a, b)),
        "ids": {"one": (a.pk,), "both": tuple(sorted((a.pk, b.pk)))},
    }


CLOSED = [
    IncidentFilter(date_from=date(2020, 8, 10), date_to=date(2020, 8, 10)),
    IncidentFilter(date_from=date(2020, 8, 11), date_to=date(2020, 8, 12), status="verified"),
    IncidentFilter(violation_type="torture", date_from=date(2020, 8, 10),
                   date_to=date(2020, 8, 16)),
    IncidentFilter(verification="unverified", date_from=date(2020, 8, 2),
                   date_to=date(2020, 8, 31)),
    IncidentFilter(date_from=date(2020, 8, 25), date_to=date(2020, 8, 25)),
    # reversed: the map answers none (MapQuery.period: empty) without asking the index;
    # asked anyway, the day read still answers what the key read answers
    IncidentFilter(date_from=date(2020, 8, 14), date_to=date(2020, 8, 11)),
    IncidentFilter(date_from=date(2020, 8, 25), date_to=date(2020, 8, 11)),
]  # fmt: skip
OPEN_OR_LONG = [
    IncidentFilter(date_from=date(2020, 8, 12)),
    IncidentFilter(date_to=date(2020, 8, 12)),
    IncidentFilter(date_from=date(2020, 7, 1), date_to=date(2020, 8, 31)),
]


def _filter(who: str, register: dict[str, Any], filters: IncidentFilter) -> Any:
    bit = gridindex.violation_bit(filters.violation_type) if filters.violation_type else None
    return gridindex.IndexFilter(
        compartment_ids=register["ids"][who], status=filters.status,
        verification=filters.verification, violation_bit=bit,
        date_from=filters.date_from, date_to=filters.date_to,
    )  # fmt: skip


@pytest.mark.parametrize("zone", ["Europe/Minsk", "America/New_York"])
def test_the_day_read_answers_what_the_key_read_and_the_selector_answer(
    register: dict[str, Any], monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    # GIVEN points of every window length around Minsk midnights, in two compartments
    with timezone.override(zone):
        for who in ("one", "both"):
            for filters in CLOSED + OPEN_OR_LONG:
                for bounds in (DISTRICT, MINSK):
                    f = _filter(who, register, filters)
                    size = cell_size_for(bounds)
                    # WHEN the cells and the point ids are read with the day read on …
                    with CaptureQueriesContext(connection) as captured:
                        cells = gridindex.cell_counts(f, bounds, size)
                        ids = gridindex.points_in(f, bounds, size, 10_000)
                    used = sum(" span = " in q["sql"] for q in captured.captured_queries)
                    # … and off
                    with monkeypatch.context() as m:
                        _key_read(m)
                        by_key = gridindex.cell_counts(f, bounds, size)
                        ids_by_key = gridindex.points_in(f, bounds, size, 10_000)
                    # THEN the day read answers a closed range of up to 31 days, nothing else
                    assert used == (2 if filters in CLOSED else 0), (filters, zone)
                    # AND its cells are the key read's, counts and floats alike (the key read's
                    # order on PostgreSQL is its parallel plan's: compared sorted) …
                    assert sorted(cells) == sorted(by_key), (who, filters, bounds, zone)
                    if connection.vendor == "sqlite":
                        assert cells == by_key
                    # … in the order of cells_touching (the key read's where its plan keeps it)
                    order = {cell: i for i, cell in enumerate(cells_touching(bounds, size))}
                    if filters in CLOSED:
                        at = [order[c.gx, c.gy] for c in cells]
                        assert at == sorted(at)
                    assert sorted(ids) == sorted(ids_by_key)
                    # AND the selector's counts (a reversed range: the map's layer answers none)
                    want = _direct(register[who], filters, bounds)
                    reversed_range = (
                        filters.date_from
                        and filters.date_to
                        and (filters.date_from > filters.date_to)
                    )
                    if not reversed_range:
                        assert {(c.gx, c.gy): c.count for c in cells} == want, (filters, zone)


def test_the_day_read_stops_at_the_limit(register: dict[str, Any]) -> None:
    # GIVEN a closed range with more points in view than the limit
    f = _filter("both", register, CLOSED[3])
    size = cell_size_for(MINSK)
    # WHEN the point ids are asked for with a limit of 5
    ids = gridindex.points_in(f, MINSK, size, 5)
    # THEN one more than the limit comes back (the caller's "too many" signal)
    assert len(ids) == 6


def test_span_is_the_days_between_start_and_end_and_the_migration_computes_it_alike(
    register: dict[str, Any],
) -> None:
    # GIVEN the index as a sync copied it
    points = list(MapPoint.objects.values_list("incident_id", "start_day", "end_day", "span"))
    # THEN span is the end day minus the start day up to 7, else long, or none without time
    for _, first, last, span in points:
        if first is None and last is None:
            assert span == SPAN_NONE
        elif first is None or last is None or last < first or last - first > 7:
            assert span == SPAN_LONG
        else:
            assert span == last - first
    assert {p[3] for p in points} >= {0, 1, 2, 7, SPAN_LONG, SPAN_NONE}
    # WHEN the migration's statement recomputes every point's span
    MapPoint.objects.update(span=-1)
    migration = importlib.import_module("crimebook.maps.migrations.0005_point_days")
    with connection.cursor() as cursor:
        cursor.execute(migration.SPAN)
    # THEN it computes what the copy did
    assert sorted(MapPoint.objects.values_list("incident_id", "start_day", "end_day", "span")) == (
        sorted(points)
    )
