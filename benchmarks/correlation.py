"""Benchmark of the correlation core against (a) indexed PostgreSQL and (b) a naive Python loop.

    .venv/bin/python benchmarks/correlation.py            # 10,000 incidents x ~1M segments
    .venv/bin/python benchmarks/correlation.py --full     # 100,000 x ~10M (40,000 cameras x 30 days)

Prints input sizes, wall time and peak memory of the core, recall/precision on the synthetic
scenario, the pairs found, and — measured in the same run — the same matching as an indexed SQL
join on PostgreSQL (GiST on camera points, btree_gist on (camera, int8range)), and a plain
Python double loop on a sample, extrapolated. Ratios are what to compare across machines.
PostgreSQL is skipped with a message when it does not answer (``--pg-url``).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from crimebook.correlation import MatchConfig, MatchResult, correlate
from crimebook.correlation.geo import EARTH_RADIUS_M, bounding_box
from crimebook.correlation.model import IncidentTable
from crimebook.correlation.naive import pairs_python
from crimebook.correlation.scenario import Scenario, build_scenario, pair_quality

P = 1_000_000_007  # modulus of the order-independent pair checksum


def checksum(
    inc_ids: npt.NDArray[np.int64], seg_ids: npt.NDArray[np.int64]
) -> tuple[int, int, int]:
    """(count, sum of incident ids, sum of (inc * 1_000_003 + seg) mod P) — same in SQL."""
    a = inc_ids.astype(np.int64)
    b = seg_ids.astype(np.int64)
    mix = (a * 1_000_003 + b) % P
    return len(a), int(a.sum()), int(mix.sum())


def run_core(sc: Scenario, cfg: MatchConfig) -> tuple[MatchResult, float, int]:
    kw: dict[str, Any] = {"cameras": sc.cameras, "segments": sc.segments, "config": cfg}
    t = time.perf_counter()
    result = correlate(sc.incidents, **kw)
    wall = time.perf_counter() - t
    del result
    tracemalloc.start()
    tracemalloc.reset_peak()
    result = correlate(sc.incidents, **kw)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, wall, peak


def report_quality(sc: Scenario, cfg: MatchConfig) -> None:
    result = correlate(
        sc.incidents,
        cameras=sc.cameras,
        segments=sc.segments,
        deployments=sc.deployments,
        config=cfg,
    )
    p = result.pairs
    source = p.prepared.sites.source_id[p.prepared.spans.site[p.span]]
    rec = p.kind_code == 0
    inc_ids = p.incident_id
    for name, mask, truth in (("cameras", rec, sc.truth_cameras), ("units", ~rec, sc.truth_units)):
        q = pair_quality(inc_ids[mask], source[mask], truth)
        print(
            f"  quality ({name:7s}): recall {q.recall:.4f}  precision {q.precision:.4f}  "
            f"(true {q.truth:,}, proposed {q.found:,}, hit {q.hits:,})"
        )
    ranked = p.take(p.ranked(per_incident=3))
    print("  examples:")
    for k in range(min(3, len(ranked))):
        print(f"    incident {ranked[k].incident_id}: {ranked[k].explanation}")


def run_naive(sc: Scenario, result: MatchResult, cfg: MatchConfig, budget: int) -> float:
    """Plain-Python pairwise loop on a sample; returns the extrapolated seconds."""
    prepared = result.pairs.prepared
    n_inc, n_spans = len(prepared.incidents), len(prepared.spans.id)
    k = max(1, min(n_inc, budget // max(n_spans, 1)))
    m = min(n_spans, budget // k)
    rows = np.random.default_rng(0).choice(n_inc, k, replace=False)
    inc = prepared.incidents
    sub = IncidentTable(
        *(
            getattr(inc, f)[rows]
            for f in ("id", "start", "end", "lat", "lon", "radius_m", "tolerance_s")
        )
    )
    t = time.perf_counter()
    got = pairs_python(replace(prepared, incidents=sub), cfg, range(m))
    dt = time.perf_counter() - t
    got_ids = {(int(sub.id[i]), int(prepared.spans.id[s])) for i, s in got}
    p = result.pairs
    in_sample = np.isin(p.incident_id, sub.id) & (p.span < m)
    fast_ids = set(
        zip(p.incident_id[in_sample].tolist(), p.evidence_id[in_sample].tolist(), strict=True)
    )
    extrapolated = dt / (k * m) * n_inc * n_spans
    same = "same pairs" if got_ids == fast_ids else f"DIFFERENT pairs ({len(got_ids ^ fast_ids)})"
    print(
        f"  naive Python loop: {k} incidents x {m:,} segments = {k * m:,} checks in {dt:.2f} s "
        f"({dt / (k * m) * 1e9:.0f} ns/check) -> extrapolated {extrapolated:,.0f} s "
        f"for the full input; {len(got_ids)} pairs in the sample, {same}"
    )
    return extrapolated


def _copy_binary(cur: Any, table: str, columns: list[str], arrays: list[npt.NDArray[Any]]) -> None:
    """COPY ... FROM STDIN (FORMAT binary) built with NumPy: 10M rows in seconds."""
    fields = [("n", ">i2")]
    for k, a in enumerate(arrays):
        fields += [(f"l{k}", ">i4"), (f"v{k}", ">f8" if a.dtype.kind == "f" else ">i8")]
    rec = np.empty(len(arrays[0]), dtype=fields)
    rec["n"] = len(arrays)
    for k, a in enumerate(arrays):
        rec[f"l{k}"] = 8
        rec[f"v{k}"] = a
    header = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT binary)") as cp:
        cp.write(header)
        view = memoryview(rec.tobytes())
        step = 64 * 1024 * 1024
        for off in range(0, len(view), step):
            cp.write(view[off : off + step])
        cp.write((-1).to_bytes(2, "big", signed=True))


HAVERSINE_SQL = f"""
CREATE FUNCTION hav_m(lat1 float8, lon1 float8, lat2 float8, lon2 float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (2.0 * {EARTH_RADIUS_M!r}) * asin(sqrt(least(1.0, greatest(0.0,
    sin((radians(lat2) - radians(lat1)) * 0.5) ^ 2
    + cos(radians(lat1)) * cos(radians(lat2)) * (sin((radians(lon2) - radians(lon1)) * 0.5) ^ 2)))))
$$"""

QUERY = """
SELECT {select}
FROM incidents i
JOIN cameras c ON c.pt <@ box(point(i.lon0, i.lat0), point(i.lon1, i.lat1))
JOIN segments g ON g.camera_id = c.id
  AND g.span && int8range(i.s - i.tol - c.tol - {ttol}, i.e + i.tol + c.tol + {ttol}, '[]')
WHERE hav_m(i.lat, i.lon, c.lat, c.lon) <= i.r + c.r + {dtol}
"""


def run_postgres(
    sc: Scenario, result: MatchResult, cfg: MatchConfig, url: str, fetch: bool
) -> float | None:
    try:
        import psycopg
    except ImportError:  # pragma: no cover
        print("  PostgreSQL: SKIPPED (psycopg is not installed)")
        return None
    try:
        admin = psycopg.connect(url, autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        print(f"  PostgreSQL: SKIPPED (no server answers at {url}: {str(exc).strip()[:120]})")
        return None
    with admin:
        admin.execute("DROP DATABASE IF EXISTS crimebook_bench")
        admin.execute("CREATE DATABASE crimebook_bench")
    bench_url = psycopg.conninfo.make_conninfo(url, dbname="crimebook_bench")
    prepared = result.pairs.prepared
    inc, sites, spans = prepared.incidents, prepared.sites, prepared.spans
    with psycopg.connect(bench_url, autocommit=True) as conn, conn.cursor() as cur:
        has_postgis = True
        try:
            cur.execute("CREATE EXTENSION postgis")
        except psycopg.Error:
            has_postgis = False
        cur.execute("CREATE EXTENSION btree_gist")
        cur.execute(HAVERSINE_SQL)
        cur.execute(
            "CREATE TABLE incidents (id int8, s int8, e int8, tol int8, lat float8, lon float8, "
            "r float8, lat0 float8, lat1 float8, lon0 float8, lon1 float8)"
        )
        cur.execute(
            "CREATE TABLE cameras (id int8, lat float8, lon float8, r float8, tol int8, "
            "pt point GENERATED ALWAYS AS (point(lon, lat)) STORED)"
        )
        cur.execute(
            "CREATE TABLE segments (id int8, camera_id int8, s int8, e int8, "
            "span int8range GENERATED ALWAYS AS (int8range(s, e, '[]')) STORED)"
        )
        t = time.perf_counter()
        reach = inc.radius_m + float(sites.radius_m.max()) + cfg.distance_tolerance_m
        la0, la1, lo0, lo1 = bounding_box(inc.lat, inc.lon, reach)
        _copy_binary(
            cur, "incidents", ["id", "s", "e", "tol", "lat", "lon", "r", "lat0", "lat1", "lon0", "lon1"],
            [inc.id, inc.start, inc.end, inc.tolerance_s, inc.lat, inc.lon, inc.radius_m, la0, la1, lo0, lo1],
        )  # fmt: skip
        cam_tol = np.zeros(len(sites.lat), dtype=np.int64)
        cam_tol[spans.site] = spans.tol
        _copy_binary(
            cur, "cameras", ["id", "lat", "lon", "r", "tol"],
            [sites.source_id, sites.lat, sites.lon, sites.radius_m, cam_tol],
        )  # fmt: skip
        _copy_binary(
            cur, "segments", ["id", "camera_id", "s", "e"],
            [spans.id, sites.source_id[spans.site], spans.start, spans.end],
        )  # fmt: skip
        load = time.perf_counter() - t
        t = time.perf_counter()
        cur.execute("CREATE INDEX ON cameras USING gist (pt)")
        cur.execute("CREATE INDEX ON segments USING gist (camera_id, span)")
        cur.execute("ANALYZE incidents; ANALYZE cameras; ANALYZE segments")
        index = time.perf_counter() - t
        print(
            f"  PostgreSQL: loaded by COPY in {load:.1f} s, indexed + analysed in {index:.1f} s"
            f" (PostGIS {'available but not needed' if has_postgis else 'not available; GiST on point + btree_gist on int8range'})"
        )
        sel = f"count(*), coalesce(sum(i.id), 0), coalesce(sum((i.id * 1000003 + g.id) % {P}), 0)"
        q = QUERY.format(select=sel, ttol=cfg.time_tolerance_s, dtol=cfg.distance_tolerance_m)
        wall = float("inf")
        row: Any = None
        for label, settings in (
            ("planner's choice", ""),
            ("forced index nested loops", "SET enable_hashjoin = off; SET enable_mergejoin = off;"),
        ):
            if settings:
                cur.execute(settings)
            plan = "\n".join(r[0] for r in cur.execute("EXPLAIN " + q).fetchall())
            uses = [n for n in ("cameras_pt_idx", "segments_camera_id_span_idx") if n in plan]
            print(f"  PostgreSQL plan ({label}) uses indexes: {', '.join(uses) or 'NONE'}")
            for line in plan.splitlines():
                print(f"    | {line[:150]}")
            t = time.perf_counter()
            row = cur.execute(q).fetchone()
            took = time.perf_counter() - t
            print(f"  PostgreSQL join ({label}): {took:.2f} s")
            wall = min(wall, took)
        cur.execute("RESET enable_hashjoin; RESET enable_mergejoin")
        assert row is not None
        pg_sum = (int(row[0]), int(row[1]), int(row[2]))
        core_sum = checksum(result.pairs.incident_id, result.pairs.evidence_id)
        verdict = (
            "same pair set (count and checksums equal)"
            if pg_sum == core_sum
            else f"DIFFERENT: core {core_sum} vs SQL {pg_sum}"
        )
        print(f"  PostgreSQL best: {wall:.2f} s, {pg_sum[0]:,} pairs; {verdict}")
        if fetch:
            rows = cur.execute(
                QUERY.format(
                    select="i.id, g.id", ttol=cfg.time_tolerance_s, dtol=cfg.distance_tolerance_m
                )
            ).fetchall()
            sql_set = {(int(a), int(b)) for a, b in rows}
            core_set = set(
                zip(
                    result.pairs.incident_id.tolist(),
                    result.pairs.evidence_id.tolist(),
                    strict=True,
                )
            )
            print(
                f"  PostgreSQL pairs fetched and compared one by one: {'identical' if sql_set == core_set else f'{len(sql_set ^ core_set)} differ'}"
            )
    return wall


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--full", action="store_true", help="100,000 incidents x 40,000 cameras x 30 days"
    )
    ap.add_argument("--incidents", type=int, default=10_000)
    ap.add_argument("--cameras", type=int, default=4_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL comparison")
    ap.add_argument(
        "--naive-checks", type=int, default=3_000_000, help="pair checks for the Python loop sample"
    )
    args = ap.parse_args(argv)
    if args.full:
        args.incidents, args.cameras = 100_000, 40_000

    t = time.perf_counter()
    sc = build_scenario(
        n_incidents=args.incidents, n_cameras=args.cameras, days=args.days, seed=args.seed
    )
    gen = time.perf_counter() - t
    cfg = replace(sc.config, threads=args.threads)
    print(
        f"Input: {len(sc.incidents):,} incidents, {len(sc.cameras):,} cameras, "
        f"{len(sc.segments):,} recording segments over {args.days} days, "
        f"{len(sc.deployments):,} deployments (scenario built in {gen:.1f} s, not counted)"
    )
    result, wall, peak = run_core(sc, cfg)
    print(
        f"  core: {wall:.2f} s wall on {args.threads} thread(s), peak {peak / 2**20:,.0f} MiB "
        f"allocated during the call (tracemalloc); {len(result.pairs):,} incident-segment pairs, "
        f"{len(result.skipped)} skipped, {len(result.rejected)} rejected"
    )
    report_quality(sc, cfg)
    naive = run_naive(sc, result, cfg, args.naive_checks)
    pg = (
        None
        if args.no_pg
        else run_postgres(sc, result, cfg, args.pg_url, fetch=len(result.pairs) <= 3_000_000)
    )
    print("Summary:")
    print(f"  core                      {wall:10.2f} s")
    if pg is not None:
        print(f"  PostgreSQL indexed join   {pg:10.2f} s   ({pg / wall:,.1f}x the core's time)")
    print(f"  naive loop (extrapolated) {naive:10,.0f} s   ({naive / wall:,.0f}x the core's time)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  process peak RSS (whole benchmark incl. scenario and truth): {rss:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
