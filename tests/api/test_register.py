"""Create, read and patch of acts, involvements, sources, posts, deployments and units;
read-only persons. Each rule the services enforce comes back as 422 with its message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crimebook.register.models import Act, Deployment, Involvement, Post, Source, Unit

pytestmark = pytest.mark.django_db

Check = Callable[..., dict[str, Any]]


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    return body


# --- persons: pseudonyms and roles only ----------------------------------------------------


def test_persons_never_show_identity_and_cannot_be_patched(
    alice_api: Any, world: Any, error_of: Check
) -> None:
    victim = world.a.victim
    name = world.victim_name
    body = _ok(alice_api.get(f"/persons/{victim.pk}"))
    assert body == {
        "id": victim.pk, "pseudonym": victim.pseudonym,
        "compartment_id": victim.compartment_id, "roles": ["victim"],
    }  # fmt: skip
    listing = alice_api.get("/persons", limit=200)
    assert name not in listing.content.decode()
    assert name.encode() not in alice_api.get(f"/persons/{victim.pk}").content
    assert _ok(listing)["count"] == 2
    assert [p["id"] for p in _ok(alice_api.get("/persons", role="perpetrator"))["items"]] == [
        world.a.officer.pk
    ]
    assert _ok(alice_api.get("/persons", q=victim.pseudonym[2:6]))["count"] == 1
    error_of(alice_api.patch(f"/persons/{victim.pk}", {"is_witness": True}), 405)


# --- acts and involvements -----------------------------------------------------------------


def test_create_and_patch_an_act(alice_api: Any, world: Any) -> None:
    body = {
        "incident_id": world.a.incident.pk, "victim_id": world.a.victim.pk,
        "act_type": "arbitrary_detention", "detention_place": "okrestina_cip",
        "injuries": ["bruising", "head_injury"], "medical_grade": "consistent",
    }  # fmt: skip
    created = _ok(alice_api.post("/acts", body), 201)
    assert created["detention_place"] == "okrestina_cip"
    assert sorted(created["injuries"]) == ["bruising", "head_injury"]
    patched = _ok(alice_api.patch(f"/acts/{created['id']}", {"medical_grade": "diagnostic"}))
    assert patched["medical_grade"] == "diagnostic"
    assert patched["act_type"] == "arbitrary_detention"
    assert sorted(patched["injuries"]) == ["bruising", "head_injury"]
    listed = _ok(alice_api.get("/acts", incident_id=world.a.incident.pk, act_type="beating"))
    assert [a["id"] for a in listed["items"]] == [world.a.act.pk]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"act_type": "tickling"}, "act_type", "'tickling'"),
        ({"methods": ["magic"]}, "methods", "'magic'"),
        ({"medical_grade": "certain"}, "medical_grade", "not a valid choice"),
        ({"victim_id": 987654}, "victim_id", "987654"),
    ],
)
def test_act_rejections(
    alice_api: Any, world: Any, error_of: Check, change: dict[str, Any], field: str, words: str
) -> None:
    error = error_of(alice_api.patch(f"/acts/{world.a.act.pk}", change), 422)
    assert any(words in m for m in error["fields"][field]), error


def test_involvements_need_a_basis(alice_api: Any, world: Any, error_of: Check) -> None:
    body = {"act_id": world.a.act.pk, "person_id": world.a.officer.pk, "degree": "ordered"}
    error = error_of(alice_api.post("/involvements", body), 422)
    assert "needs a basis" in error["fields"]["basis_source_ids"][0]
    created = _ok(
        alice_api.post("/involvements", {**body, "basis_source_ids": [world.a.source.pk]}), 201
    )
    assert created["basis_source_ids"] == [world.a.source.pk]
    assert created["confidence"] == "possible"
    involvement = Involvement.objects.get(pk=created["id"])
    assert created["analyst_id"] == involvement.analyst_id is not None
    listed = _ok(alice_api.get("/involvements", act_id=world.a.act.pk))
    assert {i["id"] for i in listed["items"]} == {world.a.involvement.pk, created["id"]}
    error = error_of(alice_api.post("/involvements", {**body, "degree": "guessed",
                                                      "basis_source_ids": [world.a.source.pk]}), 422)  # fmt: skip
    assert "degree" in error["fields"]


# --- sources --------------------------------------------------------------------------------


def test_create_and_patch_a_source(alice_api: Any, world: Any, error_of: Check) -> None:
    body = {
        "compartment_id": world.a.source.compartment_id, "kind": "open_source",
        "title": "Telegram video of Pushkinskaya", "url": "https://example.org/v/1",
        "received_on": "2020-08-11", "reliability": "C", "credibility": 3,
    }  # fmt: skip
    created = _ok(alice_api.post("/sources", body), 201)
    assert created["grade"] == "C3"
    assert created["recorded_by_id"] is not None
    patched = _ok(alice_api.patch(f"/sources/{created['id']}", {"consent_investigation": True}))
    assert patched["consent_investigation"] is True
    assert patched["title"] == body["title"]
    assert Source.objects.get(pk=created["id"]).received_on.isoformat() == "2020-08-11"
    error = error_of(alice_api.patch(f"/sources/{created['id']}",
                                     {"consent_prosecution_with": "ICC"}), 422)  # fmt: skip
    assert "consent" in error["fields"]["consent_prosecution_with"][0]
    error = error_of(alice_api.patch(f"/sources/{created['id']}", {"kind": "rumour"}), 422)
    assert "kind" in error["fields"]
    assert [s["id"] for s in _ok(alice_api.get("/sources", kind="open_source"))["items"]] == [
        created["id"]
    ]


# --- units and their hierarchy -------------------------------------------------------------


def test_create_and_patch_a_unit(alice_api: Any, world: Any, error_of: Check) -> None:
    body = {"code": "rovd-frunzensky", "name": "Frunzensky district department",
            "unit_type": "district_department", "valid_from": "1995-01-01"}  # fmt: skip
    created = _ok(alice_api.post("/units", body), 201)
    assert created["unit_type"] == "district_department"
    patched = _ok(alice_api.patch(f"/units/{created['id']}", {"name_ru": "Фрунзенский РУВД"}))
    assert patched["name_ru"] == "Фрунзенский РУВД"
    assert patched["valid_from"] == "1995-01-01"
    error = error_of(alice_api.post("/units", {**body, "code": "x", "unit_type": "club"}), 422)
    assert "'club'" in error["fields"]["unit_type"][0]
    error = error_of(alice_api.post("/units", body), 422)  # the code is taken
    assert "code" in error["fields"]
    found = _ok(alice_api.get("/units", q="frunzensky"))
    assert [u["id"] for u in found["items"]] == [created["id"]]


def test_unit_lifetime_must_fit_its_posts(alice_api: Any, world: Any, error_of: Check) -> None:
    error = error_of(alice_api.patch(f"/units/{world.omon.pk}", {"valid_from": "2020-01-01"}), 422)
    assert "outside its lifetime" in error["fields"]["valid_from"][0]
    error = error_of(alice_api.patch(f"/units/{world.omon.pk}", {"valid_to": "1999-01-01"}), 422)
    assert "before it starts" in error["fields"]["end"][0]


def test_parent_links_refuse_cycles_and_overlaps(
    alice_api: Any, world: Any, error_of: Check
) -> None:
    parents = _ok(alice_api.get(f"/units/{world.omon.pk}/parents"))
    assert [(p["child_id"], p["parent_id"]) for p in parents] == [
        (world.omon.pk, world.ministry.pk)
    ]
    children = _ok(alice_api.get(f"/units/{world.ministry.pk}/children"))
    assert [c["child_id"] for c in children] == [world.omon.pk]
    # the ministry below OMON would close a loop
    error = error_of(
        alice_api.post(f"/units/{world.ministry.pk}/parents", {"parent_id": world.omon.pk}), 422
    )
    assert "cycle" in error["fields"]["parent"][0]
    # a second parent for the same period
    other = Unit.objects.create(code="gumvd", name="GUMVD", unit_type=world.ministry.unit_type)
    error = error_of(
        alice_api.post(f"/units/{world.omon.pk}/parents", {"parent_id": other.pk}), 422
    )
    assert "already has a parent" in error["fields"]["valid_from"][0]
    error = error_of(alice_api.post(f"/units/{world.omon.pk}/parents", {"parent_id": 987654}), 422)
    assert "987654" in error["fields"]["parent_id"][0]
    # end the first link, then the new parent is accepted from the next day
    link = world.link
    ended = _ok(alice_api.patch(f"/units/{world.omon.pk}/parents/{link.pk}",
                                {"valid_to": "2020-12-31"}))  # fmt: skip
    assert ended["valid_to"] == "2020-12-31"
    added = _ok(alice_api.post(f"/units/{world.omon.pk}/parents",
                               {"parent_id": other.pk, "valid_from": "2021-01-01"}), 201)  # fmt: skip
    assert added["parent_id"] == other.pk
    error = error_of(alice_api.patch(f"/units/{world.omon.pk}/parents/{link.pk}",
                                     {"valid_to": "1999-01-01"}), 422)  # fmt: skip
    assert "before it starts" in error["fields"]["end"][0]


def test_only_reference_editors_change_units(
    api_as: Callable[[Any], Any], users: Any, world: Any, error_of: Check
) -> None:
    rita = api_as(users.rita)
    assert _ok(rita.get(f"/units/{world.omon.pk}"))["code"] == "omon-minsk"
    error = error_of(rita.patch(f"/units/{world.omon.pk}", {"name": "x"}), 403)
    assert "units" in error["message"]


# --- posts and deployments -----------------------------------------------------------------


def test_create_and_patch_a_post(alice_api: Any, world: Any, error_of: Check) -> None:
    body = {"person_id": world.a.officer.pk, "unit_id": world.ministry.pk, "rank": "major",
            "position": "deputy head", "start": "2015-06-01", "end": "2019-12-31"}  # fmt: skip
    created = _ok(alice_api.post("/posts", body), 201)
    patched = _ok(alice_api.patch(f"/posts/{created['id']}", {"is_commander": True}))
    assert patched["is_commander"] is True
    assert patched["rank"] == "major"
    assert Post.objects.get(pk=created["id"]).end.isoformat() == "2019-12-31"
    listed = _ok(alice_api.get("/posts", person_id=world.a.officer.pk))
    assert {p["id"] for p in listed["items"]} == {world.a.post.pk, created["id"]}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"start": "1990-01-01"}, "start", "did not exist before"),
        ({"start": "2020-01-01", "end": "2019-01-01"}, "end", "before it starts"),
        ({"unit_id": 987654}, "unit_id", "987654"),
        ({"source_id": -1}, "source_id", "No such source"),
    ],
)
def test_post_rejections(
    alice_api: Any, world: Any, error_of: Check, change: dict[str, Any], field: str, words: str
) -> None:
    error = error_of(alice_api.patch(f"/posts/{world.a.post.pk}", change), 422)
    assert any(words in m for m in error["fields"][field]), error


def test_create_and_patch_a_deployment(alice_api: Any, world: Any, error_of: Check) -> None:
    body = {
        "compartment_id": world.a.source.compartment_id, "unit_id": world.omon.pk,
        "source_id": world.a.source.pk, "start": "2020-08-09T20:00:00+03:00",
        "end": "2020-08-10T04:00:00+03:00", "place_name": "Stella", "latitude": 53.93,
        "longitude": 27.51, "radius_m": 800,
    }  # fmt: skip
    created = _ok(alice_api.post("/deployments", body), 201)
    assert created["start"] == "2020-08-09T17:00:00Z"
    patched = _ok(alice_api.patch(f"/deployments/{created['id']}", {"note": "Seen on video."}))
    assert patched["note"] == "Seen on video."
    assert patched["place_name"] == "Stella"
    assert Deployment.objects.get(pk=created["id"]).radius_m == 800
    listed = _ok(alice_api.get("/deployments", date_from="2020-08-10", date_to="2020-08-10"))
    assert {d["id"] for d in listed["items"]} == {created["id"], world.a.deployment.pk}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"start": "2020-08-10T19:00:00"}, "start", "time zone"),
        ({"start": "2020-08-10T23:00:00Z"}, "end", "before"),
        ({"latitude": -100}, "latitude", "outside -90"),
        ({"radius_m": -1}, "radius_m", "negative"),
        ({"unit_id": 987654}, "unit_id", "987654"),
        ({"source_id": None}, "source_id", "cannot be null"),
    ],
)
def test_deployment_rejections(
    alice_api: Any, world: Any, error_of: Check, change: dict[str, Any], field: str, words: str
) -> None:
    error = error_of(alice_api.patch(f"/deployments/{world.a.deployment.pk}", change), 422)
    assert any(words in m for m in error["fields"][field]), error


def test_a_deployment_needs_a_source_in_its_compartment(
    alice_api: Any, world: Any, error_of: Check
) -> None:
    change = {"source_id": world.b.source.pk}
    error = error_of(alice_api.patch(f"/deployments/{world.a.deployment.pk}", change), 422)
    assert "same compartment" in error["fields"]["source_id"][0]
    assert Act.objects.count() == 2  # nothing else changed in passing
