"""Reference implementations of the matching rule with no index at all.

``pairs_naive`` checks every (incident, span) pair with the same ``haversine_m`` as the fast
join (one incident at a time against all spans), so the two must return identical pair sets;
the property tests rely on this. ``pairs_python`` is the plain-Python double loop with the
``math`` module, used by the benchmark as the baseline a newcomer would write.
"""

from __future__ import annotations

import numpy as np

from crimebook.correlation.config import MatchConfig
from crimebook.correlation.geo import haversine_m, haversine_scalar_m
from crimebook.correlation.model import I64
from crimebook.correlation.prepare import Prepared


def pairs_naive(p: Prepared, cfg: MatchConfig) -> tuple[I64, I64]:
    """(incident index, span index) of every matching pair, by exhaustive check."""
    inc, sp, sites = p.incidents, p.spans, p.sites
    s_lat, s_lon, s_r = sites.lat[sp.site], sites.lon[sp.site], sites.radius_m[sp.site]
    out_i: list[I64] = []
    out_s: list[I64] = []
    for i in range(len(inc)):
        n = len(sp.id)
        d = haversine_m(np.full(n, inc.lat[i]), np.full(n, inc.lon[i]), s_lat, s_lon)
        near = d <= inc.radius_m[i] + s_r + cfg.distance_tolerance_m
        gap = np.maximum(np.maximum(sp.start - inc.end[i], inc.start[i] - sp.end), 0)
        soon = gap <= inc.tolerance_s[i] + sp.tol + cfg.time_tolerance_s
        hit = np.flatnonzero(near & soon).astype(np.int64)
        out_i.append(np.full(len(hit), i, dtype=np.int64))
        out_s.append(hit)
    if not out_i:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(out_i), np.concatenate(out_s)


def pairs_python(
    p: Prepared, cfg: MatchConfig, span_rows: range | None = None
) -> set[tuple[int, int]]:
    """The same rule as a plain double loop over Python floats and ints (slow by design)."""
    inc, sp, sites = p.incidents, p.spans, p.sites
    incidents = list(
        zip(
            inc.start.tolist(), inc.end.tolist(), inc.tolerance_s.tolist(),
            inc.lat.tolist(), inc.lon.tolist(), inc.radius_m.tolist(), strict=True,
        )
    )  # fmt: skip
    rows = span_rows if span_rows is not None else range(len(sp.id))
    site_of = sp.site[rows.start : rows.stop].tolist()
    spans = list(
        zip(
            sp.start[rows.start : rows.stop].tolist(), sp.end[rows.start : rows.stop].tolist(),
            sp.tol[rows.start : rows.stop].tolist(), sites.lat[site_of].tolist(),
            sites.lon[site_of].tolist(), sites.radius_m[site_of].tolist(), strict=True,
        )
    )  # fmt: skip
    t_tol, d_tol = cfg.time_tolerance_s, cfg.distance_tolerance_m
    found: set[tuple[int, int]] = set()
    for i, (i0, i1, itol, ilat, ilon, ir) in enumerate(incidents):
        for k, (s0, s1, stol, slat, slon, sr) in enumerate(spans):
            gap = max(0, s0 - i1, i0 - s1)
            if gap > itol + stol + t_tol:
                continue
            if haversine_scalar_m(ilat, ilon, slat, slon) <= ir + sr + d_tol:
                found.add((i, rows.start + k))
    return found
