"""CSV columns and row parsers for persons, units and acts (incidents and sources are in
:mod:`.csvio`). Same contract: ``parse(line, values, options) -> RowOk | RowError``."""

from __future__ import annotations

from crimebook.interchange.formats.dates import DateProblem, window_of
from crimebook.interchange.formats.records import (
    ActRecord,
    Column,
    CsvOptions,
    Errors,
    PersonRecord,
    Row,
    RowError,
    RowOk,
    UnitRecord,
    check_coordinates,
    parse_float,
)

ROLES = ("victim", "witness", "insider", "perpetrator")
MEDICAL_GRADES = ("not_consistent", "consistent", "highly_consistent", "typical", "diagnostic")

PERSON_COLUMNS: tuple[Column, ...] = (
    Column("external_id", False, "stable id in your system; acts refer to persons by it", "vesna-p-1"),
    Column("roles", False, "victim, witness, insider, perpetrator separated by ';'", "victim"),
    Column("full_name", False, "name (encrypted at rest; never shown without an audited reveal)", "Алесь Тэставы"),
    Column("birth_date", False, "full date (DD.MM.YYYY or ISO)", "01.05.1990"),
    Column("contacts", False, "phone numbers, e-mail, messengers separated by ';'", ""),
    Column("identifiers", False, "passport or ID numbers separated by ';'", ""),
)  # fmt: skip

UNIT_COLUMNS: tuple[Column, ...] = (
    Column("code", True, "stable short code (letters, digits, - and _); re-imports recognise it", "omon-minsk"),
    Column("name", True, "name", "OMON of the Minsk City Executive Committee"),
    Column("unit_type", True, "unit_type vocabulary code", "riot_police"),
    Column("name_ru", False, "name in Russian", "ОМОН ГУВД Мингорисполкома"),
    Column("name_be", False, "name in Belarusian", ""),
    Column("valid_from", False, "existed from (date)", "01.01.1991"),
    Column("valid_to", False, "existed until (date)", ""),
    Column("latitude", False, "base, WGS84", "53.87"),
    Column("longitude", False, "base, WGS84", "27.65"),
)  # fmt: skip

ACT_COLUMNS: tuple[Column, ...] = (
    Column("incident_ref", True, "external id of the incident (imported before)", "vesna-2020-0001"),
    Column("victim_ref", True, "external id of the victim (a person imported before)", "vesna-p-1"),
    Column("act_type", True, "act_type vocabulary code", "beating"),
    Column("injuries", False, "injury_type codes separated by ';'", "bruising;head_injury"),
    Column("methods", False, "method codes separated by ';'", "baton;kicking"),
    Column("detention_place", False, "detention_place code", "okrestina_cip"),
    Column("medical_grade", False, "not_consistent, consistent, highly_consistent, typical, diagnostic", "consistent"),
    Column("medical_findings", False, "free text", ""),
    Column("description", False, "free text", ""),
)  # fmt: skip


def _split(value: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in value.split(";") if x.strip())


def date_cell(raw: str, name: str, opts: CsvOptions, errors: Errors, *, full: bool) -> str:
    raw = raw.strip()
    if not raw:
        return ""
    try:
        when = window_of(raw, "", "", us_dates=opts.us_dates, zone=opts.zone)
    except DateProblem as exc:
        errors[name] = [str(exc)]
        return ""
    assert when is not None
    if full and when.precision not in ("day", "minute", "hour"):
        errors[name] = [f"{raw!r}: give a full date (day, month and year)."]
        return ""
    return when.start.astimezone(opts.zone).date().isoformat()


def person(line: int, v: dict[str, str], opts: CsvOptions) -> Row:
    errors: Errors = {}
    ext = v.get("external_id", "").strip() or None
    roles = tuple(r.casefold() for r in _split(v.get("roles", "")))
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        errors["roles"] = [f"Unknown role(s) {', '.join(unknown)}; use {', '.join(ROLES)}."]
    record = PersonRecord(
        external_id=ext,
        roles=roles,
        full_name=v.get("full_name", "").strip(),
        birth_date=date_cell(v.get("birth_date", ""), "birth_date", opts, errors, full=True),
        contacts=_split(v.get("contacts", "")),
        identifiers=_split(v.get("identifiers", "")),
    )
    return RowError(line, errors, ext) if errors else RowOk(line, record)


def unit(line: int, v: dict[str, str], opts: CsvOptions) -> Row:
    errors: Errors = {}
    code = v.get("code", "").strip()
    for name in ("code", "name", "unit_type"):
        if not v.get(name, "").strip():
            errors[name] = ["Required."]
    coords: list[float | None] = []
    for name in ("latitude", "longitude"):
        raw = v.get(name, "").strip()
        try:
            coords.append(parse_float(raw) if raw else None)
        except ValueError:
            errors[name] = [f"{raw!r} is not a number."]
            coords.append(None)
    lat, lon = coords
    if lat is not None and lon is not None:
        errors.update(check_coordinates(lat, lon, opts.region))
    elif (lat is None) != (lon is None) and not errors.keys() & {"latitude", "longitude"}:
        errors["latitude"] = ["Give both latitude and longitude, or neither."]
    record = UnitRecord(
        code=code,
        name=v.get("name", "").strip(),
        unit_type=v.get("unit_type", "").strip(),
        name_ru=v.get("name_ru", "").strip(),
        name_be=v.get("name_be", "").strip(),
        valid_from=date_cell(v.get("valid_from", ""), "valid_from", opts, errors, full=False),
        valid_to=date_cell(v.get("valid_to", ""), "valid_to", opts, errors, full=False),
        latitude=lat,
        longitude=lon,
    )
    return RowError(line, errors, code or None) if errors else RowOk(line, record)


def act(line: int, v: dict[str, str], opts: CsvOptions) -> Row:
    errors: Errors = {}
    for name in ("incident_ref", "victim_ref", "act_type"):
        if not v.get(name, "").strip():
            errors[name] = ["Required."]
    grade = v.get("medical_grade", "").strip()
    if grade and grade not in MEDICAL_GRADES:
        errors["medical_grade"] = [f"{grade!r} is not one of {', '.join(MEDICAL_GRADES)}."]
    record = ActRecord(
        incident_ref=v.get("incident_ref", "").strip(),
        victim_ref=v.get("victim_ref", "").strip(),
        act_type=v.get("act_type", "").strip(),
        injuries=_split(v.get("injuries", "")),
        methods=_split(v.get("methods", "")),
        detention_place=v.get("detention_place", "").strip(),
        medical_grade=grade,
        medical_findings=v.get("medical_findings", ""),
        description=v.get("description", ""),
    )
    ref = record.incident_ref or None
    return RowError(line, errors, ref) if errors else RowOk(line, record)
