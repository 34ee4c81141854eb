"""PostgreSQL: the ``tsv`` trigger computes the ``english`` vectors only where they can add a
lexeme. SQLite: nothing to do.

In PostgreSQL's configurations ``russian`` sends ASCII words (``asciiword``, ``asciihword``,
``hword_asciipart``) to ``english_stem`` — the same dictionary ``english`` uses for them —
and the other token types that are not words to ``simple`` in both. ``english`` differs from
``russian`` only on words with a non-ASCII letter (``word``, ``hword``, ``hword_part``), and
there ``english_stem`` lowercases like ``simple`` and changes nothing else unless the word
also has an ASCII letter (its suffixes, stop words and exceptions are all ASCII). So for a
text with no whitespace-free stretch holding both an ASCII letter and a non-ASCII character
(``GUARD``) the ``english`` vector's lexemes, with their weights, are a subset of the
``simple`` and ``russian`` ones: the trigger skips it there and computes it, exactly as
before, for text such as ``détentes`` or ``ОМОН-style``. Every ``@@`` match is unchanged
(tested in ``tests/search/test_pg_tsv.py`` against the old function, words, stems, stop words
and phrases); positions after the skipped vectors move, so ``ts_rank`` scores of
multi-word queries may differ slightly. Measured: two of the six ``to_tsvector`` calls gone
for Russian text with English labels, see ARCHITECTURE "Interchange".

Documents written before this migration keep their vectors (the same matches); ``crimebook
search reindex`` rewrites them.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

WANTED_CONFIGS = ("simple", "russian", "english")
# a whitespace-free stretch with an ASCII letter and a non-ASCII character (either order)
GUARD = r"[A-Za-z][^[:space:]]*[^\x01-\x7f]|[^\x01-\x7f][^[:space:]]*[A-Za-z]"


def tsv_expression(configs: list[str], guarded: bool, row: str = "NEW") -> str:
    """The ``tsv`` value of a document row: ``guarded`` skips ``english`` where it adds
    nothing (needs ``russian``); unguarded it is the expression of migration 0002."""
    parts = []
    for column, weight in (("title", "A"), ("body", "B")):
        text = f"coalesce({row}.{column}, '')"
        for config in configs:
            part = f"setweight(to_tsvector('{config}'::regconfig, {text}), '{weight}')"
            if guarded and config == "english" and "russian" in configs:
                part = f"(CASE WHEN {text} ~ '{GUARD}' THEN {part} ELSE ''::tsvector END)"
            parts.append(part)
    return " || ".join(parts)


def _function(configs: list[str], guarded: bool) -> str:
    return (
        "CREATE OR REPLACE FUNCTION search_doc_tsv() RETURNS trigger AS $$\n"
        f"BEGIN\n  NEW.tsv := {tsv_expression(configs, guarded)};\n  RETURN NEW;\nEND\n"
        "$$ LANGUAGE plpgsql"
    )


def _configs(cur: Any) -> list[str]:
    cur.execute("SELECT cfgname FROM pg_ts_config WHERE cfgname = ANY(%s)", [list(WANTED_CONFIGS)])
    present = {row[0] for row in cur.fetchall()}
    return [c for c in WANTED_CONFIGS if c in present]


def _replace(schema_editor: Any, guarded: bool) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute(_function(_configs(cur), guarded))


def forwards(apps: Any, schema_editor: Any) -> None:
    _replace(schema_editor, guarded=True)


def backwards(apps: Any, schema_editor: Any) -> None:
    _replace(schema_editor, guarded=False)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_fts_prefix_index")]

    operations = [migrations.RunPython(forwards, backwards)]
