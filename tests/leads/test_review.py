"""Review: accept creates the real link (audited, with the analyst's name), reject is
remembered; roles and compartments decide who may do either."""

from __future__ import annotations

from typing import Any

import pytest

from crimebook.audit.models import AuditEntry
from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed
from crimebook.evidence.models import EvidenceItem
from crimebook.leads.build import correlation_run
from crimebook.leads.models import Lead
from crimebook.leads.selectors import LeadFilter, lead_get_for, leads_for
from crimebook.leads.services import lead_accept, lead_reject
from crimebook.register.models import Involvement
from tests import factories as f
from tests.leads.helpers import Scene, lead_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(scene: Scene, compartment: Any) -> Scene:
    correlation_run(actor=None, compartment_id=compartment.pk)
    return scene


def test_reject_is_audited_and_final(leads: Scene, analyst: Any) -> None:
    lead = lead_of(leads.incident, f"unit:{leads.unit.pk}")
    lead_reject(actor=analyst, lead=lead, note="wrong district")
    lead.refresh_from_db()
    assert lead.status == "rejected" and lead.reviewer == analyst and lead.decided_at
    assert lead.decision_note == "wrong district"
    entry = AuditEntry.objects.get(object_type="leads.lead", object_id=str(lead.pk))
    assert entry.action == "reject" and entry.actor_name == analyst.username
    assert entry.changes["status"] == ["proposed", "rejected"]
    with pytest.raises(ValidationFailed, match="already decided"):
        lead_accept(actor=analyst, lead=lead)
    assert AuditEntry.objects.filter(object_type="leads.lead").count() == 1


def test_accept_recording_held_elsewhere_records_the_link(leads: Scene, investigator: Any) -> None:
    lead = lead_of(leads.incident, f"recording:{leads.recording.pk}")
    lead_accept(actor=investigator, lead=lead, note="footage requested")
    lead.refresh_from_db()
    assert lead.status == "accepted" and lead.reviewer == investigator
    assert lead.link == {"recording": leads.recording.pk, "held_by": "elsewhere"}
    entry = AuditEntry.objects.get(object_type="leads.lead", object_id=str(lead.pk))
    assert entry.action == "accept" and entry.changes["link"]["recording"] == leads.recording.pk


def test_accept_recording_with_footage_links_the_item(
    leads: Scene, investigator: Any, compartment: Any
) -> None:
    item = EvidenceItem.objects.create(
        compartment=compartment, kind="recording", original_name="cam1432.mp4", sha256="ab" * 32
    )
    leads.recording.item = item
    leads.recording.save()
    lead = lead_of(leads.incident, f"recording:{leads.recording.pk}")
    lead_accept(actor=investigator, lead=lead)
    assert item.incidents.filter(pk=leads.incident.pk).exists()
    assert AuditEntry.objects.filter(
        object_type="evidence.evidenceitem", object_id=str(item.pk), action="link"
    ).exists()


def test_accept_person_lead_creates_a_possible_involvement(
    leads: Scene, analyst: Any, compartment: Any
) -> None:
    lead = lead_of(leads.incident, f"person:{leads.commander.pk}")
    # no act yet: the accepted lead is the link
    victim = f.person(compartment, "Victim One")
    act1 = f.act(leads.incident, victim)
    act2 = f.act(leads.incident, f.person(compartment, "Victim Two"))
    with pytest.raises(ValidationFailed, match="several acts"):
        lead_accept(actor=analyst, lead=lead)
    with pytest.raises(ValidationFailed, match="No such act"):
        lead_accept(actor=analyst, lead=lead, act_id=987654)
    lead.refresh_from_db()
    assert lead.status == "proposed" and not Involvement.objects.exists()
    lead_accept(actor=analyst, lead=lead, act_id=act1.pk)
    inv = Involvement.objects.get()
    assert inv.act_id == act1.pk and inv.person_id == leads.commander.pk
    assert inv.confidence == "possible" and inv.degree == "commanded"
    assert inv.analyst_id == analyst.pk
    assert list(inv.basis.values_list("pk", flat=True)) == [leads.source.pk]
    assert f"Correlation lead {lead.pk}" in inv.basis_note
    assert act2.involvements.count() == 0


