"""Great-circle distances against known values and an independent formula."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from crimebook.correlation.geo import (
    EARTH_RADIUS_M,
    bounding_box,
    format_distance,
    haversine_m,
    haversine_scalar_m,
)


def h(a: float, b: float, c: float, d: float) -> float:
    return float(haversine_m(np.array([a]), np.array([b]), np.array([c]), np.array([d]))[0])


def test_known_distances() -> None:
    quarter = math.pi * EARTH_RADIUS_M / 2
    assert h(0, 0, 90, 0) == quarter  # equator to pole
    assert math.isclose(h(0, 0, 0, 90), quarter, rel_tol=1e-12)
    assert math.isclose(h(0, -179.5, 0, 179.5), math.pi * EARTH_RADIUS_M / 180, rel_tol=1e-9)
    assert math.isclose(h(89.9, 0, 89.9, 180), 0.2 * math.pi * EARTH_RADIUS_M / 180, rel_tol=1e-9)
    # Minsk: Oktyabrskaya square to Pushkinskaya metro, about 3.9 km
    assert 3800 < h(53.9023, 27.5619, 53.9093, 27.4956) < 4600
    assert h(53.9, 27.55, 53.9, 27.55) == 0.0


lat = st.floats(-90, 90, allow_nan=False)
lon = st.floats(-180, 180, allow_nan=False)


@settings(max_examples=300)
@given(lat, lon, lat, lon)
def test_matches_the_spherical_law_of_cosines_and_the_scalar_version(
    a: float, b: float, c: float, d: float
) -> None:
    """Independent check with the vector (chord) formula, accurate at all distances."""

    def xyz(la: float, lo: float) -> tuple[float, float, float]:
        p, q = math.radians(la), math.radians(lo)
        return (math.cos(p) * math.cos(q), math.cos(p) * math.sin(q), math.sin(p))

    u, v = xyz(a, b), xyz(c, d)
    cross = math.dist((0, 0, 0), np.cross(u, v))
    dot = sum(x * y for x, y in zip(u, v, strict=True))
    expected = EARTH_RADIUS_M * math.atan2(cross, dot)
    assert math.isclose(h(a, b, c, d), expected, rel_tol=1e-9, abs_tol=1e-3)
    assert math.isclose(haversine_scalar_m(a, b, c, d), h(a, b, c, d), rel_tol=1e-12, abs_tol=1e-6)


@settings(max_examples=300)
@given(lat, lon, st.floats(0, 2_000_000, allow_nan=False), st.floats(0, 1), st.floats(0, 360))
def test_bounding_box_contains_every_point_within_the_radius(
    la: float, lo: float, r: float, frac: float, bearing: float
) -> None:
    """A point at distance frac*r in any direction lies inside the box."""
    d = frac * r / EARTH_RADIUS_M
    p, q, b = math.radians(la), math.radians(lo), math.radians(bearing)
    p2 = math.asin(math.sin(p) * math.cos(d) + math.cos(p) * math.sin(d) * math.cos(b))
    q2 = q + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p), math.cos(d) - math.sin(p) * math.sin(p2)
    )
    la2 = math.degrees(p2)
    lo2 = (math.degrees(q2) + 540.0) % 360.0 - 180.0
    if h(la, lo, la2, lo2) > r:  # rounding of the construction itself
        return
    box = bounding_box(np.array([la]), np.array([lo]), np.array([r]))
    la0, la1, lo0, lo1 = (float(x[0]) for x in box)
    assert la0 <= la2 <= la1
    assert lo0 <= lo2 <= lo1


def test_format_distance() -> None:
    assert [format_distance(x) for x in (0, 40.4, 999.4, 1234, 35_000)] == [
        "0 m", "40 m", "999 m", "1.2 km", "35 km",
    ]  # fmt: skip
