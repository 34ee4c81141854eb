"""The real login flow: password, then a second factor; enrolment is forced; lockout is per
account; the admin sits behind the same login; sessions end after inactivity."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.conf import settings
from django.test import Client

from crimebook.accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "x-Strong-pass-42"


def _current_code(secret: str) -> str:
    """The code for the current 30-second step, taken early enough in the step that the server
    (which accepts only the current step) validates it in the same one, even on a loaded machine."""
    import time

    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def enrolled(investigator: Any) -> tuple[Any, str]:
    secret = generate_totp_secret()
    TOTP.activate(investigator, secret)
    return investigator, secret


def _password_step(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post("/accounts/login/", {"login": username, "password": password})


def test_anonymous_sees_only_the_login_page() -> None:
    client = Client()
    for path in ("/", "/incidents/", "/persons/", "/admin/", "/accounts/2fa/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert b'name="login"' in page.content


def test_password_alone_does_not_sign_in_an_enrolled_account(enrolled: tuple[Any, str]) -> None:
    user, secret = enrolled
    client = Client()
    response = _password_step(client, user.username)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert client.get("/incidents/").status_code == 302  # not signed in yet
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert b"Incorrect code" in wrong.content or b"incorrect" in wrong.content.lower()
    done = client.post("/accounts/2fa/authenticate/", {"code": _current_code(secret)})
    assert done.status_code == 302
    assert client.get("/incidents/").status_code == 200


def test_recovery_code_works_once(enrolled: tuple[Any, str]) -> None:
    user, _ = enrolled
    codes = RecoveryCodes.activate(user).get_unused_codes()
    client = Client()
    _password_step(client, user.username)
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    assert client.get("/").status_code == 200
    again = Client()
    _password_step(again, user.username)
    again.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert again.get("/").status_code == 302


@pytest.mark.django_db(transaction=True)  # allauth records enrolment in on_commit
def test_account_without_second_factor_can_only_enrol(investigator: Any) -> None:
    client = Client()
    response = _password_step(client, investigator.username)
    assert response.status_code == 302, response.content.decode()[-1500:]
    for path in ("/", "/incidents/", "/admin/"):
        blocked = client.get(path)
        assert blocked.status_code == 302
        assert blocked["Location"] == "/accounts/2fa/totp/activate/"
    # enrolling asks for the password again first (allauth's reauthentication)
    reauth = client.get("/accounts/2fa/totp/activate/")
    assert reauth["Location"].startswith("/accounts/reauthenticate/")
    assert client.get(reauth["Location"]).status_code == 200
    client.post(reauth["Location"], {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = re.search(rb'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page.content)
    assert secret is not None, page.content.decode()[-3000:]
    value = secret.group(1).decode()
    assert b"Demonstration" not in page.content  # no demo banner without demo data
    assert b'class="top"' in page.content  # rendered inside the workspace layout
    enrol = client.post("/accounts/2fa/totp/activate/", {"code": _current_code(value)})
    assert enrol.status_code == 302
    assert Authenticator.objects.filter(user=investigator, type=Authenticator.Type.TOTP).exists()
    assert client.get("/incidents/").status_code == 200  # enrolment proved the factor


def test_totp_secret_is_encrypted_at_rest(enrolled: tuple[Any, str]) -> None:
    user, secret = enrolled
    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]
    assert secret not in stored
    assert stored.startswith("v1:")


def test_session_that_skipped_the_second_factor_is_ended(enrolled: tuple[Any, str]) -> None:
    user, _ = enrolled
    client = Client()
    # a session created around the login flow (no second-factor record)
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = client.session
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "crimebook.accounts.backends.StaffAuthenticationBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    response = client.get("/incidents/")
    assert response.status_code == 302
    assert client.get("/incidents/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account_not_per_address(enrolled: tuple[Any, str], make_user: Any) -> None:
    user, _ = enrolled
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _password_step(attacker, user.username, "wrong-password")
    victim = Client()
    locked = _password_step(victim, user.username)  # even with the right password
    text = locked.content.decode().lower()
    assert "too many failed" in text or "locked" in text
    assert not locked.get("Location", "").startswith("/accounts/2fa/authenticate")
    other = make_user("analyst", username="olga")
    # the same client (same "address": none is kept) can still sign in to another account
    response = _password_step(attacker, other.username)
    assert response.status_code == 302
    assert response["Location"] == "/" or response["Location"].startswith("/accounts/2fa")


def test_admin_uses_the_workspace_login(make_user: Any) -> None:
    admin_user = make_user("administrator", username="adm")
    admin_user.is_staff = True
    admin_user.save()
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client = Client()
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200


def test_session_cookie_settings() -> None:
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_AGE <= 3600
    assert isinstance(User.objects.model, type)


def test_expired_session_goes_back_to_login(investigator: Any, settings: Any) -> None:
    client = Client()
    client.force_login(investigator)
    assert client.get("/incidents/").status_code == 200
    session = client.session
    session.set_expiry(-1)  # idle time has run out
    session.save()
    response = client.get("/incidents/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_forged_csrf_token_is_refused_and_writes_nothing(
    investigator: Any, compartment: Any
) -> None:
    from crimebook.register.models import Incident

    client = Client(enforce_csrf_checks=True)
    client.force_login(investigator)
    response = client.post(
        "/incidents/new/",
        {"csrfmiddlewaretoken": "forged" * 8, "compartment": compartment.pk, "title": "x"},
    )
    assert response.status_code == 403
    assert Incident.objects.count() == 0
