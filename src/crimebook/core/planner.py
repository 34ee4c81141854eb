"""The query planner's statistics on the embedded SQLite database.

SQLite has no autovacuum: without ``sqlite_stat1`` (or with one taken when a table was a
hundredth of its size) its planner misjudges the large tables — measured at 1,000,000
incidents, a list page scanned a whole compartment (0.8 s instead of 50 ms). A bulk import
analyses after it commits; a register that grows by forms, the API and small imports is
covered here: every hour a worker (``crimebook.jobs.queue.planner_statistics``) analyses each
large table that was never analysed or has doubled since, in full (0.2–0.7 s per table of
a million rows; a sampled ``ANALYZE`` would only estimate the row counts). PostgreSQL's
autovacuum analyses by itself, so nothing is done there.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

__all__ = ["MIN_ROWS", "refresh_if_stale", "stale_tables", "watched_tables"]

MIN_ROWS = 10_000  # smaller tables are read quickly whatever the plan
GROWTH = 2  # analysed again once a table has this many times the rows it had


def watched_tables() -> list[str]:
    """The tables the workspace's large reads plan over (register, search, map index)."""
    from crimebook.maps.models import MapCell, MapFacetCell, MapPoint
    from crimebook.register.models import Act, Incident, Person
    from crimebook.search.models import SearchDoc, SearchTag

    models: list[Any] = [
        Incident, Incident.violation_types.through, Act, Person,
        SearchDoc, SearchTag, MapPoint, MapCell, MapFacetCell,
    ]  # fmt: skip
    return [m._meta.db_table for m in models]


def _analysed_rows(cursor: Any) -> dict[str, int]:
    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
    if cursor.fetchone() is None:
        return {}
    cursor.execute("SELECT tbl, stat FROM sqlite_stat1")
    rows: dict[str, int] = {}
    for table, stat in cursor.fetchall():
        first = str(stat or "").split(" ", 1)[0]
        if first.isdigit():
            rows[table] = max(rows.get(table, 0), int(first))
    return rows


def stale_tables(min_rows: int = MIN_ROWS) -> list[str]:
    """The watched tables of at least ``min_rows`` rows never analysed or grown ``GROWTH``
    times since; always empty on PostgreSQL."""
    if connection.vendor != "sqlite":
        return []
    stale = []
    with connection.cursor() as cursor:
        analysed = _analysed_rows(cursor)
        for table in watched_tables():
            name = connection.ops.quote_name(table)
            before = analysed.get(table)
            threshold = max(min_rows, GROWTH * before if before is not None else 0, 1)
            # the largest rowid bounds the rows from above and is read from the end of the
            # b-tree; only a table that may have grown enough is counted (COUNT(*) of nine
            # tables of a million rows: 1.7 s)
            cursor.execute(f"SELECT MAX(rowid) FROM {name}")  # noqa: S608 - a model's table
            if int(cursor.fetchone()[0] or 0) < threshold:
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {name}")  # noqa: S608 - a model's table
            if int(cursor.fetchone()[0]) >= threshold:
                stale.append(table)
    return stale


def refresh_if_stale(min_rows: int = MIN_ROWS) -> list[str]:
    """Analyse the stale tables (see :func:`stale_tables`) in full, so ``sqlite_stat1`` holds
    their exact row counts (a sampled ``ANALYZE`` estimates them: 182,336 for 1,000,000);
    0.2–0.7 s per table of a million rows. The names of those analysed."""
    tables = stale_tables(min_rows)
    if tables:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit = 0")  # no sampling: exact counts
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return tables
