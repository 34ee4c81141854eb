"""CSV of incidents and sources: documented columns, streaming reader, formula-safe writer.

The reader takes a text stream (see :mod:`.encoding`), recognises ``,`` ``;`` or tab as the
delimiter from the header line, accepts mixed line endings and quoted newlines (the csv
module), and yields one :class:`RowOk` or :class:`RowError` per data row with the line
number where the row starts. Problems with the file as a whole (header, broken quoting,
bytes invalid in the detected encoding) raise :class:`FileProblem`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TextIO

from crimebook.interchange.formats import structure, tables
from crimebook.interchange.formats.dates import DateProblem, window_of
from crimebook.interchange.formats.records import (
    Column,
    CsvOptions,
    IncidentRecord,
    Row,
    RowError,
    RowOk,
    SourceRecord,
    check_coordinates,
    check_incident,
    parse_float,
)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = ";"
MAX_CELL = 1 << 20  # 1 MiB per cell: a runaway quote fails fast instead of eating memory


class FileProblem(ValueError):
    """The file as a whole cannot be read (nothing from it is imported)."""


INCIDENT_COLUMNS: tuple[Column, ...] = (
    Column("external_id", False, "stable id in your system; re-imports recognise it", "vesna-2020-0001"),
    Column("title", True, "short title (≤ 300 characters)", "Beating near Pushkinskaya metro"),
    Column("description", False, "free text", "Detained at the bus stop, beaten in the van."),
    Column("start", False, "when it began: YYYY, MM.YYYY, DD.MM.YYYY [HH:MM], ISO 8601 (Europe/Minsk unless an offset is given)", "10.08.2020 22:30"),
    Column("end", False, "when it ended (same forms); empty: the window of start", "10.08.2020 23:00"),
    Column("precision", False, "minute, hour, part_of_day, day, range; empty: from how start is written", "range"),
    Column("place_name", False, "place as described", "Pushkinskaya metro, exit 2"),
    Column("latitude", False, "WGS84 degrees, -90…90 (decimal point or comma)", "53.9093"),
    Column("longitude", False, "WGS84 degrees, -180…180", "27.4955"),
    Column("radius_m", False, "uncertainty radius in metres (0…1,000,000)", "300"),
    Column("violation_types", False, "violation_type codes separated by ';'", "torture;arbitrary_detention"),
    Column("status", False, "reported, under_review, verified, closed (default reported)", "reported"),
    Column("verification", False, "unverified, partially_verified, verified, disputed", "unverified"),
    Column("confidentiality", False, "restricted, confidential, secret (default confidential)", "confidential"),
    Column("source_refs", False, "external ids of sources (already imported) separated by ';'", ""),
)  # fmt: skip

SOURCE_COLUMNS: tuple[Column, ...] = (
    Column("external_id", False, "stable id in your system", "vesna-src-17"),
    Column("title", True, "short title", "Interview with a witness"),
    Column("kind", True, "submission, interview, open_source, leaked_document, insider, official_record, media", "interview"),
    Column("description", False, "free text", ""),
    Column("url", False, "http(s) address", "https://example.org/post/1"),
    Column("received_on", False, "date received (DD.MM.YYYY or ISO)", "12.08.2020"),
    Column("reliability", False, "A–F (default F)", "B"),
    Column("credibility", False, "1–6 (default 6)", "2"),
    Column("consent_investigation", False, "yes/no", "yes"),
    Column("consent_prosecution", False, "yes/no", "no"),
    Column("consent_publication", False, "yes/no", "no"),
)  # fmt: skip

SCHEMAS = {
    "incidents": INCIDENT_COLUMNS,
    "sources": SOURCE_COLUMNS,
    "persons": tables.PERSON_COLUMNS,
    "units": tables.UNIT_COLUMNS,
    "acts": tables.ACT_COLUMNS,
    "posts": structure.POST_COLUMNS,
    "deployments": structure.DEPLOYMENT_COLUMNS,
}


def template(kind: str) -> str:
    """A CSV with the header and one example row."""
    columns = SCHEMAS[kind]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    writer.writerow([c.example for c in columns])
    return out.getvalue()


_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _formula_like(cell: str) -> bool:
    # spreadsheets that trim cells on import (Google Sheets, LibreOffice's "trim spaces") run
    # " =1+1" as a formula too, so leading whitespace does not make a cell safe
    return cell.startswith(FORMULA_START) or cell.lstrip().startswith(FORMULA_START)


def neutralise(cell: str) -> str:
    """Prefix ``'`` to text a spreadsheet would run as a formula, also after leading
    whitespace; plain decimal numbers (``-71.25``, ``-1e5``) stay numbers — not ``-inf``,
    ``+nan`` or ``-1_000``, which only Python reads as numbers."""
    if _formula_like(cell) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def unneutralise(cell: str) -> str:
    if len(cell) > 1 and cell[0] == "'" and _formula_like(cell[1:]):
        return cell[1:]
    return cell


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _header(cells: list[str], kind: str, options: CsvOptions) -> tuple[list[str | None], list[str]]:
    """Schema column per file column (None: ignored extra), and notes."""
    names = {c.name for c in SCHEMAS[kind]}
    mapping = {k.strip().casefold(): v.strip() for k, v in options.mapping.items()}
    bad_targets = sorted(set(mapping.values()) - names)
    if bad_targets:
        raise FileProblem(
            f"--map names unknown column(s): {', '.join(bad_targets)}; "
            f"the columns are: {', '.join(c.name for c in SCHEMAS[kind])}."
        )
    resolved: list[str | None] = []
    extra: list[str] = []
    for raw in cells:
        name = raw.strip().lstrip("\ufeff")
        target = mapping.get(name.casefold()) or (
            name.casefold() if name.casefold() in names else None
        )
        if target is None and name:
            extra.append(name)
        resolved.append(target)
    dupes = sorted({n for n in resolved if n is not None and resolved.count(n) > 1})
    if dupes:
        raise FileProblem(f"column(s) given twice: {', '.join(dupes)}.")
    missing = [c.name for c in SCHEMAS[kind] if c.required and c.name not in resolved]
    notes: list[str] = []
    if missing or (extra and not options.ignore_extra):
        parts = []
        if missing:
            parts.append(f"missing required column(s): {', '.join(missing)}")
        if extra and not options.ignore_extra:
            parts.append(
                f"unknown column(s): {', '.join(extra)} (map them with --map 'NAME=column' "
                "or pass --ignore-extra)"
            )
        raise FileProblem("; ".join(parts) + ".")
    if extra:
        notes.append(f"ignored column(s): {', '.join(extra)}")
    return resolved, notes


def _rows(text: TextIO) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, cells), header included, with file-level errors named."""
    line = prev_end = 1
    try:
        first = text.readline()
        if not first.strip():
            raise FileProblem("the file is empty (no header line).")
        delimiter = _delimiter(first)
        yield line, next(csv.reader([first], delimiter=delimiter))
        reader = csv.reader(text, delimiter=delimiter)
        for row in reader:
            line = prev_end + 1
            prev_end = reader.line_num + 1
            if row and max(map(len, row)) > MAX_CELL:
                raise FileProblem(f"line {line}: a cell is larger than {MAX_CELL} characters.")
            yield line, row
    except StopIteration:
        return
    except UnicodeDecodeError as exc:
        raise FileProblem(
            f"line {prev_end + 1} or a few lines after it (the file is read in blocks): bytes "
            f"that are not valid {exc.encoding} ({exc.reason}); "
            "the file mixes encodings. Save it again as CSV UTF-8."
        ) from None
    except csv.Error as exc:
        raise FileProblem(f"line {prev_end + 1}: {exc} (an unclosed quote?).") from None


