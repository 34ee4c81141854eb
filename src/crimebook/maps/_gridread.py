"""The grid index's read side: per-cell counts and point ids of a view, from ``MapPoint``
(range counts), ``MapCell`` (unfiltered views) and ``MapFacetCell`` (filtered views). How the
index is kept and why these reads are exact: :mod:`crimebook.maps._gridwrite`."""

# SQL here is assembled from table/column names quoted by the backend and integers computed in
# this module; every value that comes from a request is passed as a parameter.
# ruff: noqa: S608

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.db import connection
from django.utils import timezone

from crimebook.maps._gridday import day_cell_counts, day_points_in
from crimebook.maps._gridsql import (
    FACET_LEVELS,
    LEVELS,
    MAX_BITS,
    NO_DAY,
    SHORT_SPAN,
    _basis,
    _q,
    _violation_terms,
)
from crimebook.maps.grid import (
    FINE_EXPONENT,
    Bounds,
    cell_key_range,
    cells_touching,
    morton_codes,
)
from crimebook.maps.models import MapCell, MapFacetCell, MapPoint, MapSync
from crimebook.register.models import Term

__all__ = [
    "CellCount",
    "IndexFilter",
    "cell_counts",
    "facet_counts",
    "level_counts",
    "points_in",
    "violation_bit",
]

CHUNK = 250  # cells per UNION ALL statement (SQLite allows 500 compound terms)
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class IndexFilter:
    """The facets the index can answer: ``compartment_ids`` always (the user's readable
    compartments), the rest optional."""

    compartment_ids: tuple[int, ...]
    status: str = ""
    verification: str = ""
    violation_bit: int | None = None
    date_from: date | None = None
    date_to: date | None = None


class CellCount(NamedTuple):
    """One grid cell: column, row, count and mean position. A named tuple, not a frozen
    dataclass: a district view makes hundreds per answer, and a tuple is made in a quarter
    of the time."""

    gx: int
    gy: int
    count: int  # type: ignore[assignment]  # shadows tuple.count, as intended
    latitude: float
    longitude: float


def violation_bit(code: str) -> int | None:
    """The bit of a violation-type code in ``violation_mask`` (None: not indexable)."""
    term = Term.objects.filter(vocabulary__code="violation_type", code=code).values_list(
        "id", flat=True
    )
    ids = _violation_terms()
    found = list(term)
    if not found or found[0] not in ids:
        return None
    rank = ids.index(found[0])
    return rank if rank < MAX_BITS else None


def _period(f: IndexFilter) -> tuple[datetime, datetime] | None:
    """The selector's bounds of a date range closed at both ends (midnight starting
    ``date_from`` and the midnight ending ``date_to`` in the current time zone), as ``_facets``
    filters by them; None for an open range or bounds the calendar cannot reach."""
    if f.date_from is None or f.date_to is None:
        return None
    try:
        first = timezone.make_aware(datetime.combine(f.date_from, time.min))
        after = timezone.make_aware(datetime.combine(f.date_to, time.min)) + timedelta(days=1)
    except (OverflowError, ValueError):
        return None
    return first, after


def _facets(f: IndexFilter) -> tuple[str, list[Any]]:
    marks = ", ".join(["%s"] * len(f.compartment_ids))
    sql = [f"compartment_id IN ({marks})"]
    params: list[Any] = list(f.compartment_ids)
    if f.status:
        sql.append("status = %s")
        params.append(f.status)
    if f.verification:
        sql.append("verification = %s")
        params.append(f.verification)
    if f.violation_bit is not None:
        sql.append("(violation_mask & %s) <> 0")
        params.append(1 << f.violation_bit)
    # the selector's day boundaries (display time zone), adapted as the ORM stores them
    adapt = connection.ops.adapt_datetimefield_value
    if f.date_from:
        sql.append(f"{_q('end')} >= %s")
        params.append(adapt(timezone.make_aware(datetime.combine(f.date_from, time.min))))
    if f.date_to:
        sql.append("start < %s")
        day_end = timezone.make_aware(datetime.combine(f.date_to, time.min)) + timedelta(days=1)
        params.append(adapt(day_end))
    return " AND ".join(sql), params