def test_accept_merge_and_unit_leads_record_the_decision(leads: Scene, analyst: Any) -> None:
    merge = Lead.objects.get(kind="merge", incident__in=(leads.incident, leads.twin))
    lead_accept(actor=analyst, lead=merge)
    merge.refresh_from_db()
    assert merge.link == {"same_event_as": merge.other_incident_id}
    unit = lead_of(leads.incident, f"unit:{leads.unit.pk}")
    lead_accept(actor=analyst, lead=unit)
    unit.refresh_from_db()
    assert unit.link == {"unit": leads.unit.pk, "grade": "possible"}


def test_who_may_review(leads: Scene, reader: Any, mallory: Any, make_user: Any,
                        compartment: Any) -> None:  # fmt: skip
    lead = lead_of(leads.incident, f"unit:{leads.unit.pk}")
    assert lead_get_for(reader, lead.pk) == lead  # a reader may view ...
    with pytest.raises(PermissionDenied):  # ... but not decide
        lead_reject(actor=reader, lead=lead)
    legal = make_user("legal_reviewer", (compartment,))
    with pytest.raises(PermissionDenied):
        lead_accept(actor=legal, lead=lead)
    with pytest.raises(NotFound):  # another compartment: the lead does not exist for mallory
        lead_reject(actor=mallory, lead=lead)
    with pytest.raises(NotFound):
        lead_get_for(mallory, lead.pk)
    assert not leads_for(mallory).exists()
    lead.refresh_from_db()
    assert lead.status == "proposed"
    assert not AuditEntry.objects.filter(object_type="leads.lead").exists()


def test_bad_note_changes_nothing(leads: Scene, analyst: Any) -> None:
    lead = lead_of(leads.incident, f"unit:{leads.unit.pk}")
    with pytest.raises(ValidationFailed, match="at most"):
        lead_reject(actor=analyst, lead=lead, note="x" * 2001)
    lead.refresh_from_db()
    assert lead.status == "proposed"


def test_lead_visible_only_if_both_sides_are(
    leads: Scene, investigator: Any, other_compartment: Any, compartment: Any
) -> None:
    # a lead whose other side sits in a compartment the user cannot read stays hidden
    from crimebook.evidence.models import Camera, Recording

    cam = Camera.objects.create(compartment=other_compartment, external_id="x", latitude=0,
                                longitude=0)  # fmt: skip
    foreign = Recording.objects.create(compartment=other_compartment, camera=cam,
                                       start=leads.recording.start, end=leads.recording.end)  # fmt: skip
    Lead.objects.create(
        compartment=compartment, kind="recording", incident=leads.incident,
        target_key=f"recording:{foreign.pk}", recording=foreign, camera=cam, score=0.9,
        explanation="forged",
    )  # fmt: skip
    assert not leads_for(investigator).filter(recording=foreign).exists()
    assert leads_for(investigator, LeadFilter(incident_id=leads.incident.pk)).exists()


def test_lead_hidden_when_only_its_camera_is_in_another_compartment(
    leads: Scene, investigator: Any, other_compartment: Any, compartment: Any
) -> None:
    # GIVEN a lead whose recording is readable but whose camera sits in another compartment
    # (the lead pages print the camera's name)
    from crimebook.evidence.models import Camera

    cam = Camera.objects.create(compartment=other_compartment, external_id="secret-cam",
                                name="Camera of another case", latitude=0, longitude=0)  # fmt: skip
    lead = Lead.objects.create(
        compartment=compartment, kind="recording", incident=leads.incident,
        target_key="recording:forged-camera", recording=leads.recording, camera=cam, score=0.9,
        explanation="forged",
    )  # fmt: skip
    # WHEN the investigator lists leads THEN that lead is not there, and reading it is "not found"
    assert not leads_for(investigator).filter(pk=lead.pk).exists()
    with pytest.raises(NotFound):
        lead_get_for(investigator, lead.pk)
