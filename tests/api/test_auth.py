"""Deny by default: every route needs a valid bearer token (GIVEN / WHEN / THEN)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from crimebook.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def _call(client: Client, method: str, url: str, auth: str | None) -> Any:
    extra = {"HTTP_AUTHORIZATION": auth} if auth is not None else {}
    if method in {"POST", "PATCH", "PUT"}:
        return client.generic(method, url, data="{}", content_type="application/json", **extra)
    return client.generic(method, url, **extra)


def test_the_route_list_is_not_empty(operation: tuple[str, str]) -> None:
    method, path = operation
    assert method in {"GET", "POST", "PATCH", "PUT", "DELETE"}
    assert path.startswith("/")


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Bearer cb_not-a-real-token", "Basic YWxpY2U6eA==",
     "Token cb_x", "Bearer " + "cb_" + "x" * 200],
    ids=["absent", "empty", "no-token", "blank-token", "unknown", "basic", "other-scheme",
         "oversized"],
)  # fmt: skip
def test_every_route_refuses_requests_without_a_valid_token(
    operation: tuple[str, str], header: str | None, users: Any,
    error_of: Callable[..., dict[str, Any]], fill: Callable[..., str],
) -> None:  # fmt: skip
    method, path = operation
    # GIVEN any id in every path parameter (authentication comes before any lookup)
    url = "/api/v1" + fill(path)
    # WHEN the route is called without a usable token
    response = _call(Client(), method, url, header)
    # THEN it answers 401 in the error shape, asking for a bearer token
    error = error_of(response, 401)
    assert error["code"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("state", ["expired", "revoked", "inactive-user"])
def test_every_route_refuses_expired_revoked_and_disabled_tokens(
    operation: tuple[str, str], state: str, users: Any,
    make_token: Callable[..., str], error_of: Callable[..., dict[str, Any]],
    fill: Callable[..., str],
) -> None:  # fmt: skip
    method, path = operation
    # GIVEN a token that was once valid
    if state == "expired":
        secret = make_token(users.alice, expires_at=timezone.now() - timedelta(seconds=1))
    else:
        secret = make_token(users.alice)
        if state == "revoked":
            ApiToken.objects.filter(user=users.alice).update(revoked=True)
        else:
            users.alice.is_active = False
            users.alice.save()
    # WHEN it is used
    response = _call(Client(), method, "/api/v1" + fill(path), f"Bearer {secret}")
    # THEN the answer is the same 401 as for no token at all
    assert error_of(response, 401)["code"] == "unauthorized"


def test_a_valid_token_that_has_not_expired_is_accepted(
    users: Any, world: Any, make_token: Callable[..., str]
) -> None:
    secret = make_token(users.alice, expires_at=timezone.now() + timedelta(hours=1))
    response = Client().get("/api/v1/incidents", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_a_session_alone_does_not_authenticate_the_api(
    users: Any, world: Any, error_of: Callable[..., dict[str, Any]]
) -> None:
    # GIVEN alice signed in to the workspace pages (a session cookie, no token)
    client = Client()
    client.force_login(users.alice)
    # WHEN the API is called with the cookie only, THEN it refuses reads and writes
    assert error_of(client.get("/api/v1/incidents"), 401)["code"] == "unauthorized"
    response = client.post("/api/v1/sources", data="{}", content_type="application/json")
    error_of(response, 401)


def test_unknown_paths_answer_401_without_a_token_and_404_with_one(
    alice_api: Any, anonymous: Any, error_of: Callable[..., dict[str, Any]]
) -> None:
    for path in ("/nothing-here", "/incidents/abc", "/incidents/1/secret", "/"):
        error_of(anonymous.get(path), 401)
        assert error_of(alice_api.get(path), 404)["code"] == "not_found"


def test_responses_are_never_cached(alice_api: Any, anonymous: Any, world: Any) -> None:
    assert alice_api.get("/incidents")["Cache-Control"] == "no-store"
    assert anonymous.get("/incidents")["Cache-Control"] == "no-store"
