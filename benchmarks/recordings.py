"""Recording-span import benchmark: rows/s of ``recordings_import`` (streamed CSV, validated
rows, ``bulk_create`` in batches, bounded memory) next to a bare ``csv`` + ``sqlite3``
``executemany`` of the same rows into a table of the same shape, in the same run
(CONVENTIONS 14). Also prints the peak RSS growth during the import.

Runs in a temporary SQLite data directory. Run:
``.venv/bin/python benchmarks/recordings.py [--rows 1000000] [--cameras 20000]``.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
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


def _write(folder: Path, rows: int, cameras: int) -> tuple[Path, Path]:
    cams = folder / "cameras.csv"
    with cams.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["camera_id", "latitude", "longitude", "fov_radius_m"])
        for i in range(cameras):
            w.writerow([f"C{i}", 53.8 + (i % 200) * 0.001, 27.4 + (i // 200) * 0.001, 40])
    recs = folder / "recordings.csv"
    base = datetime(2020, 8, 1, tzinfo=UTC)
    with recs.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["camera_id", "start", "end", "held_by"])
        for i in range(rows):
            start = base + timedelta(hours=i // cameras)
            w.writerow([f"C{i % cameras}", start.isoformat(),
                        (start + timedelta(hours=1)).isoformat(), "city archive"])  # fmt: skip
    return cams, recs


def _baseline(recs: Path, db: Path) -> float:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "CREATE TABLE r (id INTEGER PRIMARY KEY, camera TEXT, start TEXT, end TEXT, held_by TEXT)"
    )
    start = time.perf_counter()
    with recs.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        batch: list[list[str]] = []
        for row in reader:
            batch.append(row)
            if len(batch) >= 5000:
                conn.executemany(
                    "INSERT INTO r (camera, start, end, held_by) VALUES (?,?,?,?)", batch
                )
                conn.commit()
                batch = []
        if batch:
            conn.executemany("INSERT INTO r (camera, start, end, held_by) VALUES (?,?,?,?)", batch)
            conn.commit()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cameras", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cb-recordings-") as tmp:
        root = Path(tmp)
        _setup(root / "data")
        from crimebook.accounts.services import compartment_create
        from crimebook.evidence.csvimport import cameras_import, recordings_import

        compartment = compartment_create(actor=None, name="bench")
        cams, recs = _write(root, args.rows, args.cameras)
        print(f"input: {args.rows:,} recording spans of {args.cameras:,} cameras, "
              f"{recs.stat().st_size / 1e6:.0f} MB CSV")  # fmt: skip
        cameras_import(actor=None, compartment_id=compartment.pk, path=cams)
        base = _baseline(recs, root / "baseline.sqlite3")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        report = recordings_import(actor=None, compartment_id=compartment.pk, path=recs)
        ours = time.perf_counter() - start
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert report.created == args.rows, report
        assert report.error_count == 0, report
        print(f"baseline csv + sqlite3 executemany: {args.rows / base:10,.0f} rows/s")
        print(f"crimebook recordings import:        {args.rows / ours:10,.0f} rows/s"
              f"   ratio {base / ours:.2f}")  # fmt: skip
        print(f"peak RSS growth during the import: {(rss_after - rss_before) / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
