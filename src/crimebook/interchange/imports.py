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

**Bulk mode** (incidents only): rows are created with ``bulk_create`` in batches, after the
same pure checks as the service (``register.domain`` rules, choices, lengths, vocabulary
codes, sources in the compartment), with one audit entry per batch listing the new ids and
external ids and a SHA-256 over the batch's canonical rows — inside the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from crimebook.audit.services import Actor, audit_record
from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed
from crimebook.interchange import _bulk
from crimebook.interchange.formats.records import IncidentRecord, Row, RowError, SourceRecord
from crimebook.register.domain import check_place, check_window
from crimebook.register.models import Incident, Source, Term
from crimebook.register.services import (
    IncidentData,
    SourceData,
    incident_create,
    incident_update,
    source_create,
    source_update,
)
from crimebook.register.services._common import require_compartment_write

OWN_PREFIX = "crimebook:"
Duplicate = Literal["skip", "update"]


@dataclass(frozen=True)
class ImportOptions:
    compartment_id: int
    dry_run: bool = False
    on_duplicate: Duplicate = "skip"
    bulk: bool = False
    batch_size: int = 1000


@dataclass
class ImportSummary:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    dry_run: bool = False
    committed: bool = False
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


ErrorSink = Callable[[RowError], None]
Progress = Callable[[int], None]


class _Abort(Exception):
    """Raised inside the transaction to roll it back after a rejected row or a dry run."""


def _lookup(model: type[Incident] | type[Source], exts: Iterable[str]) -> dict[str, int]:
    """external id → pk for ids already in the register (plain and ``crimebook:<uuid>``)."""
    wanted = [e for e in exts if e]
    found = dict(model.objects.filter(external_id__in=wanted).values_list("external_id", "pk"))
    own = {e[len(OWN_PREFIX) :]: e for e in wanted if e.startswith(OWN_PREFIX) and e not in found}
    if own:
        valid = {}
        for raw_uuid, ext in own.items():
            try:
                valid[str(uuid.UUID(raw_uuid))] = ext
            except ValueError:
                continue
        for uid, pk in model.objects.filter(uuid__in=list(valid)).values_list("uuid", "pk"):
            found[valid[str(uid)]] = pk
    return {str(k): v for k, v in found.items()}


def _source_ids(refs: Iterable[str], compartment_id: int) -> tuple[tuple[int, ...], list[str]]:
    refs = list(dict.fromkeys(refs))
    if not refs:
        return (), []
    found = _lookup(Source, refs)
    in_comp = set(
        Source.objects.filter(
            pk__in=list(found.values()), compartment_id=compartment_id
        ).values_list("pk", flat=True)
    )
    ids = tuple(found[r] for r in refs if found.get(r) in in_comp)
    missing = [r for r in refs if found.get(r) not in in_comp]
    return ids, missing


def _incident_data(
    rec: IncidentRecord, compartment_id: int, source_ids: tuple[int, ...]
) -> IncidentData:
    return IncidentData(
        compartment_id=compartment_id,
        title=rec.title,
        description=rec.description,
        start=rec.start,
        end=rec.end,
        precision=rec.precision,
        place_name=rec.place_name,
        latitude=rec.latitude,
        longitude=rec.longitude,
        radius_m=rec.radius_m,
        violation_types=rec.violation_types,
        status=rec.status,
        verification=rec.verification,
        confidentiality=rec.confidentiality,
        source_ids=source_ids,
        external_id=rec.external_id,
    )


def _source_data(rec: SourceRecord, compartment_id: int) -> SourceData:
    from datetime import date

    return SourceData(
        compartment_id=compartment_id,
        kind=rec.kind,
        title=rec.title,
        description=rec.description,
        url=rec.url,
        received_on=date.fromisoformat(rec.received_on) if rec.received_on else None,
        reliability=rec.reliability,
        credibility=rec.credibility,
        consent_investigation=rec.consent_investigation,
        consent_prosecution=rec.consent_prosecution,
        consent_publication=rec.consent_publication,
        external_id=rec.external_id,
    )


class _Run:
    """State of one import (counters, the pk high-water mark, the error sink)."""

    def __init__(
        self, *, actor: Actor | None, options: ImportOptions, kind: str, on_error: ErrorSink
    ) -> None:
        self.actor = actor
        self.options = options
        self.summary = ImportSummary(kind=kind, dry_run=options.dry_run)
        self.on_error = on_error
        model = Incident if kind == "incidents" else Source
        self.high_water = model.objects.aggregate(m=Max("pk"))["m"] or 0

    def reject(self, row: RowError) -> None:
        self.summary.rejected += 1
        self.on_error(row)

    def duplicate(self, line: int, ext: str | None, pk: int | None) -> str:
        """ "new", "skip", "update" or "error" for a row whose external id maps to ``pk``."""
        if pk is None:
            return "new"
        if pk > self.high_water:
            self.reject(
                RowError(line, {"external_id": [f"{ext!r} repeats a row above in this file."]}, ext)
            )
            return "error"
        return self.options.on_duplicate


