"""Writing the index: (re)index records by kind and id, drop documents of deleted records,
and rebuild everything.

``index_records(kind, ids)`` is the one entry point for writers. The signal receivers in
``signals.py`` call it for every save/delete/link made through the ORM, inside the writer's
transaction (so a rolled-back write leaves no document behind); code that writes around the
ORM (the bulk importer's ``COPY``/``executemany``, ``QuerySet.update``) calls it itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db import transaction

from crimebook.search._setbased import index_incidents
from crimebook.search.documents import BUILDERS, model_of
from crimebook.search.models import Kind, SearchDoc, SearchTag

BATCH = 1000
SET_BASED: dict[str, Callable[[Iterable[int]], int]] = {Kind.INCIDENT: index_incidents}


def _chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _write(kind: str, ids: Sequence[int], *, replace: bool) -> int:
    docs = BUILDERS[kind](ids)
    if replace:
        _delete(kind, ids)
    created = SearchDoc.objects.bulk_create([SearchDoc(**d.fields(kind)) for d in docs])
    SearchTag.objects.bulk_create(
        [
            SearchTag(doc_id=row.pk, facet=facet, value=value)
            for row, d in zip(created, docs, strict=True)
            for facet, value in d.tags()
        ]
    )
    return len(docs)


def _delete(kind: str, ids: Sequence[int]) -> None:
    """Two plain DELETEs (the ORM's collector would first SELECT every row to cascade)."""
    db = SearchDoc.objects.db
    SearchTag.objects.filter(doc__kind=kind, doc__object_id__in=ids)._raw_delete(db)
    SearchDoc.objects.filter(kind=kind, object_id__in=ids)._raw_delete(db)


def index_records(kind: str, ids: Iterable[int]) -> int:
    """Bring the documents of these records up to date: rebuilt if the record exists, removed
    if it does not (any more). Returns the number of documents written."""
    if kind not in BUILDERS:
        raise ValueError(f"not an indexed kind: {kind!r}")
    wanted = sorted({int(i) for i in ids})
    written = 0
    with transaction.atomic():
        for chunk in _chunks(wanted, BATCH):
            written += _write(kind, chunk, replace=True)
    return written


def index_records_bulk(kind: str, ids: Iterable[int]) -> int:
    """The same as :func:`index_records`, but the database builds the documents itself
    (``INSERT … SELECT``, ``_setbased.py``) where the kind allows it — incidents — so no
    row passes through Python: for writers of many rows (the bulk importer, a service-mode
    import's deferred pass). Other kinds fall back to :func:`index_records`. Same
    transaction rules: call inside the writer's transaction."""
    if kind not in BUILDERS:
        raise ValueError(f"not an indexed kind: {kind!r}")
    builder = SET_BASED.get(kind)
    if builder is None:
        return index_records(kind, ids)
    with transaction.atomic():
        return builder(ids)


def index_remove(kind: str, ids: Iterable[int]) -> None:
    wanted = [int(i) for i in ids]
    with transaction.atomic():
        _delete(kind, wanted)


@dataclass
class ReindexSummary:
    documents: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.documents.values())


def index_counts() -> dict[str, int]:
    """How many records of each kind exist (what a full rebuild will write)."""
    return {kind: model_of(kind)._default_manager.count() for kind in Kind.values}


def reindex_all(
    *, kinds: Sequence[str] | None = None, progress: Callable[[str, int], None] | None = None
) -> ReindexSummary:
    """Rebuild the documents of ``kinds`` (default: all) from the records (incidents
    set-based, see :func:`index_records_bulk`), one transaction per batch of ``BATCH`` (search keeps working meanwhile: each batch replaces its own
    documents), then drop documents whose record no longer exists. ``progress(kind, n)``
    after each batch."""
    summary = ReindexSummary()
    for kind in kinds or Kind.values:
        if kind not in BUILDERS:
            raise ValueError(f"not an indexed kind: {kind!r}")
        model = model_of(kind)
        ids = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
        done = 0
        set_based = SET_BASED.get(kind)  # the same documents, built by the database
        for chunk in _chunks(ids, BATCH):
            with transaction.atomic():
                done += set_based(chunk) if set_based else _write(kind, chunk, replace=True)
            if progress is not None:
                progress(kind, len(chunk))
        with transaction.atomic():
            orphans = SearchDoc.objects.filter(kind=kind).exclude(
                object_id__in=model._default_manager.values("pk")
            )
            SearchTag.objects.filter(doc__in=orphans).delete()
            orphans.delete()
        summary.documents[kind] = done
    return summary
