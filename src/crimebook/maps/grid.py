"""PURE: the map's view box, the aggregation grid and parameter parsing (no Django).

A request names a box ``west,south,east,north`` in WGS84 degrees. When a layer has more
points in the box than a page may draw, the database groups them into square grid cells; the
cell size is the box's larger side divided by :data:`GRID_CELLS`, rounded *up* to a power of
two of degrees, and cells are aligned to multiples of that size from (-180, -90). Aligned,
power-of-two cells mean that panning the map does not move the cluster boundaries and that
each zoom level's cells split exactly into the next one's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

__all__ = [
    "GRID_CELLS",
    "LAYERS",
    "WORLD",
    "BadParameter",
    "Bounds",
    "cell_size_for",
    "parse_bbox",
    "parse_day",
    "parse_layers",
]

# About this many cells along the larger side of the view: a few hundred clusters at most.
GRID_CELLS = 32
# The smallest cell: 2**-14 degrees, about 7 m of latitude; below that points are drawn.
MIN_CELL_EXPONENT = -14
LAYERS = ("incidents", "detention", "cameras", "evidence")


class BadParameter(ValueError):
    """A map request parameter that cannot be used; the message says which and why."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Bounds:
    west: float
    south: float
    east: float
    north: float

    @property
    def width(self) -> float:
        return self.east - self.west

    @property
    def height(self) -> float:
        return self.north - self.south

    def as_list(self) -> list[float]:
        return [self.west, self.south, self.east, self.north]


WORLD = Bounds(-180.0, -90.0, 180.0, 90.0)


def parse_bbox(text: str | None) -> Bounds:
    """``west,south,east,north`` in degrees; empty means the whole world.

    Rejected with a reason: not four numbers, not finite, out of range, an empty box, or a
    box crossing the antimeridian (west > east; send two requests instead)."""
    if text is None or not text.strip():
        return WORLD
    parts = text.split(",")
    if len(parts) != 4:
        raise BadParameter("bbox", "format", "give four numbers: west,south,east,north (degrees)")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise BadParameter(
            "bbox", "format", "give four numbers: west,south,east,north (degrees)"
        ) from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise BadParameter("bbox", "finite", "coordinates must be finite numbers")
    if not (-90.0 <= south <= 90.0 and -90.0 <= north <= 90.0):
        raise BadParameter("bbox", "latitude", "latitudes must lie between -90 and 90")
    # Leaflet reports longitudes beyond ±180 when the world is panned; clamp those.
    west, east = max(west, -180.0), min(east, 180.0)
    if west >= east:
        raise BadParameter(
            "bbox", "west_east", "west must be less than east (boxes across 180° are not supported)"
        )
    if south >= north:
        raise BadParameter("bbox", "south_north", "south must be less than north")
    return Bounds(west, south, east, north)


def parse_layers(text: str | None) -> tuple[str, ...]:
    """A comma-separated subset of :data:`LAYERS` (empty: all), in the canonical order."""
    if text is None or not text.strip():
        return LAYERS
    wanted = {p.strip() for p in text.split(",") if p.strip()}
    unknown = sorted(wanted - set(LAYERS))
    if unknown:
        raise BadParameter(
            "layers",
            "unknown",
            f"unknown layer {', '.join(unknown)}; choose from {', '.join(LAYERS)}",
        )
    return tuple(layer for layer in LAYERS if layer in wanted)


def parse_day(text: str | None) -> date | None:
    """One day as ``YYYY-MM-DD`` (the time slider), or None."""
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadParameter("day", "format", "give a date as YYYY-MM-DD") from None


def cell_size_for(bounds: Bounds, cells: int = GRID_CELLS) -> float:
    """The side of a grid cell in degrees: a power of two not smaller than the larger side of
    the box divided by ``cells`` (so at most ``cells + 1`` cells per side are touched)."""
    span = max(bounds.width, bounds.height) / cells
    exponent = max(MIN_CELL_EXPONENT, math.ceil(math.log2(span))) if span > 0 else MIN_CELL_EXPONENT
    return float(2.0**exponent)


