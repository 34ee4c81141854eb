"""The violation-type filter of the incident list takes the term's id from the shared
reference cache: no term query per request, and a change to the terms is seen at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crimebook.register.models import Term
from crimebook.register.selectors import IncidentFilter, incidents_for
from tests import factories

pytestmark = pytest.mark.django_db


def _ids(user: Any, code: str) -> list[int]:
    return list(
        incidents_for(user, IncidentFilter(violation_type=code)).values_list("pk", flat=True)
    )


def test_the_type_filter_reads_the_term_id_from_the_cache(
    investigator: Any, compartment: Any
) -> None:
    # GIVEN a tortured and a detained victim's incidents, the cache warmed by one request
    tortured = factories.incident(compartment, violation_types=("torture",))
    factories.incident(compartment, violation_types=("arbitrary_detention",))
    assert _ids(investigator, "torture") == [tortured.pk]
    # WHEN the list is filtered again
    with CaptureQueriesContext(connection) as captured:
        assert _ids(investigator, "torture") == [tortured.pk]
    # THEN the only query is the list's own (no lookup of the term)
    assert len(captured.captured_queries) == 1
    assert '"register_term"' not in captured.captured_queries[0]["sql"]
    assert _ids(investigator, "no_such_type") == []


def test_a_term_change_is_seen_by_the_next_filter(investigator: Any, compartment: Any) -> None:
    tortured = factories.incident(compartment, violation_types=("torture",))
    assert _ids(investigator, "torture") == [tortured.pk]
    term = Term.objects.get(vocabulary__code="violation_type", code="torture")
    # a retired term still finds the records that were given it
    term.retired_in = "9"
    term.save()
    assert _ids(investigator, "torture") == [tortured.pk]
    # a recoded term is found by its new code only
    term.code = "torture_renamed"
    term.save()
    assert _ids(investigator, "torture") == []
    assert _ids(investigator, "torture_renamed") == [tortured.pk]
