"""Evidence and communication refusals in the reader's language, on the evidence page and
through the API: Russian or Belarusian, never the English source, and nothing written."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from crimebook.accounts.services import api_token_create
from crimebook.audit.models import AuditEntry
from crimebook.evidence.models import Communication, EvidenceItem
from crimebook.evidence.services import evidence_ingest_stream
from tests import factories as f
from tests.evidence.helpers import jpeg_bytes

pytestmark = pytest.mark.django_db
PHONE = "+375 00 555-12-34"  # fictitious: operator code 00 does not exist


def _communication_post(user: Any, body: dict[str, Any], lang: str) -> Any:
    _token, secret = api_token_create(actor=None, user=user, name="t")
    return Client().post(
        "/api/v1/communications", json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE=lang,
    )  # fmt: skip


def test_linking_to_another_compartments_incident_is_refused_in_russian(
    compartment: Any, other_compartment: Any, investigator: Any, vault: Path
) -> None:
    # GIVEN a photo in the investigator's compartment and an incident in another
    stored = evidence_ingest_stream(
        actor=None, compartment_id=compartment.pk, name="yard.jpg",
        stream=io.BytesIO(jpeg_bytes()), process=False,
    )  # fmt: skip
    item = EvidenceItem.objects.get(pk=stored.item_id)
    elsewhere = f.incident(other_compartment, title="Elsewhere")
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(investigator)
    client.cookies["django_language"] = "ru"
    audit = AuditEntry.objects.count()
    # WHEN they link the photo to that incident, reading in Russian
    page = client.post(f"/evidence/{item.pk}/link/",
                       {"kind": "incident", "target": elsewhere.pk}, follow=True)  # fmt: skip
    # THEN the page says why in Russian, and no link is made
    html = page.content.decode()
    assert "В этом отсеке доступа нет такого инцидента." in html
    assert "No such incident" not in html
    assert not item.incidents.exists()
    assert AuditEntry.objects.count() == audit


def test_communication_rules_are_said_in_russian_and_belarusian(
    compartment: Any, investigator: Any
) -> None:
    # GIVEN a call whose party label is a phone number and whose cell area is too wide
    body = {
        "compartment_id": compartment.pk, "kind": "call", "start": "2020-08-10T22:05:00+03:00",
        "end": "2020-08-10T22:07:00+03:00", "latitude": 53.9093, "longitude": 27.4955,
        "radius_m": 80000, "party_a": PHONE,
    }  # fmt: skip
    # WHEN it is sent in Russian; and in Belarusian with an end before its start, and once
    # with a start without a time zone
    ru = _communication_post(investigator, body, "ru")
    fixed = {**body, "radius_m": 800, "party_a": "subscriber A"}
    early = _communication_post(investigator, {**fixed, "end": "2020-08-10T21:00:00+03:00"}, "be")
    naive = _communication_post(investigator, {**fixed, "start": "2020-08-10T22:05:00"}, "be")
    # THEN each problem is said in that language and nothing is stored
    fields = ru.json()["error"]["fields"]
    assert ru.status_code == 422, ru.content
    assert fields["party_a"] == [
        "Обозначение стороны должно быть псевдонимом (например, «абонент А»), а не номером "
        "телефона: укажите номер в поле телефона стороны — он хранится только как слепой хеш."
    ]
    assert fields["radius_m"] == [
        "Радиус зоны соты не может превышать 50 км (80000 м): такая зона ничего не говорит о "
        "том, откуда был сделан звонок."
    ]
    assert "pseudonym" not in ru.content.decode() and "cannot exceed" not in ru.content.decode()
    assert early.status_code == 422, early.content
    assert early.json()["error"]["message"] == "Запіс не захаваны; гл. палі."
    [said] = early.json()["error"]["fields"]["end"]
    assert said.startswith("Канец (2020-08-10") and said.endswith(") раней за пачатак."), said
    assert naive.status_code == 422, naive.content
    assert naive.json()["error"] == {
        "code": naive.json()["error"]["code"],
        "message": "Запыт няправільны; гл. палі.",
        "fields": {"start": ["Пазначце зрух часавога пояса (напрыклад, 2020-08-10T22:30:00+03:00): "
                             "час без яго неадназначны."]},
    }  # fmt: skip
    for response in (early, naive):
        assert "before the start" not in response.content.decode()
        assert "not valid" not in response.content.decode()
    assert not Communication.objects.exists()
