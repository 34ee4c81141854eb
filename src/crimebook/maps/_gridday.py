"""The grid index's points read by day: per-cell counts and point ids of a view filtered by a
date range, from the covering index ``maps_point_days`` (compartment, span, start day, key, …).

A point whose window spans ``s`` ≤ ``SHORT_SPAN`` days (``MapPoint.span``, its end day minus
its start day) overlaps days ``D1 … D2`` only if its start day is one of ``D1 - s … D2``: for
each span and each of those start days the read *seeks* the view's key ranges, so a district
and one day reads that day's points of the district (and the day before's that cross
midnight), not every day's. Longer and half-open windows (span ``SPAN_LONG``) are read by
key alone, points without any time (``SPAN_NONE``) never. The day numbers only narrow the
read: every row still passes the selector's own conditions (``_gridread._facets``: the
datetimes of midnight in the current time zone), so the answer is exact whatever the zone.

The old read path (:func:`crimebook.maps._gridread.cell_counts`) counts per cell in SQL over
the covering index ``maps_point_cover`` in its order. Here the matching rows come back sorted
in that order and are summed in Python one by one — the same IEEE additions in the same order
as the databases' ``SUM`` — so the mean positions, and the answer, are the same to the byte."""

# SQL here is assembled from table/column names quoted by the backend and integers computed in
# this module; every value that comes from a request is passed as a parameter.
# ruff: noqa: S608

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection

from crimebook.maps._gridsql import SHORT_SPAN, SPAN_LONG, _q
from crimebook.maps.grid import FINE_EXPONENT, Bounds
from crimebook.maps.models import MapPoint, MapSync

__all__ = ["MAX_DAYS", "day_cell_counts", "day_points_in", "fine_runs"]

MAX_DAYS = 31  # a longer date range (or an open one) is read by key (``cell_counts``)
# the covering index ``maps_point_cover``'s columns after the key: the old read's sum order
COVER_ORDER = ("status", "verification", "violation_mask", "start", "end", "latitude", "longitude")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _day(moment: datetime, offset_s: int) -> int:
    """The day number of an aware ``moment`` at the fixed UTC offset (as ``_gridsql._day_sql``
    computes a stored one): days since 1970-01-01, floored."""
    return (moment - EPOCH + timedelta(seconds=offset_s)).days


def _day_range(date_from: datetime, date_to: datetime) -> tuple[int, int] | None:
    """The index's day numbers that a point's window must reach to pass ``end >= date_from``
    and ``start < date_to`` (the selector's bounds as ``_facets`` passes them): its end day is
    at least the first, its start day at most the second. None: no index yet, or a range of
    more than ``MAX_DAYS`` days."""
    offset = MapSync.objects.values_list("day_offset_s", flat=True).first()
    if offset is None:
        return None
    # start < date_to ⇒ start ≤ date_to - 1 µs (stored times have microseconds at most)
    low, high = _day(date_from, offset), _day(date_to - timedelta(microseconds=1), offset)
    return None if high - low + 1 > MAX_DAYS else (low, high)


def _parts(
    columns: str, conditions: str, days: tuple[int, int], runs: list[tuple[int, int]]
) -> str:
    """``UNION ALL`` of index reads. Windows within one day and those crossing one midnight
    (nearly all) by the start days they can have (an ``IN`` list: a seek per day) and each
    key range of ``runs``; those of 2 … SHORT_SPAN days the same way, span by span, over the
    whole stretch of keys from the first range to the last (fewer parts: PostgreSQL plans
    each one, 72 parts took 10 ms); longer and half-open windows by that stretch of keys
    alone (``maps_point_long``). Each part takes the parameters of ``conditions`` once."""
    low, high = days
    whole = [(runs[0][0], runs[-1][1])]
    branches = []
    for span in range(SHORT_SPAN + 1):
        starts = ", ".join(str(d) for d in range(low - span, high + 1))
        if starts:  # none when the range ends before it starts (reversed dates)
            branches.append(
                (f"span = {span} AND start_day IN ({starts})", runs if span < 2 else whole)
            )
    branches.append((f"span = {SPAN_LONG}", whole))
    table, key = _q(MapPoint._meta.db_table), _q("key")
    return " UNION ALL ".join(
        f"SELECT {columns} FROM {table} WHERE {conditions} AND {branch} "
        f"AND {key} BETWEEN {int(lo)} AND {int(hi)}"
        for branch, ranges in branches
        for lo, hi in ranges
    )


