"""/incidents: filters, pagination, create, patch and the validation rules of the service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crimebook.audit.models import AuditEntry
from crimebook.register import services as s
from crimebook.register.models import Incident

pytestmark = pytest.mark.django_db

Check = Callable[..., dict[str, Any]]


def _incident(compartment: Any, title: str, day: int, **kw: Any) -> Incident:
    start = datetime(2020, 8, day, 18, 0, tzinfo=UTC)
    data = s.IncidentData(
        compartment_id=compartment.pk, title=title, start=start, end=start + timedelta(hours=2),
        **kw,
    )  # fmt: skip
    return s.incident_create(actor=None, data=data)


@pytest.fixture
def many(world: Any, compartments: Any) -> list[Incident]:
    """Besides world.a.incident (10 August, torture, reported): five more in A."""
    a = compartments.a
    return [
        _incident(a, "Detention at Okrestina", 11, violation_types=("arbitrary_detention",),
                  status="verified", verification="verified"),
        _incident(a, "Stun grenade at Riga market", 12, violation_types=("excessive_force",),
                  place_name="Riga market"),
        _incident(a, "Beating in a bus", 13, violation_types=("torture", "ill_treatment")),
        _incident(a, "Night detention", 14, status="under_review"),
        _incident(a, "Disappearance", 15, verification="disputed"),
    ]  # fmt: skip


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_list_filters_match_the_selector(alice_api: Any, world: Any, many: list[Incident]) -> None:
    first = world.a.incident
    assert _ids(alice_api.get("/incidents")) == {first.pk, *(i.pk for i in many)}
    assert _ids(alice_api.get("/incidents", q="detention")) == {many[0].pk, many[3].pk}
    assert _ids(alice_api.get("/incidents", q="riga")) == {many[1].pk}
    assert _ids(alice_api.get("/incidents", status="verified")) == {many[0].pk}
    assert _ids(alice_api.get("/incidents", verification="disputed")) == {many[4].pk}
    assert _ids(alice_api.get("/incidents", violation_type="torture")) == {first.pk, many[2].pk}
    assert _ids(alice_api.get("/incidents", date_from="2020-08-13")) == {
        many[2].pk, many[3].pk, many[4].pk,
    }  # fmt: skip
    assert _ids(alice_api.get("/incidents", date_from="2020-08-11", date_to="2020-08-12")) == {
        many[0].pk, many[1].pk,
    }  # fmt: skip
    assert _ids(alice_api.get("/incidents", status="closed")) == set()


def test_a_filter_value_no_incident_can_have_is_a_422_not_an_empty_page(
    alice_api: Any, many: list[Incident]
) -> None:
    # GIVEN incidents; WHEN a client filters by a misspelt status, verification or type
    response = alice_api.get(
        "/incidents", status="verifed", verification="confirmed", violation_type="tortur"
    )
    # THEN the answer names each bad value (an empty page would read as "none exist")
    assert response.status_code == 422, response.content
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"status", "verification", "violation_type"}
    assert "'verifed' is not one of" in fields["status"][0]
    assert _ids(alice_api.get("/incidents", status="", violation_type="")) == _ids(
        alice_api.get("/incidents")
    )


def test_pagination_walks_every_incident_once_newest_first_by_cursor(
    alice_api: Any, many: list[Incident], error_of: Check
) -> None:
    # GIVEN six incidents; WHEN they are read two at a time following each page's cursor
    seen: list[int] = []
    page = alice_api.get("/incidents", limit=2).json()
    while True:
        assert page["count"] == 6
        seen += [i["id"] for i in page["items"]]
        if page["next"] is None:
            break
        page = alice_api.get("/incidents", limit=2, cursor=page["next"]).json()
    # THEN each comes once, in the stable order (newest record first)
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 6
    everything = alice_api.get("/incidents", limit=200).json()
    assert [i["id"] for i in everything["items"]] == seen and everything["next"] is None
    for bad in ({"limit": 201}, {"limit": 0}):
        error = error_of(alice_api.get("/incidents", **bad), 422)
        assert set(error["fields"]) == set(bad)


def test_read_renders_every_field(alice_api: Any, world: Any) -> None:
    body = alice_api.get(f"/incidents/{world.a.incident.pk}").json()
    assert body["title"] == "Beating near Pushkinskaya A"
    assert body["violation_types"] == ["torture"]
    assert body["source_ids"] == [world.a.source.pk]
    assert body["start"] == "2020-08-10T19:00:00Z"
    assert datetime.fromisoformat(body["end"]).utcoffset() == timedelta(0)
    assert body["radius_m"] == 300.0


def test_create_incident(alice_api: Any, world: Any, users: Any) -> None:
    body = {
        "compartment_id": world.a.incident.compartment_id,
        "title": "Detention on Nemiga",
        "start": "2020-08-11T21:30:00+03:00",
        "end": "2020-08-11T23:00:00+03:00",
        "precision": "minute",
        "latitude": 53.9,
        "longitude": 27.55,
        "radius_m": 50,
        "violation_types": ["arbitrary_detention"],
        "source_ids": [world.a.source.pk],
        "witness_ids": [world.a.victim.pk],
    }
    response = alice_api.post("/incidents", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["start"] == "2020-08-11T18:30:00Z"
    assert created["status"] == "reported"  # the service's default
    assert created["witness_ids"] == [world.a.victim.pk]
    incident = Incident.objects.get(pk=created["id"])
    assert incident.created_by == users.alice
    entry = AuditEntry.objects.filter(object_type="register.incident").order_by("-pk").first()
    assert entry is not None and entry.object_id == str(incident.pk)


def test_patch_merges_the_given_fields_only(alice_api: Any, world: Any) -> None:
    incident = world.a.incident
    response = alice_api.patch(
        f"/incidents/{incident.pk}", {"status": "under_review", "description": "Two victims."}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "under_review"
    assert body["description"] == "Two victims."
    # untouched fields, including relations, survive the patch
    assert body["title"] == incident.title
    assert body["violation_types"] == ["torture"]
    assert body["source_ids"] == [world.a.source.pk]
    assert body["latitude"] == incident.latitude
    # null resets an optional field to the service's default
    body = alice_api.patch(f"/incidents/{incident.pk}", {"violation_types": None}).json()
    assert body["violation_types"] == []


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"start": "2020-08-10T19:00:00"}, "start", "time zone"),
        ({"end": "2020-08-10 20:00"}, "end", "time zone"),
        ({"start": "2020-08-10T20:00:00Z", "end": "2020-08-10T19:00:00Z"}, "end", "before"),
        ({"latitude": 91.0}, "latitude", "outside -90"),
        ({"longitude": -181.0}, "longitude", "outside -180"),
        ({"radius_m": -5}, "radius_m", "negative"),
        ({"latitude": None}, "latitude", "both latitude and longitude"),
        ({"violation_types": ["tickling"]}, "violation_types", "'tickling'"),
        ({"status": "lost"}, "status", "not a valid choice"),
        ({"title": None}, "title", "cannot be null"),
        ({"title": ""}, "title", "cannot be blank"),
        ({"source_ids": [987654]}, "source_ids", "987654"),
    ],
)
def test_patch_rejections_carry_the_service_message(
    alice_api: Any, world: Any, error_of: Check, change: dict[str, Any], field: str, words: str
) -> None:
    before = Incident.objects.get(pk=world.a.incident.pk)
    error = error_of(alice_api.patch(f"/incidents/{before.pk}", change), 422)
    assert error["code"] == "validation_failed"
    assert any(words in m for m in error["fields"][field]), error
    after = Incident.objects.get(pk=before.pk)
    assert (after.start, after.end, after.latitude, after.title) == (
        before.start, before.end, before.latitude, before.title,
    )  # fmt: skip


def test_create_rejections_name_the_field(alice_api: Any, world: Any, error_of: Check) -> None:
    base = {"compartment_id": world.a.incident.compartment_id, "title": "T"}
    error = error_of(alice_api.post("/incidents", {**base, "start": "2020-08-10T19:00"}), 422)
    assert "time zone" in error["fields"]["start"][0]
    error = error_of(alice_api.post("/incidents", {**base, "radius_m": -1}), 422)
    assert "negative" in error["fields"]["radius_m"][0]
    # a source from another compartment is rejected by name, not used
    error = error_of(alice_api.post("/incidents", {**base, "source_ids": [world.b.source.pk]}), 422)
    assert str(world.b.source.pk) in error["fields"]["source_ids"][0]


def test_creating_in_a_compartment_one_cannot_see_is_404(
    alice_api: Any, compartments: Any, error_of: Check
) -> None:
    body = {"compartment_id": compartments.b.pk, "title": "Planted"}
    assert error_of(alice_api.post("/incidents", body), 404)["code"] == "not_found"
    assert not Incident.objects.filter(title="Planted").exists()
