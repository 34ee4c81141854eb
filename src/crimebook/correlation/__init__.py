"""Correlation core (PURE: no Django). Proposes leads; an analyst decides.

- ``correlate``: incident ↔ evidence (recordings, photos/videos, communications, deployments)
- ``clusters.propose_merges``: report ↔ report merge candidates and clusters
- ``units.unit_leads``: incident ↔ unit ↔ person leads, always graded "possible"
- ``scenario.build_scenario``: a synthetic city with known answers
"""

from crimebook.correlation.config import MatchConfig
from crimebook.correlation.core import MatchResult, PairTable, correlate
from crimebook.correlation.model import (
    Camera,
    CameraTable,
    Communication,
    Deployment,
    Incident,
    IncidentTable,
    MediaItem,
    Pair,
    RecordingSegment,
    Rejection,
    SegmentTable,
)

__all__ = [
    "Camera",
    "CameraTable",
    "Communication",
    "Deployment",
    "Incident",
    "IncidentTable",
    "MatchConfig",
    "MatchResult",
    "MediaItem",
    "Pair",
    "PairTable",
    "RecordingSegment",
    "Rejection",
    "SegmentTable",
    "correlate",
]