def cell_bounds(gx: int, gy: int, size: float) -> Bounds:
    """The box of cell ``(gx, gy)`` counted from (-180, -90) in steps of ``size``."""
    return Bounds(*cell_box(gx, gy, size))


def cell_box(gx: int, gy: int, size: float) -> list[float]:
    """``cell_bounds(gx, gy, size).as_list()`` without the object (hundreds per map answer)."""
    west = -180.0 + gx * size
    south = -90.0 + gy * size
    east, north = west + size, south + size
    # min(east, 180.0) and min(north, 90.0), without the calls
    return [west, south, 180.0 if east > 180.0 else east, 90.0 if north > 90.0 else north]


# --- the grid index's fine cells: Morton (Z-order) codes --------------------------------------

# The index stores every point's cell at 2**-12 degrees (about 27 m of latitude) as a Morton
# code: the bits of the column x and the row y, interleaved. Every aligned power-of-two block of
# fine cells — every cell the map asks for, from 2**-12° up — is then one contiguous range of
# codes, so "how many points in this cell" is a range count on an index.
FINE_EXPONENT = -12
FINE_PER_DEGREE = 2**-FINE_EXPONENT  # 4096


def fine_xy(latitude: float, longitude: float) -> tuple[int, int]:
    """Column and row of the fine cell holding a point (counted from -180°, -90°)."""
    x = math.floor((longitude + 180.0) * FINE_PER_DEGREE)
    y = math.floor((latitude + 90.0) * FINE_PER_DEGREE)
    return x, y


def _spread(v: int) -> int:
    """Put a zero bit between each of the low 32 bits of ``v``."""
    v &= 0xFFFFFFFF
    v = (v | (v << 16)) & 0x0000FFFF0000FFFF
    v = (v | (v << 8)) & 0x00FF00FF00FF00FF
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0F
    v = (v | (v << 2)) & 0x3333333333333333
    return (v | (v << 1)) & 0x5555555555555555


SPREAD_STEPS = (
    (16, 0x0000FFFF0000FFFF),
    (8, 0x00FF00FF00FF00FF),
    (4, 0x0F0F0F0F0F0F0F0F),
    (2, 0x3333333333333333),
    (1, 0x5555555555555555),
)


def morton(x: int, y: int) -> int:
    return _spread(x) | (_spread(y) << 1)


def morton_codes(cells: Sequence[tuple[int, int]]) -> list[int]:
    """``morton(x, y)`` of each cell, each column's and row's bits spread once (the cells of
    a box share them: 21 + 22 spreads instead of 2 × 462 for a district view)."""
    xs = {x: _spread(x) for x in {x for x, _ in cells}}
    ys = {y: _spread(y) << 1 for y in {y for _, y in cells}}
    return [xs[x] | ys[y] for x, y in cells]


def cell_key_range(gx: int, gy: int, size: float) -> tuple[int, int]:
    """The first and last Morton code of the fine cells inside grid cell ``(gx, gy)`` of side
    ``size`` (a power of two of degrees, at least 2**FINE_EXPONENT)."""
    k = round(size * FINE_PER_DEGREE)
    if k < 1 or k & (k - 1):
        raise ValueError(f"cell size {size} is not a power of two ≥ 2**{FINE_EXPONENT}")
    low = morton(gx * k, gy * k)
    return low, low + k * k - 1


def cells_touching(bounds: Bounds, size: float) -> list[tuple[int, int]]:
    """Every grid cell of side ``size`` that the box touches, west to east, south to north."""
    x0, x1 = (
        math.floor((bounds.west + 180.0) / size),
        math.floor((bounds.east + 180.0) / size),
    )
    y0, y1 = (
        math.floor((bounds.south + 90.0) / size),
        math.floor((bounds.north + 90.0) / size),
    )
    return [(gx, gy) for gx in range(x0, x1 + 1) for gy in range(y0, y1 + 1)]
