"""The session store while another writer holds SQLite's write lock (a long import): a page
read answers at once and skips the idle-clock touch instead of failing with a 400."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test import Client

from crimebook.web.middleware import SESSION_TOUCHED_KEY, session_touch_interval

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
