"""Create and edit pages: a valid POST saves through the service and redirects to the
record; a rejected one shows the message beside its field, keeps the input, writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from crimebook.accounts.models import Compartment
from crimebook.audit.models import AuditEntry
from crimebook.register.models import (
    Act,
    Deployment,
    Incident,
    Involvement,
    Person,
    Post,
    Source,
    Unit,
    UnitRelation,
)
from crimebook.register.services.persons import person_identity_decrypt

from .conftest import World, logged_in_client

pytestmark = pytest.mark.django_db


def incident_post(compartment: Compartment, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "compartment": compartment.pk,
        "title": "Detention at Stela",
        "description": "Protesters detained and beaten.",
        "start": "2020-08-10T22:30",
        "end": "2020-08-10T23:15",
        "precision": "minute",
        "place_name": "Stela, Pobediteley Ave",
        "latitude": "53.9285",
        "longitude": "27.5195",
        "radius_m": "150",
        "violation_types": ["torture", "arbitrary_detention"],
        "status": "reported",
        "verification": "unverified",
        "confidentiality": "confidential",
        "witnesses": "",
    }
    data.update(overrides)
    return data


def field_errors(response: Any, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def assert_error_beside(response: Any, field: str, fragment: str) -> None:
    """The message is on the field, and rendered in the field's group on the page."""
    assert response.status_code == 200
    messages = field_errors(response, field)
    assert any(fragment in m for m in messages), messages
    body = response.content.decode()
    start = (
        body.index(f'for="id_{field}"')
        if f'for="id_{field}"' in body
        else body.index(f'id="id_{field}"')
    )
    group = body[body.rfind('<div class="field', 0, start) :]
    assert fragment in group[: group.find('<div class="field', 10)]


# -- incidents ---------------------------------------------------------------------------


def test_create_incident(inv_client: Client, case_a: Compartment, world: World) -> None:
    data = incident_post(case_a, sources=[world.source.pk], witnesses=world.witness.pseudonym)
    response = inv_client.post(reverse("web:incident_create"), data)
    incident = Incident.objects.get(title="Detention at Stela")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:incident_detail", args=[incident.pk])
    # typed as Minsk wall-clock time (UTC+3), stored aware
    assert incident.start == datetime(2020, 8, 10, 19, 30, tzinfo=UTC)
    assert incident.end == datetime(2020, 8, 10, 20, 15, tzinfo=UTC)
    assert incident.radius_m == 150.0
    assert sorted(t.code for t in incident.violation_types.all()) == [
        "arbitrary_detention", "torture",
    ]  # fmt: skip
    assert list(incident.sources.all()) == [world.source]
    assert list(incident.witnesses.all()) == [world.witness]
    page = inv_client.get(response["Location"])
    assert "Incident saved." in page.content.decode()


def test_create_form_offers_only_writable_compartments(
    inv_client: Client, case_a: Compartment, case_b: Compartment
) -> None:
    body = inv_client.get(reverse("web:incident_create")).content.decode()
    assert case_a.name in body
    assert case_b.name not in body
    assert 'type="datetime-local"' in body
    assert '<label for="id_title"' in body


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"end": "2020-08-10T21:00"}, "end", "before it starts"),
        ({"latitude": "91"}, "latitude", "outside -90"),
        ({"radius_m": "-5"}, "radius_m", "cannot be negative"),
        ({"violation_types": ["torture", "jaywalking"]}, "violation_types", "valid choice"),
        ({"witnesses": "P-NOSUCH1"}, "witnesses", "P-NOSUCH1"),
        ({"start": "yesterday"}, "start", "valid date"),
    ],
)
def test_create_incident_rejected_shows_error_beside_field_and_writes_nothing(
    inv_client: Client, case_a: Compartment, overrides: dict[str, Any], field: str,
    fragment: str,
) -> None:  # fmt: skip
    entries = AuditEntry.objects.count()
    response = inv_client.post(reverse("web:incident_create"), incident_post(case_a, **overrides))
    assert_error_beside(response, field, fragment)
    assert not Incident.objects.filter(title="Detention at Stela").exists()
    assert AuditEntry.objects.count() == entries
    body = response.content.decode()
    assert 'value="Detention at Stela"' in body  # what was typed is kept
    assert "Nothing was saved" in body


