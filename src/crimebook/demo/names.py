"""Fictitious personal names, built by combining common given names and surname stems.

Every name is a generated combination drawn with a caller's seeded :class:`random.Random`;
no list here holds a real person's full name. Stems that would reproduce the surname of a
well-known public figure are excluded, and :func:`is_denied` lets callers check any string
against that denylist. Names are Cyrillic (Russian spelling, as in most Belarusian
documents) with a Latin transliteration after ICAO Doc 9303.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["DENYLIST", "GeneratedName", "generate_name", "is_denied", "transliterate"]

MALE_GIVEN: tuple[tuple[str, str], ...] = (
    # (given name, patronymic base: base + "ич" / base + "на")
    ("Александр", "Александров"),
    ("Алексей", "Алексеев"),
    ("Андрей", "Андреев"),
    ("Антон", "Антонов"),
    ("Артём", "Артёмов"),
    ("Алесь", "Алесев"),
    ("Вадим", "Вадимов"),
    ("Валерий", "Валерьев"),
    ("Василий", "Васильев"),
    ("Виктор", "Викторов"),
    ("Виталий", "Витальев"),
    ("Владимир", "Владимиров"),
    ("Владислав", "Владиславов"),
    ("Геннадий", "Геннадьев"),
    ("Глеб", "Глебов"),
    ("Денис", "Денисов"),
    ("Дмитрий", "Дмитриев"),
    ("Евгений", "Евгеньев"),
    ("Егор", "Егоров"),
    ("Иван", "Иванов"),
    ("Игорь", "Игорев"),
    ("Кирилл", "Кириллов"),
    ("Константин", "Константинов"),
    ("Максим", "Максимов"),
    ("Михаил", "Михайлов"),
    ("Николай", "Николаев"),
    ("Олег", "Олегов"),
    ("Павел", "Павлов"),
    ("Пётр", "Петров"),
    ("Роман", "Романов"),
    ("Руслан", "Русланов"),
    ("Сергей", "Сергеев"),
    ("Станислав", "Станиславов"),
    ("Степан", "Степанов"),
    ("Тимофей", "Тимофеев"),
    ("Юрий", "Юрьев"),
    ("Ярослав", "Ярославов"),
)

FEMALE_GIVEN: tuple[str, ...] = (
    "Алеся",
    "Алина",
    "Анастасия",
    "Анна",
    "Валерия",
    "Вероника",
    "Виктория",
    "Галина",
    "Дарья",
    "Диана",
    "Евгения",
    "Екатерина",
    "Елена",
    "Елизавета",
    "Ирина",
    "Кристина",
    "Ксения",
    "Людмила",
    "Марина",
    "Мария",
    "Наталья",
    "Нина",
    "Оксана",
    "Ольга",
    "Полина",
    "Светлана",
    "Софья",
    "Татьяна",
    "Ульяна",
    "Юлия",
    "Яна",
)

# Surname stems with the suffix classes they combine with. Class meanings:
#   -ich, -enko, -uk, -ik endings are the same for both sexes; -sky, -ov, -ev, -in are gendered.
SURNAME_STEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Барт", ("ovich", "kevich")),
    ("Бондар", ("enko", "chuk")),
    ("Бел", ("ov", "evich")),
    ("Гаврил", ("ovich", "enko", "in")),
    ("Гончар", ("ov", "enko", "uk")),
    ("Грищ", ("enko", "uk")),
    ("Жук", ("ovich", "ov")),
    ("Журав", ("sky", "lev")),
    ("Зайц", ("ev",)),
    ("Карп", ("ovich", "enko", "uk")),
    ("Кисел", ("ev", "evich")),
    ("Ковал", ("evich", "enko", "ev")),
    ("Козл", ("ov", "ovsky")),
    ("Кравч", ("enko", "uk")),
    ("Курил", ("ovich", "enko", "in")),
    ("Лев", ("chuk", "in")),
    ("Липн", ("ichenko", "ichuk", "itsky")),
    ("Лях", ("ovich", "ov")),
    ("Макар", ("evich", "enko", "ov")),
    ("Мартин", ("ovich", "kevich")),
    ("Мельн", ("ik", "ichenko", "ikov")),
    ("Мороз", ("ov", "ovich", "enko")),
    ("Новик", ("ov",)),
    ("Павл", ("ovich", "enko", "ovsky")),
    ("Пашк", ("evich", "ov")),
    ("Петр", ("ovich", "enko", "ovsky")),
    ("Радзив", ("onchik",)),
    ("Рудн", ("ev", "itsky")),
    ("Савч", ("enko", "uk")),
    ("Семен", ("ovich", "ov", "chuk")),
    ("Сидор", ("ovich", "enko", "ov")),
    ("Сокол", ("ov", "ovsky")),
    ("Степан", ("ov", "enko", "chuk")),
    ("Тарас", ("evich", "enko", "ov")),
    ("Ткач", ("enko", "uk", "ev")),
    ("Шевч", ("enko", "uk")),
    ("Шуб", ("ovich", "in")),
    ("Юрк", ("evich", "ov")),
    ("Ярош", ("evich", "enko")),
    ("Дубр", ("ovsky", "ovin")),
    ("Вой", ("tovich", "tenko", "tovsky")),
)

_SUFFIXES: dict[str, tuple[str, str]] = {
    # class: (male ending, female ending)
    "ovich": ("ович", "ович"),
    "evich": ("евич", "евич"),
    "kevich": ("кевич", "кевич"),
    "tovich": ("тович", "тович"),
    "enko": ("енко", "енко"),
    "tenko": ("тенко", "тенко"),
    "ichenko": ("иченко", "иченко"),
    "chuk": ("чук", "чук"),
    "uk": ("ук", "ук"),
    "ichuk": ("ичук", "ичук"),
    "onchik": ("ончик", "ончик"),
    "ik": ("ик", "ик"),
    "sky": ("ский", "ская"),
    "ovsky": ("овский", "овская"),
    "tovsky": ("товский", "товская"),
    "itsky": ("ицкий", "ицкая"),
    "ov": ("ов", "ова"),
    "ev": ("ев", "ева"),
    "lev": ("лев", "лева"),
    "in": ("ин", "ина"),
    "ovin": ("овин", "овина"),
    "ikov": ("иков", "икова"),
}

DENYLIST: tuple[str, ...] = (
    "lukashenk",
    "lukashenka",
    "tikhanovsk",
    "tsikhanousk",
    "latushk",
    "talerch",
    "kolesnikov",
    "kalesnikava",
    "babarik",
    "babaryk",
    "tsepkal",
    "tsapkal",
    "лукашенк",
    "тихановск",
    "цихановск",
    "латушк",
    "талерч",
    "колесников",
    "бабарик",
    "цепкал",
)
"""Lower-case fragments of real public figures' surnames that must never be generated."""

