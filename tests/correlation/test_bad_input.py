"""Each written rule for bad input: the record is matched by rule, or reported with a reason.

Nothing is dropped silently: every input id is either in a pair, or has no partner, or is in
``skipped``/``rejected``.
"""

from __future__ import annotations

import pytest

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

T = 1_597_000_000
LAT, LON = 53.9, 27.55
HOUR = 3600


def good_incident(id: int = 1, **kw: object) -> Incident:
    fields: dict[str, object] = {
        "id": id,
        "start": T,
        "end": T,
        "lat": LAT,
        "lon": LON,
        "radius_m": 100.0,
        "tolerance_s": 1800,
    }
    fields.update(kw)
    return Incident(**fields)  # type: ignore[arg-type]


CAMERAS = CameraTable.from_records([Camera(7, LAT, LON, 50.0)])
SEGMENTS = SegmentTable.from_records([RecordingSegment(70, 7, T - HOUR, T + HOUR)])


def run(*incidents: Incident, config: MatchConfig | None = None, **kw: object):  # type: ignore[no-untyped-def]
    kw.setdefault("cameras", CAMERAS)
    kw.setdefault("segments", SEGMENTS)
    return correlate(IncidentTable.from_records(list(incidents)), config=config, **kw)  # type: ignore[arg-type]


def reasons(result, kind: str = "incident") -> dict[int, str]:  # type: ignore[no-untyped-def]
    return {r.id: r.reason for r in (*result.skipped, *result.rejected) if r.kind == kind}


def test_incident_without_time_is_skipped_with_reason() -> None:
    result = run(good_incident(1, start=None, end=None), good_incident(2))
    assert [r.id for r in result.skipped] == [1]
    assert "no time" in result.skipped[0].reason
    assert result.pairs.key_set() == {(2, "recording", 70)}


@pytest.mark.parametrize("missing", [{"lat": None}, {"lon": None}, {"lat": None, "lon": None}])
def test_incident_without_place_is_skipped_with_reason(missing: dict[str, None]) -> None:
    result = run(good_incident(1, **missing))
    assert len(result.pairs) == 0
    assert "no place" in reasons(result)[1]
    assert result.skipped[0].id == 1


def test_incident_without_radius_is_skipped_not_guessed() -> None:
    result = run(good_incident(1, radius_m=None))
    assert len(result.pairs) == 0
    assert "no radius" in reasons(result)[1]


def test_missing_end_means_a_point_in_time() -> None:
    result = run(good_incident(1, start=T + 2 * HOUR, end=None, tolerance_s=HOUR))
    assert not result.skipped and not result.rejected
    assert len(result.pairs) == 1 and result.pairs[0].time_gap_s == HOUR


def test_zero_radius_is_a_point_and_matches() -> None:
    result = run(good_incident(1, radius_m=0.0))
    assert result.pairs.key_set() == {(1, "recording", 70)}
    assert not result.rejected


def test_radius_over_the_maximum_is_rejected_and_allowed_when_configured() -> None:
    huge = good_incident(1, radius_m=300_000.0)
    result = run(huge)
    assert "radius exceeds the configured maximum of 50 km" in reasons(result)[1]
    assert len(result.pairs) == 0
    loose = run(huge, config=MatchConfig(max_radius_m=500_000.0))
    assert loose.pairs.key_set() == {(1, "recording", 70)} and not loose.rejected


def test_negative_radius_and_bad_coordinates_are_rejected() -> None:
    result = run(
        good_incident(1, radius_m=-1.0), good_incident(2, lat=91.0), good_incident(3, lon=-181.0)
    )
    got = reasons(result)
    assert "negative" in got[1] and "latitude" in got[2] and "longitude" in got[3]
    assert len(result.pairs) == 0


def test_window_longer_than_the_maximum_is_rejected() -> None:
    years = good_incident(1, start=T - 3 * 365 * 86400, end=T)
    result = run(years)
    assert "longer than the configured maximum" in reasons(result)[1]
    allowed = run(years, config=MatchConfig(max_window_s=4 * 365 * 86400))
    assert allowed.pairs.key_set() == {(1, "recording", 70)}


def test_incident_ending_before_it_starts_is_rejected() -> None:
    result = run(good_incident(1, start=T, end=T - 1))
    assert "ends before it starts" in reasons(result)[1]


def test_duplicated_incident_ids_are_all_rejected() -> None:
    result = run(good_incident(1), good_incident(1, lat=LAT + 0.001))
    assert [r.id for r in result.rejected] == [1, 1]
    assert "appears 2 times" in result.rejected[0].reason
    assert len(result.pairs) == 0


def test_recording_ending_before_it_starts_is_rejected() -> None:
    segments = SegmentTable.from_records(
        [RecordingSegment(70, 7, T + HOUR, T - HOUR), RecordingSegment(71, 7, T, T + 60)]
    )
    result = run(good_incident(1), segments=segments)
    assert reasons(result, "segment") == {70: "a recording segment ends before it starts"}
    assert result.pairs.key_set() == {(1, "recording", 71)}


