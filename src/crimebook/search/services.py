"""The index's one audited write: a full rebuild (``crimebook search reindex``). Ordinary
updates follow the records' own audited writes (``signals.py``) and are not audited twice."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import transaction

from crimebook.audit.services import audit_record
from crimebook.search.indexing import ReindexSummary

Progress = Callable[[str, int], None]


def reindex_audited(
    *,
    kinds: Sequence[str],
    progress: Progress | None,
    run: Callable[..., ReindexSummary],
) -> ReindexSummary:
    summary = run(kinds=kinds, progress=progress)
    with transaction.atomic():
        audit_record(
            actor=None, action="reindex", object_type="search.searchdoc", object_id="*",
            changes={"documents": summary.documents},
        )  # fmt: skip
    return summary
