"""XLSX: Excel dates and numbers become the same values as in CSV; zip bombs and non-ZIP
files are refused before parsing."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from crimebook.cli.app import app
from crimebook.interchange.formats import xlsx
from crimebook.interchange.formats.csvio import FileProblem
from crimebook.interchange.formats.records import REGIONS, CsvOptions, RowError, RowOk
from crimebook.register.models import Incident


def _book(rows: list[list[Any]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_excel_dates_numbers_and_short_rows() -> None:
    data = _book(
        [
            ["title", "start", "latitude", "longitude", "radius_m"],
            ["Day only", datetime(2020, 8, 10), 53.9, 27.5, 300],
            ["With time", datetime(2020, 8, 10, 22, 30), None, None, None],
            ["Swapped", "10.08.2020", 27.5, 53.9],
        ]
    )
    rows = list(xlsx.read_workbook(data, "incidents", CsvOptions(region=REGIONS["belarus"])))
    day, timed, swapped = rows
    assert isinstance(day, RowOk) and day.record.precision == "day"
    assert day.record.radius_m == 300.0 and day.record.latitude == 53.9
    assert isinstance(timed, RowOk)
    assert timed.record.start == datetime(2020, 8, 10, 19, 30, tzinfo=UTC)
    assert isinstance(swapped, RowError) and swapped.line == 4


def test_zip_bomb_and_non_zip_are_refused() -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    bomb.seek(0)
    with pytest.raises(FileProblem, match="zip bomb"):
        list(xlsx.read_workbook(bomb, "incidents"))
    with pytest.raises(FileProblem, match="not a ZIP"):
        list(xlsx.read_workbook(io.BytesIO(b"title\r\nx\r\n"), "incidents"))


def _rewrite_sheet(data: io.BytesIO, change: Any) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(data) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = change(part)
            dst.writestr(info.filename, part)
    out.seek(0)
    return out


def test_a_formula_without_a_saved_result_rejects_its_row_not_read_as_empty() -> None:
    # GIVEN a workbook written by a script: formulas, no cached results (as openpyxl writes)
    data = _book(
        [
            ["external_id", "title", "description"],
            ["f-1", "Formula in description", '=A2&" at the metro"'],
            ["f-2", "=UPPER(A3)", "plain"],
            ["f-3", "No formula", "plain"],
        ]
    )
    # WHEN it is read
    rows = list(xlsx.read_workbook(data, "incidents"))
    # THEN each formula row is rejected with its cell (not imported with an empty cell)
    assert [type(r).__name__ for r in rows] == ["RowError", "RowError", "RowOk"]
    assert [r.line for r in rows] == [2, 3, 4]
    first, second = rows[0], rows[1]
    assert isinstance(first, RowError) and "C2" in first.errors["__all__"][0]
    assert isinstance(second, RowError) and "B3" in second.errors["__all__"][0]


def test_a_formula_with_its_saved_result_is_read_as_that_value() -> None:
    # GIVEN a workbook as Excel saves it: the formula and its cached result
    data = _rewrite_sheet(
        _book([["external_id", "title"], ["f-1", "placeholder"]]),
        lambda xml: xml.replace(
            b'<c r="B2" t="inlineStr"><is><t>placeholder</t></is></c>',
            b'<c r="B2" t="str"><f>UPPER(A2)</f><v>F-1</v></c>',
        ),
    )
    # WHEN it is read THEN the saved value is the cell's value
    (row,) = xlsx.read_workbook(data, "incidents")
    assert isinstance(row, RowOk) and row.record.title == "F-1"


def test_a_sheet_damaged_after_its_first_rows_is_a_file_problem_not_a_crash() -> None:
    # GIVEN a workbook whose sheet XML breaks off after the rows
    data = _rewrite_sheet(
        _book([["title"], ["one"], ["two"]]), lambda xml: xml.replace(b"</sheetData>", b"<row><c")
    )
    # WHEN it is read THEN the reader's own error says so
    with pytest.raises(FileProblem, match="cannot read the workbook after sheet row"):
        list(xlsx.read_workbook(data, "incidents"))


@pytest.mark.django_db
def test_cli_imports_xlsx(compartment: Any, tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(_book([["Название", "Дата"], ["Избиение", datetime(2020, 8, 11)]]).read())
    result = CliRunner().invoke(
        app,
        ["import", str(path), "--compartment", "Case A", "--map", "Название=title",
         "--map", "Дата=start"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert Incident.objects.get().precision == "day"


@pytest.mark.parametrize(
    ("cell", "found"),
    [
        (b'<c r="B2" t="str"><f>UPPER(A2)</f><v>F-1</v></c>', True),
        (b'<c r="B2"><f t="shared" ref="B2:B9" si="0"/></c>', True),
        (b'<x:c r="B2"><x:f>UPPER(A2)</x:f></x:c>', True),
        (b'<c r="B2" t="inlineStr"><is><t>&lt;f&gt; and &lt;f x</t></is></c>', False),
        (b'<c r="B2" t="inlineStr"><is><t>plain</t></is></c>', False),
    ],
)
def test_formulas_are_found_by_a_scan_of_the_sheet_xml(cell: bytes, found: bool) -> None:
    # GIVEN a sheet with a formula cell (plain, shared, with a namespace prefix) or text that
    # merely looks like one once unescaped
    data = _rewrite_sheet(
        _book([["external_id", "title"], ["f-1", "placeholder"]]),
        lambda xml: xml.replace(b'<c r="B2" t="inlineStr"><is><t>placeholder</t></is></c>', cell),
    )
    # WHEN scanned THEN only a real formula element counts (it decides the second read), and
    # the file is left at its start for the read that follows
    assert xlsx.has_formulas(data) is found
    assert data.tell() == 0


def test_a_workbook_without_formulas_reads_the_same_in_one_pass() -> None:
    # GIVEN a plain workbook; WHEN read THEN every row comes, with no formula rejections
    data = _book([["external_id", "title"], *([f"p-{i}", f"Title {i}"] for i in range(50))])
    assert not xlsx.has_formulas(data)
    rows = list(xlsx.read_workbook(data, "incidents"))
    assert len(rows) == 50 and all(isinstance(r, RowOk) for r in rows)
