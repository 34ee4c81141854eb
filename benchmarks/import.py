"""Import benchmark: incidents per second and peak memory of ``crimebook import --bulk`` from
CSV, next to the raw bulk-load speed of the same rows measured in the same run
(``executemany`` into a plain table on SQLite, ``COPY`` on PostgreSQL) — CONVENTIONS 14.

Each measurement runs in a fresh child process (peak RSS is that child's own). The import
goes through the real path: encoding detection, the streaming CSV parser with all row
checks, the register's domain rules, vocabulary and duplicate lookups, ``COPY`` /
``executemany`` in batches with one audit entry per batch and the batch's search documents
(built set-based by the database; timed apart), all in one transaction. The import is also run on a
tenth of the rows so that peak memory can be compared as the file grows.

The headline ratio is against the raw baseline (the issue's). A second, labelled baseline
shows the floor the real tables impose (``child_table``): the same rows as the importer's
prebuilt tuples written into ``register_incident`` with all its indexes and its violation-type
links, then (timed apart) their search documents.

Run: ``.venv/bin/python benchmarks/import.py [--rows 100000] [--backends sqlite,postgres]
[--pg-url postgres://postgres@127.0.0.1:5432/crimebook_bench_import]``. PostgreSQL uses a
scratch database (dropped and created); it is skipped with a message when unreachable.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = (
    "external_id", "title", "description", "start", "end", "precision", "place_name",
    "latitude", "longitude", "radius_m", "violation_types", "status", "verification",
    "confidentiality", "source_refs",
)  # fmt: skip
TYPES = ("torture", "arbitrary_detention", "ill_treatment", "excessive_force")
RAW_TABLE_SQL = (
    "CREATE TABLE raw_incidents (external_id text, title text, description text, "
    'start {ts}, "end" {ts}, precision text, place_name text, latitude {fl}, longitude {fl}, '
    "radius_m {fl}, violation_types text, status text, verification text, "
    "confidentiality text, source_refs text)"
)
BATCH = 5000  # rows per bulk batch (one audit entry each), the command's default
SERVICE_ROWS = 2000  # service mode is slow by design: measured on a small file only
RAW_INSERT_SQL = "INSERT INTO raw_incidents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


def make_csv(path: Path, rows: int, seed: int = 2020) -> None:
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    base = datetime(2020, 8, 9, 18, tzinfo=UTC)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for i in range(rows):
            start = base + timedelta(minutes=rng.randrange(0, 12 * 24 * 60))
            writer.writerow(
                [
                    f"bench-{i:08d}",
                    f"Задержание и избиение №{i}",
                    "Задержали у метро, избили в автозаке. " * rng.randrange(1, 4),
                    start.isoformat(),
                    (start + timedelta(minutes=rng.choice((0, 30, 60)))).isoformat(),
                    "hour",
                    "Минск, пр. Независимости",
                    f"{53.85 + rng.random() * 0.1:.6f}",
                    f"{27.45 + rng.random() * 0.2:.6f}",
                    str(rng.choice((50, 300, 1000))),
                    rng.choice(TYPES),
                    "reported",
                    "unverified",
                    "confidential",
                    "",
                ]
            )


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (the parser process): less
    sensitive than wall time to other jobs on a shared machine (database servers excluded)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _server_cpu_s() -> float | None:
    """CPU seconds of this process's PostgreSQL backend when the server runs on this host
    (``/proc``), else None: the database's own work, which client CPU does not include."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_delta(start: float | None) -> float | None:
    end = _server_cpu_s()
    return None if start is None or end is None else end - start


# ---- children -----------------------------------------------------------------------------


