"""The audit log is a hash chain: verify detects modified, deleted and reordered entries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from crimebook.audit.models import AuditEntry
from crimebook.audit.selectors import audit_chain_verify
from crimebook.audit.services import audit_record
from tests import factories as f

pytestmark = pytest.mark.django_db


def _seed(n: int = 5) -> None:
    for i in range(n):
        audit_record(
            actor=None,
            action="create",
            object_type="test.thing",
            object_id=i,
            changes={"n": [None, i]},
        )


def _raw(sql: str, params: list[Any]) -> None:
    """Tamper as an attacker with database access would (bypassing the PG trigger)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")


def test_intact_chain_verifies(compartment: Any) -> None:
    f.incident(compartment)
    _seed()
    report = audit_chain_verify()
    assert report.ok and report.entries == AuditEntry.objects.count()
    assert report.head_hash == AuditEntry.objects.order_by("-seq").first().entry_hash  # type: ignore[union-attr]


def test_modified_entry_is_named() -> None:
    _seed()
    _raw("UPDATE audit_auditentry SET action = %s WHERE seq = %s", ["delete", 3])
    report = audit_chain_verify()
    assert not report.ok and report.first_break is not None
    assert report.first_break.seq == 3 and "modified" in report.first_break.reason


def test_deleted_entry_is_named() -> None:
    _seed()
    _raw("DELETE FROM audit_auditentry WHERE seq = %s", [2])
    report = audit_chain_verify()
    assert report.first_break is not None and report.first_break.seq == 3
    assert "missing" in report.first_break.reason


def test_reordered_entries_are_named() -> None:
    _seed()
    # swap the sequence numbers of entries 2 and 4 (via a temporary number)
    _raw("UPDATE audit_auditentry SET seq = 1000 WHERE seq = %s", [2])
    _raw("UPDATE audit_auditentry SET seq = 2 WHERE seq = %s", [4])
    _raw("UPDATE audit_auditentry SET seq = 4 WHERE seq = %s", [1000])
    report = audit_chain_verify()
    assert report.first_break is not None and report.first_break.seq == 2
    assert "reordered" in report.first_break.reason


def test_verify_pages_through_long_chains() -> None:
    _seed(23)
    seen: list[int] = []
    report = audit_chain_verify(progress=seen.append, page=5)
    assert report.ok and report.entries == 23 and sum(seen) == 23


def test_postgres_trigger_refuses_update_and_delete() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only; SQLite relies on verify")
    from django.db import DatabaseError

    _seed(2)
    for sql in ("UPDATE audit_auditentry SET action = 'x'", "DELETE FROM audit_auditentry"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(sql)
    assert AuditEntry.objects.count() == 2
