"""Communication leads (a call in a cell area near the incident), end to end: proposed by a
run, reviewed, shown in the queue, on the incident page and in the API. And incremental runs
that notice edits: a deployment's area or window, a post's period, a camera's position."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from crimebook.accounts.services import api_token_create
from crimebook.audit.models import AuditEntry
from crimebook.evidence.communications import (
    CommunicationData,
    communication_create,
    communication_update,
)
from crimebook.evidence.models import EvidenceItem
from crimebook.evidence.services import evidence_ingest_stream
from crimebook.leads.build import correlation_run
from crimebook.leads.models import Lead
from crimebook.leads.services import lead_accept, lead_reject
from crimebook.register import services as s
from crimebook.register.models import Post
from tests.evidence.helpers import jpeg_bytes, use_vault
from tests.leads.helpers import LAT, LON, T0, Scene, lead_of

pytestmark = pytest.mark.django_db
FAR = 0.2  # degrees of latitude: ~22 km away


def _call(scene: Scene, **kw: Any) -> Any:
    values: dict[str, Any] = {
        "compartment_id": scene.incident.compartment_id, "kind": "call",
        "start": T0 + timedelta(minutes=20), "end": T0 + timedelta(minutes=22),
        "latitude": LAT + 0.002, "longitude": LON, "radius_m": 600.0,
        "party_a": "subscriber A", "party_b": "ambulance dispatcher",
        "summary": "Call for an ambulance from the metro exit.", "external_id": "CDR-77",
    }  # fmt: skip
    values.update(kw)
    return communication_create(actor=None, data=CommunicationData(**values))


def _ids(incident: Any, kind: str) -> set[str]:
    return set(
        Lead.objects.filter(incident=incident, kind=kind).values_list("target_key", flat=True)
    )


def test_full_run_proposes_communication_leads_and_says_why_others_are_not_matched(
    scene: Scene, compartment: Any
) -> None:
    near = _call(scene)
    far = _call(scene, external_id="CDR-78", latitude=LAT + FAR)
    nowhere = _call(scene, external_id="CDR-79", latitude=None, longitude=None, radius_m=None)
    run = correlation_run(actor=None, compartment_id=compartment.pk)
    lead = lead_of(scene.incident, f"communication:{near.pk}")
    assert lead.kind == "communication" and lead.communication_id == near.pk
    assert lead.explanation.startswith(f"communication {near.pk} at ")
    assert "cell area of radius 600 m" in lead.explanation and lead.grade == ""
    assert f"communication:{far.pk}" not in _ids(scene.incident, "communication")
    assert run.summary["evaluated"]["communications"] == 3
    [reason] = [
        r["reason"]
        for r in run.summary["not_matched_records"]
        if r["kind"] == "communication" and r["id"] == nowhere.pk
    ]
    assert reason.startswith("no place:")


def test_accept_links_the_record_item_and_reject_is_remembered(
    scene: Scene, compartment: Any, analyst: Any, tmp_path: Path, settings: Any
) -> None:
    use_vault(tmp_path, settings)
    outcome = evidence_ingest_stream(
        actor=None, compartment_id=compartment.pk, name="cdr-export.jpg",
        stream=io.BytesIO(jpeg_bytes()),
    )  # fmt: skip
    held = _call(scene, item_id=outcome.item_id)
    other = _call(scene, external_id="CDR-80", start=T0 + timedelta(minutes=40), end=None)
    correlation_run(actor=None, compartment_id=compartment.pk)
    accepted = lead_accept(
        actor=analyst, lead=lead_of(scene.incident, f"communication:{held.pk}"), note="checked"
    )
    assert accepted.status == "accepted" and accepted.reviewer == analyst
    assert accepted.link == {"communication": held.pk, "evidence_item": outcome.item_id}
    item = EvidenceItem.objects.get(pk=outcome.item_id)
    assert item.incidents.filter(pk=scene.incident.pk).exists()
    assert AuditEntry.objects.filter(object_type="leads.lead", action="accept").exists()
    assert AuditEntry.objects.filter(
        object_type="evidence.evidenceitem", object_id=str(item.pk), action="link"
    ).exists()
    rejected = lead_reject(
        actor=analyst, lead=lead_of(scene.incident, f"communication:{other.pk}"), note="no"
    )
    assert rejected.link == {}
    correlation_run(actor=None, compartment_id=compartment.pk, full=True)
    assert lead_of(scene.incident, f"communication:{other.pk}").status == "rejected"
    assert lead_of(scene.incident, f"communication:{held.pk}").status == "accepted"


def test_incremental_runs_see_new_and_edited_communications(scene: Scene, compartment: Any) -> None:
    correlation_run(actor=None, compartment_id=compartment.pk)
    call = _call(scene)
    run = correlation_run(actor=None, compartment_id=compartment.pk)
    assert not run.full and run.summary["evaluated"]["communications"] == 1
    assert f"communication:{call.pk}" in _ids(scene.incident, "communication")
    moved = CommunicationData(
        compartment_id=compartment.pk, kind="call", start=call.start, end=call.end,
        latitude=LAT + FAR, longitude=LON, radius_m=600.0, external_id=call.external_id,
    )  # fmt: skip
    communication_update(actor=None, communication=call, data=moved)
    again = correlation_run(actor=None, compartment_id=compartment.pk)
    assert not again.full and again.summary["leads"]["withdrawn"] >= 1
    assert f"communication:{call.pk}" not in _ids(scene.incident, "communication")
    quiet = correlation_run(actor=None, compartment_id=compartment.pk)
    assert "communications" not in quiet.summary["evaluated"]


def test_queue_incident_page_and_api_know_communication_leads(
    scene: Scene, compartment: Any, analyst: Any
) -> None:
    call = _call(scene)
    correlation_run(actor=None, compartment_id=compartment.pk)
    client = Client()
    client.force_login(analyst)
    queue = client.get("/leads/", {"kind": "communication"})
    assert queue.status_code == 200
    assert f"/communications/{call.pk}/".encode() in queue.content
    assert b"camera" not in queue.content.split(b"<tbody>")[1]
    incident_page = client.get(f"/incidents/{scene.incident.pk}/")
    assert f"/communications/{call.pk}/".encode() in incident_page.content
    detail = client.get(f"/communications/{call.pk}/")
    assert f"/incidents/{scene.incident.pk}/".encode() in detail.content  # its leads section
    filtered = client.get("/leads/", {"communication": call.pk, "status": ""})
    assert f"/communications/{call.pk}/".encode() in filtered.content
    _, secret = api_token_create(actor=None, user=analyst, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    listed = client.get("/api/v1/leads", {"kind": "communication"}, **auth)  # type: ignore[arg-type]
    items = listed.json()["items"]
    assert items and all(i["kind"] == "communication" for i in items)
    assert items[0]["communication_id"] == call.pk
    by_comm = client.get("/api/v1/leads", {"communication_id": call.pk}, **auth)  # type: ignore[arg-type]
    assert by_comm.json()["count"] == len(items)
    accepted = client.post(
        f"/api/v1/leads/{items[0]['id']}/accept", {"note": "placed at the exit"},
        content_type="application/json", **auth,  # type: ignore[arg-type]
    )  # fmt: skip
    assert accepted.status_code == 200 and accepted.json()["link"] == {"communication": call.pk}


# --- incremental runs notice edits (deployments, posts, cameras) ------------------------


def _deployment_data(scene: Scene, **kw: Any) -> s.DeploymentData:
    dep = scene.deployment
    values: dict[str, Any] = {
        "compartment_id": dep.compartment_id, "unit_id": dep.unit_id, "source_id": dep.source_id,
        "start": dep.start, "end": dep.end, "place_name": dep.place_name,
        "latitude": dep.latitude, "longitude": dep.longitude, "radius_m": dep.radius_m,
    }  # fmt: skip
    values.update(kw)
    return s.DeploymentData(**values)


def test_moving_a_deployment_away_withdraws_its_leads_and_back_brings_them(
    scene: Scene, compartment: Any
) -> None:
    correlation_run(actor=None, compartment_id=compartment.pk)
    unit_key, person_key = f"unit:{scene.unit.pk}", f"person:{scene.commander.pk}"
    assert unit_key in _ids(scene.incident, "unit")
    assert person_key in _ids(scene.incident, "person")
    s.deployment_update(
        actor=None, deployment=scene.deployment, data=_deployment_data(scene, latitude=LAT + FAR)
    )
    run = correlation_run(actor=None, compartment_id=compartment.pk)
    assert not run.full and run.summary["evaluated"]["deployments"] >= 1
    assert unit_key not in _ids(scene.incident, "unit")
    assert person_key not in _ids(scene.incident, "person")
    assert "recordings" not in run.summary["evaluated"]  # only unit/person leads re-evaluated
    assert Lead.objects.filter(incident=scene.incident, kind="recording").exists()
    s.deployment_update(
        actor=None, deployment=scene.deployment, data=_deployment_data(scene, latitude=LAT)
    )
    back = correlation_run(actor=None, compartment_id=compartment.pk)
    assert not back.full
    assert unit_key in _ids(scene.incident, "unit")
    assert person_key in _ids(scene.incident, "person")


def test_a_deployment_moved_in_time_onto_an_incident_is_noticed(
    scene: Scene, compartment: Any
) -> None:
    late = _deployment_data(
        scene, start=T0 + timedelta(days=2), end=T0 + timedelta(days=2, hours=6)
    )
    s.deployment_update(actor=None, deployment=scene.deployment, data=late)
    correlation_run(actor=None, compartment_id=compartment.pk)
    assert not _ids(scene.incident, "unit")
    s.deployment_update(
        actor=None, deployment=scene.deployment,
        data=_deployment_data(scene, start=T0 - timedelta(hours=2), end=T0 + timedelta(hours=4)),
    )  # fmt: skip
    run = correlation_run(actor=None, compartment_id=compartment.pk)
    assert not run.full and f"unit:{scene.unit.pk}" in _ids(scene.incident, "unit")


def test_decided_unit_lead_stays_when_its_deployment_moves(
    scene: Scene, compartment: Any, analyst: Any
) -> None:
    correlation_run(actor=None, compartment_id=compartment.pk)
    lead_reject(actor=analyst, lead=lead_of(scene.incident, f"unit:{scene.unit.pk}"))
    s.deployment_update(
        actor=None, deployment=scene.deployment, data=_deployment_data(scene, latitude=LAT + FAR)
    )
    correlation_run(actor=None, compartment_id=compartment.pk)
    assert lead_of(scene.incident, f"unit:{scene.unit.pk}").status == "rejected"


def test_ending_a_post_before_the_incident_withdraws_the_person_lead(
    scene: Scene, compartment: Any
) -> None:
    correlation_run(actor=None, compartment_id=compartment.pk)
    post = Post.objects.get(person=scene.commander)
    person_key = f"person:{scene.commander.pk}"
    assert person_key in _ids(scene.incident, "person")

    def post_data(end: date | None) -> s.PostData:
        return s.PostData(
            person_id=post.person_id, unit_id=post.unit_id, rank=post.rank,
            position=post.position, start=post.start, end=end, is_commander=True,
            source_id=post.source_id,
        )  # fmt: skip

    s.post_update(actor=None, post=post, data=post_data(date(2019, 12, 31)))
    run = correlation_run(actor=None, compartment_id=compartment.pk)
    assert not run.full and person_key not in _ids(scene.incident, "person")
    assert f"unit:{scene.unit.pk}" in _ids(scene.incident, "unit")  # the unit lead stays
    s.post_update(actor=None, post=post, data=post_data(None))
    back = correlation_run(actor=None, compartment_id=compartment.pk)
    assert not back.full and person_key in _ids(scene.incident, "person")


def test_moving_a_camera_re_evaluates_its_recordings(scene: Scene, compartment: Any) -> None:
    correlation_run(actor=None, compartment_id=compartment.pk)
    key = f"recording:{scene.recording.pk}"
    assert key in _ids(scene.incident, "recording")
    camera = scene.camera
    camera.latitude = LAT + FAR
    camera.save()
    run = correlation_run(actor=None, compartment_id=compartment.pk)
    assert not run.full and run.summary["evaluated"]["recordings"] == 1
    assert key not in _ids(scene.incident, "recording")
    camera.latitude, camera.fov_radius_m = LAT + 0.004, 200.0  # 440 m away, wider coverage
    camera.save()
    back = correlation_run(actor=None, compartment_id=compartment.pk)
    assert not back.full and key in _ids(scene.incident, "recording")


def test_many_edited_deployments_fall_back_to_a_full_run(
    scene: Scene, compartment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crimebook.leads import build

    correlation_run(actor=None, compartment_id=compartment.pk)
    monkeypatch.setattr(build, "MAX_IDS", 0)
    s.deployment_update(
        actor=None, deployment=scene.deployment, data=_deployment_data(scene, radius_m=700.0)
    )
    assert correlation_run(actor=None, compartment_id=compartment.pk).full


def test_unchanged_structure_evaluates_no_deployment(scene: Scene, compartment: Any) -> None:
    correlation_run(actor=None, compartment_id=compartment.pk)
    run = correlation_run(actor=None, compartment_id=compartment.pk)
    assert "deployments" not in run.summary["evaluated"]
    assert datetime.now(UTC) >= run.started_at


def test_a_change_of_the_unit_hierarchy_makes_the_next_run_full(
    scene: Scene, compartment: Any
) -> None:
    """A commander of a unit placed above the deployed one only afterwards: the next run
    notices the new subordination (no ``--full`` needed) and proposes the commander."""
    from tests import factories as f

    higher = f.unit("guvd-above")
    chief = f.person(compartment, "Fictitious Chief Name", is_perpetrator=True)
    s.post_create(
        actor=None,
        data=s.PostData(
            person_id=chief.pk, unit_id=higher.pk, rank="General", position="chief",
            start=date(2019, 1, 1), is_commander=True, source_id=scene.source.pk,
        ),
    )  # fmt: skip
    chief_key = f"person:{chief.pk}"
    correlation_run(actor=None, compartment_id=compartment.pk)
    assert chief_key not in _ids(scene.incident, "person")
    assert not correlation_run(actor=None, compartment_id=compartment.pk).full  # nothing new

    relation = s.unit_parent_add(
        actor=None, child=scene.unit, parent=higher, valid_from=date(2019, 1, 1)
    )
    run = correlation_run(actor=None, compartment_id=compartment.pk)
    assert run.full
    assert chief_key in _ids(scene.incident, "person")
    assert not correlation_run(actor=None, compartment_id=compartment.pk).full

    s.unit_parent_end(actor=None, relation=relation, valid_to=date(2019, 12, 31))
    ended = correlation_run(actor=None, compartment_id=compartment.pk)
    assert ended.full and chief_key not in _ids(scene.incident, "person")
