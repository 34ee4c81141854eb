"""Tables and small helpers behind the demo builder: dates, weights, settings, sources,
units. Private to :mod:`crimebook.demo`."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from crimebook.demo.places import DemoPlace
from crimebook.demo.records import MINSK_TZ
from crimebook.demo.units import (
    RUVD_BY_DISTRICT,
)

T = TypeVar("T")

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
