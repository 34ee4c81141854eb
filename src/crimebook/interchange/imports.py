"""Imports: parsed rows → register services, all or nothing.

**Rule.** One import is one database transaction. Every row is parsed (pure parser) and
passed to the register's own validation; the rows that pass are written as they come,
rejected rows go to the error sink with their line and the service's reason
(``ValidationFailed.errors``). At the end, if any row was rejected, or on ``dry_run``, the
transaction is rolled back: the register, the audit log and the vocabulary are exactly as
before. Memory stays bounded (rows are not kept; the error sink writes them out).

**Duplicates.** A row whose ``external_id`` is already in the register is *skipped* by
default (re-running an import is harmless and never overwrites an analyst's later edits);
``on_duplicate="update"`` updates the record through ``incident_update`` / ``source_update``
instead. ``crimebook:<uuid>`` ids (written by our own exports for records without an
external id) match the record with that uuid. The same external id twice in one file is a
row error on the second occurrence.

**Bulk mode** (incidents only): rows are inserted in batches (``_bulk.py``: ``COPY`` /
``executemany`` of prepared tuples), after the
same pure checks as the service (``register.domain`` rules, choices, lengths, vocabulary
codes, sources in the compartment), with one audit entry per batch listing the new ids and
external ids and a SHA-256 over the batch's canonical rows — inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Literal

from django.db import connection, transaction

from crimebook.audit.services import Actor, audit_record
from crimebook.interchange._bulk import IncidentBulk
from crimebook.interchange._kinds import (
    act_row,
    deployment_row,
    person_row,
    post_row,
    unit_row,
)
from crimebook.interchange._packed import PackedIncident, unpack
from crimebook.interchange._rows import (
    OWN_PREFIX,
    Abort,
    ErrorSink,
    ImportOptions,
    ImportSummary,
    Progress,
    Run,
    incident_row,
    source_row,
)
from crimebook.interchange.formats.records import (
    ActRecord,
    DeploymentRecord,
    IncidentRecord,
    PersonRecord,
    PostRecord,
    Row,
    RowError,
    SourceRecord,
    UnitRecord,
)
from crimebook.register.services._common import require_compartment_write
from crimebook.search import deferred_indexing

Kind = Literal["incidents", "sources", "persons", "units", "acts", "posts", "deployments"]

__all__ = [
    "OWN_PREFIX",
    "ImportOptions",
    "ImportSummary",
    "Kind",
    "bundle_import",
    "records_import",
]


def records_import(
    *,
    actor: Actor | None,
    kind: Kind,
    rows: Iterable[Row | PackedIncident],
    options: ImportOptions,
    on_error: ErrorSink,
    on_progress: Progress | None = None,
    notes: Iterable[str] = (),
    outcome_by_caller: bool = False,
) -> ImportSummary:
    """Import parsed rows of ``kind`` into ``options.compartment_id`` (see module docstring).
    ``rows`` may hold incident rows packed by ``_packed.pack`` (the bulk parse process).

    ``outcome_by_caller``: the caller's own transaction decides (``bundle_import``): rejected
    rows do not roll back the good rows here, so that later parts of the same document that
    refer to them are checked against them (and not all reported as missing); the summary
    is not ``committed`` and no audit entry is written when a row was rejected.

    Raises ``NotFound`` / ``PermissionDenied`` before reading anything if the actor may not
    write to the compartment. Exceptions from the parser (a broken file) propagate after
    the transaction is rolled back."""
    require_compartment_write(actor, options.compartment_id)
    run = Run(actor=actor, options=options, kind=kind, on_error=on_error)
    run.summary.notes.extend(notes)
    bulk = IncidentBulk(run) if options.bulk and kind == "incidents" else None
    try:
        # documents of service writes are rebuilt once, set-based, at the end (same transaction)
        with transaction.atomic(), deferred_indexing():
            for item in rows:
                run.summary.rows += 1
                if isinstance(item, tuple):  # a packed incident row
                    if bulk is not None:
                        bulk.add_packed(item)
                        if on_progress is not None:
                            on_progress(run.summary.rows)
                        continue
                    row: Row = unpack(item)
                else:
                    row = item
                if isinstance(row, RowError):
                    run.reject(row)
                elif isinstance(row.record, IncidentRecord) and kind == "incidents":
                    if bulk is not None:
                        bulk.add(row.line, row.record)
                    else:
                        incident_row(run, row.line, row.record)
                elif isinstance(row.record, SourceRecord) and kind == "sources":
                    source_row(run, row.line, row.record)
                elif isinstance(row.record, PersonRecord) and kind == "persons":
                    person_row(run, row.line, row.record)
                elif isinstance(row.record, UnitRecord) and kind == "units":
                    unit_row(run, row.line, row.record)
                elif isinstance(row.record, ActRecord) and kind == "acts":
                    act_row(run, row.line, row.record)
                elif isinstance(row.record, PostRecord) and kind == "posts":
                    post_row(run, row.line, row.record)
                elif isinstance(row.record, DeploymentRecord) and kind == "deployments":
                    deployment_row(run, row.line, row.record)
                else:
                    run.reject(RowError(row.line, {"__all__": [f"Not a row of {kind}."]}))
                if on_progress is not None:
                    on_progress(run.summary.rows)
            if bulk is not None:
                bulk.flush()
            if options.dry_run or (run.summary.rejected and not outcome_by_caller):
                raise Abort
            if run.summary.rejected:
                return run.summary  # the caller rolls its transaction back
            audit_record(
                actor=actor,
                action="import",
                object_type=f"register.{kind[:-1]}",
                object_id="*",
                changes={
                    k: v
                    for k, v in run.summary.as_dict().items()
                    if k in ("rows", "created", "updated", "skipped")
                }
                | {"compartment": options.compartment_id, "bulk": bulk is not None},
            )
    except Abort:
        return run.summary
    finally:
        if bulk is not None:
            bulk.close()
    run.summary.committed = True
    if bulk is not None and run.summary.created >= ANALYZE_AFTER_ROWS:
        refresh_planner_statistics()
    return run.summary


# A bulk import this large changes the tables' shape enough that the query planner's statistics
# mislead it: measured at 1 M incidents, SQLite scanned a whole compartment for a list page
# (0.8 s instead of 50 ms) and PostgreSQL, before autovacuum came by, chose 5–7 s plans.
ANALYZE_AFTER_ROWS = 50_000


def refresh_planner_statistics() -> None:
    """``ANALYZE`` the tables a bulk import fills (≈1.5 s at 1 M rows on SQLite, ≈10 s on
    PostgreSQL), after the commit: a failure here loses nothing that was imported."""
    from crimebook.register.models import Incident
    from crimebook.search.models import SearchDoc, SearchTag

    tables = (
        Incident._meta.db_table,
        Incident.violation_types.through._meta.db_table,
        SearchDoc._meta.db_table,
        SearchTag._meta.db_table,
    )
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def bundle_import(
    *,
    actor: Actor | None,
    sources: Iterable[Row],
    incidents: Iterable[Row],
    options: ImportOptions,
    on_error: Callable[[str, RowError], None],
    on_progress: Progress | None = None,
    notes: Iterable[str] = (),
) -> tuple[ImportSummary, ImportSummary]:
    """Sources, then incidents that may refer to them, in one all-or-nothing transaction
    (full JSON and TimeMap documents). A rejected source does not take the good sources
    out before the incidents are checked: only incidents citing the rejected one fail."""
    require_compartment_write(actor, options.compartment_id)
    live = ImportOptions(**{**asdict(options), "dry_run": False})
    try:
        with transaction.atomic():
            src = records_import(
                actor=actor,
                kind="sources",
                rows=sources,
                options=live,
                on_error=lambda row: on_error("sources", row),
                outcome_by_caller=True,
            )
            inc = records_import(
                actor=actor,
                kind="incidents",
                rows=incidents,
                options=live,
                on_error=lambda row: on_error("incidents", row),
                on_progress=on_progress,
                notes=notes,
                outcome_by_caller=True,
            )
            if not (src.committed and inc.committed) or options.dry_run:
                raise Abort
    except Abort:
        for summary in (src, inc):
            summary.committed = False
            summary.dry_run = options.dry_run
        return src, inc
    return src, inc
