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

**Filtered views without reading points.** ``MapCell`` answers a view without facets;
``MapFacetCell`` answers status, verification, violation type and dates: per compartment,
level (2**FACET_LEVELS[0]° … 2**4°), violation type (0: any), day window, cell, status and
verification, the count and coordinate sums. A point's days are computed by the database when
it is copied (``start_day``/``end_day``: days since 1970-01-01 at a fixed UTC offset, stored
in ``MapSync``), so that the counts are derived from stored integers alike when a point is
added and when it is taken away. An incident's window overlaps the days ``D1 … D2`` of a date
filter exactly when ``first_day <= D2`` and ``last_day >= D1`` — *provided* the filter's
bounds, computed as the selector computes them (midnight in the current time zone), fall on
midnights of that fixed offset; :func:`facet_counts` checks this for every bound and answers
None otherwise (a time-zone change, a DST date), and the caller counts points instead.
"""

# SQL here is assembled from table/column names quoted by the backend and integers computed in
# this module; every value that comes from a request is passed as a parameter.
# ruff: noqa: S608

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
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
from crimebook.maps.models import MapCell, MapFacetCell, MapPoint, MapSync
from crimebook.register.models import Incident, Term

__all__ = [
    "CellCount",
    "IndexFilter",
    "cell_counts",
    "facet_counts",
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
# Levels of the per-facet counts: 2**-6 ° (about 1.7 km; a city fills a view at this level) up
# to the world. Finer levels would hold about a row per point and day each (1.6 M rows at
# 2**-9 ° for a million incidents) for a view that reads a few thousand points anyway.
FACET_LEVELS = tuple(range(-6, 5))
SHORT_SPAN = 7  # windows of at most this many days are read by a bounded range of start days
NO_DAY = 1 << 30  # an unknown start (its negative: an unknown end); outside any date filter
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


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _day_sql(column: str, offset_s: int) -> str:
    """SQL for the day number (days since 1970-01-01) of a datetime column at a fixed UTC
    offset; NULL stays NULL. PostgreSQL: timestamp arithmetic. SQLite stores UTC text
    (``YYYY-MM-DD HH:MM:SS[.ffffff]``) and compares it as text, so the day is the UTC date
    plus or minus one by a text comparison of the time of day — the same comparison the
    selector's ``start < '… 21:00:00'`` makes, free of julianday()'s millisecond rounding."""
    offset_s = int(offset_s)
    if not -86_400 < offset_s < 86_400:
        raise ValueError(f"UTC offset {offset_s} s out of range")
    if connection.vendor == "postgresql":
        return (
            f"(CAST(({column} AT TIME ZONE 'UTC') + INTERVAL '{offset_s} seconds' AS date) "
            "- DATE '1970-01-01')"
        )
    utc = f"CAST(julianday(substr({column}, 1, 10)) - 2440587.5 AS INTEGER)"
    if offset_s > 0:
        return f"({utc} + (substr({column}, 12) >= '{_clock(86_400 - offset_s)}'))"
    if offset_s < 0:
        return f"({utc} - (substr({column}, 12) < '{_clock(-offset_s)}'))"
    return utc


def _insert_sql(condition: str, offset_s: int, terms: Sequence[int]) -> str:
    """``WITH … INSERT INTO maps_mappoint … SELECT`` copying the incidents matching
    ``condition`` (a WHERE fragment on the register table), the Morton code computed by the
    database: column and row of the fine cell, their bits spread by the classic shift-and-mask
    steps, interleaved. ``terms``: the violation-type term ids behind the mask's bits;
    ``offset_s``: the UTC offset of the day numbers."""
    incident = _q(Incident._meta.db_table)
    through = _q(Incident.violation_types.through._meta.db_table)
    if connection.vendor == "postgresql":
        x = f"FLOOR((longitude + 180.0) * {FINE_PER_DEGREE}.0)::bigint"
        y = f"FLOOR((latitude + 90.0) * {FINE_PER_DEGREE}.0)::bigint"
    else:  # non-negative: CAST truncates, which is the floor
        x = f"CAST((longitude + 180.0) * {FINE_PER_DEGREE}.0 AS INTEGER)"
        y = f"CAST((latitude + 90.0) * {FINE_PER_DEGREE}.0 AS INTEGER)"
    if terms:
        whens = " ".join(f"WHEN {int(tid)} THEN {1 << bit}" for bit, tid in enumerate(terms))
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
    days = f"{_day_sql('start', offset_s)}, {_day_sql(_q('end'), offset_s)}"
    return (
        "WITH " + ", ".join(steps) + f" INSERT INTO {target} (incident_id, compartment_id, "
        f"{_q('key')}, latitude, longitude, status, verification, violation_mask, start, "
        f"{_q('end')}, start_day, end_day) SELECT id, compartment_id, x | (y << 1), latitude, "
        f"longitude, status, verification, {mask}, start, {_q('end')}, {days} FROM s5 "
        "ORDER BY compartment_id, 3"
    )  # in index order: a rebuild appends to the covering index instead of scattering


# --- keeping the per-cell counts ------------------------------------------------------------


@dataclass(frozen=True)
class _Basis:
    """What the index's rows are computed with (``MapSync``): the UTC offset of the day
    numbers and the number of violation-type bits in the masks."""

    offset_s: int
    terms: tuple[int, ...]

    @property
    def bits(self) -> int:
        return min(len(self.terms), MAX_BITS)


def _basis(state: MapSync) -> _Basis:
    terms = tuple(int(v) for v in state.violation_terms.split(",") if v.strip())
    return _Basis(int(state.day_offset_s), terms)


def _dated(start_day: int | None, end_day: int | None) -> tuple[int, int, int] | None:
    """``(kind, first_day, last_day)`` of a point's window in ``MapFacetCell`` (None: no time
    at all, counted only among every incident, kind 2). Mirrored in SQL by ``_dated_sql``."""
    if start_day is None and end_day is None:
        return None
    if start_day is None or end_day is None:
        return (
            1,
            NO_DAY if start_day is None else start_day,
            -NO_DAY if end_day is None else end_day,
        )
    return (0 if end_day - start_day <= SHORT_SPAN else 1, start_day, end_day)


def _dated_sql() -> tuple[str, str, str]:
    kind = (
        "CASE WHEN start_day IS NULL OR end_day IS NULL "
        f"OR end_day - start_day > {SHORT_SPAN} THEN 1 ELSE 0 END"
    )
    return kind, f"COALESCE(start_day, {NO_DAY})", f"COALESCE(end_day, {-NO_DAY})"


_Totals = dict[tuple[Any, ...], list[float]]

FACET_COLUMNS = (
    "compartment_id", "level", "violation", "kind", "first_day", "last_day", "key", "status",
    "verification",
)  # fmt: skip


def _add(totals: _Totals, cell: tuple[Any, ...], sign: int, lat: float, lon: float) -> None:
    total = totals.setdefault(cell, [0, 0.0, 0.0])
    total[0] += sign
    total[1] += sign * lat
    total[2] += sign * lon


def _few(cursor: Any, where: str, params: Sequence[Any]) -> list[tuple[Any, ...]] | None:
    """The points matching ``where`` when there are at most ``SMALL`` of them, else None."""
    points = _q(MapPoint._meta.db_table)
    cursor.execute(
        f"SELECT compartment_id, {_q('key')}, latitude, longitude, status, verification, "
        f"violation_mask, start_day, end_day FROM {points} WHERE {where} LIMIT {SMALL + 1}",
        list(params),
    )
    rows = cursor.fetchall()
    return None if len(rows) > SMALL else [tuple(r) for r in rows]


def _tally(
    rows: Sequence[tuple[Any, ...]], sign: int, basis: _Basis, cells: _Totals, facets: _Totals
) -> None:
    """Add (``sign`` 1) or take away (-1) a few points' share of every level's counts."""
    for compartment_id, key, lat, lon, status, verification, mask, start_day, end_day in rows:
        comp, fine = int(compartment_id), int(key)
        for level in LEVELS:
            _add(cells, (comp, level, fine >> (2 * (level - FINE_EXPONENT))), sign, lat, lon)
        types = [0] + [b + 1 for b in range(basis.bits) if int(mask) >> b & 1]
        dated = _dated(start_day, end_day)
        for level in FACET_LEVELS:
            cell = fine >> (2 * (level - FINE_EXPONENT))
            for violation in types:
                _add(facets, (comp, level, violation, 2, 0, 0, cell, status, verification),
                     sign, lat, lon)  # fmt: skip
                if dated is not None:
                    _add(facets, (comp, level, violation, *dated, cell, status, verification),
                         sign, lat, lon)  # fmt: skip


def _upsert_sql(table: str, columns: Sequence[str], source: str = "") -> str:
    """``INSERT … ON CONFLICT (the unique columns) DO UPDATE`` adding count and sums; from
    ``VALUES`` or, with ``source``, from a SELECT."""
    count = _q("count")
    names = ", ".join(_q(c) for c in columns)
    body = source or "VALUES (" + ", ".join(["%s"] * (len(columns) + 3)) + ")"
    return (
        f"INSERT INTO {table} ({names}, {count}, sum_lat, sum_lon) {body} "
        f"ON CONFLICT ({names}) DO UPDATE SET "
        f"{count} = {table}.{count} + excluded.{count}, "
        f"sum_lat = {table}.sum_lat + excluded.sum_lat, "
        f"sum_lon = {table}.sum_lon + excluded.sum_lon"
    )


def _write(cursor: Any, cells: _Totals, facets: _Totals) -> None:
    """Apply summed changes; a change of nothing (a write that moved no point) is skipped. A
    cell that reaches zero stays (readers skip it; a rebuild drops it) — finding such cells
    would cost a scan of the table on every write."""
    for table, columns, totals in (
        (MapCell._meta.db_table, ("compartment_id", "level", "key"), cells),
        (MapFacetCell._meta.db_table, FACET_COLUMNS, facets),
    ):
        rows = [
            (*cell, int(n), lat, lon)
            for cell, (n, lat, lon) in totals.items()
            if n or abs(lat) > 1e-9 or abs(lon) > 1e-9
        ]
        if rows:
            cursor.executemany(_upsert_sql(_q(table), columns), rows)


def _bulk(cursor: Any, sign: int, where: str, params: Sequence[Any], basis: _Basis) -> None:
    """Add or take away many points' share of the counts in SQL: ``MapCell`` one grouped
    upsert per level; ``MapFacetCell`` from a temporary table of the points grouped at the
    finest facet level (one row per type they have), each coarser level grouped from the
    previous one's rows."""
    points = _q(MapPoint._meta.db_table)
    cells = _q(MapCell._meta.db_table)
    for level in LEVELS:
        shift = 2 * (level - FINE_EXPONENT)
        cursor.execute(
            _upsert_sql(
                cells, ("compartment_id", "level", "key"),
                f"SELECT compartment_id, {level}, {_q('key')} >> {shift}, {sign} * COUNT(*), "
                f"{sign} * SUM(latitude), {sign} * SUM(longitude) FROM {points} WHERE {where} "
                f"GROUP BY compartment_id, {_q('key')} >> {shift}",
            ),
            list(params),
        )  # fmt: skip
    key = _q("key")
    group = f"compartment_id, violation, kind, first_day, last_day, {key}, status, verification"
    columns = f"{group}, n, slat, slon"
    for name in ("maps_facet_delta_a", "maps_facet_delta_b"):
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} (compartment_id bigint, "
            f"violation integer, kind integer, first_day integer, last_day integer, {key} "
            "bigint, status varchar(20), verification varchar(20), n bigint, "
            "slat double precision, slon double precision)"
        )
        cursor.execute(f"DELETE FROM {name}")
    bits = " UNION ALL ".join(
        ["SELECT 0 AS vt, 0 AS m"] + [f"SELECT {b + 1}, {1 << b}" for b in range(basis.bits)]
    )
    kind, first, last = _dated_sql()
    shift = 2 * (FACET_LEVELS[0] - FINE_EXPONENT)
    for days, only in (
        ("2, 0, 0", ""),
        (f"{kind}, {first}, {last}", "AND (start_day IS NOT NULL OR end_day IS NOT NULL)"),
    ):
        cursor.execute(
            f"INSERT INTO maps_facet_delta_a ({columns}) SELECT compartment_id, b.vt, {days}, "
            f"{key} >> {shift}, status, verification, COUNT(*), SUM(latitude), "
            f"SUM(longitude) FROM {points} JOIN ({bits}) b "
            f"ON b.vt = 0 OR (violation_mask & b.m) <> 0 WHERE {where} {only} "
            f"GROUP BY compartment_id, b.vt, 3, 4, 5, {key} >> {shift}, status, verification",
            list(params),
        )  # fmt: skip
    facets = _q(MapFacetCell._meta.db_table)
    current, following = "maps_facet_delta_a", "maps_facet_delta_b"
    for i, level in enumerate(FACET_LEVELS):
        cursor.execute(
            _upsert_sql(
                facets, FACET_COLUMNS,
                f"SELECT compartment_id, {level}, violation, kind, first_day, last_day, {key}, "
                f"status, verification, {sign} * n, {sign} * slat, {sign} * slon "
                f"FROM {current} WHERE 1 = 1 ORDER BY compartment_id, violation, kind, "
                f"first_day, last_day, {key}",
            )
        )  # fmt: skip
        if i + 1 < len(FACET_LEVELS):
            cursor.execute(f"DELETE FROM {following}")
            cursor.execute(
                f"INSERT INTO {following} ({columns}) SELECT compartment_id, violation, kind, "
                f"first_day, last_day, {key} >> 2, status, verification, SUM(n), SUM(slat), "
                f"SUM(slon) FROM {current} GROUP BY compartment_id, violation, kind, first_day, "
                f"last_day, {key} >> 2, status, verification"
            )
            current, following = following, current