def test_create_incident_shows_every_problem_at_once(
    inv_client: Client, case_a: Compartment
) -> None:
    # GIVEN a form with the end before the start, a latitude off the globe and a negative radius
    data = incident_post(case_a, end="2020-08-10T21:00", latitude="91", radius_m="-5")
    # WHEN it is saved
    response = inv_client.post(reverse("web:incident_create"), data)
    # THEN each problem is marked beside its field in one answer, not one per attempt
    assert_error_beside(response, "end", "before it starts")
    assert_error_beside(response, "latitude", "outside -90")
    assert_error_beside(response, "radius_m", "cannot be negative")
    assert not Incident.objects.filter(title="Detention at Stela").exists()


def test_create_incident_problems_are_in_the_readers_language(
    inv_client: Client, case_a: Compartment
) -> None:
    # GIVEN an investigator working in Belarusian
    inv_client.cookies["django_language"] = "be"
    # WHEN they save an incident that ends before it starts, off the globe, radius negative
    data = incident_post(case_a, end="2020-08-10T21:00", latitude="91", radius_m="-5")
    response = inv_client.post(reverse("web:incident_create"), data, HTTP_ACCEPT_LANGUAGE="be")
    # THEN each problem is said in Belarusian, the times as typed (to the minute, Minsk time)
    assert_error_beside(response, "end", "Інцыдэнт заканчваецца (2020-08-10 21:00) раней")
    assert_error_beside(response, "latitude", "Шырата 91.0 па-за дыяпазонам")
    assert_error_beside(response, "radius_m", "Радыус нявызначанасці не можа быць адмоўным")
    assert "before it starts" not in response.content.decode()


def test_witness_of_another_compartment_is_unknown(
    inv_client: Client, case_a: Compartment, world: World
) -> None:
    response = inv_client.post(
        reverse("web:incident_create"),
        incident_post(case_a, witnesses=world.foreign_person.pseudonym),
    )
    assert field_errors(response, "witnesses")
    assert not Incident.objects.filter(title="Detention at Stela").exists()


def test_edit_incident_shows_minsk_time_and_saves(inv_client: Client, world: World) -> None:
    url = reverse("web:incident_edit", args=[world.incident.pk])
    body = inv_client.get(url).content.decode()
    assert 'value="2020-08-10T22:00"' in body  # 19:00 UTC shown in Minsk time
    assert world.witness.pseudonym in body
    data = incident_post(
        world.incident.compartment, title="Beating near Pushkinskaya (verified)",
        start="2020-08-10T22:00", end="2020-08-10T23:00", status="verified",
        sources=[world.source.pk], witnesses=world.witness.pseudonym,
    )  # fmt: skip
    response = inv_client.post(url, data)
    assert response.status_code == 302
    world.incident.refresh_from_db()
    assert world.incident.title == "Beating near Pushkinskaya (verified)"
    assert world.incident.status == "verified"
    assert world.incident.start == datetime(2020, 8, 10, 19, 0, tzinfo=UTC)


def test_edit_incident_rejected_keeps_record(inv_client: Client, world: World) -> None:
    url = reverse("web:incident_edit", args=[world.incident.pk])
    response = inv_client.post(url, incident_post(world.incident.compartment, latitude="91"))
    assert_error_beside(response, "latitude", "outside -90")
    world.incident.refresh_from_db()
    assert world.incident.title == "Beating near Pushkinskaya metro"


