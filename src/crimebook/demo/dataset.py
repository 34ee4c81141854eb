"""Deterministic synthetic register data: Minsk, August-November 2020.

:func:`build_dataset` returns a :class:`DemoDataset` of plain frozen dataclasses. Places
and the structure of the security forces are real (see :mod:`crimebook.demo.places` and
:mod:`crimebook.demo.units`); every person, incident, act, source, post and involvement
is synthetic. Headline figures follow what was reported publicly: more than 1,100 cases
of torture and major injury between 9 and 21 August 2020, staffing of the Minsk city
directorate falling about 18 % and of one district department about 29 % by 1 November,
and hundreds of dismissal reports at the end of August.

The output depends only on ``seed`` and ``scale``: one seeded :class:`random.Random` drives
everything, no clock or global state is read, and no set is iterated while generating.
Local Minsk time is UTC+3 (no daylight saving since 2011); all datetimes are aware UTC.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import TypeVar

from crimebook.demo.names import GeneratedName, generate_name
from crimebook.demo.places import PLACES, DemoPlace, place
from crimebook.demo.units import (
    COMMANDER_POSITIONS,
    POSITIONS,
    RANKS,
    RUVD_BY_DISTRICT,
    UNIT_DECLINE,
    UNIT_HOME_PLACE,
    UNITS,
    UNITS_BY_CODE,
    DemoUnit,
)

__all__ = [
    "ACT_TYPES",
    "DETENTION_PLACES",
    "INJURY_TYPES",
    "METHODS",
    "MINSK_TZ",
    "VIOLATION_TYPES",
    "DemoAct",
    "DemoDataset",
    "DemoDeployment",
    "DemoDismissal",
    "DemoIncident",
    "DemoInvolvement",
    "DemoPerson",
    "DemoPlace",
    "DemoPost",
    "DemoSource",
    "DemoStaffing",
    "DemoUnit",
    "build_dataset",
    "headcount_decline",
    "summarize",
]

T = TypeVar("T")
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


# --------------------------------------------------------------------------- tables

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MAIN_DAYS = tuple(date(2020, 8, d) for d in range(9, 22))
_MAIN_WEIGHTS = (0.16, 0.20, 0.20, 0.16, 0.10, 0.06, 0.03, 0.03, 0.012, 0.012, 0.012, 0.012, 0.012)
_LATER_FIRST, _LATER_LAST = date(2020, 8, 22), date(2020, 11, 30)
_STAFFING_DATES = tuple(date(2020, m, 1) for m in range(7, 13))

_PROTEST_SITES: tuple[tuple[str, float], ...] = (
    ("stela", 10),
    ("pushkinskaya_metro", 10),
    ("riga_shopping_centre", 6),
    ("nemiga_metro", 6),
    ("nemiga_street", 3),
    ("independence_square", 4),
    ("kalvariyskaya_street", 4),
    ("trinity_suburb", 3),
    ("victory_square", 3),
    ("freedom_square", 2),
    ("oktyabrskaya_square", 2),
    ("yakub_kolas_square", 2),
    ("kiev_square", 1),
    ("komarovka_market", 2),
    ("frunzenskaya_metro", 2),
    ("molodezhnaya_metro", 2),
    ("sportivnaya_metro", 3),
    ("kuntsevshchina_metro", 3),
    ("kamennaya_gorka_metro", 5),
    ("sukharevo", 3),
    ("minsk_arena", 1),
    ("grushevka_metro", 2),
    ("mikhalovo_metro", 2),
    ("petrovshchina_metro", 1),
    ("malinovka_metro", 4),
    ("kurasovshchina", 2),
    ("serebryanka", 3),
    ("angarskaya", 3),
    ("proletarskaya_metro", 1),
    ("traktorny_zavod_metro", 2),
    ("partizanskaya_metro", 2),
    ("avtozavodskaya_metro", 2),
    ("mogilevskaya_metro", 1),
    ("akademiya_nauk_metro", 1),
    ("park_chelyuskintsev_metro", 1),
    ("moskovskaya_metro", 1),
    ("national_library", 1),
    ("vostok_metro", 3),
    ("borisovsky_trakt_metro", 1),
    ("uruchye_metro", 4),
)
_CUSTODY: tuple[tuple[str, float], ...] = (
    ("okrestina", 40),
    ("okrestina_izo", 15),
    ("rovd", 20),
    ("vehicle", 15),
    ("zhodino", 6),
    ("unit3214", 4),
)
_STREET_ACTS: tuple[tuple[str, float], ...] = (
    ("beating", 45),
    ("excessive_force", 28),
    ("arbitrary_detention", 20),
    ("threat", 5),
    ("denial_of_medical_care", 1.5),
    ("killing", 0.1),
)
_CUSTODY_ACTS: tuple[tuple[str, float], ...] = (
    ("beating", 35),
    ("arbitrary_detention", 18),
    ("stress_position", 14),
    ("torture", 14),
    ("threat", 7),
    ("denial_of_medical_care", 6),
    ("sexual_violence", 3),
    ("enforced_disappearance", 1.5),
)
_VIOLENT = frozenset(
    {"beating", "torture", "stress_position", "excessive_force", "sexual_violence", "killing"}
)
_SEVERITY = (
    "killing",
    "sexual_violence",
    "torture",
    "enforced_disappearance",
    "beating",
    "stress_position",
    "excessive_force",
    "denial_of_medical_care",
    "arbitrary_detention",
    "threat",
)
_ACT_LABEL = {
    "beating": "Beating",
    "torture": "Torture",
    "arbitrary_detention": "Arbitrary detention",
    "sexual_violence": "Sexual violence",
    "enforced_disappearance": "Enforced disappearance",
    "killing": "Killing",
    "stress_position": "Forced stress positions",
    "threat": "Threats",
    "excessive_force": "Excessive force",
    "denial_of_medical_care": "Denial of medical care",
}
_VIOLATION_OF_ACT = {
    "beating": "ill_treatment",
    "torture": "torture",
    "arbitrary_detention": "arbitrary_detention",
    "sexual_violence": "sexual_violence",
    "enforced_disappearance": "enforced_disappearance",
    "killing": "killing",
    "stress_position": "torture",
    "threat": "ill_treatment",
    "excessive_force": "excessive_force",
    "denial_of_medical_care": "denial_of_medical_care",
}
_METHOD_CHOICES: dict[str, tuple[tuple[str, ...], int, int]] = {
    "beating": (("baton", "kicking", "punching"), 1, 3),
    "excessive_force": (
        ("stun_grenade", "rubber_bullets", "tear_gas", "water_cannon", "baton"),
        1,
        2,
    ),
    "torture": (
        ("baton", "kicking", "punching", "electric_shock", "suffocation", "stress_position"),
        2,
        3,
    ),
    "stress_position": (("kicking", "baton"), 0, 1),
    "sexual_violence": (("sexual_threat", "baton"), 1, 2),
    "threat": (("sexual_threat", "firearm"), 0, 1),
    "killing": (("firearm", "baton", "vehicle"), 1, 1),
}
_INJURIES_BY_METHOD: dict[str, tuple[str, ...]] = {
    "baton": ("bruising", "laceration", "fracture", "head_injury"),
    "kicking": ("bruising", "kidney_injury", "fracture"),
    "punching": ("bruising", "head_injury", "concussion"),
    "stun_grenade": ("stun_grenade_burn", "laceration", "concussion"),
    "rubber_bullets": ("rubber_bullet_wound",),
    "tear_gas": ("chemical_burn",),
    "water_cannon": ("bruising", "chemical_burn"),
    "electric_shock": ("psychological_trauma",),
    "stress_position": ("bruising", "psychological_trauma"),
    "suffocation": ("psychological_trauma",),
    "sexual_threat": ("psychological_trauma",),
    "firearm": ("gunshot_wound",),
    "vehicle": ("fracture", "head_injury", "bruising"),
}
_SOURCE_SPECS: dict[str, tuple[date, date, tuple[str, ...]]] = {
    "submission": (
        date(2020, 12, 1),
        date(2021, 3, 31),
        ("Victim report submitted via the platform", "Witness report submitted via the platform"),
    ),
    "interview": (
        date(2020, 8, 14),
        date(2021, 2, 28),
        (
            "Interview with a released detainee",
            "Interview with a witness",
            "Interview with a medical worker",
        ),
    ),
    "open_source": (
        date(2020, 8, 10),
        date(2020, 12, 15),
        (
            "Video posted on a Telegram channel",
            "Eyewitness photos posted online",
            "Livestream recording",
        ),
    ),
    "media": (
        date(2020, 8, 10),
        date(2020, 11, 30),
        ("News report by an independent outlet", "Photo report by a news agency"),
    ),
    "leaked_document": (
        date(2020, 9, 1),
        date(2021, 3, 31),
        ("Leaked duty roster", "Leaked internal report", "Leaked detainee register"),
    ),
    "insider": (
        date(2020, 8, 15),
        date(2021, 3, 31),
        ("Account by a serving officer", "Account by a former officer"),
    ),
    "official_record": (
        date(2020, 8, 20),
        date(2021, 1, 31),
        (
            "Forensic medical examination record",
            "Hospital admission record",
            "Court ruling on administrative detention",
        ),
    ),
}
_SOURCE_KIND_WEIGHTS = (
    ("submission", 35),
    ("interview", 20),
    ("open_source", 15),
    ("media", 10),
    ("leaked_document", 7),
    ("insider", 8),
    ("official_record", 5),
)
_GRADES: dict[str, tuple[tuple[tuple[str, float], ...], tuple[int, int]]] = {
    "official_record": ((("B", 50), ("C", 40), ("D", 10)), (2, 4)),
    "media": ((("B", 30), ("C", 50), ("D", 20)), (2, 4)),
    "open_source": ((("C", 30), ("D", 30), ("E", 10), ("F", 30)), (2, 6)),
    "submission": ((("C", 20), ("D", 20), ("F", 60)), (3, 6)),
    "interview": ((("B", 20), ("C", 50), ("D", 30)), (2, 4)),
    "leaked_document": ((("B", 30), ("C", 40), ("D", 20), ("F", 10)), (2, 5)),
    "insider": ((("A", 5), ("B", 35), ("C", 40), ("D", 15), ("E", 5)), (1, 4)),
}
_VERIFICATION_BY_STATUS: dict[str, tuple[tuple[str, float], ...]] = {
    "reported": (("unverified", 90), ("disputed", 10)),
    "under_review": (("unverified", 40), ("partially_verified", 45), ("disputed", 15)),
    "verified": (("verified", 70), ("partially_verified", 30)),
    "closed": (("verified", 40), ("partially_verified", 20), ("disputed", 20), ("unverified", 20)),
}
_COMMAND_UNITS = (
    "omon_minsk",
    "ruvd_centralny",
    "okrestina_cip",
    "vch_3214",
    "guvd_minsk",
    "ruvd_frunzensky",
    "ruvd_moskovsky",
    "okrestina_ivs",
    "gubopik",
    "ruvd_pervomaisky",
    "ruvd_leninsky",
    "ruvd_zavodskoy",
    "zhodino_prison_8",
    "ruvd_sovetsky",
    "ruvd_oktyabrsky",
    "ruvd_partizansky",
)
_RANK_AND_FILE_UNITS: tuple[tuple[str, float], ...] = (
    ("omon_minsk", 35),
    ("vch_3214", 14),
    ("okrestina_cip", 8),
    ("okrestina_ivs", 4),
    ("gubopik", 8),
    ("zhodino_prison_8", 4),
    ("guvd_minsk", 2),
    *((code, 25 / len(RUVD_BY_DISTRICT)) for code in RUVD_BY_DISTRICT.values()),
)
# Which incident settings each unit can plausibly be linked to.
_UNIT_SETTINGS: dict[str, tuple[str, ...]] = {
    "omon_minsk": ("street", "vehicle", "okrestina", "okrestina_izo"),
    "vch_3214": ("street", "vehicle", "unit3214"),
    "okrestina_cip": ("okrestina",),
    "okrestina_ivs": ("okrestina_izo",),
    "zhodino_prison_8": ("zhodino",),
    "gubopik": ("street", "vehicle", "rovd"),
    "guvd_minsk": ("street", "vehicle", "okrestina", "okrestina_izo", "rovd"),
}


# --------------------------------------------------------------------------- helpers


def _pick(rng: random.Random, table: Sequence[tuple[T, float]]) -> T:
    """Draw one value from a (value, weight) table."""
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _minsk(day: date, minutes: int) -> datetime:
    """Minsk wall-clock time ``minutes`` after local midnight of ``day``, as aware UTC."""
    midnight = datetime.combine(day, time(0), tzinfo=MINSK_TZ)
    return (midnight + timedelta(minutes=minutes)).astimezone(UTC)


def _offset(lat: float, lon: float, metres: float, bearing: float) -> tuple[float, float]:
    """Move a WGS84 point ``metres`` along ``bearing`` (radians; flat-earth approximation)."""
    dlat = metres * math.cos(bearing) / 111_320
    dlon = metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def _jitter(rng: random.Random, spot: DemoPlace, max_m: float) -> tuple[float, float]:
    """A point within ``max_m`` metres of a place."""
    return _offset(
        spot.latitude, spot.longitude, max_m * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    )


def _ordered(values: Sequence[str], vocabulary: Sequence[str]) -> tuple[str, ...]:
    """Deduplicate ``values`` and sort them in vocabulary order."""
    return tuple(v for v in vocabulary if v in values)


def _fmt(day: date) -> str:
    """Format a date as "10 August 2020" without depending on the locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _short(spot: DemoPlace) -> str:
    """A place's name for use in a sentence."""
    return spot.name_en.split(",")[0].replace(" (approx.)", "")


