"""The per-request savings of the workspace pages keep their behaviour: the shared
reference-data cache is invalidated by every write (as another process would see it), an
unchanged session is written at most once per interval (never extending its idle life), and
the list pages' choice labels read as ``get_<field>_display``."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from crimebook.accounts.services import compartment_create
from crimebook.core import refcache
from crimebook.register.models import Incident, Term
from crimebook.web import refdata
from crimebook.web.middleware import SESSION_TOUCHED_KEY, session_touch_interval
from crimebook.web.templatetags.crimebook_web import choice
from tests import factories

pytestmark = pytest.mark.django_db


def _queries(call: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_terms_are_read_once_then_from_the_shared_cache() -> None:
    first = refdata.active_terms("violation_type")
    assert first and _queries(lambda: refdata.active_terms("violation_type")) == 0


def test_a_term_change_reaches_every_process() -> None:
    term = Term.objects.filter(vocabulary__code="violation_type", retired_in="").first()
    assert term is not None
    with translation.override("en"):
        before = dict(refdata.active_terms("violation_type"))
        assert before[term.code] == term.label_en
        term.label_en = "Renamed for the test"
        term.save()
        assert dict(refdata.active_terms("violation_type"))[term.code] == "Renamed for the test"
        term.retired_in = "9"
        term.save()
        assert term.code not in dict(refdata.active_terms("violation_type"))


def test_labels_follow_the_language_with_english_fallback() -> None:
    term = Term.objects.filter(vocabulary__code="violation_type", retired_in="").first()
    assert term is not None
    term.label_be = ""
    term.save()
    with translation.override("ru"):
        assert dict(refdata.active_terms("violation_type"))[term.code] == term.label_ru
    with translation.override("be"):  # as Term.label: no Belarusian label → English
        assert dict(refdata.active_terms("violation_type"))[term.code] == term.label_en


def test_a_new_unit_is_listed_at_once(investigator: Any) -> None:
    from crimebook.web.forms._fields import unit_choices

    assert unit_choices(investigator) == []
    unit = factories.unit("omon-test", name="Test OMON")
    assert (unit.pk, "Test OMON") in unit_choices(investigator)


def test_units_are_not_listed_for_an_inactive_account(investigator: Any) -> None:
    from crimebook.web.forms._fields import unit_choices

    factories.unit("omon-test", name="Test OMON")
    investigator.is_active = False
    assert unit_choices(investigator) == []


def test_the_demo_banner_follows_the_compartments(investigator: Any) -> None:
    client = Client()
    client.force_login(investigator)
    assert b"banner-demo" not in client.get("/").content
    compartment_create(actor=None, name="DEMO fictitious")
    assert b"banner-demo" in client.get("/").content


def test_a_value_computed_before_a_commit_is_not_served_after_it() -> None:
    """Another process may read the old rows while a write is uncommitted and store them:
    the token is replaced again at commit, so that entry is never read."""
    old = refcache._token("units")
    refcache.invalidate("units")  # inside the test's transaction: again at commit
    mid = refcache._token("units")
    assert mid != old
    cache.set(f"{refcache.PREFIX}:units:{mid}:all", [(1, "stale")])
    refcache._replace_token("units")  # what the on_commit callback does
    assert refcache._token("units") != mid


def test_an_evicted_token_is_never_reused() -> None:
    token = refcache._token("terms")
    cache.delete(refcache._token_key("terms"))
    assert refcache._token("terms") != token


def test_a_value_kept_in_the_process_follows_the_version_token() -> None:
    """``kept`` skips reading the value from the shared cache again, never the version token:
    another process's write (a new token) is seen at the next call."""
    computed: list[int] = []

    def compute() -> list[int]:
        computed.append(len(computed) + 1)
        return list(computed)

    assert refcache.get_or_compute("test", "x", compute, kept=True) == [1]
    cache.delete(f"{refcache.PREFIX}:test:{refcache._token('test')}:x")
    assert refcache.get_or_compute("test", "x", compute, kept=True) == [1]  # kept here
    refcache._replace_token("test")  # what a write in any process does
    assert refcache.get_or_compute("test", "x", compute, kept=True) == [1, 2]
    cache.delete(refcache._token_key("test"))  # evicted: a fresh token, computed again
    assert refcache.get_or_compute("test", "x", compute, kept=True) == [1, 2, 3]


def _session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_an_unchanged_session_is_written_once_per_interval(investigator: Any) -> None:
    client = Client()
    client.force_login(investigator)
    assert client.get("/incidents/").status_code == 200
    touched = client.session[SESSION_TOUCHED_KEY]
    expiry = _session_row(client).expire_date
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/incidents/").status_code == 200
    writes = [q["sql"] for q in captured.captured_queries if "UPDATE" in q["sql"]]
    assert not any("django_session" in sql for sql in writes)
    assert _session_row(client).expire_date == expiry
    assert client.session[SESSION_TOUCHED_KEY] == touched


def test_the_session_is_written_again_after_the_interval(investigator: Any) -> None:
    client = Client()
    client.force_login(investigator)
    client.get("/incidents/")
    session = client.session
    session[SESSION_TOUCHED_KEY] = int(time.time()) - session_touch_interval()
    session.save()
    before = _session_row(client).expire_date
    time.sleep(0.01)
    assert client.get("/incidents/").status_code == 200
    assert _session_row(client).expire_date > before
    assert client.session[SESSION_TOUCHED_KEY] >= int(time.time()) - 1