def test_reader_cannot_create(reader_client: Client, case_a: Compartment) -> None:
    assert reader_client.get(reverse("web:incident_create")).status_code == 403
    response = reader_client.post(reverse("web:incident_create"), incident_post(case_a))
    assert response.status_code == 403
    assert not Incident.objects.filter(title="Detention at Stela").exists()


# -- acts and involvements ---------------------------------------------------------------


def act_post(victim_person: Person, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "victim": victim_person.pseudonym.lower(),  # pseudonyms are matched case-insensitively
        "act_type": "torture",
        "injuries": ["fracture", "head_injury"],
        "methods": ["baton"],
        "detention_place": "okrestina_izo",
        "medical_grade": "highly_consistent",
        "medical_findings": "Fractured wrist.",
        "description": "",
    }
    data.update(overrides)
    return data


def test_create_act_from_incident(inv_client: Client, world: World) -> None:
    url = reverse("web:act_create", args=[world.incident.pk])
    assert inv_client.get(url).status_code == 200
    response = inv_client.post(url, act_post(world.victim))
    act = Act.objects.get(act_type__code="torture")
    assert response["Location"] == reverse("web:act_detail", args=[act.pk])
    assert act.incident == world.incident
    assert act.victim == world.victim
    assert act.detention_place is not None and act.detention_place.code == "okrestina_izo"
    assert sorted(t.code for t in act.injuries.all()) == ["fracture", "head_injury"]


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"act_type": "tickling"}, "act_type", "valid choice"),
        ({"act_type": ""}, "act_type", "required"),
        ({"victim": "P-NOSUCH1"}, "victim", "P-NOSUCH1"),
        ({"medical_grade": "certain"}, "medical_grade", "valid choice"),
    ],
)
def test_create_act_rejected(
    inv_client: Client, world: World, overrides: dict[str, Any], field: str, fragment: str
) -> None:
    before = Act.objects.count()
    response = inv_client.post(
        reverse("web:act_create", args=[world.incident.pk]), act_post(world.victim, **overrides)
    )
    assert_error_beside(response, field, fragment)
    assert Act.objects.count() == before


def test_victim_must_be_in_the_incidents_compartment(
    investigator: Any, case_b: Compartment, world: World
) -> None:
    """A pseudonym the user can see, but in another compartment: the service's message
    lands beside the victim field."""
    from crimebook.accounts.services import membership_set

    membership_set(actor=None, user=investigator, compartment=case_b, role="investigator")
    client = logged_in_client(investigator)
    response = client.post(
        reverse("web:act_create", args=[world.incident.pk]), act_post(world.foreign_person)
    )
    assert_error_beside(response, "victim", "compartment")


def test_edit_act(inv_client: Client, world: World) -> None:
    url = reverse("web:act_edit", args=[world.act.pk])
    body = inv_client.get(url).content.decode()
    assert world.victim.pseudonym in body
    response = inv_client.post(url, act_post(world.victim, act_type="beating",
                                             medical_grade="typical"))  # fmt: skip
    assert response.status_code == 302
    world.act.refresh_from_db()
    assert world.act.medical_grade == "typical"


def test_add_involvement_on_act_page(inv_client: Client, world: World) -> None:
    url = reverse("web:involvement_create", args=[world.act.pk])
    data = {"person": world.witness.pseudonym, "degree": "present", "confidence": "possible",
            "basis": [world.source.pk], "basis_note": "Seen on stream"}  # fmt: skip
    response = inv_client.post(url, data)
    assert response["Location"] == reverse("web:act_detail", args=[world.act.pk])
    involvement = Involvement.objects.get(person=world.witness)
    assert list(involvement.basis.all()) == [world.source]


def test_involvement_without_basis_is_refused_beside_the_basis(
    inv_client: Client, world: World
) -> None:
    url = reverse("web:involvement_create", args=[world.act.pk])
    response = inv_client.post(url, {"person": world.witness.pseudonym, "degree": "present",
                                     "confidence": "possible"})  # fmt: skip
    assert response.status_code == 200
    form = response.context["involvement_form"]
    assert any("basis" in m for m in form.errors["basis"])
    assert not Involvement.objects.filter(person=world.witness).exists()


