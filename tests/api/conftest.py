"""Fixtures for the REST API tests: keys, users with tokens, and a small register in two
compartments, all made through the services as the application does."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from crimebook.core import keys

API = "/api/v1"


@pytest.fixture(autouse=True)
def _key_file(settings: Any, tmp_path: Path) -> Iterator[None]:
    """A fresh key file per test (same name as the suite-wide fixture, which it replaces)."""
    settings.CRIMEBOOK_KEY_DIR = tmp_path / "api-keys"
    # password hashing is not under test here and PBKDF2 would dominate the run time
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # the rate limit has its own tests; elsewhere it must not get in the way
    settings.CRIMEBOOK_API_RATE_BURST = 100_000
    cache.clear()
    keys.get_keyring.cache_clear()
    keys.keys_init()
    yield
    keys.get_keyring.cache_clear()


@dataclass
class ApiClient:
    """A Django test client that sends a bearer token and JSON bodies."""

    client: Client
    token: str | None

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def request(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        url = path if path.startswith(API) else f"{API}{path}"
        kwargs: dict[str, Any] = dict(self._headers())
        if body is not None:
            kwargs["data"] = body if isinstance(body, str | bytes) else json.dumps(body)
            kwargs["content_type"] = "application/json"
        elif query:
            kwargs["data"] = query
        return getattr(self.client, method.lower())(url, **kwargs)

    def get(self, path: str, **query: Any) -> Any:
        return self.request("GET", path, **query)

    def post(self, path: str, body: Any = None) -> Any:
        return self.request("POST", path, body if body is not None else {})

    def patch(self, path: str, body: Any = None) -> Any:
        return self.request("PATCH", path, body if body is not None else {})


def check_error(response: Any, status: int) -> dict[str, Any]:
    """Assert the one error shape and status; return the error object."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    return dict(error)


@pytest.fixture
def compartments(db: Any) -> SimpleNamespace:
    from crimebook.accounts.services import compartment_create

    return SimpleNamespace(
        a=compartment_create(actor=None, name="API case A"),
        b=compartment_create(actor=None, name="API case B"),
    )


@pytest.fixture
def make_token(db: Any) -> Callable[..., str]:
    from crimebook.accounts.models import ApiToken
    from crimebook.accounts.services import api_token_create

    def make(user: Any, expires_at: datetime | None = None, **scope: Any) -> str:
        token, secret = api_token_create(actor=None, user=user, name="test", **scope)
        if expires_at is not None:  # may be in the past, which the service refuses
            ApiToken.objects.filter(pk=token.pk).update(expires_at=expires_at)
        return secret

    return make


@pytest.fixture
def users(compartments: SimpleNamespace) -> SimpleNamespace:
    from crimebook.accounts.models import User
    from crimebook.accounts.services import membership_set

    def user(name: str, role: str, compartment: Any) -> Any:
        u = User.objects.create_user(username=name, password="x-Strong-pass-42", role=role)
        membership_set(actor=None, user=u, compartment=compartment, role=role)
        return u

    return SimpleNamespace(
        alice=user("alice", "investigator", compartments.a),
        rita=user("rita", "read_only", compartments.a),
        mallory=user("mallory", "investigator", compartments.b),
    )


@pytest.fixture
def api_as(make_token: Callable[..., str]) -> Callable[[Any], ApiClient]:
    return lambda user: ApiClient(Client(), make_token(user) if user is not None else None)


@pytest.fixture
def alice_api(api_as: Callable[[Any], ApiClient], users: SimpleNamespace) -> ApiClient:
    return api_as(users.alice)


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient(Client(), None)


WHEN = datetime(2020, 8, 10, 19, 0, tzinfo=UTC)
VICTIM_NAME = "Алесь Тэставы"


