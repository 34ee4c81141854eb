"""Explanations read as one plain sentence; scores follow the documented formula."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

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
from crimebook.correlation.explain import format_duration

MINSK = ZoneInfo("Europe/Minsk")
CFG = MatchConfig(display_tz="Europe/Minsk")


def at(h: int, m: int = 0, day: int = 10) -> int:
    return int(datetime(2020, 8, day, h, m, tzinfo=MINSK).timestamp())


LAT, LON = 53.9023, 27.5619
NORTH_40M = LAT + 40 / 111_195.08


def one(**kw: object) -> list[str]:
    incidents = IncidentTable.from_records([Incident(1, at(22), at(22), LAT, LON, 300.0, 1800)])
    result = correlate(incidents, config=CFG, **kw)  # type: ignore[arg-type]
    return [p.explanation for p in result.pairs.for_incident(1)]


def test_recording_sentence_matches_the_brief() -> None:
    got = one(
        cameras=CameraTable.from_records([Camera(1432, NORTH_40M, LON, 50.0)]),
        segments=SegmentTable.from_records([RecordingSegment(1, 1432, at(21, 55), at(22, 40))]),
    )
    assert got == [
        "camera 1432, 40 m away, recording 21:55–22:40 covers the reported 22:00 ± 30 min"
    ]


def test_recording_before_and_after() -> None:
    got = one(
        cameras=CameraTable.from_records([Camera(5, LAT, LON, 50.0)]),
        segments=SegmentTable.from_records(
            [RecordingSegment(1, 5, at(20), at(21, 40)), RecordingSegment(2, 5, at(22, 10), at(23))]
        ),
    )
    assert sorted(got) == [
        "camera 5, 0 m away, recording 20:00–21:40 ends 20 min before the reported 22:00 ± 30 min",
        "camera 5, 0 m away, recording 22:10–23:00 starts 10 min after the reported 22:00 ± 30 min",
    ]


def test_media_communication_and_deployment_sentences() -> None:
    got = one(
        media=[MediaItem(9, at(22, 5), NORTH_40M, LON, 15.0, tz="inferred")],
        communications=[Communication(4, at(21, 50), None, LAT, LON, 1500.0)],
        deployments=[Deployment(3, 77, at(17), at(23, 59), LAT, LON, 2000.0)],
    )
    assert set(got) == {
        "photo 9, taken 22:05 (± 1 h 2 min, time zone inferred from GPS), 40 m away "
        "(GPS accuracy 15 m), 5 min after the reported 22:00 ± 30 min",
        "communication 4 at 21:50 in a cell area of radius 1.5 km centred 0 m away, "
        "10 min before the reported 22:00 ± 30 min",
        "unit 77 deployed 17:00–23:59 in an area of radius 2.0 km centred 0 m away; "
        "the deployment covers the reported 22:00 ± 30 min",
    }


def test_dates_appear_when_days_differ() -> None:
    incidents = IncidentTable.from_records(
        [Incident(1, at(0, 0, day=11), at(23, 59, day=11), LAT, LON, 100.0, 0)]
    )
    result = correlate(
        incidents,
        cameras=CameraTable.from_records([Camera(5, LAT, LON, 10.0)]),
        segments=SegmentTable.from_records([RecordingSegment(1, 5, at(22, day=10), at(2, day=11))]),
        config=CFG,
    )
    assert result.pairs[0].explanation == (
        "camera 5, 0 m away, recording 2020-08-10 22:00–2020-08-11 02:00 overlaps the reported 00:00–23:59"
    )


def test_score_formula_by_hand() -> None:
    """Incident 22:00 ± 30 min, r 300 m; camera r 50 m, 40 m away; recording ends 20 min
    before. allowed gap 1860 s, allowed distance 350 m; T = 0 + 2*1860, D = 350."""
    incidents = IncidentTable.from_records([Incident(1, at(22), at(22), LAT, LON, 300.0, 1800)])
    result = correlate(
        incidents,
        cameras=CameraTable.from_records([Camera(1432, NORTH_40M, LON, 50.0)]),
        segments=SegmentTable.from_records([RecordingSegment(1, 1432, at(21), at(21, 40))]),
        config=CFG,
    )
    p = result.pairs[0]
    time_fit = 1 - 0.5 * 1200 / 1860
    place_fit = 1 - 0.5 * p.distance_m / 350
    penalty = 0.25 * 3720 / (3720 + 6 * 3600) + 0.25 * 350 / (350 + 1000)
    assert math.isclose(p.precision_penalty, penalty)
    assert math.isclose(p.score, time_fit * place_fit * (1 - penalty))
    assert p.time_gap_s == 1200 and p.time_overlap_s == 0
    assert math.isclose(p.distance_m, 40.0, abs_tol=0.01)


def test_ranking_puts_the_closer_camera_first_and_limits_per_incident() -> None:
    incidents = IncidentTable.from_records([Incident(1, at(22), at(22), LAT, LON, 500.0, 1800)])
    cameras = CameraTable.from_records(
        [
            Camera(1, LAT, LON, 50.0),
            Camera(2, LAT + 0.003, LON, 50.0),
            Camera(3, LAT + 0.004, LON, 50.0),
        ]
    )
    segments = SegmentTable.from_records(
        [RecordingSegment(10 + c, c, at(21), at(23)) for c in (1, 2, 3)]
    )
    pairs = correlate(incidents, cameras=cameras, segments=segments, config=CFG).pairs
    assert [p.source_id for p in pairs.for_incident(1)] == [1, 2, 3]
    top = pairs.ranked(per_incident=2)
    assert [int(pairs.evidence_id[k]) for k in top] == [11, 12]


def test_format_duration() -> None:
    assert [format_duration(x) for x in (5, 600, 3600, 5400, 3 * 86400)] == [
        "5 s", "10 min", "1 h", "1 h 30 min", "3 days",
    ]  # fmt: skip
