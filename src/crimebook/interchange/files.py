"""Import one file of any supported format — the service behind the workspace's import jobs.

The same parsers and the same all-or-nothing services as ``crimebook import`` (see
``imports.py``): ``csv``/``xlsx`` of one ``kind``, ``geojson`` (incidents), the project's full
``json`` and the ``timemap`` datasheet (sources, then incidents). Rejected rows are kept (the
first ``ERROR_CAP`` in full, all of them counted); progress is reported as bytes read of the
file's size. A file that cannot be read at all raises :class:`ImportFileError`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from crimebook.audit.services import Actor
from crimebook.interchange.formats import csvio, fulljson, geojson, timemap, xlsx
from crimebook.interchange.formats.csvio import FileProblem
from crimebook.interchange.formats.encoding import EncodingProblem, open_text
from crimebook.interchange.formats.jsonsafe import JsonProblem
from crimebook.interchange.formats.records import CsvOptions, Row, RowError
from crimebook.interchange.imports import (
    ImportOptions,
    ImportSummary,
    bundle_import,
    records_import,
)

__all__ = ["ERROR_CAP", "FORMATS", "FileImport", "ImportFileError", "file_import", "format_of"]

FORMATS = ("csv", "xlsx", "geojson", "json", "timemap")
ERROR_CAP = 500
MAX_JSON_BYTES = 512 * 1024 * 1024
_SUFFIXES = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".geojson": "geojson", ".json": "json"}


class ImportFileError(Exception):
    """The file cannot be read as the format it claims (encoding, structure, size caps)."""


def format_of(name: str, fmt: str = "auto") -> str | None:
    """The format asked for, or the one the file name's suffix names; None if unknown."""
    if fmt != "auto":
        return fmt if fmt in FORMATS else None
    return _SUFFIXES.get(Path(name).suffix.lower())


@dataclass
class FileImport:
    summaries: list[ImportSummary] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0

    @property
    def committed(self) -> bool:
        return bool(self.summaries) and all(s.committed for s in self.summaries)

    def reject(self, part: str, row: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < ERROR_CAP:
            self.errors.append(
                {"part": part, "line": row.line, "external_id": row.external_id or "",
                 "errors": {k: [str(m) for m in v] for k, v in row.errors.items()}}
            )  # fmt: skip


def file_import(
    *, actor: Actor | None, path: Path, fmt: str, kind: str, options: ImportOptions,
    csv_options: CsvOptions | None = None, encoding: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> FileImport:  # fmt: skip
    """Import ``path`` (already known to be of format ``fmt``) into ``options.compartment_id``.

    Raises ``NotFound``/``PermissionDenied`` (no write access) and :class:`ImportFileError`;
    either way nothing is written."""
    if fmt not in FORMATS:
        raise ImportFileError(f"unknown format {fmt!r}")
    if fmt in ("csv", "xlsx") and kind not in csvio.SCHEMAS:
        raise ImportFileError(f"unknown kind {kind!r}")
    opts = csv_options or CsvOptions()
    result = FileImport()
    size = max(1, os.path.getsize(path))
    try:
        with path.open("rb") as raw:

            def tick(rows: int) -> None:
                if on_progress is not None and rows % 200 == 0:
                    on_progress(min(raw.tell(), size), size)

            if fmt in ("csv", "xlsx", "geojson"):
                part = "features" if fmt == "geojson" else kind
                rows: Iterable[Row]
                if fmt == "xlsx":
                    rows = xlsx.read_workbook(raw, kind, opts)
                elif fmt == "csv":
                    rows = csvio.read_records(open_text(raw, encoding)[0], kind, opts)
                else:
                    rows = geojson.read_features(raw, opts, max_bytes=MAX_JSON_BYTES)
                result.summaries.append(
                    records_import(
                        actor=actor, kind=cast(Any, "incidents" if fmt == "geojson" else kind),
                        rows=rows, options=options, on_error=lambda row: result.reject(part, row),
                        on_progress=tick,
                    )
                )  # fmt: skip
            else:
                if fmt == "json":
                    sources, incidents = fulljson.read_document(raw, max_bytes=MAX_JSON_BYTES)
                    notes: list[str] = []
                else:
                    from crimebook.register.models import Term

                    known = set(
                        Term.objects.filter(vocabulary__code="violation_type").values_list(
                            "code", flat=True
                        )
                    )
                    sources, incidents, notes = timemap.read_timemap(
                        raw, known_terms=known, region=opts.region, max_bytes=MAX_JSON_BYTES
                    )
                result.summaries.extend(
                    bundle_import(
                        actor=actor, sources=sources, incidents=incidents, options=options,
                        on_error=result.reject, on_progress=tick, notes=notes,
                    )
                )  # fmt: skip
    except (FileProblem, EncodingProblem, JsonProblem) as exc:
        raise ImportFileError(str(exc)) from None
    if on_progress is not None:
        on_progress(size, size)
    return result