# -- persons -------------------------------------------------------------------------------


def test_create_person_with_identity(inv_client: Client, case_a: Compartment) -> None:
    response = inv_client.post(reverse("web:person_create"), {
        "compartment": case_a.pk, "is_victim": "on", "full_name": "Мікола Іваноў",
        "birth_date": "1985-03-02", "contacts": "+375 29 000 00 00\n\n@mikola",
        "identifiers": "",
    })  # fmt: skip
    person = Person.objects.get(is_victim=True, compartment=case_a)
    assert response["Location"] == reverse("web:person_detail", args=[person.pk])
    assert "Мікола" not in person.full_name_enc
    identity = person_identity_decrypt(person)
    assert identity.full_name == "Мікола Іваноў"
    assert identity.birth_date == date(1985, 3, 2)
    assert identity.contacts == ("+375 29 000 00 00", "@mikola")


def test_create_person_implausible_birth_date(inv_client: Client, case_a: Compartment) -> None:
    response = inv_client.post(reverse("web:person_create"), {
        "compartment": case_a.pk, "is_witness": "on", "full_name": "X", "birth_date": "1800-01-01",
    })  # fmt: skip
    assert_error_beside(response, "birth_date", "not plausible")
    assert not Person.objects.filter(is_witness=True, is_victim=False).exists()


def test_edit_person_keeps_identity_when_left_blank(inv_client: Client, world: World) -> None:
    url = reverse("web:person_edit", args=[world.victim.pk])
    body = inv_client.get(url).content.decode()
    assert "Алесь" not in body  # the identity is never put into the form
    response = inv_client.post(url, {"compartment": world.victim.compartment_id,
                                     "is_victim": "on", "is_witness": "on"})  # fmt: skip
    assert response.status_code == 302
    world.victim.refresh_from_db()
    assert world.victim.is_witness
    assert person_identity_decrypt(world.victim).full_name == "Алесь Тэставы"


def test_edit_person_replaces_identity_when_filled(inv_client: Client, world: World) -> None:
    url = reverse("web:person_edit", args=[world.victim.pk])
    inv_client.post(url, {"compartment": world.victim.compartment_id, "is_victim": "on",
                          "full_name": "Алесь Новы"})  # fmt: skip
    world.victim.refresh_from_db()
    assert person_identity_decrypt(world.victim).full_name == "Алесь Новы"


# -- units, hierarchy, posts, deployments ----------------------------------------------------


def unit_post(**overrides: Any) -> dict[str, Any]:
    data = {"code": "rovd-frunzensky", "name": "Frunzensky District Police Department",
            "name_ru": "Фрунзенский РУВД", "name_be": "", "unit_type": "district_department",
            "valid_from": "1995-01-01", "valid_to": "", "latitude": "", "longitude": ""}  # fmt: skip
    data.update(overrides)
    return data


def test_create_and_edit_unit(inv_client: Client, db: Any) -> None:
    response = inv_client.post(reverse("web:unit_create"), unit_post())
    unit = Unit.objects.get(code="rovd-frunzensky")
    assert response["Location"] == reverse("web:unit_detail", args=[unit.pk])
    url = reverse("web:unit_edit", args=[unit.pk])
    assert 'value="1995-01-01"' in inv_client.get(url).content.decode()
    inv_client.post(url, unit_post(name="Frunzensky RUVD"))
    unit.refresh_from_db()
    assert unit.name == "Frunzensky RUVD"


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"valid_to": "1990-01-01"}, "valid_to", "before it starts"),
        ({"latitude": "91", "longitude": "27"}, "latitude", "outside -90"),
        ({"unit_type": "army"}, "unit_type", "valid choice"),
        ({"code": "not a slug!"}, "code", "slug"),
    ],
)
def test_create_unit_rejected(
    inv_client: Client, db: Any, overrides: dict[str, Any], field: str, fragment: str
) -> None:
    response = inv_client.post(reverse("web:unit_create"), unit_post(**overrides))
    assert_error_beside(response, field, fragment)
    assert not Unit.objects.filter(name="Frunzensky District Police Department").exists()