def _service_row(run: _Run, line: int, ext: str | None, write: Callable[[], object]) -> bool:
    try:
        with transaction.atomic():
            write()
    except ValidationFailed as exc:
        run.reject(RowError(line, exc.errors, ext))
        return False
    except (NotFound, PermissionDenied) as exc:
        run.reject(RowError(line, {"__all__": [f"{exc}: not allowed or not found."]}, ext))
        return False
    return True


def _incident_row(run: _Run, line: int, rec: IncidentRecord) -> None:
    cid = run.options.compartment_id
    ext = rec.external_id
    source_ids, missing = _source_ids(rec.source_refs, cid)
    if missing:
        run.reject(RowError(line, {"source_refs": [_missing_sources(missing)]}, ext))
        return
    existing = _lookup(Incident, [ext]).get(ext) if ext else None
    action = run.duplicate(line, ext, existing)
    if action == "error":
        return
    if action == "skip":
        run.summary.skipped += 1
        return
    data = _incident_data(rec, cid, source_ids)
    if action == "update":
        assert existing is not None
        incident = Incident.objects.get(pk=existing)
        if ext and ext.startswith(OWN_PREFIX) and incident.external_id != ext:
            data = _incident_data(
                IncidentRecord(**{**asdict(rec), "external_id": incident.external_id}),
                cid,
                source_ids,
            )
        if _service_row(
            run, line, ext, lambda: incident_update(actor=run.actor, incident=incident, data=data)
        ):
            run.summary.updated += 1
        return
    if _service_row(run, line, ext, lambda: incident_create(actor=run.actor, data=data)):
        run.summary.created += 1


def _missing_sources(missing: list[str]) -> str:
    return f"No source with external id {', '.join(map(repr, missing))} in this compartment (import sources first)."


def _source_row(run: _Run, line: int, rec: SourceRecord) -> None:
    cid = run.options.compartment_id
    ext = rec.external_id
    existing = _lookup(Source, [ext]).get(ext) if ext else None
    action = run.duplicate(line, ext, existing)
    if action == "error":
        return
    if action == "skip":
        run.summary.skipped += 1
        return
    data = _source_data(rec, cid)
    if action == "update":
        assert existing is not None
        source = Source.objects.get(pk=existing)
        if ext and ext.startswith(OWN_PREFIX):
            data = SourceData(**{**asdict(data), "external_id": source.external_id})
        if _service_row(
            run, line, ext, lambda: source_update(actor=run.actor, source=source, data=data)
        ):
            run.summary.updated += 1
        return
    if _service_row(run, line, ext, lambda: source_create(actor=run.actor, data=data)):
        run.summary.created += 1