def _copy(basis: _Basis, ids: Sequence[int] = (), ranges: Sequence[tuple[int, int]] = ()) -> None:
    """Copy the named incidents into the index again, their old share of the counts taken
    away and the new one added (netted when few: an edit that moved nothing writes nothing)."""
    target = _q(MapPoint._meta.db_table)
    batches: list[tuple[str, str, list[int]]] = []
    for i in range(0, len(ids), ID_CHUNK):
        chunk = [int(v) for v in ids[i : i + ID_CHUNK]]
        marks = ", ".join(["%s"] * len(chunk))
        batches.append((f"incident_id IN ({marks})", f"id IN ({marks})", chunk))
    for first, last in ranges:
        bounds = [int(first), int(last)]
        batches.append(("incident_id BETWEEN %s AND %s", "id BETWEEN %s AND %s", bounds))
    with connection.cursor() as cursor:
        for where, source, params in batches:
            cells: _Totals = {}
            facets: _Totals = {}
            before = _few(cursor, where, params)
            if before is None:
                _bulk(cursor, -1, where, params, basis)
            else:
                _tally(before, -1, basis, cells, facets)
            cursor.execute(f"DELETE FROM {target} WHERE {where}", params)
            cursor.execute(_insert_sql(source, basis.offset_s, basis.terms), params)
            after = _few(cursor, where, params)
            if after is None:
                _bulk(cursor, 1, where, params, basis)
            else:
                _tally(after, 1, basis, cells, facets)
            _write(cursor, cells, facets)


