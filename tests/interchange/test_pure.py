"""The Django-free parsers and writers: dates, encodings, CSV shape, coordinates, formula
injection, JSON caps. GIVEN input bytes/text, WHEN parsed, THEN rows or clear errors."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from crimebook.interchange.formats import csvio, fulljson, geojson, timemap
from crimebook.interchange.formats.csvio import FileProblem
from crimebook.interchange.formats.dates import DateProblem, parse_when, window_of
from crimebook.interchange.formats.encoding import EncodingProblem, detect_encoding, open_text
from crimebook.interchange.formats.jsonsafe import JsonProblem, load_capped
from crimebook.interchange.formats.records import (
    REGIONS,
    CsvOptions,
    IncidentRecord,
    RowError,
    RowOk,
    check_coordinates,
)
from crimebook.register.disclosure import Rule

HEADER = "external_id,title,start,latitude,longitude\r\n"


def rows(text: str, **kw: object) -> list[RowOk | RowError]:
    return list(csvio.read_records(io.StringIO(text, newline=""), "incidents", CsvOptions(**kw)))  # type: ignore[arg-type]


# --- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "start", "end", "precision"),
    [
        ("2020", datetime(2019, 12, 31, 21, tzinfo=UTC), datetime(2020, 12, 31, 20, 59, 59, tzinfo=UTC), "range"),
        ("08.2020", datetime(2020, 7, 31, 21, tzinfo=UTC), datetime(2020, 8, 31, 20, 59, 59, tzinfo=UTC), "range"),
        ("2020-08", datetime(2020, 7, 31, 21, tzinfo=UTC), datetime(2020, 8, 31, 20, 59, 59, tzinfo=UTC), "range"),
        ("10.08.2020", datetime(2020, 8, 9, 21, tzinfo=UTC), datetime(2020, 8, 10, 20, 59, 59, tzinfo=UTC), "day"),
        ("10.08.2020 22:30", datetime(2020, 8, 10, 19, 30, tzinfo=UTC), datetime(2020, 8, 10, 19, 30, tzinfo=UTC), "minute"),
        ("10.08.2020 22", datetime(2020, 8, 10, 19, tzinfo=UTC), datetime(2020, 8, 10, 19, 59, 59, tzinfo=UTC), "hour"),
        ("2020-08-10T22:30:00Z", datetime(2020, 8, 10, 22, 30, tzinfo=UTC), datetime(2020, 8, 10, 22, 30, tzinfo=UTC), "minute"),
        ("2020-08-10T22:30+02:00", datetime(2020, 8, 10, 20, 30, tzinfo=UTC), datetime(2020, 8, 10, 20, 30, tzinfo=UTC), "minute"),
    ],
)  # fmt: skip
def test_dates_as_people_write_them(
    written: str, start: datetime, end: datetime, precision: str
) -> None:
    when = parse_when(written)
    assert (when.start, when.end, when.precision) == (start, end, precision)


def test_slash_dates_only_when_declared_month_first() -> None:
    with pytest.raises(DateProblem, match="ambiguous"):
        parse_when("08/10/2020")
    when = parse_when("08/10/2020 22:30", us_dates=True)
    assert when.start == datetime(2020, 8, 10, 19, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("written", "us_dates", "says"),
    [
        ("13/10/2020", False, "'13/10/2020' has the day first: write it as 13.10.2020"),
        ("10/25/2020", False, "'10/25/2020' has the month first: declare month-first dates"),
        ("10/25/2020", False, "or write it as 25.10.2020 (DD.MM.YYYY)"),
        ("13/10/2020 19:30", True, "has the day first, but month-first dates were declared"),
        ("08/10/2020", False, "is ambiguous (day/month or month/day?)"),
        ("13/13/2020", False, "is not a date"),
        ("13/13/2020", True, "is not a date"),
    ],
)
def test_a_refused_slash_date_says_which_order_it_has(
    written: str, us_dates: bool, says: str
) -> None:
    # GIVEN a slash date whose order is or is not given away by a number above 12
    # WHEN it is read; THEN the refusal names the order it has and how to write it
    with pytest.raises(DateProblem) as problem:
        parse_when(written, us_dates=us_dates)
    assert says in str(problem.value)


@pytest.mark.parametrize("bad", ["31.02.2020", "yesterday", "10.08.1812", "2020-13-01", "25:00"])
def test_impossible_dates_are_refused(bad: str) -> None:
    with pytest.raises(DateProblem):
        parse_when(bad)


def test_end_widens_the_window_and_defaults_to_range() -> None:
    when = window_of("10.08.2020", "12.08.2020", "")
    assert when is not None
    assert when.precision == "range"
    assert when.end == datetime(2020, 8, 12, 20, 59, 59, tzinfo=UTC)
    with pytest.raises(DateProblem, match="end without a start"):
        window_of("", "12.08.2020", "")


# --- encodings ---------------------------------------------------------------------------

CYRILLIC = "external_id,title\r\nb-1,Збіццё каля метро Пушкінская\r\n"


def test_utf8_with_and_without_bom_and_cp1251_are_detected() -> None:
    assert detect_encoding(CYRILLIC.encode("utf-8")) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbf" + CYRILLIC.encode("utf-8")) == "utf-8-sig"
    assert (
        detect_encoding(CYRILLIC.replace("і", "и").replace("ё", "е").encode("cp1251")) == "cp1251"
    )


def test_bom_does_not_end_up_in_the_first_column_name() -> None:
    raw = io.BytesIO(b"\xef\xbb\xbf" + "title\r\nЗбіццё\r\n".encode())
    text, enc = open_text(raw)
    result = list(csvio.read_records(text, "incidents"))
    assert enc == "utf-8-sig"
    assert isinstance(result[0], RowOk)


def test_latin1_bytes_that_are_not_cyrillic_are_refused_clearly() -> None:
    with pytest.raises(EncodingProblem, match="not UTF-8"):
        detect_encoding("title\r\nCafé Müller Straße Größe\r\n".encode("latin-1"))


def test_mixed_encodings_fail_clearly_not_as_mojibake(monkeypatch: pytest.MonkeyPatch) -> None:
    good = ("title\r\n" + "Минск\r\n" * 10).encode()
    bad = "Мінск\r\n".encode("cp1251")
    with pytest.raises(EncodingProblem, match="mixes encodings"):
        open_text(io.BytesIO(good + bad))
    # beyond the sniffed head: the streaming decoder stops at the line
    monkeypatch.setattr("crimebook.interchange.formats.encoding.SNIFF_BYTES", 20)
    text, _ = open_text(io.BytesIO(good * 100 + bad))
    with pytest.raises(FileProblem, match="mixes encodings"):
        list(csvio.read_records(text, "incidents"))


def test_half_utf8_half_cp1251_is_refused_not_decoded_into_mojibake() -> None:
    # GIVEN a file whose rows come from two sources: as many UTF-8 as Windows-1251 letters
    utf8 = "external_id,title\r\nu-1,Задержание у метро\r\n".encode()
    cp1251 = "c-1,Избиение в автозаке\r\nc-2,Мінск, Акрэсціна\r\n".encode("cp1251")
    # WHEN its encoding is decided THEN it is refused, naming the UTF-8 line (decoded as
    # Windows-1251 that line would have become "Р—Р°РґРµСЂР¶Р°РЅРёРµ")
    for data in (utf8 + cp1251, cp1251 + utf8):
        with pytest.raises(EncodingProblem, match=r"Line [0-9] is UTF-8 .* mixes encodings"):
            detect_encoding(data)
    # a Windows-1251 file of Belarusian and Russian text on its own is still read as such
    assert (
        detect_encoding(("title\r\n" + "Сёння ў Мінску, Сіняя вуліца\r\n" * 3).encode("cp1251"))
        == "cp1251"
    )


def test_utf8_rows_after_the_sniffed_head_of_a_cp1251_file_stop_the_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a Windows-1251 file (Russian and Belarusian text) with a UTF-8 row appended
    # beyond the part whose encoding is sniffed
    monkeypatch.setattr("crimebook.interchange.formats.encoding.SNIFF_BYTES", 200)
    body = "title\r\n" + "Избиение в автозаке; Сёння ў Мінску, СІНЯЯ вуліца\r\n" * 400
    clean = body.encode("cp1251")
    text, encoding = open_text(io.BytesIO(clean))
    assert encoding == "cp1251" and len(list(csvio.read_records(text, "incidents"))) == 400
    # WHEN the mixed file is read THEN it stops (it was imported as "РџСЂРёРІРµС‚")
    text, _ = open_text(io.BytesIO(clean + "Привет из другого файла\r\n".encode()))
    with pytest.raises(FileProblem, match=r"not valid windows-1251 .*mixes encodings"):
        list(csvio.read_records(text, "incidents"))


# --- CSV shape ---------------------------------------------------------------------------


def test_mixed_line_endings_and_quoted_newlines_keep_line_numbers() -> None:
    text = HEADER + 'a,"first\nline two",10.08.2020,53.9,27.5\nb,second,2020,,\rc,third,,,\r\n'
    result = rows(text)
    assert [r.line for r in result] == [2, 4, 5]
    assert all(isinstance(r, RowOk) for r in result)
    first = result[0]
    assert isinstance(first, RowOk)
    assert first.record.title == "first\nline two"  # type: ignore[union-attr]


def test_semicolon_delimited_files_from_russian_excel() -> None:
    result = rows("title;start;latitude;longitude\r\nX;10.08.2020;53,9;27,5\r\n")
    assert isinstance(result[0], RowOk)
    assert result[0].record.latitude == 53.9  # type: ignore[union-attr]


def test_missing_required_and_unknown_columns_are_named() -> None:
    with pytest.raises(FileProblem, match=r"missing required column\(s\): title"):
        rows("start,place_name\r\n2020,x\r\n")
    with pytest.raises(FileProblem, match=r"unknown column\(s\): Дата, Colour"):
        rows("title,Дата,Colour\r\nx,2020,red\r\n")
    ok = rows("title,Дата,Colour\r\nx,2020,red\r\n", mapping={"Дата": "start"}, ignore_extra=True)
    assert isinstance(ok[0], RowOk)
    assert ok[0].record.precision == "range"  # type: ignore[union-attr]


def test_rows_with_extra_or_missing_cells_are_rejected_per_row() -> None:
    result = rows(HEADER + "a,ok,2020,,\r\nb,too,many,cells,here,now\r\nc,few\r\n")
    assert isinstance(result[0], RowOk)
    assert isinstance(result[1], RowError) and "more than the 5" in result[1].errors["__all__"][0]
    assert isinstance(result[2], RowError) and "fewer" in result[2].errors["__all__"][0]


def test_unclosed_quote_fails_the_file_with_its_line() -> None:
    with pytest.raises(FileProblem, match="line 3"):
        rows(HEADER + "a,ok,,,\r\n" + 'b,"never closed' + "x" * (csvio.MAX_CELL + 10))


def test_empty_file_is_a_clear_error() -> None:
    with pytest.raises(FileProblem, match="empty"):
        rows("")


# --- coordinates -------------------------------------------------------------------------


def test_out_of_range_and_swapped_coordinates() -> None:
    result = rows(
        HEADER + "a,x,,95.0,27.5\r\nb,x,,27.55,53.9\r\nc,x,,53.9,\r\n", region=REGIONS["belarus"]
    )
    assert "out of range" in result[0].errors["latitude"][0]  # type: ignore[union-attr]
    assert "look swapped" in result[1].errors["latitude"][0]  # type: ignore[union-attr]
    assert "both latitude and longitude" in result[2].errors["latitude"][0]  # type: ignore[union-attr]


def test_swap_is_named_even_without_a_region_when_only_the_swap_is_in_range() -> None:
    assert "swapped" in check_coordinates(120.0, 53.0, None)["latitude"][0]
    assert check_coordinates(53.9, 27.5, REGIONS["belarus"]) == {}
    assert (
        "outside the declared region"
        in check_coordinates(48.8, 2.3, REGIONS["belarus"])["latitude"][0]
    )


# --- formula injection on export ---------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd",
     ' =HYPERLINK("http://x")', "  @SUM(A1)", "\n=1+1", "\u00a0+cmd|' /C calc'!A0", "-inf",
     "+nan", "-1_000"],
)  # fmt: skip
def test_formula_cells_are_neutralised_and_restored_on_import(cell: str) -> None:
    out = io.StringIO()
    csvio.write_incidents(out, [IncidentRecord(title=cell, place_name=cell)])
    written = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert written[1][1] == "'" + cell
    back = list(csvio.read_records(io.StringIO(out.getvalue(), newline=""), "incidents"))
    assert isinstance(back[0], RowOk)
    assert back[0].record.title == cell or back[0].record.title == cell.strip()  # type: ignore[union-attr]


def test_negative_numbers_stay_numbers() -> None:
    assert csvio.neutralise("-71.25") == "-71.25"
    assert csvio.neutralise("-1e5") == "-1e5" and csvio.neutralise("+.5") == "+.5"
    assert csvio.neutralise(" plain text") == " plain text"
    assert csvio.neutralise("-cmd") == "'-cmd"


# --- JSON caps ---------------------------------------------------------------------------


def test_json_bomb_by_depth_is_refused_before_parsing() -> None:
    bomb = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(JsonProblem, match="nests deeper"):
        load_capped(io.BytesIO(bomb))


def test_json_bomb_by_size_is_refused_without_reading_it_all() -> None:
    class Endless(io.RawIOBase):
        read_bytes = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            n = len(buffer)
            buffer[:n] = b" " * n
            self.read_bytes += n
            return n

    stream = Endless()
    with pytest.raises(JsonProblem, match="larger than"):
        load_capped(io.BufferedReader(stream), max_bytes=1 << 20)
    assert stream.read_bytes < 4 << 20


def test_strings_with_brackets_do_not_count_as_depth() -> None:
    assert load_capped(
        io.BytesIO(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}'), max_depth=2
    )


def test_nan_is_not_json() -> None:
    with pytest.raises(JsonProblem):
        load_capped(io.BytesIO(b'{"a": NaN}'))


def test_an_integer_of_thousands_of_digits_is_a_json_problem_not_a_crash() -> None:
    # GIVEN a coordinate written as a 5,000-digit integer (Python's int() refuses > 4,300)
    doc = b'{"coordinates": [1' + b"0" * 5000 + b", 1]}"
    # WHEN it is read THEN the reader's own error names the problem
    with pytest.raises(JsonProblem, match="more than 100 digits"):
        load_capped(io.BytesIO(doc))
    assert load_capped(io.BytesIO(b'{"n": -12345678901234567890}')) == {"n": -12345678901234567890}


def test_a_key_twice_in_one_object_is_refused_not_silently_overwritten() -> None:
    # GIVEN a FeatureCollection whose 'features' list is given twice
    doc = b'{"type": "FeatureCollection", "features": [{"a": 1}], "features": []}'
    # WHEN it is read THEN it is refused: the first list would be dropped without a word
    with pytest.raises(JsonProblem, match="'features' appears twice"):
        load_capped(io.BytesIO(doc))


# --- GeoJSON -----------------------------------------------------------------------------


def _fc(*features: object) -> io.BytesIO:
    import json

    return io.BytesIO(
        json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()
    )


def test_geojson_points_only_in_lon_lat_order() -> None:
    point = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [27.5, 53.9]},
        "properties": {"title": "x", "start": "10.08.2020"},
    }
    line = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[1, 2], [3, 4]]},
        "properties": {"title": "y"},
    }
    bad = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": ["a", 1]},
        "properties": {"title": "z"},
    }
    result = list(geojson.read_features(_fc(point, line, bad)))
    assert isinstance(result[0], RowOk) and result[0].record.latitude == 53.9  # type: ignore[union-attr]
    assert "Only Point" in result[1].errors["geometry"][0]  # type: ignore[union-attr]
    assert "numbers" in result[2].errors["geometry"][0]  # type: ignore[union-attr]
    with pytest.raises(JsonProblem, match="FeatureCollection"):
        list(geojson.read_features(io.BytesIO(b'{"type": "Feature"}')))


def test_geojson_unknown_properties_are_named_not_silently_dropped() -> None:
    # GIVEN features with the place in properties beside a null geometry, a misspelt name,
    # an object where a title belongs, and column names in another case
    located = {
        "type": "Feature",
        "geometry": None,
        "properties": {"external_id": "g-1", "title": "x", "latitude": 53.9, "longitude": 27.5},
    }
    misspelt = {
        "type": "Feature",
        "geometry": None,
        "properties": {"title": "y", "violation_type": "torture"},
    }
    nested = {"type": "Feature", "geometry": None, "properties": {"title": {"ru": "z"}}}
    cased = {
        "type": "Feature",
        "geometry": None,
        "properties": {"Title": "w", "Start": "10.08.2020"},
    }
    # WHEN they are read
    one, two, three, four = geojson.read_features(_fc(located, misspelt, nested, cased))
    # THEN each unknown property rejects its feature by name (the place would have been lost)
    assert isinstance(one, RowError) and one.external_id == "g-1"
    assert "latitude, longitude" in one.errors["properties"][0]
    assert "Point geometry" in one.errors["properties"][0]
    assert isinstance(two, RowError) and "violation_type" in two.errors["properties"][0]
    assert isinstance(three, RowError) and "not an object" in three.errors["title"][0]
    assert isinstance(four, RowOk) and four.record.title == "w" and four.record.precision == "day"
    # and --ignore-extra / --map behave as for CSV columns
    opts = CsvOptions(ignore_extra=True, mapping={"violation_type": "violation_types"})
    one, two, *_ = geojson.read_features(_fc(located, misspelt), opts)
    assert isinstance(one, RowOk) and one.record.latitude is None
    assert isinstance(two, RowOk) and two.record.violation_types == ("torture",)


# --- TimeMap -----------------------------------------------------------------------------


def test_timemap_events_sources_associations() -> None:
    import json

    doc = {
        "events": [
            {"id": "e1", "description": "Beaten at the bus stop", "date": "8/10/2020", "time": "22:30",
             "location": "Pushkinskaya", "latitude": "53.9093", "longitude": "27.4955",
             "associations": ["torture", "night"], "sources": ["s1"]},
        ],
        "sources": [{"id": "s1", "title": "Video", "paths": ["https://example.org/v.mp4"], "type": "Video"}],
        "associations": [
            {"id": "torture", "title": "Torture", "mode": "FILTER", "filter_paths": ["torture"]},
            {"id": "night", "title": "At night", "mode": "FILTER", "filter_paths": ["night"]},
        ],
    }  # fmt: skip
    sources, events, notes = timemap.read_timemap(
        io.BytesIO(json.dumps(doc).encode()), known_terms={"torture"}
    )
    src = next(iter(sources))
    ev = next(iter(events))
    assert isinstance(src, RowOk) and src.record.url == "https://example.org/v.mp4"  # type: ignore[union-attr]
    assert isinstance(ev, RowOk)
    rec = ev.record
    assert isinstance(rec, IncidentRecord)
    assert rec.violation_types == ("torture",)
    assert "TimeMap associations: At night" in rec.description
    assert rec.source_refs == ("s1",)
    assert rec.start == datetime(2020, 8, 10, 19, 30, tzinfo=UTC)
    assert notes and "At night" in notes[0]


def test_timemap_dangling_associations_and_non_list_ids_reject_the_event() -> None:
    import json

    # GIVEN events citing an association the file does not define, ids given as a bare string
    # (not a list), an association as an object, and associations without an id
    doc = {
        "events": [
            {"id": "e1", "description": "a", "associations": ["torture", "ghost"], "sources": []},
            {"id": "e2", "description": "b", "associations": "torture", "sources": "s1"},
            {"id": "e3", "description": "c", "associations": [{"id": "torture"}]},
            {"id": "e4", "description": "d", "associations": ["torture"], "sources": ["s1"]},
        ],
        "associations": [{"id": "torture", "title": "Torture"}, {"title": "no id"}, "junk"],
    }
    # WHEN it is read
    _, events, notes = timemap.read_timemap(
        io.BytesIO(json.dumps(doc).encode()), known_terms={"torture"}
    )
    e1, e2, e3, e4 = events
    # THEN each bad event is a row error naming the field (never split into characters or
    # kept as a stringified object), the good one is read, and the ignored ones are noted
    assert isinstance(e1, RowError) and "'ghost'" in e1.errors["associations"][0]
    assert e1.external_id == "e1"
    assert isinstance(e2, RowError) and set(e2.errors) == {"associations", "sources"}
    assert isinstance(e3, RowError) and "list of ids" in e3.errors["associations"][0]
    assert isinstance(e4, RowOk) and e4.record.violation_types == ("torture",)
    assert e4.record.source_refs == ("s1",)
    assert "2 association(s) without an id ignored" in " ".join(notes)


def test_timemap_aggregate_hides_titles_places_and_exact_points() -> None:
    recs = [
        IncidentRecord(title="secret title", place_name="flat 5", start=datetime(2020, 8, 10, 19, tzinfo=UTC),
                       latitude=53.90931, longitude=27.49551, violation_types=("torture",)),
        IncidentRecord(title="other", start=datetime(2020, 8, 10, 20, tzinfo=UTC),
                       latitude=53.90412, longitude=27.49012, violation_types=("torture",)),
    ]  # fmt: skip
    events, total = timemap.aggregate(recs, rule=Rule(2))
    assert len(events) == 1
    assert events[0]["count"] == 2 and total.text == "2"
    assert events[0]["latitude"] == "53.905000"
    # with the default threshold, two incidents in a day and cell are "<5"
    events, total = timemap.aggregate(recs)
    assert events[0]["count"] is None and events[0]["count_text"] == total.text == "<5"
    out = io.StringIO()
    timemap.write_timemap(out, events, {})
    assert "secret title" not in out.getvalue() and "flat 5" not in out.getvalue()


def test_full_json_rejects_unknown_fields_and_naive_times() -> None:
    import json

    doc = {"format": "crimebook-interchange", "version": 1, "sources": [],
           "incidents": [{"title": "x", "start": "2020-08-10T10:00:00", "colour": "red"}]}  # fmt: skip
    _, incidents = fulljson.read_document(io.BytesIO(json.dumps(doc).encode()))
    row = next(iter(incidents))
    assert isinstance(row, RowError)
    assert "Unknown field(s): colour." in row.errors["__all__"]
    assert "no UTC offset" in row.errors["start"][0]


def test_reading_is_lazy_so_a_huge_file_streams() -> None:
    """GIVEN an endless CSV stream, WHEN the first rows are taken, THEN they arrive (the
    reader never tries to read the whole input)."""

    class Endless(io.TextIOBase):
        def __init__(self) -> None:
            self.served = 0

        def readline(self, size: int | None = -1) -> str:
            self.served += 1
            return "title,start\r\n" if self.served == 1 else f"row {self.served},2020\r\n"

        def __next__(self) -> str:
            return self.readline()

        def __iter__(self) -> Endless:
            return self

    stream = Endless()
    reader = csvio.read_records(stream, "incidents")  # type: ignore[arg-type]
    first = [next(reader) for _ in range(1000)]
    assert all(isinstance(r, RowOk) for r in first)
    assert stream.served < 1100


def test_utf16_with_bom_from_excel_unicode_text() -> None:
    raw = io.BytesIO("title\tstart\r\nЗбіццё\t10.08.2020\r\n".encode("utf-16"))
    text, enc = open_text(raw)
    assert enc == "utf-16"
    rows_ = list(csvio.read_records(text, "incidents"))
    assert isinstance(rows_[0], RowOk) and rows_[0].record.title == "Збіццё"


def test_timemap_aggregate_withholds_a_count_that_would_follow_from_the_total() -> None:
    def rec(day: int, lat: float) -> IncidentRecord:
        return IncidentRecord(title="x", start=datetime(2020, 8, day, 12, tzinfo=UTC),
                              latitude=lat, longitude=27.5, violation_types=("torture",))  # fmt: skip

    # GIVEN 9 incidents in one cell, 7 in another and 2 in a third (the total is published)
    recs = [rec(10, 53.90)] * 9 + [rec(11, 53.95)] * 7 + [rec(12, 53.99)] * 2
    events, total = timemap.aggregate(recs)
    assert [e["count_text"] for e in events] == ["9", "*", "<5"]
    assert total.text == "18" and events[1]["count"] is None
    # anonymised: the cells with 9 and 7 are published, the one with 2 is withheld
    anon, withheld = timemap.anonymise(recs)
    assert len(anon) == 16 and withheld == 2
