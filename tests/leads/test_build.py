"""A run turns rows into the core's inputs and stores its leads; incremental runs only
evaluate what is new and keep every decision."""

from __future__ import annotations

from typing import Any

import pytest

from crimebook.audit.models import AuditEntry
from crimebook.leads.build import correlation_run
from crimebook.leads.models import CorrelationRun, Lead
from crimebook.leads.services import lead_reject
from tests import factories as f
from tests.leads.helpers import Scene, build_scene, lead_of, recording

pytestmark = pytest.mark.django_db


def test_full_run_proposes_each_kind_with_explanations(scene: Scene, compartment: Any) -> None:
    run = correlation_run(actor=None, compartment_id=compartment.pk)
    assert run.status == "done" and run.full
    rec = lead_of(scene.incident, f"recording:{scene.recording.pk}")
    assert rec.kind == "recording" and rec.camera_id == scene.camera.pk
    assert rec.explanation.startswith(f"camera {scene.camera.pk}, 33 m away, recording")
    assert "covers the reported" in rec.explanation
    assert 0.125 <= rec.score <= 1 and rec.status == "proposed" and rec.run_id == run.pk
    unit = lead_of(scene.incident, f"unit:{scene.unit.pk}")
    assert unit.grade == "possible" and unit.deployment_id == scene.deployment.pk
    person = lead_of(scene.incident, f"person:{scene.commander.pk}")
    assert person.grade == "possible" and "commander" in person.explanation
    a, b = sorted((scene.incident.pk, scene.twin.pk))
    merge = Lead.objects.get(incident_id=a, target_key=f"incident:{b}")
    assert merge.kind == "merge" and any("similar wording" in r for r in merge.reasons)
    # the report without a time is not matched, and the summary says why
    reason = "no time: an incident without a start cannot be matched"
    assert {"kind": "incident", "id": scene.timeless.pk, "reason": reason} in run.summary[
        "not_matched_records"
    ]
    assert run.summary["not_matched"][f"incident: {reason}"] == 1
    assert not Lead.objects.filter(incident=scene.timeless).exists()
    entry = AuditEntry.objects.filter(object_type="leads.correlationrun").get()
    assert entry.action == "correlate" and entry.object_id == str(run.pk)


def test_second_run_evaluates_only_the_new_recording_and_keeps_decisions(
    scene: Scene, compartment: Any, investigator: Any
) -> None:
    correlation_run(actor=None, compartment_id=compartment.pk)
    first = lead_of(scene.incident, f"recording:{scene.recording.pk}")
    unit = lead_of(scene.incident, f"unit:{scene.unit.pk}")
    lead_reject(actor=investigator, lead=unit, note="another unit held that street")
    total = Lead.objects.count()
    new = recording(scene.camera, 0.25, 0.75)
    run = correlation_run(actor=None, compartment_id=compartment.pk)
    assert not run.full
    assert run.summary["evaluated"]["recordings"] == 1
    assert "deployments" not in run.summary["evaluated"] or (
        run.summary["evaluated"]["deployments"] == 0
    )
    assert run.summary["leads"]["proposed_new"] == 2  # the incident and its twin
    assert Lead.objects.count() == total + 2
    assert lead_of(scene.incident, f"recording:{new.pk}").run_id == run.pk
    first.refresh_from_db()
    assert first.run_id != run.pk  # not re-evaluated, untouched
    unit.refresh_from_db()
    assert unit.status == "rejected"
    # a third run with nothing new evaluates nothing
    idle = correlation_run(actor=None, compartment_id=compartment.pk)
    assert idle.summary["evaluated"] == {}
    assert Lead.objects.count() == total + 2


def test_rejected_pair_is_never_proposed_again_even_on_full_runs(
    scene: Scene, compartment: Any, investigator: Any
) -> None:
    correlation_run(actor=None, compartment_id=compartment.pk)
    lead = lead_of(scene.incident, f"recording:{scene.recording.pk}")
    lead_reject(actor=investigator, lead=lead)
    for full in (False, True):
        run = correlation_run(actor=None, compartment_id=compartment.pk, full=full)
        lead.refresh_from_db()
        assert lead.status == "rejected"
    assert run.summary["leads"]["kept_rejected"] >= 1
    assert run.summary["leads"]["refreshed"] >= 1  # proposed leads refreshed in place
    unit = lead_of(scene.incident, f"unit:{scene.unit.pk}")
    assert unit.status == "proposed" and unit.run_id == run.pk
    assert unit.reasons and unit.details["level"] == 0
    assert Lead.objects.filter(incident=scene.incident, target_key=lead.target_key).count() == 1


