"""/account/tokens/: a user creates (secret shown once), lists and revokes their own
tokens, and no one else's."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from crimebook.accounts.models import ApiToken
from crimebook.accounts.services import api_token_create

pytestmark = pytest.mark.django_db

URL = "/account/tokens/"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_create_shows_the_secret_once_and_the_token_works(
    users: Any, compartments: Any, world: Any
) -> None:
    client = _client(users.alice)
    page = client.get(URL)
    assert page.status_code == 200 and b"You have no API tokens" in page.content
    made = client.post(
        URL, {"create": "1", "name": "laptop", "days": "30",
              "compartments": [str(compartments.a.pk)], "read_only": "on"},
    )  # fmt: skip
    assert made.status_code == 200
    assert made["Cache-Control"].startswith("max-age=0") or "no-cache" in made["Cache-Control"]
    secret = re.search(rb'value="(cb_[^"]+)"', made.content)
    assert secret is not None
    token = ApiToken.objects.get(user=users.alice)
    assert token.read_only and token.name == "laptop"
    assert [c.pk for c in token.compartments.all()] == [compartments.a.pk]
    # the secret is not on the next view of the page
    assert secret.group(1) not in client.get(URL).content
    api = Client().get("/api/v1/incidents", HTTP_AUTHORIZATION=f"Bearer {secret.group(1).decode()}")
    assert api.status_code == 200


@pytest.mark.parametrize(
    "data",
    [{"name": "", "days": "30"}, {"name": "x", "days": "0"}, {"name": "x", "days": "91"},
     {"name": "x", "days": "abc"}, {"name": "x", "days": "30", "compartments": ["999999"]}],
)  # fmt: skip
def test_bad_input_creates_nothing(users: Any, compartments: Any, data: dict[str, Any]) -> None:
    response = _client(users.alice).post(URL, {"create": "1", **data})
    assert response.status_code == 422
    assert b"cb_" not in response.content
    assert not ApiToken.objects.exists()


def test_a_user_revokes_their_own_token_and_no_one_elses(users: Any) -> None:
    mine, _ = api_token_create(actor=None, user=users.alice, name="mine")
    theirs, _ = api_token_create(actor=None, user=users.mallory, name="theirs")
    client = _client(users.alice)
    page = client.get(URL).content
    assert b"mine" in page and b"theirs" not in page
    assert client.post(URL, {"revoke": str(theirs.pk)}).status_code == 404
    assert client.post(URL, {"revoke": "nonsense"}).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.revoked
    assert client.post(URL, {"revoke": str(mine.pk)}).status_code == 302
    mine.refresh_from_db()
    assert mine.revoked
    assert "Revoke" not in client.get(URL).content.decode()


def test_the_page_needs_a_login() -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