def test_reader_cannot_create_units(reader_client: Client) -> None:
    response = reader_client.post(reverse("web:unit_create"), unit_post())
    assert response.status_code == 403
    assert not Unit.objects.filter(code="rovd-frunzensky").exists()


def test_add_parent_unit(inv_client: Client, world: World) -> None:
    url = reverse("web:unit_parent_add", args=[world.parent_unit.pk])
    top = Unit.objects.create(code="mvd", name="Ministry", unit_type=world.unit.unit_type)
    response = inv_client.post(url, {"parent": top.pk, "valid_from": "2000-01-01"})
    assert response.status_code == 302
    assert UnitRelation.objects.filter(child=world.parent_unit, parent=top).exists()
    body = inv_client.get(reverse("web:unit_detail", args=[world.unit.pk])).content.decode()
    chain = body[body.index('<ol class="chain">') :]
    assert chain.index("Minsk City Police Directorate") < chain.index("Ministry")


def test_add_parent_unit_cycle_is_refused(inv_client: Client, world: World) -> None:
    url = reverse("web:unit_parent_add", args=[world.parent_unit.pk])
    response = inv_client.post(url, {"parent": world.unit.pk})
    assert response.status_code == 200
    assert any("cycle" in m for m in response.context["parent_form"].errors["parent"])
    assert not UnitRelation.objects.filter(child=world.parent_unit).exists()


def test_add_post_from_person_page(inv_client: Client, world: World) -> None:
    url = reverse("web:post_create") + f"?person={world.witness.pk}"
    body = inv_client.get(url).content.decode()
    assert world.witness.pseudonym in body
    response = inv_client.post(url, {"person": world.witness.pseudonym, "unit": world.unit.pk,
                                     "rank": "Sergeant", "position": "Driver",
                                     "start": "2020-01-01", "end": ""})  # fmt: skip
    assert response["Location"] == reverse("web:person_detail", args=[world.witness.pk])
    assert Post.objects.filter(person=world.witness, rank="Sergeant").exists()


def test_add_post_before_unit_existed_is_refused(inv_client: Client, world: World) -> None:
    url = reverse("web:post_create") + f"?unit={world.unit.pk}"
    response = inv_client.post(url, {"person": world.witness.pseudonym, "unit": world.unit.pk,
                                     "start": "1990-01-01"})  # fmt: skip
    assert_error_beside(response, "start", "did not exist")
    assert not Post.objects.filter(person=world.witness).exists()


def deployment_post(world: World, **overrides: Any) -> dict[str, Any]:
    data = {"compartment": world.incident.compartment_id, "unit": world.unit.pk,
            "source": world.source.pk, "start": "2020-08-11T18:00", "end": "2020-08-12T02:00",
            "precision": "range", "place_name": "Riga shopping centre", "latitude": "53.91",
            "longitude": "27.58", "radius_m": "400", "note": ""}  # fmt: skip
    data.update(overrides)
    return data


def test_create_and_edit_deployment(inv_client: Client, world: World) -> None:
    response = inv_client.post(reverse("web:deployment_create"), deployment_post(world))
    made = Deployment.objects.get(place_name="Riga shopping centre")
    assert response["Location"] == reverse("web:deployment_detail", args=[made.pk])
    assert made.start == datetime(2020, 8, 11, 15, 0, tzinfo=UTC)
    url = reverse("web:deployment_edit", args=[made.pk])
    assert 'value="2020-08-11T18:00"' in inv_client.get(url).content.decode()
    response = inv_client.post(url, deployment_post(world, radius_m="-1"))
    assert_error_beside(response, "radius_m", "cannot be negative")


