"""List and detail pages: they render what the user may see, filter, paginate, and answer
404 alike for a missing record and one in a compartment the user is not a member of."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from crimebook.accounts.models import Compartment

from .conftest import World, make_incident

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return response.content.decode()


def without_request_specifics(body: str) -> str:
    """The page minus the CSRF token and the language form's return path."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    return re.sub(r'name="next" type="hidden" value="[^"]*"', "", body)


# -- access and navigation -------------------------------------------------------------


def test_anonymous_user_is_sent_to_login(client: Client, world: World) -> None:
    response = client.get(reverse("web:incident_detail", args=[world.incident.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "url",
    [
        "/", "/incidents/", "/incidents/new/", "/incidents/1/", "/incidents/1/edit/",
        "/incidents/1/acts/new/", "/acts/", "/acts/1/", "/acts/1/edit/",
        "/acts/1/involvements/new/", "/persons/", "/persons/new/", "/persons/1/",
        "/persons/1/edit/", "/persons/1/reveal/", "/units/", "/units/new/", "/units/1/",
        "/units/1/edit/", "/units/1/parents/new/", "/posts/new/", "/deployments/",
        "/deployments/new/", "/deployments/1/", "/deployments/1/edit/", "/sources/",
        "/sources/new/", "/sources/1/", "/sources/1/edit/",
    ],
)  # fmt: skip
def test_every_page_needs_login(client: Client, world: World, url: str) -> None:
    for response in (client.get(url), client.post(url, {"reason": "test reason"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_navigation_marks_the_current_section(inv_client: Client, world: World) -> None:
    body = text(inv_client.get(reverse("web:incident_list")))
    assert f'href="{reverse("web:incident_list")}" aria-current="page"' in body
    assert f'href="{reverse("web:unit_list")}">' in body  # not current

    body = text(inv_client.get(reverse("web:act_detail", args=[world.act.pk])))
    assert f'href="{reverse("web:act_list")}" aria-current="true"' in body


def test_home_still_renders(inv_client: Client, world: World) -> None:
    response = inv_client.get(reverse("web:home"))
    assert response.status_code == 200
    assert "Overview" in text(response)


# -- lists --------------------------------------------------------------------------------


LISTS = [
    ("web:incident_list", "Beating near Pushkinskaya metro"),
    ("web:act_list", "Beating"),
    ("web:person_list", "P-"),
    ("web:unit_list", "Minsk OMON"),
    ("web:deployment_list", "Minsk OMON"),
    ("web:source_list", "Interview with a witness"),
]


@pytest.mark.parametrize(("name", "expected"), LISTS)
def test_list_pages_render_visible_records(
    inv_client: Client, world: World, name: str, expected: str
) -> None:
    response = inv_client.get(reverse(name))
    assert response.status_code == 200
    body = text(response)
    assert expected in body
    assert "Hidden incident of case B" not in body
    assert "Secret source of case B" not in body
    assert world.foreign_person.pseudonym not in body
    assert '<th scope="col">' in body


@pytest.mark.parametrize(
    ("name", "params", "present", "absent"),
    [
        ("web:incident_list", {"q": "Pushkinskaya", "status": "reported",
                               "violation_type": "torture", "date_from": "2020-08-10",
                               "date_to": "2020-08-11"},
         "Beating near Pushkinskaya metro", "Quiet evening"),
        ("web:incident_list", {"violation_type": "killing"}, "Quiet evening",
         "Beating near Pushkinskaya metro"),
        ("web:act_list", {"act_type": "torture"}, "No acts match", "okrestina"),
        ("web:person_list", {"role": "perpetrator"}, "alleged perpetrator", "victim</td>"),
        ("web:unit_list", {"unit_type": "directorate"}, "Minsk City Police Directorate",
         "Minsk OMON"),
        ("web:unit_list", {"q": "omon"}, "Minsk OMON", "Minsk City Police Directorate"),
        ("web:deployment_list", {"date_from": "2021-01-01"}, "No deployments match",
         "Pushkinskaya"),
        ("web:source_list", {"kind": "leaked_document"}, "No sources match",
         "Interview with a witness"),
        ("web:source_list", {"reliability": "B", "q": "interview"}, "Interview with a witness",
         "No sources match"),
    ],
)  # fmt: skip
def test_list_filters(
    inv_client: Client, world: World, case_a: Compartment, name: str,
    params: dict[str, str], present: str, absent: str,
) -> None:  # fmt: skip
    make_incident(case_a, "Quiet evening", violation_types=("killing",),
                  start=None, end=None)  # fmt: skip
    body = text(inv_client.get(reverse(name), params))
    assert present in body
    assert absent not in body


def test_person_list_filter_by_role_lists_only_that_role(inv_client: Client, world: World) -> None:
    body = text(inv_client.get(reverse("web:person_list"), {"role": "perpetrator"}))
    assert world.officer.pseudonym in body
    assert world.victim.pseudonym not in body


def test_deployment_list_filter_by_unit(inv_client: Client, world: World) -> None:
    body = text(inv_client.get(reverse("web:deployment_list"), {"unit": world.parent_unit.pk}))
    assert "No deployments match" in body
    body = text(inv_client.get(reverse("web:deployment_list"), {"unit": world.unit.pk}))
    assert reverse("web:deployment_detail", args=[world.deployment.pk]) in body


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("web:incident_list", {"date_from": "10/08/2020x"}, "date_from"),
        ("web:incident_list", {"status": "exploded"}, "status"),
        ("web:incident_list", {"date_from": "2020-08-12", "date_to": "2020-08-01"}, "date_to"),
        ("web:act_list", {"incident": "abc"}, "incident"),
        ("web:act_list", {"medical_grade": "certain"}, "medical_grade"),
        ("web:person_list", {"role": "king"}, "role"),
        ("web:unit_list", {"unit_type": "army"}, "unit_type"),
        ("web:deployment_list", {"unit": "999999"}, "unit"),
        ("web:source_list", {"reliability": "Z"}, "reliability"),
    ],
)
def test_bad_filter_value_shows_error_and_no_results(
    inv_client: Client, world: World, name: str, params: dict[str, str], field: str
) -> None:
    response = inv_client.get(reverse(name), params)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    body = text(response)
    assert "Some filter values are not valid" in body
    assert 'class="errorlist' in body
    assert response.context["page_obj"].paginator.count == 0


def test_pagination_is_fifty_per_page_and_keeps_filters(
    inv_client: Client, case_a: Compartment
) -> None:
    for i in range(51):
        make_incident(case_a, f"Detention {i:02d}", source_ids=())
    response = inv_client.get(reverse("web:incident_list"), {"q": "Detention"})
    assert len(response.context["page_obj"].object_list) == 50
    body = text(response)
    assert "?q=Detention&amp;page=2" in body
    second = inv_client.get(reverse("web:incident_list"), {"q": "Detention", "page": "2"})
    assert len(second.context["page_obj"].object_list) == 1
    bad_page = inv_client.get(reverse("web:incident_list"), {"page": "zzz"})
    assert bad_page.status_code == 200


# -- details ------------------------------------------------------------------------------


def test_incident_detail_shows_everything_linked(inv_client: Client, world: World) -> None:
    response = inv_client.get(reverse("web:incident_detail", args=[world.incident.pk]))
    assert response.status_code == 200
    body = text(response)
    assert "Beating near Pushkinskaya metro" in body
    # 19:00–20:00 UTC is 22:00–23:00 in Minsk
    assert "22:00–23:00" in body
    assert "Europe/Minsk" in body
    assert "precision: hour" in body
    assert "± 300 m" in body
    assert "Pushkinskaya metro" in body
    assert "Torture" in body or "torture" in body
    assert reverse("web:person_detail", args=[world.victim.pk]) in body
    assert world.victim.pseudonym in body
    assert reverse("web:person_detail", args=[world.witness.pk]) in body
    assert reverse("web:source_detail", args=[world.source.pk]) in body
    assert reverse("web:act_detail", args=[world.act.pk]) in body
    assert reverse("web:incident_edit", args=[world.incident.pk]) in body
    assert "Алесь" not in body  # identity is never on an ordinary page


def test_act_detail(inv_client: Client, world: World) -> None:
    body = text(inv_client.get(reverse("web:act_detail", args=[world.act.pk])))
    assert reverse("web:incident_detail", args=[world.incident.pk]) in body
    assert world.victim.pseudonym in body
    for label in ("Bruising", "Baton", "consistent"):
        assert label.lower() in body.lower()
    assert world.officer.pseudonym in body
    assert "probable" in body
    assert reverse("web:source_detail", args=[world.source.pk]) in body
    assert reverse("web:involvement_create", args=[world.act.pk]) in body


def test_person_detail_shows_pseudonym_and_roles_only(inv_client: Client, world: World) -> None:
    body = text(inv_client.get(reverse("web:person_detail", args=[world.officer.pk])))
    assert world.officer.pseudonym in body
    assert "alleged perpetrator" in body
    assert "Officer Name" not in body
    assert reverse("web:unit_detail", args=[world.unit.pk]) in body  # post held
    assert reverse("web:act_detail", args=[world.act.pk]) in body  # involvement
    assert reverse("web:person_reveal", args=[world.officer.pk]) in body

    body = text(inv_client.get(reverse("web:person_detail", args=[world.victim.pk])))
    assert reverse("web:act_detail", args=[world.act.pk]) in body  # act suffered
    body = text(inv_client.get(reverse("web:person_detail", args=[world.witness.pk])))
    assert reverse("web:incident_detail", args=[world.incident.pk]) in body  # witnessed


def test_unit_detail_shows_hierarchy_posts_deployments_staffing(
    inv_client: Client, world: World
) -> None:
    body = text(inv_client.get(reverse("web:unit_detail", args=[world.unit.pk])))
    assert "Chain of command today" in body
    assert reverse("web:unit_detail", args=[world.parent_unit.pk]) in body
    assert world.officer.pseudonym in body
    assert "Platoon leader" in body
    assert reverse("web:deployment_detail", args=[world.deployment.pk]) in body
    assert "812" in body
    assert "about 800" in body
    assert reverse("web:unit_parent_add", args=[world.unit.pk]) in body

    body = text(inv_client.get(reverse("web:unit_detail", args=[world.parent_unit.pk])))
    assert reverse("web:unit_detail", args=[world.unit.pk]) in body  # child unit


def test_deployment_detail(inv_client: Client, world: World) -> None:
    body = text(inv_client.get(reverse("web:deployment_detail", args=[world.deployment.pk])))
    assert reverse("web:unit_detail", args=[world.unit.pk]) in body
    assert reverse("web:source_detail", args=[world.source.pk]) in body
    assert "20:00" in body  # 17:00 UTC in Minsk
    assert "± 500 m" in body


def test_source_detail(inv_client: Client, world: World) -> None:
    body = text(inv_client.get(reverse("web:source_detail", args=[world.source.pk])))
    assert "B2" in body
    assert "usually reliable" in body
    assert reverse("web:incident_detail", args=[world.incident.pk]) in body
    assert reverse("web:deployment_detail", args=[world.deployment.pk]) in body
    assert world.officer.pseudonym in body  # post and involvement resting on it


@pytest.mark.parametrize(
    ("name", "attr"),
    [
        ("web:incident_detail", "foreign_incident"),
        ("web:person_detail", "foreign_person"),
        ("web:source_detail", "foreign_source"),
        ("web:incident_edit", "foreign_incident"),
        ("web:person_edit", "foreign_person"),
        ("web:act_create", "foreign_incident"),
    ],
)
def test_record_of_another_compartment_is_404_like_a_missing_one(
    inv_client: Client, world: World, name: str, attr: str
) -> None:
    hidden = inv_client.get(reverse(name, args=[getattr(world, attr).pk]))
    missing = inv_client.get(reverse(name, args=[987654]))
    assert hidden.status_code == missing.status_code == 404
    assert without_request_specifics(text(hidden)) == without_request_specifics(text(missing))


@pytest.mark.parametrize(
    ("name", "attr"),
    [
        ("web:incident_detail", "incident"),
        ("web:act_detail", "act"),
        ("web:person_detail", "victim"),
        ("web:deployment_detail", "deployment"),
        ("web:source_detail", "source"),
    ],
)
def test_outsider_gets_404_for_records_of_case_a(
    outsider_client: Client, world: World, name: str, attr: str
) -> None:
    response = outsider_client.get(reverse(name, args=[getattr(world, attr).pk]))
    assert response.status_code == 404
    assert "There is no such record" in text(response)


def test_reader_sees_records_without_edit_links(reader_client: Client, world: World) -> None:
    body = text(reader_client.get(reverse("web:incident_detail", args=[world.incident.pk])))
    assert reverse("web:incident_edit", args=[world.incident.pk]) not in body
    response = reader_client.get(reverse("web:incident_edit", args=[world.incident.pk]))
    assert response.status_code == 403


def test_long_lists_count_up_to_a_cap_and_say_so(
    inv_client: Client, case_a: Compartment, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crimebook.web.views import _common

    monkeypatch.setattr(_common, "COUNT_CAP", 4)
    for i in range(6):
        make_incident(case_a, title=f"Capped incident {i}")
    monkeypatch.setattr(_common, "PAGE_SIZE", 2)
    page = inv_client.get(reverse("web:incident_list")).content.decode()
    assert "More than 4 records" in page and "Page 1 of 2" in page
    last = inv_client.get(reverse("web:incident_list") + "?page=99").content.decode()
    assert "Page 2 of 2" in last  # pages stop at the cap; narrowing the filters shows the rest
    narrow = inv_client.get(reverse("web:incident_list") + "?q=incident+5").content.decode()
    assert "1 record" in narrow and "More than" not in narrow