def cell_counts(f: IndexFilter, bounds: Bounds, size: float) -> list[CellCount]:
    """Count, mean latitude and longitude of the indexed incidents matching ``f`` in every
    non-empty grid cell of side ``size`` touching ``bounds``."""
    if not f.compartment_ids:
        return []
    if size < 2.0**FINE_EXPONENT:
        raise ValueError("cells smaller than the index's fine cells")
    facets, facet_params = _facets(f)
    period = _period(f)
    if period is not None:  # a short date range: the points of its days only (_gridday)
        wanted = _wanted(bounds, size)
        by_day = day_cell_counts(
            (facets, facet_params), period, wanted, key_runs(sorted(wanted)), size
        )
        if by_day is not None:
            return [tuple.__new__(CellCount, c) for c in by_day]
    table = _q(MapPoint._meta.db_table)
    cells = cells_touching(bounds, size)
    out: list[CellCount] = []
    with connection.cursor() as cursor:
        for i in range(0, len(cells), CHUNK):
            chunk = cells[i : i + CHUNK]
            parts, params = [], []
            for n, (gx, gy) in enumerate(chunk):
                low, high = cell_key_range(gx, gy, size)
                parts.append(
                    f"SELECT {n}, COUNT(*), SUM(latitude), SUM(longitude) FROM {table} "
                    f"WHERE {facets} AND {_q('key')} BETWEEN %s AND %s"
                )
                params += [*facet_params, low, high]
            cursor.execute(" UNION ALL ".join(parts), params)
            for n, count, lat_sum, lon_sum in cursor.fetchall():
                if count:
                    gx, gy = chunk[int(n)]
                    out.append(CellCount(gx, gy, int(count), lat_sum / count, lon_sum / count))
    return out


MAX_RUNS = 8  # key ranges per per-cell read (level_counts)


def key_runs(keys: Sequence[int], runs: int = MAX_RUNS) -> list[tuple[int, int]]:
    """At most ``runs`` ranges covering the sorted ``keys``, split at the widest gaps: the
    fewest codes outside the wanted cells for that many ranges. A box's cells are a few
    stretches of the Z-order curve with wide detours between them; one range from the first
    to the last code read three times the rows a district view needs."""
    if not keys:
        return []
    cuts = sorted(sorted(range(1, len(keys)), key=lambda i: keys[i] - keys[i - 1])[-runs + 1 :])
    out, first = [], 0
    for cut in [c for c in cuts if keys[c] - keys[c - 1] > 1] + [len(keys)]:
        out.append((keys[first], keys[cut - 1]))
        first = cut
    return out


def level_counts(compartment_ids: Sequence[int], bounds: Bounds, size: float) -> list[CellCount]:
    """The per-cell counts of an unfiltered view, read from ``MapCell`` (one row per non-empty
    cell and compartment): no point is read. One statement, a range of keys per
    :func:`key_runs` run (``UNION ALL``), each an index range scan."""
    level = round(math.log2(size))
    if not compartment_ids or level not in LEVELS:
        raise ValueError(f"no per-cell counts at 2**{level} degrees")
    wanted = _wanted(bounds, size)
    marks = ", ".join(["%s"] * len(compartment_ids))
    table, key, count = _q(MapCell._meta.db_table), _q("key"), _q("count")
    parts, params = [], []
    for low, high in key_runs(sorted(wanted)):
        parts.append(
            f"SELECT {key}, {count}, sum_lat, sum_lon FROM {table} WHERE compartment_id IN "
            f"({marks}) AND level = %s AND {key} BETWEEN %s AND %s AND {count} > 0"
        )
        params += [*compartment_ids, level, low, high]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return _summed(cursor.fetchall(), wanted)


def _wanted(bounds: Bounds, size: float) -> dict[int, tuple[int, int]]:
    """Morton code → (column, row) of every grid cell of side ``size`` touching ``bounds``."""
    cells = cells_touching(bounds, size)
    return dict(zip(morton_codes(cells), cells, strict=True))


def _summed(
    rows: Iterable[tuple[Any, Any, float, float]], wanted: dict[int, tuple[int, int]]
) -> list[CellCount]:
    """(key, count, sum of latitudes, sum of longitudes) rows, several per cell, as one
    :class:`CellCount` per wanted non-empty cell (mean position), in key order."""
    # numbers in three dicts, not a list per cell: no container to allocate per row (the
    # garbage collector's passes over hundreds of them cost as much as the sums)
    counts: dict[int, int] = {}
    lats: dict[int, float] = {}
    lons: dict[int, float] = {}
    for key, n, sum_lat, sum_lon in rows:
        k = int(key)
        if k in counts:
            counts[k] += int(n)
            lats[k] += sum_lat
            lons[k] += sum_lon
        elif k in wanted:
            counts[k] = int(n)
            lats[k] = 0.0 + sum_lat
            lons[k] = 0.0 + sum_lon
    # tuple.__new__: what CellCount(...) calls, without its argument handling
    new, cell = tuple.__new__, CellCount
    return [
        new(cell, (*wanted[k], n, lats[k] / n, lons[k] / n))
        for k in sorted(counts)
        if (n := counts[k]) > 0
    ]