def test_a_touch_in_the_future_does_not_stop_writes(investigator: Any) -> None:
    client = Client()
    client.force_login(investigator)
    session = client.session
    session[SESSION_TOUCHED_KEY] = int(time.time()) + 3600
    session.save()
    client.get("/incidents/")
    assert client.session[SESSION_TOUCHED_KEY] <= int(time.time())


def test_the_idle_lifetime_is_never_longer(settings: Any) -> None:
    settings.SESSION_COOKIE_AGE = 60
    assert 1 <= session_touch_interval() <= 3
    settings.SESSION_COOKIE_AGE = 3600
    assert session_touch_interval() == 60


def test_an_expired_session_still_ends(investigator: Any) -> None:
    client = Client()
    client.force_login(investigator)
    assert client.get("/incidents/").status_code == 200
    session = client.session
    session.set_expiry(-1)
    session.save()
    response = client.get("/incidents/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_anonymous_request_gets_no_session() -> None:
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert "crimebook_ws" not in response.cookies


def test_choice_reads_as_get_display() -> None:
    incident = Incident(status="under_review", verification="partially_verified")
    for language in ("en", "ru", "be"):
        with translation.override(language):
            assert choice(incident, "status") == incident.get_status_display()
            assert choice(incident, "verification") == incident.get_verification_display()
    incident.status = "no-such-status"
    assert choice(incident, "status") == incident.get_status_display() == "no-such-status"


def test_the_list_rows_show_their_violation_types(case_a: Any, investigator: Any) -> None:
    from tests.web.conftest import make_incident

    incident = make_incident(case_a, violation_types=("torture", "arbitrary_detention"))
    labels = {
        code: Term.objects.get(vocabulary__code="violation_type", code=code).label_en
        for code in ("torture", "arbitrary_detention")
    }
    client = Client()
    client.force_login(investigator)
    with translation.override("en"):
        page = client.get("/incidents/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = page.split("Beating near Pushkinskaya metro", 1)[1].split("</tr>", 1)[0]
    assert all(label in row for label in labels.values())
    with translation.override("en"):
        assert f"<td>{incident.get_status_display()}</td>" in row
        assert f"<td>{incident.get_verification_display()}</td>" in row


def test_the_list_row_escapes_what_it_shows(case_a: Any, investigator: Any) -> None:
    from tests.web.conftest import make_incident

    make_incident(case_a, title="<b>Bold</b> & co", place_name="<i>Minsk</i>")
    client = Client()
    client.force_login(investigator)
    page = client.get("/incidents/").content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in page and "<b>Bold</b>" not in page
    assert "&lt;i&gt;Minsk&lt;/i&gt;" in page and "<i>Minsk</i>" not in page


def test_one_replacement_per_transaction_however_many_writes(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for i in range(5):
            factories.unit(f"omon-{i}", name=f"Unit {i}")
        before_commit = refcache._token("units")
    mine = [c for c in callbacks if c is refcache._at_commit("units")]
    assert len(mine) == 1
    assert refcache._token("units") != before_commit  # replaced again at commit


def test_the_session_store_reads_what_djangos_database_store_reads(settings: Any) -> None:
    from datetime import timedelta

    from django.contrib.sessions.backends.db import SessionStore as DjangoStore
    from django.utils import timezone

    from crimebook.web.sessions import SessionStore

    assert settings.SESSION_ENGINE == "crimebook.web.sessions"
    live = SessionStore()
    live["k"] = "v"
    live.save()
    assert SessionStore(live.session_key).load() == DjangoStore(live.session_key).load()
    assert SessionStore(live.session_key)["k"] == "v"
    for seconds in (-1, -3600):  # expired a moment ago, an hour ago: empty, key dropped
        Session.objects.filter(session_key=live.session_key).update(
            expire_date=timezone.now() + timedelta(seconds=seconds)
        )
        store = SessionStore(live.session_key)
        assert store.load() == {} and store.session_key is None
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


# the navigation and the language menu as base.html's loops wrote them
_NAV_LOOP = (
    '{% for item in nav_items %}<li><a href="{{ item.url }}"{% if item.active %} '
    'aria-current="{{ item.current }}"{% endif %}>{{ item.label }}</a></li>{% endfor %}'
)
_LANGUAGE_LOOP = (
    "{% load i18n %}{% get_current_language as LANG %}"
    "{% get_available_languages as LANGUAGES %}"
    "{% get_language_info_list for LANGUAGES as languages %}"
    '{% for language in languages %}<option value="{{ language.code }}"'
    "{% if language.code == LANG %} selected{% endif %}>{{ language.name_local }}</option>"
    "{% endfor %}"
)


@pytest.mark.parametrize("language", ["en", "ru", "be"])
def test_navigation_and_language_menu_write_what_the_loops_wrote(language: str, world: Any) -> None:
    from django.template import engines
    from django.test import RequestFactory
    from django.urls import resolve, reverse

    from crimebook.web.context import language_options, nav_html, nav_items

    engine = engines["django"]
    paths = [
        reverse("web:home"),
        reverse("web:incident_list"),
        reverse("web:act_detail", args=[world.act.pk]),
        reverse("web:communication_list"),
        "/accounts/login/",
    ]
    with translation.override(language):
        for _ in range(2):  # written, then kept
            assert language_options() == engine.from_string(_LANGUAGE_LOOP).render({})
            for path in paths:
                request = RequestFactory().get(path)
                request.resolver_match = resolve(path)
                expected = engine.from_string(_NAV_LOOP).render({"nav_items": nav_items(request)})
                assert nav_html(request) == expected