class _Bulk:
    """Batches of new incidents written with ``bulk_create`` (see module docstring)."""

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.batch: list[tuple[int, IncidentRecord]] = []
        self.terms = dict(
            Term.objects.filter(vocabulary__code="violation_type", retired_in="").values_list(
                "code", "pk"
            )
        )
        self.created_by = run.actor.pk if run.actor is not None else None

    def add(self, line: int, rec: IncidentRecord) -> None:
        self.batch.append((line, rec))
        if len(self.batch) >= self.run.options.batch_size:
            self.flush()

    def _problems(self, rec: IncidentRecord) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        for name, message in check_window(rec.start, rec.end, what="incident") + check_place(
            rec.latitude, rec.longitude, rec.radius_m
        ):
            errors.setdefault(name, []).append(message)
        unknown = [c for c in rec.violation_types if c not in self.terms]
        if unknown:
            errors["violation_types"] = [
                f"Unknown violation type: {', '.join(map(repr, unknown))}."
            ]
        return errors

    def flush(self) -> None:
        run, cid = self.run, self.run.options.compartment_id
        batch, self.batch = self.batch, []
        if not batch:
            return
        existing = _lookup(Incident, (r.external_id for _, r in batch if r.external_id))
        refs = {ref for _, r in batch for ref in r.source_refs}
        source_map = _lookup(Source, refs) if refs else {}
        in_comp = set(
            Source.objects.filter(pk__in=list(source_map.values()), compartment_id=cid)
            .values_list("pk", flat=True)
        ) if source_map else set()  # fmt: skip
        seen: dict[str, int] = {}
        new: list[tuple[IncidentRecord, list[int]]] = []
        for line, rec in batch:
            ext = rec.external_id
            if ext and ext in seen:
                run.reject(
                    RowError(line, {"external_id": [f"{ext!r} repeats line {seen[ext]}."]}, ext)
                )
                continue
            if ext:
                seen[ext] = line
            action = run.duplicate(line, ext, existing.get(ext) if ext else None)
            if action == "error":
                continue
            if action == "skip":
                run.summary.skipped += 1
                continue
            if action == "update":
                _incident_row(run, line, rec)
                continue
            errors = self._problems(rec)
            missing = [r for r in rec.source_refs if source_map.get(r) not in in_comp]
            if missing:
                errors["source_refs"] = [_missing_sources(missing)]
            if errors:
                run.reject(RowError(line, errors, ext))
                continue
            new.append((rec, [source_map[r] for r in rec.source_refs]))
        if not new:
            return
        ids = _bulk.reserve_ids(Incident, len(new))
        now = timezone.now()
        rows = [
            {
                "id": pk, "compartment_id": cid, "start": rec.start, "end": rec.end,
                "precision": rec.precision, "place_name": rec.place_name,
                "latitude": rec.latitude, "longitude": rec.longitude, "radius_m": rec.radius_m,
                "uuid": uuid.uuid4(), "title": rec.title, "description": rec.description,
                "status": rec.status, "verification": rec.verification,
                "confidentiality": rec.confidentiality, "external_id": rec.external_id,
                "created_by_id": self.created_by, "created_at": now, "updated_at": now,
            }
            for pk, (rec, _) in zip(ids, new, strict=True)
        ]  # fmt: skip
        _bulk.insert(Incident, rows)
        _bulk.insert(
            Incident.violation_types.through,
            [
                {"incident_id": pk, "term_id": self.terms[code]}
                for pk, (rec, _) in zip(ids, new, strict=True)
                for code in dict.fromkeys(rec.violation_types)
            ],
        )
        _bulk.insert(
            Incident.sources.through,
            [
                {"incident_id": pk, "source_id": s}
                for pk, (_, sids) in zip(ids, new, strict=True)
                for s in dict.fromkeys(sids)
            ],
        )
        digest = hashlib.sha256()
        for pk, (rec, _) in zip(ids, new, strict=True):
            digest.update(_canonical(pk, rec))
        audit_record(
            actor=run.actor,
            action="import",
            object_type="register.incident",
            object_id=f"{ids[0]}..{ids[-1]}",
            changes={
                "created": [[pk, rec.external_id] for pk, (rec, _) in zip(ids, new, strict=True)],
                "compartment": cid,
                "rows_sha256": digest.hexdigest(),
            },
        )
        run.summary.created += len(new)


_RECORD_FIELDS = tuple(f.name for f in fields(IncidentRecord))


def _canonical(pk: int, rec: IncidentRecord) -> bytes:
    """One line per created row for the batch digest (pk + every field, JSON)."""
    values = [pk, *(getattr(rec, name) for name in _RECORD_FIELDS)]
    return json.dumps(values, default=str, ensure_ascii=False).encode() + b"\n"


def records_import(
    *,
    actor: Actor | None,
    kind: Literal["incidents", "sources"],
    rows: Iterable[Row],
    options: ImportOptions,
    on_error: ErrorSink,
    on_progress: Progress | None = None,
    notes: Iterable[str] = (),
) -> ImportSummary:
    """Import parsed rows of ``kind`` into ``options.compartment_id`` (see module docstring).

    Raises ``NotFound`` / ``PermissionDenied`` before reading anything if the actor may not
    write to the compartment. Exceptions from the parser (a broken file) propagate after
    the transaction is rolled back."""
    require_compartment_write(actor, options.compartment_id)
    run = _Run(actor=actor, options=options, kind=kind, on_error=on_error)
    run.summary.notes.extend(notes)
    bulk = _Bulk(run) if options.bulk and kind == "incidents" else None
    try:
        with transaction.atomic():
            for row in rows:
                run.summary.rows += 1
                if isinstance(row, RowError):
                    run.reject(row)
                elif isinstance(row.record, IncidentRecord) and kind == "incidents":
                    if bulk is not None:
                        bulk.add(row.line, row.record)
                    else:
                        _incident_row(run, row.line, row.record)
                elif isinstance(row.record, SourceRecord) and kind == "sources":
                    _source_row(run, row.line, row.record)
                else:
                    run.reject(RowError(row.line, {"__all__": [f"Not a row of {kind}."]}))
                if on_progress is not None:
                    on_progress(run.summary.rows)
            if bulk is not None:
                bulk.flush()
            if run.summary.rejected or options.dry_run:
                raise _Abort
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
    except _Abort:
        return run.summary
    run.summary.committed = True
    return run.summary


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
    (full JSON and TimeMap documents)."""
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
            )
            inc = records_import(
                actor=actor,
                kind="incidents",
                rows=incidents,
                options=live,
                on_error=lambda row: on_error("incidents", row),
                on_progress=on_progress,
                notes=notes,
            )
            if not (src.committed and inc.committed) or options.dry_run:
                raise _Abort
    except _Abort:
        for summary in (src, inc):
            summary.committed = False
            summary.dry_run = options.dry_run
        return src, inc
    return src, inc
