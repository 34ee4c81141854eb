"""The map's grid index (``MapPoint``): kept in step with the register through the audit log,
read by per-cell range counts.

**Keeping it current.** Every write to an incident appends an audit entry (``register.incident``
with the id, or a bulk import's batch entry with ``changes["ids"]`` as ``[first, last]`` runs).
Before a map answers, :func:`sync` compares the audit head with the sequence number the index
was last brought to (``MapSync``, one row; one index read when nothing changed), then re-copies
exactly the incidents named by the entries in between — in SQL, ``DELETE`` + ``INSERT …
SELECT`` with the Morton code computed by the database. An entry it cannot read, more than
``MAX_ENTRIES`` entries, or no ``MapSync`` row yet: the index is rebuilt from the register.
A deleted incident's point stays until its audit entry is synced (no cascade), then goes
with its share of the cell counts. The sync runs in one
transaction holding the ``MapSync`` row, so two requests never apply the same entries twice.

**Reading it.** A view asks for the aligned cells of side 2**e° touching its box (e ≥ -12):
each is one contiguous range of Morton codes, counted (with the sum of latitudes and longitudes
for the cell's centroid) from the covering index ``(compartment_id, key, facets…, latitude,
longitude)`` — up to 250 cells per ``UNION ALL`` statement. Work is proportional to the points
in the box at the index's few bytes per point, never to the width of the register table, and
there is no ``GROUP BY`` sort.
"""

# SQL here is assembled from table/column names quoted by the backend and integers computed in
# this module; every value that comes from a request is passed as a parameter.
# ruff: noqa: S608

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from crimebook.audit.models import AuditEntry
from crimebook.maps.grid import (
    FINE_EXPONENT,
    FINE_PER_DEGREE,
    SPREAD_STEPS,
    Bounds,
    cell_key_range,
    cells_touching,
    morton,
)
from crimebook.maps.models import MapCell, MapPoint, MapSync
from crimebook.register.models import Incident, Term

__all__ = [
    "CellCount",
    "IndexFilter",
    "cell_counts",
    "points_in",
    "rebuild",
    "sync",
    "violation_bit",
]

MAX_ENTRIES = 20_000  # more incident entries than this since the last sync: rebuild instead
CHUNK = 250  # cells per UNION ALL statement (SQLite allows 500 compound terms)
ID_CHUNK = 500
SMALL = 200  # up to this many changed points, per-level totals are summed in Python
MAX_BITS = 62
# Levels of the per-cell counts: cells of 2**-12 ° (the fine cells) up to 2**4 ° (the world).
LEVELS = tuple(range(FINE_EXPONENT, 5))


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


@dataclass(frozen=True)
class CellCount:
    gx: int
    gy: int
    count: int
    latitude: float
    longitude: float


def _violation_terms() -> list[int]:
    return list(
        Term.objects.filter(vocabulary__code="violation_type")
        .order_by("id")
        .values_list("id", flat=True)
    )


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


def _q(name: str) -> str:
    return str(connection.ops.quote_name(name))


def _insert_sql(condition: str) -> str:
    """``WITH … INSERT INTO maps_mappoint … SELECT`` copying the incidents matching
    ``condition`` (a WHERE fragment on the register table), the Morton code computed by the
    database: column and row of the fine cell, their bits spread by the classic shift-and-mask
    steps, interleaved."""
    incident = _q(Incident._meta.db_table)
    through = _q(Incident.violation_types.through._meta.db_table)
    if connection.vendor == "postgresql":
        x = f"FLOOR((longitude + 180.0) * {FINE_PER_DEGREE}.0)::bigint"
        y = f"FLOOR((latitude + 90.0) * {FINE_PER_DEGREE}.0)::bigint"
    else:  # non-negative: CAST truncates, which is the floor
        x = f"CAST((longitude + 180.0) * {FINE_PER_DEGREE}.0 AS INTEGER)"
        y = f"CAST((latitude + 90.0) * {FINE_PER_DEGREE}.0 AS INTEGER)"
    terms = _violation_terms()[:MAX_BITS]
    if terms:
        whens = " ".join(f"WHEN {tid} THEN {1 << bit}" for bit, tid in enumerate(terms))
        mask = (
            f"(SELECT COALESCE(SUM(CASE vt.term_id {whens} ELSE 0 END), 0) FROM {through} vt "
            f"WHERE vt.incident_id = s5.id)"
        )
    else:
        mask = "0"
    cols = "id, compartment_id, latitude, longitude, status, verification, start, " + _q("end")
    steps = [f"s0 AS (SELECT {cols}, {x} AS x, {y} AS y FROM {incident} WHERE {condition} "
             "AND latitude IS NOT NULL AND longitude IS NOT NULL)"]  # fmt: skip
    for i, (shift, m) in enumerate(SPREAD_STEPS, start=1):
        steps.append(
            f"s{i} AS (SELECT {cols}, (x | (x << {shift})) & {m} AS x, "
            f"(y | (y << {shift})) & {m} AS y FROM s{i - 1})"
        )
    target = _q(MapPoint._meta.db_table)
    return (
        "WITH " + ", ".join(steps) + f" INSERT INTO {target} (incident_id, compartment_id, "
        f"{_q('key')}, latitude, longitude, status, verification, violation_mask, start, "
        f"{_q('end')}) SELECT id, compartment_id, x | (y << 1), latitude, longitude, status, "
        f"verification, {mask}, start, {_q('end')} FROM s5 ORDER BY compartment_id, 3"
    )  # in index order: a rebuild appends to the covering index instead of scattering


