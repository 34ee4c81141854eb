"""``crimebook token create|list|revoke``."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from typer.testing import CliRunner

from crimebook.accounts.models import ApiToken
from crimebook.cli.app import app

pytestmark = pytest.mark.django_db

runner = CliRunner()


def test_create_list_revoke(users: Any, compartments: Any, world: Any) -> None:
    made = runner.invoke(
        app,
        ["token", "create", "alice", "--name", "ingest script", "--days", "7",
         "--compartment", compartments.a.name, "--read-only"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    secret = made.output.strip().splitlines()[-1]
    assert secret.startswith("cb_")
    token = ApiToken.objects.get(user=users.alice)
    assert token.read_only and list(token.compartments.all()) == [compartments.a]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert Client().get("/api/v1/incidents", **auth).status_code == 200  # type: ignore[arg-type]
    listed = runner.invoke(app, ["token", "list", "alice"])
    assert "ingest script" in listed.output and "read-only" in listed.output
    assert secret not in listed.output
    gone = runner.invoke(app, ["token", "revoke", str(token.pk)])
    assert gone.exit_code == 0, gone.output
    assert Client().get("/api/v1/incidents", **auth).status_code == 401  # type: ignore[arg-type]
    assert "no tokens" in runner.invoke(app, ["token", "list", "alice"]).output
    assert "revoked" in runner.invoke(app, ["token", "list", "alice", "--all"]).output


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["token", "create", "nobody", "--name", "x"], "no account"),
        (["token", "create", "alice", "--name", "x", "--days", "400"], "at most"),
        (["token", "create", "alice", "--name", "x", "--days", "0"], "at least 1"),
        (["token", "create", "alice", "--name", "x", "--compartment", "API case B"], "not a member"),
        (["token", "create", "alice", "--name", "x", "--compartment", "Nope"], "no compartment"),
        (["token", "create", "alice", "--name", "  "], "name"),
        (["token", "revoke", "999999"], "no token"),
    ],
)  # fmt: skip
def test_bad_input_fails_in_one_line_and_creates_nothing(
    users: Any, compartments: Any, argv: list[str], message: str
) -> None:
    result = runner.invoke(app, argv)
    assert result.exit_code == 1
    assert message in result.output
    assert not ApiToken.objects.exists()
