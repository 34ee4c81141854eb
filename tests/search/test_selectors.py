"""search_for: words, stems, misspellings, facets, bounds — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection

from crimebook.core.errors import ValidationFailed
from crimebook.register import services as s
from crimebook.search.models import SearchDoc
from crimebook.search.selectors import SearchParams, search_for
from tests import factories as f

pytestmark = pytest.mark.django_db


def _found(user: Any, q: str = "", **kw: Any) -> set[tuple[str, int]]:
    result = search_for(user, SearchParams(q=q, per_page=100, **kw))
    return {(h.kind, h.object_id) for h in result.hits}


def test_incident_found_by_word_of_its_title_and_description(
    investigator: Any, compartment: Any
) -> None:
    # GIVEN an incident with a Russian description
    incident = f.incident(
        compartment, title="Задержание у Пушкинской", description="Избиение дубинками в автозаке"
    )
    # WHEN searching for words of it THEN it is found
    assert ("incident", incident.pk) in _found(investigator, "дубинками")
    assert ("incident", incident.pk) in _found(investigator, "пушкинской задержание")
    assert ("incident", incident.pk) not in _found(investigator, "дубинками -автозаке")