# -- sources ---------------------------------------------------------------------------------


def source_post(compartment: Compartment, **overrides: Any) -> dict[str, Any]:
    data = {"compartment": compartment.pk, "kind": "open_source", "title": "Telegram video",
            "description": "", "url": "https://example.org/post/1", "received_on": "2020-08-11",
            "reliability": "C", "credibility": "3", "consent_investigation": "on"}  # fmt: skip
    data.update(overrides)
    return data


def test_create_and_edit_source(inv_client: Client, case_a: Compartment) -> None:
    response = inv_client.post(reverse("web:source_create"), source_post(case_a))
    source = Source.objects.get(title="Telegram video")
    assert response["Location"] == reverse("web:source_detail", args=[source.pk])
    assert source.grade == "C3"
    assert source.consent_investigation and not source.consent_prosecution
    url = reverse("web:source_edit", args=[source.pk])
    inv_client.post(url, source_post(case_a, reliability="B", credibility="2"))
    source.refresh_from_db()
    assert source.grade == "B2"
    body = inv_client.get(reverse("web:source_detail", args=[source.pk])).content.decode()
    assert 'href="https://example.org' not in body  # never a link to a third party


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"consent_prosecution_with": "ICC"}, "consent_prosecution_with", "consent"),
        ({"credibility": "9"}, "credibility", "valid choice"),
        ({"url": "not a url"}, "url", "valid URL"),
        ({"title": ""}, "title", "required"),
    ],
)
def test_create_source_rejected(
    inv_client: Client, case_a: Compartment, overrides: dict[str, Any], field: str,
    fragment: str,
) -> None:  # fmt: skip
    response = inv_client.post(reverse("web:source_create"), source_post(case_a, **overrides))
    assert_error_beside(response, field, fragment)
    assert not Source.objects.filter(kind="open_source").exists()


# -- edit error paths: the message is shown beside the field and the record is unchanged --


def test_edit_person_rejected_keeps_record(inv_client: Client, world: World) -> None:
    url = reverse("web:person_edit", args=[world.victim.pk])
    response = inv_client.post(url, {"compartment": world.victim.compartment_id,
                                     "is_witness": "on", "full_name": "Someone Else",
                                     "birth_date": "2999-01-01"})  # fmt: skip
    assert_error_beside(response, "birth_date", "not plausible")
    world.victim.refresh_from_db()
    assert world.victim.is_victim and not world.victim.is_witness
    assert person_identity_decrypt(world.victim).full_name == "Алесь Тэставы"


def test_edit_act_rejected_keeps_record(inv_client: Client, world: World) -> None:
    url = reverse("web:act_edit", args=[world.act.pk])
    response = inv_client.post(url, act_post(world.victim, methods=["baton", "catapult"]))
    assert_error_beside(response, "methods", "valid choice")
    world.act.refresh_from_db()
    assert world.act.act_type.code == "beating"


def test_edit_unit_rejected_keeps_record(inv_client: Client, world: World) -> None:
    url = reverse("web:unit_edit", args=[world.unit.pk])
    response = inv_client.post(url, unit_post(code="omon-minsk", name="Renamed",
                                              unit_type="riot_police",
                                              valid_from="2020-01-01"))  # fmt: skip
    # the officer's post starts in 2019: it would fall outside the unit's lifetime
    assert_error_beside(response, "valid_from", "outside its lifetime")
    world.unit.refresh_from_db()
    assert world.unit.name == "Minsk OMON"


def test_edit_source_rejected_keeps_record(inv_client: Client, world: World) -> None:
    url = reverse("web:source_edit", args=[world.source.pk])
    response = inv_client.post(
        url, source_post(world.source.compartment, consent_prosecution_with="ICC")
    )
    assert_error_beside(response, "consent_prosecution_with", "consent")
    world.source.refresh_from_db()
    assert world.source.title == "Interview with a witness"
