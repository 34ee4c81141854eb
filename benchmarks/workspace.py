"""Workspace benchmark: server time of the pages investigators use most, on a large register,
next to the bare SQL behind each page measured in the same run (CONVENTIONS 14).

For each page the request goes through the whole Django stack in-process (middleware, access
checks, selectors, template) with a signed-in investigator; the queries it ran are captured,
and the *same SQL* is then executed directly on the connection (no ORM, no template) as the
baseline. Printed: p50/p95 of each, the ratio of the p95s, and the input size.

Pages: the statistics overview (home), the incident list (first and last page — lists count up to 1,000 — filtered by
violation type and dates), the faceted search (when the search app is installed), and the map
data for the whole country and for one Minsk district (when the map app is installed).
``CPU p50`` is the server's own processor time per request (``time.process_time``): on a
shared machine it varies far less with the load than the wall-clock columns.

The register is built once per data directory with the real bulk import path (`crimebook
import --bulk`: parser, domain rules, one audit entry per batch) and reused by later runs.

Run: ``.venv/bin/python benchmarks/workspace.py [--rows 1000000] [--repeat 40]
[--data /tmp/cb-workspace-bench] [--backend sqlite|postgres] [--pg-url …]
[--skip-search-index] [--build-only]``. ``--rows`` smaller than 1,000,000 with its own
``--data`` directory gives a quick run; ``--build-only --skip-search-index`` loads the register
alone (the search index is then built by the next run).
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _harness import pct, run_per_backend

HERE = Path(__file__).resolve().parent
COLUMNS = (
    "external_id", "title", "description", "start", "end", "precision", "place_name",
    "latitude", "longitude", "radius_m", "violation_types", "status", "verification",
    "confidentiality", "source_refs",
)  # fmt: skip
TYPES = ("torture", "arbitrary_detention", "ill_treatment", "excessive_force")
STATUSES = ("reported", "under_review", "verified")
VERIFICATION = ("unverified", "partially_verified", "verified")
# (place, latitude, longitude, spread in degrees, share): real places, fictitious events
PLACES = (
    ("Минск, Центральный район", 53.905, 27.555, 0.02, 30),
    ("Минск, Московский район", 53.875, 27.50, 0.03, 20),
    ("Минск, Октябрьский район", 53.87, 27.58, 0.03, 15),
    ("Брест", 52.097, 23.734, 0.05, 8),
    ("Гродно", 53.678, 23.829, 0.05, 8),
    ("Гомель", 52.441, 30.987, 0.05, 8),
    ("Могилёв", 53.909, 30.343, 0.05, 6),
    ("Витебск", 55.184, 30.202, 0.05, 5),
)
CENTRAL_DISTRICT_BBOX = (53.885, 27.535, 53.925, 27.575)  # south, west, north, east
BELARUS_BBOX = (51.2, 23.1, 56.2, 32.8)


def make_csv(path: Path, rows: int, seed: int = 2020) -> None:
    rng = random.Random(seed)  # noqa: S311 - synthetic, fictitious data
    base = datetime(2020, 8, 9, 15, tzinfo=UTC)
    weights = [p[4] for p in PLACES]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for i in range(rows):
            name, lat, lon, spread, _ = rng.choices(PLACES, weights)[0]
            start = base + timedelta(
                minutes=int(rng.expovariate(1 / (4 * 24 * 60))) % (90 * 24 * 60)
            )
            writer.writerow(
                [
                    f"ws-{i:08d}",
                    f"Задержание №{i} (вымышленное)",
                    "Задержали у метро, избили в автозаке. " * rng.randrange(1, 3),
                    start.isoformat(),
                    (start + timedelta(minutes=rng.choice((0, 30, 60)))).isoformat(),
                    "hour",
                    name,
                    f"{lat + rng.gauss(0, spread):.6f}",
                    f"{lon + rng.gauss(0, spread):.6f}",
                    str(rng.choice((50, 300, 1000))),
                    rng.choice(TYPES),
                    rng.choice(STATUSES),
                    rng.choice(VERIFICATION),
                    "confidential",
                    "",
                ]
            )


# ---- child: runs inside Django --------------------------------------------------------------


def build(rows: int, workdir: Path, *, search_index: bool = True) -> Any:
    """Load ``rows`` incidents once per data directory; ``search_index=False`` imports without
    the per-batch search indexing (and builds no search index: a later run does, once)."""
    from django.core.management import call_command

    from crimebook.accounts.models import Compartment, User
    from crimebook.accounts.services import compartment_create, membership_set
    from crimebook.interchange.formats import csvio
    from crimebook.interchange.formats.encoding import open_text
    from crimebook.interchange.imports import ImportOptions, records_import
    from crimebook.register.models import Incident

    call_command("migrate", verbosity=0)
    user = User.objects.filter(username="bench-investigator").first()
    have = Incident.objects.count()
    if user is not None and have >= rows:
        if search_index:
            _ensure_search_index(workdir)
        return user
    compartment = Compartment.objects.filter(name="Workspace bench").first() or compartment_create(
        actor=None, name="Workspace bench"
    )
    if user is None:
        user = User.objects.create_user(
            username="bench-investigator",
            password="x-Bench-pass-42",  # noqa: S106 - a local benchmark account
            role="investigator",
        )
        membership_set(actor=None, user=user, compartment=compartment, role="investigator")
    csv_path = workdir / f"incidents-{rows}.csv"
    if not csv_path.exists():
        print(f"  writing {rows:,} fictitious incidents to {csv_path} …", flush=True)
        make_csv(csv_path, rows)
    print(f"  importing with the bulk path (have {have:,}) …", flush=True)
    started = time.perf_counter()
    errors: list[object] = []
    if not search_index:  # the importer alone; the index is built in one pass later
        from crimebook.interchange import _bulk

        _bulk.index_records = lambda kind, ids: 0  # type: ignore[assignment]
    with csv_path.open("rb") as raw:
        text, _ = open_text(raw)
        summary = records_import(
            actor=None,
            kind="incidents",
            rows=csvio.read_records(text, "incidents"),
            options=ImportOptions(compartment_id=compartment.pk, bulk=True, on_duplicate="skip"),
            on_error=errors.append,
        )
    if errors or not summary.committed:
        raise SystemExit(f"import failed: {errors[:3]}")
    print(f"  imported {summary.created:,} in {time.perf_counter() - started:.0f} s", flush=True)
    if search_index:
        _ensure_search_index(workdir, force=True)
    else:
        (workdir / f"search-indexed-{connection_vendor()}").unlink(missing_ok=True)
    return user


def connection_vendor() -> str:
    from django.db import connection

    return str(connection.vendor)


def _planner_statistics() -> None:
    """``ANALYZE`` (sampled) as an operator runs it after a bulk import. Without statistics
    SQLite takes an equality on the compartment index for ~10 rows and prefers it to a
    page's 50 key lookups, scanning the whole compartment instead; PostgreSQL, until
    autovacuum gets to the new rows, estimated ~100 rows for 950,000 and chose nested loops."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")
        cursor.execute("ANALYZE")
    print(f"  ANALYZE in {time.perf_counter() - started:.1f} s", flush=True)


