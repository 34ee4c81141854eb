"""Cursor pagination: every list route walks its records once, in a stable order, and
refuses a cursor it did not make (GIVEN / WHEN / THEN)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crimebook.api._common import decode_cursor, encode_cursor

pytestmark = pytest.mark.django_db

Check = Callable[..., dict[str, Any]]

LISTS = [
    "/incidents", "/acts", "/involvements", "/persons", "/sources", "/units", "/posts",
    "/deployments", "/evidence", "/staffing", "/dismissals", "/vocabularies", "/cameras",
    "/recordings", "/leads", "/cases", "/communications", "/jobs",
]  # fmt: skip
# /search pages through a bounded list of search hits (at most 1,000), not a table: it has
# its own page parameters (see crimebook.api.search).
OWN_PAGING = {"/search"}
# Short reference lists answered whole (a few dozen rows that change with releases).
UNPAGED = {"/cases/definitions"}


def test_every_list_route_is_covered_here(operation: tuple[str, str]) -> None:
    method, path = operation
    if method == "GET" and "{" not in path and path not in {"/openapi.json", "/docs"}:
        assert path in LISTS or path in OWN_PAGING | UNPAGED, f"add {path} to LISTS"


@pytest.mark.parametrize("path", LISTS)
def test_a_list_has_count_next_and_items(alice_api: Any, world: Any, path: str) -> None:
    response = alice_api.get(path, limit=1)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"count", "next", "items"}
    assert len(body["items"]) <= 1
    assert (body["next"] is not None) == (body["count"] > 1)


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "cursor", ["not-base64!", "djE6", "djI6MTA", "eA", "djE6LTE", "djE6MWUz", "a" * 101]
)
def test_a_cursor_the_api_did_not_make_is_a_400(
    alice_api: Any, path: str, cursor: str, error_of: Check
) -> None:
    # GIVEN garbage, an empty id, another version, a negative id, an exponent, too long
    error = error_of(alice_api.get(path, cursor=cursor), 400 if len(cursor) <= 100 else 422)
    assert error["code"] in {"bad_request", "validation_failed"}


def test_walking_units_by_cursor_sees_each_once_newest_first(alice_api: Any, world: Any) -> None:
    from crimebook.register import services as s

    # GIVEN more units than one page holds
    for n in range(5):
        s.unit_create(actor=None, data=s.UnitData(code=f"u-{n}", name=f"Unit {n}", unit_type="riot_police"))  # fmt: skip
    # WHEN a client follows next until it is null
    seen: list[int] = []
    cursor = ""
    while True:
        body = alice_api.get("/units", limit=3, cursor=cursor).json()
        seen += [u["id"] for u in body["items"]]
        if body["next"] is None:
            break
        cursor = body["next"]
    # THEN it has seen every unit exactly once, newest first
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == len(set(seen)) == body["count"] == 7


def test_a_record_added_while_walking_does_not_shift_the_pages(alice_api: Any, world: Any) -> None:
    from crimebook.register import services as s

    first = alice_api.get("/units", limit=1).json()
    s.unit_create(actor=None, data=s.UnitData(code="late", name="Late unit", unit_type="riot_police"))  # fmt: skip
    second = alice_api.get("/units", limit=1, cursor=first["next"]).json()
    # an offset would now repeat the first page's unit; the cursor continues after it
    assert second["items"][0]["id"] < first["items"][0]["id"]


def test_cursor_round_trip() -> None:
    for pk in (1, 42, 2**62):
        assert decode_cursor(encode_cursor(pk)) == pk
