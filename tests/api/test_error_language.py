"""The register's refusals through the API in the request's language (Accept-Language):
the field messages, the envelope's message and a permission refusal are Russian or
Belarusian, never the English source, and nothing is written."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from crimebook.audit.models import AuditEntry
from crimebook.register.models import Act, Incident, Involvement, UnitRelation
from tests.api.conftest import API, check_error

pytestmark = pytest.mark.django_db


def _post(token: str, path: str, body: dict[str, Any], lang: str) -> dict[str, Any]:
    response = Client().post(
        f"{API}{path}", json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE=lang,
    )  # fmt: skip
    return {"status": response.status_code, "text": response.content.decode(), "r": response}


def test_unknown_violation_type_is_refused_in_russian(
    make_token: Callable[..., str], users: Any, world: Any, compartments: Any
) -> None:
    # GIVEN alice asking in Russian
    token = make_token(users.alice)
    incidents, audit = Incident.objects.count(), AuditEntry.objects.count()
    # WHEN she creates an incident with a violation type no vocabulary has
    body = {"compartment_id": compartments.a.pk, "title": "Задержание у ГУМа",
            "violation_types": ["nonsense"]}  # fmt: skip
    got = _post(token, "/incidents", body, "ru")
    # THEN the refusal is Russian, field and envelope alike, and nothing is stored
    error = check_error(got["r"], 422)
    assert error["fields"]["violation_types"] == ["Неизвестный вид нарушения: 'nonsense'."]
    assert error["message"] == "Запись не сохранена; см. поля."
    assert "Unknown violation type" not in got["text"]
    assert "not saved" not in got["text"]
    assert (Incident.objects.count(), AuditEntry.objects.count()) == (incidents, audit)


def test_a_victim_of_another_compartment_is_refused_in_russian(
    make_token: Callable[..., str], users: Any, world: Any
) -> None:
    token = make_token(users.alice)
    acts = Act.objects.count()
    body = {"incident_id": world.a.incident.pk, "victim_id": world.b.victim.pk,
            "act_type": "beating"}  # fmt: skip
    got = _post(token, "/acts", body, "ru")
    error = check_error(got["r"], 422)
    assert error["fields"]["victim_id"] == [
        f"В отсеке доступа этого инцидента нет лица с идентификатором {world.b.victim.pk}."
    ]
    assert "No person with id" not in got["text"]
    assert Act.objects.count() == acts


def test_an_involvement_without_basis_is_refused_in_russian(
    make_token: Callable[..., str], users: Any, world: Any
) -> None:
    token = make_token(users.alice)
    before = Involvement.objects.count()
    body = {"act_id": world.a.act.pk, "person_id": world.a.officer.pk, "degree": "ordered"}
    got = _post(token, "/involvements", body, "ru")
    error = check_error(got["r"], 422)
    assert error["fields"]["basis_source_ids"] == [
        "Причастности нужно основание: укажите хотя бы один источник, на котором она основана."
    ]
    assert "needs a basis" not in got["text"]
    assert Involvement.objects.count() == before


def test_a_unit_cycle_is_refused_in_belarusian(
    make_token: Callable[..., str], users: Any, world: Any
) -> None:
    # GIVEN OMON Minsk below the ministry, and alice asking in Belarusian
    token = make_token(users.alice)
    links = UnitRelation.objects.count()
    # WHEN she puts the ministry below OMON Minsk, and names a unit that does not exist
    cycle = _post(token, f"/units/{world.ministry.pk}/parents", {"parent_id": world.omon.pk}, "be")
    ghost = _post(token, f"/units/{world.omon.pk}/parents", {"parent_id": 987654}, "be")
    # THEN both are refused in Belarusian, the units named, and no link is made
    assert check_error(cycle["r"], 422)["fields"]["parent"] == [
        "Падраздзяленне OMON Minsk ужо падпарадкавана падраздзяленню Ministry of Internal "
        "Affairs: атрымаўся б цыкл."
    ]
    assert "would make a cycle" not in cycle["text"]
    assert check_error(ghost["r"], 422)["fields"]["parent_id"] == [
        "Няма падраздзялення з ідэнтыфікатарам 987654."
    ]
    assert "No unit with id" not in ghost["text"]
    assert UnitRelation.objects.count() == links


def test_permission_refusals_are_in_russian(
    make_token: Callable[..., str], users: Any, world: Any, compartments: Any
) -> None:
    # GIVEN a read-only member (rita) and a read-only token of a writer (alice)
    body = {"compartment_id": compartments.a.pk, "title": "Задержание"}
    incidents = Incident.objects.count()
    # WHEN each tries to create an incident, asking in Russian
    role = _post(make_token(users.rita), "/incidents", body, "ru")
    scope = _post(make_token(users.alice, read_only=True), "/incidents", body, "ru")
    # THEN the 403 says why in Russian, and nothing is stored
    assert check_error(role["r"], 403)["message"] == (
        "Ваша роль в этом отсеке доступа не позволяет вносить изменения."
    )
    assert "does not allow changes" not in role["text"]
    assert check_error(scope["r"], 403)["message"] == "Этот токен только для чтения."
    assert "read-only" not in scope["text"]
    assert Incident.objects.count() == incidents


def test_english_stays_the_default(
    make_token: Callable[..., str], users: Any, world: Any, compartments: Any
) -> None:
    body = {"compartment_id": compartments.a.pk, "title": "x", "violation_types": ["nonsense"]}
    error = check_error(_post(make_token(users.alice), "/incidents", body, "en")["r"], 422)
    assert error["fields"]["violation_types"] == ["Unknown violation type: 'nonsense'."]
    assert error["message"] == "The record was not saved; see fields."


def test_a_headcount_from_another_compartments_source_is_refused_in_russian(
    make_token: Callable[..., str], users: Any, world: Any, compartments: Any
) -> None:
    from crimebook.register.models import StaffingRecord

    body = {"compartment_id": compartments.a.pk, "unit_id": world.omon.pk, "on": "2020-08-01",
            "headcount": 120, "source_id": world.b.source.pk}  # fmt: skip
    got = _post(make_token(users.alice), "/staffing", body, "ru")
    error = check_error(got["r"], 422)
    assert error["fields"]["source_id"] == ["В этом отсеке доступа нет такого источника."]
    assert "No such source" not in got["text"]
    assert not StaffingRecord.objects.exists()


def test_a_filter_value_no_record_can_have_is_refused_in_russian(
    make_token: Callable[..., str], users: Any, world: Any
) -> None:
    # GIVEN alice listing incidents in Russian with a misspelt status and type code
    response = Client().get(
        f"{API}/incidents", {"status": "verifed", "violation_type": "tortur"},
        HTTP_AUTHORIZATION=f"Bearer {make_token(users.alice)}", HTTP_ACCEPT_LANGUAGE="ru",
    )  # fmt: skip
    # THEN each bad value is named in Russian
    fields = check_error(response, 422)["fields"]
    assert fields["status"][0].startswith("«verifed» — не одно из значений: ")
    assert fields["violation_type"] == ["«tortur» — не код словаря violation_type."]
    assert "is not" not in response.content.decode()