def _bound_day(d: date, offset_s: int, *, upper: bool) -> int | None:
    """The day number of a date filter's bound when the selector's bound — midnight starting
    ``d`` (or, for ``upper``, that midnight + 1 day, as the selector adds it) in the current
    time zone — is a midnight of the index's fixed offset; else None (the day counts cannot
    answer exactly)."""
    try:
        bound = timezone.make_aware(datetime.combine(d, time.min))
        day = d
        if upper:
            bound += timedelta(days=1)
            day = d + timedelta(days=1)
        fixed = datetime.combine(day, time.min, tzinfo=UTC) - timedelta(seconds=offset_s)
    except (OverflowError, ValueError):
        return None
    return (d - EPOCH).days if bound == fixed else None


def facet_counts(f: IndexFilter, bounds: Bounds, size: float) -> list[CellCount] | None:
    """Count and mean position of the indexed incidents matching ``f`` per grid cell of side
    ``size`` touching ``bounds``, summed from ``MapFacetCell`` rows without reading a point.
    None when these counts cannot answer exactly (a level without them, a date bound that is
    not a midnight of the index's offset, a violation type newer than the index): the caller
    counts points with :func:`cell_counts` instead."""
    level = round(math.log2(size))
    if level not in FACET_LEVELS or not f.compartment_ids:
        return None
    state = MapSync.objects.first()
    if state is None:
        return None
    basis = _basis(state)
    violation = 0
    if f.violation_bit is not None:
        if f.violation_bit >= basis.bits:
            return None
        violation = f.violation_bit + 1
    d1 = d2 = None
    if f.date_from is not None:
        d1 = _bound_day(f.date_from, basis.offset_s, upper=False)
        if d1 is None:
            return None
    if f.date_to is not None:
        d2 = _bound_day(f.date_to, basis.offset_s, upper=True)
        if d2 is None:
            return None
    wanted = _wanted(bounds, size)
    keys = sorted(wanted)
    marks = ", ".join(["%s"] * len(f.compartment_ids))
    head = f"compartment_id IN ({marks}) AND level = %s AND violation = %s"
    head_params: list[Any] = [*f.compartment_ids, level, violation]
    tail = f"{_q('key')} BETWEEN %s AND %s"
    tail_params: list[Any] = [keys[0], keys[-1]]
    if f.status:
        tail += " AND status = %s"
        tail_params.append(f.status)
    if f.verification:
        tail += " AND verification = %s"
        tail_params.append(f.verification)
    if f.date_from is None and f.date_to is None:
        branches: list[tuple[str, list[Any]]] = [
            ("kind = 2 AND first_day = 0 AND last_day = 0", [])
        ]
    else:
        low = d1 if d1 is not None else -NO_DAY
        high = d2 if d2 is not None else NO_DAY
        branches = [
            # short windows: their start lies at most SHORT_SPAN days before the range
            ("kind = 0 AND first_day BETWEEN %s AND %s AND last_day >= %s",
             [low - SHORT_SPAN, high, low]),
            ("kind = 1 AND first_day <= %s AND last_day >= %s", [high, low]),
        ]  # fmt: skip
    table = _q(MapFacetCell._meta.db_table)
    count = _q("count")
    parts, params = [], []
    for days, day_params in branches:
        parts.append(
            f"SELECT {_q('key')}, SUM({count}), SUM(sum_lat), SUM(sum_lon) FROM {table} "
            f"WHERE {head} AND {days} AND {tail} GROUP BY {_q('key')}"
        )
        params += [*head_params, *day_params, *tail_params]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return _summed(cursor.fetchall(), wanted)


def points_in(f: IndexFilter, bounds: Bounds, size: float, limit: int) -> list[int]:
    """Ids of up to ``limit`` indexed incidents matching ``f`` inside ``bounds``."""
    if not f.compartment_ids:
        return []
    facets, facet_params = _facets(f)
    period = _period(f)
    if period is not None:  # a short date range: the points of its days only (_gridday)
        runs = key_runs(sorted(_wanted(bounds, size)))
        found = day_points_in((facets, facet_params), period, bounds, runs, size, limit)
        if found is not None:
            return found
    table = _q(MapPoint._meta.db_table)
    ids: list[int] = []
    with connection.cursor() as cursor:
        for gx, gy in cells_touching(bounds, size):
            low, high = cell_key_range(gx, gy, size)
            cursor.execute(
                f"SELECT incident_id FROM {table} WHERE {facets} "
                f"AND {_q('key')} BETWEEN %s AND %s AND latitude BETWEEN %s AND %s "
                "AND longitude BETWEEN %s AND %s LIMIT %s",
                [*facet_params, low, high, bounds.south, bounds.north, bounds.west,
                 bounds.east, limit - len(ids) + 1],
            )  # fmt: skip
            ids += [int(row[0]) for row in cursor.fetchall()]
            if len(ids) > limit:
                break
    return ids
