"""Parsing in a second process (formats/worker.py): same rows in the same order with the
same line numbers, file-level errors where they happen, bounded, stopped on early exit."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest

from crimebook.interchange.formats import csvio, dates, worker
from crimebook.interchange.formats.csvio import FileProblem
from crimebook.interchange.formats.encoding import EncodingProblem, open_text
from crimebook.interchange.formats.records import IncidentRecord, Row, RowError, RowOk

HEADER = "external_id,title,start,end,latitude,longitude,radius_m,violation_types\r\n"


def _csv(tmp_path: Path, body: str, name: str = "in.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode(encoding))
    return path


def _inline(path: Path) -> list[Row]:
    with path.open("rb") as raw:
        text, _ = open_text(raw)
        return list(csvio.read_records(text, "incidents"))


def _mixed_rows(count: int) -> str:
    lines = []
    for i in range(count):
        if i % 7 == 3:
            lines.append(f"w-{i},Row {i},31.02.2020,,53.9,27.5,50,torture\r\n")  # bad date
        elif i % 11 == 5:
            lines.append(f"w-{i},Row {i},2020-08-10T22:30+03:00,,91,27.5,50,\r\n")  # bad lat
        elif i % 13 == 6:
            lines.append(f'w-{i},"Two\r\nlines {i}",10.08.2020,,,,,\r\n')  # quoted newline
        else:
            lines.append(f"w-{i},Row {i},2020-08-{1 + i % 28:02d}T{i % 24:02d}:15,,53.9,27.5,,\r\n")
    return "".join(lines)


def test_worker_yields_exactly_what_the_parser_yields(tmp_path: Path) -> None:
    # GIVEN a file with good rows, bad rows and rows spanning two lines
    path = _csv(tmp_path, _mixed_rows(2500))
    # WHEN it is parsed in a worker with small batches
    with worker.rows_in_worker(
        partial(worker.csv_source, str(path), "incidents"), batch=64
    ) as rows:
        got = list(rows)
        end = rows.position
    # THEN the sequence (records, errors, line numbers) equals the inline parse
    expected = _inline(path)
    assert got == expected
    assert any(isinstance(r, RowError) for r in got) and any(isinstance(r, RowOk) for r in got)
    assert [r.line for r in got] == [r.line for r in expected]
    assert end == path.stat().st_size


def test_a_broken_file_fails_after_the_rows_before_it(tmp_path: Path) -> None:
    # GIVEN a UTF-8 file with Windows-1251 bytes far down (the file mixes encodings)
    good = "".join(f"x-{i},Строка {i},2020,,,,,\r\n" for i in range(40000)).encode()
    path = tmp_path / "mixed.csv"
    path.write_bytes(HEADER.encode() + good + "x-bad,Строка,2020,,,,,\r\n".encode("cp1251"))
    before: list[Row] = []
    with path.open("rb") as raw:
        text, _ = open_text(raw)
        with pytest.raises(FileProblem) as inline_exc:
            before.extend(csvio.read_records(text, "incidents"))
    # WHEN the same file is parsed in a worker
    seen: list[Row] = []
    source = partial(worker.csv_source, str(path), "incidents")
    with worker.rows_in_worker(source, batch=50) as rows, pytest.raises(FileProblem) as worker_exc:
        seen.extend(rows)
    # THEN the same rows arrive first, then the same error
    assert "mixes encodings" in str(worker_exc.value)
    assert str(worker_exc.value) == str(inline_exc.value)
    assert seen == before and len(seen) > 100


def test_encoding_problems_arrive_as_themselves(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(
        HEADER.encode() + "x,Caf\xe9 \xe9t\xe9 \xe0 l'h\xf4tel,2020,,,,,\r\n".encode("latin-1")
    )
    source = partial(worker.csv_source, str(path), "incidents")
    with worker.rows_in_worker(source) as rows, pytest.raises(EncodingProblem):
        list(rows)


def _unpicklable_source() -> tuple[Iterable[Row], Callable[[], int]]:
    class Local(Exception):  # a class defined in a function cannot be pickled
        pass

    def rows() -> Iterator[Row]:
        yield RowOk(2, None)
        raise Local("went wrong")

    return rows(), lambda: 0


def test_an_exception_that_cannot_be_pickled_is_described() -> None:
    with worker.rows_in_worker(_unpicklable_source) as rows:
        iterator = iter(rows)
        assert next(iterator) == RowOk(2, None)
        with pytest.raises(worker.WorkerFailed, match="Local: went wrong"):
            next(iterator)


def _endless() -> tuple[Iterable[Row], Callable[[], int]]:
    def rows() -> Iterator[Row]:
        line = 1
        while True:
            line += 1
            yield RowError(line, {"__all__": ["x"]})

    return rows(), lambda: 0


def test_leaving_early_stops_the_worker_and_the_queue_stays_bounded() -> None:
    # GIVEN a parser that never ends
    with worker.rows_in_worker(_endless, batch=10, depth=2) as rows:
        first = [row for _, row in zip(range(25), rows, strict=False)]
        process = rows._process
        assert process.is_alive()  # blocked on the full queue, not racing ahead
    # THEN the rows came in order and the child is gone
    assert [r.line for r in first] == list(range(2, 27))
    assert not process.is_alive()


def test_batch_and_depth_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"), worker.rows_in_worker(_endless, batch=0):
        pass


def test_date_memo_returns_the_same_windows_and_never_caches_problems() -> None:
    first = dates.parse_when("10.08.2020 22:30")
    again = dates.parse_when("10.08.2020 22:30")
    assert first == again
    assert first.start == datetime(2020, 8, 10, 19, 30, tzinfo=UTC)
    assert dates.parse_when("2020-08-10T19:30Z").start == first.start
    for _ in range(2):
        with pytest.raises(dates.DateProblem, match="ambiguous"):
            dates.parse_when("08/10/2020")
    assert dates.parse_when("08/10/2020", us_dates=True).precision == "day"


def test_packed_rows_carry_the_record_and_the_domain_rules() -> None:
    from crimebook.interchange import _packed

    # the V_* indexes name the record's fields in order
    for index, name in enumerate(_packed.FIELD_NAMES):
        assert getattr(_packed, f"V_{name.upper()}") == index
    # GIVEN parsed rows, good and bad
    text = HEADER + _mixed_rows(40)
    rows = list(csvio.read_records(io.StringIO(text, newline=""), "incidents"))
    packed = list(_packed.packed_rows(rows))
    # THEN good rows become (line, values, no problems) and unpack to the same RowOk;
    # rejected rows pass through unchanged
    for row, item in zip(rows, packed, strict=True):
        if isinstance(row, RowOk):
            assert isinstance(item, tuple)
            assert item[2] == {}
            assert _packed.unpack(item) == row
        else:
            assert item is row
    # a record the register's rules reject carries their messages
    bad = RowOk(3, IncidentRecord(title="x", latitude=95.0, longitude=27.5, radius_m=-1.0))
    item = _packed.pack(bad)
    assert isinstance(item, tuple)
    assert item[2] == {
        "latitude": ["Latitude 95.0 is outside -90 … 90."],
        "radius_m": ["The uncertainty radius cannot be negative (-1.0)."],
    }
