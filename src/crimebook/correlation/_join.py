"""The fast incident × evidence join (vectorised NumPy; no Python loop over evidence).

1. Sites (cameras, photo positions, cells, deployment areas) that have spans are split into
   radius bands, so that a few huge cell areas do not widen the search for every camera.
2. Per band, sites are bucketed in a latitude/longitude grid and sorted by cell key; within a
   grid row, the cells of an incident's bounding box are one contiguous run of sites, found
   with two ``searchsorted`` calls per (incident, row).
3. Candidate (incident, site) pairs are kept iff ``haversine <= r_i + r_s + tolerance``.
4. A site's spans are sorted by start; the spans that can overlap an incident's widened
   window are one contiguous run, found by ``searchsorted`` on a (site, start) composite key
   bounded by the site's longest span and largest tolerance.
5. Candidate (incident, span) pairs are kept iff the exact time rule holds.

Only steps 3 and 5 decide; steps 1, 2 and 4 only prune, conservatively. Incidents are
processed in chunks of bounded candidate count, on ``MatchConfig.threads`` threads (NumPy
releases the GIL in the heavy calls).
"""

from __future__ import annotations

import itertools
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from crimebook.correlation.config import MatchConfig
from crimebook.correlation.geo import M_PER_DEG_LAT, bounding_box, haversine_rad
from crimebook.correlation.model import F64, I64, IncidentTable
from crimebook.correlation.prepare import Sites, Spans

_BAND_EDGES_M = (250.0, 2_500.0, 25_000.0)
_DENSE_SPANS = 4  # sites with at least this many spans get a time-bin table
_MAX_BINS = 1 << 14


IX = npt.NDArray[np.int32] | npt.NDArray[np.int64]


def _small(a: I64) -> IX:
    """Row numbers as int32 when they fit: a result may hold tens of millions of them."""
    return a.astype(np.int32) if len(a) == 0 or int(a.max()) < 2**31 else a


def _empty() -> tuple[IX, IX, F64, F64]:
    z = np.zeros(0, dtype=np.int32)
    return z, z.copy(), np.zeros(0, dtype=np.float64), np.zeros(0, dtype=np.float64)


def _ranges(lo: I64, hi: I64) -> I64:
    """All positions of all ranges [lo, hi), concatenated."""
    _, pos = _expand(lo, hi)
    return pos


