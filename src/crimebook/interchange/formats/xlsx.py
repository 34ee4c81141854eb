"""XLSX (Excel) input: the first worksheet, read in openpyxl's streaming read-only mode,
turned into the same (line, cells) rows as CSV, then parsed by :func:`csvio.read_cells`.

Defences: an XLSX is a ZIP, so the declared uncompressed size of all parts is capped and a
part that expands more than ``MAX_RATIO`` times is refused (zip bomb) *before* openpyxl
opens it; cached values are read, never formulas (``data_only``); XML entity expansion is
bounded by the expat that ships with Python 3.11. A formula cell with no saved result
rejects its row (never read as an empty cell); a sheet damaged past its first rows is a
:class:`FileProblem`, not a crash. Excel dates become ISO strings (a date at
midnight becomes a day, so its precision is ``day``); times have no zone in Excel and are
read as local time (Europe/Minsk), as CSV values are.
"""

from __future__ import annotations

import itertools
import re
import zipfile
from collections import deque
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any, BinaryIO

from crimebook.interchange.formats.csvio import FileProblem, read_cells
from crimebook.interchange.formats.records import CsvOptions, Row, RowError

MAX_UNCOMPRESSED = 2 * 1024 * 1024 * 1024
MAX_RATIO = 200


def check_zip(raw: BinaryIO, *, max_uncompressed: int = MAX_UNCOMPRESSED) -> None:
    try:
        with zipfile.ZipFile(raw) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise FileProblem("not an XLSX file (not a ZIP archive).") from None
    total = sum(i.file_size for i in infos)
    if total > max_uncompressed:
        raise FileProblem(
            f"the workbook expands to {total:,} bytes (limit {max_uncompressed:,}); "
            "export the sheet as CSV, which streams."
        )
    for info in infos:
        if info.file_size > 10 * 1024 * 1024 and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise FileProblem(f"{info.filename} expands {MAX_RATIO}× or more: refused (zip bomb).")
    raw.seek(0)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


# A formula element in a worksheet part, with or without a namespace prefix (``<f>``,
# ``<f t="shared" …/>``, ``<x:f>``); ``<family …>`` and the like do not match.
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_CHUNK = 1 << 20


def has_formulas(raw: BinaryIO) -> bool:
    """Whether any worksheet part holds a formula: a streaming scan of the decompressed XML
    (bounded by :func:`check_zip`), far cheaper than a second openpyxl read."""
    try:
        with zipfile.ZipFile(raw) as archive:
            for info in archive.infolist():
                if not info.filename.startswith("xl/worksheets/"):
                    continue
                with archive.open(info) as part:
                    tail = b""
                    while chunk := part.read(_CHUNK):
                        if _FORMULA.search(tail + chunk):
                            return True
                        tail = chunk[-64:]
        return False
    except (zipfile.BadZipFile, OSError, EOFError):
        return True  # let the full read name the damage
    finally:
        raw.seek(0)


def _rows(raw: BinaryIO) -> Iterator[tuple[int, list[str], list[str]]]:
    """(sheet row number, cells, coordinates of formula cells with no saved value).

    When the workbook has formulas the sheet is read twice in step: once for the cached
    values (what is imported) and once for the formulas, so that a formula whose result was
    never saved (a workbook written by a script and never opened in Excel) is a rejected row,
    not a silently empty cell. Without formulas (most exported sheets) it is read once."""
    from openpyxl import load_workbook

    formulas_present = has_formulas(raw)
    try:
        values_book = load_workbook(raw, read_only=True, data_only=True)
        formulas_book = (
            load_workbook(raw, read_only=True, data_only=False) if formulas_present else None
        )
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileProblem(f"cannot read the workbook ({exc.__class__.__name__}).") from None
    number = 0
    try:
        values = values_book.worksheets[0].iter_rows(values_only=True)
        formulas: Iterator[Any] = (
            formulas_book.worksheets[0].iter_rows()
            if formulas_book is not None
            else itertools.repeat(())  # rows without formula cells
        )
        for number, (row, cells) in enumerate(zip(values, formulas, strict=False), start=1):
            unsaved = [
                str(getattr(cell, "coordinate", ""))
                for value, cell in zip(row, cells, strict=False)
                if value is None and getattr(cell, "data_type", None) == "f"
            ]
            texts = [_cell(v) for v in row]
            while texts and texts[-1] == "":
                texts.pop()  # Excel pads rows to the sheet's width
            yield number, texts, unsaved
    except FileProblem:
        raise
    except Exception as exc:  # a damaged sheet (bad XML, bad CRC) shows only while reading
        raise FileProblem(
            f"cannot read the workbook after sheet row {number} ({exc.__class__.__name__})."
        ) from None
    finally:
        values_book.close()
        if formulas_book is not None:
            formulas_book.close()


def read_workbook(raw: BinaryIO, kind: str, options: CsvOptions | None = None) -> Iterator[Row]:
    check_zip(raw)
    rows = _rows(raw)
    first = next(rows, None)
    if first is None:
        raise FileProblem("the workbook's first sheet is empty.")
    header = (first[0], first[1])
    width = len(header[1])
    unsaved_rows: deque[RowError] = deque()

    def padded() -> Iterator[tuple[int, list[str]]]:
        yield header
        for line, cells, unsaved in rows:
            if unsaved:
                unsaved_rows.append(
                    RowError(
                        line,
                        {
                            "__all__": [
                                f"cell(s) {', '.join(unsaved)} hold a formula whose result was "
                                "never saved; open the workbook in Excel or LibreOffice and save "
                                "it, or paste the values."
                            ]
                        },
                    )
                )
                continue
            yield line, cells + [""] * (width - len(cells)) if len(cells) < width else cells

    def merged() -> Iterator[Row]:
        for row in read_cells(padded(), kind, options):
            while unsaved_rows and unsaved_rows[0].line < row.line:
                yield unsaved_rows.popleft()
            yield row
        yield from unsaved_rows

    return merged()
