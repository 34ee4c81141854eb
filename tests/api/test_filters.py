"""Every list's choice filter refuses a value no record can have with a 422 naming it (a
misspelt ``status=verifed`` read as "no such records"). Generated from the OpenAPI document:
a list route or a string filter added later is covered without touching this test."""

from __future__ import annotations

from typing import Any

import pytest

from crimebook.api.main import api

pytestmark = pytest.mark.django_db

# String parameters that are free text or a cursor, not a choice.
FREE_TEXT = {"q", "cursor", "place"}
BAD = "not-a-value"


def _choice_filters() -> list[tuple[str, str]]:
    """(path, parameter) of every string query parameter of a GET route without a path
    parameter (a list), free text excepted."""
    schema = api.get_openapi_schema(path_prefix="")
    found = []
    for path, ops in schema["paths"].items():
        get = ops.get("get")
        if get is None or "{" in path:
            continue
        for param in get.get("parameters", []):
            if (
                param["in"] == "query"
                and param["schema"].get("type") == "string"
                and "format" not in param["schema"]
                and param["name"] not in FREE_TEXT
            ):
                found.append((path, param["name"]))
    return sorted(found)


CHOICE_FILTERS = _choice_filters()


def test_the_generated_list_covers_the_known_choice_filters() -> None:
    # GIVEN the OpenAPI document; THEN the generator finds the filters this test is about
    # (a generator that found nothing would make the test below pass vacuously)
    assert {
        ("/incidents", "status"), ("/incidents", "violation_type"), ("/acts", "act_type"),
        ("/acts", "medical_grade"), ("/evidence", "kind"), ("/evidence", "status"),
        ("/leads", "kind"), ("/leads", "status"), ("/cases", "status"), ("/jobs", "status"),
        ("/sources", "kind"), ("/sources", "reliability"), ("/persons", "role"),
        ("/units", "unit_type"), ("/communications", "kind"), ("/search", "status"),
    } <= set(CHOICE_FILTERS)  # fmt: skip


@pytest.mark.parametrize(
    ("path", "name"), CHOICE_FILTERS, ids=[f"{p}?{n}" for p, n in CHOICE_FILTERS]
)
def test_a_choice_filter_value_no_record_can_have_is_a_422_naming_it(
    alice_api: Any, error_of: Any, path: str, name: str
) -> None:
    # GIVEN a member with a token; WHEN a list is filtered by a value no record can have
    response = alice_api.get(path, **{name: BAD})
    # THEN a 422 names the parameter and the value, not an empty page
    error = error_of(response, 422)
    assert name in error["fields"], error
    assert f"'{BAD}'" in error["fields"][name][0]
    # AND an empty value filters nothing (it is not refused)
    assert alice_api.get(path, **{name: ""}).status_code == 200


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [
        ("/cases", "status", "open"), ("/jobs", "status", "done"), ("/evidence", "kind", "photo"),
        ("/leads", "status", "proposed"), ("/sources", "reliability", "B"),
        ("/persons", "role", "victim"), ("/acts", "medical_grade", "consistent"),
        ("/communications", "kind", "call"), ("/search", "verification", "verified"),
    ],
)  # fmt: skip
def test_a_value_a_record_can_have_is_accepted(
    alice_api: Any, path: str, name: str, value: str
) -> None:
    # GIVEN a member; WHEN a list is filtered by a real choice; THEN it answers the list
    assert alice_api.get(path, **{name: value}).status_code == 200
