"""What the grid index's write and read sides share: its levels and day constants, the
basis its rows are computed with (``MapSync``), and the SQL builders that copy incidents into
``MapPoint`` and add to the counts (with their Python mirrors). The contract is in
:mod:`crimebook.maps._gridwrite`; the public face is :mod:`crimebook.maps.gridindex`."""

# SQL here is assembled from table/column names quoted by the backend and integers computed in
# this module; every value that comes from a request is passed as a parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

from crimebook.maps.grid import FINE_EXPONENT, FINE_PER_DEGREE, SPREAD_STEPS
from crimebook.maps.models import MapPoint, MapSync
from crimebook.register.models import Incident, Term

MAX_BITS = 62
# Levels of the per-cell counts: cells of 2**-12 ° (the fine cells) up to 2**4 ° (the world).
LEVELS = tuple(range(FINE_EXPONENT, 5))
# Levels of the per-facet counts: 2**-6 ° (about 1.7 km; a city fills a view at this level) up
# to the world. Finer levels would hold about a row per point and day each (1.6 M rows at
# 2**-9 ° for a million incidents) for a view that reads a few thousand points anyway.
FACET_LEVELS = tuple(range(-6, 5))
SHORT_SPAN = 7  # windows of at most this many days are read by a bounded range of start days
NO_DAY = 1 << 30  # an unknown start (its negative: an unknown end); outside any date filter
SPAN_LONG = SHORT_SPAN + 1  # MapPoint.span: a longer window, one end unknown, end before start
SPAN_NONE = SHORT_SPAN + 2  # MapPoint.span: no time at all

FACET_COLUMNS = (
    "compartment_id", "level", "violation", "kind", "first_day", "last_day", "key", "status",
    "verification",
)  # fmt: skip


def _violation_terms() -> list[int]:
    return list(
        Term.objects.filter(vocabulary__code="violation_type")
        .order_by("id")
        .values_list("id", flat=True)
    )


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
    last = f"s{len(SPREAD_STEPS) + 1}"  # the step that adds the day numbers
    if terms:
        whens = " ".join(f"WHEN {int(tid)} THEN {1 << bit}" for bit, tid in enumerate(terms))
        mask = (
            f"(SELECT COALESCE(SUM(CASE vt.term_id {whens} ELSE 0 END), 0) FROM {through} vt "
            f"WHERE vt.incident_id = {last}.id)"
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
    steps.append(
        f"{last} AS (SELECT {cols}, x, y, {_day_sql('start', offset_s)} AS start_day, "
        f"{_day_sql(_q('end'), offset_s)} AS end_day FROM s{len(SPREAD_STEPS)})"
    )
    target = _q(MapPoint._meta.db_table)
    return (
        "WITH " + ", ".join(steps) + f" INSERT INTO {target} (incident_id, compartment_id, "
        f"{_q('key')}, latitude, longitude, status, verification, violation_mask, start, "
        f"{_q('end')}, start_day, end_day, span) SELECT id, compartment_id, x | (y << 1), "
        f"latitude, longitude, status, verification, {mask}, start, {_q('end')}, start_day, "
        f"end_day, {_span_sql()} FROM {last} "
        "ORDER BY compartment_id, 3"
    )  # in index order: a rebuild appends to the covering index instead of scattering


def _span_sql() -> str:
    """SQL of ``MapPoint.span`` from the row's ``start_day`` and ``end_day``."""
    return (
        f"CASE WHEN start_day IS NULL AND end_day IS NULL THEN {SPAN_NONE} "
        "WHEN start_day IS NULL OR end_day IS NULL OR end_day < start_day "
        f"OR end_day - start_day > {SHORT_SPAN} THEN {SPAN_LONG} "
        "ELSE end_day - start_day END"
    )


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
