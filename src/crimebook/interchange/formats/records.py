"""Plain records that parsers produce and writers consume, and the row-level checks that
need no database (choices, lengths, coordinates). The register services check the rest."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

# Mirrors of the register's choices (tests/interchange/test_pure.py keeps them in sync).
PRECISIONS = ("minute", "hour", "part_of_day", "day", "range")
STATUSES = ("reported", "under_review", "verified", "closed")
VERIFICATIONS = ("unverified", "partially_verified", "verified", "disputed")
CONFIDENTIALITIES = ("restricted", "confidential", "secret")
SOURCE_KINDS = (
    "submission",
    "interview",
    "open_source",
    "leaked_document",
    "insider",
    "official_record",
    "media",
)
MAX_TITLE = 300
MAX_PLACE = 300
MAX_EXTERNAL_ID = 200
MAX_URL = 1000

Errors = dict[str, list[str]]
DEFAULT_ZONE: tzinfo = ZoneInfo("Europe/Minsk")


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    meaning: str
    example: str


@dataclass(frozen=True)
class CsvOptions:
    mapping: dict[str, str] = field(default_factory=dict)  # file header → schema column
    us_dates: bool = False
    region: Region | None = None
    zone: tzinfo = DEFAULT_ZONE
    ignore_extra: bool = False


@dataclass(frozen=True)
class IncidentRecord:
    title: str
    external_id: str | None = None
    description: str = ""
    start: datetime | None = None
    end: datetime | None = None
    precision: str = "hour"
    place_name: str = ""
    latitude: float | None = None
    longitude: float | None = None
    radius_m: float | None = None
    violation_types: tuple[str, ...] = ()
    status: str = "reported"
    verification: str = "unverified"
    confidentiality: str = "confidential"
    source_refs: tuple[str, ...] = ()  # external ids of sources (TimeMap, full JSON)


@dataclass(frozen=True)
class SourceRecord:
    title: str
    kind: str
    external_id: str | None = None
    description: str = ""
    url: str = ""
    received_on: str = ""  # ISO date or empty
    reliability: str = "F"
    credibility: int = 6
    consent_investigation: bool = False
    consent_prosecution: bool = False
    consent_publication: bool = False


@dataclass(frozen=True)
class RowOk:
    line: int
    record: Any  # IncidentRecord, SourceRecord, PersonRecord, UnitRecord or ActRecord


@dataclass(frozen=True)
class RowError:
    line: int
    errors: Errors
    external_id: str | None = None


Row = RowOk | RowError


@dataclass(frozen=True)
class Region:
    """A declared area: points outside it are errors, and swapped coordinates that would
    fall inside it are named as swapped."""

    name: str
    lat_min: float
    lat_max: float
    lon_min: float
    lon_max: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.lat_min <= lat <= self.lat_max and self.lon_min <= lon <= self.lon_max


REGIONS = {
    "belarus": Region("Belarus", 51.2, 56.2, 23.1, 32.8),
    "ukraine": Region("Ukraine", 44.3, 52.4, 22.1, 40.3),
    "world": Region("the world", -90.0, 90.0, -180.0, 180.0),
}


def parse_float(value: str) -> float:
    """A number as spreadsheets write it: ``53.9``, ``53,9`` (decimal comma), spaces."""
    try:
        number = float(value)
    except ValueError:
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        number = float(text)
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number


def check_coordinates(lat: float, lon: float, region: Region | None) -> Errors:
    """Range and region checks; says so when swapping latitude and longitude would fix it."""
    errors: Errors = {}
    swapped_ok = -90.0 <= lon <= 90.0 and (region.contains(lon, lat) if region else True)
    if not -90.0 <= lat <= 90.0 or not -180.0 <= lon <= 180.0:
        msg = f"({lat}, {lon}) is out of range (latitude -90…90, longitude -180…180)"
        if swapped_ok and -90.0 <= lat <= 180.0:
            msg += "; latitude and longitude look swapped"
        errors["latitude"] = [msg + "."]
        return errors
    if region is not None and not region.contains(lat, lon):
        if region.contains(lon, lat):
            errors["latitude"] = [
                f"({lat}, {lon}) is outside {region.name}, but ({lon}, {lat}) is inside: "
                "latitude and longitude look swapped."
            ]
        else:
            errors["latitude"] = [f"({lat}, {lon}) is outside the declared region {region.name}."]
    return errors


def check_incident(rec: IncidentRecord) -> Errors:
    """Choices and lengths, as the model would reject them, without a database."""
    errors: Errors = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not rec.title.strip():
        add("title", "A title is required.")
    if len(rec.title) > MAX_TITLE:
        add("title", f"At most {MAX_TITLE} characters (this has {len(rec.title)}).")
    if len(rec.place_name) > MAX_PLACE:
        add("place_name", f"At most {MAX_PLACE} characters.")
    if rec.external_id is not None and len(rec.external_id) > MAX_EXTERNAL_ID:
        add("external_id", f"At most {MAX_EXTERNAL_ID} characters.")
    for name, value, allowed in (
        ("precision", rec.precision, PRECISIONS),
        ("status", rec.status, STATUSES),
        ("verification", rec.verification, VERIFICATIONS),
        ("confidentiality", rec.confidentiality, CONFIDENTIALITIES),
    ):
        if value not in allowed:
            add(name, f"{value!r} is not one of {', '.join(allowed)}.")
    if rec.start is not None and rec.end is not None and rec.end < rec.start:
        add("end", f"The incident ends ({rec.end}) before it starts ({rec.start}).")
    if rec.radius_m is not None and not 0 <= rec.radius_m <= 1_000_000:
        add("radius_m", "The uncertainty radius must be 0 … 1,000,000 m.")
    return errors


@dataclass(frozen=True)
class PersonRecord:
    external_id: str | None = None
    roles: tuple[str, ...] = ()  # victim, witness, insider, perpetrator
    full_name: str = ""
    birth_date: str = ""  # ISO date or empty
    contacts: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitRecord:
    code: str
    name: str
    unit_type: str
    name_ru: str = ""
    name_be: str = ""
    valid_from: str = ""  # ISO dates or empty
    valid_to: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class ActRecord:
    incident_ref: str  # external id of the incident
    victim_ref: str  # external id of the person
    act_type: str
    injuries: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    detention_place: str = ""
    medical_grade: str = ""
    medical_findings: str = ""
    description: str = ""


@dataclass(frozen=True)
class PostRecord:
    person_ref: str  # external id of the person
    unit_code: str
    rank: str = ""
    position: str = ""
    start: str = ""  # ISO dates or empty
    end: str = ""
    is_commander: bool = False
    source_ref: str = ""


@dataclass(frozen=True)
class DeploymentRecord:
    unit_code: str
    source_ref: str
    start: datetime | None = None
    end: datetime | None = None
    precision: str = "range"
    place_name: str = ""
    latitude: float | None = None
    longitude: float | None = None
    radius_m: float | None = None
    note: str = ""
