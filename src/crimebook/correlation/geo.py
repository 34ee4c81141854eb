"""Great-circle geometry on a spherical Earth (WGS84 mean radius), vectorised with NumPy.

``haversine_m`` is *the* distance of the matching rule: the fast join and the reference
check both call it, so they agree to the last bit. ``bounding_box`` gives, for a point and a
radius, a latitude/longitude box guaranteed to contain every point within that great-circle
distance (used only to prune; the decision is always made by ``haversine_m``).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius R1
M_PER_DEG_LAT = EARTH_RADIUS_M * math.pi / 180.0

F64 = npt.NDArray[np.float64]

# Pruning boxes are widened by this relative and absolute margin (degrees) so that rounding in
# their computation can never exclude a point the exact distance test would accept.
_REL_MARGIN = 1e-9
_ABS_MARGIN_DEG = 1e-9


def haversine_m(lat1: F64, lon1: F64, lat2: F64, lon2: F64) -> F64:
    """Great-circle distance in metres between arrays of points given in degrees."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    return haversine_rad(p1, np.cos(p1), np.radians(lon1), p2, np.cos(p2), np.radians(lon2))


def haversine_rad(p1: F64, cos1: F64, l1: F64, p2: F64, cos2: F64, l2: F64) -> F64:
    """``haversine_m`` from latitudes/longitudes already in radians and the latitudes'
    cosines (precomputed once per point by the join; bit-for-bit the same result)."""
    s1 = np.sin((p2 - p1) * 0.5)
    s2 = np.sin((l2 - l1) * 0.5)
    a = s1 * s1 + cos1 * cos2 * (s2 * s2)
    np.clip(a, 0.0, 1.0, out=a)
    out: F64 = (2.0 * EARTH_RADIUS_M) * np.arcsin(np.sqrt(a))
    return out


def haversine_scalar_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The same formula with the ``math`` module (for plain-Python baselines and SQL parity)."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    s1 = math.sin((p2 - p1) * 0.5)
    s2 = math.sin((math.radians(lon2) - math.radians(lon1)) * 0.5)
    a = min(1.0, max(0.0, s1 * s1 + math.cos(p1) * math.cos(p2) * (s2 * s2)))
    return 2.0 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bounding_box(lat: F64, lon: F64, radius_m: F64) -> tuple[F64, F64, F64, F64]:
    """Boxes ``(lat_lo, lat_hi, lon_lo, lon_hi)`` in degrees containing every point within
    ``radius_m`` (great-circle) of each centre.

    Latitude: a point at angular distance d is at most d away in latitude. Longitude: the
    largest longitude difference at angular distance d from latitude phi is
    ``asin(sin d / cos phi)``; when the circle reaches a pole (or d >= 90 deg) every longitude
    is possible. A box that would cross the antimeridian is widened to all longitudes
    (correct, merely slower; Crimebook's cities are nowhere near it).
    """
    d = np.asarray(radius_m, dtype=np.float64) / EARTH_RADIUS_M  # radians
    d = d * (1.0 + _REL_MARGIN)
    dlat = np.degrees(d) + _ABS_MARGIN_DEG
    lat_lo = np.maximum(lat - dlat, -90.0)
    lat_hi = np.minimum(lat + dlat, 90.0)
    phi = np.radians(lat)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.sin(np.minimum(d, np.pi / 2)) / np.cos(phi)
    full = (np.abs(lat) + dlat >= 90.0) | (d >= np.pi / 2) | ~(ratio < 1.0)
    dlon = np.degrees(np.arcsin(np.where(full, 0.0, ratio))) * (1.0 + _REL_MARGIN)
    dlon = dlon + _ABS_MARGIN_DEG
    lon_lo = lon - dlon
    lon_hi = lon + dlon
    full |= (lon_lo < -180.0) | (lon_hi > 180.0)
    lon_lo = np.where(full, -180.0, lon_lo)
    lon_hi = np.where(full, 180.0, lon_hi)
    return lat_lo, lat_hi, lon_lo, lon_hi


def format_distance(metres: float) -> str:
    """'40 m', '950 m', '1.2 km', '35 km' — how a person says it."""
    if metres < 1000.0:
        return f"{round(metres):d} m"
    if metres < 10_000.0:
        return f"{metres / 1000.0:.1f} km"
    return f"{round(metres / 1000.0):d} km"
