"""Fixtures shared by the whole suite: a fresh key file per test, users, compartments."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crimebook.core import keys


@pytest.fixture(autouse=True)
def _key_file(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    """Every test that touches Django gets its own key file in a temporary directory."""
    from django.conf import settings

    old = settings.CRIMEBOOK_KEY_DIR
    settings.CRIMEBOOK_KEY_DIR = tmp_path / "keys"
    keys.get_keyring.cache_clear()
    keys.keys_init()
    yield
    settings.CRIMEBOOK_KEY_DIR = old
    keys.get_keyring.cache_clear()


@pytest.fixture(autouse=True)
def _jobs_run_inline() -> Iterator[None]:
    """Background jobs run at once in the test's own transaction (huey's immediate mode);
    tests/jobs also runs real ``crimebook worker`` processes."""
    from crimebook.jobs.queue import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = True


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """No test inherits the language a previous one's request activated (the locale
    middleware leaves it active in the thread): services called directly speak English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache; no test inherits another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _force_login_passes_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """``client.force_login`` stands for a completed login, password *and* second factor.
    Tests of the login flow itself use the real forms (tests/accounts/test_login.py)."""
    import time

    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
    from django.test import Client

    original = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        original(self, user, backend or "crimebook.accounts.backends.StaffAuthenticationBackend")
        session = self.session
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "password", "at": time.time()},
            {"method": "mfa", "at": time.time(), "type": "totp"},
        ]
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    from crimebook.accounts.models import User
    from crimebook.accounts.services import membership_set

    counter = iter(range(1, 10_000))

    def make(role: str = "investigator", compartments: tuple[Any, ...] = (), **kw: Any) -> Any:
        user = User.objects.create_user(
            username=kw.pop("username", f"{role}{next(counter)}"),
            password="x-Strong-pass-42",
            role=role,
        )
        for compartment in compartments:
            membership_set(
                actor=None, user=user, compartment=compartment, role=kw.get("member_role", role)
            )
        return user

    return make


@pytest.fixture
def compartment(db: Any) -> Any:
    from crimebook.accounts.services import compartment_create

    return compartment_create(actor=None, name="Case A")


@pytest.fixture
def other_compartment(db: Any) -> Any:
    from crimebook.accounts.services import compartment_create

    return compartment_create(actor=None, name="Case B")


@pytest.fixture
def investigator(make_user: Callable[..., Any], compartment: Any) -> Any:
    return make_user("investigator", (compartment,), username="ivy")


@pytest.fixture
def reader(make_user: Callable[..., Any], compartment: Any) -> Any:
    return make_user("read_only", (compartment,), username="rita")


@pytest.fixture
def mallory(make_user: Callable[..., Any], other_compartment: Any) -> Any:
    """A legitimate staff member of *another* compartment."""
    return make_user("investigator", (other_compartment,), username="mallory")