def read_records(text: TextIO, kind: str, options: CsvOptions | None = None) -> Iterator[Row]:
    """Yield one row result per data row; blank rows and ``# …`` comment rows are skipped."""
    csv.field_size_limit(MAX_CELL + 1)
    return read_cells(_rows(text), kind, options)


def read_cells(
    rows: Iterator[tuple[int, list[str]]], kind: str, options: CsvOptions | None = None
) -> Iterator[Row]:
    """The same for any source of (line, cells) whose first item is the header (XLSX)."""
    opts = options or CsvOptions()
    try:
        _, header_cells = next(rows)
    except StopIteration:
        raise FileProblem("the file is empty.") from None
    columns, _notes = _header(header_cells, kind, opts)
    width = len(columns)
    parse = {
        "incidents": _incident,
        "sources": _source,
        "persons": tables.person,
        "units": tables.unit,
        "acts": tables.act,
        "posts": structure.post,
        "deployments": structure.deployment,
    }[kind]
    keep = [(i, name) for i, name in enumerate(columns) if name is not None]
    names = [name for _, name in keep]
    every = len(keep) == width  # no ignored column: cells map onto names in order
    for line, cells in rows:
        joined = "".join(cells)
        if not joined or joined.isspace():
            continue
        if len(cells) == 1 and cells[0].lstrip().startswith("#"):
            continue
        if len(cells) != width:
            what = "more" if len(cells) > width else "fewer"
            yield RowError(
                line,
                {
                    "__all__": [
                        f"{len(cells)} cells, {what} than the {width} columns of the header."
                    ]
                },
            )
            continue
        values = (
            dict(zip(names, cells, strict=True)) if every else {name: cells[i] for i, name in keep}
        )
        if "'" in joined:  # rare: undo our export's formula guard
            values = {name: unneutralise(cell) for name, cell in values.items()}
        yield parse(line, values, opts)


def header_notes(header_cells: list[str], kind: str, options: CsvOptions) -> list[str]:
    return _header(header_cells, kind, options)[1]


