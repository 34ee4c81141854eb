"""BoundedPaginator reads the first keys once and each page's rows by key: same pages, same
order, as slicing the list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crimebook.accounts.models import Compartment
from crimebook.register.models import Incident
from crimebook.web.views import _common

from .conftest import make_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven(case_a: Compartment) -> list[int]:
    base = datetime(2020, 8, 10, 12, tzinfo=UTC)
    made = []
    for i in range(7):  # two share a start: the id breaks the tie
        start = base + timedelta(hours=min(i, 5))
        made.append(make_incident(case_a, title=f"Paged {i}", start=start, end=start).pk)
    return made


def test_pages_by_key_match_the_ordered_list(
    seven: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_common, "COUNT_CAP", 5)
    items = Incident.objects.filter(pk__in=seven).order_by("-start", "-id")
    ordered = list(items.values_list("pk", flat=True))
    paginator = _common.BoundedPaginator(items, 2)
    assert paginator.count == 6 and paginator.capped and paginator.num_pages == 3
    pages = [[row.pk for row in paginator.page(n).object_list] for n in (1, 2, 3)]
    assert pages == [ordered[0:2], ordered[2:4], ordered[4:5]]  # the last page stops at the cap
    assert all(isinstance(row, Incident) for row in paginator.page(1).object_list)


def test_a_row_gone_since_the_keys_were_read_is_left_out(seven: list[int]) -> None:
    items = Incident.objects.filter(pk__in=seven).order_by("-start", "-id")
    paginator = _common.BoundedPaginator(items, 3)
    assert paginator.count == 7
    keys = paginator._keys
    assert keys is not None
    Incident.objects.filter(pk=keys[0]).delete()
    assert [row.pk for row in paginator.page(1).object_list] == keys[1:3]


def test_values_and_lists_keep_the_plain_paging(seven: list[int]) -> None:
    rows = Incident.objects.filter(pk__in=seven).order_by("id").values("id", "title")
    page = _common.BoundedPaginator(rows, 4).page(2)
    assert [r["id"] for r in page.object_list] == sorted(seven)[4:]
    assert list(_common.BoundedPaginator(list(range(5)), 2).page(3).object_list) == [4]
