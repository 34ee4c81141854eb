"""The map in Debian's Chromium against a live server: the workspace map loads Leaflet from our
static files, draws the offline basemap, markers and uncertainty circles, follows the time slider
from the keyboard, and opens a popup that links to the record; the incident page draws its
small map — with no console error, no CSP violation and no request to any other host. The live
server needs a transactional database. Another transactional test may have flushed the
database before this one (pytest-django runs them last), so the vocabularies are loaded again
here; ``serialized_rollback`` cannot be used: the flush re-creates content types under other
ids and restoring the serialised ones then collides."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from crimebook.accounts.models import Compartment
from crimebook.evidence.models import Camera, EvidenceItem, Recording
from crimebook.register.models import Unit
from tests.web.conftest import World, logged_in_client, make_incident, make_unit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="needs Debian's chromium (apt-get install chromium; `make deps-test`)",
    ),
]


@pytest.fixture
def vocabularies(transactional_db: Any) -> None:
    from crimebook.register.models import Term, Vocabulary
    from crimebook.register.services.vocab import load_into, vocabulary_document

    load_into(vocabulary_document(), Vocabulary, Term)


@pytest.fixture
def mapped(vocabularies: None, world: World, case_a: Compartment) -> World:
    at = datetime(2020, 8, 10, 19, 30, tzinfo=UTC)
    camera = Camera.objects.create(
        compartment=case_a, external_id="CAM-1432", latitude=53.9100, longitude=27.4960
    )
    Recording.objects.create(compartment=case_a, camera=camera, start=at, end=at.replace(hour=21))
    EvidenceItem.objects.create(
        compartment=case_a, kind="photo", original_name="street.jpg", sha256="ab" * 32,
        status="ingested", latitude=53.9095, longitude=27.4957, gps_accuracy_m=15.0,
        captured_at=at,
    )  # fmt: skip
    centre = make_unit("okrestina-cip-b", "Okrestina TsIP", "detention_centre")
    Unit.objects.filter(pk=centre.pk).update(latitude=53.8627, longitude=27.4789)
    make_incident(
        case_a, "Detention outside Okrestina", latitude=53.8621, longitude=27.48, radius_m=80.0,
        start=datetime(2020, 8, 12, 8, tzinfo=UTC), end=datetime(2020, 8, 12, 9, tzinfo=UTC),
    )  # fmt: skip
    return world


def _session_cookie(user: Any) -> str:
    """A signed-in session (password and second factor), made before Playwright starts its
    event loop (Django refuses database access from a thread running one)."""
    return str(logged_in_client(user).cookies[settings.SESSION_COOKIE_NAME].value)


def _browser_page(p: Any, live_server: Any, cookie: str) -> tuple[Any, Any, list[str], list[str]]:
    browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    context = browser.new_context(locale="en-GB")
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    page = context.new_page()
    problems: list[str] = []
    foreign: list[str] = []

    def console(message: Any) -> None:
        # the browser's own favicon request (no page asks for one) is not the map's concern
        if message.type in ("error", "warning") and not str(
            message.location.get("url", "")
        ).endswith("/favicon.ico"):
            problems.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "response",
        lambda r: (
            problems.append(f"HTTP {r.status} {r.url} {r.text()[:300]}")
            if r.status >= 400
            else None
        ),
    )
    page.on(
        "request",
        lambda r: foreign.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    return browser, page, problems, foreign


@pytest.mark.django_db(transaction=True)
def test_the_maps_draw_markers_without_errors(
    live_server: Any, mapped: World, investigator: Any
) -> None:
    from playwright.sync_api import expect, sync_playwright

    cookie = _session_cookie(investigator)
    with sync_playwright() as p:
        browser, page, problems, foreign = _browser_page(p, live_server, cookie)
        page.goto(live_server.url + "/map/")
        try:
            page.wait_for_selector("#map[data-loaded]", state="attached", timeout=15000)
        except Exception:
            raise AssertionError((problems, foreign, page.inner_text("main")[:800])) from None
        page.wait_for_selector(".map-point-incidents", state="attached")
        page.wait_for_selector("#map svg path", state="attached")  # basemap and circles
        assert page.locator(".map-point-cameras").count() == 1
        assert page.locator(".map-point-evidence").count() == 1
        assert page.locator(".map-point-detention").count() == 1
        assert page.locator(".map-point-incidents").count() == 2
        status = page.inner_text("#map-status")
        assert "Incidents: 2" in status and "Cameras: 1" in status
        # the time slider, from the keyboard: day 1 is 10 August, day 3 is 12 August
        slider = page.locator("#map-day")
        assert not page.locator("#map-slider").is_hidden()
        slider.focus()
        page.keyboard.press("ArrowRight")
        assert page.inner_text("#map-day-value") == "2020-08-10"
        expect(page.locator("#map-status")).to_contain_text("Incidents: 1")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        assert page.inner_text("#map-day-value") == "2020-08-12"
        expect(page.locator(".map-point-cameras")).to_have_count(0)
        expect(page.locator(".map-point-incidents")).to_have_count(1)
        page.keyboard.press("Home")
        expect(page.locator(".map-point-incidents")).to_have_count(2)
        # a popup links to the record; markers are reached and opened from the keyboard
        page.locator(".map-point-detention").first.focus()
        page.keyboard.press("Enter")
        link = page.locator(".map-popup a")
        link.wait_for()
        assert link.get_attribute("href", timeout=2000).startswith("/units/")
        # the incident page: its own small map with the camera and the photo near it
        page.goto(f"{live_server.url}/incidents/{mapped.incident.pk}/")
        page.wait_for_selector("#incident-map[data-loaded]", state="attached")
        assert page.get_attribute("#incident-map", "data-loaded") == "3"
        assert page.locator("#incident-map .map-point-cameras").count() == 1
        assert "CAM-1432" in page.inner_text("table.nearby")
        browser.close()
    assert problems == [], problems
    assert foreign == [], foreign