def _register_in(compartment: Any, tag: str, unit: Any) -> SimpleNamespace:
    from crimebook.register import services as s

    source = s.source_create(actor=None, data=s.SourceData(
        compartment_id=compartment.pk, kind="interview", title=f"Interview {tag}",
        reliability="B", credibility=2, consent_investigation=True,
    ))  # fmt: skip
    victim = s.person_create(actor=None, data=s.PersonData(
        compartment_id=compartment.pk, is_victim=True,
        identity=s.PersonIdentity(full_name=VICTIM_NAME, birth_date=date(1990, 5, 1)),
    ))  # fmt: skip
    officer = s.person_create(actor=None, data=s.PersonData(
        compartment_id=compartment.pk, is_perpetrator=True,
        identity=s.PersonIdentity(full_name="Officer Testau"),
    ))  # fmt: skip
    incident = s.incident_create(actor=None, data=s.IncidentData(
        compartment_id=compartment.pk, title=f"Beating near Pushkinskaya {tag}",
        start=WHEN, end=WHEN + timedelta(hours=1), place_name="Pushkinskaya metro",
        latitude=53.9093, longitude=27.4955, radius_m=300.0, violation_types=("torture",),
        source_ids=(source.pk,),
    ))  # fmt: skip
    act = s.act_create(actor=None, data=s.ActData(
        incident_id=incident.pk, victim_id=victim.pk, act_type="beating", injuries=("bruising",),
    ))  # fmt: skip
    involvement = s.involvement_create(actor=None, data=s.InvolvementData(
        act_id=act.pk, person_id=officer.pk, degree="perpetrated",
        basis_source_ids=(source.pk,),
    ))  # fmt: skip
    post = s.post_create(actor=None, data=s.PostData(
        person_id=officer.pk, unit_id=unit.pk, rank="sergeant", start=date(2019, 1, 1),
        source_id=source.pk,
    ))  # fmt: skip
    deployment = s.deployment_create(actor=None, data=s.DeploymentData(
        compartment_id=compartment.pk, unit_id=unit.pk, source_id=source.pk, start=WHEN,
        end=WHEN + timedelta(hours=3), place_name="Pushkinskaya", latitude=53.91,
        longitude=27.50, radius_m=1000.0,
    ))  # fmt: skip
    return SimpleNamespace(
        source=source, victim=victim, officer=officer, incident=incident, act=act,
        involvement=involvement, post=post, deployment=deployment,
    )  # fmt: skip


@pytest.fixture
def world(compartments: SimpleNamespace, users: SimpleNamespace) -> SimpleNamespace:
    """A register in compartment A (alice's) and one in compartment B (mallory's)."""
    from crimebook.register import services as s

    ministry = s.unit_create(actor=None, data=s.UnitData(
        code="mvd", name="Ministry of Internal Affairs", unit_type="ministry",
        valid_from=date(1991, 1, 1),
    ))  # fmt: skip
    omon = s.unit_create(actor=None, data=s.UnitData(
        code="omon-minsk", name="OMON Minsk", unit_type="riot_police",
        valid_from=date(2000, 1, 1),
    ))  # fmt: skip
    link = s.unit_parent_add(actor=None, child=omon, parent=ministry, valid_from=date(2000, 1, 1))
    return SimpleNamespace(
        ministry=ministry, omon=omon, link=link, victim_name=VICTIM_NAME,
        a=_register_in(compartments.a, "A", omon), b=_register_in(compartments.b, "B", omon),
    )  # fmt: skip


def _operations() -> list[tuple[str, str]]:
    """(method, path below /api/v1) of every operation the API registers."""
    from crimebook.api.main import api

    schema = api.get_openapi_schema(path_prefix="")
    return sorted((method.upper(), path) for path, ops in schema["paths"].items() for method in ops)


def _fill(path: str, ids: dict[str, int] | None = None, default: int = 1) -> str:
    """Substitute path parameters, ``{incident_id}`` → an id."""
    return re.sub(r"\{(\w+)\}", lambda m: str((ids or {}).get(m.group(1), default)), path)


# Helpers as fixtures, so test modules need not import this conftest.


@pytest.fixture
def error_of() -> Callable[[Any, int], dict[str, Any]]:
    return check_error


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test taking ``operation`` runs once per registered route and method (``id_operation``:
    once per route with a path parameter), so a route added later is covered without
    touching the tests."""
    for name, wanted in (("operation", lambda p: True), ("id_operation", lambda p: "{" in p)):
        if name in metafunc.fixturenames:
            ops = [(m, p) for m, p in _operations() if wanted(p)]
            metafunc.parametrize(name, ops, ids=[f"{m} {p}" for m, p in ops])


@pytest.fixture
def fill() -> Callable[..., str]:
    return _fill
