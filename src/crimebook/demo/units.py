"""Security-force units after the public structure of Belarus's agencies in 2020.

These are institutions, never people. Codes are stable identifiers for the demo; names are
the public English and Russian names. Headcounts are fictitious but plausible and count
each unit's own staff only (a parent's figure excludes its sub-units). Foundation dates
that are not well known are given as 1 January 2000. Home positions come from a place in
:mod:`crimebook.demo.places`: the building itself where it is listed, otherwise a
representative place in the unit's district or neighbourhood (approximate).

``UNIT_DECLINE`` is the share of each unit's staff that leaves between 1 August and
1 November 2020; the two figures reported publicly are reproduced (Minsk city directorate
about 18 %, the Central District Department about 29 %), the others are invented (3-15 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from crimebook.demo.places import DISTRICT_CENTRES, place

__all__ = [
    "COMMANDER_POSITIONS",
    "POSITIONS",
    "RANKS",
    "RUVD_BY_DISTRICT",
    "UNITS",
    "UNITS_BY_CODE",
    "UNIT_DECLINE",
    "UNIT_HOME_PLACE",
    "UNIT_TYPES",
    "DemoUnit",
]

UNIT_TYPES: tuple[str, ...] = (
    "ministry",
    "directorate",
    "district_department",
    "riot_police",
    "internal_troops",
    "detention_centre",
    "prison",
    "security_service",
    "prosecutor",
)

_UNKNOWN_START = date(2000, 1, 1)


@dataclass(frozen=True)
class DemoUnit:
    """A security-force unit with its place in the hierarchy and its nominal headcount."""

    code: str
    name_en: str
    name_ru: str
    unit_type: str
    parent_code: str | None
    valid_from: date
    valid_to: date | None
    latitude: float
    longitude: float
    headcount: int


@dataclass(frozen=True)
class _Spec:
    """Source row for one unit: everything but the coordinates, plus home place and decline."""

    code: str
    name_en: str
    name_ru: str
    unit_type: str
    parent_code: str | None
    home_place: str
    headcount: int
    decline: float


_DISTRICT_DEPARTMENTS: tuple[tuple[str, str, str, int, float], ...] = (
    # (district, English adjective, Russian adjective, headcount, decline)
    ("Centralny", "Central", "Центральное", 600, 0.29),
    ("Frunzensky", "Frunzensky", "Фрунзенское", 720, 0.11),
    ("Leninsky", "Leninsky", "Ленинское", 520, 0.09),
    ("Moskovsky", "Moskovsky", "Московское", 640, 0.12),
    ("Oktyabrsky", "Oktyabrsky", "Октябрьское", 450, 0.07),
    ("Partizansky", "Partizansky", "Партизанское", 430, 0.08),
    ("Pervomaisky", "Pervomaisky", "Первомайское", 610, 0.10),
    ("Sovetsky", "Sovetsky", "Советское", 480, 0.13),
    ("Zavodskoy", "Zavodskoy", "Заводское", 560, 0.06),
)


def _district_specs() -> tuple[_Spec, ...]:
    """One district department of internal affairs (RUVD) per Minsk district."""
    return tuple(
        _Spec(
            code=f"ruvd_{district.lower()}",
            name_en=f"{adj_en} District Department of Internal Affairs, Minsk",
            name_ru=f"{adj_ru} районное управление внутренних дел г. Минска ({adj_ru} РУВД)",
            unit_type="district_department",
            parent_code="guvd_minsk",
            home_place=DISTRICT_CENTRES[district],
            headcount=headcount,
            decline=decline,
        )
        for district, adj_en, adj_ru, headcount, decline in _DISTRICT_DEPARTMENTS
    )


_SPECS: tuple[_Spec, ...] = (
    _Spec(
        "mvd",
        "Ministry of Internal Affairs of the Republic of Belarus (MVD)",
        "Министерство внутренних дел Республики Беларусь (МВД)",
        "ministry",
        None,
        "mvd_hq",
        1800,
        0.03,
    ),
    _Spec(
        "guvd_minsk",
        "Main Internal Affairs Directorate of the Minsk City Executive Committee (GUVD)",
        "Главное управление внутренних дел Мингорисполкома (ГУВД)",
        "directorate",
        "mvd",
        "nemiga_street",
        2400,
        0.18,
    ),
    *_district_specs(),
    _Spec(
        "omon_minsk",
        "Special Purpose Police Unit of the Minsk GUVD (OMON, riot police)",
        "Отряд милиции особого назначения ГУВД Мингорисполкома (ОМОН)",
        "riot_police",
        "guvd_minsk",
        "uruchye_omon_base",
        900,
        0.04,
    ),
    _Spec(
        "vch_3214",
        "Internal Troops Military Unit 3214",
        "Войсковая часть 3214 внутренних войск МВД",
        "internal_troops",
        "mvd",
        "uruchye_unit_3214",
        2200,
        0.03,
    ),
    _Spec(
        "gubopik",
        "Main Directorate for Combating Organised Crime and Corruption (GUBOPiK)",
        "Главное управление по борьбе с организованной преступностью и коррупцией МВД (ГУБОПиК)",
        "directorate",
        "mvd",
        "mvd_hq",
        400,
        0.05,
    ),
    _Spec(
        "okrestina_cip",
        "Offender Isolation Centre of the Minsk GUVD (TsIP, Okrestina)",
        "Центр изоляции правонарушителей ГУВД Мингорисполкома (ЦИП)",
        "detention_centre",
        "guvd_minsk",
        "okrestina_cip",
        160,
        0.08,
    ),
    _Spec(
        "okrestina_ivs",
        "Temporary Detention Facility of the Minsk GUVD (IVS, Okrestina)",
        "Изолятор временного содержания ГУВД Мингорисполкома (ИВС)",
        "detention_centre",
        "guvd_minsk",
        "okrestina_izo",
        110,
        0.07,
    ),
    _Spec(
        "zhodino_prison_8",
        "Prison No. 8, Zhodzina",
        "Тюрьма № 8 г. Жодино",
        "prison",
        "mvd",
        "zhodino_prison_8",
        420,
        0.04,
    ),
    _Spec(
        "kgb",
        "State Security Committee of the Republic of Belarus (KGB)",
        "Комитет государственной безопасности Республики Беларусь (КГБ)",
        "security_service",
        None,
        "kgb_hq",
        2500,
        0.03,
    ),
    _Spec(
        "prosecutor_general",
        "Prosecutor General's Office of the Republic of Belarus",
        "Генеральная прокуратура Республики Беларусь",
        "prosecutor",
        None,
        "freedom_square",
        300,
        0.03,
    ),
    _Spec(
        "prosecutor_minsk",
        "Minsk City Prosecutor's Office",
        "Прокуратура г. Минска",
        "prosecutor",
        "prosecutor_general",
        "oktyabrskaya_square",
        180,
        0.04,
    ),
)


def _unit(spec: _Spec) -> DemoUnit:
    """Turn a spec row into a unit positioned at its home place."""
    home = place(spec.home_place)
    return DemoUnit(
        code=spec.code,
        name_en=spec.name_en,
        name_ru=spec.name_ru,
        unit_type=spec.unit_type,
        parent_code=spec.parent_code,
        valid_from=_UNKNOWN_START,
        valid_to=None,
        latitude=home.latitude,
        longitude=home.longitude,
        headcount=spec.headcount,
    )


UNITS: tuple[DemoUnit, ...] = tuple(_unit(spec) for spec in _SPECS)
UNITS_BY_CODE: dict[str, DemoUnit] = {u.code: u for u in UNITS}
UNIT_HOME_PLACE: dict[str, str] = {s.code: s.home_place for s in _SPECS}
UNIT_DECLINE: dict[str, float] = {s.code: s.decline for s in _SPECS}
RUVD_BY_DISTRICT: dict[str, str] = {d[0]: f"ruvd_{d[0].lower()}" for d in _DISTRICT_DEPARTMENTS}

RANKS: tuple[str, ...] = (
    "Private",
    "Sergeant",
    "Senior Sergeant",
    "Warrant Officer",
    "Lieutenant",
    "Senior Lieutenant",
    "Captain",
    "Major",
    "Lieutenant Colonel",
    "Colonel",
)
"""Ranks, lowest first; positions below refer to them by index."""

POSITIONS: dict[str, tuple[tuple[str, int, int], ...]] = {
    # unit type: ((position, lowest rank index, highest rank index), ...)
    "riot_police": (
        ("Riot police officer", 1, 5),
        ("Squad commander", 2, 5),
        ("Platoon commander", 4, 6),
        ("Company commander", 6, 7),
    ),
    "internal_troops": (
        ("Serviceman", 0, 3),
        ("Platoon commander", 4, 5),
        ("Company commander", 5, 7),
    ),
    "district_department": (
        ("Patrol officer", 1, 4),
        ("District police officer", 4, 6),
        ("Detective", 4, 7),
        ("Head of public order unit", 6, 8),
        ("Deputy head of district department", 7, 8),
    ),
    "detention_centre": (
        ("Guard", 1, 3),
        ("Duty officer", 4, 6),
        ("Deputy head of detention centre", 6, 8),
    ),
    "prison": (("Guard", 1, 3), ("Duty officer", 4, 6), ("Deputy head of prison", 6, 8)),
    "directorate": (
        ("Operative", 4, 6),
        ("Senior operative", 5, 7),
        ("Head of division", 7, 8),
    ),
}
"""Rank-and-file and middle positions per unit type."""

COMMANDER_POSITIONS: dict[str, tuple[str, int]] = {
    "riot_police": ("Commander of riot police unit", 9),
    "internal_troops": ("Commander of military unit", 9),
    "district_department": ("Head of district department", 8),
    "detention_centre": ("Head of detention centre", 8),
    "prison": ("Head of prison", 8),
    "directorate": ("Head of directorate", 9),
}
"""Head-of-unit position and rank index per unit type."""