def test_changed_incident_is_re_evaluated_and_stale_proposals_withdrawn(
    scene: Scene, compartment: Any
) -> None:
    from crimebook.register import services as s

    correlation_run(actor=None, compartment_id=compartment.pk)
    assert Lead.objects.filter(incident=scene.incident, kind="recording").exists()
    # the incident turns out to have happened across town
    data = f.incident_data(compartment, title=scene.incident.title, latitude=53.85,
                           longitude=27.70)  # fmt: skip
    s.incident_update(actor=None, incident=scene.incident, data=data)
    run = correlation_run(actor=None, compartment_id=compartment.pk)
    assert run.summary["evaluated"]["incidents"] >= 1
    assert run.summary["leads"]["withdrawn"] >= 1
    assert not Lead.objects.filter(incident=scene.incident, kind="recording").exists()


def test_new_incident_alone_is_evaluated_against_existing_evidence(
    scene: Scene, compartment: Any
) -> None:
    correlation_run(actor=None, compartment_id=compartment.pk)
    late = f.incident(compartment, title="Detentions at the metro, reported late")
    run = correlation_run(actor=None, compartment_id=compartment.pk)
    assert run.summary["evaluated"]["incidents"] == 1
    assert Lead.objects.filter(incident=late, kind="recording").exists()
    assert Lead.objects.filter(incident=late, kind="unit").exists()


def test_runs_never_pair_records_across_compartments(
    compartment: Any, other_compartment: Any
) -> None:
    a = build_scene(compartment, "A")
    b = build_scene(other_compartment, "B")  # the same place and time, another case
    correlation_run(actor=None, compartment_id=compartment.pk)
    correlation_run(actor=None, compartment_id=other_compartment.pk)
    for lead in Lead.objects.select_related("incident", "other_incident", "recording", "person"):
        sides = [lead.incident.compartment_id]
        sides += [x.compartment_id for x in (lead.other_incident, lead.recording, lead.person) if x]
        assert set(sides) == {lead.compartment_id}, lead
    assert Lead.objects.filter(incident=a.incident).exists()
    assert Lead.objects.filter(incident=b.incident).exists()


def test_failed_run_is_recorded_and_not_used_as_a_watermark(
    scene: Scene, compartment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crimebook.leads import build

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(build, "_store", boom)
    with pytest.raises(RuntimeError):
        correlation_run(actor=None, compartment_id=compartment.pk)
    failed = CorrelationRun.objects.get()
    assert failed.status == "failed" and failed.summary == {"error": "RuntimeError"}
    assert not Lead.objects.exists()
    monkeypatch.undo()
    run = correlation_run(actor=None, compartment_id=compartment.pk)
    assert run.full  # the failed run does not count as a previous one


def test_bad_arguments_are_refused(compartment: Any, mallory: Any) -> None:
    from crimebook.core.errors import NotFound

    with pytest.raises(ValueError, match="per_incident"):
        correlation_run(actor=None, compartment_id=compartment.pk, per_incident=0)
    with pytest.raises(NotFound):
        correlation_run(actor=None, compartment_id=987654)
    with pytest.raises(NotFound):  # a user may only run a compartment they can write
        correlation_run(actor=mallory, compartment_id=compartment.pk)
    assert not CorrelationRun.objects.exists()


def test_many_changed_incidents_fall_back_to_a_full_run(
    scene: Scene, compartment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crimebook.leads import build

    correlation_run(actor=None, compartment_id=compartment.pk)
    monkeypatch.setattr(build, "MAX_IDS", 1)
    f.incident(compartment, title="one more report")
    f.incident(compartment, title="and another")
    run = correlation_run(actor=None, compartment_id=compartment.pk)
    assert run.full
    assert run.summary["evaluated"]["incidents"] == 5
    assert run.summary["leads"]["refreshed"] >= 1