def _head() -> int:
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True)[:1]
    found = list(last)
    return int(found[0]) if found else 0


def _current_offset() -> int:
    """The display time zone's UTC offset now, in seconds: the fixed offset of day numbers."""
    offset = timezone.now().astimezone(timezone.get_default_timezone()).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def rebuild() -> int:
    """Copy every placed incident into the index again; returns the audit sequence number it
    is current with."""
    with transaction.atomic():
        head = _head()
        basis = _Basis(_current_offset(), tuple(_violation_terms()[:MAX_BITS]))
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {_q(MapPoint._meta.db_table)}")
            cursor.execute(f"DELETE FROM {_q(MapCell._meta.db_table)}")
            cursor.execute(f"DELETE FROM {_q(MapFacetCell._meta.db_table)}")
            cursor.execute(_insert_sql("1 = 1", basis.offset_s, basis.terms))
            _bulk(cursor, 1, "1 = 1", [], basis)
        state = MapSync.objects.select_for_update().first() or MapSync()
        state.audit_seq = head
        state.rebuilt_at = timezone.now()
        state.day_offset_s = basis.offset_s
        state.violation_terms = ",".join(str(t) for t in basis.terms)
        state.save()
    return head


def refresh_statistics() -> None:
    """``ANALYZE`` the index tables after a rebuild (outside its transaction). PostgreSQL:
    ``VACUUM ANALYZE``, which also sets the visibility map so the covering indexes are read
    index-only (a rebuilt index without it: filtered country view 164 / 231 ms p50 / p95 at
    1 M incidents, with it 12 / 15 ms). SQLite, or inside a transaction (VACUUM cannot run
    in one): ``ANALYZE`` (planner statistics)."""
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    command = "VACUUM ANALYZE" if vacuum else "ANALYZE"
    with connection.cursor() as cursor:
        for model in (MapPoint, MapCell, MapFacetCell):
            cursor.execute(f"{command} {_q(model._meta.db_table)}")


