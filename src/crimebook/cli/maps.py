"""``crimebook map reindex``: rebuild the map's grid index from the register."""

from __future__ import annotations

import time

import typer

from crimebook.cli._common import console

app = typer.Typer(help="The map's grid index.", no_args_is_help=True)


@app.command("reindex")
def reindex() -> None:
    """Copy every placed incident into the grid index again (the map keeps answering; the
    index also follows every audited write by itself, so this is needed only after writes
    that bypassed the audit log, or to build it ahead of the first map request). Then the
    planner statistics of the index tables are refreshed (PostgreSQL: VACUUM ANALYZE)."""
    from django.db import transaction

    from crimebook.audit.services import audit_record
    from crimebook.maps.gridindex import rebuild, refresh_statistics
    from crimebook.maps.models import MapPoint

    started = time.perf_counter()
    with transaction.atomic():
        seq = rebuild()
        count = MapPoint.objects.count()
        audit_record(
            actor=None, action="reindex", object_type="maps.index", object_id="grid",
            changes={"points": count, "audit_seq": seq},
        )  # fmt: skip
    refresh_statistics()  # after the commit: a failure here loses nothing
    console.print(
        f"{count} incidents in the map's grid index ({time.perf_counter() - started:.1f} s)"
    )
