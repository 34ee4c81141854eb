"""The fast join returns exactly the pair set of the exhaustive check, on random small inputs.

GIVEN random incidents and evidence (coordinates on a coarse lattice so that identical places
occur; timestamps from a few values so that boundaries touch; radii from 0 to hundreds of
km; windows up to years) WHEN correlated THEN the pairs equal ``pairs_naive``'s.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crimebook.correlation import (
    Camera,
    CameraTable,
    Communication,
    Deployment,
    Incident,
    IncidentTable,
    MatchConfig,
    MediaItem,
    RecordingSegment,
    SegmentTable,
    correlate,
)
from crimebook.correlation.naive import pairs_naive, pairs_python
from crimebook.correlation.prepare import prepare

T0 = 1_597_000_000  # 2020-08-09
YEAR = 365 * 86400

LOOSE = MatchConfig(max_radius_m=1_000_000.0, max_window_s=20 * YEAR, max_span_s=20 * YEAR)

times = st.one_of(
    st.sampled_from([T0, T0 + 60, T0 + 1800, T0 + 3600, T0 + 7200]),
    st.integers(T0 - 2 * YEAR, T0 + 2 * YEAR),
)
durations = st.one_of(st.sampled_from([0, 60, 1800, 3600]), st.integers(0, 3 * YEAR))
tolerances = st.one_of(st.sampled_from([0, 60, 1800]), st.integers(0, 86400))
radii = st.one_of(
    st.sampled_from([0.0, 25.0, 100.0, 1000.0]),
    st.floats(0.0, 800_000.0, allow_nan=False),
)


def coords(spread: float) -> st.SearchStrategy[tuple[float, float]]:
    """Points around Minsk; lattice values collide often, free floats cover the rest."""
    lattice = st.tuples(
        st.integers(-3, 3).map(lambda k: 53.9 + k * spread / 3),
        st.integers(-3, 3).map(lambda k: 27.55 + k * spread / 3),
    )
    free = st.tuples(
        st.floats(53.9 - spread, 53.9 + spread, allow_nan=False),
        st.floats(27.55 - spread, 27.55 + spread, allow_nan=False),
    )
    return st.one_of(lattice, free)


spreads = st.sampled_from([0.001, 0.01, 0.2, 5.0])


@st.composite
def scenes(draw: st.DrawFn) -> dict[str, object]:
    spread = draw(spreads)
    where = coords(spread)
    incidents = []
    for k in range(draw(st.integers(0, 7))):
        lat, lon = draw(where)
        start = draw(times)
        incidents.append(
            Incident(k, start, start + draw(durations), lat, lon, draw(radii), draw(tolerances))
        )
    cameras = []
    for k in range(draw(st.integers(0, 6))):
        lat, lon = draw(where)
        tol = draw(st.one_of(st.none(), tolerances))
        cameras.append(Camera(100 + k, lat, lon, draw(radii), tol))
    segments = []
    if cameras:
        for k in range(draw(st.integers(0, 25))):
            start = draw(times)
            cam = draw(st.sampled_from(cameras)).id
            segments.append(RecordingSegment(1000 + k, cam, start, start + draw(durations)))
    media = []
    for k in range(draw(st.integers(0, 3))):
        lat, lon = draw(where)
        media.append(
            MediaItem(
                2000 + k,
                draw(times),
                lat,
                lon,
                draw(st.one_of(st.none(), radii)),
                duration_s=draw(st.sampled_from([0, 0, 90])),
                tz=draw(st.sampled_from(["known", "inferred", "unknown"])),
            )
        )
    comms = []
    for k in range(draw(st.integers(0, 3))):
        lat, lon = draw(where)
        start = draw(times)
        comms.append(Communication(3000 + k, start, start + 60, lat, lon, draw(radii)))
    deployments = []
    for k in range(draw(st.integers(0, 3))):
        lat, lon = draw(where)
        start = draw(times)
        end = start + draw(durations)
        deployments.append(Deployment(4000 + k, 7, start, end, lat, lon, draw(radii)))
    return {
        "incidents": IncidentTable.from_records(incidents),
        "cameras": CameraTable.from_records(cameras),
        "segments": SegmentTable.from_records(segments),
        "media": media,
        "communications": comms,
        "deployments": deployments,
    }


configs = st.builds(
    MatchConfig,
    time_tolerance_s=st.sampled_from([0, 30, 3600]),
    distance_tolerance_m=st.sampled_from([0.0, 10.0, 5000.0]),
    max_radius_m=st.just(1_000_000.0),
    max_window_s=st.just(20 * YEAR),
    max_span_s=st.just(20 * YEAR),
    threads=st.sampled_from([1, 2]),
    chunk_candidates=st.sampled_from([1, 7, 2_000_000]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scene=scenes(), cfg=configs)
def test_fast_join_equals_exhaustive_check(scene: dict[str, object], cfg: MatchConfig) -> None:
    result = correlate(config=cfg, **scene)  # type: ignore[arg-type]
    prepared = result.pairs.prepared
    ni, ns = pairs_naive(prepared, cfg)
    expected = set(zip(ni.tolist(), ns.tolist(), strict=True))
    got = set(zip(result.pairs.incident.tolist(), result.pairs.span.tolist(), strict=True))
    assert got == expected
    assert len(got) == len(result.pairs)  # no duplicates
    assert bool(np.all((result.pairs.score >= 0.125) & (result.pairs.score <= 1.0)))


@settings(max_examples=100, deadline=None)
@given(scene=scenes())
def test_plain_python_loop_agrees(scene: dict[str, object]) -> None:
    prepared = prepare(cfg=LOOSE, **scene)  # type: ignore[arg-type]
    ni, ns = pairs_naive(prepared, LOOSE)
    assert pairs_python(prepared, LOOSE) == set(zip(ni.tolist(), ns.tolist(), strict=True))


def test_boundaries_are_inclusive() -> None:
    """GIVEN windows that touch exactly at the tolerance and circles that touch at a point."""
    incidents = IncidentTable.from_records(
        [Incident(1, T0, T0, 53.9, 27.55, 0.0, 0), Incident(2, T0, T0 + 600, 53.9, 27.55, 0.0, 60)]
    )
    cameras = CameraTable.from_records([Camera(1, 53.9, 27.55, 0.0, 0)])
    segments = SegmentTable.from_records(
        [
            RecordingSegment(10, 1, T0 - 100, T0),  # ends exactly when incident 1 happens
            RecordingSegment(11, 1, T0 + 660, T0 + 700),  # starts exactly 60 s after incident 2
            RecordingSegment(12, 1, T0 + 661, T0 + 700),  # one second too late for incident 2
        ]
    )
    result = correlate(incidents, cameras=cameras, segments=segments)
    assert result.pairs.key_set() == {
        (1, "recording", 10),
        (2, "recording", 10),
        (2, "recording", 11),
    }
