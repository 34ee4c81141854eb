"""Written rules for bad input, and the normalised arrays the join works on.

Every record either takes part in matching or is reported with a reason — nothing is
dropped silently. Two lists:

- ``skipped``: the record lacks what matching needs (no time, no place, no radius). It is
  not wrong, it just cannot be matched yet.
- ``rejected``: the record contradicts itself or exceeds a configured limit (coordinates out
  of range, negative or too large radius, end before start, window longer than allowed,
  duplicated id, unknown camera).

Rules that *change* a record instead of rejecting it (each is documented in
ARCHITECTURE.md, "Correlation core"):

- a missing end means a point in time: ``end = start``;
- a radius of 0 is a point and is allowed;
- a photo/video without GPS accuracy gets ``MatchConfig.media_unknown_accuracy_m``;
- a capture time whose zone was inferred / unknown gets its tolerance widened by
  ``tz_inferred_extra_s`` / ``tz_unknown_extra_s``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from crimebook.correlation.config import MatchConfig
from crimebook.correlation.model import (
    F64,
    I64,
    MISSING_TIME,
    CameraTable,
    Communication,
    Deployment,
    IncidentTable,
    MediaItem,
    Rejection,
    SegmentTable,
)

B = npt.NDArray[np.bool_]
U8 = npt.NDArray[np.uint8]

KIND_RECORDING, KIND_MEDIA, KIND_COMMUNICATION, KIND_DEPLOYMENT = 0, 1, 2, 3
TZ_CODES = {"known": 0, "inferred": 1, "unknown": 2}
FLAG_VIDEO = 4  # added to the tz code for videos
MAX_ABS_TIME = 1 << 40  # seconds; keeps every sum of times and tolerances far from int64 overflow


@dataclass(frozen=True, eq=False)
class Sites:
    """Places evidence was recorded at; spans of site ``s`` are ``off[s]:off[s+1]``."""

    kind: U8
    source_id: I64
    lat: F64
    lon: F64
    radius_m: F64
    off: I64


@dataclass(frozen=True, eq=False)
class Spans:
    """Time spans of evidence, ordered by (site, start)."""

    site: I64
    id: I64
    start: I64
    end: I64
    tol: I64
    flags: U8  # media: tz code + FLAG_VIDEO


@dataclass(frozen=True, eq=False)
class Prepared:
    incidents: IncidentTable  # only those that take part, tolerance included
    sites: Sites
    spans: Spans
    skipped: tuple[Rejection, ...]
    rejected: tuple[Rejection, ...]


class _Checker:
    """Collects the first reason per row; rows with a reason take no part in matching."""

    def __init__(self, kind: str, ids: I64) -> None:
        self.kind = kind
        self.ids = ids
        self.bad = np.zeros(len(ids), dtype=np.bool_)
        self.skipped: list[Rejection] = []
        self.rejected: list[Rejection] = []

    def rule(self, mask: B, reason: str, *, skip: bool = False) -> None:
        new = mask & ~self.bad
        if not new.any():
            return
        self.bad |= new
        target = self.skipped if skip else self.rejected
        target.extend(Rejection(self.kind, int(i), reason) for i in self.ids[new])

    def duplicates(self) -> None:
        ids = self.ids
        if len(ids) < 2 or bool(np.all(ids[1:] > ids[:-1])):
            return
        uniq, counts = np.unique(ids, return_counts=True)
        dup = uniq[counts > 1]
        if len(dup):
            mask = np.isin(ids, dup)
            for i in np.unique(ids[mask]):
                n = int(counts[np.searchsorted(uniq, i)])
                self.rule(
                    ids == i, f"{self.kind} id {int(i)} appears {n} times; ids must be unique"
                )

    def windows(self, start: I64, end: I64, max_s: int, what: str) -> None:
        self.rule(
            start == MISSING_TIME, f"no time: {what} without a start cannot be matched", skip=True
        )
        self.rule(
            (np.abs(start) > MAX_ABS_TIME) | (np.abs(end) > MAX_ABS_TIME),
            "time outside the representable range (more than 30,000 years from 1970)",
        )
        self.rule(end < start, f"{what} ends before it starts")
        self.rule(
            (end - start) > max_s,
            f"{what} is longer than the configured maximum of {_days(max_s)}",
        )

    def places(self, lat: F64, lon: F64, radius: F64 | None, max_m: float, what: str) -> None:
        self.rule(
            np.isnan(lat) | np.isnan(lon),
            f"no place: {what} without coordinates cannot be matched",
            skip=True,
        )
        self.rule(~((lat >= -90.0) & (lat <= 90.0)), "latitude outside -90 … 90")
        self.rule(~((lon >= -180.0) & (lon <= 180.0)), "longitude outside -180 … 180")
        if radius is None:
            return
        self.rule(
            np.isnan(radius),
            f"no radius: {what} with unknown uncertainty cannot be matched",
            skip=True,
        )
        self.rule(radius < 0, "radius is negative")
        self.rule(
            ~(radius <= max_m), f"radius exceeds the configured maximum of {max_m / 1000:g} km"
        )


def _days(seconds: int) -> str:
    return f"{seconds / 86400:g} days" if seconds >= 86400 else f"{seconds} s"


def _fill_end(start: I64, end: I64) -> I64:
    return np.where(end == MISSING_TIME, start, end)


def prepare_incidents(
    table: IncidentTable, cfg: MatchConfig
) -> tuple[IncidentTable, list[Rejection], list[Rejection]]:
    end = _fill_end(table.start, table.end)
    c = _Checker("incident", table.id)
    c.duplicates()
    c.windows(table.start, end, cfg.max_window_s, "an incident")
    c.places(table.lat, table.lon, table.radius_m, cfg.max_radius_m, "an incident")
    c.rule(table.tolerance_s < 0, "time tolerance is negative")
    c.rule(table.tolerance_s > MAX_ABS_TIME, "time tolerance is too large")
    ok = ~c.bad
    out = IncidentTable(
        table.id[ok],
        table.start[ok],
        end[ok],
        table.lat[ok],
        table.lon[ok],
        table.radius_m[ok],
        table.tolerance_s[ok],
    )
    return out, c.skipped, c.rejected


def _prepare_recordings(
    cameras: CameraTable, segments: SegmentTable, cfg: MatchConfig
) -> tuple[Sites, Spans, list[Rejection], list[Rejection]]:
    cc = _Checker("camera", cameras.id)
    cc.duplicates()
    cc.places(cameras.lat, cameras.lon, cameras.fov_radius_m, cfg.max_radius_m, "a camera")
    cam_ok = ~cc.bad
    cam_ids = cameras.id[cam_ok]
    order = np.argsort(cam_ids, kind="stable")
    cam_ids = cam_ids[order]
    tol = np.where(
        cameras.clock_tolerance_s < 0, cfg.recording_tolerance_s, cameras.clock_tolerance_s
    )

    sc = _Checker("segment", segments.id)
    sc.duplicates()
    sc.windows(segments.start, segments.end, cfg.max_span_s, "a recording segment")
    pos = np.searchsorted(cam_ids, segments.camera_id)
    pos_c = np.minimum(pos, max(len(cam_ids) - 1, 0))
    known = (
        (pos < len(cam_ids)) & (cam_ids[pos_c] == segments.camera_id)
        if len(cam_ids)
        else np.zeros(len(pos), np.bool_)
    )
    bad_cam_ids = np.unique(cameras.id[cc.bad])
    of_bad_camera = np.isin(segments.camera_id, bad_cam_ids) & ~known
    # Segments of a rejected camera are counted in the camera's rejection, not listed one by one.
    if of_bad_camera.any():
        n_by_cam = dict(
            zip(*np.unique(segments.camera_id[of_bad_camera], return_counts=True), strict=True)
        )
        cc.rejected = [
            Rejection(
                r.kind,
                r.id,
                f"{r.reason}; its {int(n_by_cam.get(r.id, 0))} recording segments are not matched",
            )
            if r.id in n_by_cam
            else r
            for r in cc.rejected
        ]
        cc.skipped = [
            Rejection(
                r.kind,
                r.id,
                f"{r.reason}; its {int(n_by_cam.get(r.id, 0))} recording segments are not matched",
            )
            if r.id in n_by_cam
            else r
            for r in cc.skipped
        ]
        sc.bad |= of_bad_camera
    sc.rule(~known, "refers to a camera that was not supplied")
    seg_ok = ~sc.bad

    site = pos_c[seg_ok].astype(np.int64)
    start = segments.start[seg_ok]
    end = segments.end[seg_ok]
    ids = segments.id[seg_ok]
    if len(site) > 1:
        ds = np.diff(site)
        in_order = bool(np.all((ds > 0) | ((ds == 0) & (np.diff(start) >= 0))))
        if not in_order:
            perm = np.lexsort((start, site))
            site, start, end, ids = site[perm], start[perm], end[perm], ids[perm]
    off = np.searchsorted(site, np.arange(len(cam_ids) + 1)).astype(np.int64)
    cam_tol = tol[cam_ok][order].astype(np.int64)
    sites = Sites(
        np.zeros(len(cam_ids), dtype=np.uint8),
        cam_ids,
        cameras.lat[cam_ok][order],
        cameras.lon[cam_ok][order],
        cameras.fov_radius_m[cam_ok][order],
        off,
    )
    spans = Spans(site, ids, start, end, cam_tol[site], np.zeros(len(site), dtype=np.uint8))
    return sites, spans, cc.skipped + sc.skipped, cc.rejected + sc.rejected


def _point_evidence(
    kind_name: str,
    kind: int,
    ids: I64,
    source: I64,
    start: I64,
    end: I64,
    lat: F64,
    lon: F64,
    radius: F64,
    tol: I64,
    flags: U8,
    cfg: MatchConfig,
) -> tuple[Sites, Spans, list[Rejection], list[Rejection]]:
    c = _Checker(kind_name, ids)
    c.duplicates()
    c.windows(start, end, cfg.max_span_s, f"a {kind_name}")
    c.places(lat, lon, radius, cfg.max_radius_m, f"a {kind_name}")
    c.rule(tol < 0, "time tolerance is negative")
    c.rule(tol > MAX_ABS_TIME, "time tolerance is too large")
    ok = ~c.bad
    n = int(ok.sum())
    sites = Sites(
        np.full(n, kind, dtype=np.uint8),
        source[ok],
        lat[ok],
        lon[ok],
        radius[ok],
        np.arange(n + 1, dtype=np.int64),
    )
    spans = Spans(np.arange(n, dtype=np.int64), ids[ok], start[ok], end[ok], tol[ok], flags[ok])
    return sites, spans, c.skipped, c.rejected


def _media(
    items: Sequence[MediaItem], cfg: MatchConfig
) -> tuple[Sites, Spans, list[Rejection], list[Rejection]]:
    ids = np.array([m.id for m in items], dtype=np.int64)
    start = np.array(
        [MISSING_TIME if m.capture_time is None else m.capture_time for m in items], dtype=np.int64
    )
    dur = np.array([m.duration_s for m in items], dtype=np.int64)
    end = np.where(start == MISSING_TIME, start, start + dur)
    extra = {"known": 0, "inferred": cfg.tz_inferred_extra_s, "unknown": cfg.tz_unknown_extra_s}
    bad_tz = [m.id for m in items if m.tz not in extra]
    tol = np.array(
        [
            (cfg.media_tolerance_s if m.tolerance_s is None else m.tolerance_s) + extra.get(m.tz, 0)
            for m in items
        ],
        dtype=np.int64,
    )
    acc = np.array(
        [cfg.media_unknown_accuracy_m if m.accuracy_m is None else m.accuracy_m for m in items],
        dtype=np.float64,
    )
    lat = np.array([np.nan if m.lat is None else m.lat for m in items], dtype=np.float64)
    lon = np.array([np.nan if m.lon is None else m.lon for m in items], dtype=np.float64)
    flags = np.array(
        [TZ_CODES.get(m.tz, 0) + (FLAG_VIDEO if m.is_video else 0) for m in items], dtype=np.uint8
    )
    extra_rej = [
        Rejection("media", i, "time-zone status must be known, inferred or unknown") for i in bad_tz
    ]
    neg = np.isin(ids, [m.id for m in items if m.duration_s < 0])
    extra_rej += [
        Rejection("media", m.id, "duration is negative") for m in items if m.duration_s < 0
    ]
    keep = ~(np.isin(ids, bad_tz) | neg)
    s, sp, sk, rj = _point_evidence(
        "media", KIND_MEDIA, ids[keep], ids[keep], start[keep], end[keep], lat[keep], lon[keep],
        acc[keep], tol[keep], flags[keep], cfg,
    )  # fmt: skip
    return s, sp, sk, rj + extra_rej


def _areas(
    kind_name: str,
    kind: int,
    items: Sequence[Communication] | Sequence[Deployment],
    cfg: MatchConfig,
) -> tuple[Sites, Spans, list[Rejection], list[Rejection]]:
    ids = np.array([x.id for x in items], dtype=np.int64)
    if kind == KIND_DEPLOYMENT:
        source = np.array([x.unit_id for x in items if isinstance(x, Deployment)], dtype=np.int64)
        tol = np.full(len(items), cfg.deployment_tolerance_s, dtype=np.int64)
    else:
        source = ids
        tol = np.array(
            [
                cfg.communication_tolerance_s
                if getattr(x, "tolerance_s", None) is None
                else x.tolerance_s  # type: ignore[union-attr]
                for x in items
            ],
            dtype=np.int64,
        )
    start = np.array([MISSING_TIME if x.start is None else x.start for x in items], dtype=np.int64)
    end = _fill_end(
        start, np.array([MISSING_TIME if x.end is None else x.end for x in items], dtype=np.int64)
    )
    lat = np.array([np.nan if x.lat is None else x.lat for x in items], dtype=np.float64)
    lon = np.array([np.nan if x.lon is None else x.lon for x in items], dtype=np.float64)
    rad = np.array([np.nan if x.radius_m is None else x.radius_m for x in items], dtype=np.float64)
    flags = np.zeros(len(items), dtype=np.uint8)
    return _point_evidence(kind_name, kind, ids, source, start, end, lat, lon, rad, tol, flags, cfg)


def _concat(parts: list[tuple[Sites, Spans]]) -> tuple[Sites, Spans]:
    site_base = 0
    span_base = 0
    offs: list[I64] = []
    span_sites: list[I64] = []
    for s, sp in parts:
        offs.append(s.off[:-1] + span_base)
        span_sites.append(sp.site + site_base)
        site_base += len(s.lat)
        span_base += len(sp.id)
    off = np.concatenate([*offs, np.array([span_base], dtype=np.int64)])
    sites = Sites(
        np.concatenate([s.kind for s, _ in parts]),
        np.concatenate([s.source_id for s, _ in parts]),
        np.concatenate([s.lat for s, _ in parts]),
        np.concatenate([s.lon for s, _ in parts]),
        np.concatenate([s.radius_m for s, _ in parts]),
        off,
    )
    spans = Spans(
        np.concatenate(span_sites),
        *(
            np.concatenate([getattr(sp, f) for _, sp in parts])
            for f in ("id", "start", "end", "tol", "flags")
        ),
    )
    return sites, spans


def prepare(
    incidents: IncidentTable,
    *,
    cameras: CameraTable,
    segments: SegmentTable,
    media: Sequence[MediaItem],
    communications: Sequence[Communication],
    deployments: Sequence[Deployment],
    cfg: MatchConfig,
) -> Prepared:
    inc, skipped, rejected = prepare_incidents(incidents, cfg)
    parts: list[tuple[Sites, Spans]] = []
    for sites, spans, sk, rj in (
        _prepare_recordings(cameras, segments, cfg),
        _media(media, cfg),
        _areas("communication", KIND_COMMUNICATION, communications, cfg),
        _areas("deployment", KIND_DEPLOYMENT, deployments, cfg),
    ):
        parts.append((sites, spans))
        skipped += sk
        rejected += rj
    sites, spans = parts[0] if not any(len(p[1].id) for p in parts[1:]) else _concat(parts)
    return Prepared(inc, sites, spans, tuple(skipped), tuple(rejected))
