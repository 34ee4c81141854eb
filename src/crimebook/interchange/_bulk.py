"""Fast inserts for bulk imports: rows built as tuples of database-ready values, written
with ``COPY`` (PostgreSQL) or ``executemany`` (SQLite) on the DB-API connection, ids reserved
up front. Django's per-value ``get_db_prep_save``, model instances and its cursor wrappers
dominated the profile; here every conversion is chosen once per import.

Call only inside the import's transaction. Ids: PostgreSQL takes them from the table's
identity sequence (``nextval``, safe with concurrent writers); SQLite already holds the
database write lock (transactions are ``IMMEDIATE``), so the next ids after both the highest
row and ``sqlite_sequence`` are reserved for us (a deleted incident's id is never reused).

Times are written as naive UTC text (``YYYY-MM-DD HH:MM:SS[.ffffff]``), which is what Django
stores on SQLite and what PostgreSQL reads into ``timestamptz`` in the UTC session Django
keeps (checked; otherwise ``+00:00`` is appended). UUIDs are version 4, 32 hex digits, drawn
for a whole batch from one ``os.urandom`` call.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from crimebook.audit.services import audit_record
from crimebook.interchange._packed import (
    V_CONFIDENTIALITY,
    V_DESCRIPTION,
    V_END,
    V_EXTERNAL_ID,
    V_LATITUDE,
    V_LONGITUDE,
    V_PLACE_NAME,
    V_PRECISION,
    V_RADIUS_M,
    V_SOURCE_REFS,
    V_START,
    V_STATUS,
    V_TITLE,
    V_VERIFICATION,
    V_VIOLATION_TYPES,
    IncidentValues,
    PackedIncident,
    domain_problems,
    incident_values,
)  # fmt: skip
from crimebook.interchange._rows import Run, foreign_ids, incident_row, lookup, missing_sources
from crimebook.interchange.formats.records import Errors, IncidentRecord, RowError
from crimebook.register.models import Incident, Source, Term
from crimebook.search import index_records_bulk

INCIDENT_COLUMNS = (
    "id", "compartment_id", "start", "end", "precision", "place_name", "latitude",
    "longitude", "radius_m", "uuid", "title", "description", "status", "verification",
    "confidentiality", "external_id", "created_by_id", "created_at", "updated_at",
)  # fmt: skip
SQLITE_CACHE_KIB = 65536  # page cache while a bulk import runs (default 2 MiB): the unique
# indexes (uuid, external_id) outgrow 2 MiB near 100,000 rows and every insert then reads pages
TEXT_CACHE = 1 << 16


def uuid4_hex(count: int) -> list[str]:
    """``count`` random version-4 UUIDs as 32 hex digits (RFC 9562 §5.4 bits set)."""
    if count <= 0:
        return []
    raw = np.frombuffer(os.urandom(16 * count), dtype=np.uint8).reshape(count, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    text = raw.tobytes().hex()
    return [text[i : i + 32] for i in range(0, 32 * count, 32)]


class UtcText:
    """Aware datetime → naive UTC text (``str`` of the naive value, as Django's SQLite
    adapter writes it), memoised: an import repeats the same times (bounded cache)."""

    def __init__(self, suffix: str = "") -> None:
        self.suffix = suffix
        self.cache: dict[datetime | None, str] = {}

    def __call__(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        text = self.cache.get(value)
        if text is None:
            if value.tzinfo is None:
                raise ValueError("naive datetime")  # the domain rules reject these first
            if len(self.cache) >= TEXT_CACHE:
                self.cache.clear()
            text = str(value.astimezone(UTC).replace(tzinfo=None)) + self.suffix
            self.cache[value] = text
        return text


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


def write(table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """INSERT ``rows`` (database-ready values in ``columns`` order) through the DB-API
    connection: ``COPY`` on PostgreSQL, ``executemany`` on SQLite."""
    if not rows:
        return
    connection.ensure_connection()
    raw: Any = connection.connection
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    if connection.vendor == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
            for values in rows:
                copy.write_row(values)
    else:
        marks = ", ".join("?" * len(columns))
        raw.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)  # noqa: S608 - model names


class IncidentBulk:
    """Batches of new incidents written with :func:`write` (see module docstring)."""

    def __init__(self, run: Run) -> None:
        self.run = run
        # (line, values, domain problems or None: not checked yet)
        self.batch: list[tuple[int, IncidentValues, Errors | None]] = []
        self.terms = dict(
            Term.objects.filter(vocabulary__code="violation_type", retired_in="").values_list(
                "code", "pk"
            )
        )
        self.created_by = run.actor.pk if run.actor is not None else None
        self.text = UtcText(self._time_suffix())
        self.saved_cache: int | None = None
        if connection.vendor == "sqlite":
            with connection.cursor() as cur:
                cur.execute("PRAGMA cache_size")
                self.saved_cache = int(cur.fetchone()[0])
                cur.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")

    @staticmethod
    def _time_suffix() -> str:
        """PostgreSQL reads zone-less text in the session's zone: Django keeps it UTC."""
        if connection.vendor != "postgresql":
            return ""
        connection.ensure_connection()
        zone = connection.connection.info.parameter_status("TimeZone")
        return "" if zone in ("UTC", "Etc/UTC") else "+00:00"

    def close(self) -> None:
        """Give the connection its page cache size back (after the transaction)."""
        if self.saved_cache is not None:
            with connection.cursor() as cur:
                cur.execute(f"PRAGMA cache_size = {int(self.saved_cache)}")
            self.saved_cache = None

    def add(self, line: int, rec: IncidentRecord) -> None:
        self.batch.append((line, incident_values(rec), None))
        if len(self.batch) >= self.run.options.batch_size:
            self.flush()

    def add_packed(self, row: PackedIncident) -> None:
        """A row packed by the parse process, its domain rules already applied there."""
        self.batch.append(row)
        if len(self.batch) >= self.run.options.batch_size:
            self.flush()

    def _problems(self, v: IncidentValues, checked: Errors | None) -> Errors:
        errors = domain_problems(v) if checked is None else dict(checked)
        unknown = [c for c in v[V_VIOLATION_TYPES] if c not in self.terms]
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
        existing = lookup(Incident, (v[V_EXTERNAL_ID] for _, v, _ in batch if v[V_EXTERNAL_ID]))
        foreign = foreign_ids(Incident, existing.values(), cid)
        refs = {ref for _, v, _ in batch for ref in v[V_SOURCE_REFS]}
        source_map = lookup(Source, refs) if refs else {}
        in_comp = set(
            Source.objects.filter(pk__in=list(source_map.values()), compartment_id=cid)
            .values_list("pk", flat=True)
        ) if source_map else set()  # fmt: skip
        seen: dict[str, int] = {}
        new: list[tuple[IncidentValues, list[int]]] = []
        for line, v, checked in batch:
            ext = v[V_EXTERNAL_ID]
            if ext and ext in seen:
                run.reject(
                    RowError(line, {"external_id": [f"{ext!r} repeats line {seen[ext]}."]}, ext)
                )
                continue
            if ext:
                seen[ext] = line
            pk = existing.get(ext) if ext else None
            if pk is not None:
                action = run.duplicate(line, ext, pk, foreign=pk in foreign)
                if action == "error":
                    continue
                if action == "skip":
                    run.summary.skipped += 1
                    continue
                if action == "update":
                    incident_row(run, line, IncidentRecord(*v))
                    continue
            errors = self._problems(v, checked)
            refs_of = v[V_SOURCE_REFS]
            if refs_of:
                missing = [r for r in refs_of if source_map.get(r) not in in_comp]
                if missing:
                    errors["source_refs"] = [missing_sources(missing)]
            if errors:
                run.reject(RowError(line, errors, ext))
                continue
            new.append((v, [source_map[r] for r in refs_of]))
        if new:
            self._write(new)

    def _write(self, new: list[tuple[IncidentValues, list[int]]]) -> None:
        run, cid, by, text, terms = (
            self.run, self.run.options.compartment_id, self.created_by, self.text, self.terms
        )  # fmt: skip
        ids = reserve_ids(Incident, len(new))
        now = text(timezone.now())
        known = text.cache.get  # the memo first: most times repeat
        rows = [
            (
                pk, cid, known(v[V_START]) or text(v[V_START]), known(v[V_END]) or text(v[V_END]),
                v[V_PRECISION], v[V_PLACE_NAME], v[V_LATITUDE], v[V_LONGITUDE], v[V_RADIUS_M],
                uid, v[V_TITLE], v[V_DESCRIPTION], v[V_STATUS], v[V_VERIFICATION],
                v[V_CONFIDENTIALITY], v[V_EXTERNAL_ID], by, now, now,
            )
            for pk, uid, (v, _) in zip(ids, uuid4_hex(len(new)), new, strict=True)
        ]  # fmt: skip
        types = [
            (pk, terms[code])
            for pk, (v, _) in zip(ids, new, strict=True)
            for code in (v[V_VIOLATION_TYPES] if len(v[V_VIOLATION_TYPES]) < 2 else dict.fromkeys(v[V_VIOLATION_TYPES]))
        ]  # fmt: skip
        links = [
            (pk, s) for pk, (_, sids) in zip(ids, new, strict=True) for s in dict.fromkeys(sids)
        ]
        write(Incident._meta.db_table, INCIDENT_COLUMNS, rows)
        write(Incident.violation_types.through._meta.db_table, ("incident_id", "term_id"), types)
        write(Incident.sources.through._meta.db_table, ("incident_id", "source_id"), links)
        audit_record(
            actor=run.actor,
            action="import",
            object_type="register.incident",
            object_id=f"{ids[0]}..{ids[-1]}",
            changes={
                "ids": id_ranges(ids),  # the created rows' ids, as [first, last] runs
                "external_ids": [v[V_EXTERNAL_ID] for v, _ in new],  # in the same order
                "compartment": cid,
                "rows_sha256": batch_digest(rows, types, links),
            },
        )
        # the rows bypassed the ORM (and its signals): the database indexes them for search
        # in the same transaction (INSERT … SELECT: the same documents as index_records)
        index_records_bulk("incident", ids)
        run.summary.created += len(new)


def id_ranges(ids: Sequence[int]) -> list[list[int]]:
    """Ascending ids as ``[first, last]`` runs of consecutive values."""
    runs: list[list[int]] = []
    for pk in ids:
        if runs and pk == runs[-1][1] + 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    return runs


def created_ids(changes: dict[str, Any]) -> list[tuple[int, str | None]]:
    """(id, external id) of every row a batch entry's ``changes`` says it created."""
    ids = [pk for first, last in changes["ids"] for pk in range(first, last + 1)]
    return list(zip(ids, changes["external_ids"], strict=True))


def batch_digest(
    rows: Sequence[tuple[Any, ...]],
    types: Sequence[tuple[int, int]],
    links: Sequence[tuple[int, int]],
) -> str:
    """SHA-256 of what the batch inserted, as written: the UTF-8 JSON (no spaces, non-ASCII
    as is) of ``[incident rows, (incident, term) rows, (incident, source) rows]``; an
    incident row is its values in ``INCIDENT_COLUMNS`` order, times as naive UTC text,
    the uuid as 32 hex digits. Recomputable from the database."""
    payload = json.dumps([rows, types, links], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()