def _adjust(cursor: Any, sign: int, where: str, params: Sequence[Any]) -> None:
    """Add (``sign`` 1) or take away (-1) the points matching ``where`` from the per-cell
    counts of every level: one upsert per level, touching only the cells of those points. A
    cell that reaches zero stays (readers skip it; a rebuild drops it) — finding such cells
    would cost a scan of the table on every write."""
    points = _q(MapPoint._meta.db_table)
    cells = _q(MapCell._meta.db_table)
    count = _q("count")
    upsert = (
        f"INSERT INTO {cells} (compartment_id, level, {_q('key')}, {count}, sum_lat, sum_lon) "
        "VALUES (%s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT (compartment_id, level, {_q('key')}) DO UPDATE SET "
        f"{count} = {cells}.{count} + excluded.{count}, "
        f"sum_lat = {cells}.sum_lat + excluded.sum_lat, "
        f"sum_lon = {cells}.sum_lon + excluded.sum_lon"
    )
    cursor.execute(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {points} WHERE {where} LIMIT {SMALL + 1}) few",
        list(params),
    )
    if int(cursor.fetchone()[0]) <= SMALL:
        # a few points (the usual write): their totals per level in Python, one executemany
        cursor.execute(
            f"SELECT compartment_id, {_q('key')}, latitude, longitude FROM {points} WHERE {where}",
            list(params),
        )
        totals: dict[tuple[int, int, int], list[float]] = {}
        for compartment_id, key, lat, lon in cursor.fetchall():
            for level in LEVELS:
                cell = (int(compartment_id), level, int(key) >> (2 * (level - FINE_EXPONENT)))
                total = totals.setdefault(cell, [0, 0.0, 0.0])
                total[0] += sign
                total[1] += sign * lat
                total[2] += sign * lon
        rows = [(*cell, int(n), lat, lon) for cell, (n, lat, lon) in totals.items()]
        if rows:
            cursor.executemany(upsert, rows)
        return
    for level in LEVELS:
        shift = 2 * (level - FINE_EXPONENT)
        cursor.execute(
            f"INSERT INTO {cells} (compartment_id, level, {_q('key')}, {count}, sum_lat, sum_lon) "
            f"SELECT compartment_id, {level}, {_q('key')} >> {shift}, {sign} * COUNT(*), "
            f"{sign} * SUM(latitude), {sign} * SUM(longitude) FROM {points} WHERE {where} "
            f"GROUP BY compartment_id, {_q('key')} >> {shift} "
            f"ON CONFLICT (compartment_id, level, {_q('key')}) DO UPDATE SET "
            f"{count} = {cells}.{count} + excluded.{count}, "
            f"sum_lat = {cells}.sum_lat + excluded.sum_lat, "
            f"sum_lon = {cells}.sum_lon + excluded.sum_lon",
            list(params),
        )


