"""The map's grid index (``MapPoint``, ``MapCell``, ``MapFacetCell``): kept in step with the
register through the audit log, read by per-cell range counts and summed per-cell rows.

The public face only. How the index is kept current and why its counts are exact (the
contract): :mod:`crimebook.maps._gridwrite` (rebuild, sync). Reads: :mod:`crimebook.maps._gridread`.
Constants and SQL builders both use: :mod:`crimebook.maps._gridsql`.
"""

from __future__ import annotations

from crimebook.maps._gridread import (
    CellCount,
    IndexFilter,
    cell_counts,
    facet_counts,
    level_counts,
    points_in,
    violation_bit,
)
from crimebook.maps._gridsql import FACET_LEVELS, LEVELS, NO_DAY, SHORT_SPAN
from crimebook.maps._gridwrite import MAX_ENTRIES, rebuild, refresh_statistics, sync

__all__ = [
    "FACET_LEVELS",
    "LEVELS",
    "MAX_ENTRIES",
    "NO_DAY",
    "SHORT_SPAN",
    "CellCount",
    "IndexFilter",
    "cell_counts",
    "facet_counts",
    "level_counts",
    "points_in",
    "rebuild",
    "refresh_statistics",
    "sync",
    "violation_bit",
]
