"""The text indexes behind ``search_searchdoc``, one set per database backend.

SQLite: external-content FTS5 tables (``search_fts``: ``unicode61`` words with diacritics
folded; ``search_trgm``: ``trigram`` over names, for misspellings) kept in step with the
documents table by triggers.

PostgreSQL: the ``pg_trgm`` extension, a ``tsv`` column set by a trigger from the
``simple`` configuration plus ``russian`` and ``english`` where the server has them (there
is no Snowball stemmer for Belarusian: ``simple`` and trigrams cover it), a GIN index on
``tsv`` and a trigram GIN index on ``names``.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

SQLITE_UP = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, content='search_searchdoc', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2")""",
    """CREATE VIRTUAL TABLE search_trgm USING fts5(
        names, content='search_searchdoc', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER search_doc_ai AFTER INSERT ON search_searchdoc BEGIN
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
        INSERT INTO search_trgm(rowid, names) VALUES (new.id, new.names);
    END""",
    """CREATE TRIGGER search_doc_ad AFTER DELETE ON search_searchdoc BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_trgm(search_trgm, rowid, names) VALUES ('delete', old.id, old.names);
    END""",
    """CREATE TRIGGER search_doc_au AFTER UPDATE ON search_searchdoc BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_trgm(search_trgm, rowid, names) VALUES ('delete', old.id, old.names);
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
        INSERT INTO search_trgm(rowid, names) VALUES (new.id, new.names);
    END""",
    # documents that existed before this migration (none in practice)
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    "INSERT INTO search_trgm(search_trgm) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_doc_ai",
    "DROP TRIGGER IF EXISTS search_doc_ad",
    "DROP TRIGGER IF EXISTS search_doc_au",
    "DROP TABLE IF EXISTS search_fts",
    "DROP TABLE IF EXISTS search_trgm",
]

WANTED_CONFIGS = ("simple", "russian", "english")


def _pg_function(configs: list[str]) -> str:
    parts = []
    for column, weight in (("title", "A"), ("body", "B")):
        for config in configs:
            parts.append(
                f"setweight(to_tsvector('{config}'::regconfig, coalesce(NEW.{column}, '')), "
                f"'{weight}')"
            )
    return (
        "CREATE OR REPLACE FUNCTION search_doc_tsv() RETURNS trigger AS $$\n"
        f"BEGIN\n  NEW.tsv := {' || '.join(parts)};\n  RETURN NEW;\nEND\n"
        "$$ LANGUAGE plpgsql"
    )


def forwards(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            for sql in SQLITE_UP:
                cur.execute(sql)
        elif connection.vendor == "postgresql":
            cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cur.execute(
                "SELECT cfgname FROM pg_ts_config WHERE cfgname = ANY(%s)", [list(WANTED_CONFIGS)]
            )
            present = {row[0] for row in cur.fetchall()}
            configs = [c for c in WANTED_CONFIGS if c in present]
            cur.execute("ALTER TABLE search_searchdoc ADD COLUMN tsv tsvector")
            cur.execute(_pg_function(configs))
            cur.execute(
                "CREATE TRIGGER search_doc_tsv BEFORE INSERT OR UPDATE OF title, body "
                "ON search_searchdoc FOR EACH ROW EXECUTE FUNCTION search_doc_tsv()"
            )
            cur.execute("UPDATE search_searchdoc SET title = title")
            cur.execute("CREATE INDEX search_doc_tsv_gin ON search_searchdoc USING gin (tsv)")
            cur.execute(
                "CREATE INDEX search_doc_names_trgm ON search_searchdoc "
                "USING gin (names gin_trgm_ops)"
            )


def backwards(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            for sql in SQLITE_DOWN:
                cur.execute(sql)
        elif connection.vendor == "postgresql":
            cur.execute("DROP TRIGGER IF EXISTS search_doc_tsv ON search_searchdoc")
            cur.execute("DROP FUNCTION IF EXISTS search_doc_tsv()")
            cur.execute("DROP INDEX IF EXISTS search_doc_names_trgm")
            cur.execute("ALTER TABLE search_searchdoc DROP COLUMN IF EXISTS tsv")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
