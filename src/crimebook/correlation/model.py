"""Inputs and outputs of the correlation core: frozen dataclasses and columnar NumPy tables.

Conventions (for the Django adapters that will build these):

- ids are integers (primary keys); times are ``int`` epoch seconds UTC; ``None`` means unknown;
- latitude/longitude are float degrees (WGS84), radii float metres;
- in a table, an unknown time is ``MISSING_TIME`` and an unknown coordinate or radius ``NaN``.

Small inputs are lists of dataclasses; the 10-million-row inputs (recording segments) and
large incident sets are tables of arrays, built directly from ``values_list`` or from records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

MISSING_TIME = np.iinfo(np.int64).min

Kind = Literal["recording", "media", "communication", "deployment"]
KINDS: tuple[Kind, ...] = ("recording", "media", "communication", "deployment")
TzStatus = Literal["known", "inferred", "unknown"]


@dataclass(frozen=True, slots=True)
class Incident:
    """What happened where and when. ``tolerance_s``: how far the truth may lie outside
    ``[start, end]`` (see ``MatchConfig.tolerance_for(precision)``)."""

    id: int
    start: int | None
    end: int | None
    lat: float | None
    lon: float | None
    radius_m: float | None
    tolerance_s: int = 0


@dataclass(frozen=True, slots=True)
class Camera:
    """A surveillance camera: position and the radius its field of view reaches."""

    id: int
    lat: float
    lon: float
    fov_radius_m: float
    clock_tolerance_s: int | None = None  # None: MatchConfig.recording_tolerance_s


@dataclass(frozen=True, slots=True)
class RecordingSegment:
    """A stretch of recording of one camera, covering ``[start, end]``."""

    id: int
    camera_id: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class MediaItem:
    """A photo (``duration_s`` 0) or video with capture time and GPS position.

    ``tz``: whether the capture time's zone was recorded by the device ("known"), inferred
    from the GPS position ("inferred") or not known at all ("unknown"); the latter two widen
    the time tolerance by rule (``MatchConfig.tz_inferred_extra_s`` / ``tz_unknown_extra_s``).
    """

    id: int
    capture_time: int | None
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    duration_s: int = 0
    tolerance_s: int | None = None  # None: MatchConfig.media_tolerance_s
    tz: TzStatus = "known"
    is_video: bool = False


@dataclass(frozen=True, slots=True)
class Communication:
    """A call or message placed in a cell area (centre + radius) during ``[start, end]``."""

    id: int
    start: int | None
    end: int | None
    lat: float | None
    lon: float | None
    radius_m: float | None
    tolerance_s: int | None = None  # None: MatchConfig.communication_tolerance_s


@dataclass(frozen=True, slots=True)
class Deployment:
    """A unit present in an area (centre + radius) during ``[start, end]``."""

    id: int
    unit_id: int
    start: int | None
    end: int | None
    lat: float | None
    lon: float | None
    radius_m: float | None


def _i64(values: Sequence[int | None] | npt.ArrayLike) -> I64:
    if isinstance(values, np.ndarray):
        return values.astype(np.int64, copy=False)
    return np.array([MISSING_TIME if v is None else v for v in values], dtype=np.int64)  # type: ignore[union-attr]


def _f64(values: Sequence[float | None] | npt.ArrayLike) -> F64:
    if isinstance(values, np.ndarray):
        return values.astype(np.float64, copy=False)
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)  # type: ignore[union-attr]


@dataclass(frozen=True, eq=False)
class IncidentTable:
    """Incidents as columns (same fields as ``Incident``)."""

    id: I64
    start: I64
    end: I64
    lat: F64
    lon: F64
    radius_m: F64
    tolerance_s: I64

    @classmethod
    def from_arrays(
        cls,
        *,
        id: npt.ArrayLike,
        start: npt.ArrayLike,
        end: npt.ArrayLike,
        lat: npt.ArrayLike,
        lon: npt.ArrayLike,
        radius_m: npt.ArrayLike,
        tolerance_s: npt.ArrayLike,
    ) -> IncidentTable:
        cols = [np.asarray(c) for c in (id, start, end, lat, lon, radius_m, tolerance_s)]
        if len({len(c) for c in cols}) > 1:
            raise ValueError("IncidentTable columns must have the same length")
        return cls(
            _i64(cols[0]),
            _i64(cols[1]),
            _i64(cols[2]),
            _f64(cols[3]),
            _f64(cols[4]),
            _f64(cols[5]),
            _i64(cols[6]),
        )

    @classmethod
    def from_records(cls, incidents: Sequence[Incident]) -> IncidentTable:
        return cls(
            _i64([x.id for x in incidents]),
            _i64([x.start for x in incidents]),
            _i64([x.end for x in incidents]),
            _f64([x.lat for x in incidents]),
            _f64([x.lon for x in incidents]),
            _f64([x.radius_m for x in incidents]),
            _i64([x.tolerance_s for x in incidents]),
        )

    def __len__(self) -> int:
        return len(self.id)


@dataclass(frozen=True, eq=False)
class CameraTable:
    """Cameras as columns; ``clock_tolerance_s`` < 0 means "use the configured default"."""

    id: I64
    lat: F64
    lon: F64
    fov_radius_m: F64
    clock_tolerance_s: I64

    @classmethod
    def from_arrays(
        cls,
        *,
        id: npt.ArrayLike,
        lat: npt.ArrayLike,
        lon: npt.ArrayLike,
        fov_radius_m: npt.ArrayLike,
        clock_tolerance_s: npt.ArrayLike | None = None,
    ) -> CameraTable:
        ids = _i64(np.asarray(id))
        tol = (
            np.full(len(ids), -1, dtype=np.int64)
            if clock_tolerance_s is None
            else _i64(np.asarray(clock_tolerance_s))
        )
        cols = (ids, _f64(np.asarray(lat)), _f64(np.asarray(lon)), _f64(np.asarray(fov_radius_m)))
        if len({len(c) for c in (*cols, tol)}) > 1:
            raise ValueError("CameraTable columns must have the same length")
        return cls(*cols, tol)

    @classmethod
    def from_records(cls, cameras: Sequence[Camera]) -> CameraTable:
        return cls(
            _i64([c.id for c in cameras]),
            _f64([c.lat for c in cameras]),
            _f64([c.lon for c in cameras]),
            _f64([c.fov_radius_m for c in cameras]),
            _i64([-1 if c.clock_tolerance_s is None else c.clock_tolerance_s for c in cameras]),
        )

    def __len__(self) -> int:
        return len(self.id)


@dataclass(frozen=True, eq=False)
class SegmentTable:
    """Recording segments as columns. Fastest when already ordered by (camera_id, start)."""

    id: I64
    camera_id: I64
    start: I64
    end: I64

    @classmethod
    def from_arrays(
        cls,
        *,
        id: npt.ArrayLike,
        camera_id: npt.ArrayLike,
        start: npt.ArrayLike,
        end: npt.ArrayLike,
    ) -> SegmentTable:
        cols = [_i64(np.asarray(c)) for c in (id, camera_id, start, end)]
        if len({len(c) for c in cols}) > 1:
            raise ValueError("SegmentTable columns must have the same length")
        return cls(*cols)

    @classmethod
    def from_records(cls, segments: Sequence[RecordingSegment]) -> SegmentTable:
        return cls(
            _i64([s.id for s in segments]),
            _i64([s.camera_id for s in segments]),
            _i64([s.start for s in segments]),
            _i64([s.end for s in segments]),
        )

    def __len__(self) -> int:
        return len(self.id)


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input record the engine did not match, and why (never dropped silently)."""

    kind: str  # "incident", "camera", "segment", "media", "communication", "deployment"
    id: int
    reason: str


@dataclass(frozen=True, slots=True)
class Pair:
    """One incident ↔ evidence lead, with the components its score is made of.

    ``evidence_id`` is the segment / media / communication / deployment id; ``source_id`` the
    camera id for a recording, the unit id for a deployment, and ``evidence_id`` otherwise.
    ``time_gap_s`` is 0 when the stated windows overlap (then ``time_overlap_s`` says by how
    much); ``distance_m`` is between the centres.
    """

    incident_id: int
    evidence_id: int
    kind: Kind
    source_id: int
    score: float
    time_gap_s: int
    time_overlap_s: int
    distance_m: float
    precision_penalty: float
    explanation: str
