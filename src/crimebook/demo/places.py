"""Real places in Minsk (and Zhodzina) where protests, detentions and abuse took place in 2020.

Coordinates are WGS84 and meant to be accurate to roughly 100 m. Metro stations use the
station's position; squares, landmarks and buildings their centre; neighbourhoods
(``kind="neighbourhood"``) the centre of the micro-district. District assignments follow the
nine administrative districts of Minsk; a few places near district borders are approximate.
Places marked "approx." in their English name are only known to the level of the
neighbourhood. The prison in Zhodzina lies outside Minsk (district ``"Zhodzina"``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DISTRICTS",
    "DISTRICT_CENTRES",
    "PLACES",
    "PLACES_BY_CODE",
    "PLACE_KINDS",
    "DemoPlace",
    "place",
]

DISTRICTS: tuple[str, ...] = (
    "Centralny",
    "Frunzensky",
    "Leninsky",
    "Moskovsky",
    "Oktyabrsky",
    "Partizansky",
    "Pervomaisky",
    "Sovetsky",
    "Zavodskoy",
)
"""The nine administrative districts of Minsk."""

OUTSIDE_MINSK = "Zhodzina"

PLACE_KINDS: tuple[str, ...] = (
    "street",
    "square",
    "metro",
    "landmark",
    "market",
    "neighbourhood",
    "detention_centre",
    "prison",
    "government_building",
    "military_base",
)


@dataclass(frozen=True)
class DemoPlace:
    """A named place with its district, kind and WGS84 position."""

    code: str
    name_en: str
    name_ru: str
    district: str
    kind: str
    latitude: float
    longitude: float


def _p(code: str, en: str, ru: str, district: str, kind: str, lat: float, lon: float) -> DemoPlace:
    """Build one place (short positional form keeps the table readable)."""
    return DemoPlace(code, en, ru, district, kind, lat, lon)


PLACES: tuple[DemoPlace, ...] = (
    # Centre: Pobediteley Avenue, Nemiga, the old town and Independence Avenue.
    _p(
        "stela",
        "Stela (Minsk Hero City obelisk), Pobediteley Avenue",
        "Стела «Минск — город-герой», проспект Победителей",
        "Centralny",
        "landmark",
        53.9159,
        27.5382,
    ),
    _p(
        "minsk_arena",
        "Minsk-Arena, Pobediteley Avenue",
        "Минск-Арена, проспект Победителей",
        "Centralny",
        "landmark",
        53.9362,
        27.4818,
    ),
    _p(
        "nemiga_metro",
        "Nemiga metro station",
        "станция метро «Немига»",
        "Centralny",
        "metro",
        53.9058,
        27.5539,
    ),
    _p("nemiga_street", "Nemiga street", "улица Немига", "Centralny", "street", 53.9036, 27.5527),
    _p(
        "trinity_suburb",
        "Trinity Suburb",
        "Троицкое предместье",
        "Centralny",
        "landmark",
        53.9083,
        27.5556,
    ),
    _p(
        "freedom_square",
        "Freedom Square",
        "площадь Свободы",
        "Centralny",
        "square",
        53.9037,
        27.5559,
    ),
    _p(
        "frunzenskaya_metro",
        "Frunzenskaya metro station",
        "станция метро «Фрунзенская»",
        "Centralny",
        "metro",
        53.9053,
        27.5392,
    ),
    _p(
        "oktyabrskaya_square",
        "Oktyabrskaya Square",
        "Октябрьская площадь",
        "Centralny",
        "square",
        53.9026,
        27.5606,
    ),
    _p(
        "victory_square",
        "Victory Square",
        "площадь Победы",
        "Centralny",
        "square",
        53.9087,
        27.5754,
    ),
    _p(
        "kiev_square",
        "Kiev Square (Kievsky skver)",
        "Киевский сквер",
        "Centralny",
        "square",
        53.9311,
        27.5561,
    ),
    _p(
        "kgb_hq",
        "KGB headquarters, Independence Avenue at Kamsamolskaja street",
        "здание КГБ, проспект Независимости / улица Комсомольская",
        "Centralny",
        "government_building",
        53.8990,
        27.5568,
    ),
    _p(
        "mvd_hq",
        "Ministry of Internal Affairs, Haradski Val street",
        "здание МВД, улица Городской Вал",
        "Centralny",
        "government_building",
        53.9004,
        27.5551,
    ),
    _p(
        "independence_square",
        "Independence Square",
        "площадь Независимости",
        "Leninsky",
        "square",
        53.8956,
        27.5478,
    ),
    # West: Pritytskogo street, Pushkinskaya, Kamennaya Gorka, Sukharevo.
    _p(
        "pushkinskaya_metro",
        "Pushkinskaya metro station",
        "станция метро «Пушкинская»",
        "Frunzensky",
        "metro",
        53.9097,
        27.4970,
    ),
    _p(
        "riga_shopping_centre",
        "Riga shopping centre area near Pushkinskaya (approx.)",
        "район торгового центра «Рига» у Пушкинской",
        "Frunzensky",
        "market",
        53.9082,
        27.4958,
    ),
    _p(
        "sportivnaya_metro",
        "Sportivnaya metro station",
        "станция метро «Спортивная»",
        "Frunzensky",
        "metro",
        53.9084,
        27.4794,
    ),
    _p(
        "molodezhnaya_metro",
        "Molodezhnaya metro station",
        "станция метро «Молодёжная»",
        "Frunzensky",
        "metro",
        53.9067,
        27.5226,
    ),
    _p(
        "kalvariyskaya_street",
        "Kalvariyskaya street near Kalvaria cemetery",
        "улица Кальварийская у Кальварийского кладбища",
        "Frunzensky",
        "street",
        53.9056,
        27.5122,
    ),
    _p(
        "kuntsevshchina_metro",
        "Kuntsevshchina metro station",
        "станция метро «Кунцевщина»",
        "Frunzensky",
        "metro",
        53.9063,
        27.4540,
    ),
    _p(
        "kamennaya_gorka_metro",
        "Kamennaya Gorka metro station",
        "станция метро «Каменная Горка»",
        "Frunzensky",
        "metro",
        53.9068,
        27.4377,
    ),
    _p(
        "sukharevo",
        "Sukharevo (approx.)",
        "Сухарево",
        "Frunzensky",
        "neighbourhood",
        53.8850,
        27.4200,
    ),
    # South-west: Moskovsky and Oktyabrsky districts, Okrestina.
    _p(
        "grushevka_metro",
        "Grushevka metro station",
        "станция метро «Грушевка»",
        "Moskovsky",
        "metro",
        53.8862,
        27.5134,
    ),
    _p(
        "mikhalovo_metro",
        "Mikhalovo metro station",
        "станция метро «Михалово»",
        "Moskovsky",
        "metro",
        53.8767,
        27.4969,
    ),
    _p(
        "petrovshchina_metro",
        "Petrovshchina metro station",
        "станция метро «Петровщина»",
        "Moskovsky",
        "metro",
        53.8646,
        27.4860,
    ),
    _p(
        "malinovka_metro",
        "Malinovka metro station",
        "станция метро «Малиновка»",
        "Moskovsky",
        "metro",
        53.8498,
        27.4748,
    ),
    _p(
        "okrestina_cip",
        "Okrestina Offender Isolation Centre (TsIP)",
        "Центр изоляции правонарушителей, переулок Окрестина",
        "Moskovsky",
        "detention_centre",
        53.8627,
        27.4789,
    ),
    _p(
        "okrestina_izo",
        "Okrestina temporary detention facility (IVS)",
        "Изолятор временного содержания, переулок Окрестина",
        "Moskovsky",
        "detention_centre",
        53.8631,
        27.4782,
    ),
    _p(
        "okrestina_lane",
        "Okrestina lane outside the detention centre",
        "переулок Окрестина у изолятора",
        "Moskovsky",
        "street",
        53.8621,
        27.4800,
    ),
    _p(
        "kurasovshchina",
        "Kurasovshchina, Kazinets square",
        "Курасовщина, площадь Казинца",
        "Oktyabrsky",
        "neighbourhood",
        53.8444,
        27.5083,
    ),
    # South-east: Serebryanka, Partizansky Avenue, Angarskaya.
    _p("serebryanka", "Serebryanka", "Серебрянка", "Leninsky", "neighbourhood", 53.8628, 27.6056),
    _p(
        "proletarskaya_metro",
        "Proletarskaya metro station",
        "станция метро «Пролетарская»",
        "Partizansky",
        "metro",
        53.8900,
        27.5861,
    ),
    _p(
        "traktorny_zavod_metro",
        "Partizansky Avenue at Traktorny Zavod metro",
        "проспект Партизанский, станция метро «Тракторный завод»",
        "Partizansky",
        "metro",
        53.8901,
        27.6144,
    ),
    _p(
        "partizanskaya_metro",
        "Partizanskaya metro station, Partizansky Avenue",
        "станция метро «Партизанская», Партизанский проспект",
        "Zavodskoy",
        "metro",
        53.8762,
        27.6290,
    ),
    _p(
        "avtozavodskaya_metro",
        "Avtozavodskaya metro station",
        "станция метро «Автозаводская»",
        "Zavodskoy",
        "metro",
        53.8691,
        27.6486,
    ),
    _p(
        "mogilevskaya_metro",
        "Mogilevskaya metro station",
        "станция метро «Могилёвская»",
        "Zavodskoy",
        "metro",
        53.8621,
        27.6738,
    ),
    _p("angarskaya", "Angarskaya", "Ангарская", "Zavodskoy", "neighbourhood", 53.8833, 27.6778),
    # North-east: Independence Avenue to Uruchye.
    _p(
        "yakub_kolas_square",
        "Yakub Kolas Square",
        "площадь Якуба Коласа",
        "Sovetsky",
        "square",
        53.9158,
        27.5842,
    ),
    _p(
        "komarovka_market",
        "Komarovka market",
        "Комаровский рынок",
        "Sovetsky",
        "market",
        53.9198,
        27.5740,
    ),
    _p(
        "akademiya_nauk_metro",
        "Akademiya Nauk metro station",
        "станция метро «Академия наук»",
        "Pervomaisky",
        "metro",
        53.9218,
        27.5992,
    ),
    _p(
        "park_chelyuskintsev_metro",
        "Park Chelyuskintsev metro station",
        "станция метро «Парк Челюскинцев»",
        "Pervomaisky",
        "metro",
        53.9242,
        27.6134,
    ),
    _p(
        "moskovskaya_metro",
        "Moskovskaya metro station",
        "станция метро «Московская»",
        "Pervomaisky",
        "metro",
        53.9279,
        27.6276,
    ),
    _p(
        "national_library",
        "National Library of Belarus",
        "Национальная библиотека Беларуси",
        "Pervomaisky",
        "landmark",
        53.9314,
        27.6460,
    ),
    _p(
        "vostok_metro",
        "Vostok metro station",
        "станция метро «Восток»",
        "Pervomaisky",
        "metro",
        53.9345,
        27.6513,
    ),
    _p(
        "borisovsky_trakt_metro",
        "Borisovsky Trakt metro station",
        "станция метро «Борисовский тракт»",
        "Pervomaisky",
        "metro",
        53.9385,
        27.6658,
    ),
    _p(
        "uruchye_metro",
        "Uruchye metro station",
        "станция метро «Уручье»",
        "Pervomaisky",
        "metro",
        53.9454,
        27.6879,
    ),
    _p(
        "uruchye_unit_3214",
        "Internal troops base, Uruchye (approx.)",
        "воинская часть 3214, Уручье",
        "Pervomaisky",
        "military_base",
        53.9490,
        27.6950,
    ),
    _p(
        "uruchye_omon_base",
        "Minsk riot police base, Uruchye (approx.)",
        "база ОМОН, Уручье",
        "Pervomaisky",
        "military_base",
        53.9475,
        27.6990,
    ),
    # Outside Minsk.
    _p(
        "zhodino_prison_8",
        "Zhodzina Prison No. 8",
        "Тюрьма № 8, Жодино",
        OUTSIDE_MINSK,
        "prison",
        54.1118,
        28.3687,
    ),
)
"""All places, in a stable order."""

PLACES_BY_CODE: dict[str, DemoPlace] = {p.code: p for p in PLACES}

DISTRICT_CENTRES: dict[str, str] = {
    "Centralny": "nemiga_street",
    "Frunzensky": "molodezhnaya_metro",
    "Leninsky": "independence_square",
    "Moskovsky": "grushevka_metro",
    "Oktyabrsky": "kurasovshchina",
    "Partizansky": "traktorny_zavod_metro",
    "Pervomaisky": "moskovskaya_metro",
    "Sovetsky": "yakub_kolas_square",
    "Zavodskoy": "avtozavodskaya_metro",
}
"""A representative place per district, used where only the district is known."""


def place(code: str) -> DemoPlace:
    """Return the place with ``code``; raise ``KeyError`` for an unknown code."""
    return PLACES_BY_CODE[code]
