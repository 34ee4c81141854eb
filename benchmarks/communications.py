"""Communications benchmark, in a temporary SQLite data directory (CONVENTIONS 14):

1. ``communications_import`` (all or nothing, every row checked by the service's rules, phone
   digests, ``executemany``) in rows/s, next to a bare ``csv`` + ``sqlite3`` ``executemany`` of
   the same rows into a table of the same shape, in the same run;
2. on the demo data set (with its communications): a full correlation run, an incremental run
   with nothing new, and an incremental run after one deployment was moved — the run that
   re-evaluates the unit/person leads of the incidents near it instead of a ``--full``.

Run: ``.venv/bin/python benchmarks/communications.py [--rows 100000] [--scale 0.3]``.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def _setup(data: Path) -> None:
    os.environ["CRIMEBOOK_DATA_DIR"] = str(data)
    os.environ["CRIMEBOOK_DATABASE_URL"] = ""
    os.environ["DJANGO_SETTINGS_MODULE"] = "crimebook.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from crimebook.core.keys import keys_init

    keys_init()


def _write(path: Path, rows: int) -> None:
    rng = random.Random(1)  # noqa: S311 - synthetic rows
    base = datetime(2020, 8, 9, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["communication_id", "kind", "start", "end", "latitude", "longitude",
                    "radius_m", "party_a", "party_b", "party_a_phone"])  # fmt: skip
        for i in range(rows):
            start = base + timedelta(seconds=rng.randrange(0, 13 * 86400))
            phone = f"+375 00 555-{i % 100:02d}-{i // 100 % 100:02d}" if i % 4 == 0 else ""
            w.writerow([f"B-{i}", "call", start.isoformat(),
                        (start + timedelta(seconds=rng.randrange(5, 600))).isoformat(),
                        round(53.85 + rng.random() * 0.1, 6), round(27.45 + rng.random() * 0.2, 6),
                        rng.choice((500, 800, 1500)), f"subscriber {i % 997}",
                        f"subscriber {i % 991}", phone])  # fmt: skip


def _baseline(path: Path, db: Path) -> float:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "CREATE TABLE c (id INTEGER PRIMARY KEY, external_id TEXT, kind TEXT, start TEXT, "
        "end TEXT, latitude REAL, longitude REAL, radius_m REAL, party_a TEXT, party_b TEXT, "
        "party_a_phone TEXT)"
    )
    began = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as handle, conn:
        reader = csv.reader(handle)
        next(reader)
        conn.executemany(
            "INSERT INTO c (external_id, kind, start, end, latitude, longitude, radius_m, "
            "party_a, party_b, party_a_phone) VALUES (?,?,?,?,?,?,?,?,?,?)",
            reader,
        )
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--scale", type=float, default=0.3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _setup(folder / "data")
        from crimebook.accounts.models import Compartment
        from crimebook.evidence.csvimport import communications_import

        path = folder / "cdr.csv"
        _write(path, args.rows)
        compartment = Compartment.objects.create(name="bench")
        began = time.perf_counter()
        report = communications_import(actor=None, compartment_id=compartment.pk, path=path)
        ours = time.perf_counter() - began
        assert report.committed, report.errors[:3]
        assert report.created == args.rows
        bare = _baseline(path, folder / "bare.sqlite3")
        print(f"import {args.rows:,} rows: {args.rows / ours:,.0f} rows/s ({ours:.1f} s); "
              f"bare csv+sqlite3 {args.rows / bare:,.0f} rows/s; ratio {bare / ours:.2f}; "
              f"load {os.getloadavg()[0]:.1f}")  # fmt: skip

        from crimebook.demo.load import DEMO_COMPARTMENT, demo_load
        from crimebook.leads.build import correlation_run
        from crimebook.register import services as s
        from crimebook.register.models import Deployment

        demo_load(scale=args.scale)
        cid = Compartment.objects.get(name=DEMO_COMPARTMENT).pk

        def timed(label: str, **kw: object) -> None:
            t = time.perf_counter()
            run = correlation_run(actor=None, compartment_id=cid, **kw)  # type: ignore[arg-type]
            print(f"{label}: {time.perf_counter() - t:.2f} s, full={run.full}, "
                  f"evaluated {run.summary.get('evaluated')}, leads {run.summary.get('leads')}, "
                  f"load {os.getloadavg()[0]:.1f}")  # fmt: skip

        timed("full run", full=True)
        timed("incremental, nothing new")
        dep = Deployment.objects.filter(compartment_id=cid).order_by("pk").first()
        assert dep is not None
        s.deployment_update(
            actor=None, deployment=dep,
            data=s.DeploymentData(
                compartment_id=cid, unit_id=dep.unit_id, source_id=dep.source_id,
                start=dep.start, end=dep.end, place_name=dep.place_name,
                latitude=(dep.latitude or 53.9) + 0.05, longitude=dep.longitude,
                radius_m=dep.radius_m,
            ),
        )  # fmt: skip
        timed("incremental after moving one deployment")


if __name__ == "__main__":
    main()
