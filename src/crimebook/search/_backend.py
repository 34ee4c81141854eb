"""The two ways the database matches text: SQLite FTS5 and PostgreSQL full-text + pg_trgm.

Both take a queryset of documents already narrowed to what the user may see and the facets
chosen, and add the text condition to it — so visibility and facets are applied *before*
the result is bounded, never after. Only parsed, re-quoted words reach the database
(``query.py``); the text is always a bound parameter.
"""

from __future__ import annotations

from functools import cache
from typing import Protocol

from django.db import connection, transaction
from django.db.models import QuerySet

from crimebook.search import query as Q
from crimebook.search.models import SearchDoc

FUZZY_CANDIDATES = 200
DOC = "search_searchdoc"
# the same list as migration 0002 (Belarusian has no Snowball stemmer in PostgreSQL)
PG_CONFIGS = ("simple", "russian", "english")


class Backend(Protocol):
    def text(self, qs: QuerySet[SearchDoc], parsed: Q.ParsedQuery) -> QuerySet[SearchDoc]:
        """Documents matching the words, best first."""
        ...

    def fuzzy(self, qs: QuerySet[SearchDoc], word: str, limit: int) -> list[tuple[int, float]]:
        """(document id, similarity) of names resembling ``word``, best first."""
        ...


class SqliteBackend:
    def text(self, qs: QuerySet[SearchDoc], parsed: Q.ParsedQuery) -> QuerySet[SearchDoc]:
        return qs.extra(  # noqa: S610 - fixed SQL; user text only as a bound parameter
            tables=["search_fts"],
            where=[f"search_fts.rowid = {DOC}.id", "search_fts MATCH %s"],
            params=[Q.fts5_match(parsed)],
            # title matches weigh ten times a body match; bm25 is lower for better matches
            select={"score": "bm25(search_fts, 10.0, 1.0)"},
            order_by=["score", "-id"],
        )

    def fuzzy(self, qs: QuerySet[SearchDoc], word: str, limit: int) -> list[tuple[int, float]]:
        candidates = qs.extra(  # noqa: S610 - fixed SQL; user text only as a bound parameter
            tables=["search_trgm"],
            where=[f"search_trgm.rowid = {DOC}.id", "search_trgm MATCH %s"],
            params=[Q.fts5_trigram_match(word)],
            select={"tscore": "bm25(search_trgm)"},
            order_by=["tscore"],
        ).values_list("id", "names")[:FUZZY_CANDIDATES]
        scored = [(pk, Q.word_similarity(word, names)) for pk, names in candidates]
        scored = [(pk, s) for pk, s in scored if s >= Q.FUZZY_THRESHOLD]
        scored.sort(key=lambda pair: (-pair[1], -pair[0]))
        return scored[:limit]


@cache
def pg_configs() -> tuple[str, ...]:
    """The text search configurations the index was built with (see migration 0002)."""
    with connection.cursor() as cur:
        cur.execute("SELECT cfgname FROM pg_ts_config WHERE cfgname = ANY(%s)", [list(PG_CONFIGS)])
        present = {row[0] for row in cur.fetchall()}
    return tuple(c for c in PG_CONFIGS if c in present)


class PostgresBackend:
    def _tsquery(self) -> str:
        return " || ".join(f"websearch_to_tsquery('{c}'::regconfig, %s)" for c in pg_configs())

    def text(self, qs: QuerySet[SearchDoc], parsed: Q.ParsedQuery) -> QuerySet[SearchDoc]:
        text = Q.websearch_text(parsed)
        n = len(pg_configs())
        tsquery = self._tsquery()
        return qs.extra(  # noqa: S610 - fixed SQL; user text only as a bound parameter
            where=[f"{DOC}.tsv @@ ({tsquery})"],
            params=[text] * n,
            select={"score": f"ts_rank({DOC}.tsv, {tsquery})"},
            select_params=[text] * n,
            order_by=["-score", "-id"],
        )

    def fuzzy(self, qs: QuerySet[SearchDoc], word: str, limit: int) -> list[tuple[int, float]]:
        with transaction.atomic(), connection.cursor() as cur:
            # the <% operator (which the trigram index serves) uses this threshold
            cur.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                [str(Q.FUZZY_THRESHOLD)],
            )
            rows = qs.extra(  # noqa: S610 - fixed SQL; user text only as a bound parameter
                where=[f"%s <%% {DOC}.names"],
                params=[word],
                select={"sim": f"word_similarity(%s, {DOC}.names)"},
                select_params=[word],
                order_by=["-sim", "-id"],
            ).values_list("id", "sim")[:limit]
            return [(int(pk), float(sim)) for pk, sim in rows]


def backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise RuntimeError(f"search does not support the {connection.vendor} database")