def _expand(lo: I64, hi: I64) -> tuple[I64, I64]:
    """For ranges [lo, hi): (index of the range, position) for every position in every range."""
    counts = np.maximum(hi - lo, 0)
    total = int(counts.sum())
    owner = np.repeat(np.arange(len(lo), dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    pos = np.arange(total, dtype=np.int64) - np.repeat(starts - lo, counts)
    return owner, pos


@dataclass(frozen=True, eq=False)
class _Band:
    sites: I64  # site indices, sorted by grid key
    keys: I64  # their grid keys
    rmax: float
    cell_lat: float
    cell_lon: float
    nx: int
    ny: int


def _grid(
    lat: F64, lon: F64, cell_lat: float, cell_lon: float, nx: int, ny: int
) -> tuple[I64, I64]:
    cy = np.clip(np.floor((lat + 90.0) / cell_lat), 0, ny - 1).astype(np.int64)
    cx = np.clip(np.floor((lon + 180.0) / cell_lon), 0, nx - 1).astype(np.int64)
    return cy, cx


def _make_band(site_idx: I64, sites: Sites, inc_r: F64, cfg: MatchConfig) -> _Band:
    rmax = float(sites.radius_m[site_idx].max())
    reach = np.median(inc_r) + rmax + cfg.distance_tolerance_m
    cell_m = float(min(max(reach, 50.0), 2_000_000.0))
    cell_lat = cell_m / M_PER_DEG_LAT
    ref = math.radians(float(np.median(sites.lat[site_idx])))
    cell_lon = min(cell_lat / max(math.cos(ref), 0.01), 360.0)
    ny = math.ceil(180.0 / cell_lat) + 1
    nx = math.ceil(360.0 / cell_lon) + 1
    cy, cx = _grid(sites.lat[site_idx], sites.lon[site_idx], cell_lat, cell_lon, nx, ny)
    keys = cy * nx + cx
    order = np.argsort(keys, kind="stable")
    return _Band(site_idx[order], keys[order], rmax, cell_lat, cell_lon, nx, ny)


class _Joiner:
    def __init__(self, inc: IncidentTable, sites: Sites, spans: Spans, cfg: MatchConfig) -> None:
        # Incidents in grid order keep consecutive look-ups close in memory.
        self.order = np.lexsort((inc.lon, np.floor(inc.lat * 50.0))).astype(np.int64)
        o = self.order
        inc = IncidentTable(
            inc.id[o],
            inc.start[o],
            inc.end[o],
            inc.lat[o],
            inc.lon[o],
            inc.radius_m[o],
            inc.tolerance_s[o],
        )
        self.inc, self.sites, self.spans, self.cfg = inc, sites, spans, cfg
        p_inc, p_site = np.radians(inc.lat), np.radians(sites.lat)
        self.inc_rad = (p_inc, np.cos(p_inc), np.radians(inc.lon))
        self.site_rad = (p_site, np.cos(p_site), np.radians(sites.lon))
        n_spans = np.diff(sites.off)
        active = np.flatnonzero(n_spans > 0).astype(np.int64)
        self.maxdur = np.zeros(len(sites.lat), dtype=np.int64)
        self.maxtol = np.zeros(len(sites.lat), dtype=np.int64)
        if len(active):
            starts = sites.off[active]
            self.maxdur[active] = np.maximum.reduceat(spans.end - spans.start, starts)
            self.maxtol[active] = np.maximum.reduceat(spans.tol, starts)
        band_of = np.searchsorted(np.array(_BAND_EDGES_M), sites.radius_m[active], side="left")
        self.bands = [
            _make_band(active[band_of == b], sites, inc.radius_m, cfg)
            for b in range(len(_BAND_EDGES_M) + 1)
            if len(inc) and bool((band_of == b).any())
        ]
        self._time_index(active)
        # Each span's window widened by its own tolerance, for the exact time rule.
        self.span_lo = spans.start - spans.tol
        self.span_hi = spans.end + spans.tol
        self.span32 = len(spans.start) < 2**31
        self.order_out: IX = _small(self.order)

    def _time_index(self, active: I64) -> None:
        """For sites with many spans, a table ``first[row, b]`` = index of the site's first span
        starting at or after ``tmin + b * width``: the span range for a time window is then two
        table look-ups (a superset by at most one bin at each end). Sites with few spans are
        simply scanned whole."""
        sites, spans = self.sites, self.spans
        n_spans = np.diff(sites.off)
        dense = active[n_spans[active] >= _DENSE_SPANS]
        self.dense_row = np.full(len(sites.lat), -1, dtype=np.int64)
        self.dense_row[dense] = np.arange(len(dense), dtype=np.int64)
        self.tmin = int(spans.start.min())
        tspan = int(spans.start.max()) - self.tmin + 1
        n_dense_spans = int(n_spans[dense].sum())
        self.nbins = int(np.clip(2 * n_dense_spans // max(len(dense), 1), 1, _MAX_BINS))
        self.width = max(1, -(-tspan // self.nbins))
        dtype = np.int32 if len(spans.start) < 2**31 else np.int64
        table = np.zeros((max(len(dense), 1), self.nbins + 1), dtype=dtype)  # >= 1 row to index
        if len(dense):
            row = self.dense_row[spans.site]
            key = row * self.nbins + (spans.start - self.tmin) // self.width
            if len(dense) < len(sites.lat):
                key = key[row >= 0]
            del row
            counts = np.bincount(key, minlength=len(dense) * self.nbins).reshape(len(dense), -1)
            del key
            table[:, 0] = sites.off[dense]
            np.cumsum(counts, axis=1, out=table[:, 1:])
            table[:, 1:] += sites.off[dense][:, None].astype(dtype)
        self.table = table.ravel()

    # -- step 2: (incident, row) ranges ---------------------------------------------------------
    def _rows(self, band: _Band, idx: I64) -> tuple[I64, I64, I64]:
        inc = self.inc
        reach = inc.radius_m[idx] + band.rmax + self.cfg.distance_tolerance_m
        la0, la1, lo0, lo1 = bounding_box(inc.lat[idx], inc.lon[idx], reach)
        cy0, cx0 = _grid(la0, lo0, band.cell_lat, band.cell_lon, band.nx, band.ny)
        cy1, cx1 = _grid(la1, lo1, band.cell_lat, band.cell_lon, band.nx, band.ny)
        owner, row = _expand(cy0, cy1 + 1)
        lo = np.searchsorted(band.keys, row * band.nx + cx0[owner], side="left")
        hi = np.searchsorted(band.keys, row * band.nx + cx1[owner], side="right")
        return idx[owner], lo, hi

    # -- steps 3-5 for one chunk of (incident, row) ranges ---------------------------------------
    def _chunk(self, band: _Band, ci: I64, lo: I64, hi: I64) -> tuple[IX, IX, F64, F64]:
        inc, sites, spans, cfg = self.inc, self.sites, self.spans, self.cfg
        owner, pos = _expand(lo, hi)
        ci = ci[owner]
        cs = band.sites[pos]
        del owner, pos
        # Step 3, per (incident, site): the distance rule.
        ip, sq = self.inc_rad, self.site_rad
        d = haversine_rad(ip[0][ci], ip[1][ci], ip[2][ci], sq[0][cs], sq[1][cs], sq[2][cs])
        radii = inc.radius_m[ci] + sites.radius_m[cs]
        ok = d <= radii + cfg.distance_tolerance_m
        ci, cs, d, radii = ci[ok], cs[ok], d[ok], radii[ok]
        # gap <= tol_i + tol_s + T  <=>  start - tol_s <= end_i + tol_i + T (= a)
        #                           and  end + tol_s >= start_i - tol_i - T (= b)
        tol_i = inc.tolerance_s[ci]
        a = inc.end[ci] + tol_i + cfg.time_tolerance_s
        b = inc.start[ci] - tol_i - cfg.time_tolerance_s
        reach = self.maxtol[cs]
        s_lo, s_hi = self._span_ranges(cs, b - reach - self.maxdur[cs], a + reach)
        # Step 5, per (incident, span): the time rule.
        owner, sp = _expand(s_lo, s_hi)
        ok = (self.span_lo[sp] <= a[owner]) & (self.span_hi[sp] >= b[owner])
        owner, sp = owner[ok], sp[ok]
        # Score (formula in ``scoring``): place parts per (incident, site), time parts per pair.
        place_fit = 1.0 - 0.5 * (d / np.maximum(radii + cfg.distance_tolerance_m, 1e-300))
        place_pen = 0.25 * (radii / (radii + cfg.vague_distance_m))
        ci_m = ci[owner]
        i_start, i_end = inc.start[ci_m], inc.end[ci_m]
        s_start, s_end = spans.start[sp], spans.end[sp]
        gap = np.maximum(np.maximum(s_start - i_end, i_start - s_end), 0)
        tols = tol_i[owner] + spans.tol[sp]
        vague_t = ((i_end - i_start) + 2 * tols).astype(np.float64)
        time_fit = 1.0 - 0.5 * (gap / np.maximum(tols + cfg.time_tolerance_s, 1))
        time_pen = 0.25 * (vague_t / (vague_t + cfg.vague_time_s))
        score: F64 = time_fit * place_fit[owner] * (1.0 - place_pen[owner] - time_pen)
        sp_out: IX = sp.astype(np.int32) if self.span32 else sp
        inc_out: IX = self.order_out[ci_m]
        return inc_out, sp_out, d[owner], score

    def _span_ranges(self, cs: I64, t_lo: I64, t_hi: I64) -> tuple[I64, I64]:
        off = self.sites.off
        row = self.dense_row[cs]
        dense = row >= 0
        stride = self.nbins + 1
        b_lo = np.clip((t_lo - self.tmin) // self.width, 0, self.nbins)
        b_hi = np.clip((t_hi - self.tmin) // self.width, -1, self.nbins - 1) + 1
        base = np.where(dense, row, 0) * stride
        lo = np.where(dense, self.table[base + b_lo], off[cs])
        hi = np.where(dense, self.table[base + b_hi], off[cs + 1])
        return lo.astype(np.int64, copy=False), hi.astype(np.int64, copy=False)

    def run(self) -> tuple[IX, IX, F64, F64]:
        jobs: list[tuple[_Band, I64, I64, I64]] = []
        for band in self.bands:
            ci, lo, hi = self._rows(band, np.arange(len(self.inc), dtype=np.int64))
            cum = np.cumsum(np.maximum(hi - lo, 0))
            cuts = (
                np.searchsorted(
                    cum,
                    np.arange(1, int(cum[-1]) // self.cfg.chunk_candidates + 1)
                    * self.cfg.chunk_candidates,
                )
                if len(cum)
                else np.array([], dtype=np.int64)
            )
            bounds = [0, *(int(c) + 1 for c in cuts), len(ci)]
            for a, z in itertools.pairwise(bounds):
                if z > a:
                    jobs.append((band, ci[a:z], lo[a:z], hi[a:z]))
        if self.cfg.threads > 1 and len(jobs) > 1:
            with ThreadPoolExecutor(max_workers=self.cfg.threads) as pool:
                parts = list(pool.map(lambda j: self._chunk(*j), jobs))
        else:
            parts = [self._chunk(*j) for j in jobs]
        if not parts:
            return _empty()
        return (
            np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]),
            np.concatenate([p[3] for p in parts]),
        )


def join(
    inc: IncidentTable, sites: Sites, spans: Spans, cfg: MatchConfig
) -> tuple[IX, IX, F64, F64]:
    """(incident row, span row, distance, score) of every pair that satisfies the rule."""
    if len(inc) == 0 or len(spans.id) == 0:
        return _empty()
    return _Joiner(inc, sites, spans, cfg).run()
