"""The score of a lead, by the formula documented in ``core`` and ARCHITECTURE.md."""

from __future__ import annotations

import numpy as np

from crimebook.correlation.config import MatchConfig
from crimebook.correlation.model import F64, I64


def scores(
    gap: I64,
    allowed_gap: I64,
    distance: F64,
    allowed_distance: F64,
    vague_t: I64,
    vague_d: F64,
    cfg: MatchConfig,
) -> tuple[F64, F64]:
    """(score, precision penalty) by the documented formula, vectorised.

    Inputs satisfy ``gap <= allowed_gap`` and ``distance <= allowed_distance`` (the matching
    rule), so each fit lies in [0.5, 1]; when an allowance is 0 the measure is 0 too and the
    fit is 1.
    """
    time_fit = 1.0 - 0.5 * (gap / np.maximum(allowed_gap, 1))
    place_fit = 1.0 - 0.5 * (distance / np.maximum(allowed_distance, 1e-300))
    vt = vague_t.astype(np.float64)
    penalty = 0.25 * (vt / (vt + cfg.vague_time_s)) + 0.25 * (
        vague_d / (vague_d + cfg.vague_distance_m)
    )
    score: F64 = time_fit * place_fit * (1.0 - penalty)
    return score, penalty
