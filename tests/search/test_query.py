"""The pure query parser: whatever is typed, the FTS5 expression is valid and only words
reach it; the PostgreSQL text is rebuilt from the same words."""

from __future__ import annotations

import re
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crimebook.search import query as q


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='unicode61 remove_diacritics 2')")
    db.executemany(
        "INSERT INTO t(body) VALUES (?)",
        [("Задержание у Пушкинской, избиение в автозаке",), ("OMON near the metro",)],
    )
    return db


def _match(db: sqlite3.Connection, text: str) -> list[str]:
    expression = q.fts5_match(q.parse(text))
    if not expression:
        return []
    return [r[0] for r in db.execute("SELECT body FROM t WHERE t MATCH ?", [expression])]


NASTY = [
    '"unbalanced', 'a "b c', '""', "NEAR(a b)", "*", "a*", "^start", "body:omon", "(", ")",
    "a AND", "OR", "NOT x", "-", "--", "- omon", "'; DROP TABLE t; --", "a\x00b", "\\",
    "omon NEAR/2 metro", "{body}: x", "+", "a OR OR b", '"-"', "ё", "     ",
]  # fmt: skip


@pytest.mark.parametrize("text", NASTY)
def test_syntax_that_would_break_fts5_is_plain_text(fts: sqlite3.Connection, text: str) -> None:
    _match(fts, text)  # no sqlite3.OperationalError


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_gives_a_valid_fts5_expression(text: str) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
    expression = q.fts5_match(q.parse(text))
    if expression:
        db.execute("SELECT * FROM t WHERE t MATCH ?", [expression]).fetchall()
    # the PostgreSQL text holds only words, spaces, quotes around phrases and "-" signs
    assert re.fullmatch(r'[^\W_]*(?:[\s"\-]+[^\W_]*)*', q.websearch_text(q.parse(text)))


def test_words_phrases_or_and_exclusion(fts: sqlite3.Connection) -> None:
    assert _match(fts, "omon metro") == ["OMON near the metro"]
    assert _match(fts, '"metro near"') == []
    assert _match(fts, '"near the metro"') == ["OMON near the metro"]
    assert len(_match(fts, "omon or автозаке")) == 2
    assert _match(fts, "omon -metro") == []
    # an unbalanced quote is a phrase up to the end of the box
    assert _match(fts, '"near the') == ["OMON near the metro"]


def test_russian_inflections_found_by_prefix_on_sqlite(fts: sqlite3.Connection) -> None:
    assert _match(fts, "задержания") == ["Задержание у Пушкинской, избиение в автозаке"]
    assert _match(fts, "избиения пушкинская")


def test_only_exclusions_or_punctuation_is_an_empty_query() -> None:
    assert q.parse("-omon").empty
    assert q.parse("*** (( ))").empty
    assert q.fts5_match(q.parse("-omon")) == ""


def test_query_is_bounded() -> None:
    parsed = q.parse(" ".join(f"w{i}" for i in range(100)))
    assert len(parsed.groups) == q.MAX_ITEMS and parsed.truncated
    assert len(q.parse("x" * 10_000).words()[0]) == q.MAX_QUERY_CHARS


def test_websearch_text_is_rebuilt_from_words() -> None:
    assert q.websearch_text(q.parse('omon or "near metro" -x:y NEAR(')) == (
        'omon or "near metro" near -"x y"'
    )


def test_trigram_similarity_like_pg_trgm() -> None:
    assert q.similarity("Соколов", "соколов") == 1.0
    assert q.similarity("сокалов", "соколов") == pytest.approx(5 / 11)
    assert q.word_similarity("сокалов", "P-XY Соколов Минск") >= q.FUZZY_THRESHOLD
    assert q.word_similarity("иванов", "Соколов") < q.FUZZY_THRESHOLD


def test_stem_keeps_four_letters() -> None:
    assert q.stem("задержания") == "задержан"
    assert q.stem("минске") == "минск"
    assert q.stem("омон") == "омон"
    assert q.stem("12345") == "12345"


def test_snippet_marks_the_words() -> None:
    parts = q.snippet("Long text " * 30 + "избиение дубинками " + "tail " * 50, ["дубинками"])
    assert ("дубинками", True) in parts
    assert parts[0] == ("…", False)


