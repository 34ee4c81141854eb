"""PURE: what a user typed into the search box, turned into a query that cannot fail.

No Django. The user's text is never handed to FTS5 ``MATCH`` or to ``to_tsquery``: it is
parsed here into words (letters and digits only), quoted phrases, ``or`` alternatives and
``-`` exclusions, and each backend's query is *rebuilt* from those parts, with every word
inside double quotes. Unbalanced quotes, FTS5 operators (``NEAR(``, ``*``, ``^``, ``:``,
``AND``), parentheses and SQL are therefore plain text: at worst they are ignored.

Syntax (the same as PostgreSQL's ``websearch_to_tsquery``): words are all required,
``"a phrase"`` must appear as written, ``a or b`` accepts either, ``-word`` excludes.

Also here: the light suffix stripping used for prefix queries on SQLite (which has no
Russian stemmer) and trigram similarity as PostgreSQL's pg_trgm defines it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

MAX_QUERY_CHARS = 200
MAX_ITEMS = 16
MAX_FUZZY_WORDS = 4
FUZZY_MIN_LENGTH = 4
PREFIX_MAX = 8  # the longest FTS5 prefix index (migration search/0003)
# pg_trgm's default ``similarity_threshold`` is 0.3 and ``word_similarity_threshold`` 0.6;
# a one-letter slip in a seven-letter name scores ≈0.45, so both backends use 0.4.
FUZZY_THRESHOLD = 0.4

WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_CHUNK_RE = re.compile(r'"([^"]*)"?|([^\s"]+)')

# Endings stripped before a prefix query on SQLite (longest first). Russian and Belarusian
# noun, adjective and verb endings, and a few English ones. Never leaves fewer than 4 letters.
_ENDING_TEXT = (
    # Russian
    "иями ями ами ией ия ие ий ию ии ием ей ой ый ая ое ые ых ым ыми ого ему ому его ую юю "
    "ом ем ам ям ах ях ов ев а я о е ы и у ю ь ать ять ить еть ала али ило или ила ен ена "
    "ены ено ан ана аны ано "
    # Belarusian
    "аў яў ай ою аю ае ага яга ымі амі ямі і ў эй "
    # English
    "ings ing ed es s ly"
)
_ENDINGS = sorted(set(_ENDING_TEXT.split()), key=len, reverse=True)


@dataclass(frozen=True)
class Item:
    """One thing to look for: a word, or a phrase of several words in order."""

    words: tuple[str, ...]
    phrase: bool = False
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """Groups are AND-ed; the items of one group are alternatives (``or``)."""

    groups: tuple[tuple[Item, ...], ...]
    excluded: tuple[Item, ...]
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not self.groups

    def words(self) -> list[str]:
        """Every positive word, in order, without repeats."""
        seen = dict.fromkeys(w for group in self.groups for item in group for w in item.words)
        return list(seen)


def parse(text: str) -> ParsedQuery:
    """Parse the search box. Never raises; anything that is not a letter or digit outside
    the syntax above is treated as a separator."""
    text = (text or "")[:MAX_QUERY_CHARS]
    groups: list[list[Item]] = []
    excluded: list[Item] = []
    pending_or = False
    count = 0
    truncated = False
    for match in _CHUNK_RE.finditer(text):
        quoted, bare = match.group(1), match.group(2)
        negated = False
        if quoted is None:
            if bare.lower() == "or":
                pending_or = bool(groups)
                continue
            if bare.startswith("-") and len(bare) > 1:
                negated, bare = True, bare.lstrip("-")
            words = tuple(w.lower() for w in WORD_RE.findall(bare))
            phrase = len(words) > 1  # "foo-bar" is a phrase, as the tokenizer sees it
        else:
            if match.start() > 0 and text[match.start() - 1] == "-":
                negated = True
            words = tuple(w.lower() for w in WORD_RE.findall(quoted))
            phrase = len(words) > 1
        if not words:
            continue
        if count >= MAX_ITEMS:
            truncated = True
            break
        count += 1
        item = Item(words=words, phrase=phrase, negated=negated)
        if negated:
            excluded.append(item)
            pending_or = False
        elif pending_or:
            groups[-1].append(item)
            pending_or = False
        else:
            groups.append([item])
    return ParsedQuery(
        groups=tuple(tuple(g) for g in groups),
        excluded=tuple(excluded) if groups else (),
        truncated=truncated,
    )


# --- SQLite FTS5 ----------------------------------------------------------------------------


def stem(word: str) -> str:
    """Strip one common ending, keeping at least four letters (``задержания`` → ``задержан``,
    ``минске`` → ``минск``). Crude by design: it is used for *prefix* queries only."""
    if len(word) < 5 or word.isdigit():
        return word
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _fts5_item(item: Item) -> str:
    if item.phrase:
        return '"' + " ".join(item.words) + '"'
    word = item.words[0]
    # Words are letters and digits only, so the quotes cannot be broken out of.
    return f'"{prefix(word)}"*' if len(word) >= FUZZY_MIN_LENGTH else f'"{word}"'


def prefix(word: str) -> str:
    """The prefix a long word is searched by on SQLite: its stem, at most ``PREFIX_MAX``
    characters — the longest prefix FTS5 keeps an index for (migration ``search/0003``);
    a longer one would be merged from every matching term first (seconds at a million
    documents). ``задержанных`` → ``задержан`` (as Snowball stems it on PostgreSQL)."""
    return stem(word)[:PREFIX_MAX]


def fts5_match(query: ParsedQuery) -> str:
    """An FTS5 ``MATCH`` expression built only from quoted words; "" for an empty query."""
    if query.empty:
        return ""
    parts = []
    for group in query.groups:
        alternatives = [_fts5_item(i) for i in group]
        parts.append(
            alternatives[0] if len(alternatives) == 1 else f"({' OR '.join(alternatives)})"
        )
    expression = " AND ".join(parts)
    for item in query.excluded:
        expression = f"({expression}) NOT {_fts5_item(item)}"
    return expression


def fts5_trigram_match(word: str) -> str:
    """Candidates for a fuzzy match on the FTS5 ``trigram`` table: any trigram of the word,
    or for a word of 8 letters or more any 4-letter piece (two adjacent trigrams; one slip
    still leaves at least two pieces whole). Single trigrams of a long word are shared by
    most of a large register (``мин``, ``ска``), and ranking every document that has one
    took seconds at a million documents."""
    size = 4 if len(word) >= 8 else 3
    pieces = dict.fromkeys(word[i : i + size] for i in range(len(word) - size + 1))
    return " OR ".join(f'"{g}"' for g in pieces)


# --- PostgreSQL -----------------------------------------------------------------------------


def websearch_text(query: ParsedQuery) -> str:
    """The query rewritten in ``websearch_to_tsquery`` syntax from the parsed words only."""

    def render(item: Item) -> str:
        body = " ".join(item.words)
        return f'"{body}"' if item.phrase else body

    parts = [" or ".join(render(i) for i in group) for group in query.groups]
    parts += [f"-{render(i)}" for i in query.excluded]
    return " ".join(parts)


# --- trigram similarity (pg_trgm's definition) ----------------------------------------------


def trigrams(word: str) -> frozenset[str]:
    """pg_trgm's trigrams of one word: lower case, two spaces before and one after."""
    padded = f"  {word.lower()} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    """Shared trigrams over all trigrams of the two words (0 … 1)."""
    ta, tb = trigrams(a), trigrams(b)
    union = ta | tb
    return len(ta & tb) / len(union) if union else 0.0


def word_similarity(word: str, text: str) -> float:
    """How well ``word`` matches the best word of ``text``."""
    return max((similarity(word, w) for w in WORD_RE.findall(text)), default=0.0)


def fuzzy_words(query: ParsedQuery) -> list[str]:
    """The words worth a fuzzy (misspelling) lookup: long enough, not numbers."""
    words = [w for w in query.words() if len(w) >= FUZZY_MIN_LENGTH and not w.isdigit()]
    return words[:MAX_FUZZY_WORDS]


# --- ranking (SQLite) -----------------------------------------------------------------------

RANK_TEXT_CHARS = 4000  # of the body: what the score reads (a document's text may be long)
TITLE_WEIGHT = 10.0  # as bm25(search_fts, 10.0, 1.0) weighed the columns
_SATURATION = 1.2  # bm25's k1: the tenth occurrence of a word adds little


def _strip(char: str) -> str:
    decomposed = unicodedata.normalize("NFD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Latin and Cyrillic letters with diacritics → without (one C-level ``str.translate``)
_FOLD = {
    code: _strip(chr(code))
    for code in (*range(0xC0, 0x250), *range(0x400, 0x530))
    if _strip(chr(code)) != chr(code)
}


_ACCENTED = re.compile("[" + "".join(chr(c) for c in _FOLD if chr(c) not in "ёйў") + "]")


def fold(text: str) -> str:
    """Lower case without diacritics (``ё`` → ``е``, ``й`` → ``и``, ``ў`` → ``у``), as the
    ``unicode61 remove_diacritics 2`` tokenizer folds Latin and Cyrillic letters."""
    low = text.lower().replace("ё", "е").replace("й", "и").replace("ў", "у")
    # the rare other letter with a diacritic: the (slower, per character) table
    return low.translate(_FOLD) if _ACCENTED.search(low) else low


_AFTER = r"(?![^\W_])"  # at the end of a word


def _word_start(folded: str) -> str:
    r"""``folded`` at the start of a word. The literal comes first and the check of the
    character before it second (a look-behind over the literal and one more character):
    the same matches as ``(?<![^\W_])literal``, but ``re`` can then skip ahead to each
    occurrence of the literal instead of trying the look-behind at every position (≈4× less
    time over 1,000 hits)."""
    literal = re.escape(folded)
    return f"{literal}(?<![^\\W_]{literal})"


def _item_pattern(item: Item) -> re.Pattern[str]:
    """An item as FTS5 reads it, over folded text: a long word as its stem's prefix, a short
    one exactly, a phrase as consecutive words."""
    if item.phrase:
        rest = "".join(r"[\W_]+" + re.escape(fold(w)) for w in item.words[1:])
        return re.compile(_word_start(fold(item.words[0])) + rest + _AFTER)
    word = item.words[0]
    if len(word) >= FUZZY_MIN_LENGTH:
        return re.compile(_word_start(fold(prefix(word))))
    return re.compile(_word_start(fold(word)) + _AFTER)


def relevance_scorer(query: ParsedQuery) -> Callable[[str, str], float]:
    """``score(title, body)``: how well a document matches (higher is better). Per searched
    item its occurrences in the title (×10) and in the first ``RANK_TEXT_CHARS`` of the
    body, saturating like bm25's term frequency; an ``or`` group scores its best item. No
    document frequencies: FTS5's ``bm25()`` reads the whole document list of every word to
    get them (≈0.2–0.5 s for a word in a million documents), so the bounded hits are ranked
    here instead."""
    groups = [[_item_pattern(item) for item in group] for group in query.groups]

    def score(title: str, body: str) -> float:
        head, text = fold(title), fold(body[:RANK_TEXT_CHARS])
        total = 0.0
        for patterns in groups:
            best = 0.0
            for pattern in patterns:
                tf = TITLE_WEIGHT * len(pattern.findall(head)) + len(pattern.findall(text))
                best = max(best, tf / (tf + _SATURATION))
            total += best
        return total

    return score


# --- display --------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _snippet_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """The searched words and their stems, longest first (built once for a page's hits)."""
    needles = sorted({stem(w) for w in words if w} | {w for w in words if w}, key=len)
    needles = [n for n in reversed(needles) if len(n) >= 2]
    return re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE) if needles else None


def snippet(text: str, words: list[str], width: int = 240) -> tuple[tuple[str, bool], ...]:
    """A window of ``text`` around the first searched word, as (segment, is_match) pairs for
    highlighting (the template escapes each segment)."""
    flat = " ".join(text.split())
    pattern = _snippet_pattern(tuple(words))
    first = pattern.search(flat) if pattern else None
    begin = max(0, first.start() - width // 4) if first else 0
    window = flat[begin : begin + width]
    prefix = "…" if begin > 0 else ""
    suffix = "…" if begin + width < len(flat) else ""
    if pattern is None:
        return ((prefix + window + suffix, False),) if window else ()
    parts: list[tuple[str, bool]] = []
    at = 0
    for match in pattern.finditer(window):
        if match.start() > at:
            parts.append((window[at : match.start()], False))
        parts.append((match.group(0), True))
        at = match.end()
    parts.append((window[at:], False))
    if prefix:
        parts.insert(0, (prefix, False))
    if suffix:
        parts.append((suffix, False))
    return tuple(p for p in parts if p[0])
