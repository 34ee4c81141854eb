"""Values at the edges of every type the document declares get a 4xx in the error shape,
never a 5xx: ids beyond the database's integers, the first and last days of the calendar,
NUL bytes, huge and negative numbers — for every query and path parameter of every GET
route, generated from the OpenAPI document (schemathesis samples; this enumerates)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from crimebook.api.main import api

pytestmark = pytest.mark.django_db

EDGES: dict[str, list[str]] = {
    "integer": [str(2**70), str(2**63), "-1", "0", "-" + str(2**70)],
    "date": ["0001-01-01", "9999-12-31"],
    "date-time": ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"],
    "string": ["\x00", "%", "_", "x" * 5000],
    "number": ["1e308", "-1e308", "nan", "inf"],
    "boolean": ["maybe"],
}


def _kind(schema: dict[str, Any]) -> str:
    for option in [schema, *schema.get("anyOf", [])]:
        if option.get("format") in {"date", "date-time"}:
            return str(option["format"])
        if option.get("type") in EDGES:
            return str(option["type"])
    return "string"


def _cases() -> dict[str, list[tuple[str, str, str]]]:
    doc = api.get_openapi_schema(path_prefix="")
    cases: dict[str, list[tuple[str, str, str]]] = {}
    for path, ops in doc["paths"].items():
        op = ops.get("get")
        if op is None:
            continue
        for param in op.get("parameters", []):
            for value in EDGES[_kind(param.get("schema", {}))]:
                cases.setdefault(path, []).append((param["in"], param["name"], value))
    return cases


CASES = _cases()


@pytest.mark.parametrize("path", sorted(CASES))
def test_edge_values_are_client_errors_never_server_errors(
    alice_api: Any, users: Any, path: str, error_of: Callable[..., dict[str, Any]]
) -> None:
    for where, name, value in CASES[path]:
        if where == "path":
            url = re.sub(
                r"\{(\w+)\}", lambda m, v=value, n=name: v if m.group(1) == n else "1", path
            )
            response = alice_api.get(url.replace("\x00", "%00"))
        else:
            response = alice_api.get(re.sub(r"\{(\w+)\}", "1", path), **{name: value})
        assert response.status_code < 500, (name, value, response.content[:300])
        if response.status_code >= 400:
            error_of(response, response.status_code)


def test_a_nul_character_is_refused_in_bodies_queries_and_paths_before_any_write(
    alice_api: Any, anonymous: Any, compartments: Any, error_of: Callable[..., dict[str, Any]]
) -> None:
    from crimebook.register.models import Incident

    # PostgreSQL cannot store NUL in text: refused on every database, nothing written
    body = {"compartment_id": compartments.a.pk, "title": "bad\x00title"}
    assert "NUL" in error_of(alice_api.post("/incidents", body), 422)["message"]
    bulk = {"items": [{"compartment_id": compartments.a.pk, "title": "ok", "place_name\x00": ""}]}
    error_of(alice_api.post("/incidents/bulk", bulk), 422)
    assert not Incident.objects.exists()
    error_of(alice_api.get("/incidents", q="a\x00b"), 422)
    error_of(alice_api.get("/vocabularies/a%00b"), 422)
    # and without a token the answer is still the 401
    error_of(anonymous.get("/incidents", q="a\x00b"), 401)
