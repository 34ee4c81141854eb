"""Map data benchmark: server time of ``/map/data/`` for the whole country (with and without
facets), Minsk and one Minsk district on a large register, and of the ``/map/`` page with facets
(its tables' pagers), next to the bare SQL behind each answer measured in the same run
(CONVENTIONS 14).

The register is filled directly with ``executemany`` (fictitious incidents around real places
of Belarus, 60 % in Minsk) so that a million rows load in well under a minute; the map reads
them through the normal selectors with a signed-in investigator. For each request the SQL it
ran is captured and then executed bare on the same connection. Printed: p50/p95 of each, the
ratio of the p95s, the number of features returned, whether the layer was aggregated, and
the first 10 hex digits of the answer's SHA-256 (to compare answers of two versions byte for
byte).

Every incident's window is one hour unless ``--long-share F`` gives a share F of them windows
of several days (four in five 1–7 days, the rest 8–30 days, precision ``range``), so that the
day read's multi-day spans and its long-window index are measured too (default 0: the same
data, byte for byte, as runs before the option existed). Use another ``--data`` directory
(and PostgreSQL database) for each share: a register already filled is not refilled.

Run: ``.venv/bin/python benchmarks/map.py [--rows 1000000] [--repeat 30] [--long-share 0.2]
[--data /tmp/cb-map-bench] [--backend sqlite|postgres|both] [--pg-url …]``.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _harness import pct, run_per_backend

# (latitude, longitude, spread in degrees, share)
SPOTS = (
    (53.905, 27.555, 0.02, 30), (53.875, 27.50, 0.03, 20), (53.87, 27.58, 0.03, 10),
    (52.097, 23.734, 0.05, 8), (53.678, 23.829, 0.05, 8), (52.441, 30.987, 0.05, 8),
    (53.909, 30.343, 0.05, 6), (55.184, 30.202, 0.05, 5), (53.5, 28.0, 1.5, 5),
)  # fmt: skip
COUNTRY = "23.1,51.2,32.8,56.2"
DISTRICT = "27.535,53.885,27.575,53.925"  # Centralny district, Minsk
TORTURE_AUG = "violation_type=torture&date_from=2020-08-09&date_to=2020-08-21"
PAGES = (
    ("whole country, all layers", f"/map/data/?bbox={COUNTRY}"),
    ("whole country, torture, Aug", f"/map/data/?bbox={COUNTRY}&{TORTURE_AUG}"),
    ("Minsk, reported, one day", "/map/data/?bbox=27.35,53.80,27.75,54.00&layers=incidents"
     "&status=reported&day=2020-08-10"),
    ("one district, incidents", f"/map/data/?bbox={DISTRICT}&layers=incidents"),
    ("one district, one day", f"/map/data/?bbox={DISTRICT}&layers=incidents&day=2020-08-10"),
    ("one district, torture, a week", f"/map/data/?bbox={DISTRICT}&layers=incidents"
     "&violation_type=torture&date_from=2020-08-10&date_to=2020-08-16"),
    ("page /map/, torture, Aug", f"/map/?{TORTURE_AUG}"),
)  # fmt: skip


def build(rows: int, long_share: float = 0.0) -> Any:
    from django.core.management import call_command
    from django.db import connection, transaction

    from crimebook.accounts.models import Compartment, User
    from crimebook.accounts.services import compartment_create, membership_set
    from crimebook.audit.services import audit_record
    from crimebook.register.models import Incident, Term

    call_command("migrate", verbosity=0)
    compartment = Compartment.objects.filter(name="Map bench").first() or compartment_create(
        actor=None, name="Map bench"
    )
    user = User.objects.filter(username="map-bench").first()
    if user is None:
        user = User.objects.create_user(
            username="map-bench",
            password="x-Bench-pass-42",  # noqa: S106 - a local benchmark account
            role="investigator",
        )
        membership_set(actor=None, user=user, compartment=compartment, role="investigator")
    have = Incident.objects.count()
    if have >= rows:
        return user
    print(f"  inserting {rows - have:,} fictitious incidents …", flush=True)
    rng = random.Random(2020 + have)  # noqa: S311 - synthetic data
    weights = [s[3] for s in SPOTS]
    base = datetime(2020, 8, 9, 18, tzinfo=UTC)
    now = datetime.now(UTC)
    torture = Term.objects.get(vocabulary__code="violation_type", code="torture").pk
    detention = Term.objects.get(vocabulary__code="violation_type", code="arbitrary_detention").pk
    table = Incident._meta.db_table
    through = Incident.violation_types.through._meta.db_table
    columns = (
        "uuid", "compartment_id", "title", "description", "status", "verification",
        "confidentiality", "start", "end", "precision", "place_name", "latitude", "longitude",
        "radius_m", "created_at", "updated_at",
    )  # fmt: skip
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    started = time.perf_counter()
    batch = 20_000
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        next_id = int(cursor.fetchone()[0]) + 1
    for offset in range(have, rows, batch):
        n = min(batch, rows - offset)
        values, links = [], []
        for i in range(n):
            lat, lon, spread, _ = rng.choices(SPOTS, weights)[0]
            start = base + timedelta(minutes=rng.randrange(0, 60 * 24 * 40))
            end, precision = start + timedelta(hours=1), "hour"
            if long_share and rng.random() < long_share:  # no draw at all when 0: same data
                days = rng.randint(1, 7) if rng.random() < 0.8 else rng.randint(8, 30)
                end, precision = start + timedelta(days=days), "range"
            values.append((
                uuid.UUID(int=rng.getrandbits(128)).hex if connection.vendor == "sqlite"
                else uuid.UUID(int=rng.getrandbits(128)),
                compartment.pk, f"Fictitious incident {offset + i}", "", "reported",
                "unverified", "confidential", start, end, precision, "",
                lat + rng.gauss(0, spread), lon + rng.gauss(0, spread),
                float(rng.choice((50, 100, 300, 1000))), now, now,
            ))  # fmt: skip
            links.append((next_id + i, torture if rng.random() < 0.4 else detention))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", values)  # noqa: S608
            link_sql = f"INSERT INTO {through} (incident_id, term_id) VALUES (%s, %s)"  # noqa: S608
            cursor.executemany(link_sql, links)
        with transaction.atomic():  # named in the audit log, as the bulk importer does
            audit_record(
                actor=None, action="import", object_type="register.incident",
                object_id=f"{next_id}..{next_id + n - 1}",
                changes={"ids": [[next_id, next_id + n - 1]]},
            )  # fmt: skip
        next_id += n
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
            cursor.execute(f"ANALYZE {through}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  inserted in {time.perf_counter() - started:.0f} s", flush=True)
    return user


def child(backend: str, rows: int, repeat: int, long_share: float) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from crimebook.register.models import Incident

    user = build(rows, long_share)
    client = Client()
    client.force_login(user, "crimebook.accounts.backends.StaffAuthenticationBackend")
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time()},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()
    from crimebook.maps import gridindex

    t0 = time.perf_counter()
    gridindex.sync()
    print(
        f"  grid index brought up to date in {time.perf_counter() - t0:.1f} s "
        "(a full build when it has none yet)",
        flush=True,
    )
    one = Incident.objects.order_by("id").first()
    if one is not None:  # one audited write, then the incremental sync a request would do
        from django.db import transaction

        from crimebook.audit.services import audit_record

        with transaction.atomic():
            audit_record(actor=None, action="update", object_type="register.incident",
                         object_id=str(one.pk), changes={})  # fmt: skip
        t0 = time.perf_counter()
        gridindex.sync()
        print(f"  incremental sync after one write: {1000 * (time.perf_counter() - t0):.1f} ms")
    print(
        f"{backend}: {Incident.objects.count():,} incidents "
        f"({long_share:.0%} with windows of days); {repeat} requests each; ms"
    )
    print(f"  {'request':30s} {'server p50':>10s} {'p95':>7s}  {'bare p50':>8s} {'p95':>7s}"
          f"  {'ratio':>5s}  features, answer's SHA-256")  # fmt: skip
    for label, target in PAGES:
        first = client.get(target)
        assert first.status_code == 200, first.content[:300]
        body = first.json() if target.startswith("/map/data/") else {"features": [], "layers": {}}
        with CaptureQueriesContext(connection) as captured:
            client.get(target)
        sql = [
            q["sql"]
            for q in captured.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
            and "django_session" not in q["sql"]
            and "accounts_" not in q["sql"]
        ]
        server, bare = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            client.get(target)
            server.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            with connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)
                    if cursor.description is not None:
                        cursor.fetchall()
            bare.append(time.perf_counter() - t0)
        aggregated = [k for k, v in body["layers"].items() if v["aggregated"]]
        sp95, bp95 = pct(server, 0.95), pct(bare, 0.95)
        print(
            f"  {label:30s} {1000 * statistics.median(server):10.1f} {1000 * sp95:7.1f}  "
            f"{1000 * statistics.median(bare):8.1f} {1000 * bp95:7.1f}  "
            f"{sp95 / max(bp95, 1e-9):5.1f}×  {len(body['features'])}"
            f"{' (cells: ' + ','.join(aggregated) + ')' if aggregated else ''}"
            f"  {hashlib.sha256(first.content).hexdigest()[:10]}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--long-share", type=float, default=0.0)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "cb-map-bench")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--pg-url", default="postgres://postgres@127.0.0.1:5432/crimebook_bench_map"
    )
    parser.add_argument("--child", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rows, args.repeat, args.long_share)
        return
    argv = ["--rows", str(args.rows), "--repeat", str(args.repeat), "--data", str(args.data)]
    argv += ["--long-share", str(args.long_share)]
    run_per_backend(__file__, args.backend, args.data, args.pg_url, argv)


if __name__ == "__main__":
    main()