def _copy(ids: Sequence[int] = (), ranges: Sequence[tuple[int, int]] = ()) -> None:
    target = _q(MapPoint._meta.db_table)
    with connection.cursor() as cursor:
        for i in range(0, len(ids), ID_CHUNK):
            chunk = [int(v) for v in ids[i : i + ID_CHUNK]]
            marks = ", ".join(["%s"] * len(chunk))
            where = f"incident_id IN ({marks})"
            _adjust(cursor, -1, where, chunk)
            cursor.execute(f"DELETE FROM {target} WHERE {where}", chunk)
            cursor.execute(_insert_sql(f"id IN ({marks})"), chunk)
            _adjust(cursor, 1, where, chunk)
        for first, last in ranges:
            bounds = [int(first), int(last)]
            where = "incident_id BETWEEN %s AND %s"
            _adjust(cursor, -1, where, bounds)
            cursor.execute(f"DELETE FROM {target} WHERE {where}", bounds)
            cursor.execute(_insert_sql("id BETWEEN %s AND %s"), bounds)
            _adjust(cursor, 1, where, bounds)


def _head() -> int:
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True)[:1]
    found = list(last)
    return int(found[0]) if found else 0


def rebuild() -> int:
    """Copy every placed incident into the index again; returns the audit sequence number it
    is current with."""
    with transaction.atomic():
        head = _head()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {_q(MapPoint._meta.db_table)}")
            cursor.execute(f"DELETE FROM {_q(MapCell._meta.db_table)}")
            cursor.execute(_insert_sql("1 = 1"))
            _adjust(cursor, 1, "1 = 1", [])
        state = MapSync.objects.select_for_update().first() or MapSync()
        state.audit_seq = head
        state.rebuilt_at = timezone.now()
        state.save()
    return head


def _named(entries: Iterable[tuple[str, Any]]) -> tuple[list[int], list[tuple[int, int]]] | None:
    """Incident ids and id ranges the audit entries name; None when one cannot be read."""
    ids: list[int] = []
    ranges: list[tuple[int, int]] = []
    for object_id, changes in entries:
        if str(object_id).isdigit():
            ids.append(int(object_id))
            continue
        runs = changes.get("ids") if isinstance(changes, dict) else None
        if not isinstance(runs, list):
            return None
        for run in runs:
            if not (
                isinstance(run, list) and len(run) == 2 and all(isinstance(v, int) for v in run)
            ):
                return None
            ranges.append((run[0], run[1]))
    return sorted(set(ids)), ranges


def sync() -> None:
    """Bring the index up to the audit head (see the module docstring)."""
    head = _head()
    state = MapSync.objects.first()
    if state is not None and state.audit_seq >= head:
        return
    with transaction.atomic():
        state = MapSync.objects.select_for_update().first()
        if state is None:
            rebuild()
            return
        head = _head()
        if state.audit_seq >= head:
            return
        entries = AuditEntry.objects.filter(
            seq__gt=state.audit_seq, seq__lte=head, object_type="register.incident"
        ).values_list("object_id", "changes")[: MAX_ENTRIES + 1]
        rows = list(entries)
        named = _named(rows) if len(rows) <= MAX_ENTRIES else None
        if named is None:
            rebuild()
            return
        _copy(*named)
        state.audit_seq = head
        state.save(update_fields=["audit_seq"])


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


def level_counts(compartment_ids: Sequence[int], bounds: Bounds, size: float) -> list[CellCount]:
    """The per-cell counts of an unfiltered view, read from ``MapCell`` (one row per non-empty
    cell and compartment): no point is read."""
    level = round(math.log2(size))
    if not compartment_ids or level not in LEVELS:
        raise ValueError(f"no per-cell counts at 2**{level} degrees")
    wanted = {morton(gx, gy): (gx, gy) for gx, gy in cells_touching(bounds, size)}
    keys = sorted(wanted)
    totals: dict[int, list[float]] = {}
    rows = MapCell.objects.filter(
        compartment_id__in=list(compartment_ids),
        level=level,
        key__gte=keys[0],
        key__lte=keys[-1],
        count__gt=0,
    ).values_list("key", "count", "sum_lat", "sum_lon")
    for key, count, sum_lat, sum_lon in rows:
        if key in wanted:
            total = totals.setdefault(key, [0, 0.0, 0.0])
            total[0] += count
            total[1] += sum_lat
            total[2] += sum_lon
    return [
        CellCount(*wanted[key], int(n), lat / n, lon / n)
        for key, (n, lat, lon) in sorted(totals.items())
        if n > 0
    ]


def points_in(f: IndexFilter, bounds: Bounds, size: float, limit: int) -> list[int]:
    """Ids of up to ``limit`` indexed incidents matching ``f`` inside ``bounds``."""
    if not f.compartment_ids:
        return []
    facets, facet_params = _facets(f)
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