def test_relevance_weighs_title_and_reads_words_as_fts5_does() -> None:
    score = q.relevance_scorer(q.parse("избили метро"))
    in_title = score("Избиение у метро: избили", "")
    in_body = score("Задержание", "Задержали у метро, избили в автозаке.")
    assert in_title > in_body > 0  # a title occurrence weighs ten body ones
    assert score("Задержание", "ничего общего") == 0.0
    # a long word is its stem's prefix (as "избил"* in FTS5), folded like the tokenizer
    assert score("", "ИЗБИЛА у МЕТРО") > 0 and score("", "ИЗБИЛА у МЁТРО") > 0
    assert q.relevance_scorer(q.parse("ёлка"))("", "ЕЛКА") > 0
    # short words match whole words only; a phrase needs its words in order
    assert q.relevance_scorer(q.parse("омон"))("", "омоновцы") > 0
    assert q.relevance_scorer(q.parse("ад"))("", "адрес") == 0.0
    phrase = q.relevance_scorer(q.parse('"у метро"'))
    assert phrase("", "задержали у метро") > 0 and phrase("", "метро у дома") == 0.0
    # an "or" group counts its best alternative once; more occurrences saturate
    either = q.relevance_scorer(q.parse("омон or гувд"))
    assert either("", "омон") == either("", "гувд") and either("", "омон гувд") < 1.0
    assert score("", "метро избили " * 50) < 2.0


def test_long_stems_are_searched_by_their_first_eight_letters() -> None:
    # the FTS5 prefix index covers 4-8 characters; a longer prefix would be merged whole
    assert q.fts5_match(q.parse("задержанных")) == '"задержан"*'
    assert q.fts5_match(q.parse("избили")) == '"избил"*'
    assert q.relevance_scorer(q.parse("задержанных"))("", "задержание") > 0


def test_trigram_candidates_of_long_words_are_four_letter_pieces() -> None:
    assert q.fts5_trigram_match("омон") == '"омо" OR "мон"'
    pieces = q.fts5_trigram_match("мингорисполкама").split(" OR ")
    assert pieces[0] == '"минг"' and all(len(p) == 6 for p in pieces)
    # one slip (о → а) still leaves pieces the real name contains
    assert any(p.strip('"') in "мингорисполкома" for p in pieces)


def _lookbehind_first(item: q.Item) -> re.Pattern[str]:
    """The patterns as first written (look-behind, then the literal): the reference."""
    before, after = r"(?<![^\W_])", r"(?![^\W_])"
    if item.phrase:
        inner = r"[\W_]+".join(re.escape(q.fold(w)) for w in item.words)
        return re.compile(before + inner + after)
    word = item.words[0]
    if len(word) >= q.FUZZY_MIN_LENGTH:
        return re.compile(before + re.escape(q.fold(q.prefix(word))))
    return re.compile(before + re.escape(q.fold(word)) + after)


_TEXT = st.text(alphabet="избилметроИЗБ ёй_-.,1\n" + "abcAB", max_size=60)


@settings(max_examples=300, deadline=None)
@given(text=_TEXT, words=st.lists(st.sampled_from(["избили", "метро", "из", "ab", "1", "ёлка"]),
                                  min_size=1, max_size=3), phrase=st.booleans())  # fmt: skip
def test_literal_first_patterns_match_as_the_look_behind_first_ones(
    text: str, words: list[str], phrase: bool
) -> None:
    # GIVEN any folded text and an item (word long or short, or a phrase)
    item = q.Item(words=tuple(words) if phrase else (words[0],), phrase=phrase and len(words) > 1)
    folded = q.fold(text)
    # THEN the ranking's pattern finds exactly the spans the reference finds
    found = [m.span() for m in q._item_pattern(item).finditer(folded)]
    assert found == [m.span() for m in _lookbehind_first(item).finditer(folded)]


def test_snippet_pattern_is_built_once_per_words() -> None:
    q._snippet_pattern.cache_clear()
    for _ in range(3):
        assert q.snippet("Задержали у метро, избили", ["избили"]) == (
            ("Задержали у метро, ", False), ("избили", True),
        )  # fmt: skip
    assert q._snippet_pattern.cache_info().misses == 1