_TRANSLIT: dict[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "ie",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
    "і": "i",
    "ў": "u",
}


@dataclass(frozen=True)
class GeneratedName:
    """A generated person's name in Cyrillic and Latin, with the sex it was built for."""

    full_name: str
    full_name_latin: str
    female: bool


def transliterate(text: str) -> str:
    """Transliterate Russian/Belarusian Cyrillic to Latin letters (ICAO Doc 9303 style)."""
    out: list[str] = []
    for char in text:
        lower = char.lower()
        latin = _TRANSLIT.get(lower)
        if latin is None:
            out.append(char)
        elif char != lower:
            out.append(latin.capitalize())
        else:
            out.append(latin)
    return "".join(out)


def is_denied(text: str) -> bool:
    """Tell whether ``text`` contains a fragment of a denylisted public figure's surname."""
    lowered = text.lower()
    return any(fragment in lowered for fragment in DENYLIST)


def _surname(rng: random.Random, female: bool) -> str:
    """Combine a random stem with one of its suffix classes."""
    stem, classes = rng.choice(SURNAME_STEMS)
    male_end, female_end = _SUFFIXES[rng.choice(classes)]
    return stem + (female_end if female else male_end)


def _given(rng: random.Random, female: bool) -> str:
    """Pick a given name for the requested sex."""
    if female:
        return rng.choice(FEMALE_GIVEN)
    return rng.choice(MALE_GIVEN)[0]


def _patronymic(rng: random.Random, female: bool) -> str:
    """Build a patronymic from a random father's name."""
    base = rng.choice(MALE_GIVEN)[1]
    return base + ("на" if female else "ич")


def generate_name(
    rng: random.Random, *, female: bool | None = None, patronymic_share: float = 0.6
) -> GeneratedName:
    """Generate one fictitious name: "Surname Given [Patronymic]" (official order).

    ``female`` picks the sex (random when None); a patronymic is added with probability
    ``patronymic_share``. Draws again in the (impossible by construction) case that the
    result hits the denylist, so the output never does.
    """
    is_female = rng.random() < 0.5 if female is None else female
    while True:
        parts = [_surname(rng, is_female), _given(rng, is_female)]
        if rng.random() < patronymic_share:
            parts.append(_patronymic(rng, is_female))
        cyrillic = " ".join(parts)
        latin = transliterate(cyrillic)
        if not (is_denied(cyrillic) or is_denied(latin)):
            return GeneratedName(cyrillic, latin, is_female)
