"""Fast inserts for bulk imports: ``executemany`` with ids reserved up front, converters
chosen once per column (Django's per-value ``get_db_prep_save`` dominated the profile).

Call only inside the import's transaction. Ids: PostgreSQL takes them from the table's
identity sequence (``nextval``, safe with concurrent writers); SQLite already holds the
database write lock (transactions are ``IMMEDIATE``), so the next ids after both the highest
row and ``sqlite_sequence`` are reserved for us (a deleted incident's id is never reused).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Any

from django.db import connection, models
from django.db.models import Model
from django.utils import timezone

from crimebook.audit.services import audit_record
from crimebook.interchange._rows import Run, foreign_ids, incident_row, lookup, missing_sources
from crimebook.interchange.formats.records import IncidentRecord, RowError
from crimebook.register.domain import check_place, check_window
from crimebook.register.models import Incident, Source, Term

Row = dict[str, Any]


def _sqlite_datetime() -> Callable[[Any], Any]:
    """Naive UTC text; the batch's one ``now`` (created/updated) is converted once."""
    last: list[Any] = [None, None]

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if value is last[0]:
            return last[1]
        text = str(value.astimezone(UTC).replace(tzinfo=None))
        last[0], last[1] = value, text
        return text

    return convert


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    if isinstance(field, models.DateTimeField):
        if connection.vendor == "sqlite":  # what Django stores: naive UTC text
            return _sqlite_datetime()
        adapt = connection.ops.adapt_datetimefield_value
        return lambda v: None if v is None else adapt(v)
    if isinstance(field, models.UUIDField):
        if connection.vendor == "postgresql":
            return lambda v: v
        return lambda v: None if v is None else v.hex
    return lambda v: v


def reserve_ids(model: type[Model], count: int) -> list[int]:
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk.column, count],
            )
            return [int(r[0]) for r in cur.fetchall()]
        quoted = connection.ops.quote_name(table)
        column = connection.ops.quote_name(pk.column)
        sql = f"SELECT COALESCE(MAX({column}), 0) FROM {quoted}"  # noqa: S608 - model names
        cur.execute(sql)
        top = int(cur.fetchone()[0])
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        top = max(top, int(row[0]) if row else 0)
    return list(range(top + 1, top + 1 + count))


def insert(model: type[Model], rows: Sequence[Row]) -> None:
    """INSERT ``rows`` (column name → Python value, same columns in every row): ``COPY`` on
    PostgreSQL, ``executemany`` on SQLite."""
    if not rows:
        return
    fields = {f.column: f for f in model._meta.concrete_fields}
    columns = list(rows[0])
    convert = [_converter(fields[c]) for c in columns]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    params = [[conv(row[c]) for conv, c in zip(convert, columns, strict=True)] for row in rows]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            copy_sql = "COPY {} ({}) FROM STDIN".format(
                connection.ops.quote_name(model._meta.db_table),
                ", ".join(connection.ops.quote_name(c) for c in columns),
            )
            with cur.cursor.copy(copy_sql) as copy:  # psycopg 3: COPY is the bulk path
                for values in params:
                    copy.write_row(values)
        else:
            cur.executemany(sql, params)


class IncidentBulk:
    """Batches of new incidents written with ``bulk_create`` (see module docstring)."""

    def __init__(self, run: Run) -> None:
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
        existing = lookup(Incident, (r.external_id for _, r in batch if r.external_id))
        foreign = foreign_ids(Incident, existing.values(), cid)
        refs = {ref for _, r in batch for ref in r.source_refs}
        source_map = lookup(Source, refs) if refs else {}
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
            pk = existing.get(ext) if ext else None
            action = run.duplicate(line, ext, pk, foreign=pk in foreign)
            if action == "error":
                continue
            if action == "skip":
                run.summary.skipped += 1
                continue
            if action == "update":
                incident_row(run, line, rec)
                continue
            errors = self._problems(rec)
            missing = [r for r in rec.source_refs if source_map.get(r) not in in_comp]
            if missing:
                errors["source_refs"] = [missing_sources(missing)]
            if errors:
                run.reject(RowError(line, errors, ext))
                continue
            new.append((rec, [source_map[r] for r in rec.source_refs]))
        if not new:
            return
        ids = reserve_ids(Incident, len(new))
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
        insert(Incident, rows)
        insert(
            Incident.violation_types.through,
            [
                {"incident_id": pk, "term_id": self.terms[code]}
                for pk, (rec, _) in zip(ids, new, strict=True)
                for code in dict.fromkeys(rec.violation_types)
            ],
        )
        insert(
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


def _canonical(pk: int, rec: IncidentRecord) -> bytes:
    """One line per created row for the batch digest: ``<pk> US repr(record) LF`` in UTF-8
    (the dataclass repr names every field; datetimes and floats repr exactly)."""
    return f"{pk}\x1f{rec!r}\n".encode()