def _is_march_day(day: date) -> bool:
    """Sunday marches from 16 August on were daytime; 9 August (a Sunday) was election day."""
    return day.weekday() == 6 and day >= date(2020, 8, 16)


def _between(rng: random.Random, first: date, last: date, skew: float = 1.0) -> date:
    """A date in [first, last]; ``skew`` > 1 favours early dates."""
    span = (last - first).days
    return first + timedelta(days=int(span * rng.random() ** skew + 0.5))


# --------------------------------------------------------------------------- builder


@dataclass
class _PersonDraft:
    """A person while roles are still being added."""

    key: str
    name: GeneratedName
    birth_date: date | None
    contact: str | None
    roles: set[str]

    def freeze(self) -> DemoPerson:
        """The immutable person."""
        return DemoPerson(
            self.key,
            self.name.full_name,
            self.name.full_name_latin,
            self.birth_date,
            self.contact,
            frozenset(self.roles),
        )


@dataclass(frozen=True)
class _Setting:
    """Where an incident takes place."""

    kind: str
    place_code: str
    district: str
    detention_place: str | None


@dataclass(frozen=True)
class _Meta:
    """What the later stages need to know about an incident."""

    day: date
    known: date
    setting: _Setting
    act_keys: tuple[str, ...]
    source_keys: tuple[str, ...]


