"""Unit names in the reader's language (issue 7 point 8): lists, the detail page, filter
choices, map popups and table, search hits — through ``Unit.display_name`` /
``refdata.units()``, falling back to the stored default name."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from crimebook.core import refcache
from crimebook.register.models import Unit
from crimebook.register.models.units import unit_name
from crimebook.search.selectors import Hit
from crimebook.search.views import _named_units
from crimebook.web import refdata
from tests.web.conftest import make_unit

pytestmark = pytest.mark.django_db


def in_language(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def units(db: Any) -> tuple[Unit, Unit]:
    # "Alpha" sorts first in English; its Russian and Belarusian names sort last
    both = make_unit("alpha", "Alpha riot police", "detention_centre")
    Unit.objects.filter(pk=both.pk).update(
        name_ru="Ярославский ОМОН", name_be="Яраслаўскі АМАП", latitude=53.86, longitude=27.47
    )
    russian_only = make_unit("zeta", "Zeta battalion")
    Unit.objects.filter(pk=russian_only.pk).update(name_ru="Батальон Зета")
    refcache.invalidate(refdata.UNITS)  # .update() sends no signal
    both.refresh_from_db()
    russian_only.refresh_from_db()
    return both, russian_only


def test_the_name_falls_back_to_the_stored_default() -> None:
    assert unit_name("Default", "Русское", "", "ru") == "Русское"
    assert unit_name("Default", "Русское", "", "be") == "Default"
    assert unit_name("Default", "Русское", "Беларускае", "en") == "Default"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Alpha riot police", "Zeta battalion"]),
        ("ru", ["Батальон Зета", "Ярославский ОМОН"]),
        ("be", ["Zeta battalion", "Яраслаўскі АМАП"]),
    ],
)
def test_the_unit_list_and_choices_name_and_sort_in_the_readers_language(
    units: tuple[Unit, Unit], inv_client: Client, language: str, expected: list[str]
) -> None:
    # GIVEN units with Russian (and one Belarusian) names
    # WHEN the list is read in each language
    body = in_language(inv_client, language).get("/units/").content.decode()
    # THEN the names are the reader's language's, in that order
    positions = [body.index(f">{name}</a>") for name in expected]
    assert positions == sorted(positions)
    with translation.override(language):
        assert [name for _pk, name in refdata.units()] == expected
    # AND the deployments filter offers them, in that order
    choices = in_language(inv_client, language).get("/deployments/").content.decode()
    positions = [choices.index(f">{name}</option>") for name in expected]
    assert positions == sorted(positions)


def test_detail_page_map_and_search_hits_use_the_readers_language(
    units: tuple[Unit, Unit], inv_client: Client
) -> None:
    both, russian_only = units
    # WHEN the detail page is read in Russian THEN its heading is the Russian name
    page = in_language(inv_client, "ru").get(f"/units/{both.pk}/").content.decode()
    assert "<h1>Ярославский ОМОН</h1>" in page
    page = in_language(inv_client, "be").get(f"/units/{russian_only.pk}/").content.decode()
    assert "<h1>Zeta battalion</h1>" in page  # no Belarusian name: the default
    # AND the map popup of the place of detention
    payload = in_language(inv_client, "be").get("/map/data/", {"layers": "detention"}).json()
    (feature,) = payload["features"]
    assert feature["properties"]["label"] == "Яраслаўскі АМАП"
    # AND a unit search hit (the index keeps the default name)
    hit = Hit("unit", both.pk, str(both.pk), "Alpha riot police", (), None, "")
    with translation.override("ru"):
        assert _named_units([hit])[0].title == "Ярославский ОМОН"
    with translation.override("en"):
        assert _named_units([hit])[0].title == "Alpha riot police"