def _ensure_map_index() -> None:
    """Build the map's grid index ahead of the first request (as `crimebook map reindex`)."""
    try:
        from crimebook.maps import gridindex
    except ImportError:
        return
    started = time.perf_counter()
    gridindex.sync()
    print(f"  map index up to date in {time.perf_counter() - started:.0f} s", flush=True)


def _ensure_search_index(workdir: Path, *, force: bool = False) -> None:
    """Build the search index once per database (the bulk path may predate the index)."""
    from django.db import connection

    marker = workdir / f"search-indexed-{connection.vendor}"
    if marker.exists() and not force:
        return
    try:
        from crimebook.search import reindex_all
    except ImportError:
        print("  (no search app in this build)")
        return
    print("  building the search index …", flush=True)
    started = time.perf_counter()
    try:  # the set-based indexer (INSERT … SELECT) where this build has it
        from crimebook.search import index_records_bulk
    except ImportError:
        reindex_all()
    else:
        from django.db import transaction

        from crimebook.register.models import Incident

        ids = list(Incident.objects.order_by("pk").values_list("pk", flat=True))
        for i in range(0, len(ids), 50_000):
            with transaction.atomic():
                index_records_bulk("incident", ids[i : i + 50_000])
        reindex_all(kinds=["act", "person", "unit", "source", "evidence", "submission"])
    print(f"  indexed in {time.perf_counter() - started:.0f} s", flush=True)
    marker.touch()


def measure(
    user: Any, repeat: int, only: str = ""
) -> list[tuple[str, list[float], list[float], list[float]]]:
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    client = Client()
    client.force_login(user, "crimebook.accounts.backends.StaffAuthenticationBackend")
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time()},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()

    def url(name: str, query: str = "") -> str | None:
        try:
            return reverse(name) + (f"?{query}" if query else "")
        except NoReverseMatch:
            return None

    facets = "violation_type=torture&date_from=2020-08-09&date_to=2020-08-21"
    s, w, n, e = CENTRAL_DISTRICT_BBOX
    bs, bw, bn, be = BELARUS_BBOX
    pages: list[tuple[str, str | None]] = [
        ("statistics page (home)", url("web:home")),
        ("incident list, page 1", url("web:incident_list", facets)),
        ("incident list, page 20", url("web:incident_list", facets + "&page=20")),
        ("search with facets", url("web:search_page", "q=избили+метро&" + facets)),
        ("map data, whole country", url("web:map_data", f"bbox={bw},{bs},{be},{bn}&zoom=6")),
        ("map data, one district", url("web:map_data", f"bbox={w},{s},{e},{n}&zoom=14")),
    ]
    # the overview after an edit recounts what the edit touched (its write is not timed); after
    # an import every bucket of the compartment is counted again (a few runs: seconds at 1 M)
    after_write = [
        ("statistics after an edit", url("web:home"), _edit_one_incident(user), repeat),
        ("statistics, all recounted", url("web:home"), _forget_snapshots, min(repeat, 3)),
    ]
    results = []
    wanted = [w.strip() for w in only.split(",") if w.strip()]
    plain = [(label, target, _nothing, repeat) for label, target in pages]
    for label, target, prepare, runs in plain[:1] + after_write + plain[1:]:
        if wanted and not any(w in label for w in wanted):
            continue
        if target is None:
            print(f"  {label:28s} skipped: no such page in this build")
            continue
        response = client.get(target)
        if response.status_code != 200:
            print(f"  {label:28s} skipped: HTTP {response.status_code} for {target}")
            continue
        prepare()
        with CaptureQueriesContext(connection) as captured:
            client.get(target)
        # the reads a request ran (its writes — a snapshot stored — are not replayed)
        sql = [
            q["sql"]
            for q in captured.captured_queries
            if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
        ]
        server, cpu, bare = [], [], []
        for _ in range(runs):
            prepare()
            t0, c0 = time.perf_counter(), time.process_time()
            client.get(target)
            server.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            t0 = time.perf_counter()
            with connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)
                    if cursor.description is not None:
                        cursor.fetchall()
            bare.append(time.perf_counter() - t0)
        results.append((label, server, cpu, bare))
    return results


