"""The OpenAPI document and the docs page: behind authentication, and the docs page loads
nothing from a third-party host."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from crimebook.api.main import api

pytestmark = pytest.mark.django_db

EXPECTED = {
    ("GET", "/incidents"), ("POST", "/incidents"), ("GET", "/incidents/{incident_id}"),
    ("PATCH", "/incidents/{incident_id}"), ("GET", "/acts"), ("POST", "/acts"),
    ("GET", "/acts/{act_id}"), ("PATCH", "/acts/{act_id}"), ("GET", "/involvements"),
    ("POST", "/involvements"), ("GET", "/persons"), ("GET", "/persons/{person_id}"),
    ("GET", "/sources"), ("POST", "/sources"), ("GET", "/sources/{source_id}"),
    ("PATCH", "/sources/{source_id}"), ("GET", "/units"), ("POST", "/units"),
    ("GET", "/units/{unit_id}"), ("PATCH", "/units/{unit_id}"),
    ("GET", "/units/{unit_id}/parents"), ("POST", "/units/{unit_id}/parents"),
    ("PATCH", "/units/{unit_id}/parents/{link_id}"), ("GET", "/units/{unit_id}/children"),
    ("GET", "/posts"), ("POST", "/posts"), ("GET", "/posts/{post_id}"),
    ("PATCH", "/posts/{post_id}"), ("GET", "/deployments"), ("POST", "/deployments"),
    ("GET", "/deployments/{deployment_id}"), ("PATCH", "/deployments/{deployment_id}"),
    ("GET", "/evidence"), ("POST", "/evidence"), ("GET", "/evidence/{evidence_id}"),
    ("POST", "/persons"), ("POST", "/persons/{person_id}/reveal"),
    ("GET", "/staffing"), ("POST", "/staffing"), ("GET", "/staffing/{staffing_id}"),
    ("GET", "/dismissals"), ("POST", "/dismissals"), ("GET", "/dismissals/{dismissal_id}"),
    ("GET", "/vocabularies"), ("GET", "/vocabularies/{code}"),
    ("GET", "/vocabularies/{code}/terms"), ("GET", "/cameras"), ("GET", "/cameras/{camera_id}"),
    ("GET", "/recordings"), ("GET", "/recordings/{recording_id}"),
    ("GET", "/jobs"), ("GET", "/jobs/{job_id}"),
    ("GET", "/communications"), ("POST", "/communications"),
    ("GET", "/communications/{communication_id}"),
    *(("POST", f"/{r}/bulk") for r in (
        "incidents", "acts", "involvements", "persons", "sources", "units", "posts",
        "deployments", "staffing", "dismissals",
    )),
}  # fmt: skip
# Built by other modules at the same time; checked by their own tests.
OTHERS = ("/leads", "/cases", "/search")


def test_the_openapi_document_lists_every_route(alice_api: Any) -> None:
    response = alice_api.get("/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    found = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, ops in doc["paths"].items()
        for method in ops
    }
    assert {(m, p) for m, p in found if not p.startswith(OTHERS)} == EXPECTED
    # every operation is declared as needing the bearer token and documents the error shape
    for ops in doc["paths"].values():
        for op in ops.values():
            assert op["security"] == [{"BearerToken": []}]
            for status in ("401", "503"):  # 503: SQLite's write lock held by a long import
                assert op["responses"][status]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorOut"
                }, (status, op.get("operationId"))
    assert doc["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    # persons have no identity fields in the schema at all
    person = doc["components"]["schemas"]["PersonOut"]["properties"]
    assert set(person) == {"id", "pseudonym", "compartment_id", "roles"}


def test_the_openapi_document_and_docs_need_authentication(
    anonymous: Any, error_of: Callable[..., dict[str, Any]]
) -> None:
    error_of(anonymous.get("/openapi.json"), 401)
    response = Client().get("/api/v1/docs")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_docs_page_uses_only_local_assets(users: Any) -> None:
    client = Client()
    client.force_login(users.alice)
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    # no URL to any other host: no CDN, no fonts, no analytics
    assert re.findall(r"(?:https?:)?//[\w.-]+", html) == []
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    assert "/static/ninja/swagger-ui.css" in assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not served"
    # the page needs no inline script: the strict site CSP can stay as it is
    assert re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html) == []
    assert "/api/v1/openapi.json" in html
    assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io


def test_the_docs_page_accepts_a_token_too(alice_api: Any) -> None:
    assert alice_api.get("/docs").status_code == 200


def test_openapi_schema_path_prefix_is_the_mount_point() -> None:
    assert api.get_openapi_schema(path_prefix="/api/v1")["info"]["title"] == "Crimebook API"
