"""Correlation runs through the database: a full ``correlation_run`` (rows read with
``values_list``, the core, leads stored) next to the core alone on the same arrays, in the same
run (CONVENTIONS 14); then an incremental run after one new recording, and one with nothing
new. Data: the synthetic city of ``correlation.scenario`` loaded into a temporary SQLite
database (or ``CRIMEBOOK_DATABASE_URL``'s PostgreSQL, which must be an empty database).

Run: ``.venv/bin/python benchmarks/leads.py [--incidents 2000] [--cameras 400] [--days 30]``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _setup(data: Path) -> None:
    os.environ["CRIMEBOOK_DATA_DIR"] = str(data)
    os.environ.setdefault("CRIMEBOOK_DATABASE_URL", "")
    os.environ["DJANGO_SETTINGS_MODULE"] = "crimebook.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from crimebook.core.keys import keys_init

    keys_init(exist_ok=True)


def _dt(t: int) -> datetime | None:
    from crimebook.correlation.model import MISSING_TIME

    return None if t == MISSING_TIME else datetime.fromtimestamp(int(t), tz=UTC)


def _load(scenario: Any, compartment_id: int) -> dict[int, int]:
    """Incidents, cameras and recordings by bulk insert (setup, not what is measured)."""
    import math

    from crimebook.evidence.models import Camera, Recording
    from crimebook.register.models import Incident

    s = scenario
    Incident.objects.bulk_create(
        [
            Incident(
                compartment_id=compartment_id, title=f"synthetic incident {int(i)}",
                start=_dt(int(s.incidents.start[k])), end=_dt(int(s.incidents.end[k])),
                precision=s.precision[k],
                latitude=None if math.isnan(s.incidents.lat[k]) else float(s.incidents.lat[k]),
                longitude=None if math.isnan(s.incidents.lon[k]) else float(s.incidents.lon[k]),
                radius_m=float(s.incidents.radius_m[k]),
            )
            for k, i in enumerate(s.incidents.id)
        ],
        batch_size=2000,
    )  # fmt: skip
    cams = Camera.objects.bulk_create(
        [
            Camera(compartment_id=compartment_id, external_id=str(int(c)),
                   latitude=float(s.cameras.lat[k]), longitude=float(s.cameras.lon[k]),
                   fov_radius_m=float(s.cameras.fov_radius_m[k]))
            for k, c in enumerate(s.cameras.id)
        ],
        batch_size=2000,
    )  # fmt: skip
    pk_of = {int(c): cam.pk for c, cam in zip(s.cameras.id, cams, strict=True)}
    batch: list[Recording] = []
    for k in range(len(s.segments)):
        batch.append(
            Recording(compartment_id=compartment_id, camera_id=pk_of[int(s.segments.camera_id[k])],
                      start=_dt(int(s.segments.start[k])), end=_dt(int(s.segments.end[k])))
        )  # fmt: skip
        if len(batch) == 5000:
            Recording.objects.bulk_create(batch)
            batch = []
    Recording.objects.bulk_create(batch)
    return pk_of


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=2000)
    parser.add_argument("--cameras", type=int, default=400)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _setup(Path(tmp))
        from crimebook.accounts.services import compartment_create
        from crimebook.correlation import correlate
        from crimebook.correlation.scenario import build_scenario
        from crimebook.evidence.models import Recording
        from crimebook.leads.build import correlation_run
        from crimebook.leads.models import Lead

        scenario = build_scenario(
            n_incidents=args.incidents, n_cameras=args.cameras, days=args.days, seed=1
        )
        compartment = compartment_create(actor=None, name="benchmark")
        t = time.perf_counter()
        pk_of = _load(scenario, compartment.pk)
        print(
            f"loaded {len(scenario.incidents):,} incidents, {len(scenario.cameras):,} cameras, "
            f"{len(scenario.segments):,} recordings in {time.perf_counter() - t:.1f} s"
        )
        t = time.perf_counter()
        result = correlate(scenario.incidents, cameras=scenario.cameras,
                           segments=scenario.segments, config=scenario.config)  # fmt: skip
        core = time.perf_counter() - t
        print(f"core alone (arrays in memory): {core:.2f} s, {len(result.pairs):,} pairs")

        marks: list[tuple[str, float]] = []

        def progress(stage: str, done: int, total: int) -> None:
            marks.append((f"{stage} {done}/{total}", time.perf_counter()))

        t = time.perf_counter()
        full = correlation_run(actor=None, compartment_id=compartment.pk, progress=progress)
        full_s = time.perf_counter() - t
        steps = [("start", t), *marks, ("end", t + full_s)]
        print(
            "  stages: "
            + ", ".join(f"→ {b[0]} +{b[1] - a[1]:.2f} s" for a, b in itertools.pairwise(steps))
        )
        print(
            f"full run: {full_s:.2f} s ({full_s / core:.0f}× the core alone), "
            f"{Lead.objects.count():,} leads stored (≤ 50 per incident and kind), "
            f"evaluated {full.summary['evaluated']}"
        )
        last = Recording.objects.order_by("-pk").first()
        assert last is not None
        Recording.objects.create(
            compartment_id=compartment.pk, camera_id=pk_of[int(scenario.cameras.id[0])],
            start=last.start, end=last.end,
        )  # fmt: skip
        t = time.perf_counter()
        inc = correlation_run(actor=None, compartment_id=compartment.pk)
        inc_s = time.perf_counter() - t
        print(
            f"incremental run after one new recording: {inc_s:.2f} s "
            f"({full_s / inc_s:.0f}× faster than full), evaluated {inc.summary['evaluated']}, "
            f"{inc.summary['leads'].get('proposed_new', 0)} new leads"
        )
        t = time.perf_counter()
        idle = correlation_run(actor=None, compartment_id=compartment.pk)
        print(
            f"incremental run with nothing new: {time.perf_counter() - t:.2f} s, "
            f"evaluated {idle.summary['evaluated'] or 'nothing'}"
        )


if __name__ == "__main__":
    main()
