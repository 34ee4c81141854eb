"""The synthetic register's records: plain frozen dataclasses, and the vocabularies
their codes come from (the demo loader maps them onto the register's terms)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from crimebook.demo.places import DemoPlace
from crimebook.demo.units import (
    DemoUnit,
)

MINSK_TZ = timezone(timedelta(hours=3), "Europe/Minsk")

VIOLATION_TYPES = (
    "torture",
    "ill_treatment",
    "arbitrary_detention",
    "sexual_violence",
    "enforced_disappearance",
    "killing",
    "excessive_force",
    "denial_of_medical_care",
)
ACT_TYPES = (
    "beating",
    "torture",
    "arbitrary_detention",
    "sexual_violence",
    "enforced_disappearance",
    "killing",
    "stress_position",
    "threat",
    "excessive_force",
    "denial_of_medical_care",
)
INJURY_TYPES = (
    "bruising",
    "fracture",
    "head_injury",
    "rubber_bullet_wound",
    "stun_grenade_burn",
    "laceration",
    "concussion",
    "kidney_injury",
    "psychological_trauma",
    "gunshot_wound",
    "chemical_burn",
)
METHODS = (
    "baton",
    "kicking",
    "punching",
    "stun_grenade",
    "rubber_bullets",
    "tear_gas",
    "water_cannon",
    "electric_shock",
    "stress_position",
    "suffocation",
    "sexual_threat",
    "firearm",
    "vehicle",
)
DETENTION_PLACES = (
    "okrestina_cip",
    "okrestina_izo",
    "zhodino_prison_8",
    "rovd_premises",
    "police_vehicle",
    "military_unit_3214",
    "other",
)
MEDICAL_GRADES = ("not_consistent", "consistent", "highly_consistent", "typical", "diagnostic")
SOURCE_KINDS = (
    "submission",
    "interview",
    "open_source",
    "leaked_document",
    "insider",
    "official_record",
    "media",
)


@dataclass(frozen=True)
class DemoPerson:
    """A fictitious victim, witness, insider or alleged perpetrator (or several)."""

    key: str
    full_name: str
    full_name_latin: str
    birth_date: date | None
    contact: str | None
    roles: frozenset[str]


@dataclass(frozen=True)
class DemoSource:
    """Where information came from, graded A-F (reliability) and 1-6 (credibility)."""

    key: str
    kind: str
    title: str
    reliability: str
    credibility: int
    received_on: date
    consent_investigation: bool
    consent_prosecution: bool
    consent_publication: bool
    url: str | None


@dataclass(frozen=True)
class DemoAct:
    """One violation against one victim within an incident."""

    key: str
    victim_key: str
    act_type: str
    injuries: tuple[str, ...]
    methods: tuple[str, ...]
    detention_place: str | None
    medical_grade: str | None
    description: str


@dataclass(frozen=True)
class DemoIncident:
    """What happened where and when: a UTC time window and a place with a radius."""

    key: str
    title: str
    description: str
    start: datetime
    end: datetime
    precision: str
    place_code: str
    latitude: float
    longitude: float
    radius_m: float
    violation_types: tuple[str, ...]
    status: str
    verification: str
    confidentiality: str
    acts: tuple[DemoAct, ...]
    witness_keys: tuple[str, ...]
    source_keys: tuple[str, ...]


@dataclass(frozen=True)
class DemoPost:
    """A person's rank and position in a unit over a period."""

    person_key: str
    unit_code: str
    rank: str
    position: str
    start: date
    end: date | None
    source_key: str | None


@dataclass(frozen=True)
class DemoDeployment:
    """A unit present around a place during a UTC time window."""

    unit_code: str
    place_code: str
    latitude: float
    longitude: float
    radius_m: float
    start: datetime
    end: datetime
    source_key: str


@dataclass(frozen=True)
class DemoInvolvement:
    """A graded hypothesis that a person took part in an act."""

    act_key: str
    person_key: str
    degree: str
    confidence: str
    source_keys: tuple[str, ...]


@dataclass(frozen=True)
class DemoStaffing:
    """A unit's headcount on a date, as a source reported it."""

    unit_code: str
    on: date
    headcount: int
    source_key: str


@dataclass(frozen=True)
class DemoDismissal:
    """Dismissal reports filed in a unit on one day, as a source reported them."""

    unit_code: str
    on: date
    count: int
    source_key: str


@dataclass(frozen=True)
class DemoDataset:
    """The whole synthetic register."""

    places: tuple[DemoPlace, ...]
    units: tuple[DemoUnit, ...]
    persons: tuple[DemoPerson, ...]
    sources: tuple[DemoSource, ...]
    incidents: tuple[DemoIncident, ...]
    posts: tuple[DemoPost, ...]
    deployments: tuple[DemoDeployment, ...]
    involvements: tuple[DemoInvolvement, ...]
    staffing: tuple[DemoStaffing, ...]
    dismissals: tuple[DemoDismissal, ...]
