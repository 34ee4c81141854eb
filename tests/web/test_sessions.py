"""While another writer holds SQLite's write lock (a long import): a page read answers at once
and skips the idle-clock touch instead of failing with a 400; a write that waits out the busy
timeout is a 503 saying nothing was saved (page and API), not a bare server error."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from crimebook.accounts.services import api_token_create
from crimebook.register.models import Incident
from crimebook.web.middleware import SESSION_TOUCHED_KEY, session_touch_interval
from tests.web.test_web_forms import incident_post

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="SQLite's one database-wide write lock; PostgreSQL locks rows, not the database",
    ),
]


def _hold_the_write_lock(ready: threading.Event, release: threading.Event) -> None:
    try:
        with transaction.atomic():  # BEGIN IMMEDIATE: the write lock until the block ends
            Group.objects.create(name="held by a long import")
            ready.set()
            release.wait(30)
    finally:
        connection.close()


def _expiry(client: Client) -> Any:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_page_read_during_a_long_write_answers_and_skips_the_touch(investigator: Any) -> None:
    # GIVEN a signed-in reader whose session is due for its idle-clock touch
    client = Client()
    client.force_login(investigator)
    session = client.session
    session[SESSION_TOUCHED_KEY] = int(time.time()) - session_touch_interval()
    session.save()
    before = _expiry(client)
    # ... AND another connection holding the write lock (as an import's transaction does)
    ready, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_the_write_lock, args=(ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        # WHEN the jobs page is read
        started = time.monotonic()
        page = client.get("/jobs/")
        took = time.monotonic() - started
    finally:
        release.set()
        holder.join(30)
    # THEN it answers 200 at once (not a 400 after the 15 s busy timeout) and the touch waits
    assert page.status_code == 200
    assert took < 5
    assert _expiry(client) == before
    # ... AND once the lock is free the next read touches the session as before
    time.sleep(0.01)
    assert client.get("/jobs/").status_code == 200
    assert _expiry(client) > before


def _short_busy_timeout() -> None:
    """This thread's connection waits 0.2 s for the lock instead of the configured 15 s."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 200")


def test_a_write_during_a_long_write_is_a_503_that_says_nothing_was_saved(
    investigator: Any, case_a: Any
) -> None:
    # GIVEN a signed-in investigator (page) and a token (API) of the same account
    client = Client(raise_request_exception=False)
    client.force_login(investigator)
    client.cookies["django_language"] = "ru"
    _token, secret = api_token_create(actor=None, user=investigator, name="busy")
    before = Incident.objects.count()
    # ... AND another connection holding the write lock (as an import's transaction does)
    ready, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_the_write_lock, args=(ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        _short_busy_timeout()
        # WHEN the investigator saves a new incident through the page and through the API
        page = client.post(
            reverse("web:incident_create"), incident_post(case_a, violation_types=[])
        )
        api = client.post(
            "/api/v1/incidents",
            {"compartment_id": case_a.pk, "title": "Задержание у ГУМа"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
            HTTP_ACCEPT_LANGUAGE="ru",
        )
    finally:
        release.set()
        holder.join(30)
    # THEN both answer 503 with Retry-After, saying in Russian that nothing was saved
    assert page.status_code == 503, page.content.decode()[-3000:]
    assert page["Retry-After"] == "30"
    assert "Ничего из отправленного не сохранено" in page.content.decode()
    assert api.status_code == 503, api.content
    assert api["Retry-After"] == "30"
    error = api.json()["error"]
    assert error["code"] == "busy" and "ничего не сохранено" in error["message"]
    # AND nothing was stored; once the lock is free the same write succeeds
    assert Incident.objects.count() == before
    again = client.post(reverse("web:incident_create"), incident_post(case_a, violation_types=[]))
    assert again.status_code == 302
    assert Incident.objects.count() == before + 1
