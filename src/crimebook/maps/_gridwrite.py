"""The grid index's write side (``MapPoint``, ``MapCell``, ``MapFacetCell``): kept in step
with the register through the audit log, read by per-cell range counts
(:mod:`crimebook.maps._gridread`); the public face is :mod:`crimebook.maps.gridindex`.

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
midnights of that fixed offset; ``_gridread.facet_counts`` checks this for every bound and
answers None otherwise (a time-zone change, a DST date), and the caller counts points instead.
"""

# SQL here is assembled from table/column names quoted by the backend and integers computed in
# this module; every value that comes from a request is passed as a parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from crimebook.audit.models import AuditEntry
from crimebook.maps._gridsql import (
    FACET_COLUMNS,
    FACET_LEVELS,
    LEVELS,
    MAX_BITS,
    _Basis,
    _basis,
    _dated,
    _dated_sql,
    _insert_sql,
    _q,
    _upsert_sql,
    _violation_terms,
)
from crimebook.maps.grid import FINE_EXPONENT
from crimebook.maps.models import MapCell, MapFacetCell, MapPoint, MapSync
from crimebook.register.changes import incidents_named

__all__ = ["rebuild", "refresh_statistics", "sync"]

MAX_ENTRIES = 20_000  # more incident entries than this since the last sync: rebuild instead
ID_CHUNK = 500
SMALL = 200  # up to this many changed points, per-level totals are summed in Python


# --- keeping the per-cell counts ------------------------------------------------------------


_Totals = dict[tuple[Any, ...], list[float]]


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


def _current() -> bool:
    """Whether the index has reached the audit head: one statement reading both (the
    audit table's primary key and the one ``MapSync`` row), the check every map answer makes."""
    audit, sync_table = _q(AuditEntry._meta.db_table), _q(MapSync._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT audit_seq FROM {sync_table} ORDER BY id LIMIT 1), "
            f"(SELECT seq FROM {audit} ORDER BY seq DESC LIMIT 1)"
        )
        row = cursor.fetchone()
    return row is not None and row[0] is not None and int(row[0]) >= int(row[1] or 0)


def sync() -> None:
    """Bring the index up to the audit head (see the module docstring)."""
    if _current():
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
        named = incidents_named(rows) if len(rows) <= MAX_ENTRIES else None
        if named is None:
            rebuild()
            return
        _copy(basis, *named)
        state.audit_seq = head
        state.save(update_fields=["audit_seq", "violation_terms"])