def _named(
    entries: Iterable[tuple[str, Any, str]],
) -> tuple[list[int], list[tuple[int, int]]] | None:
    """Incident ids and id ranges the audit entries name; None when one cannot be read. An
    import's closing summary (``object_id="*"``, no ids) is skipped: the entries before it
    name every row it wrote (a bulk batch's ``ids``, a service-mode row's own entry)."""
    ids: list[int] = []
    ranges: list[tuple[int, int]] = []
    for object_id, changes, action in entries:
        if action == "import" and object_id == "*" and not _names_rows(changes):
            continue
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


def _names_rows(changes: Any) -> bool:
    return isinstance(changes, dict) and "ids" in changes


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
        basis = _basis(state)
        terms = tuple(_violation_terms()[:MAX_BITS])
        if terms[: len(basis.terms)] != basis.terms:
            rebuild()  # a violation type gone: the masks' bits no longer mean what they did
            return
        if terms != basis.terms:  # new types only take the next bits: nothing to recount
            basis = _Basis(basis.offset_s, terms)
            state.violation_terms = ",".join(str(t) for t in terms)
        entries = AuditEntry.objects.filter(
            seq__gt=state.audit_seq, seq__lte=head, object_type="register.incident"
        ).values_list("object_id", "changes", "action")[: MAX_ENTRIES + 1]
        rows = list(entries)
        named = _named(rows) if len(rows) <= MAX_ENTRIES else None
        if named is None:
            rebuild()
            return
        _copy(basis, *named)
        state.audit_seq = head
        state.save(update_fields=["audit_seq", "violation_terms"])


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
    rows = MapCell.objects.filter(
        compartment_id__in=list(compartment_ids),
        level=level,
        key__gte=keys[0],
        key__lte=keys[-1],
        count__gt=0,
    ).values_list("key", "count", "sum_lat", "sum_lon")
    return _summed(rows, wanted)


def _summed(
    rows: Iterable[tuple[Any, Any, float, float]], wanted: dict[int, tuple[int, int]]
) -> list[CellCount]:
    """(key, count, sum of latitudes, sum of longitudes) rows, several per cell, as one
    :class:`CellCount` per wanted non-empty cell (mean position), in key order."""
    totals: dict[int, list[float]] = {}
    for key, n, sum_lat, sum_lon in rows:
        if int(key) in wanted:
            total = totals.setdefault(int(key), [0, 0.0, 0.0])
            total[0] += int(n)
            total[1] += sum_lat
            total[2] += sum_lon
    return [
        CellCount(*wanted[key], int(n), lat / n, lon / n)
        for key, (n, lat, lon) in sorted(totals.items())
        if n > 0
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
    wanted = {morton(gx, gy): (gx, gy) for gx, gy in cells_touching(bounds, size)}
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
