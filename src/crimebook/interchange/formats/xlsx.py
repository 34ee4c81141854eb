"""XLSX (Excel) input: the first worksheet, read in openpyxl's streaming read-only mode,
turned into the same (line, cells) rows as CSV, then parsed by :func:`csvio.read_cells`.

Defences: an XLSX is a ZIP, so the declared uncompressed size of all parts is capped and a
part that expands more than ``MAX_RATIO`` times is refused (zip bomb) *before* openpyxl
opens it; cached values are read, never formulas (``data_only``); XML entity expansion is
bounded by the expat that ships with Python 3.11. Excel dates become ISO strings (a date at
midnight becomes a day, so its precision is ``day``); times have no zone in Excel and are
read as local time (Europe/Minsk), as CSV values are.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any, BinaryIO

from crimebook.interchange.formats.csvio import FileProblem, read_cells
from crimebook.interchange.formats.records import CsvOptions, Row

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


def _rows(raw: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(raw, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileProblem(f"cannot read the workbook ({exc.__class__.__name__}).") from None
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in values]
            while cells and cells[-1] == "":
                cells.pop()  # Excel pads rows to the sheet's width
            yield number, cells
    finally:
        book.close()


def read_workbook(raw: BinaryIO, kind: str, options: CsvOptions | None = None) -> Iterator[Row]:
    check_zip(raw)
    rows = _rows(raw)
    header = next(rows, None)
    if header is None:
        raise FileProblem("the workbook's first sheet is empty.")
    width = len(header[1])

    def padded() -> Iterator[tuple[int, list[str]]]:
        yield header
        for line, cells in rows:
            yield line, cells + [""] * (width - len(cells)) if len(cells) < width else cells

    return read_cells(padded(), kind, options)