class _Pool:
    """Sources sorted by the date received, to pick ones received on or after an event."""

    def __init__(self, sources: Sequence[DemoSource]) -> None:
        ordered = sorted(sources, key=lambda s: (s.received_on, s.key))
        self._dates = [s.received_on for s in ordered]
        self._keys = [s.key for s in ordered]

    def after(self, rng: random.Random, day: date, k: int) -> tuple[str, ...]:
        """Up to ``k`` distinct source keys received on or after ``day``."""
        candidates = self._keys[bisect.bisect_left(self._dates, day) :] or self._keys[-1:]
        return tuple(sorted(rng.sample(candidates, min(k, len(candidates)))))


@dataclass
class _Builder:
    """Accumulates the dataset; each stage is a method with one job."""

    rng: random.Random
    scale: float
    persons: list[_PersonDraft] = field(default_factory=list)
    sources: list[DemoSource] = field(default_factory=list)
    incidents: list[DemoIncident] = field(default_factory=list)
    metas: list[_Meta] = field(default_factory=list)
    posts: list[DemoPost] = field(default_factory=list)
    deployments: list[DemoDeployment] = field(default_factory=list)
    involvements: list[DemoInvolvement] = field(default_factory=list)
    staffing: list[DemoStaffing] = field(default_factory=list)
    dismissals: list[DemoDismissal] = field(default_factory=list)
    victims: list[_PersonDraft] = field(default_factory=list)
    witnesses: list[_PersonDraft] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)

    def count(self, base: int, minimum: int) -> int:
        """``base`` scaled, but at least ``minimum``."""
        return max(minimum, round(base * self.scale))

    def next_key(self, prefix: str, width: int = 5) -> str:
        """The next stable key with ``prefix``."""
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}{self.counters[prefix]:0{width}d}"

    # -- persons and sources -------------------------------------------------------

    def person(
        self,
        prefix: str,
        role: str,
        ages: tuple[int, int],
        contact_share: float,
        female_share: float = 0.45,
    ) -> _PersonDraft:
        """Create a fictitious person with one role."""
        rng = self.rng
        name = generate_name(rng, female=rng.random() < female_share)
        birth: date | None = None
        if rng.random() < 0.9:
            birth = date(2020 - rng.randint(*ages), 1, 1) + timedelta(days=rng.randrange(365))
        draft = _PersonDraft(
            self.next_key(prefix),
            name,
            birth,
            self.contact(name) if rng.random() < contact_share else None,
            {role},
        )
        self.persons.append(draft)
        return draft

    def contact(self, name: GeneratedName) -> str:
        """A fictitious contact: an example.org address, or a number with no operator code."""
        rng = self.rng
        if rng.random() < 0.7:
            local = ".".join(name.full_name_latin.lower().split()[:2])
            return f"{local}.{rng.randrange(100):02d}@example.org"
        return f"+375 00 555-{rng.randrange(100):02d}-{rng.randrange(100):02d}"

    def source(self, kind: str, title: str, received_on: date) -> DemoSource:
        """Create a graded source with consent flags typical for its kind."""
        rng = self.rng
        key = self.next_key("S")
        reliabilities, (low, high) = _GRADES[kind]
        public = kind in ("open_source", "media")
        investigation = public or rng.random() < 0.9
        prosecution = public or (investigation and rng.random() < 0.55)
        publication = public or (kind != "leaked_document" and rng.random() < 0.3)
        url = f"https://example.org/{kind.replace('_', '-')}/{key.lower()}" if public else None
        made = DemoSource(
            key,
            kind,
            title,
            _pick(rng, reliabilities),
            rng.randint(low, high),
            received_on,
            investigation,
            prosecution,
            publication,
            url,
        )
        self.sources.append(made)
        return made

    def general_sources(self) -> _Pool:
        """The pool of testimony, media and records that incidents cite."""
        made: list[DemoSource] = []
        for i in range(self.count(280, 8)):
            kind = "submission" if i < 2 else _pick(self.rng, _SOURCE_KIND_WEIGHTS)
            first, last, titles = _SOURCE_SPECS[kind]
            made.append(
                self.source(kind, self.rng.choice(titles), _between(self.rng, first, last, 1.8))
            )
        return _Pool(made)

    # -- incidents -----------------------------------------------------------------

    def incident_days(self) -> list[date]:
        """Local dates of all incidents: the first twelve days, then a later tail."""
        days: list[date] = []
        for day, n in zip(_MAIN_DAYS, _allocate(self.count(1180, 20), _MAIN_WEIGHTS), strict=True):
            days += [day] * n
        later = [
            _LATER_FIRST + timedelta(days=i) for i in range((_LATER_LAST - _LATER_FIRST).days + 1)
        ]
        weights = [6.0 if d.weekday() == 6 else 1.0 if d.month == 8 else 0.5 for d in later]
        for day, n in zip(later, _allocate(self.count(320, 4), weights), strict=True):
            days += [day] * n
        return days

    def setting(self, day: date) -> _Setting:
        """Choose between a street dispersal and custody, then the exact setting."""
        rng = self.rng
        street_share = (
            0.55
            if day <= date(2020, 8, 12)
            else 0.25
            if day <= _MAIN_DAYS[-1]
            else 0.6
            if day.weekday() == 6
            else 0.35
        )
        kind = "street" if rng.random() < street_share else _pick(rng, _CUSTODY)
        if kind == "unit3214" and day > _MAIN_DAYS[-1]:
            kind = "okrestina"
        return self.setting_of(kind)

    def setting_of(self, kind: str) -> _Setting:
        """Place and detention place for a setting kind."""
        fixed = {
            "okrestina": ("okrestina_cip", "okrestina_cip"),
            "okrestina_izo": ("okrestina_izo", "okrestina_izo"),
            "zhodino": ("zhodino_prison_8", "zhodino_prison_8"),
            "unit3214": ("uruchye_unit_3214", "military_unit_3214"),
        }
        if kind in fixed:
            code, detention = fixed[kind]
            return _Setting(kind, code, place(code).district, detention)
        code = _pick(self.rng, _PROTEST_SITES)
        district = place(code).district
        if kind == "rovd":
            code = UNIT_HOME_PLACE[RUVD_BY_DISTRICT[district]]
            return _Setting(kind, code, district, "rovd_premises")
        return _Setting(kind, code, district, "police_vehicle" if kind == "vehicle" else None)

    def local_minute(self, setting: _Setting, day: date) -> int:
        """Minutes after local midnight of ``day`` when the incident (mainly) happened."""
        rng = self.rng
        if setting.kind in ("street", "vehicle"):
            if _is_march_day(day):
                return 14 * 60 + int(480 * rng.random() ** 0.7)
            return 19 * 60 + int(480 * rng.betavariate(2.2, 2.6))
        return 20 * 60 + rng.randrange(18 * 60)

    def window(self, setting: _Setting, day: date, minute: int) -> tuple[str, datetime, datetime]:
        """Precision and UTC window around the local ``minute``."""
        rng = self.rng
        street = setting.kind in ("street", "vehicle")
        table = (
            (("minute", 15), ("hour", 40), ("part_of_day", 30), ("range", 10), ("day", 5))
            if street
            else (("minute", 5), ("hour", 20), ("part_of_day", 15), ("range", 45), ("day", 15))
        )
        precision = _pick(rng, table)
        if precision == "minute":
            return precision, _minsk(day, minute), _minsk(day, minute + rng.randint(1, 20))
        if precision in ("hour", "part_of_day", "day"):
            block = {"hour": 60, "part_of_day": 360, "day": 1440}[precision]
            begin = minute // block * block
            return precision, _minsk(day, begin), _minsk(day, begin + block)
        before, after = (60, 120) if street else (600, 2880)
        return (
            precision,
            _minsk(day, minute - rng.randint(15, before)),
            _minsk(day, minute + rng.randint(30, after)),
        )

    def location(self, setting: _Setting) -> tuple[float, float, float]:
        """Stated centre and uncertainty radius (metres) for an incident."""
        rng = self.rng
        if setting.kind in ("street", "vehicle"):
            radius = _pick(
                rng, ((25, 10), (50, 20), (100, 25), (200, 20), (500, 12), (1000, 8), (2000, 5))
            )
        elif setting.kind == "rovd":
            radius = _pick(rng, ((500, 30), (1000, 40), (2000, 30)))
        else:
            radius = _pick(rng, ((25, 40), (50, 40), (100, 20)))
        lat, lon = _jitter(rng, place(setting.place_code), min(radius * 0.8, 300.0))
        return lat, lon, float(radius)

    def victim(self, taken: list[str]) -> _PersonDraft:
        """A new victim, or now and then one already recorded in another incident."""
        if self.victims and self.rng.random() < 0.05:
            again = self.rng.choice(self.victims)
            if again.key not in taken:
                return again
        made = self.person("V", "victim", (17, 68), 0.65, female_share=0.3)
        self.victims.append(made)
        return made

    def witness(self, taken: list[str]) -> _PersonDraft | None:
        """A witness: new, an earlier witness, or a victim of another incident."""
        rng = self.rng
        roll = rng.random()
        pool = self.witnesses if roll < 0.15 else self.victims if roll < 0.2 else []
        if pool:
            again = rng.choice(pool)
            if again.key in taken:
                return None
            again.roles.add("witness")
            return again
        made = self.person("W", "witness", (18, 75), 0.7, female_share=0.55)
        self.witnesses.append(made)
        return made

    def act_types(self, setting: _Setting) -> list[str]:
        """One to three distinct act types suffered by one victim."""
        rng = self.rng
        street = setting.kind == "street"
        table = list(_STREET_ACTS if street else _CUSTODY_ACTS)
        wanted = _pick(rng, ((1, 70), (2, 25), (3, 5)))
        chosen: list[str] = []
        if not street and rng.random() < 0.5:
            chosen.append("arbitrary_detention")
        while len(chosen) < wanted:
            kind = _pick(rng, table)
            if kind not in chosen:
                chosen.append(kind)
        return chosen

    def methods(self, act_type: str) -> tuple[str, ...]:
        """Methods and weapons used in an act of ``act_type``."""
        rng = self.rng
        if act_type not in _METHOD_CHOICES:
            return ()
        candidates, low, high = _METHOD_CHOICES[act_type]
        chosen = rng.sample(candidates, rng.randint(low, high))
        if act_type == "stress_position":
            chosen.append("stress_position")
        if act_type == "excessive_force" and rng.random() < 0.02:
            chosen.append("vehicle")
        return _ordered(chosen, METHODS)

    def injuries(self, methods: Sequence[str]) -> tuple[str, ...]:
        """Injuries consistent with the methods used."""
        rng = self.rng
        found = [rng.choice(_INJURIES_BY_METHOD[m]) for m in methods if rng.random() < 0.8]
        if rng.random() < 0.25:
            found.append("psychological_trauma")
        return _ordered(found, INJURY_TYPES)

    def act(self, setting: _Setting, victim_key: str, act_type: str) -> DemoAct:
        """One act against one victim."""
        rng = self.rng
        methods = self.methods(act_type)
        injuries = self.injuries(methods)
        detention = setting.detention_place
        if detention is None and act_type == "arbitrary_detention":
            detention = _pick(rng, (("police_vehicle", 60), ("rovd_premises", 35), ("other", 5)))
        grade = None
        if injuries and rng.random() < 0.65:
            grade = _pick(
                rng,
                (
                    ("not_consistent", 15),
                    ("consistent", 30),
                    ("highly_consistent", 30),
                    ("typical", 15),
                    ("diagnostic", 10),
                ),
            )
        text = _ACT_LABEL[act_type]
        if methods:
            text += " (" + ", ".join(m.replace("_", " ") for m in methods) + ")"
        if injuries:
            text += "; reported injuries: " + ", ".join(i.replace("_", " ") for i in injuries)
        return DemoAct(
            self.next_key("A", 6),
            victim_key,
            act_type,
            injuries,
            methods,
            detention,
            grade,
            text + ".",
        )

    def acts(self, setting: _Setting) -> list[DemoAct]:
        """All acts of an incident, grouped by victim."""
        n_victims = _pick(self.rng, ((1, 35), (2, 30), (3, 18), (4, 10), (5, 4), (6, 3)))
        taken: list[str] = []
        made: list[DemoAct] = []
        for _ in range(n_victims):
            victim = self.victim(taken)
            if victim.key in taken:
                continue
            taken.append(victim.key)
            made += [self.act(setting, victim.key, t) for t in self.act_types(setting)]
        if made and not any(a.act_type in _VIOLENT for a in made):
            # the register documents torture and major injury: every incident has violence
            made.append(self.act(setting, made[0].victim_key, "beating"))
        return made

    def title(self, setting: _Setting, acts: Sequence[DemoAct], day: date) -> str:
        """A short English title naming the gravest act and the place."""
        worst = min((a.act_type for a in acts), key=_SEVERITY.index)
        label, spot = _ACT_LABEL[worst], place(setting.place_code)
        if setting.kind == "street":
            occasion = "a Sunday march" if _is_march_day(day) else "dispersal"
            return f"{label} during {occasion} near {_short(spot)}"
        if setting.kind == "vehicle":
            return f"{label} in a police van near {_short(spot)}"
        if setting.kind == "rovd":
            unit = UNITS_BY_CODE[RUVD_BY_DISTRICT[setting.district]]
            return f"{label} at the {unit.name_en.split(' of ')[0]}"
        return f"{label} of detainees at {_short(spot)}"

    def description(
        self, setting: _Setting, day: date, acts: Sequence[DemoAct], n_witnesses: int
    ) -> str:
        """A plain English account of the incident."""
        spot = _short(place(setting.place_code))
        victims = len({a.victim_key: None for a in acts})
        if setting.kind in ("street", "vehicle") and _is_march_day(day):
            lead = f"Security forces broke up a march near {spot} on {_fmt(day)}."
        elif setting.kind in ("street", "vehicle"):
            lead = (
                f"Security forces dispersed protesters near {spot} on the evening or "
                f"night of {_fmt(day)}."
            )
        elif setting.kind == "rovd":
            unit = UNITS_BY_CODE[RUVD_BY_DISTRICT[setting.district]].name_en
            lead = f"People detained on or around {_fmt(day)} were taken to the {unit}."
        else:
            lead = f"People detained on or around {_fmt(day)} were held at {spot}."
        return (
            f"{lead} {victims} victim(s) reported {len(acts)} act(s); "
            f"{n_witnesses} witness(es) recorded."
        )

    def incident(self, day: date, pool: _Pool) -> None:
        """Generate one incident with its acts, witnesses and sources."""
        rng = self.rng
        setting = self.setting(day)
        precision, start, end = self.window(setting, day, self.local_minute(setting, day))
        lat, lon, radius = self.location(setting)
        acts = self.acts(setting)
        taken = [a.victim_key for a in acts]
        witness_keys: list[str] = []
        for _ in range(_pick(rng, ((0, 50), (1, 38), (2, 12)))):
            found = self.witness(taken + witness_keys)
            if found is not None:
                witness_keys.append(found.key)
        known = end.astimezone(MINSK_TZ).date()
        sources = pool.after(rng, known, _pick(rng, ((1, 55), (2, 30), (3, 15))))
        types = [a.act_type for a in acts]
        status = _pick(
            rng, (("reported", 35), ("under_review", 35), ("verified", 20), ("closed", 10))
        )
        secret = "sexual_violence" in types or "enforced_disappearance" in types
        confidentiality = (
            "secret"
            if secret
            else _pick(rng, (("restricted", 65), ("confidential", 30), ("secret", 5)))
        )
        self.incidents.append(
            DemoIncident(
                key=self.next_key("I"),
                title=self.title(setting, acts, day),
                description=self.description(setting, day, acts, len(witness_keys)),
                start=start,
                end=end,
                precision=precision,
                place_code=setting.place_code,
                latitude=lat,
                longitude=lon,
                radius_m=radius,
                violation_types=_ordered([_VIOLATION_OF_ACT[t] for t in types], VIOLATION_TYPES),
                status=status,
                verification=_pick(rng, _VERIFICATION_BY_STATUS[status]),
                confidentiality=confidentiality,
                acts=tuple(acts),
                witness_keys=tuple(witness_keys),
                source_keys=sources,
            )
        )
        self.metas.append(_Meta(day, known, setting, tuple(a.key for a in acts), sources))

    def build_incidents(self) -> None:
        """All incidents, in chronological order of their local date."""
        pool = self.general_sources()
        for day in self.incident_days():
            self.incident(day, pool)
        for _ in range(self.count(40, 3)):
            self.person("N", "insider", (24, 55), 0.2, female_share=0.2)

    # -- perpetrators, posts and involvements -------------------------------------

    def personnel_sources(self) -> _Pool:
        """Leaks and identifications that place officers in units."""
        titles = (
            ("leaked_document", "Leaked personnel list"),
            ("insider", "Insider identification of officers"),
            ("open_source", "Open-source identification of officers from video"),
            ("leaked_document", "Leaked duty roster for the night shifts"),
        )
        made: list[DemoSource] = []
        for i in range(12):
            kind, title = titles[i % len(titles)]
            received = _between(self.rng, date(2020, 8, 20), date(2021, 2, 28))
            made.append(self.source(kind, f"{title} ({i + 1})", received))
        return _Pool(made)

    def post(
        self,
        person: _PersonDraft,
        unit_code: str,
        rank: int,
        position: str,
        start: date,
        end: date | None,
        pool: _Pool,
    ) -> None:
        """Record a post, usually with the source that revealed it."""
        source = pool.after(self.rng, start, 1)[0] if self.rng.random() < 0.85 else None
        self.posts.append(
            DemoPost(person.key, unit_code, RANKS[rank], position, start, end, source)
        )

    def commanders(self, pool: _Pool) -> list[tuple[_PersonDraft, str]]:
        """Heads of units; the Central district department changes head in September."""
        made: list[tuple[_PersonDraft, str]] = []
        for code in _COMMAND_UNITS[: min(len(_COMMAND_UNITS), self.count(16, 2))]:
            position, rank = COMMANDER_POSITIONS[UNITS_BY_CODE[code].unit_type]
            head = self.person("P", "perpetrator", (38, 56), 0.0, female_share=0.05)
            change = code == "ruvd_centralny"
            start = _between(self.rng, date(2013, 1, 1), date(2020, 5, 31))
            self.post(
                head, code, rank, position, start, date(2020, 9, 14) if change else None, pool
            )
            made.append((head, code))
            if change:
                new = self.person("P", "perpetrator", (38, 56), 0.0, female_share=0.05)
                self.post(new, code, rank, position, date(2020, 9, 15), None, pool)
                made.append((new, code))
        return made

    def rank_and_file(self, pool: _Pool) -> list[tuple[_PersonDraft, str]]:
        """Officers and servicemen, some with earlier posts, promotions or dismissal."""
        rng = self.rng
        made: list[tuple[_PersonDraft, str]] = []
        for i in range(self.count(44, 4)):
            code = _pick(rng, _RANK_AND_FILE_UNITS)
            position, low, high = rng.choice(POSITIONS[UNITS_BY_CODE[code].unit_type])
            rank = rng.randint(low, high)
            officer = self.person("P", "perpetrator", (21, 48), 0.0, female_share=0.08)
            start = _between(rng, date(2012, 1, 1), date(2020, 6, 30))
            if i % 4 == 1:
                earlier = _pick(rng, _RANK_AND_FILE_UNITS)
                first = start - timedelta(days=rng.randint(700, 2000))
                self.post(
                    officer,
                    earlier,
                    max(0, rank - 1),
                    rng.choice(POSITIONS[UNITS_BY_CODE[earlier].unit_type])[0],
                    first,
                    start - timedelta(days=1),
                    pool,
                )
            end: date | None = None
            if i % 15 == 7:
                end = _between(rng, date(2020, 8, 17), date(2020, 9, 10))
                officer.roles.add("insider")
            elif i % 9 == 4:
                end = date(2020, 9, 30)
                self.post(
                    officer,
                    code,
                    min(rank + 1, len(RANKS) - 1),
                    position,
                    date(2020, 10, 1),
                    None,
                    pool,
                )
            self.post(officer, code, rank, position, start, end, pool)
            made.append((officer, code))
        return made

    def candidates(self) -> dict[str, list[int]]:
        """Incident indexes each unit could plausibly be linked to."""
        found: dict[str, list[int]] = {}
        for index, meta in enumerate(self.metas):
            kind, district = meta.setting.kind, meta.setting.district
            for code, kinds in _UNIT_SETTINGS.items():
                if kind in kinds:
                    found.setdefault(code, []).append(index)
            if kind in ("street", "vehicle", "rovd") and district in RUVD_BY_DISTRICT:
                found.setdefault(RUVD_BY_DISTRICT[district], []).append(index)
        return found

    def involvement(
        self,
        person: _PersonDraft,
        unit_code: str,
        commander: bool,
        options: Sequence[int],
        pool: _Pool,
        seen: set[tuple[str, str]],
    ) -> None:
        """Link a person to one act of a matching incident while in post, if possible."""
        rng = self.rng
        meta = self.metas[rng.choice(options)]
        posts = [
            p
            for p in self.posts
            if p.person_key == person.key
            and p.unit_code == unit_code
            and p.start <= meta.day
            and (p.end is None or meta.known <= p.end)
        ]
        act_key = rng.choice(meta.act_keys)
        if not posts or (act_key, person.key) in seen:
            return
        seen.add((act_key, person.key))
        officer = RANKS.index(posts[0].rank) >= 4
        degree = (
            _pick(rng, (("commanded", 75), ("ordered", 25)))
            if commander
            else _pick(rng, (("perpetrated", 50), ("present", 30), ("ordered", 20)))
            if officer
            else _pick(rng, (("perpetrated", 65), ("present", 35)))
        )
        sources = list(rng.sample(meta.source_keys, rng.randint(1, min(2, len(meta.source_keys)))))
        if rng.random() < 0.3:
            sources += pool.after(rng, meta.known, 1)
        self.involvements.append(
            DemoInvolvement(
                act_key,
                person.key,
                degree,
                _pick(rng, (("possible", 50), ("probable", 38), ("confirmed", 12))),
                tuple(sorted(dict.fromkeys(sources))),
            )
        )

    def build_perpetrators(self) -> None:
        """Alleged perpetrators, their posts, and involvements in acts."""
        pool = self.personnel_sources()
        heads = self.commanders(pool)
        people = [(p, c, True) for p, c in heads] + [
            (p, c, False) for p, c in self.rank_and_file(pool)
        ]
        options = self.candidates()
        target, seen = self.count(150, 5), set[tuple[str, str]]()
        for attempt in range(target * 30):
            if len(self.involvements) >= target:
                break
            person, code, commander = people[attempt % len(people)]
            if options.get(code):
                self.involvement(person, code, commander, options[code], pool, seen)

    # -- deployments ----------------------------------------------------------------

    def deployment_days(self) -> list[date]:
        """Nights of 9-16 August, then every Sunday to the end of November."""
        days = [date(2020, 8, d) for d in range(9, 17)]
        day = date(2020, 8, 23)
        while day <= _LATER_LAST:
            days.append(day)
            day += timedelta(days=7)
        return days

    def deployment_plan(self, sunday: bool) -> list[tuple[str, str]]:
        """(unit, place) pairs deployed on one day."""
        rng = self.rng
        plan: list[tuple[str, str]] = []
        for code, low, high in (("omon_minsk", 3, 5), ("vch_3214", 2, 3), ("gubopik", 0, 1)):
            wanted = rng.randint(low, high)
            spots: list[str] = []
            while len(spots) < wanted:
                spot = _pick(rng, _PROTEST_SITES)
                if spot not in spots:
                    spots.append(spot)
            plan += [(code, s) for s in spots]
        for district, code in RUVD_BY_DISTRICT.items():
            local = [(c, w) for c, w in _PROTEST_SITES if place(c).district == district]
            if local and (not sunday or rng.random() < 0.5):
                plan.append((code, _pick(rng, local)))
        return plan

    def build_deployments(self) -> None:
        """Units present at protest places, each with a source received afterwards."""
        rng = self.rng
        for day in self.deployment_days():
            sunday = _is_march_day(day)
            sources = [
                self.source(kind, f"{title}, {_fmt(day)}", day + timedelta(days=rng.randint(1, 20)))
                for kind, title in (
                    ("media", "Reports of security-force positions"),
                    ("insider", "Insider account of unit deployments"),
                )
            ]
            begin, end = (12 * 60, 21 * 60) if sunday else (18 * 60, 26 * 60)
            for code, spot_code in self.deployment_plan(sunday):
                lat, lon = _jitter(rng, place(spot_code), 200)
                self.deployments.append(
                    DemoDeployment(
                        code,
                        spot_code,
                        lat,
                        lon,
                        float(rng.choice((300, 500, 800, 1000, 1500, 2000))),
                        _minsk(day, begin + rng.randrange(0, 121, 15)),
                        _minsk(day, end + rng.randrange(0, 181, 15)),
                        rng.choice(sources).key,
                    )
                )

    # -- staffing and dismissals ---------------------------------------------------

    def losses(self, unit: DemoUnit) -> list[tuple[date, date, int, Sequence[float]]]:
        """Dismissals per period: (first day, last day, number, daily weights)."""
        rng = self.rng
        aug = [date(2020, 8, 1) + timedelta(days=i) for i in range(92)]
        weights = [
            0.2
            if d.day < 10 and d.month == 8
            else 1.5
            if d.month == 8 and d.day < 15
            else 4.0
            if d.month == 8
            else 0.9
            if d.month == 9
            else 0.4
            for d in aug
        ]
        head = unit.headcount
        return [
            (
                date(2020, 7, 1),
                date(2020, 7, 31),
                round(head * rng.uniform(0.002, 0.008)),
                [1.0] * 31,
            ),
            (aug[0], aug[-1], round(head * UNIT_DECLINE[unit.code]), weights),
            (
                date(2020, 11, 1),
                date(2020, 11, 30),
                round(head * rng.uniform(0.005, 0.02)),
                [1.0] * 30,
            ),
        ]

    def dismissal_source(self, family: str, day: date, made: dict[tuple[str, date], str]) -> str:
        """The weekly insider list that reported dismissals in ``family`` on ``day``."""
        monday = day - timedelta(days=day.weekday())
        if (family, monday) not in made:
            kind = "insider" if family == "internal affairs" else "media"
            made[(family, monday)] = self.source(
                kind,
                f"List of dismissal reports, {family}, week of {_fmt(monday)}",
                monday + timedelta(days=6 + self.rng.randint(2, 10)),
            ).key
        return made[(family, monday)]

    def build_staffing(self) -> None:
        """Monthly headcounts that equal the start figure minus the dismissals so far."""
        rng = self.rng
        weekly: dict[tuple[str, date], str] = {}
        monthly: dict[tuple[str, date], str] = {}
        for unit in UNITS:
            family = (
                "security service"
                if unit.unit_type == "security_service"
                else "prosecution"
                if unit.unit_type == "prosecutor"
                else "internal affairs"
            )
            per_day: dict[date, int] = {}
            for first, last, number, weights in self.losses(unit):
                days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
                for day in rng.choices(days, weights=weights, k=number):
                    per_day[day] = per_day.get(day, 0) + 1
            for day in sorted(per_day):
                self.dismissals.append(
                    DemoDismissal(
                        unit.code, day, per_day[day], self.dismissal_source(family, day, weekly)
                    )
                )
            start = unit.headcount + sum(n for d, n in per_day.items() if d.month == 7)
            for on in _STAFFING_DATES:
                if (family, on) not in monthly:
                    monthly[(family, on)] = self.source(
                        "leaked_document",
                        f"Staffing table, {family}, as of {_fmt(on)}",
                        on + timedelta(days=rng.randint(5, 25)),
                    ).key
                gone = sum(n for d, n in per_day.items() if d < on)
                self.staffing.append(
                    DemoStaffing(unit.code, on, start - gone, monthly[(family, on)])
                )

    def dataset(self) -> DemoDataset:
        """Freeze everything built so far."""
        return DemoDataset(
            places=PLACES,
            units=UNITS,
            persons=tuple(p.freeze() for p in self.persons),
            sources=tuple(sorted(self.sources, key=lambda s: s.key)),
            incidents=tuple(self.incidents),
            posts=tuple(self.posts),
            deployments=tuple(self.deployments),
            involvements=tuple(self.involvements),
            staffing=tuple(self.staffing),
            dismissals=tuple(self.dismissals),
        )


