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

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
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
        raise BadParameter("bbox", "give four numbers: west,south,east,north (degrees)")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise BadParameter("bbox", "give four numbers: west,south,east,north (degrees)") from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise BadParameter("bbox", "coordinates must be finite numbers")
    if not (-90.0 <= south <= 90.0 and -90.0 <= north <= 90.0):
        raise BadParameter("bbox", "latitudes must lie between -90 and 90")
    # Leaflet reports longitudes beyond ±180 when the world is panned; clamp those.
    west, east = max(west, -180.0), min(east, 180.0)
    if west >= east:
        raise BadParameter(
            "bbox", "west must be less than east (boxes across 180° are not supported)"
        )
    if south >= north:
        raise BadParameter("bbox", "south must be less than north")
    return Bounds(west, south, east, north)


def parse_layers(text: str | None) -> tuple[str, ...]:
    """A comma-separated subset of :data:`LAYERS` (empty: all), in the canonical order."""
    if text is None or not text.strip():
        return LAYERS
    wanted = {p.strip() for p in text.split(",") if p.strip()}
    unknown = sorted(wanted - set(LAYERS))
    if unknown:
        raise BadParameter(
            "layers", f"unknown layer {', '.join(unknown)}; choose from {', '.join(LAYERS)}"
        )
    return tuple(layer for layer in LAYERS if layer in wanted)


def parse_day(text: str | None) -> date | None:
    """One day as ``YYYY-MM-DD`` (the time slider), or None."""
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadParameter("day", "give a date as YYYY-MM-DD") from None


def cell_size_for(bounds: Bounds, cells: int = GRID_CELLS) -> float:
    """The side of a grid cell in degrees: a power of two not smaller than the larger side of
    the box divided by ``cells`` (so at most ``cells + 1`` cells per side are touched)."""
    span = max(bounds.width, bounds.height) / cells
    exponent = max(MIN_CELL_EXPONENT, math.ceil(math.log2(span))) if span > 0 else MIN_CELL_EXPONENT
    return float(2.0**exponent)


def cell_bounds(gx: int, gy: int, size: float) -> Bounds:
    """The box of cell ``(gx, gy)`` counted from (-180, -90) in steps of ``size``."""
    west = -180.0 + gx * size
    south = -90.0 + gy * size
    return Bounds(west, south, min(west + size, 180.0), min(south + size, 90.0))
