"""Incident ↔ evidence correlation: the public entry point ``correlate`` and its result.

Matching rule (exact; see ``MatchConfig``): an incident and an evidence span match iff

    gap_s      <= incident tolerance + evidence tolerance + time_tolerance_s
    distance_m <= incident radius + evidence radius + distance_tolerance_m

Score (in [0.125, 1], documented in ARCHITECTURE.md) is the product of three factors a
person can check by hand:

    time fit    = 1 - 0.5 * gap_s / allowed gap            (1 when the windows overlap)
    place fit   = 1 - 0.5 * distance_m / allowed distance   (1 at the same point)
    precision   = 1 - penalty,  penalty = 0.25 * T / (T + vague_time_s)
                                        + 0.25 * D / (D + vague_distance_m)

with T = incident window + 2 × (both tolerances) in seconds and D = sum of both radii.
Each fit falls to one half at the edge of what is allowed; vagueness of time and of place
each take off up to a quarter (an eighth at 6 hours / 1 km by default).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from crimebook.correlation import explain
from crimebook.correlation._join import IX, join
from crimebook.correlation.config import MatchConfig
from crimebook.correlation.model import (
    F64,
    I64,
    KINDS,
    CameraTable,
    Communication,
    Deployment,
    IncidentTable,
    Kind,
    MediaItem,
    Pair,
    Rejection,
    SegmentTable,
)
from crimebook.correlation.prepare import Prepared, prepare
from crimebook.correlation.scoring import scores

_EMPTY_CAMERAS = CameraTable.from_records([])
_EMPTY_SEGMENTS = SegmentTable.from_records([])


@dataclass(frozen=True, eq=False)
class PairTable:
    """All matching pairs as columns (there may be millions); rows become ``Pair`` on demand.

    ``incident`` and ``span`` index the prepared inputs kept in ``prepared`` (used for the
    explanation); the other columns are the lead's components.
    """

    prepared: Prepared
    cfg: MatchConfig
    incident: IX
    span: IX
    distance_m: F64
    score: F64

    def __len__(self) -> int:
        return len(self.incident)

    @property
    def gap_s(self) -> I64:
        """Seconds between the stated windows (0 when they overlap)."""
        inc, sp = self.prepared.incidents, self.prepared.spans
        a = sp.start[self.span] - inc.end[self.incident]
        b = inc.start[self.incident] - sp.end[self.span]
        out: I64 = np.maximum(np.maximum(a, b), 0)
        return out

    @property
    def overlap_s(self) -> I64:
        """Seconds the stated windows share (0 when they only touch or are apart)."""
        inc, sp = self.prepared.incidents, self.prepared.spans
        end = np.minimum(inc.end[self.incident], sp.end[self.span])
        out: I64 = np.maximum(end - np.maximum(inc.start[self.incident], sp.start[self.span]), 0)
        return out

    @property
    def penalty(self) -> F64:
        """The precision penalty component of each score."""
        p, cfg = self.prepared, self.cfg
        tol = p.incidents.tolerance_s[self.incident] + p.spans.tol[self.span]
        radii = p.incidents.radius_m[self.incident] + p.sites.radius_m[p.spans.site[self.span]]
        width = p.incidents.end[self.incident] - p.incidents.start[self.incident]
        _, pen = scores(self.gap_s, tol, self.distance_m, radii, width + 2 * tol, radii, cfg)
        return pen

    @property
    def incident_id(self) -> I64:
        return self.prepared.incidents.id[self.incident]

    @property
    def evidence_id(self) -> I64:
        return self.prepared.spans.id[self.span]

    @property
    def kind_code(self) -> npt.NDArray[np.uint8]:
        return self.prepared.sites.kind[self.prepared.spans.site[self.span]]

    def take(self, rows: npt.NDArray[np.integer[Any]] | npt.NDArray[np.bool_]) -> PairTable:
        """The sub-table of the given row numbers (or mask)."""
        return PairTable(
            self.prepared,
            self.cfg,
            self.incident[rows],
            self.span[rows],
            self.distance_m[rows],
            self.score[rows],
        )

    def __getitem__(self, k: int) -> Pair:
        p = self.prepared
        i, s = int(self.incident[k]), int(self.span[k])
        site = int(p.spans.site[s])
        kind: Kind = KINDS[int(p.sites.kind[site])]
        one = self.take(np.array([k]))
        return Pair(
            incident_id=int(p.incidents.id[i]),
            evidence_id=int(p.spans.id[s]),
            kind=kind,
            source_id=int(p.sites.source_id[site]),
            score=float(self.score[k]),
            time_gap_s=int(one.gap_s[0]),
            time_overlap_s=int(one.overlap_s[0]),
            distance_m=float(self.distance_m[k]),
            precision_penalty=float(one.penalty[0]),
            explanation=explain.sentence(p, i, s, float(self.distance_m[k]), self.cfg),
        )

    def __iter__(self) -> Iterator[Pair]:
        for k in range(len(self)):
            yield self[k]

    def key_set(self) -> set[tuple[int, str, int]]:
        """The pair set as ``(incident_id, kind, evidence_id)`` — for comparisons."""
        kinds = self.kind_code
        return {
            (int(a), KINDS[int(k)], int(b))
            for a, k, b in zip(self.incident_id, kinds, self.evidence_id, strict=True)
        }

    def ranked(self, per_incident: int | None = None) -> npt.NDArray[np.int64]:
        """Row numbers ordered by incident, then best score first; at most ``per_incident``
        rows per incident when given (ties broken by evidence id, so the order is stable)."""
        order = np.lexsort((self.evidence_id, -self.score, self.incident_id)).astype(np.int64)
        if per_incident is None or len(order) == 0:
            return order
        inc = self.incident_id[order]
        first = np.r_[True, inc[1:] != inc[:-1]]
        group_start = np.maximum.accumulate(np.where(first, np.arange(len(inc)), 0))
        rank = np.arange(len(inc)) - group_start
        out: npt.NDArray[np.int64] = order[rank < per_incident]
        return out

    def for_incident(self, incident_id: int) -> list[Pair]:
        """The leads of one incident, best first."""
        rows = np.flatnonzero(self.incident_id == incident_id)
        rows = rows[np.lexsort((self.evidence_id[rows], -self.score[rows]))]
        return [self[int(k)] for k in rows]


@dataclass(frozen=True, eq=False)
class MatchResult:
    pairs: PairTable
    skipped: tuple[Rejection, ...] = field(default=())
    rejected: tuple[Rejection, ...] = field(default=())


def correlate(
    incidents: IncidentTable,
    *,
    cameras: CameraTable = _EMPTY_CAMERAS,
    segments: SegmentTable = _EMPTY_SEGMENTS,
    media: Sequence[MediaItem] = (),
    communications: Sequence[Communication] = (),
    deployments: Sequence[Deployment] = (),
    config: MatchConfig | None = None,
) -> MatchResult:
    """Every incident ↔ evidence pair that satisfies the matching rule, scored and explainable,
    plus every input record that could not take part (``skipped``) or was invalid
    (``rejected``), each with its reason."""
    cfg = config or MatchConfig()
    prepared = prepare(
        incidents,
        cameras=cameras,
        segments=segments,
        media=media,
        communications=communications,
        deployments=deployments,
        cfg=cfg,
    )
    inc, span, dist, score = join(prepared.incidents, prepared.sites, prepared.spans, cfg)
    return MatchResult(
        pairs=PairTable(prepared, cfg, inc, span, dist, score),
        skipped=prepared.skipped,
        rejected=prepared.rejected,
    )
