"""The case services' refusals in the reader's language, on the pages and through the API:
Russian or Belarusian text, not the English source, and nothing changed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from crimebook.accounts.services import api_token_create
from crimebook.audit.models import AuditEntry
from crimebook.cases import services as cs
from crimebook.cases.models import Case, CaseMember, CaseRole, Classification, ElementSupport
from tests.cases.helpers import CaseWorld
from tests.clients import speaking

pytestmark = pytest.mark.django_db


def _api(user: Any, lang: str) -> Callable[[str, Any], Any]:
    """POST as ``user`` (a fresh token) asking in ``lang``."""
    _token, secret = api_token_create(actor=None, user=user, name="t")

    def post(path: str, body: Any) -> Any:
        return Client().post(
            f"/api/v1/cases{path}", json.dumps(body), content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE=lang,
        )  # fmt: skip

    return post


def test_the_last_lead_cannot_step_down_said_in_russian(world: CaseWorld, lead: Any) -> None:
    # GIVEN the case's only lead, reading in Russian
    client = speaking(lead, "ru")
    audit = AuditEntry.objects.count()
    # WHEN she makes herself a viewer
    page = client.post(f"/cases/{world.case.pk}/members/", {"username": "lena", "role": "viewer"})
    # THEN the form says why in Russian, and she is still the lead
    html = page.content.decode()
    assert page.status_code == 400
    assert "У дела должен быть хотя бы один ведущий." in html
    assert "needs at least one lead" not in html
    assert CaseMember.objects.get(case=world.case, user=lead).role == CaseRole.LEAD
    assert AuditEntry.objects.count() == audit


def test_classifying_twice_and_linking_twice_said_in_russian(world: CaseWorld, lead: Any) -> None:
    client = speaking(lead, "ru")
    item = world.classification
    element = item.definition.elements.first()
    assert element is not None
    cs.support_add(actor=lead, case=world.case, classification_id=item.pk,
                   element_id=element.pk, material=f"exhibit:{world.exhibit_ok.pk}",
                   note="photographed injuries")  # fmt: skip
    counts = (Classification.objects.count(), ElementSupport.objects.count())
    again = client.post(f"/cases/{world.case.pk}/classify/",
                        {"act": world.act.pk, "definition": item.definition.code})  # fmt: skip
    linked = client.post(f"/cases/{world.case.pk}/support/add/", {
        "classification": item.pk, "element": element.pk,
        "material": f"exhibit:{world.exhibit_ok.pk}", "note": "again",
    })  # fmt: skip
    assert again.status_code == linked.status_code == 400
    assert "Это деяние уже так квалифицировано." in again.content.decode()
    assert "already classified" not in again.content.decode()
    assert "Уже привязано к этому элементу." in linked.content.decode()
    assert "Already linked" not in linked.content.decode()
    assert (Classification.objects.count(), ElementSupport.objects.count()) == counts


def test_removing_a_classified_incident_said_in_belarusian(world: CaseWorld, lead: Any) -> None:
    client = speaking(lead, "be")
    refused = client.post(f"/cases/{world.case.pk}/material/remove/",
                          {"kind": "incident", "record": world.incident.pk}, follow=True)  # fmt: skip
    html = refused.content.decode()
    assert (
        "Дзеянні гэтага інцыдэнту кваліфікаваны ў справе: спачатку выдаліце гэтыя кваліфікацыі."
        in html
    )
    assert "classified in the case" not in html
    assert world.case.incidents.filter(pk=world.incident.pk).exists()


def test_api_refusals_said_in_russian(world: CaseWorld, lead: Any, investigator: Any) -> None:
    # GIVEN ivy, a viewer of the case, and lena its lead, both asking in Russian
    cs.case_member_set(actor=None, case=world.case, username="ivy", role=CaseRole.VIEWER)
    ivy, lena = _api(investigator, "ru"), _api(lead, "ru")
    counts = (Case.objects.count(), ElementSupport.objects.count(), AuditEntry.objects.count())
    # WHEN ivy adds material and opens a case, and lena links support without material
    add = ivy(f"/{world.case.pk}/suspects", {"ids": [world.suspect.pk]})
    open_ = ivy("", {"compartment_id": world.case.compartment_id, "title": "x", "purpose": "y",
                     "mechanism": "un"})  # fmt: skip
    element = world.classification.definition.elements.first()
    assert element is not None
    neither = lena(f"/{world.case.pk}/classifications/{world.classification.pk}/supports",
                   {"element_id": element.pk, "note": "n"})  # fmt: skip
    # THEN each refusal is Russian, and nothing was stored
    assert add.status_code == 403
    assert add.json()["error"]["message"] == "Ваша роль в этом деле не позволяет вносить изменения."
    assert open_.status_code == 403
    assert open_.json()["error"]["message"] == "Открывать дела могут только юристы-аналитики."
    assert neither.status_code == 422
    assert neither.json()["error"] == {
        "code": neither.json()["error"]["code"],
        "message": "Запись не сохранена; см. поля.",
        "fields": {"exhibit_id": ["Укажите ровно одно из полей: exhibit_id или testimony_id."]},
    }
    for response in (add, open_, neither):
        text = response.content.decode()
        assert "does not allow" not in text and "open case files" not in text
        assert "Give exactly one" not in text and "not saved" not in text
    after = (Case.objects.count(), ElementSupport.objects.count(), AuditEntry.objects.count())
    assert after == counts
