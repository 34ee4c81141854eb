"""Incident rows packed as plain tuples for the bulk path (pure: no Django).

Handing a parser's ``RowOk(line, IncidentRecord(...))`` from the parse process to the writer
cost more than the parse itself: unpickling a dataclass with fifteen fields took ≈23 µs a
row in the writer (measured on 50,000 rows), against ≈4 µs for the same values as a tuple.
So the parse process packs each good incident row as ``(line, values, problems)``:

* ``values``: the record's fields as a tuple in :class:`IncidentRecord` field order (the
  ``V_*`` indexes below name them);
* ``problems``: what the register's domain rules (``register.domain.check_window`` and
  ``check_place``, both pure) say about the row, computed in the parse process — the writer
  reports them at exactly the point it reports its own checks (after the duplicate checks),
  with the same messages, so a packed row and a record give the same result.

Rejected rows (``RowError``) pass through unchanged. :func:`unpack` turns a packed row back
into the ``RowOk`` the parser yielded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from datetime import datetime
from typing import Final

from crimebook.interchange.formats import worker
from crimebook.interchange.formats.records import (
    CsvOptions,
    Errors,
    IncidentRecord,
    Row,
    RowOk,
)
from crimebook.register.domain import check_place, check_window

IncidentValues = tuple[
    str, str | None, str, datetime | None, datetime | None, str, str, float | None,
    float | None, float | None, tuple[str, ...], str, str, str, tuple[str, ...],
]  # fmt: skip
PackedIncident = tuple[int, IncidentValues, Errors]
V_TITLE: Final = 0
V_EXTERNAL_ID: Final = 1
V_DESCRIPTION: Final = 2
V_START: Final = 3
V_END: Final = 4
V_PRECISION: Final = 5
V_PLACE_NAME: Final = 6
V_LATITUDE: Final = 7
V_LONGITUDE: Final = 8
V_RADIUS_M: Final = 9
V_VIOLATION_TYPES: Final = 10
V_STATUS: Final = 11
V_VERIFICATION: Final = 12
V_CONFIDENTIALITY: Final = 13
V_SOURCE_REFS: Final = 14
FIELD_NAMES = tuple(f.name for f in fields(IncidentRecord))  # V_* index → name (tested)


def incident_values(rec: IncidentRecord) -> IncidentValues:
    return (
        rec.title, rec.external_id, rec.description, rec.start, rec.end, rec.precision,
        rec.place_name, rec.latitude, rec.longitude, rec.radius_m, rec.violation_types,
        rec.status, rec.verification, rec.confidentiality, rec.source_refs,
    )  # fmt: skip


def domain_problems(v: IncidentValues) -> Errors:
    """The register's time-window and place rules for an incident, as row errors."""
    errors: Errors = {}
    for name, message in check_window(v[V_START], v[V_END], what="incident") + check_place(
        v[V_LATITUDE], v[V_LONGITUDE], v[V_RADIUS_M]
    ):
        errors.setdefault(name, []).append(message)
    return errors


def pack(row: Row) -> Row | PackedIncident:
    """A good incident row as ``(line, values, problems)``; anything else unchanged."""
    if isinstance(row, RowOk) and isinstance(row.record, IncidentRecord):
        values = incident_values(row.record)
        return (row.line, values, domain_problems(values))
    return row


def unpack(packed: PackedIncident) -> RowOk:
    return RowOk(packed[0], IncidentRecord(*packed[1]))


def packed_rows(rows: Iterable[Row]) -> Iterator[Row | PackedIncident]:
    return map(pack, rows)


def packed_csv_source(
    path: str, kind: str, options: CsvOptions | None = None, encoding: str | None = None
) -> tuple[Iterable[Row | PackedIncident], Callable[[], int]]:
    """:func:`worker.csv_source` with good incident rows packed (runs in the parse process)."""
    rows, position = worker.csv_source(path, kind, options, encoding)
    return packed_rows(rows), position
