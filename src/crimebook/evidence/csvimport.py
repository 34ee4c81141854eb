"""Streamed CSV imports of camera inventories, recording spans and communications
(CONVENTIONS 5: the row parsers are pure; :func:`cameras_import`, :func:`recordings_import`
and :func:`communications_import` adapt them to models).

Rows are read one at a time with :mod:`csv` and written in batches, so memory stays bounded
whatever the file's length. Cameras and recordings: each bad row is reported by line number
with the reason and skipped. Communications: all or nothing (one transaction, rolled back on
any rejected row or a dry run). One audit entry records each import (file hash, counts).
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection, transaction

from crimebook.audit.services import Actor, audit_record
from crimebook.evidence import commrules
from crimebook.evidence.models import Camera, EvidenceItem, Recording
from crimebook.evidence.storage import SHA256_HEX
from crimebook.interchange.formats.records import Region, check_coordinates, parse_float
from crimebook.register.services._common import require_compartment_write

__all__ = [
    "CAMERA_COLUMNS",
    "COMMUNICATION_COLUMNS",
    "RECORDING_COLUMNS",
    "CommunicationsImport",
    "ImportReport",
    "RowError",
    "cameras_import",
    "communications_import",
    "parse_camera",
    "parse_communication",
    "parse_recording",
    "recordings_import",
]

CAMERA_COLUMNS = (
    "camera_id",
    "latitude",
    "longitude",
)  # + optional name, fov_radius_m, description
RECORDING_COLUMNS = ("camera_id", "start", "end")  # + optional held_by, recording_id, sha256
BATCH = 5000
MAX_ERRORS_KEPT = 1000


class RowError(ValueError):
    pass


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    error_count: int = 0

    def error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append((line, message))


def _float(
    row: dict[str, str], name: str, low: float, high: float, default: float | None = None
) -> float:
    text = (row.get(name) or "").strip()
    if not text:
        if default is not None:
            return default
        raise RowError(f"{name} is empty")
    try:
        value = float(text)
    except ValueError:
        raise RowError(f"{name} is not a number: {text[:40]!r}") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise RowError(f"{name} out of range ({low:g}…{high:g}): {text[:40]!r}")
    return value


def _time(row: dict[str, str], name: str) -> datetime:
    text = (row.get(name) or "").strip()
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RowError(f"{name} is not an ISO 8601 time: {text[:40]!r}") from None
    if value.tzinfo is None:
        raise RowError(f"{name} has no time zone offset: {text[:40]!r}")
    return value.astimezone(UTC)


def _text(row: dict[str, str], name: str, limit: int) -> str:
    text = (row.get(name) or "").strip()
    if len(text) > limit:
        raise RowError(f"{name} longer than {limit} characters")
    return text


@dataclass(frozen=True)
class CameraRow:
    external_id: str
    name: str
    latitude: float
    longitude: float
    fov_radius_m: float
    description: str


def parse_camera(row: dict[str, str]) -> CameraRow:
    external_id = _text(row, "camera_id", 200)
    if not external_id:
        raise RowError("camera_id is empty")
    return CameraRow(
        external_id=external_id,
        name=_text(row, "name", 300),
        latitude=_float(row, "latitude", -90, 90),
        longitude=_float(row, "longitude", -180, 180),
        fov_radius_m=_float(row, "fov_radius_m", 0, 100_000, default=50.0),
        description=_text(row, "description", 2000),
    )


@dataclass(frozen=True)
class RecordingRow:
    camera_id: str
    start: datetime
    end: datetime
    held_by: str
    external_id: str
    sha256: str = ""


def parse_recording(row: dict[str, str]) -> RecordingRow:
    camera_id = _text(row, "camera_id", 200)
    if not camera_id:
        raise RowError("camera_id is empty")
    start, end = _time(row, "start"), _time(row, "end")
    if end < start:
        raise RowError("end is before start")
    sha256 = _text(row, "sha256", 64).lower()
    if sha256 and not SHA256_HEX.fullmatch(sha256):
        raise RowError("sha256 is not 64 hexadecimal digits")
    return RecordingRow(
        camera_id, start, end, _text(row, "held_by", 300), _text(row, "recording_id", 200),
        sha256,
    )  # fmt: skip


def _rows(handle: TextIO, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(handle)
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise RowError(f"the header lacks the column(s) {', '.join(missing)}")
    for row in reader:
        yield reader.line_num, row


def _item_lookup(compartment_id: int) -> Callable[[str], int | None]:
    """SHA-256 → the original ingested item with that content in the compartment (cached)."""

    @lru_cache(maxsize=4096)
    def item_for(sha256: str) -> int | None:
        return (
            EvidenceItem.objects.filter(
                compartment_id=compartment_id, sha256=sha256, status="ingested",
                derived_from__isnull=True,
            )
            .values_list("pk", flat=True)
            .first()
        )  # fmt: skip

    return item_for


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_in_batches(
    path: Path, required: tuple[str, ...], build: Callable[[dict[str, str]], Any],
    store: Callable[[list[Any]], None], report: ImportReport,
    progress: Callable[[int], None] | None,
) -> None:  # fmt: skip
    """Read the CSV row by row, ``build`` each (a RowError is the row's error in ``report``)
    and hand them to ``store`` in batches of :data:`BATCH`; a bad header or an unreadable
    file is an error of the file, at the line where it was found."""
    batch: list[Any] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        try:
            for line, row in _rows(handle, required):
                report.rows += 1
                try:
                    batch.append(build(row))
                except RowError as exc:
                    report.error(line, str(exc))
                if len(batch) >= BATCH:
                    store(batch)
                    batch = []
                if progress is not None and report.rows % 1000 == 0:
                    progress(1000)
        except RowError as exc:  # the header
            report.error(1, str(exc))
        except (UnicodeDecodeError, csv.Error) as exc:
            report.error(report.rows + 1, f"unreadable CSV: {exc}")
    if batch:
        store(batch)
    if progress is not None:
        progress(report.rows % 1000)


def _run(
    *, actor: Actor | None, compartment_id: int, path: Path, kind: str,
    required: tuple[str, ...], build: Callable[[dict[str, str]], Any],
    flush: Callable[[list[Any]], int], progress: Callable[[int], None] | None,
) -> ImportReport:  # fmt: skip
    require_compartment_write(actor, compartment_id)
    report = ImportReport()

    def store(batch: list[Any]) -> None:
        report.created += flush(batch)

    _read_in_batches(path, required, build, store, report, progress)
    with transaction.atomic():
        audit_record(
            actor=actor, action="import", object_type=f"evidence.{kind}", object_id=compartment_id,
            changes={"file_sha256": _sha256(path), "rows": report.rows,
                     "created": report.created, "errors": report.error_count},
        )  # fmt: skip
    return report


def cameras_import(
    *, actor: Actor | None, compartment_id: int, path: Path,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:  # fmt: skip
    """Cameras by ``camera_id``; one already known in the compartment is left unchanged."""

    def build(row: dict[str, str]) -> Camera:
        c = parse_camera(row)
        return Camera(compartment_id=compartment_id, external_id=c.external_id, name=c.name,
                      latitude=c.latitude, longitude=c.longitude, fov_radius_m=c.fov_radius_m,
                      description=c.description)  # fmt: skip

    def flush(batch: list[Camera]) -> int:
        ids = [c.external_id for c in batch]
        known = set(
            Camera.objects.filter(compartment_id=compartment_id, external_id__in=ids).values_list(
                "external_id", flat=True
            )
        )
        fresh: dict[str, Camera] = {}
        for camera in batch:
            if camera.external_id not in known:
                fresh.setdefault(camera.external_id, camera)
        with transaction.atomic():
            Camera.objects.bulk_create(list(fresh.values()), ignore_conflicts=True)
        return len(fresh)

    return _run(actor=actor, compartment_id=compartment_id, path=path, kind="camera",
                required=CAMERA_COLUMNS, build=build, flush=flush, progress=progress)  # fmt: skip


def recordings_import(
    *, actor: Actor | None, compartment_id: int, path: Path,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:  # fmt: skip
    """Recording spans of cameras already in the compartment: metadata only when the footage
    is held elsewhere (``held_by``), or linked by ``sha256`` to footage already in the vault."""

    _item_for = _item_lookup(compartment_id)
    cameras: dict[str, int] = dict(
        Camera.objects.filter(compartment_id=compartment_id).values_list("external_id", "pk")
    )

    table = Recording._meta.db_table
    columns = ("compartment_id", "camera_id", "item_id", "start", "end", "held_by", "external_id")
    quote = connection.ops.quote_name
    insert = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    adapt = connection.ops.adapt_datetimefield_value

    def build(row: dict[str, str]) -> tuple[Any, ...]:
        r = parse_recording(row)
        camera = cameras.get(r.camera_id)
        if camera is None:
            raise RowError(f"unknown camera_id {r.camera_id[:40]!r} (import cameras first)")
        item_id = _item_for(r.sha256) if r.sha256 else None
        if r.sha256 and item_id is None:
            raise RowError(f"no footage with SHA-256 {r.sha256[:16]}… in this compartment")
        return (compartment_id, camera, item_id, adapt(r.start), adapt(r.end), r.held_by,
                r.external_id)  # fmt: skip

    def flush(batch: list[tuple[Any, ...]]) -> int:
        # Plain executemany: the ORM's bulk_create spends ~90 % of the time building and
        # preparing model instances; values are adapted with the backend's own operations.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert, batch)
        return len(batch)

    return _run(actor=actor, compartment_id=compartment_id, path=path, kind="recording",
                required=RECORDING_COLUMNS, build=build, flush=flush, progress=progress)  # fmt: skip


# --- communications: all or nothing --------------------------------------------------------

COMMUNICATION_COLUMNS = ("communication_id", "kind", "start")
COMMUNICATION_OPTIONAL = (
    "end", "latitude", "longitude", "radius_m", "place_name", "party_a", "party_b",
    "party_a_phone", "party_b_phone", "summary", "sha256",
)  # fmt: skip
KIND_WORDS = {"sms": "message", "intercept": "radio"}  # accepted spellings of the kinds


@dataclass(frozen=True)
class CommunicationRow:
    external_id: str
    kind: str
    start: datetime
    end: datetime
    latitude: float | None
    longitude: float | None
    radius_m: float | None
    place_name: str
    party_a: str
    party_b: str
    party_a_phone: str
    party_b_phone: str
    summary: str
    sha256: str


def _local_time(row: dict[str, str], name: str, zone: ZoneInfo | None) -> datetime | None:
    """ISO 8601; a time without an offset is refused unless ``zone`` names the zone it was
    written in (then a wall time that does not exist or exists twice — the DST change — is
    refused: it cannot be placed to the hour)."""
    text = (row.get(name) or "").strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RowError(f"{name}: not an ISO 8601 time: {text[:40]!r}") from None
    try:
        if value.tzinfo is None:
            if zone is None:
                raise RowError(
                    f"{name}: no time zone offset in {text[:40]!r} (write it, e.g. +03:00, or "
                    "name the zone of the whole file with --assume-tz)"
                )
            first, second = value.replace(tzinfo=zone, fold=0), value.replace(tzinfo=zone, fold=1)
            if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:
                raise RowError(f"{name}: {text[:40]!r} does not exist in {zone.key} (clock change)")
            if first.utcoffset() != second.utcoffset():
                raise RowError(f"{name}: {text[:40]!r} occurs twice in {zone.key} (clock change)")
            value = first
        return value.astimezone(UTC)
    except OverflowError:
        raise RowError(f"{name}: {text[:40]!r} is outside the supported range of dates") from None


def _number(row: dict[str, str], name: str) -> float | None:
    text = (row.get(name) or "").strip()
    if not text:
        return None
    try:
        return parse_float(text)
    except ValueError:
        raise RowError(f"{name}: not a number: {text[:40]!r}") from None


def parse_communication(
    row: dict[str, str], *, zone: ZoneInfo | None = None, region: Region | None = None
) -> CommunicationRow:
    """One CSV row, checked by the same pure rules as the service (``commrules``); a phone
    number is never repeated in a message."""
    external_id = _text(row, "communication_id", 200)
    if not external_id:
        raise RowError("communication_id: empty (every record needs its id)")
    kind = _text(row, "kind", 20).lower()
    kind = KIND_WORDS.get(kind, kind)
    if kind not in commrules.KINDS:
        raise RowError(f"kind: must be one of {', '.join(commrules.KINDS)}, not {kind[:20]!r}")
    start = _local_time(row, "start", zone)
    end = _local_time(row, "end", zone)
    if start is None:
        raise RowError("start: empty")
    lat, lon, radius = _number(row, "latitude"), _number(row, "longitude"), _number(row, "radius_m")
    party_a, party_b = _text(row, "party_a", 200), _text(row, "party_b", 200)
    summary = _text(row, "summary", 10_000)
    phones = {n: (row.get(n) or "").strip() for n in ("party_a_phone", "party_b_phone")}
    problems = [
        *commrules.check_span(start, end),
        *commrules.check_area(lat, lon, radius),
        *commrules.check_labels(party_a, party_b, summary),
        *(p for n, v in phones.items() for p in commrules.check_phone(v, field=n)),
    ]
    if not problems and lat is not None and lon is not None and region is not None:
        problems += [(f, m) for f, ms in check_coordinates(lat, lon, region).items() for m in ms]
    if problems:
        raise RowError("; ".join(f"{field}: {message}" for field, message in problems))
    sha256 = _text(row, "sha256", 64).lower()
    if sha256 and not SHA256_HEX.fullmatch(sha256):
        raise RowError("sha256: not 64 hexadecimal digits")
    return CommunicationRow(
        external_id, kind, start, end or start, lat, lon, radius, _text(row, "place_name", 300),
        party_a, party_b, phones["party_a_phone"], phones["party_b_phone"], summary, sha256,
    )  # fmt: skip


class _Rollback(Exception):
    """Raised inside the import's transaction to undo it (a rejected row, or a dry run)."""


@dataclass
class CommunicationsImport(ImportReport):
    skipped: int = 0  # already in the compartment (by communication_id)
    dry_run: bool = False
    committed: bool = False


def communications_import(
    *, actor: Actor | None, compartment_id: int, path: Path, dry_run: bool = False,
    assume_tz: str | None = None, region: Region | None = None, source_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> CommunicationsImport:  # fmt: skip
    """Communications from a CSV (columns: docs/import-schema.md), **all or nothing**: every
    row is checked and written inside one transaction, which is rolled back when any row is
    rejected or on a dry run — nothing written, nothing audited. A ``communication_id``
    already in the compartment is skipped (re-running an import is harmless); the same id
    twice in the file rejects the second row. Phone numbers are kept as blind digests only.
    The rows' search documents are written in the same transaction. One ``import`` audit
    entry (file hash and counts) when it commits."""
    from crimebook.evidence.communications import phone_digest
    from crimebook.evidence.models import Communication
    from crimebook.register.models import Source

    require_compartment_write(actor, compartment_id)
    try:
        zone = ZoneInfo(assume_tz) if assume_tz else None
    except (ZoneInfoNotFoundError, ValueError):
        raise RowError(f"unknown time zone {assume_tz!r} (e.g. Europe/Minsk)") from None
    if (
        source_id is not None
        and not Source.objects.filter(pk=source_id, compartment_id=compartment_id).exists()
    ):
        raise RowError(f"no source {source_id} in this compartment")
    item_for = _item_lookup(compartment_id)
    report = CommunicationsImport(dry_run=dry_run)
    seen: set[str] = set()
    written: list[str] = []  # external ids of the rows inserted
    table = Communication._meta.db_table
    columns = (
        "compartment_id", "kind", "start", "end", "latitude", "longitude", "radius_m",
        "place_name", "party_a", "party_b", "party_a_digest", "party_b_digest", "summary",
        "item_id", "source_id", "external_id", "created_by_id", "created_at", "updated_at",
    )  # fmt: skip
    quote = connection.ops.quote_name
    insert = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    adapt = connection.ops.adapt_datetimefield_value
    stamp = adapt(datetime.now(UTC))
    actor_id = getattr(actor, "pk", None)

    def build(row: dict[str, str]) -> tuple[Any, ...]:
        r = parse_communication(row, zone=zone, region=region)
        if r.external_id in seen:
            raise RowError(f"communication_id {r.external_id[:40]!r} appears twice in the file")
        seen.add(r.external_id)
        item_id = item_for(r.sha256) if r.sha256 else None
        if r.sha256 and item_id is None:
            raise RowError(f"sha256: no item with SHA-256 {r.sha256[:16]}… in this compartment")
        return (
            compartment_id, r.kind, adapt(r.start), adapt(r.end), r.latitude, r.longitude,
            r.radius_m, r.place_name, r.party_a, r.party_b,
            phone_digest(r.party_a_phone) if r.party_a_phone else "",
            phone_digest(r.party_b_phone) if r.party_b_phone else "",
            r.summary, item_id, source_id, r.external_id, actor_id, stamp, stamp,
        )  # fmt: skip

    select = (
        f"SELECT {quote('external_id')} FROM {quote(table)} "  # noqa: S608 - model names
        f"WHERE {quote('compartment_id')} = %s AND {quote('external_id')} IN "
    )

    def flush(batch: list[tuple[Any, ...]]) -> None:
        # plain SQL: compiling the ORM's IN list cost more than the rest of the batch
        known: set[str] = set()
        with connection.cursor() as cursor:
            for i in range(0, len(batch), 500):
                ids = [b[15] for b in batch[i : i + 500]]
                cursor.execute(f"{select}({', '.join(['%s'] * len(ids))})", [compartment_id, *ids])
                known.update(str(row[0]) for row in cursor.fetchall())
        fresh = [b for b in batch if b[15] not in known]
        report.skipped += len(batch) - len(fresh)
        if fresh and not report.error_count:  # after a rejected row nothing will be kept
            with connection.cursor() as cursor:
                cursor.executemany(insert, fresh)
            written.extend(str(b[15]) for b in fresh)
        report.created += len(fresh)

    def index_written() -> None:
        """The search documents of the rows written, in this transaction (``executemany``
        passes no signal): they commit or roll back with the rows."""
        from crimebook.search import index_records_bulk
        from crimebook.search.models import Kind

        ids: list[int] = []
        for i in range(0, len(written), 500):
            ids += Communication.objects.filter(
                compartment_id=compartment_id, external_id__in=written[i : i + 500]
            ).values_list("pk", flat=True)
        if ids:
            index_records_bulk(Kind.COMMUNICATION, ids)

    try:
        with transaction.atomic():
            _read_in_batches(path, COMMUNICATION_COLUMNS, build, flush, report, progress)
            if report.error_count or dry_run:
                raise _Rollback
            index_written()
            audit_record(
                actor=actor, action="import", object_type="evidence.communication_import",
                object_id=compartment_id,
                changes={"file_sha256": _sha256(path), "rows": report.rows,
                         "created": report.created, "skipped": report.skipped,
                         "source": source_id, "assume_tz": assume_tz or ""},
            )  # fmt: skip
    except _Rollback:
        return report
    report.committed = True
    return report