# --------------------------------------------------------------------------- public API


def build_dataset(seed: int = 2020, scale: float = 1.0) -> DemoDataset:
    """Build the synthetic register; the same ``seed`` and ``scale`` give equal output.

    ``scale`` multiplies the number of incidents, sources, perpetrators and involvements
    (at 1.0 about 1,500 incidents; 0.02 still gives more than 20). Units, staffing and
    deployments keep their full structure at every scale.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    builder = _Builder(random.Random(seed), scale)
    builder.build_incidents()
    builder.build_perpetrators()
    builder.build_deployments()
    builder.build_staffing()
    return builder.dataset()


def headcount_decline(dataset: DemoDataset, unit_code: str, start: date, end: date) -> float:
    """Share of a unit's staff lost between two staffing dates, from the staffing records."""
    counts = {s.on: s.headcount for s in dataset.staffing if s.unit_code == unit_code}
    return (counts[start] - counts[end]) / counts[start]


def summarize(dataset: DemoDataset) -> dict[str, int]:
    """Counts of every kind of record, for logs and command-line output."""
    acts = [a for i in dataset.incidents for a in i.acts]
    roles = [r for p in dataset.persons for r in sorted(p.roles)]
    return {
        "places": len(dataset.places),
        "units": len(dataset.units),
        "persons": len(dataset.persons),
        **{f"persons_{r}": roles.count(r) for r in ("victim", "witness", "insider", "perpetrator")},
        "sources": len(dataset.sources),
        "incidents": len(dataset.incidents),
        "acts": len(acts),
        "posts": len(dataset.posts),
        "deployments": len(dataset.deployments),
        "involvements": len(dataset.involvements),
        "staffing": len(dataset.staffing),
        "dismissals": sum(d.count for d in dataset.dismissals),
    }
