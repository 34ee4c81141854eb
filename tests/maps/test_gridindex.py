"""The map's grid index: it follows audited writes (service writes, bulk imports, unreadable
entries → rebuild), and its per-cell counts equal the direct aggregation over ``incidents_for``
for every facet it answers, compartment by compartment."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from django.utils import timezone

from crimebook.accounts.models import Compartment
from crimebook.accounts.services import compartment_create
from crimebook.audit.services import audit_record
from crimebook.maps import gridindex
from crimebook.maps.grid import Bounds, cell_size_for, cells_touching
from crimebook.maps.models import MapFacetCell, MapPoint, MapSync
from crimebook.maps.selectors import MapQuery, map_incidents_for, map_layers_for
from crimebook.register import services as s
from crimebook.register.models import Incident, Term
from crimebook.register.selectors import IncidentFilter

pytestmark = pytest.mark.django_db

BELARUS = Bounds(23.0, 51.2, 32.8, 56.2)
MINSK = Bounds(27.40, 53.83, 27.70, 53.97)
TYPES = ("torture", "arbitrary_detention", "excessive_force")


def bulk_incidents(compartment: Compartment, rows: list[dict[str, Any]]) -> list[int]:
    """Rows inserted the way the bulk importer does: one batch, one audit entry naming them."""
    created = Incident.objects.bulk_create(Incident(compartment=compartment, **r) for r in rows)
    ids = sorted(i.pk for i in created)
    audit_record(
        actor=None, action="import", object_type="register.incident",
        object_id=f"{ids[0]}..{ids[-1]}", changes={"ids": [[ids[0], ids[-1]]]},
    )  # fmt: skip
    return ids


def _random_rows(rng: random.Random, n: int) -> list[dict[str, Any]]:
    rows = []
    for _ in range(n):
        start = datetime(2020, 8, 9, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 24 * 20))
        spot = rng.choice([(53.90, 27.55, 0.05), (52.10, 23.73, 0.1), (55.18, 30.20, 0.3)])
        rows.append({
            "title": "r", "latitude": spot[0] + rng.gauss(0, spot[2]),
            "longitude": spot[1] + rng.gauss(0, spot[2]), "radius_m": 100.0,
            "start": start, "end": start + timedelta(hours=rng.choice((1, 30))),
            "status": rng.choice(("reported", "verified")),
            "verification": rng.choice(("unverified", "verified")),
        })  # fmt: skip
    return rows


def _edge_rows() -> list[dict[str, Any]]:
    """Windows the day counts must get exactly right: open at one end, long, none at all,
    and starts a microsecond either side of Minsk midnight (21:00 UTC)."""
    at = {"title": "edge", "latitude": 53.9, "longitude": 27.56, "radius_m": 50.0}
    midnight = datetime(2020, 8, 11, 21, tzinfo=UTC)  # 12 Aug 00:00 in Minsk
    tick = timedelta(microseconds=1)
    return [
        {**at, "start": None, "end": datetime(2020, 8, 13, 12, tzinfo=UTC)},
        {**at, "start": datetime(2020, 8, 13, 12, tzinfo=UTC), "end": None},
        {**at, "start": None, "end": None},
        {**at, "start": datetime(2020, 7, 1, tzinfo=UTC), "end": datetime(2020, 9, 1, tzinfo=UTC)},
        {**at, "start": datetime(2020, 8, 1, tzinfo=UTC), "end": midnight - tick},
        {**at, "start": midnight, "end": midnight + timedelta(hours=1)},
        {**at, "start": midnight - tick, "end": midnight - tick},
        {**at, "start": midnight - timedelta(days=9), "end": midnight},
        {**at, "start": datetime(2020, 8, 14, 20, 59, 59, tzinfo=UTC),
         "end": datetime(2020, 8, 14, 21, tzinfo=UTC), "status": "verified"},
    ]  # fmt: skip


def _direct(user: Any, query: MapQuery, size: float) -> dict[tuple[int, int], int]:
    counts: dict[tuple[int, int], int] = {}
    qs = map_incidents_for(user, query).filter(latitude__isnull=False, longitude__isnull=False)
    for lat, lon in qs.values_list("latitude", "longitude"):
        key = (int((lon + 180.0) // size), int((lat + 90.0) // size))
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_index_counts_equal_the_selector_for_every_facet(make_user: Any) -> None:
    rng = random.Random(7)
    a = compartment_create(actor=None, name="Grid A")
    b = compartment_create(actor=None, name="Grid B")
    ids_a = bulk_incidents(a, _random_rows(rng, 900) + _edge_rows())
    bulk_incidents(b, _random_rows(rng, 400) + _edge_rows())
    through = Incident.violation_types.through
    terms = {code: Term.objects.get(vocabulary__code="violation_type", code=code) for code in TYPES}
    through.objects.bulk_create(
        through(incident_id=pk, term_id=terms[code].pk)
        for pk in ids_a for code in TYPES if rng.random() < 0.4
    )  # fmt: skip
    audit_record(actor=None, action="update", object_type="register.incident",
                 object_id="types", changes={"ids": [[ids_a[0], ids_a[-1]]]})  # fmt: skip
    user = make_user(compartments=(a,))
    both = make_user(compartments=(a, b))
    gridindex.sync()
    cases = [
        IncidentFilter(),
        IncidentFilter(status="verified"),
        IncidentFilter(verification="unverified", violation_type="torture"),
        IncidentFilter(violation_type="excessive_force"),
        IncidentFilter(date_from=date(2020, 8, 12), date_to=date(2020, 8, 14)),
        IncidentFilter(status="reported", date_from=date(2020, 8, 20)),
        IncidentFilter(date_to=date(2020, 8, 11)),
        IncidentFilter(date_from=date(2020, 8, 12), date_to=date(2020, 8, 12)),
        IncidentFilter(date_from=date(2020, 8, 11), date_to=date(2020, 8, 11)),
        IncidentFilter(date_from=date(2020, 8, 14), date_to=date(2020, 8, 15), status="verified"),
        IncidentFilter(violation_type="torture", date_from=date(2020, 8, 9),
                       date_to=date(2020, 8, 21)),
        IncidentFilter(violation_type="arbitrary_detention", verification="verified",
                       status="reported", date_from=date(2020, 8, 13)),
        IncidentFilter(date_from=date(2020, 6, 1), date_to=date(2020, 6, 30)),
    ]  # fmt: skip
    for who in (user, both):
        readable = tuple(sorted(c.pk for c in (a, b) if who is both or c is a))
        for filters in cases:
            for bounds in (BELARUS, MINSK):
                query = MapQuery(bounds=bounds, incidents=filters)
                size = cell_size_for(bounds)
                bit = (
                    gridindex.violation_bit(filters.violation_type)
                    if filters.violation_type
                    else None
                )
                index_filter = gridindex.IndexFilter(
                    compartment_ids=readable, status=filters.status,
                    verification=filters.verification, violation_bit=bit,
                    date_from=filters.date_from, date_to=filters.date_to,
                )  # fmt: skip
                got = {
                    (c.gx, c.gy): c.count for c in gridindex.cell_counts(index_filter, bounds, size)
                }
                touching = set(cells_touching(bounds, size))
                want = {k: v for k, v in _direct(who, query, size).items() if k in touching}
                assert got == want, (filters, bounds)
                if filters != IncidentFilter():  # the stored per-facet counts agree too
                    summed = gridindex.facet_counts(index_filter, bounds, size)
                    assert summed is not None, (filters, bounds)
                    assert {(c.gx, c.gy): c.count for c in summed} == want, (filters, bounds)
                    by_cell = {
                        (c.gx, c.gy): c for c in gridindex.cell_counts(index_filter, bounds, size)
                    }
                    for c in summed:
                        assert c.latitude == pytest.approx(by_cell[(c.gx, c.gy)].latitude)
                        assert c.longitude == pytest.approx(by_cell[(c.gx, c.gy)].longitude)
                    # and the map's answer is the selector's count, whatever path it took
                    (layer,) = map_layers_for(
                        who, MapQuery(bounds=bounds, incidents=filters, layers=("incidents",))
                    )
                    in_box = map_incidents_for(who, query).filter(
                        latitude__gte=bounds.south, latitude__lte=bounds.north,
                        longitude__gte=bounds.west, longitude__lte=bounds.east,
                    )  # fmt: skip
                    expected = sum(want.values()) if layer.aggregated else in_box.count()
                    assert layer.count == expected, (filters, bounds)
                if filters == IncidentFilter():  # the stored per-level counts agree too
                    stored = gridindex.level_counts(readable, bounds, size)
                    assert {(c.gx, c.gy): c.count for c in stored} == want
                    by_cell = {
                        (c.gx, c.gy): c for c in gridindex.cell_counts(index_filter, bounds, size)
                    }
                    for c in stored:
                        assert c.latitude == pytest.approx(by_cell[(c.gx, c.gy)].latitude)


def test_the_index_follows_audited_writes(make_user: Any) -> None:
    a = compartment_create(actor=None, name="Grid follow A")
    b = compartment_create(actor=None, name="Grid follow B")
    user = make_user(compartments=(a,))
    query = MapQuery(bounds=MINSK, layers=("incidents",))

    def shown() -> set[int]:
        (layer,) = map_layers_for(user, query)
        return {row["pk"] for row in layer.points}

    assert shown() == set()
    assert MapSync.objects.get().audit_seq > 0 or MapSync.objects.exists()
    data = s.IncidentData(
        compartment_id=a.pk, title="Service write", start=datetime(2020, 8, 10, 19, tzinfo=UTC),
        end=datetime(2020, 8, 10, 20, tzinfo=UTC), precision="hour", place_name="Minsk",
        latitude=53.90, longitude=27.55, radius_m=100.0, violation_types=("torture",),
    )  # fmt: skip
    incident = s.incident_create(actor=None, data=data)
    assert shown() == {incident.pk}
    # moved out of the box by an update: gone from the box
    moved = s.IncidentData(**{**data.__dict__, "latitude": 52.1, "longitude": 23.7})
    s.incident_update(actor=None, incident=incident, data=moved)
    assert shown() == set()
    assert MapPoint.objects.get(incident_id=incident.pk).latitude == 52.1
    # into another compartment: never counted for this user
    back = s.IncidentData(**{**data.__dict__, "compartment_id": b.pk})
    s.incident_update(actor=None, incident=Incident.objects.get(pk=incident.pk), data=back)
    assert shown() == set()
    assert MapPoint.objects.get(incident_id=incident.pk).compartment_id == b.pk
    # a bulk import's batch entry
    ids = bulk_incidents(a, [{"title": "bulk", "latitude": 53.91, "longitude": 27.56}] * 3)
    assert shown() == set(ids)
    # an entry the index cannot read: it rebuilds from the register, still exact
    Incident.objects.filter(pk=ids[0]).update(latitude=53.92)
    audit_record(actor=None, action="update", object_type="register.incident",
                 object_id="odd", changes={"note": "no ids here"})  # fmt: skip
    assert shown() == set(ids)
    assert MapPoint.objects.get(incident_id=ids[0]).latitude == 53.92
    # a deletion, audited: the point and its share of every cell count go
    Incident.objects.filter(pk=ids[1]).delete()
    audit_record(actor=None, action="delete", object_type="register.incident",
                 object_id=str(ids[1]), changes={})  # fmt: skip
    assert shown() == {ids[0], ids[2]}
    assert not MapPoint.objects.filter(incident_id=ids[1]).exists()
    # after moves, compartment changes and a rebuild, the per-level counts match the points
    for compartments in ((a.pk,), (b.pk,), (a.pk, b.pk)):
        for size, box in (
            (2.0**-12, Bounds(27.54, 53.89, 27.57, 53.93)),
            (2.0**-6, MINSK),
            (0.5, BELARUS),
            (16.0, BELARUS),
        ):
            stored = gridindex.level_counts(compartments, box, size)
            counted = gridindex.cell_counts(gridindex.IndexFilter(compartments), box, size)
            assert {(c.gx, c.gy, c.count) for c in stored} == {
                (c.gx, c.gy, c.count) for c in counted
            }
    # nothing changed: no work beyond reading the audit head
    before = MapSync.objects.get().audit_seq
    gridindex.sync()
    assert MapSync.objects.get().audit_seq == before


def test_the_layer_uses_the_index_for_cells_and_the_selector_for_points(make_user: Any) -> None:
    a = compartment_create(actor=None, name="Grid layer A")
    user = make_user(compartments=(a,))
    bulk_incidents(a, [{"title": f"p{i}", "latitude": 53.9 + i * 1e-4, "longitude": 27.55}
                       for i in range(40)])  # fmt: skip
    few = MapQuery(bounds=MINSK, layers=("incidents",), max_points=50)
    (layer,) = map_layers_for(user, few)
    assert not layer.aggregated and layer.count == 40
    many = MapQuery(bounds=MINSK, layers=("incidents",), max_points=10)
    (layer,) = map_layers_for(user, many)
    assert layer.aggregated and layer.count == 40
    assert sum(c.count for c in layer.clusters) == 40
    # a free-text facet cannot be answered by the index: the direct path gives the same count
    text = MapQuery(bounds=MINSK, layers=("incidents",), max_points=10,
                    incidents=IncidentFilter(q="p"))  # fmt: skip
    (direct,) = map_layers_for(user, text)
    assert direct.aggregated and direct.count == 40


def test_day_counts_refuse_bounds_off_the_index_midnights(make_user: Any) -> None:
    """In another time zone the filter's midnights are not the index's: the per-day counts
    say so (None) and the map counts points instead, still equal to the selector."""
    a = compartment_create(actor=None, name="Grid zone A")
    user = make_user(compartments=(a,))
    bulk_incidents(a, _random_rows(random.Random(3), 300) + _edge_rows())
    gridindex.sync()
    filters = IncidentFilter(date_from=date(2020, 8, 12), date_to=date(2020, 8, 14))
    index_filter = gridindex.IndexFilter(
        (a.pk,), date_from=filters.date_from, date_to=filters.date_to
    )
    size = cell_size_for(MINSK)
    assert gridindex.facet_counts(index_filter, MINSK, size) is not None
    with timezone.override("UTC"):
        assert gridindex.facet_counts(index_filter, MINSK, size) is None
        query = MapQuery(bounds=MINSK, incidents=filters, layers=("incidents",), max_points=10)
        (layer,) = map_layers_for(user, query)
        assert layer.aggregated
        touching = set(cells_touching(MINSK, size))
        direct = _direct(user, query, size)
        assert layer.count == sum(v for k, v in direct.items() if k in touching)
    # a date bound the index cannot reach (the last day there is) also falls back
    far = gridindex.IndexFilter((a.pk,), date_to=date.max)
    assert gridindex.facet_counts(far, MINSK, size) is None
    # a level without per-facet counts
    assert gridindex.facet_counts(index_filter, MINSK, 2.0**-11) is None


def _facet_rows() -> dict[tuple[Any, ...], int]:
    return {
        row[:-1]: row[-1]
        for row in MapFacetCell.objects.exclude(count=0).values_list(
            "compartment_id", "level", "violation", "kind", "first_day", "last_day", "key",
            "status", "verification", "count",
        )
    }  # fmt: skip


def test_written_counts_equal_a_rebuild(make_user: Any) -> None:
    """Counts kept write by write (service writes, a bulk batch, moves, a new violation
    type, a deletion) are the counts a rebuild computes from the register."""
    a = compartment_create(actor=None, name="Grid keep A")
    b = compartment_create(actor=None, name="Grid keep B")
    ids = bulk_incidents(a, _random_rows(random.Random(5), 260) + _edge_rows())
    gridindex.sync()
    data = s.IncidentData(
        compartment_id=a.pk, title="Kept", start=datetime(2020, 8, 10, 19, tzinfo=UTC),
        end=datetime(2020, 8, 12, 20, tzinfo=UTC), precision="hour", place_name="Minsk",
        latitude=53.90, longitude=27.55, radius_m=100.0,
        violation_types=("torture", "excessive_force"),
    )  # fmt: skip
    one = s.incident_create(actor=None, data=data)
    gridindex.sync()
    s.incident_update(
        actor=None, incident=one,
        data=s.IncidentData(**{**data.__dict__, "compartment_id": b.pk, "end": None,
                               "violation_types": ("torture",), "latitude": 52.1}),
    )  # fmt: skip
    Incident.objects.filter(pk__in=ids[:250]).update(status="verified")  # > SMALL: in SQL
    audit_record(actor=None, action="update", object_type="register.incident",
                 object_id="batch", changes={"ids": [[ids[0], ids[249]]]})  # fmt: skip
    Incident.objects.filter(pk=ids[-1]).delete()
    audit_record(actor=None, action="delete", object_type="register.incident",
                 object_id=str(ids[-1]), changes={})  # fmt: skip
    gridindex.sync()
    kept = _facet_rows()
    assert kept
    gridindex.rebuild()
    assert _facet_rows() == kept


@pytest.mark.django_db(transaction=True)
def test_map_reindex_command_rebuilds_audits_and_refreshes_statistics() -> None:
    """``crimebook map reindex`` outside any transaction, as an operator runs it: the index is
    rebuilt from the register (rows written around the audit log included), the rebuild is
    audited, and the planner statistics step (PostgreSQL: VACUUM ANALYZE) runs after it."""
    from typer.testing import CliRunner

    from crimebook.audit.models import AuditEntry
    from crimebook.cli.app import app

    compartment = compartment_create(actor=None, name="Grid reindex")
    rows = _random_rows(random.Random(7), 12)
    Incident.objects.bulk_create(Incident(compartment=compartment, **r) for r in rows)
    placed = Incident.objects.filter(latitude__isnull=False).count()
    result = CliRunner().invoke(app, ["map", "reindex"])
    assert result.exit_code == 0, result.output
    assert f"{placed} incidents in the map's grid index" in result.output
    assert MapPoint.objects.count() == placed
    entry = AuditEntry.objects.filter(object_type="maps.index").order_by("-seq").first()
    assert entry is not None and entry.changes["points"] == placed


def test_an_import_summary_entry_does_not_rebuild_the_index(make_user: Any) -> None:
    """``records_import`` ends with a summary entry (``object_id="*"``, no ids) after the
    entries that name its rows: the sync copies the named rows and does not rebuild the
    whole index (at 1 M incidents a rebuild is a minute inside a map request)."""
    from crimebook.interchange.formats.records import IncidentRecord, RowOk
    from crimebook.interchange.imports import ImportOptions, records_import

    compartment = compartment_create(actor=None, name="Grid import summary")
    user = make_user(compartments=(compartment,))
    bulk_incidents(compartment, _random_rows(random.Random(3), 5))
    gridindex.sync()
    built = MapSync.objects.get().rebuilt_at
    assert built is not None
    for bulk in (False, True):
        rows = [
            RowOk(n, IncidentRecord(
                title=f"Fictitious import {n}", external_id=f"sum-{bulk}-{n}",
                start=datetime(2020, 8, 10, 20, tzinfo=UTC), latitude=53.9, longitude=27.55,
                radius_m=100.0,
            ))
            for n in range(2, 5)
        ]  # fmt: skip
        summary = records_import(
            actor=None, kind="incidents", rows=rows,
            options=ImportOptions(compartment_id=compartment.pk, bulk=bulk),
            on_error=lambda error: None,
        )  # fmt: skip
        assert summary.committed and summary.created == 3
        gridindex.sync()
        assert MapSync.objects.get().rebuilt_at == built  # copied, not rebuilt
    imported = set(
        Incident.objects.filter(external_id__startswith="sum-").values_list("pk", flat=True)
    )
    assert len(imported) == 6
    assert imported <= set(MapPoint.objects.values_list("incident_id", flat=True))
    (layer,) = map_layers_for(user, MapQuery(bounds=MINSK, layers=("incidents",)))
    assert imported <= {row["pk"] for row in layer.points}


def test_key_runs_cover_every_wanted_cell_and_skip_the_widest_gaps() -> None:
    from crimebook.maps._gridread import MAX_RUNS, key_runs
    from crimebook.maps.grid import morton_codes

    for bounds in (BELARUS, MINSK, Bounds(27.535, 53.885, 27.575, 53.925)):
        size = cell_size_for(bounds)
        keys = sorted(morton_codes(cells_touching(bounds, size)))
        runs = key_runs(keys)
        assert 1 <= len(runs) <= MAX_RUNS
        assert all(a <= b < c for (a, b), (c, _d) in pairwise(runs))
        assert all(any(a <= k <= b for a, b in runs) for k in keys)
        assert {a for a, _b in runs} | {b for _a, b in runs} <= set(keys)
        # the gaps skipped between runs are the widest: none left inside a run is wider
        skipped = [c - b for (_a, b), (c, _d) in pairwise(runs)]
        starts = {a for a, _b in runs}
        inside = [k2 - k1 for k1, k2 in pairwise(keys) if k2 not in starts]
        assert len(runs) < MAX_RUNS or min(skipped) >= max(inside)
    assert key_runs([]) == [] and key_runs([7]) == [(7, 7)]
    assert key_runs([1, 2, 3, 10, 11, 50]) == [(1, 3), (10, 11), (50, 50)]
