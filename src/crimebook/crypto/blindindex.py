"""Normalisation before a blind index, so that spellings of one name meet.

A Belarusian name reaches us in Cyrillic (Russian or Belarusian spelling) or in one of
several Latin transliterations (passport BGN/PCGN-like, Polish-style Łacinka, ad hoc).
``normalise_name`` maps all of them to one lower-case Latin skeleton with the tokens sorted,
so "Іваноў Сяргей", "Иванов Сергей" and "Sergei IVANOV" give the same key. It is a
deliberately lossy key for exact-match lookup, never shown to anyone.
"""

from __future__ import annotations

import re
import unicodedata

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "ё": "io",
    "є": "e", "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ў": "u", "ф": "f", "х": "h", "ц": "c", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia", "'": "", "ʼ": "",
}  # fmt: skip

# Latin letters with diacritics (Łacinka, Czech/Polish-style transliterations).
_LATIN_LETTERS = {
    "ŭ": "u", "ł": "l", "š": "sh", "ž": "zh", "č": "ch", "ć": "c", "ś": "s", "ź": "z",
    "ń": "n", "ë": "io",
}  # fmt: skip

# Latin spellings folded to one skeleton (order matters). Russian г is romanised "g" and
# Belarusian г "h": both fold to "h". Belarusian ў ("u", "w") after a vowel folds to "v".
_LATIN_FOLDS: tuple[tuple[str, str], ...] = (
    ("shch", "sh"), ("sch", "sh"), ("tsch", "ch"), ("tch", "ch"), ("kh", "h"), ("g", "h"),
    ("ts", "c"), ("tz", "c"), ("yu", "iu"), ("ju", "iu"), ("ya", "ia"), ("ja", "ia"),
    ("yo", "io"), ("jo", "io"), ("ye", "e"), ("je", "e"), ("y", "i"), ("j", "i"),
    ("w", "v"), ("x", "ks"), ("q", "k"), ("ii", "i"),
)  # fmt: skip

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_VOWEL_U = re.compile(r"([aeio])u(?=[^aeiou]|$)")


def _transliterate(text: str) -> str:
    text = "".join(_CYRILLIC.get(ch, ch) for ch in text)
    text = "".join(_LATIN_LETTERS.get(ch, ch) for ch in text)
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


def _fold_latin(token: str) -> str:
    for src, dst in _LATIN_FOLDS:
        token = token.replace(src, dst)
    token = _VOWEL_U.sub(r"\1v", token)  # Ivanou / Іваноў -> ivanov
    # soft-vowel spellings (ie/io/ia/iu vs e/e/a/u) and doubled letters collapse to one form
    for src, dst in (("io", "e"), ("ie", "e"), ("ia", "a"), ("iu", "u")):
        token = token.replace(src, dst)
    return re.sub(r"(.)\1+", r"\1", token)


def normalise_name(value: str) -> str:
    """Case-, whitespace-, order- and script-insensitive skeleton of a personal name."""
    text = _transliterate(unicodedata.normalize("NFKC", value).casefold())
    tokens = [_fold_latin(t) for t in _NON_ALNUM.split(text) if t]
    return " ".join(sorted(t for t in tokens if t))


def normalise_identifier(value: str) -> str:
    """Identifiers (passport numbers, phone numbers, e-mail): case and separators ignored."""
    text = unicodedata.normalize("NFKC", value).casefold().strip()
    if "@" in text:
        return text
    return _NON_ALNUM.sub("", _transliterate(text))
