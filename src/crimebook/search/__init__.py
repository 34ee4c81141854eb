"""Search across the register, the evidence vault and intake metadata (issue 7, point 1).

Public face:

* :func:`search_for` (``selectors.py``) — the one read: words, misspellings, facets, bounded
  and paginated, only what the user may see;
* :func:`index_records` (``indexing.py``) — bring documents up to date after a write that
  bypasses the ORM (bulk ``COPY``, ``QuerySet.update``); ORM writes are followed by the
  receivers in ``signals.py``;
* :func:`index_records_bulk` — the same documents built by the database (``INSERT …
  SELECT``) for writers of many rows (bulk import);
* :func:`deferred_indexing` — inside one transaction that writes many records through the
  services, rebuild their documents in one pass at the end instead of at each write;
* :func:`reindex_all` — rebuild everything (``crimebook search reindex``).

Backends (``_backend.py``): SQLite FTS5 (``unicode61`` + ``trigram``) and PostgreSQL
full-text (``simple``/``russian``/``english``) + ``pg_trgm``. The parser (``query.py``) is
pure and makes every user query safe before either backend sees it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crimebook.search.indexing import ReindexSummary
    from crimebook.search.selectors import SearchParams, SearchResult

__all__ = ["deferred_indexing", "index_records", "index_records_bulk", "reindex_all", "search_for"]


def search_for(user: Any, params: SearchParams) -> SearchResult:
    from crimebook.search.selectors import search_for as impl

    return impl(user, params)


def index_records(kind: str, ids: Iterable[int]) -> int:
    from crimebook.search.indexing import index_records as impl

    return impl(kind, ids)


def index_records_bulk(kind: str, ids: Iterable[int]) -> int:
    from crimebook.search.indexing import index_records_bulk as impl

    return impl(kind, ids)


def deferred_indexing() -> AbstractContextManager[None]:
    from crimebook.search.signals import deferred

    return deferred()


def reindex_all(
    *, kinds: Sequence[str] | None = None, progress: Callable[[str, int], None] | None = None
) -> ReindexSummary:
    from crimebook.search.indexing import reindex_all as impl

    return impl(kinds=kinds, progress=progress)
