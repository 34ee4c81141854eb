"""Lead explanations name the records they mention — photos and videos by the item's name,
communications by their record id, persons by their pseudonym (never an identity), incidents
by their title — in the reader's language, only when the reader may see the record, with one
query per kind of record for a whole page; the stored English keeps the numbers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape

from crimebook.accounts.services import api_token_create
from crimebook.evidence.communications import CommunicationData, communication_create
from crimebook.evidence.models import Communication, EvidenceItem
from crimebook.leads import wording
from crimebook.leads.build import correlation_run
from crimebook.leads.models import Lead
from crimebook.register import services as s
from crimebook.register.models import Incident, Person
from tests import factories
from tests.leads.helpers import LAT, LON, T0, Scene, lead_of

pytestmark = pytest.mark.django_db
PHOTO = "IMG_0042 <night> & rain.jpg"  # a name that must be escaped on the page


def _photo(scene: Scene, name: str = PHOTO, n: int = 0) -> EvidenceItem:
    return EvidenceItem.objects.create(
        compartment_id=scene.incident.compartment_id, kind="photo", original_name=name,
        sha256=f"{n:064x}", metadata_status="extracted",
        captured_at=T0 + timedelta(minutes=30 + n), tz_name="Europe/Minsk",
        latitude=LAT + 0.0002, longitude=LON, gps_accuracy_m=15.0,
    )  # fmt: skip


def _call(scene: Scene, external_id: str = "CDR-77", n: int = 0) -> Communication:
    return communication_create(
        actor=None,
        data=CommunicationData(
            compartment_id=scene.incident.compartment_id, kind="call",
            start=T0 + timedelta(minutes=20 + n), end=T0 + timedelta(minutes=22 + n),
            latitude=LAT + 0.002, longitude=LON, radius_m=600.0,
            party_a="subscriber A", party_b="dispatcher", external_id=external_id,
        ),
    )  # fmt: skip


def _member(scene: Scene, n: int) -> Person:
    person = factories.person(
        Incident.objects.get(pk=scene.incident.pk).compartment, f"Member Name {n}",
        is_perpetrator=True,
    )  # fmt: skip
    s.post_create(
        actor=None,
        data=s.PostData(
            person_id=person.pk, unit_id=scene.unit.pk, rank="Sergeant", position="fighter",
            start=date(2019, 1, 1), is_commander=False, source_id=scene.source.pk,
        ),
    )  # fmt: skip
    return person


def _client(user: Any, lang: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    client.force_login(user)
    return client


def _api(user: Any, lang: str) -> Client:
    _, secret = api_token_create(actor=None, user=user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE=lang)


def _merge(scene: Scene) -> Lead:
    a, b = sorted((scene.incident.pk, scene.twin.pk))
    return Lead.objects.get(incident_id=a, target_key=f"incident:{b}")


WORDS = {
    "en": {"photo": "photo", "communication": "communication", "person": "possible: person",
           "incident": "Possibly the same event as incident"},
    "ru": {"photo": "фото", "communication": "сеанс связи", "person": "возможно: лицо",
           "incident": "Возможно, то же событие, что и инцидент"},
}  # fmt: skip


QUOTED = {"en": "“%s”", "ru": "«%s»", "be": "«%s»"}  # an incident's title inside a sentence


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_photo_communication_person_and_incident_are_named_on_the_queue_and_in_the_api(
    scene: Scene, compartment: Any, analyst: Any, lang: str
) -> None:
    # GIVEN a photo and a call near the incident, its twin report and the unit's commander
    photo, call = _photo(scene), _call(scene)
    correlation_run(actor=None, compartment_id=compartment.pk)
    other = Incident.objects.get(pk=max(scene.incident.pk, scene.twin.pk))
    expected = {
        lead_of(scene.incident, f"item:{photo.pk}"): ("photo", photo.pk, PHOTO),
        lead_of(scene.incident, f"communication:{call.pk}"): ("communication", call.pk, "CDR-77"),
        lead_of(scene.incident, f"person:{scene.commander.pk}"): (
            "person", scene.commander.pk, scene.commander.pseudonym,
        ),
        _merge(scene): ("incident", other.pk, QUOTED[lang] % other.title),
    }  # fmt: skip
    stored = {lead.pk: (lead.explanation, lead.reasons) for lead in expected}
    # WHEN the analyst reads the queue and each lead through the API
    page = _client(analyst, lang).get("/leads/?status=").content.decode()
    api = _api(analyst, lang)
    listed = {x["id"]: x for x in api.get("/api/v1/leads?page_size=100").json()["items"]}
    for lead, (what, pk, name) in expected.items():
        shown = api.get(f"/api/v1/leads/{lead.pk}").json()
        text = shown["explanation_localized"]
        # THEN the record is named, not numbered, in the reader's language (escaped on the page)
        assert text.startswith(f"{WORDS[lang][what]} {name}"), text
        assert not text.startswith(f"{WORDS[lang][what]} {pk}")
        assert escape(text) in page
        assert listed[lead.pk]["explanation_localized"] == text
        # and the stored English still says the number
        lead.refresh_from_db()
        assert shown["explanation"] == lead.explanation == stored[lead.pk][0]
        assert lead.reasons == stored[lead.pk][1]
        number = f"{WORDS['en'][what]} {pk}"
        assert lead.explanation.startswith(number) or f"{number}:" in lead.explanation
    # the person is named by pseudonym: the identity is never read for the wording
    assert "Commander Name" not in page


def test_the_wording_reads_no_identity(scene: Scene, compartment: Any, analyst: Any) -> None:
    # GIVEN the commander's lead
    correlation_run(actor=None, compartment_id=compartment.pk)
    lead = lead_of(scene.incident, f"person:{scene.commander.pk}")
    # WHEN the names are looked up
    with CaptureQueriesContext(connection) as queries:
        names = wording.names_for(analyst, [lead])
    # THEN only the pseudonym column of the person table is read
    assert names.person(scene.commander.pk) == scene.commander.pseudonym
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "_enc" not in sql and "identity" not in sql.lower()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_record_the_reader_may_not_see_keeps_its_number(
    scene: Scene, compartment: Any, other_compartment: Any, analyst: Any, lang: str
) -> None:
    # GIVEN leads on a photo, a call, the commander and the twin report, whose records are then
    # moved to a compartment the analyst cannot read (the leads are hidden from the analyst;
    # the wording is the second defence)
    photo, call = _photo(scene), _call(scene)
    correlation_run(actor=None, compartment_id=compartment.pk)
    leads = [
        lead_of(scene.incident, f"item:{photo.pk}"),
        lead_of(scene.incident, f"communication:{call.pk}"),
        lead_of(scene.incident, f"person:{scene.commander.pk}"),
        _merge(scene),
    ]
    other = Incident.objects.get(pk=max(scene.incident.pk, scene.twin.pk))
    EvidenceItem.objects.filter(pk=photo.pk).update(compartment=other_compartment)
    Communication.objects.filter(pk=call.pk).update(compartment=other_compartment)
    Person.objects.filter(pk=scene.commander.pk).update(compartment=other_compartment)
    Incident.objects.filter(pk=other.pk).update(compartment=other_compartment)
    # WHEN the explanations are worded for the analyst
    names = wording.names_for(analyst, leads)
    with translation.override(lang):
        texts = [wording.lead_sentence(lead, names) for lead in leads]
    # THEN each record keeps its number and none of the names leaks
    for text, (what, pk) in zip(
        texts,
        [("photo", photo.pk), ("communication", call.pk), ("person", scene.commander.pk),
         ("incident", other.pk)],
        strict=True,
    ):  # fmt: skip
        assert text.startswith(f"{WORDS[lang][what]} {pk}"), text
    joined = " ".join(texts)
    for name in (PHOTO, "CDR-77", scene.commander.pseudonym, other.title):
        assert name not in joined
    # and the leads themselves are not shown to the analyst
    page = _client(analyst, lang).get("/leads/?status=").content.decode()
    assert all(f'id="lead-{lead.pk}"' not in page for lead in leads)


def _queue_queries(client: Client) -> tuple[int, int]:
    client.get("/leads/?status=")  # warm the shared caches (reference data, session)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/leads/?status=")
    assert page.status_code == 200
    return page.content.decode().count('<tr id="lead-'), len(queries.captured_queries)


def test_the_queue_asks_no_more_queries_for_more_leads(
    scene: Scene, compartment: Any, analyst: Any
) -> None:
    # GIVEN a few leads of every kind the wording names
    _photo(scene, "IMG_a.jpg", 0)
    _call(scene, "CDR-a", 0)
    correlation_run(actor=None, compartment_id=compartment.pk, full=True)
    client = _client(analyst, "ru")
    few, few_queries = _queue_queries(client)
    # WHEN many more photos, calls and members of the unit give many more leads
    for n in range(1, 5):
        _photo(scene, f"IMG_{n}.jpg", n)
        _call(scene, f"CDR-{n}", n)
    for n in range(2):
        _member(scene, n)
    correlation_run(actor=None, compartment_id=compartment.pk, full=True)
    many, many_queries = _queue_queries(client)
    # THEN the page names them all with the same number of queries
    assert few >= 2 and many >= few + 8
    assert many_queries == few_queries
    body = client.get("/leads/?status=").content.decode()
    assert "IMG_4.jpg" in body and "CDR-4" in body
