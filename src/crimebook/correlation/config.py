"""Tolerances and limits of the correlation engine, in one frozen dataclass.

Every number that decides whether two records *can* match lives here, so that a run can be
reproduced from its configuration alone. Times are seconds, distances metres.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

Precision = Literal["minute", "hour", "part_of_day", "day", "range"]

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True, slots=True)
class MatchConfig:
    """Tolerances (how far the truth may lie outside a stated window or circle) and limits.

    Matching rule for an incident *i* and an evidence span *e*::

        gap(i, e)      <= tol(i) + tol(e) + time_tolerance_s
        distance(i, e) <= radius(i) + radius(e) + distance_tolerance_m

    where ``gap`` is the number of seconds between the two closed windows (0 if they
    overlap) and ``distance`` the great-circle distance between their centres.
    """

    # Slack added to every pair on top of both sides' own tolerances.
    time_tolerance_s: int = 0
    distance_tolerance_m: float = 0.0

    # Evidence-side time tolerances by kind (clock error of the device).
    recording_tolerance_s: int = 60
    media_tolerance_s: int = 120
    communication_tolerance_s: int = 60
    deployment_tolerance_s: int = 0
    # Rule for capture times whose time zone was not recorded by the device:
    # "inferred" (from GPS) widens the tolerance by this much (DST/zone-border mistakes) ...
    tz_inferred_extra_s: int = HOUR
    # ... and "unknown" (no zone, no GPS to infer it) by this much: the adapter read the naive
    # local time in the deployment's home zone; any zone on Earth is within 14 h of it.
    tz_unknown_extra_s: int = 14 * HOUR
    # Rule for photos/videos whose GPS accuracy was not recorded.
    media_unknown_accuracy_m: float = 100.0

    # Incident-side tolerance implied by the precision a time was stated with.
    tolerance_minute_s: int = 10 * 60
    tolerance_hour_s: int = 30 * 60
    tolerance_part_of_day_s: int = 30 * 60
    tolerance_day_s: int = 0
    tolerance_range_s: int = 0

    # Limits: beyond them a record says too little to be matched and is rejected with a reason.
    max_radius_m: float = 50_000.0
    max_window_s: int = 31 * DAY  # incidents
    max_span_s: int = 31 * DAY  # evidence (recording segments, deployments, calls)

    # Score: vagueness at which the precision penalty reaches half its maximum.
    vague_time_s: int = 6 * HOUR
    vague_distance_m: float = 1000.0

    # Presentation and execution (do not change which pairs match).
    display_tz: str = "UTC"
    chunk_candidates: int = 2_000_000
    threads: int = 2

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if number and (value != value or value < 0):
                raise ValueError(f"MatchConfig.{f.name} must be >= 0, got {value!r}")
            if isinstance(value, int) and f.name.endswith("_s") and value > 1 << 40:
                raise ValueError(f"MatchConfig.{f.name} is implausibly large: {value}")
        if self.chunk_candidates < 1 or self.threads < 1:
            raise ValueError("MatchConfig.chunk_candidates and threads must be >= 1")
        if self.vague_time_s == 0 or self.vague_distance_m == 0:
            raise ValueError("MatchConfig.vague_time_s and vague_distance_m must be > 0")

    def tolerance_for(self, precision: Precision) -> int:
        """Incident-side tolerance in seconds for a time stated with ``precision``."""
        return {
            "minute": self.tolerance_minute_s,
            "hour": self.tolerance_hour_s,
            "part_of_day": self.tolerance_part_of_day_s,
            "day": self.tolerance_day_s,
            "range": self.tolerance_range_s,
        }[precision]
