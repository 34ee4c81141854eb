"""A unit's attrition page with wrong dates: the form and its error, no figures (never the
default period's figures next to the error)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from crimebook.register.services import staffing_record_create
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit_with_staffing(case_a: Any) -> Any:
    # GIVEN a unit whose headcount fell within the default period (from the first incident)
    f.incident(case_a)  # 2020-08-10: the default staffing period starts 2020-08-01
    unit = f.unit()
    source = f.source(case_a)
    for on, headcount in ((date(2020, 8, 1), 1234), (date(2020, 8, 20), 987)):
        staffing_record_create(
            actor=None, compartment_id=case_a.pk, unit_id=unit.pk, on=on,
            headcount=headcount, source_id=source.pk,
        )  # fmt: skip
    return unit


def _client(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_the_default_period_shows_the_figures(unit_with_staffing: Any, investigator: Any) -> None:
    page = _client(investigator).get(f"/units/{unit_with_staffing.pk}/attrition/")
    body = page.content.decode()
    assert "Down 247" in body and "1234" in body


@pytest.mark.parametrize(
    ("language", "alert"),
    [
        ("en", "Correct the dates to see the figures."),
        ("ru", "Исправьте даты, чтобы увидеть цифры."),
        ("be", "Выпраўце даты, каб убачыць лічбы."),
    ],
)
def test_reversed_dates_show_the_error_and_no_figures(
    unit_with_staffing: Any, investigator: Any, language: str, alert: str
) -> None:
    # WHEN the period is given from after to
    page = _client(investigator, language).get(
        f"/units/{unit_with_staffing.pk}/attrition/",
        {"staff_from": "2020-09-01", "staff_to": "2020-08-01"},
    )
    body = page.content.decode()
    # THEN the form keeps the dates and shows the error, and no figure is shown
    assert page.status_code == 200
    assert 'value="2020-09-01"' in body and 'value="2020-08-01"' in body
    assert 'class="errorlist' in body and alert in body
    for figure in ("1234", "987", "247", "<svg"):
        assert figure not in body
    # AND an unreadable date is an error too, not the default period
    page = _client(investigator, language).get(
        f"/units/{unit_with_staffing.pk}/attrition/", {"staff_from": "not-a-date"}
    )
    assert alert in page.content.decode() and "1234" not in page.content.decode()


MESSAGE = {
    "en": "Correct the dates to see the figures. The end comes before the start.",
    "ru": "Исправьте даты, чтобы увидеть цифры. Конец раньше начала.",
    "be": "Выпраўце даты, каб убачыць лічбы. Канец раней за пачатак.",
}


@pytest.mark.parametrize("language", ["en", "ru", "be"])
def test_overview_with_wrong_periods_shows_no_figures_for_them(
    unit_with_staffing: Any, investigator: Any, language: str
) -> None:
    client = _client(investigator, language)
    # GIVEN the overview with its default periods: the per-day chart and the attrition figures
    good = client.get("/").content.decode()
    assert "1234" in good and "987" in good
    assert "2020-08-10" in good  # the per-day chart's period
    # WHEN both periods end before they start
    page = client.get(
        "/",
        {"date_from": "2020-09-01", "date_to": "2020-08-01",
         "staff_from": "2020-10-01", "staff_to": "2020-08-01"},
    )  # fmt: skip
    # THEN the form says so and neither the default period's chart nor its headcounts show
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count('role="alert"') >= 2
    assert "1234" not in body and "987" not in body
    assert "2020-08-10" not in body
    # AND the period's downloads refuse with the reason instead of the default period's figures
    for params in ({"format": "csv"}, {"format": "svg", "chart": "by_day"}):
        refused = client.get("/", {"date_from": "2020-09-01", "date_to": "2020-08-01", **params})
        assert refused.status_code == 400
        assert refused.content.decode().endswith(MESSAGE[language])
    other = client.get(
        "/",
        {"date_from": "2020-09-01", "date_to": "2020-08-01", "format": "svg", "chart": "by_type"},
    )
    assert other.status_code == 200  # not a chart of the period