def fine_runs(runs: list[tuple[int, int]], size: float) -> list[tuple[int, int]]:
    """Ranges of cell codes at the level of ``size`` as ranges of fine keys."""
    shift = 2 * (round(math.log2(size)) - FINE_EXPONENT)
    return [(lo << shift, ((hi + 1) << shift) - 1) for lo, hi in runs]


def day_cell_counts(
    facets: tuple[str, list[Any]],
    period: tuple[datetime, datetime],
    wanted: dict[int, tuple[int, int]],
    runs: list[tuple[int, int]],
    size: float,
) -> list[tuple[int, int, int, float, float]] | None:
    """(column, row, count, mean latitude, mean longitude) of each non-empty cell of
    ``wanted`` (cell code at the level of ``size`` → column, row; in its order), counting the
    points that pass ``facets`` (SQL and parameters, holding ``end >= period[0] AND start <
    period[1]``) in the cell-code ``runs`` that cover ``wanted``. None when the day read does
    not apply (see :func:`_day_range`)."""
    days = _day_range(*period)
    if days is None:
        return None
    key = _q("key")
    shift = 2 * (round(math.log2(size)) - FINE_EXPONENT)
    cover = ", ".join(_q(c) for c in COVER_ORDER)
    inner = _parts(
        f"{key} >> {shift} AS cell, compartment_id, {key}, {cover}",
        facets[0], days, fine_runs(runs, size),
    )  # fmt: skip
    parts = inner.count(" UNION ALL ") + 1
    sql = (
        f"SELECT cell, latitude, longitude FROM ({inner}) AS p "
        f"ORDER BY cell, compartment_id, {key}, {cover}"
    )
    counts: dict[int, int] = {}
    lats: dict[int, float] = {}
    lons: dict[int, float] = {}
    # PostgreSQL's SUM starts from the first value, SQLite's adds it to 0.0 (only -0.0 differs)
    zero = 0.0 if connection.vendor != "postgresql" else -0.0
    with connection.cursor() as cursor:
        cursor.execute(sql, facets[1] * parts)
        for cell, lat, lon in cursor.fetchall():
            if cell in counts:
                counts[cell] += 1
                lats[cell] += lat
                lons[cell] += lon
            elif cell in wanted:
                counts[cell] = 1
                lats[cell] = zero + lat
                lons[cell] = zero + lon
    return [
        (*wanted[k], n, lats[k] / n, lons[k] / n) for k in wanted if (n := counts.get(k, 0)) > 0
    ]


def day_points_in(
    facets: tuple[str, list[Any]],
    period: tuple[datetime, datetime],
    bounds: Bounds,
    runs: list[tuple[int, int]],
    size: float,
    limit: int,
) -> list[int] | None:
    """Ids of up to ``limit`` + 1 points passing ``facets`` inside ``bounds``, read from the
    fine keys of the cell-code ``runs``; None when the day read does not apply."""
    days = _day_range(*period)
    if days is None:
        return None
    box = "latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s"
    inner = _parts("incident_id", f"{facets[0]} AND {box}", days, fine_runs(runs, size))
    params = [*facets[1], bounds.south, bounds.north, bounds.west, bounds.east]
    parts = inner.count(" UNION ALL ") + 1
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT incident_id FROM ({inner}) AS p LIMIT {int(limit) + 1}", params * parts
        )
        return [int(row[0]) for row in cursor.fetchall()]
