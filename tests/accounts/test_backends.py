"""The session's user is loaded by one statement together with the compartments it reads;
every check Django and the workspace made on it still holds."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from crimebook.accounts.access import readable_compartment_ids
from crimebook.accounts.backends import StaffAuthenticationBackend
from crimebook.accounts.models import Compartment, Membership, User

pytestmark = pytest.mark.django_db


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)  # tests/conftest.py: password and second factor passed
    return client


def test_one_statement_loads_the_user_and_their_compartments(make_user: Any) -> None:
    first = Compartment.objects.create(name="Case one")
    second = Compartment.objects.create(name="Case two")
    Compartment.objects.create(name="Case three")  # not a member
    user = make_user("analyst", (first, second))
    with CaptureQueriesContext(connection) as queries:
        loaded = StaffAuthenticationBackend().get_user(user.pk)
        assert loaded is not None
        assert readable_compartment_ids(loaded) == {first.pk, second.pk}
    assert len(queries) == 1
    # every column as the ORM reads it (types and time zones included)
    orm = User.objects.get(pk=user.pk)
    for field in User._meta.concrete_fields:
        value, expected = getattr(loaded, field.attname), getattr(orm, field.attname)
        assert (value, type(value)) == (expected, type(expected)), field.name
    assert not loaded._state.adding and loaded._state.db == orm._state.db


def test_no_member_compartments_reads_nothing(make_user: Any) -> None:
    user = make_user("analyst")
    loaded = StaffAuthenticationBackend().get_user(str(user.pk))  # an id as a session holds it
    assert loaded is not None and loaded.pk == user.pk
    assert readable_compartment_ids(loaded) == set()


def test_unknown_or_deactivated_account_is_not_loaded(make_user: Any) -> None:
    user = make_user("analyst")
    assert StaffAuthenticationBackend().get_user(user.pk + 1000) is None
    user.is_active = False
    user.save()
    assert StaffAuthenticationBackend().get_user(user.pk) is None


def test_deactivation_and_password_change_end_signed_in_sessions(make_user: Any) -> None:
    compartment = Compartment.objects.create(name="Case one")
    user = make_user("analyst", (compartment,))
    client = _signed_in(user)
    assert client.get("/").status_code == 200
    user.is_active = False
    user.save()
    assert client.get("/")["Location"].startswith("/accounts/login/")

    other = make_user("analyst", (compartment,))
    client = _signed_in(other)
    assert client.get("/").status_code == 200
    other.set_password("another-Strong-pass-43")
    other.save()  # the session's password hash no longer verifies: Django ends it
    assert client.get("/")["Location"].startswith("/accounts/login/")
    assert SESSION_KEY not in client.session


def test_membership_removed_is_seen_at_the_next_request(make_user: Any) -> None:
    compartment = Compartment.objects.create(name="Case one")
    user = make_user("analyst", (compartment,))
    client = _signed_in(user)
    request_user = client.get("/").wsgi_request.user
    assert readable_compartment_ids(request_user) == {compartment.pk}
    Membership.objects.filter(user=user).delete()
    assert readable_compartment_ids(client.get("/").wsgi_request.user) == set()