def child_import(csv_path: Path, *, bulk: bool = True, parallel: bool = True) -> dict[str, float]:
    import django

    django.setup()
    from django.core.management import call_command

    from crimebook.accounts.services import compartment_create
    from crimebook.interchange import _bulk
    from crimebook.interchange._packed import packed_csv_source
    from crimebook.interchange.formats import csvio, worker
    from crimebook.interchange.formats.encoding import open_text
    from crimebook.interchange.imports import ImportOptions, records_import

    call_command("migrate", verbosity=0)
    compartment = compartment_create(actor=None, name=f"Bench {time.time_ns()}")
    indexing = [0.0, 0.0]  # seconds, server CPU seconds
    index_records = _bulk.index_records_bulk

    def timed_index(kind: str, ids: list[int]) -> int:  # the search index step, timed apart
        t, s = time.perf_counter(), _server_cpu_s()
        try:
            return index_records(kind, ids)
        finally:
            indexing[0] += time.perf_counter() - t
            indexing[1] += _server_delta(s) or 0.0

    if os.environ.get("BENCH_SKIP_SEARCH_INDEX") == "1":  # --skip-search-index: importer alone

        def timed_index(kind: str, ids: list[int]) -> int:
            return 0

    _bulk.index_records_bulk = timed_index  # type: ignore[assignment]
    errors: list[object] = []
    options = ImportOptions(compartment_id=compartment.pk, bulk=bulk, batch_size=BATCH)
    c0, s0 = _cpu_s(), _server_cpu_s()
    t0 = time.perf_counter()
    if bulk and parallel and worker.parallel_parse_useful():  # what `crimebook import` does
        source = partial(packed_csv_source, str(csv_path), "incidents")
        with worker.rows_in_worker(source) as rows:
            summary = records_import(
                actor=None, kind="incidents", rows=rows, options=options, on_error=errors.append
            )
    else:
        with csv_path.open("rb") as raw:
            text, _ = open_text(raw)
            summary = records_import(
                actor=None,
                kind="incidents",
                rows=csvio.read_records(text, "incidents"),
                options=options,
                on_error=errors.append,
            )
    elapsed = time.perf_counter() - t0
    cpu = _cpu_s() - c0
    server = _server_delta(s0)
    if errors or not summary.committed:
        raise SystemExit(f"import failed: {errors[:3]}")
    out = {
        "seconds": elapsed,
        "rows": summary.created,
        "peak_mib": _peak_mib(),
        "index_seconds": indexing[0],
        "cpu_seconds": cpu,
    }
    if server is not None:
        out |= {"server_cpu_seconds": server, "index_server_cpu_seconds": indexing[1]}
    return out