def _split(value: str) -> tuple[str, ...]:
    if LIST_SEPARATOR not in value:  # the usual case: one item or none
        item = value.strip()
        return (item,) if item else ()
    return tuple(x.strip() for x in value.split(LIST_SEPARATOR) if x.strip())


def _incident(line: int, v: dict[str, str], opts: CsvOptions) -> Row:
    errors: dict[str, list[str]] = {}
    ext = v.get("external_id", "").strip() or None
    start = end = None
    precision = v.get("precision", "").strip()
    try:
        when = window_of(
            v.get("start", ""), v.get("end", ""), precision, us_dates=opts.us_dates, zone=opts.zone
        )
        if when is not None:
            start, end, precision = when.start, when.end, when.precision
    except DateProblem as exc:
        errors["start"] = [str(exc)]
    coords: list[float | None] = []
    for name in ("latitude", "longitude", "radius_m"):
        raw = v.get(name, "").strip()
        try:
            coords.append(parse_float(raw) if raw else None)
        except ValueError:
            errors[name] = [f"{raw!r} is not a number."]
            coords.append(None)
    lat, lon, radius = coords
    if (lat is None) != (lon is None) and not {"latitude", "longitude"} & errors.keys():
        errors["latitude"] = ["Give both latitude and longitude, or neither."]
    elif lat is not None and lon is not None:
        errors.update(check_coordinates(lat, lon, opts.region))
    record = IncidentRecord(
        external_id=ext,
        title=v.get("title", "").strip(),
        description=v.get("description", ""),
        start=start,
        end=end,
        precision=precision or "hour",
        place_name=v.get("place_name", "").strip(),
        latitude=lat,
        longitude=lon,
        radius_m=radius,
        violation_types=_split(v.get("violation_types", "")),
        status=v.get("status", "").strip() or "reported",
        verification=v.get("verification", "").strip() or "unverified",
        confidentiality=v.get("confidentiality", "").strip() or "confidential",
        source_refs=_split(v.get("source_refs", "")),
    )
    for name, messages in check_incident(record).items():
        errors.setdefault(name, []).extend(messages)
    return RowError(line, errors, ext) if errors else RowOk(line, record)


_YES = {"yes", "y", "true", "1", "да", "так"}
_NO = {"no", "n", "false", "0", "нет", "не", ""}


def _source(line: int, v: dict[str, str], opts: CsvOptions) -> Row:
    errors: dict[str, list[str]] = {}
    ext = v.get("external_id", "").strip() or None
    flags: dict[str, bool] = {}
    for name in ("consent_investigation", "consent_prosecution", "consent_publication"):
        raw = v.get(name, "").strip().casefold()
        if raw not in _YES | _NO:
            errors[name] = [f"{raw!r}: write yes or no."]
        flags[name] = raw in _YES
    received = ""
    raw_date = v.get("received_on", "").strip()
    if raw_date:
        try:
            window = window_of(raw_date, "", "", us_dates=opts.us_dates, zone=opts.zone)
            if window is not None:
                received = window.start.astimezone(opts.zone).date().isoformat()
        except DateProblem as exc:
            errors["received_on"] = [str(exc)]
    credibility = 6
    raw_cred = v.get("credibility", "").strip()
    if raw_cred:
        if raw_cred.isdigit() and 1 <= int(raw_cred) <= 6:
            credibility = int(raw_cred)
        else:
            errors["credibility"] = [f"{raw_cred!r}: a number 1–6."]
    record = SourceRecord(
        external_id=ext,
        title=v.get("title", "").strip(),
        kind=v.get("kind", "").strip(),
        description=v.get("description", ""),
        url=v.get("url", "").strip(),
        received_on=received,
        reliability=v.get("reliability", "").strip().upper() or "F",
        credibility=credibility,
        **flags,
    )
    if not record.title:
        errors.setdefault("title", []).append("A title is required.")
    return RowError(line, errors, ext) if errors else RowOk(line, record)


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def _num(value: float | None) -> str:
    return repr(value) if value is not None else ""


def incident_cells(rec: IncidentRecord) -> list[str]:
    return [
        rec.external_id or "",
        rec.title,
        rec.description,
        _iso(rec.start),
        _iso(rec.end),
        rec.precision,
        rec.place_name,
        _num(rec.latitude),
        _num(rec.longitude),
        _num(rec.radius_m),
        LIST_SEPARATOR.join(rec.violation_types),
        rec.status,
        rec.verification,
        rec.confidentiality,
        LIST_SEPARATOR.join(rec.source_refs),
    ]


def write_incidents(
    out: TextIO, records: Iterable[IncidentRecord], footer: Iterable[str] = ()
) -> int:
    """Header, one formula-safe row per record, then ``# …`` footer lines. Returns the count."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in INCIDENT_COLUMNS])
    count = 0
    for rec in records:
        writer.writerow([neutralise(c) for c in incident_cells(rec)])
        count += 1
    for line in footer:
        writer.writerow(["# " + " ".join(line.split())])
    return count
