"""CSV columns and row parsers for the security-force structure: posts and deployments (see :mod:`.tables`)."""

from __future__ import annotations

from crimebook.interchange.formats.dates import DateProblem, window_of
from crimebook.interchange.formats.records import (
    PRECISIONS,
    Column,
    CsvOptions,
    DeploymentRecord,
    Errors,
    PostRecord,
    Row,
    RowError,
    RowOk,
    check_coordinates,
    parse_float,
)
from crimebook.interchange.formats.tables import date_cell

POST_COLUMNS: tuple[Column, ...] = (
    Column("person_ref", True, "external id of the person (imported before)", "vesna-p-2"),
    Column("unit_code", True, "code of the unit", "omon-minsk"),
    Column("rank", False, "rank", "major"),
    Column("position", False, "position", "deputy commander"),
    Column("start", False, "from (date)", "01.2019"),
    Column("end", False, "until (date)", ""),
    Column("is_commander", False, "yes/no: commands the unit", "no"),
    Column("source_ref", False, "external id of the source that says so", ""),
)  # fmt: skip

DEPLOYMENT_COLUMNS: tuple[Column, ...] = (
    Column("unit_code", True, "code of the unit", "omon-minsk"),
    Column("source_ref", True, "external id of the source that reports it", "vesna-src-17"),
    Column("start", False, "from (same forms as incidents)", "10.08.2020 20:00"),
    Column("end", False, "until", "11.08.2020 02:00"),
    Column("precision", False, "minute, hour, part_of_day, day, range", "range"),
    Column("place_name", False, "area", "Pushkinskaya metro"),
    Column("latitude", False, "WGS84", "53.9093"),
    Column("longitude", False, "WGS84", "27.4955"),
    Column("radius_m", False, "uncertainty radius in metres", "1500"),
    Column("note", False, "free text", ""),
)  # fmt: skip

_YES = {"yes", "y", "true", "1", "да", "так"}
_NO = {"no", "n", "false", "0", "нет", "не", ""}


def post(line: int, v: dict[str, str], opts: CsvOptions) -> Row:
    errors: Errors = {}
    for name in ("person_ref", "unit_code"):
        if not v.get(name, "").strip():
            errors[name] = ["Required."]
    flag = v.get("is_commander", "").strip().casefold()
    if flag not in _YES | _NO:
        errors["is_commander"] = [f"{flag!r}: write yes or no."]
    record = PostRecord(
        person_ref=v.get("person_ref", "").strip(),
        unit_code=v.get("unit_code", "").strip(),
        rank=v.get("rank", "").strip(),
        position=v.get("position", "").strip(),
        start=date_cell(v.get("start", ""), "start", opts, errors, full=False),
        end=date_cell(v.get("end", ""), "end", opts, errors, full=False),
        is_commander=flag in _YES,
        source_ref=v.get("source_ref", "").strip(),
    )
    ref = record.person_ref or None
    return RowError(line, errors, ref) if errors else RowOk(line, record)


def deployment(line: int, v: dict[str, str], opts: CsvOptions) -> Row:
    errors: Errors = {}
    for name in ("unit_code", "source_ref"):
        if not v.get(name, "").strip():
            errors[name] = ["Required."]
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
    precision = precision or "range"
    if precision not in PRECISIONS:
        errors["precision"] = [f"{precision!r} is not one of {', '.join(PRECISIONS)}."]
    coords: list[float | None] = []
    for name in ("latitude", "longitude", "radius_m"):
        raw = v.get(name, "").strip()
        try:
            coords.append(parse_float(raw) if raw else None)
        except ValueError:
            errors[name] = [f"{raw!r} is not a number."]
            coords.append(None)
    lat, lon, radius = coords
    if lat is not None and lon is not None:
        errors.update(check_coordinates(lat, lon, opts.region))
    record = DeploymentRecord(
        unit_code=v.get("unit_code", "").strip(),
        source_ref=v.get("source_ref", "").strip(),
        start=start,
        end=end,
        precision=precision,
        place_name=v.get("place_name", "").strip(),
        latitude=lat,
        longitude=lon,
        radius_m=radius,
        note=v.get("note", ""),
    )
    ref = record.unit_code or None
    return RowError(line, errors, ref) if errors else RowOk(line, record)
