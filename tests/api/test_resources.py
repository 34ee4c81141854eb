"""The routes added for the rest of the register: staffing records, dismissals,
vocabularies, cameras and recordings, persons created and revealed (GIVEN / WHEN / THEN)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crimebook.audit.models import AuditEntry
from crimebook.evidence.models import Camera, Recording
from crimebook.register.models import Person

pytestmark = pytest.mark.django_db

Check = Callable[..., dict[str, Any]]


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


# --- staffing records and dismissals ---------------------------------------------------------


def test_staffing_records_are_created_listed_filtered_and_compartmented(
    alice_api: Any, api_as: Callable[[Any], Any], users: Any, world: Any, compartments: Any,
    error_of: Check,
) -> None:  # fmt: skip
    row = {
        "compartment_id": compartments.a.pk, "unit_id": world.omon.pk, "on": "2020-08-09",
        "headcount": 1200, "source_id": world.a.source.pk, "as_reported": "about 1,200",
    }  # fmt: skip
    created = _ok(alice_api.post("/staffing", row), 201)
    assert {k: created[k] for k in row} == row
    _ok(alice_api.post("/staffing", {**row, "on": "2021-01-01", "headcount": 900}), 201)
    assert _ok(alice_api.get("/staffing"))["count"] == 2
    assert _ok(alice_api.get("/staffing", date_from="2020-12-01"))["count"] == 1
    assert _ok(alice_api.get("/staffing", unit_id=world.ministry.pk))["count"] == 0
    assert _ok(alice_api.get(f"/staffing/{created['id']}"))["headcount"] == 1200
    # mallory (compartment B) sees none of it, and cannot read one by id
    mallory = api_as(users.mallory)
    assert _ok(mallory.get("/staffing"))["count"] == 0
    error_of(mallory.get(f"/staffing/{created['id']}"), 404)
    # bad input changes nothing
    error_of(alice_api.post("/staffing", {**row, "headcount": -1}), 422)
    error_of(alice_api.post("/staffing", {**row, "source_id": world.b.source.pk}), 422)
    error_of(mallory.post("/staffing", row), 404)
    assert _ok(alice_api.get("/staffing"))["count"] == 2


def test_dismissals_name_a_person_of_the_same_compartment_only(
    alice_api: Any, world: Any, compartments: Any, error_of: Check
) -> None:
    row = {
        "compartment_id": compartments.a.pk, "unit_id": world.omon.pk, "on": "2020-09-01",
        "count": 1, "person_id": world.a.officer.pk, "source_id": world.a.source.pk,
    }  # fmt: skip
    created = _ok(alice_api.post("/dismissals", row), 201)
    assert created["person_id"] == world.a.officer.pk
    error = error_of(alice_api.post("/dismissals", {**row, "person_id": world.b.officer.pk}), 422)
    assert "person_id" in error["fields"]
    error_of(alice_api.post("/dismissals", {**row, "count": 0}), 422)
    body = _ok(alice_api.get("/dismissals", unit_id=world.omon.pk))
    assert [d["id"] for d in body["items"]] == [created["id"]]


# --- vocabularies --------------------------------------------------------------------------


def test_vocabularies_and_their_terms_are_listed_in_three_languages(
    alice_api: Any, world: Any, error_of: Check
) -> None:
    codes = {v["code"] for v in _ok(alice_api.get("/vocabularies", limit=200))["items"]}
    assert {"violation_type", "unit_type"} <= codes
    assert _ok(alice_api.get("/vocabularies/violation_type"))["code"] == "violation_type"
    terms = _ok(alice_api.get("/vocabularies/violation_type/terms", limit=200))["items"]
    torture = next(t for t in terms if t["code"] == "torture")
    assert torture["label_en"] and torture["label_ru"] and torture["label_be"]
    found = _ok(alice_api.get("/vocabularies/violation_type/terms", q="tortur"))["items"]
    assert "torture" in {t["code"] for t in found}
    error_of(alice_api.get("/vocabularies/no-such-vocabulary"), 404)
    error_of(alice_api.get("/vocabularies/no-such-vocabulary/terms"), 404)


# --- cameras and recordings ------------------------------------------------------------------


def test_cameras_and_recordings_are_metadata_filtered_and_compartmented(
    alice_api: Any, api_as: Callable[[Any], Any], users: Any, compartments: Any,
    error_of: Check,
) -> None:  # fmt: skip
    cam = Camera.objects.create(
        compartment=compartments.a, external_id="CAM-7", name="Pushkinskaya exit",
        latitude=53.909, longitude=27.495,
    )  # fmt: skip
    other = Camera.objects.create(
        compartment=compartments.b, external_id="CAM-9", latitude=53.9, longitude=27.5
    )
    start = datetime(2020, 8, 10, 19, 0, tzinfo=UTC)
    rec = Recording.objects.create(
        compartment=compartments.a, camera=cam, start=start, end=start + timedelta(hours=1),
        held_by="a partner group",
    )  # fmt: skip
    Recording.objects.create(
        compartment=compartments.b, camera=other, start=start, end=start + timedelta(hours=1)
    )
    assert [c["id"] for c in _ok(alice_api.get("/cameras"))["items"]] == [cam.pk]
    assert _ok(alice_api.get("/cameras", q="pushkin"))["count"] == 1
    assert _ok(alice_api.get(f"/cameras/{cam.pk}"))["external_id"] == "CAM-7"
    error_of(alice_api.get(f"/cameras/{other.pk}"), 404)
    body = _ok(alice_api.get("/recordings", camera_id=cam.pk))
    assert [r["id"] for r in body["items"]] == [rec.pk]
    assert body["items"][0]["start"] == "2020-08-10T19:00:00Z"
    assert _ok(alice_api.get("/recordings", date_from="2020-08-11"))["count"] == 0
    assert _ok(alice_api.get("/recordings", date_to="2020-08-10"))["count"] == 1
    assert _ok(alice_api.get("/recordings", held=True))["count"] == 0
    assert _ok(alice_api.get("/recordings", held=False))["count"] == 1
    assert _ok(api_as(users.mallory).get("/recordings"))["count"] == 1
    error_of(api_as(users.mallory).get(f"/recordings/{rec.pk}"), 404)


# --- persons: created with an identity, revealed only through the audited path -------------


def test_a_person_created_with_an_identity_never_echoes_it(
    alice_api: Any, compartments: Any
) -> None:
    payload = {
        "compartment_id": compartments.a.pk, "is_witness": True,
        "identity": {"full_name": "Янка Прыдуманы", "contacts": ["+375 29 000 00 00"]},
    }  # fmt: skip
    response = alice_api.post("/persons", payload)
    body = _ok(response, 201)
    assert body["roles"] == ["witness"]
    assert "Прыдуманы".encode() not in response.content
    person = Person.objects.get(pk=body["id"])
    assert "Прыдуманы" not in str(person.__dict__)  # stored encrypted


def test_an_investigator_reveals_an_identity_with_a_reason_and_it_is_audited(
    alice_api: Any, world: Any, error_of: Check
) -> None:
    victim = world.a.victim
    error_of(alice_api.post(f"/persons/{victim.pk}/reveal", {"reason": "no"}), 422)
    error_of(alice_api.post(f"/persons/{victim.pk}/reveal", {}), 422)
    assert not AuditEntry.objects.filter(action="reveal_identity").exists()
    body = _ok(alice_api.post(f"/persons/{victim.pk}/reveal", {"reason": "Preparing a statement"}))
    assert body["full_name"] == world.victim_name and body["birth_date"] == "1990-05-01"
    entry = AuditEntry.objects.get(action="reveal_identity")
    assert entry.object_id == str(victim.pk)


def test_reveal_is_refused_to_other_roles_compartments_and_token_scopes(
    api_as: Callable[[Any], Any], make_token: Callable[..., str], users: Any, world: Any,
    compartments: Any, error_of: Check,
) -> None:  # fmt: skip
    from django.test import Client

    from crimebook.accounts.services import membership_set
    from tests.api.conftest import ApiClient

    reason = {"reason": "Preparing a statement"}
    victim = world.a.victim
    # a read-only member: forbidden; another compartment's investigator: not found
    error_of(api_as(users.rita).post(f"/persons/{victim.pk}/reveal", reason), 403)
    error_of(api_as(users.mallory).post(f"/persons/{victim.pk}/reveal", reason), 404)
    # mallory joins A, but her token is scoped to B: still not found
    membership_set(actor=None, user=users.mallory, compartment=compartments.a, role="investigator")
    scoped = ApiClient(Client(), make_token(users.mallory, compartment_ids=[compartments.b.pk]))
    error_of(scoped.post(f"/persons/{victim.pk}/reveal", reason), 404)
    assert not AuditEntry.objects.filter(action="reveal_identity").exists()


def test_persons_in_bulk_all_or_nothing(alice_api: Any, compartments: Any, error_of: Check) -> None:
    before = Person.objects.count()
    good = {"compartment_id": compartments.a.pk, "is_victim": True}
    bad = {"compartment_id": compartments.b.pk, "is_victim": True}
    error_of(alice_api.post("/persons/bulk", {"items": [good, bad]}), 422)
    assert Person.objects.count() == before
    assert _ok(alice_api.post("/persons/bulk", {"items": [good, good]}), 201)["count"] == 2
