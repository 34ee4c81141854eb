"""PostgreSQL ``tsv`` (migration search/0004): the ``english`` vectors are skipped where they add
no lexeme, and every search matches exactly what the vectors of migration 0002 matched —
English and Russian words, stems, stop words, phrases, words mixing scripts or with
diacritics."""

from __future__ import annotations

import importlib
import random
from typing import Any

import pytest
from django.db import connection

from crimebook.search.selectors import SearchParams, search_for
from tests import factories as f

pytestmark = pytest.mark.django_db

tsv_migration = importlib.import_module(
    "crimebook.search.migrations.0004_tsv_english_only_where_it_adds"
)

WORDS = (  # noqa: SIM905 - grouped by language
    # Russian, inflected, with stop words
    "задержание задержанных задержали избивали избиение избили пытки пытками изолятор "
    "изолятора во дворе и в на не что ОМОН омоновцы протестующих Минск Окрестина "
    # Belarusian
    "затрыманне збіццё катаванні пратэстоўцы ў і "
    # English, inflected, with stop words
    "detention detained detaining protesters protester beaten beating the and of was "
    "running tortured torture arbitrary excessive force police "
    # mixed scripts, diacritics, hyphens, numbers, punctuation
    "détentes détente cafés Müllers Łukašenkas ОМОН-style омон-овцы Минск-2020 tortureпытки "
    "«torture» №12 e-mail@example.org 10.08.2020 53.9 2020-08-10 x-ray"
).split()
QUERIES = (
    "задержание", "задержали", "пыткам", "изолятор", "во дворе", '"во дворе"', "и", "ОМОН",
    "затрыманне", "ў", "detain", "detained", "protester", "the", "the protesters",
    '"detained protesters"', '"the police"', "beat", "torture -пытки", "détente", "cafés",
    "müller", "łukašenka", "омон-style", "style", "омон", "минск", "2020", "x-ray",
    '"избивали протестующих"', '"protesters избили"', '"омон the police"', "running",
    "tortureпытки", "e-mail@example.org",
)  # fmt: skip


def _texts(count: int) -> list[tuple[str, str]]:
    rng = random.Random(8)
    out = []
    for i in range(count):
        words = (
            WORDS
            if i % 3
            else [
                w for w in WORDS if w.isascii() or not any(c.isascii() and c.isalpha() for c in w)
            ]
        )
        title = " ".join(rng.choice(words) for _ in range(rng.randrange(1, 6)))
        body = "\n".join(
            " ".join(rng.choice(words) for _ in range(rng.randrange(1, 12)))
            for _ in range(rng.randrange(1, 4))
        )
        out.append((title, body))
    # the shape of an imported incident: Russian text, the type's labels in three languages
    out.append(("Задержание и избиение №7", "Задержали у метро.\nMinsk\nTorture\nПытки\nКатаванні"))
    return out


@pytest.fixture
def pg() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's text search configurations")


def test_new_vectors_match_exactly_what_the_old_ones_matched(pg: None) -> None:
    with connection.cursor() as cur:
        configs = tsv_migration._configs(cur)
        if "russian" not in configs or "english" not in configs:
            pytest.skip("the server lacks the russian or english configuration")
        old = tsv_migration.tsv_expression(configs, guarded=False, row="d")
        new = tsv_migration.tsv_expression(configs, guarded=True, row="d")
        cur.execute("CREATE TEMP TABLE tsv_docs (id int, title text, body text)")
        texts = _texts(400)
        cur.executemany(
            "INSERT INTO tsv_docs VALUES (%s, %s, %s)",
            [(i, t, b) for i, (t, b) in enumerate(texts)],
        )
        cur.execute(
            f"CREATE TEMP TABLE tsv_pairs AS SELECT id, {old} AS old, {new} AS new FROM tsv_docs d"
        )
        # the same lexemes with the same weights in every document
        cur.execute(
            "SELECT id FROM tsv_pairs WHERE "
            "ARRAY(SELECT DISTINCT lexeme || ':' || w FROM unnest(old), unnest(weights) w ORDER BY 1) "
            "<> ARRAY(SELECT DISTINCT lexeme || ':' || w FROM unnest(new), unnest(weights) w ORDER BY 1)"
        )
        assert cur.fetchall() == []
        # every query matches the same documents
        tsquery = " || ".join(f"websearch_to_tsquery('{c}'::regconfig, %s)" for c in configs)
        for q in QUERIES:
            cur.execute(
                f"SELECT array_agg(id ORDER BY id) FILTER (WHERE old @@ ({tsquery})), "
                f"array_agg(id ORDER BY id) FILTER (WHERE new @@ ({tsquery})) FROM tsv_pairs",
                [q] * (2 * len(configs)),
            )
            matched_old, matched_new = cur.fetchone()
            assert matched_old == matched_new, q
            assert matched_old, f"{q!r} should match some document"
        # and the english vectors are skipped where they add nothing: the imported shape
        cur.execute(
            "SELECT (SELECT count(*) FROM unnest(old)), (SELECT count(*) FROM unnest(new)), "
            "(SELECT sum(array_length(positions, 1)) FROM unnest(old)), "
            "(SELECT sum(array_length(positions, 1)) FROM unnest(new)) "
            "FROM tsv_pairs ORDER BY id DESC LIMIT 1"
        )
        lexemes_old, lexemes_new, positions_old, positions_new = cur.fetchone()
        assert lexemes_old == lexemes_new and positions_new < positions_old
        cur.execute(f"SELECT count(*) FROM tsv_docs d WHERE d.body ~ '{tsv_migration.GUARD}'")
        assert 0 < cur.fetchone()[0] < len(texts)  # both branches of the guard were exercised


def test_search_finds_english_and_russian_words_and_stems(
    pg: None, investigator: Any, compartment: Any
) -> None:
    # GIVEN incidents in Russian, in English and in words with diacritics
    ru = f.incident(compartment, title="Задержание у метро", description="Протестующих избили")
    en = f.incident(compartment, title="Detention at the metro", description="Protesters beaten")
    mixed = f.incident(compartment, title="Détentes near the café", description="ОМОН-style raid")

    def found(q: str) -> set[int]:
        result = search_for(investigator, SearchParams(q=q, per_page=100))
        return {h.object_id for h in result.hits if h.kind == "incident"}

    # THEN stems, stop words and phrases find them as before
    assert ru.pk in found("задержании") and ru.pk in found("избили протестующие")
    assert en.pk in found("detentions") and en.pk in found("the protester")
    assert en.pk in found('"protesters beaten"') and en.pk not in found('"beaten protesters"')
    assert mixed.pk in found("détente")  # only english stems "détentes" to "détent"
    assert mixed.pk in found("омон-styles")
    assert {en.pk, mixed.pk} <= found("the")  # a stop word, kept by simple
