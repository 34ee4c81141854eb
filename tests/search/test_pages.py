"""/search/ (no JavaScript, facets as links, errors on the page) and /api/v1/search."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from crimebook.accounts.services import api_token_create
from crimebook.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _auth(user: Any) -> dict[str, str]:
    _, secret = api_token_create(actor=None, user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_page_lists_hits_with_links_facets_and_highlight(investigator: Any, world: Any) -> None:
    page = _client(investigator).get("/search/", {"q": "дубинками"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/incidents/{world["torture"].pk}/"' in html
    assert f'href="/acts/{world["act"].pk}/"' in html
    assert "<mark>дубинками</mark>" in html
    assert "violation_type=torture" in html  # a facet value is a plain link
    assert 'href="/search/"' in html  # the navigation links the page


def test_empty_page_shows_the_box_only(investigator: Any, world: Any) -> None:
    page = _client(investigator).get("/search/")
    assert page.status_code == 200
    assert b'name="q"' in page.content
    assert f"/incidents/{world['torture'].pk}/".encode() not in page.content


def test_facet_link_narrows_and_can_be_removed(investigator: Any, world: Any) -> None:
    page = _client(investigator).get("/search/", {"q": "", "kind": "act"})
    html = page.content.decode()
    assert f'href="/acts/{world["act"].pk}/"' in html
    assert f'href="/incidents/{world["torture"].pk}/"' not in html


def test_reversed_dates_give_a_clear_message_and_no_results(investigator: Any, world: Any) -> None:
    page = _client(investigator).get(
        "/search/", {"q": "окрестина", "date_from": "2020-08-21", "date_to": "2020-08-09"}
    )
    assert page.status_code == 200
    assert "The end date is before the start date" in page.content.decode()
    assert f"/incidents/{world['torture'].pk}/".encode() not in page.content


@pytest.mark.parametrize("q", ['"unbalanced', "NEAR(x", "*", "-", "a OR", "'); DROP TABLE x;--"])
def test_syntax_errors_render_a_page(investigator: Any, world: Any, q: str) -> None:
    assert _client(investigator).get("/search/", {"q": q}).status_code == 200


def test_bad_page_numbers_fall_back(investigator: Any, world: Any) -> None:
    client = _client(investigator)
    assert client.get("/search/", {"q": "окрестина", "page": "x"}).status_code == 200
    far = client.get("/search/", {"q": "окрестина", "page": "999"})
    assert f"/incidents/{world['torture'].pk}/".encode() in far.content  # the last page


def test_identity_lookup_is_a_post_exact_and_audited(investigator: Any, world: Any) -> None:
    client = _client(investigator)
    before = AuditEntry.objects.filter(action="identity_lookup").count()
    page = client.post("/search/", {"identity": "соколов иван"})  # order and case folded
    assert world["suspect"].pseudonym in page.content.decode()
    assert AuditEntry.objects.filter(action="identity_lookup").count() == before + 1
    near = client.post("/search/", {"identity": "Иван Сокалов"})  # no fuzzy identities
    assert world["suspect"].pseudonym not in near.content.decode()
    assert "Соколов" not in near.content.decode().replace('value="Иван Сокалов"', "")


def test_mallory_page_and_identity_lookup(mallory: Any, world: Any) -> None:
    client = _client(mallory)
    page = client.get("/search/", {"q": "окрестина"})
    assert f"/incidents/{world['other'].pk}/".encode() in page.content
    assert f"/incidents/{world['torture'].pk}/".encode() not in page.content
    lookup = client.post("/search/", {"identity": "Иван Соколов"})
    assert world["suspect"].pseudonym not in lookup.content.decode()


def test_api_search(investigator: Any, mallory: Any, world: Any) -> None:
    client = Client()
    ok = client.get(
        "/api/v1/search", {"q": "дубинками", "kinds": "incident"}, **_auth(investigator)
    )
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert [i["id"] for i in body["items"]] == [world["torture"].pk]
    assert body["count"] == 1 and body["more"] is False
    assert "дубинками" in body["items"][0]["snippet"]
    assert {"kind", "violation_type", "status"} <= set(body["facets"])
    other = client.get("/api/v1/search", {"q": "дубинками"}, **_auth(mallory)).json()
    assert [i["id"] for i in other["items"]] == [world["other"].pk]
    fuzzy = client.get("/api/v1/search", {"q": "Okrestyna"}, **_auth(investigator)).json()
    assert any(i["similar_name"] for i in fuzzy["items"])


def test_api_refuses_bad_input_in_the_one_error_shape(investigator: Any) -> None:
    client, auth = Client(), _auth(investigator)
    reversed_dates = client.get(
        "/api/v1/search", {"date_from": "2020-08-21", "date_to": "2020-08-09"}, **auth
    )
    assert reversed_dates.status_code == 422
    assert "date_to" in reversed_dates.json()["error"]["fields"]
    for params in ({"per_page": 1000}, {"page": 0}, {"kinds": "spy"}, {"has_evidence": "maybe"}):
        response = client.get("/api/v1/search", params, **auth)
        assert response.status_code == 422, params
        assert response.json()["error"]["code"] == "validation_failed"
    assert Client().get("/api/v1/search").status_code == 401


def test_facet_links_keep_the_query_and_drop_the_page(investigator: Any, world: Any) -> None:
    from django.http import QueryDict
    from django.test import RequestFactory

    from crimebook.search.selectors import FacetValue, SearchResult
    from crimebook.search.views import facet_rows

    # GIVEN a query with a page, a facet already chosen in the middle and one given twice
    request = RequestFactory().get(
        "/search/?q=a+b&status=verified&page=3&unit=1&unit=2&place=%D0%9C%D0%B8%D0%BD%D1%81%D0%BA"
        "&x+y=%26%2B%25~*/"
    )
    request.user = investigator
    facets = {
        "status": [FacetValue("verified", 2), FacetValue("closed", 1)],
        "unit": [FacetValue("1", 1), FacetValue("7", 1)],
        "kind": [FacetValue("incident", 3)],
        "place": [FacetValue("Минск & Co", 1)],
    }
    rows = facet_rows(request, SearchResult([], 3, False, 1, 20, facets))

    # THEN each link is the query without the page, the facet set to the value in place
    # (else appended); "remove" drops the facet — as a fresh copy per link would build it
    def expected(param: str, value: str | None) -> str:
        query: QueryDict = request.GET.copy()
        query.pop("page", None)
        if value is None:
            query.pop(param, None)
        else:
            query[param] = value
        return "?" + query.urlencode()

    params = {"Record kind": "kind", "Status": "status", "Unit": "unit", "Place": "place"}
    seen = 0
    for row in rows:
        param = params[str(row["heading"])]
        for item, value in zip(row["items"], facets[param], strict=True):
            assert item["url"] == expected(param, value.value)
            assert item["clear_url"] == expected(param, None)
            assert item["chosen"] == (request.GET.get(param) == value.value)
            seen += 1
    assert seen == 6
    place = "place=%D0%9C%D0%B8%D0%BD%D1%81%D0%BA"
    tail = "x+y=%26%2B%25~%2A%2F"
    assert rows[2]["items"][1]["url"] == f"?q=a+b&status=verified&unit=7&{place}&{tail}"
    assert rows[2]["items"][1]["clear_url"] == f"?q=a+b&status=verified&{place}&{tail}"


_HITS_TEMPLATE = """{% load i18n %}{% for row in hits %}<li>
      <a href="{{ row.url }}">{{ row.hit.title }}</a> <span class="tag">{{ row.kind }}</span>{% if row.hit.fuzzy %} <span class="tag">{% trans "similar name" %}</span>{% endif %}
      {% if row.hit.start or row.hit.place %}<div class="muted">{% if row.hit.start %}{{ row.hit.start|date:"Y-m-d H:i" }}{% endif %}{% if row.hit.place %} · {{ row.hit.place }}{% endif %}</div>{% endif %}
      {% if row.hit.snippet %}<p class="snippet">{% for text, match in row.hit.snippet %}{% if match %}<mark>{{ text }}</mark>{% else %}{{ text }}{% endif %}{% endfor %}</p>{% endif %}
    </li>{% endfor %}"""  # the loops as page.html had them
_FACETS_TEMPLATE = """{% load i18n %}{% for facet in facets %}<section>
      <h3>{{ facet.heading }}</h3>
      <ul>{% for item in facet.items %}<li>{% if item.chosen %}<strong>{{ item.label }}</strong> ({{ item.count }}) <a href="{{ item.clear_url }}">{% trans "remove" %}<span class="visually-hidden"> {{ item.label }}</span></a>{% else %}<a href="{{ item.url }}">{{ item.label }}</a> ({{ item.count }}){% endif %}</li>{% endfor %}</ul>
    </section>{% endfor %}"""


@pytest.mark.parametrize("language", ["en", "ru", "be"])
def test_results_and_facets_written_in_python_read_as_the_template_wrote_them(
    language: str,
) -> None:
    from datetime import UTC, datetime

    from django.template import Context, Template
    from django.utils import translation
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    from crimebook.search._html import facets_html, hits_html
    from crimebook.search.selectors import Hit

    # GIVEN hits and facet values with markup, quotes, ampersands, a safe string, a lazy
    # label, a time near midnight UTC (another day in Minsk), no time, no place, no snippet
    nasty = '<b>"O\'Neil" & Co</b>'
    hits = [
        Hit("incident", 1, "1", nasty, ((nasty, False), ("метро", True), ("<i>", False)),
            datetime(2020, 8, 9, 22, 30, tzinfo=UTC), nasty, fuzzy=True),
        Hit("unit", 2, "2", "OMON", (), None, ""),
        Hit("act", 3, "3", "A", (("x", True),), None, "Минск"),
        Hit("source", 4, "4", "S", (), datetime(999, 1, 2, 3, 4, tzinfo=UTC), ""),
    ]  # fmt: skip
    rows = [{"hit": h, "url": f"/x/{h.ref}/?a=1&b=<2>", "kind": gettext_lazy("Acts")}
            for h in hits]  # fmt: skip
    facets = [
        {"heading": gettext_lazy("Record kind"), "items": [
            {"label": nasty, "count": 1234, "url": "?q=a&b", "chosen": False, "clear_url": "?"},
            {"label": mark_safe("<em>safe</em>"), "count": 2, "url": "?x='1'", "chosen": True,
             "clear_url": "?q=\"a\"&kind="},
        ]},
        {"heading": nasty, "items": [
            {"label": "x", "count": 0, "url": "?", "chosen": True, "clear_url": "?"},
        ]},
    ]  # fmt: skip
    with translation.override(language):
        # THEN the markup is the template's, character for character
        assert hits_html(rows) == Template(_HITS_TEMPLATE).render(Context({"hits": rows}))
        assert facets_html(facets) == Template(_FACETS_TEMPLATE).render(Context({"facets": facets}))
    assert "<b>" not in hits_html(rows) and "&lt;b&gt;" in hits_html(rows)


def test_hit_links_reversed_once_per_kind_are_those_of_reverse() -> None:
    import uuid

    from crimebook.search.models import Kind
    from crimebook.search.selectors import Hit
    from crimebook.search.views import hit_url, hit_urls

    # GIVEN hits of every kind: numeric references (one with a 9 in it) and a submission's uuid
    hits = [Hit(kind, i, str(ref), "t", (), None, "")
            for i, kind in enumerate(Kind.values)
            for ref in (i + 1, 9990 + i)
            if kind != Kind.SUBMISSION]  # fmt: skip
    hits.append(Hit(Kind.SUBMISSION, 99, str(uuid.uuid4()), "t", (), None, ""))
    # THEN each link is exactly what reverse() gives for it
    assert hit_urls(hits) == [hit_url(h) for h in hits]
    assert hit_urls(hits[:2]) == ["/incidents/1/", "/incidents/9990/"]
