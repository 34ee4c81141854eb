"""The two ways the database matches text: SQLite FTS5 and PostgreSQL full-text + pg_trgm.

Both take a queryset of documents already narrowed to what the user may see and the facets
chosen, and add the text condition to it — so visibility and facets are applied *before*
the result is bounded, never after. Only parsed, re-quoted words reach the database
(``query.py``); the text is always a bound parameter.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import Any, Protocol

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, transaction
from django.db.models import QuerySet
from django.db.models.functions import Substr

from crimebook.search import query as Q
from crimebook.search.models import SearchDoc

FUZZY_CANDIDATES = 200
# read with each hit, for the facet counts (no second read of the documents)
FACET_COLUMNS = ("kind", "status", "verification", "place", "has_evidence", "has_suspect")
Found = tuple[int, float, tuple[Any, ...]]  # (document id, relevance, FACET_COLUMNS values)
DOC = "search_searchdoc"
TAG = "search_searchtag"
# the same list as migration 0002 (Belarusian has no Snowball stemmer in PostgreSQL)
PG_CONFIGS = ("simple", "russian", "english")


class Backend(Protocol):
    def hits(self, qs: QuerySet[SearchDoc], parsed: Q.ParsedQuery, limit: int) -> list[Found]:
        """(document id, relevance — higher is better, facet values) of up to ``limit``
        documents matching the words, newest document first: the text index is read in document order and
        stops at ``limit`` (no pass over every match of a common word)."""
        ...

    def fuzzy(self, qs: QuerySet[SearchDoc], word: str, limit: int) -> list[tuple[int, float]]:
        """(document id, similarity) of names resembling ``word``, best first."""
        ...

    def tag_counts(self, ids: Sequence[int]) -> list[tuple[str, str, int]]:
        """(facet, value, number of tags) over the tags of these documents."""
        ...


def _tag_counts(ids_in: str, ids: Any) -> list[tuple[str, str, int]]:
    # counted by the database over one parameter holding every id: an ORM ``__in`` of 1,000
    # ids prepared each value in Python (≈3 ms a search, more than the query)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT facet, value, COUNT(*) FROM {TAG} WHERE doc_id {ids_in} "  # noqa: S608 - constants
            "GROUP BY facet, value",
            [ids],
        )
        return [(str(f), str(v), int(n)) for f, v, n in cur.fetchall()]


def _fetch(qs: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` queryset of text and flag columns on SQLite, without the
    ORM's per-row converters: the driver already returns a ``bool`` column as ``bool`` (Django
    declares it ``bool`` and registers the converter; NULL stays ``None``), so the rows are the
    same — for the 1,000 hits a search reads, ≈1 ms less."""
    try:
        sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    except EmptyResultSet:  # e.g. ``none()``: nothing the user may see
        return []
    with connections[qs.db].cursor() as cur:
        cur.execute(sql, params)
        rows: list[tuple[Any, ...]] = cur.fetchall()
        return rows


class SqliteBackend:
    def hits(self, qs: QuerySet[SearchDoc], parsed: Q.ParsedQuery, limit: int) -> list[Found]:
        # FTS5 streams its matches in rowid order (ORDER BY rowid is the virtual table's
        # own); each is joined to its document by primary key and kept if visible and in
        # the facets, until ``limit``. Ranked in Python (query.relevance_scorer): bm25() would read
        # every match of every word first.
        rows = qs.extra(  # noqa: S610 - fixed SQL; user text only as a bound parameter
            tables=["search_fts"],
            where=[f"search_fts.rowid = {DOC}.id", "search_fts MATCH %s"],
            params=[Q.fts5_match(parsed)],
            order_by=["-search_fts.rowid"],
        ).values_list("id", "title", Substr("body", 1, Q.RANK_TEXT_CHARS), *FACET_COLUMNS)[:limit]
        score = Q.relevance_scorer(parsed)
        return [(row[0], score(row[1], row[2] or ""), row[3:]) for row in _fetch(rows)]

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

    def tag_counts(self, ids: Sequence[int]) -> list[tuple[str, str, int]]:
        return _tag_counts("IN (SELECT value FROM json_each(%s))", json.dumps(list(ids)))


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

    def hits(self, qs: QuerySet[SearchDoc], parsed: Q.ParsedQuery, limit: int) -> list[Found]:
        # newest first with a LIMIT: the planner walks the primary key backwards while the
        # words are common, or takes the GIN index and sorts the few matches when they are
        # rare; ts_rank is computed for the returned rows only
        text = Q.websearch_text(parsed)
        n = len(pg_configs())
        tsquery = self._tsquery()
        rows = qs.extra(  # noqa: S610 - fixed SQL; user text only as a bound parameter
            where=[f"{DOC}.tsv @@ ({tsquery})"],
            params=[text] * n,
            select={"score": f"ts_rank({DOC}.tsv, {tsquery})"},
            select_params=[text] * n,
            order_by=["-id"],
        ).values_list("id", "score", *FACET_COLUMNS)[:limit]
        return [(int(row[0]), float(row[1]), tuple(row[2:])) for row in rows]

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

    def tag_counts(self, ids: Sequence[int]) -> list[tuple[str, str, int]]:
        # the array as its text form, cast by the server: psycopg dumped a list of 1,000
        # ints element by element
        return _tag_counts("= ANY(%s::bigint[])", "{" + ",".join(str(int(pk)) for pk in ids) + "}")


def backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise RuntimeError(f"search does not support the {connection.vendor} database")