def child_raw(csv_path: Path, backend: str, pg_url: str) -> dict[str, float]:
    if backend == "sqlite":
        import sqlite3

        db = csv_path.with_suffix(".raw.sqlite3")
        db.unlink(missing_ok=True)
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(RAW_TABLE_SQL.format(ts="text", fl="real"))
        c0 = _cpu_s()
        t0 = time.perf_counter()
        with csv_path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            conn.executemany(RAW_INSERT_SQL, reader)
        conn.commit()
        elapsed = time.perf_counter() - t0
        cpu = _cpu_s() - c0
        rows = conn.execute("SELECT count(*) FROM raw_incidents").fetchone()[0]
        conn.close()
    else:
        import psycopg

        with psycopg.connect(pg_url) as conn:
            conn.execute("DROP TABLE IF EXISTS raw_incidents")
            conn.execute(RAW_TABLE_SQL.format(ts="timestamptz", fl="float8"))
            conn.commit()
            c0 = _cpu_s()
            t0 = time.perf_counter()
            with (
                conn.cursor() as cur,
                cur.copy("COPY raw_incidents FROM STDIN (FORMAT csv, HEADER true)") as copy,
                csv_path.open("rb") as handle,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            conn.commit()
            elapsed = time.perf_counter() - t0
            cpu = _cpu_s() - c0
            rows = conn.execute("SELECT count(*) FROM raw_incidents").fetchone()[0]  # type: ignore[index]
    return {"seconds": elapsed, "rows": rows, "peak_mib": _peak_mib(), "cpu_seconds": cpu}


def child_table(csv_path: Path) -> dict[str, float]:
    """The floor the real tables impose: the same rows, prepared beforehand as the importer's
    database-ready tuples (ids, uuids, UTC text), written with ``executemany`` / ``COPY`` on
    the DB-API connection into ``register_incident`` (with all its indexes and constraints)
    and its violation-type links, in batches of BATCH, one commit — no parsing, no checks,
    no audit. Only the writes and the commit are timed; then, in a second transaction, the
    same rows' search documents (the importer's set-based step), timed apart."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from crimebook.accounts.services import compartment_create
    from crimebook.interchange import _bulk
    from crimebook.register.models import Incident, Term

    call_command("migrate", verbosity=0)
    compartment = compartment_create(actor=None, name=f"Bench {time.time_ns()}")
    terms = dict(Term.objects.filter(vocabulary__code="violation_type").values_list("code", "pk"))
    text = _bulk.UtcText(_bulk.IncidentBulk._time_suffix())
    now = text(datetime.now(UTC))
    table = Incident._meta.db_table
    through = Incident.violation_types.through._meta.db_table
    if connection.vendor == "sqlite":  # the importer's page cache
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size = -{_bulk.SQLITE_CACHE_KIB}")
    ids: list[int] = []
    elapsed = cpu = 0.0
    with csv_path.open(encoding="utf-8", newline="") as handle, transaction.atomic():
        reader = csv.reader(handle)
        next(reader)
        while cells := list(itertools.islice(reader, BATCH)):  # prepared untimed, batch by batch
            batch_ids = _bulk.reserve_ids(Incident, len(cells))
            rows, types = [], []
            for pk, uid, c in zip(batch_ids, _bulk.uuid4_hex(len(cells)), cells, strict=True):
                start, end = (text(datetime.fromisoformat(c[i])) for i in (3, 4))
                rows.append(
                    (pk, compartment.pk, start, end, c[5], c[6], float(c[7]), float(c[8]),
                     float(c[9]), uid, c[1], c[2], c[11], c[12], c[13], c[0], None, now, now)
                )  # fmt: skip
                types.append((pk, terms[c[10]]))
            c0, t0 = _cpu_s(), time.perf_counter()
            _bulk.write(table, _bulk.INCIDENT_COLUMNS, rows)
            _bulk.write(through, ("incident_id", "term_id"), types)
            elapsed += time.perf_counter() - t0
            cpu += _cpu_s() - c0
            ids.extend(batch_ids)
        c0, t0 = _cpu_s(), time.perf_counter()
    elapsed += time.perf_counter() - t0  # the commit
    cpu += _cpu_s() - c0
    t0, s0 = time.perf_counter(), _server_cpu_s()
    with transaction.atomic():
        for i in range(0, len(ids), BATCH):
            _bulk.index_records_bulk("incident", ids[i : i + BATCH])
    index_seconds = time.perf_counter() - t0
    index_server = _server_delta(s0)
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table} WHERE compartment_id = %s", [compartment.pk])  # noqa: S608 - model table
        count = cur.fetchone()[0]
    out = {
        "seconds": elapsed,
        "rows": count,
        "peak_mib": _peak_mib(),
        "cpu_seconds": cpu,
        "index_seconds": index_seconds,
    }
    if index_server is not None:
        out["index_server_cpu_seconds"] = index_server
    return out


# ---- parent -------------------------------------------------------------------------------


def run_child(
    kind: str, csv_path: Path, backend: str, env: dict[str, str], pg_url: str
) -> dict[str, float]:
    out = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--child", kind, "--csv", str(csv_path), "--backend", backend,
         "--pg-url", pg_url],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def pg_reset(pg_url: str) -> bool:
    import psycopg

    base, _, name = pg_url.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        print(f"postgres: skipped ({exc.__class__.__name__}: server not reachable)")
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--pg-url", default="postgres://postgres@127.0.0.1:5432/crimebook_bench_import"
    )
    parser.add_argument(
        "--skip-search-index",
        action="store_true",
        help="measure the importer alone: bulk rows are not indexed for search (the command "
        "always indexes them; the normal run times that step apart)",
    )
    parser.add_argument("--no-service", action="store_true", help="skip the service-mode run")
    parser.add_argument("--child", choices=("import", "service", "raw", "table"))
    parser.add_argument("--csv", type=Path)
    parser.add_argument("--backend", default="sqlite")
    args = parser.parse_args()
    if args.child:
        if args.child == "raw":
            fn = child_raw(args.csv, args.backend, args.pg_url)
        elif args.child == "table":
            fn = child_table(args.csv)
        else:
            fn = child_import(
                args.csv,
                bulk=args.child == "import",
                parallel=os.environ.get("BENCH_SEQUENTIAL") != "1",
            )
        print(json.dumps(fn))
        return
    with tempfile.TemporaryDirectory(prefix="cb-bench-import-") as tmp:
        work = Path(tmp)
        sizes = sorted({max(1, args.rows // 10), args.rows})
        files = {}
        for n in sizes:
            files[n] = work / f"incidents-{n}.csv"
            make_csv(files[n], n)
        big = files[args.rows]
        print(f"input: {args.rows:,} incidents, {big.stat().st_size / 2**20:,.1f} MiB CSV (UTF-8)")
        if args.skip_search_index:
            print("importer alone: the search indexing of bulk rows is skipped in this run")
        for backend in args.backends.split(","):
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "crimebook.settings",
                "CRIMEBOOK_KEY_DIR": str(work / "keys"),
                "BENCH_SKIP_SEARCH_INDEX": "1" if args.skip_search_index else "0",
            }
            results = {}
            for n in sizes:
                if backend == "postgres":
                    if not pg_reset(args.pg_url):
                        break
                    env["CRIMEBOOK_DATABASE_URL"] = args.pg_url
                else:
                    data = work / f"data-{n}"
                    env["CRIMEBOOK_DATA_DIR"] = str(data)
                    env["CRIMEBOOK_DATABASE_URL"] = ""
                results[n] = run_child("import", files[n], backend, env, args.pg_url)
            if args.rows not in results:
                continue
            raw = run_child("raw", big, backend, env, args.pg_url)
            if backend == "postgres":
                pg_reset(args.pg_url)
            else:
                env["CRIMEBOOK_DATA_DIR"] = str(work / "data-table")
            table = run_child("table", big, backend, env, args.pg_url)
            imp = results[args.rows]
            imp_rate = imp["rows"] / imp["seconds"]
            raw_rate = raw["rows"] / raw["seconds"]
            baseline = "executemany" if backend == "sqlite" else "COPY"
            print(
                f"{backend}: import {imp_rate:,.0f} rows/s ({imp['seconds']:.1f} s), "
                f"raw {baseline} {raw_rate:,.0f} rows/s ({raw['seconds']:.1f} s); "
                f"ratio {imp_rate / raw_rate:.1%}"
            )
            table_rate = table["rows"] / table["seconds"]
            print(
                f"{backend}:   second baseline, the real tables: prebuilt tuples by {baseline} "
                f"into register_incident (all its indexes) + type links, {table_rate:,.0f} rows/s "
                f"({table['seconds']:.1f} s) = {table_rate / raw_rate:.1%} of raw; the import is "
                f"{imp_rate / table_rate:.1%} of it"
            )
            both = table["rows"] / (table["seconds"] + table["index_seconds"])
            print(
                f"{backend}:   the same plus the rows' search documents (set-based, "
                f"{table['index_seconds']:.1f} s): {both:,.0f} rows/s = {both / raw_rate:.1%} "
                f"of raw; the import is {imp_rate / both:.1%} of it"
            )
            if "cpu_seconds" in imp and "cpu_seconds" in raw:
                imp_us = 1e6 * imp["cpu_seconds"] / imp["rows"]
                raw_us = 1e6 * raw["cpu_seconds"] / raw["rows"]
                print(
                    f"{backend}:   client CPU per row: import {imp_us:.1f} µs (writer + parser), "
                    f"raw {raw_us:.1f} µs; CPU ratio {raw_us / imp_us:.1%}"
                )
            if "server_cpu_seconds" in imp:  # PostgreSQL on this host: the backend's own CPU
                per = 1e6 / imp["rows"]
                floor = table.get("index_server_cpu_seconds")
                print(
                    f"{backend}:   server CPU per row (the import's backend): import "
                    f"{imp['server_cpu_seconds'] * per:.1f} µs, of which search indexing "
                    f"{imp['index_server_cpu_seconds'] * per:.1f} µs"
                    + (f"; the second baseline's documents {floor * per:.1f} µs" if floor else "")
                )
            index_s = imp.get("index_seconds", 0.0)
            if index_s:
                rest = imp["rows"] / max(imp["seconds"] - index_s, 1e-9)
                print(
                    f"{backend}:   of which search indexing {index_s:.1f} s; the import without "
                    f"it ≈ {rest:,.0f} rows/s, ratio ≈ {rest / raw_rate:.1%}"
                )
            if not args.no_service:
                small = min(min(sizes), SERVICE_ROWS)
                if small not in files:
                    files[small] = work / f"incidents-{small}.csv"
                    make_csv(files[small], small)
                if backend == "postgres":
                    pg_reset(args.pg_url)
                else:
                    env["CRIMEBOOK_DATA_DIR"] = str(work / "data-service")
                svc = run_child("service", files[small], backend, env, args.pg_url)
                print(
                    f"{backend}: service mode (one service call + audit entry per row) on "
                    f"{small:,} rows: {svc['rows'] / svc['seconds']:,.0f} rows/s"
                )
            memory = ", ".join(f"{n:,} rows → {r['peak_mib']:.0f} MiB" for n, r in results.items())
            print(f"{backend}: peak RSS of the import process: {memory}")


if __name__ == "__main__":
    main()
