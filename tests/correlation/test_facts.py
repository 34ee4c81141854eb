"""The structured form of every explanation says exactly what the English sentence says:
``facts.render_en`` (after a JSON round trip) equals the core's sentence for generated cases."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
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
from crimebook.correlation.clusters import Report, propose_merges
from crimebook.correlation.explain import sentence
from crimebook.correlation.facts import (
    evidence_facts,
    reasons_en,
    render_en,
    windows,
)
from crimebook.correlation.scenario import build_scenario
from crimebook.correlation.units import Post, UnitEdge, unit_leads

MINSK = ZoneInfo("Europe/Minsk")
T0 = int(datetime(2020, 8, 10, 22, 0, tzinfo=MINSK).timestamp())
LAT, LON = 53.9023, 27.5619


def roundtrip(f: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = json.loads(json.dumps(f, allow_nan=False))
    return out


def test_the_brief_example_as_facts() -> None:
    cfg = MatchConfig(display_tz="Europe/Minsk")
    result = correlate(
        IncidentTable.from_records([Incident(1, T0, T0, LAT, LON, 300.0, 1800)]),
        cameras=CameraTable.from_records([Camera(1432, LAT + 40 / 111_195.08, LON, 50.0)]),
        segments=SegmentTable.from_records([RecordingSegment(7, 1432, T0 - 300, T0 + 2400)]),
        config=cfg,
    )
    pairs = result.pairs
    f = evidence_facts(pairs.prepared, int(pairs.incident[0]), int(pairs.span[0]), 40.0, cfg)
    assert {k: f[k] for k in ("v", "kind", "id", "source", "relation", "gap_s")} == {
        "v": 1, "kind": "camera", "id": 7, "source": 1432, "relation": "covers", "gap_s": 0,
    }  # fmt: skip
    assert f["incident"] == [T0, T0, 1800] and f["span"] == [T0 - 300, T0 + 2400]
    assert render_en(roundtrip(f)) == (
        "camera 1432, 40 m away, recording 21:55–22:40 covers the reported 22:00 ± 30 min"
    )


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ((100, 200, 0, 50), ("before", 50, 0)),
        ((100, 200, 250, 300), ("after", 50, 0)),
        ((100, 200, 50, 300), ("covers", 0, 100)),
        ((100, 200, 150, 300), ("overlaps", 0, 50)),
        ((100, 200, 200, 300), ("overlaps", 0, 0)),  # touching counts as overlapping
    ],
)
def test_windows(window: tuple[int, int, int, int], expected: tuple[str, int, int]) -> None:
    assert windows(*window) == expected


MINUTE = 60
times = st.integers(-3 * 86400, 3 * 86400)
lengths = st.sampled_from([0, 0, 30, 600, 3600, 5400, 86400, 3 * 86400])
offsets_m = st.floats(-3000.0, 3000.0, allow_nan=False)
radii = st.sampled_from([0.0, 15.0, 50.0, 300.0, 999.6, 1500.0, 9999.0, 25_000.0])


@st.composite
def cases(draw: st.DrawFn) -> dict[str, object]:
    i_start = T0 + draw(times)
    return {
        "incident": Incident(
            1,
            i_start,
            i_start + draw(lengths),
            LAT,
            LON,
            draw(radii),
            draw(st.sampled_from([0, 600, 1800, 3600])),
        ),
        "start": i_start + draw(times),
        "length": draw(lengths),
        "dlat": draw(offsets_m) / 111_195.08,
        "radius": draw(radii),
        "tz": draw(st.sampled_from(["known", "inferred", "unknown"])),
        "video": draw(st.booleans()),
        "display": draw(st.sampled_from(["UTC", "Europe/Minsk", "America/New_York"])),
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_render_en_equals_the_core_sentence_for_every_evidence_kind(c: dict[str, object]) -> None:
    inc = c["incident"]
    assert isinstance(inc, Incident)
    start, length = int(c["start"]), int(c["length"])  # type: ignore[call-overload]
    lat = LAT + float(c["dlat"])  # type: ignore[arg-type]
    radius = float(c["radius"])  # type: ignore[arg-type]
    cfg = MatchConfig(display_tz=str(c["display"]))
    result = correlate(
        IncidentTable.from_records([inc]),
        cameras=CameraTable.from_records([Camera(5, lat, LON, radius)]),
        segments=SegmentTable.from_records([RecordingSegment(1, 5, start, start + length)]),
        media=[
            MediaItem(
                2,
                start,
                lat,
                LON,
                radius or None,
                duration_s=length if c["video"] else 0,
                tz=c["tz"],  # type: ignore[arg-type]
                is_video=bool(c["video"]),
            )
        ],
        communications=[Communication(3, start, start + length, lat, LON, radius)],
        deployments=[Deployment(4, 77, start, start + length, lat, LON, radius)],
        config=cfg,
    )
    pairs = result.pairs
    for k in range(len(pairs)):
        i, s, d = int(pairs.incident[k]), int(pairs.span[k]), float(pairs.distance_m[k])
        f = roundtrip(evidence_facts(pairs.prepared, i, s, d, cfg, penalty=0.123))
        assert render_en(f) == sentence(pairs.prepared, i, s, d, cfg)
        assert reasons_en(f)[2] == "precision penalty 0.12"


def test_unit_and_person_leads_render_from_their_facts() -> None:
    h = 3600
    leads = unit_leads(
        IncidentTable.from_records([Incident(1, T0, T0, LAT, LON, 200.0, 1800)]),
        deployments=[Deployment(10, 7, T0 - 2 * h, T0 + 4 * h, LAT + 0.005, LON, 1500.0)],
        edges=[UnitEdge(7, 70), UnitEdge(70, 700)],
        posts=[
            Post(1, 100, 7, None, None, False, "officer"),
            Post(2, 101, 70, None, None, True, ""),
            Post(3, 102, 700, None, None, True, "regiment commander"),
        ],
        config=MatchConfig(display_tz="Europe/Minsk"),
    )
    assert len(leads.units) == 3 and len(leads.people) == 3
    for lead in (*leads.units, *leads.people):
        assert render_en(roundtrip(lead.facts)) == lead.explanation
    assert leads.people[2].facts["via"]["below"] == 70


def test_merge_reasons_render_from_their_facts() -> None:
    base = {"lat": LAT, "lon": LON, "radius_m": 100.0, "tolerance_s": 600}
    reports = [
        Report(1, T0, T0, text="OMON beat people at the metro", victim_digests=frozenset({"a"}), **base),  # type: ignore[arg-type]
        Report(2, T0 + 900, T0 + 900, text="OMON beat people near the metro", **base),  # type: ignore[arg-type]
        Report(3, T0 + 86400, T0 + 86400, victim_digests=frozenset({"a"}), **{**base, "lat": LAT + 0.1}),  # type: ignore[arg-type]
    ]  # fmt: skip
    merges = propose_merges(reports).candidates
    assert {(m.a, m.b) for m in merges} == {(1, 2), (1, 3)}
    for m in merges:
        assert [r["kind"] for r in m.reason_facts]
        f = roundtrip({"v": 1, "kind": "merge", "other": m.b, "reasons": list(m.reason_facts)})
        assert reasons_en(f) == list(m.reasons)
        assert render_en(f).startswith(f"Possibly the same event as incident {m.b}: ")
    far = next(m for m in merges if m.b == 3)
    assert far.reasons[-1] == "1 shared victim, 24 h apart in time and 11 km apart"


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        render_en({"v": 1, "kind": "rumour"})


def test_every_pair_of_a_synthetic_city_renders_from_its_facts() -> None:
    sc = build_scenario(n_incidents=60, n_cameras=300, days=2, seed=11)
    pairs = correlate(
        sc.incidents, cameras=sc.cameras, segments=sc.segments, deployments=sc.deployments,
        config=sc.config,
    ).pairs  # fmt: skip
    assert len(pairs) > 100
    relations = set()
    for k in range(len(pairs)):
        i, s, d = int(pairs.incident[k]), int(pairs.span[k]), float(pairs.distance_m[k])
        f = roundtrip(evidence_facts(pairs.prepared, i, s, d, sc.config))
        relations.add(f["relation"])
        assert render_en(f) == sentence(pairs.prepared, i, s, d, sc.config)
    assert {"covers", "overlaps", "before", "after"} <= relations