def _nothing() -> None:
    return None


def _forget_snapshots() -> None:
    from crimebook.register.models import StatsBucket, StatsSnapshot

    StatsSnapshot.objects.all().delete()
    StatsBucket.objects.all().delete()


def _edit_one_incident(user: Any) -> Any:
    """A function that changes one incident's violation type (torture ⇄ ill-treatment) through
    the register's service, as an investigator's edit does: one audited write."""
    from crimebook.accounts.access import writable_compartment_ids
    from crimebook.register import services
    from crimebook.register.models import Incident

    compartment_id = min(writable_compartment_ids(user))
    start = datetime(2020, 8, 12, 20, 0, tzinfo=UTC)
    data = services.IncidentData(
        compartment_id=compartment_id,
        title="Benchmark: the incident edited between two views",
        start=start,
        end=start + timedelta(hours=1),
        precision="hour",
        place_name="Минск, Центральный район",
        violation_types=("torture",),
        external_id="bench-edit-target",
    )
    incident = Incident.objects.filter(external_id="bench-edit-target").first()
    if incident is None:
        incident = services.incident_create(actor=None, data=data)
    state = {"torture": True}

    def edit() -> None:
        state["torture"] = not state["torture"]
        kind = "torture" if state["torture"] else "ill_treatment"
        services.incident_update(
            actor=None, incident=incident, data=replace(data, violation_types=(kind,))
        )

    return edit


def child(
    backend: str,
    rows: int,
    repeat: int,
    workdir: Path,
    *,
    search_index: bool,
    build_only: bool,
    only: str = "",
) -> None:
    import django

    django.setup()
    from crimebook.register.models import Incident

    user = build(rows, workdir, search_index=search_index)
    _ensure_map_index()
    _planner_statistics()
    if build_only:
        print(f"{backend}: built {Incident.objects.count():,} incidents in {workdir}")
        return
    size = Incident.objects.count()
    print(f"{backend}: {size:,} incidents; {repeat} requests per page; times in ms")
    print(
        f"  {'page':28s} {'server p50':>10s} {'p95':>8s} {'CPU p50':>8s}   "
        f"{'bare SQL p50':>12s} {'p95':>8s}   ratio p95"
    )
    for label, server, cpu, bare in measure(user, repeat, only):
        sp50, sp95 = 1000 * statistics.median(server), 1000 * pct(server, 0.95)
        bp50, bp95 = 1000 * statistics.median(bare), 1000 * pct(bare, 0.95)
        flag = "" if sp95 < 200 else "  (over 200 ms)"
        print(
            f"  {label:28s} {sp50:10.1f} {sp95:8.1f} {1000 * statistics.median(cpu):8.1f}   "
            f"{bp50:12.1f} {bp95:8.1f}   {sp95 / max(bp95, 1e-6):6.1f}×{flag}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument(
        "--data", type=Path, default=Path(tempfile.gettempdir()) / "cb-workspace-bench"
    )
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--pg-url", default="postgres://postgres@127.0.0.1:5432/crimebook_bench_workspace"
    )
    parser.add_argument(
        "--skip-search-index",
        action="store_true",
        help="import without search indexing and build no search index (a later run builds it)",
    )
    parser.add_argument("--build-only", action="store_true", help="load the data, measure nothing")
    parser.add_argument(
        "--pages", default="", help="comma-separated words; measure only pages whose label has one"
    )
    parser.add_argument("--child", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(
            args.child,
            args.rows,
            args.repeat,
            args.data,
            search_index=not args.skip_search_index,
            build_only=args.build_only,
            only=args.pages,
        )
        return
    flags = ["--skip-search-index"] if args.skip_search_index else []
    flags += ["--build-only"] if args.build_only else []
    flags += ["--pages", args.pages] if args.pages else []
    run_per_backend(
        __file__,
        args.backend,
        args.data,
        args.pg_url,
        ["--rows", str(args.rows), "--repeat", str(args.repeat), "--data", str(args.data), *flags],
    )


if __name__ == "__main__":
    main()
