"""Every register service rejects bad data with a clear message and writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from crimebook.audit.models import AuditEntry
from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed
from crimebook.register import services as s
from crimebook.register.models import Incident, Involvement, Post, UnitRelation
from tests import factories as f

pytestmark = pytest.mark.django_db


def _rejects(call: Any, field: str, fragment: str) -> ValidationFailed:
    before_audit = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as info:
        call()
    assert field in info.value.errors, info.value.errors
    assert fragment in " ".join(info.value.errors[field])
    assert AuditEntry.objects.count() == before_audit  # nothing written, nothing audited
    return info.value


def test_incident_create_writes_record_and_audit_entry(compartment: Any) -> None:
    # GIVEN a compartment WHEN an incident is created
    incident = f.incident(compartment)
    # THEN it is stored with its vocabulary terms, and the audit log names it
    assert [t.code for t in incident.violation_types.all()] == ["torture"]
    entry = AuditEntry.objects.get(object_type="register.incident", object_id=str(incident.pk))
    assert entry.action == "create"
    assert entry.changes["title"] == [None, "Beating near Pushkinskaya metro"]


@pytest.mark.parametrize(
    ("kw", "field", "fragment"),
    [
        (
            {
                "start": datetime(2020, 8, 10, 20, tzinfo=UTC),
                "end": datetime(2020, 8, 10, 19, tzinfo=UTC),
            },
            "end",
            "before it starts",
        ),
        ({"start": datetime(2020, 8, 10, 20)}, "start", "time zone"),
        ({"latitude": 91.0}, "latitude", "outside -90"),
        ({"longitude": -181.0}, "longitude", "outside -180"),
        ({"latitude": None}, "latitude", "both latitude and longitude"),
        ({"radius_m": -5.0}, "radius_m", "cannot be negative"),
        ({"violation_types": ("torture", "flying")}, "violation_types", "'flying'"),
        ({"status": "bogus"}, "status", "not a valid choice"),
        ({"title": ""}, "title", "cannot be blank"),
    ],
)
def test_incident_validation(
    compartment: Any, kw: dict[str, Any], field: str, fragment: str
) -> None:
    _rejects(
        lambda: s.incident_create(actor=None, data=f.incident_data(compartment, **kw)),
        field,
        fragment,
    )
    assert Incident.objects.count() == 0


def test_incident_update_is_audited_with_changes(compartment: Any, investigator: Any) -> None:
    incident = f.incident(compartment)
    data = f.incident_data(
        compartment,
        title="Detention and beating",
        violation_types=("torture", "arbitrary_detention"),
    )
    s.incident_update(actor=investigator, incident=incident, data=data)
    entry = AuditEntry.objects.filter(object_type="register.incident").order_by("-seq").first()
    assert entry is not None and entry.action == "update" and entry.actor_name == "ivy"
    assert entry.changes["title"] == ["Beating near Pushkinskaya metro", "Detention and beating"]
    assert entry.changes["violation_types"] == [["torture"], ["arbitrary_detention", "torture"]]


def test_update_that_fails_validation_changes_nothing(compartment: Any) -> None:
    incident = f.incident(compartment)
    bad = f.incident_data(compartment, title="changed", radius_m=-1.0)
    with pytest.raises(ValidationFailed):
        s.incident_update(actor=None, incident=incident, data=bad)
    incident.refresh_from_db()
    assert incident.title == "Beating near Pushkinskaya metro"


def test_reader_cannot_write_and_outsider_sees_not_found(
    compartment: Any, reader: Any, mallory: Any
) -> None:
    with pytest.raises(PermissionDenied):
        s.incident_create(actor=reader, data=f.incident_data(compartment))
    with pytest.raises(NotFound):
        s.incident_create(actor=mallory, data=f.incident_data(compartment))
    assert Incident.objects.count() == 0


def test_links_must_stay_inside_the_compartment(compartment: Any, other_compartment: Any) -> None:
    foreign_source = f.source(other_compartment)
    _rejects(
        lambda: s.incident_create(
            actor=None, data=f.incident_data(compartment, source_ids=(foreign_source.pk,))
        ),
        "source_ids",
        "in this compartment",
    )


def test_act_unknown_terms_are_rejected(compartment: Any) -> None:
    incident, victim = f.incident(compartment), f.person(compartment)
    _rejects(lambda: f.act(incident, victim, act_type="tickling"), "act_type", "'tickling'")
    _rejects(lambda: f.act(incident, victim, injuries=("bruising", "x")), "injuries", "'x'")
    _rejects(
        lambda: f.act(incident, victim, medical_grade="maybe"),
        "medical_grade",
        "not a valid choice",
    )
    act = f.act(
        incident,
        victim,
        injuries=("bruising",),
        methods=("baton",),
        detention_place="okrestina_cip",
        medical_grade="highly_consistent",
    )
    assert act.detention_place.code == "okrestina_cip"


def test_involvement_needs_a_basis(compartment: Any, investigator: Any) -> None:
    incident, victim = f.incident(compartment), f.person(compartment)
    act = f.act(incident, victim)
    suspect = f.person(compartment, "Пётр Сідараў", is_perpetrator=True)
    data = s.InvolvementData(act_id=act.pk, person_id=suspect.pk, degree="perpetrated")
    _rejects(
        lambda: s.involvement_create(actor=investigator, data=data),
        "basis_source_ids",
        "needs a basis",
    )
    src = f.source(compartment)
    ok = s.InvolvementData(
        act_id=act.pk,
        person_id=suspect.pk,
        degree="perpetrated",
        confidence="probable",
        basis_source_ids=(src.pk,),
    )
    inv = s.involvement_create(actor=investigator, data=ok)
    assert inv.analyst == investigator and list(inv.basis.all()) == [src]
    assert Involvement.objects.count() == 1


def test_unit_hierarchy_rejects_cycles_and_double_parents() -> None:
    ministry, city, district = (
        f.unit("mvd", unit_type="ministry"),
        f.unit("guvd", unit_type="directorate"),
        f.unit("central"),
    )
    s.unit_parent_add(actor=None, child=city, parent=ministry)
    s.unit_parent_add(actor=None, child=district, parent=city)
    _rejects(
        lambda: s.unit_parent_add(actor=None, child=ministry, parent=district), "parent", "cycle"
    )
    _rejects(lambda: s.unit_parent_add(actor=None, child=city, parent=city), "parent", "cycle")
    _rejects(
        lambda: s.unit_parent_add(actor=None, child=district, parent=ministry),
        "valid_from",
        "already has a parent",
    )
    assert UnitRelation.objects.count() == 2


def test_unit_and_post_lifetimes(compartment: Any) -> None:
    _rejects(
        lambda: f.unit("x", valid_from=date(2020, 1, 1), valid_to=date(2019, 1, 1)),
        "end",
        "before it starts",
    )
    _rejects(lambda: f.unit("y", unit_type="spaceship"), "unit_type", "'spaceship'")
    unit = f.unit(
        "okrestina",
        unit_type="detention_centre",
        valid_from=date(2010, 1, 1),
        valid_to=date(2022, 1, 1),
    )
    officer = f.person(compartment, "Іван Тэст", is_perpetrator=True)
    early = s.PostData(
        person_id=officer.pk, unit_id=unit.pk, start=date(2005, 1, 1), end=date(2011, 1, 1)
    )
    _rejects(lambda: s.post_create(actor=None, data=early), "start", "did not exist before")
    late = s.PostData(person_id=officer.pk, unit_id=unit.pk, start=date(2019, 1, 1))
    _rejects(lambda: s.post_create(actor=None, data=late), "end", "ceased to exist")
    fine = s.PostData(
        person_id=officer.pk,
        unit_id=unit.pk,
        rank="Major",
        start=date(2019, 1, 1),
        end=date(2021, 1, 1),
    )
    assert s.post_create(actor=None, data=fine).rank == "Major"
    assert Post.objects.count() == 1


def test_deployment_needs_source_and_valid_area(compartment: Any) -> None:
    unit, src = f.unit(), f.source(compartment)
    base = {
        "compartment_id": compartment.pk,
        "unit_id": unit.pk,
        "source_id": src.pk,
        "start": datetime(2020, 8, 9, 18, tzinfo=UTC),
        "end": datetime(2020, 8, 10, 2, tzinfo=UTC),
        "latitude": 53.9,
        "longitude": 27.56,
        "radius_m": 1000.0,
    }
    _rejects(
        lambda: s.deployment_create(
            actor=None, data=s.DeploymentData(**{**base, "radius_m": -1.0})
        ),
        "radius_m",
        "negative",
    )
    _rejects(
        lambda: s.deployment_create(
            actor=None, data=s.DeploymentData(**{**base, "end": datetime(2020, 8, 9, tzinfo=UTC)})
        ),
        "end",
        "before",
    )
    assert s.deployment_create(actor=None, data=s.DeploymentData(**base)).unit == unit


def test_source_grading_and_consent_rules(compartment: Any) -> None:
    _rejects(lambda: f.source(compartment, reliability="Z"), "reliability", "not a valid choice")
    _rejects(
        lambda: f.source(compartment, consent_prosecution_with="ICC"),
        "consent_prosecution_with",
        "consent",
    )
    _rejects(lambda: f.source(compartment, kind="rumour"), "kind", "not a valid choice")


def test_staffing_and_dismissals(compartment: Any) -> None:
    unit, src = f.unit(), f.source(compartment)
    s.staffing_record_create(
        actor=None,
        compartment_id=compartment.pk,
        unit_id=unit.pk,
        on=date(2020, 8, 1),
        headcount=600,
        source_id=src.pk,
    )
    _rejects(
        lambda: s.dismissal_create(
            actor=None,
            compartment_id=compartment.pk,
            unit_id=unit.pk,
            on=date(2020, 8, 30),
            count=0,
            source_id=src.pk,
        ),
        "count",
        "at least one",
    )
