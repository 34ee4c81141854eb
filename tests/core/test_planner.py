"""SQLite planner statistics are refreshed for tables that grew; PostgreSQL is left to
autovacuum."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from crimebook.core import planner
from crimebook.jobs.queue import planner_statistics
from crimebook.register.models import Incident
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_tables_that_grew_are_analysed_once(compartment: Any) -> None:
    if connection.vendor != "sqlite":
        assert planner.stale_tables(min_rows=0) == []  # autovacuum's work
        return
    table = Incident._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("DELETE FROM sqlite_stat1")
    for i in range(3):
        f.incident(compartment, title=f"Growing {i}")
    assert table not in planner.stale_tables(min_rows=4)  # small tables are left alone
    assert table in planner.stale_tables(min_rows=3)  # never analysed
    assert table in planner.refresh_if_stale(min_rows=3)
    assert table not in planner.stale_tables(min_rows=3)  # analysed, not grown
    for i in range(3):
        f.incident(compartment, title=f"Grown {i}")
    assert table in planner.stale_tables(min_rows=3)  # doubled since


def test_the_hourly_task_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def refresh() -> list[str]:
        calls.append(1)
        return []

    monkeypatch.setattr(planner, "refresh_if_stale", refresh)
    planner_statistics.call_local()  # type: ignore[attr-defined]  # huey's periodic task
    assert calls == [1]
