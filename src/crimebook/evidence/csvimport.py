"""Streamed CSV imports of camera inventories and recording spans (CONVENTIONS 5: the row
parsers are pure; :func:`cameras_import` and :func:`recordings_import` adapt them to models).

Rows are read one at a time with :mod:`csv` and written in batches with ``bulk_create``, so
memory stays bounded whatever the file's length; each bad row is reported by line number with
the reason and skipped. One audit entry records each import (file hash, counts).
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

from django.db import connection, transaction

from crimebook.audit.services import Actor, audit_record
from crimebook.evidence.models import Camera, EvidenceItem, Recording
from crimebook.evidence.storage import SHA256_HEX
from crimebook.register.services._common import require_compartment_write

__all__ = [
    "CAMERA_COLUMNS",
    "RECORDING_COLUMNS",
    "ImportReport",
    "RowError",
    "cameras_import",
    "parse_camera",
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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _run(
    *, actor: Actor | None, compartment_id: int, path: Path, kind: str,
    required: tuple[str, ...], build: Callable[[dict[str, str]], Any],
    flush: Callable[[list[Any]], int], progress: Callable[[int], None] | None,
) -> ImportReport:  # fmt: skip
    require_compartment_write(actor, compartment_id)
    report = ImportReport()
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
                    report.created += flush(batch)
                    batch = []
                if progress is not None and report.rows % 1000 == 0:
                    progress(1000)
        except RowError as exc:
            report.error(1, str(exc))
        except (UnicodeDecodeError, csv.Error) as exc:
            report.error(report.rows + 1, f"unreadable CSV: {exc}")
    if batch:
        report.created += flush(batch)
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

    @lru_cache(maxsize=4096)
    def _item_for(sha256: str) -> int | None:
        return (
            EvidenceItem.objects.filter(
                compartment_id=compartment_id, sha256=sha256, status="ingested",
                derived_from__isnull=True,
            )
            .values_list("pk", flat=True)
            .first()
        )  # fmt: skip

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