def test_duplicated_camera_is_rejected_with_its_segments_counted() -> None:
    cameras = CameraTable.from_records(
        [Camera(7, LAT, LON, 50.0), Camera(7, LAT + 0.01, LON, 50.0), Camera(8, LAT, LON, 30.0)]
    )
    segments = SegmentTable.from_records(
        [
            RecordingSegment(70, 7, T - HOUR, T + HOUR),
            RecordingSegment(71, 7, T + HOUR, T + 2 * HOUR),
            RecordingSegment(80, 8, T - HOUR, T + HOUR),
        ]
    )
    result = run(good_incident(1), cameras=cameras, segments=segments)
    rejected = [r for r in result.rejected if r.kind == "camera"]
    assert [r.id for r in rejected] == [7, 7]
    assert "appears 2 times" in rejected[0].reason
    assert "its 2 recording segments are not matched" in rejected[0].reason
    assert result.pairs.key_set() == {(1, "recording", 80)}


def test_segment_of_unknown_camera_is_rejected() -> None:
    segments = SegmentTable.from_records([RecordingSegment(90, 999, T, T + 60)])
    result = run(good_incident(1), segments=segments)
    assert reasons(result, "segment") == {90: "refers to a camera that was not supplied"}


def test_time_zone_rules_widen_the_tolerance() -> None:
    """A photo 90 min after the incident: out of reach with a known zone (2 min + 30 min),
    within reach when the zone was inferred (+1 h) or unknown (+14 h)."""
    media = [
        MediaItem(1, T + 90 * 60, LAT, LON, 10.0, tz="known"),
        MediaItem(2, T + 90 * 60, LAT, LON, 10.0, tz="inferred"),
        MediaItem(3, T + 90 * 60, LAT, LON, 10.0, tz="unknown"),
    ]
    result = run(good_incident(1), media=media)
    assert {k for k in result.pairs.key_set() if k[1] == "media"} == {
        (1, "media", 2),
        (1, "media", 3),
    }
    pair = next(p for p in result.pairs if p.evidence_id == 2 and p.kind == "media")
    assert "time zone inferred from GPS" in pair.explanation


def test_media_without_gps_or_time_is_skipped_and_unknown_accuracy_is_defaulted() -> None:
    media = [
        MediaItem(1, None, LAT, LON, 10.0),
        MediaItem(2, T, None, None, None),
        MediaItem(3, T, LAT + 0.001, LON, None),  # ~111 m away: reachable with 100 m default
        MediaItem(4, T, LAT, LON, 10.0, tz="sometime"),  # type: ignore[arg-type]
        MediaItem(5, T, LAT, LON, 10.0, duration_s=-5),
    ]
    result = run(good_incident(1), media=media)
    got = reasons(result, "media")
    assert "no time" in got[1] and "no place" in got[2]
    assert "time-zone status" in got[4] and "duration is negative" in got[5]
    assert (1, "media", 3) in result.pairs.key_set()


def test_communications_and_deployments_follow_the_same_rules() -> None:
    comms = [
        Communication(1, T, None, LAT, LON, 2000.0),
        Communication(2, T, T, LAT, LON, None),
        Communication(3, T, T, LAT, LON, 60_000.0),
    ]
    deployments = [
        Deployment(1, 42, T - HOUR, T + 6 * HOUR, LAT + 0.01, LON, 1500.0),
        Deployment(2, 42, None, None, LAT, LON, 1500.0),
        Deployment(3, 43, T, T - 5, LAT, LON, 1500.0),
    ]
    result = run(good_incident(1), communications=comms, deployments=deployments)
    assert {k for k in result.pairs.key_set() if k[1] != "recording"} == {
        (1, "communication", 1),
        (1, "deployment", 1),
    }
    assert "no radius" in reasons(result, "communication")[2]
    assert "exceeds" in reasons(result, "communication")[3]
    assert "no time" in reasons(result, "deployment")[2]
    assert "ends before" in reasons(result, "deployment")[3]
    deployment = next(p for p in result.pairs if p.kind == "deployment")
    assert deployment.source_id == 42


def test_every_input_is_accounted_for() -> None:
    """GIVEN a mix of good and bad incidents THEN each id is paired, unpaired-but-valid, or
    reported — and the reported ones never appear in pairs (no invented match)."""
    incidents = [
        good_incident(1),
        good_incident(2, start=None),
        good_incident(3, radius_m=-5.0),
        good_incident(4, lat=LAT + 1.0),  # valid, simply far from every camera
    ]
    result = run(*incidents)
    reported = {r.id for r in (*result.skipped, *result.rejected)}
    paired = {k[0] for k in result.pairs.key_set()}
    assert reported == {2, 3}
    assert paired == {1}
    assert not reported & paired


def test_config_refuses_negative_tolerances() -> None:
    with pytest.raises(ValueError, match="time_tolerance_s"):
        MatchConfig(time_tolerance_s=-1)
