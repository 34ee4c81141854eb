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

import numpy as np
import numpy.typing as npt

from crimebook.correlation import explain
from crimebook.correlation._join import join
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

_EMPTY_CAMERAS = CameraTable.from_records([])
_EMPTY_SEGMENTS = SegmentTable.from_records([])


def scores(
    gap: I64,
    allowed_gap: I64,
    distance: F64,
    allowed_distance: F64,
    vague_t: I64,
    vague_d: F64,
    cfg: MatchConfig,
) -> tuple[F64, F64]:
    """(score, precision penalty) by the documented formula, vectorised."""
    with np.errstate(divide="ignore", invalid="ignore"):
        time_fit = np.where(allowed_gap > 0, 1.0 - 0.5 * gap / np.maximum(allowed_gap, 1), 1.0)
        place_fit = np.where(allowed_distance > 0, 1.0 - 0.5 * distance / allowed_distance, 1.0)
    place_fit = np.clip(place_fit, 0.5, 1.0)
    penalty = 0.25 * vague_t / (vague_t + cfg.vague_time_s) + 0.25 * vague_d / (
        vague_d + cfg.vague_distance_m
    )
    return time_fit * place_fit * (1.0 - penalty), penalty


@dataclass(frozen=True, eq=False)
class PairTable:
    """All matching pairs as columns (there may be millions); rows become ``Pair`` on demand.

    ``incident`` and ``span`` index the prepared inputs kept in ``prepared`` (used for the
    explanation); the other columns are the lead's components.
    """

    prepared: Prepared
    cfg: MatchConfig
    incident: I64
    span: I64
    distance_m: F64
    gap_s: I64
    overlap_s: I64
    score: F64
    penalty: F64

    def __len__(self) -> int:
        return len(self.incident)

    @property
    def incident_id(self) -> I64:
        return self.prepared.incidents.id[self.incident]

    @property
    def evidence_id(self) -> I64:
        return self.prepared.spans.id[self.span]

    @property
    def kind_code(self) -> npt.NDArray[np.uint8]:
        return self.prepared.sites.kind[self.prepared.spans.site[self.span]]

    def __getitem__(self, k: int) -> Pair:
        p = self.prepared
        i, s = int(self.incident[k]), int(self.span[k])
        site = int(p.spans.site[s])
        kind: Kind = KINDS[int(p.sites.kind[site])]
        return Pair(
            incident_id=int(p.incidents.id[i]),
            evidence_id=int(p.spans.id[s]),
            kind=kind,
            source_id=int(p.sites.source_id[site]),
            score=float(self.score[k]),
            time_gap_s=int(self.gap_s[k]),
            time_overlap_s=int(self.overlap_s[k]),
            distance_m=float(self.distance_m[k]),
            precision_penalty=float(self.penalty[k]),
            explanation=explain.sentence(p, i, s, float(self.distance_m[k]), self.cfg),
        )

    def __iter__(self) -> Iterator[Pair]:
        for k in range(len(self)):
            yield self[k]

    def keys(self) -> set[tuple[int, str, int]]:
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


def pair_table(prepared: Prepared, cfg: MatchConfig, inc: I64, span: I64, dist: F64) -> PairTable:
    """Components and scores for already-matched (incident, span) index pairs."""
    p_inc, p_sp = prepared.incidents, prepared.spans
    site = p_sp.site[span]
    i_start, i_end = p_inc.start[inc], p_inc.end[inc]
    s_start, s_end = p_sp.start[span], p_sp.end[span]
    gap = np.maximum(np.maximum(s_start - i_end, i_start - s_end), 0)
    overlap = np.maximum(np.minimum(i_end, s_end) - np.maximum(i_start, s_start), 0)
    tol_i, tol_s = p_inc.tolerance_s[inc], p_sp.tol[span]
    r_i, r_s = p_inc.radius_m[inc], prepared.sites.radius_m[site]
    score, penalty = scores(
        gap,
        tol_i + tol_s + cfg.time_tolerance_s,
        dist,
        r_i + r_s + cfg.distance_tolerance_m,
        (i_end - i_start) + 2 * (tol_i + tol_s),
        r_i + r_s,
        cfg,
    )
    return PairTable(prepared, cfg, inc, span, dist, gap, overlap, score, penalty)


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
    inc, span, dist = join(prepared.incidents, prepared.sites, prepared.spans, cfg)
    return MatchResult(
        pairs=pair_table(prepared, cfg, inc, span, dist),
        skipped=prepared.skipped,
        rejected=prepared.rejected,
    )
