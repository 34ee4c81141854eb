"""Reading the audit log."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.db.models import QuerySet

from crimebook.audit.chain import ChainReport, EntryContent, verify_chain
from crimebook.audit.models import AuditEntry


def audit_entries_for_object(object_type: str, object_id: object) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id))


def _stream(
    progress: Callable[[int], None] | None, page: int
) -> Iterator[tuple[EntryContent, str]]:
    last = 0
    while True:
        rows = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:page])
        if not rows:
            return
        for row in rows:
            yield row.content(), row.entry_hash
        last = rows[-1].seq
        if progress is not None:
            progress(len(rows))


def audit_chain_verify(
    progress: Callable[[int], None] | None = None, page: int = 5000
) -> ChainReport:
    """Walk the whole chain in pages (bounded memory) and report the first break."""
    return verify_chain(_stream(progress, page))


def audit_count() -> int:
    return AuditEntry.objects.count()
