"""Writes for incidents, acts and involvements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext

from crimebook.audit.services import Actor, snapshot
from crimebook.core.errors import ValidationFailed
from crimebook.register.domain import check_place, check_window
from crimebook.register.models import Act, Incident, Involvement, Person, Source
from crimebook.register.services._common import (
    audited_save,
    clean,
    m2m_change,
    raise_problems,
    require_compartment_write,
    term,
    terms,
)

INCIDENT_FIELDS = (
    "compartment",
    "title",
    "description",
    "start",
    "end",
    "precision",
    "place_name",
    "latitude",
    "longitude",
    "radius_m",
    "status",
    "verification",
    "confidentiality",
    "external_id",
)
ACT_FIELDS = (
    "incident",
    "victim",
    "act_type",
    "detention_place",
    "medical_grade",
    "medical_findings",
    "description",
)


@dataclass(frozen=True)
class IncidentData:
    compartment_id: int
    title: str
    description: str = ""
    start: datetime | None = None
    end: datetime | None = None
    precision: str = Incident._meta.get_field("precision").default
    place_name: str = ""
    latitude: float | None = None
    longitude: float | None = None
    radius_m: float | None = None
    violation_types: tuple[str, ...] = ()
    status: str = Incident.Status.REPORTED
    verification: str = Incident.Verification.UNVERIFIED
    confidentiality: str = Incident._meta.get_field("confidentiality").default
    source_ids: tuple[int, ...] = ()
    witness_ids: tuple[int, ...] = ()
    external_id: str | None = None


def _same_compartment(
    model: type[Source] | type[Person], ids: tuple[int, ...], compartment_id: int, field_name: str
) -> list[int]:
    wanted = sorted(set(ids))
    found = set(
        model.objects.filter(pk__in=wanted, compartment_id=compartment_id).values_list(
            "pk", flat=True
        )
    )
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationFailed.single(
            field_name,
            (
                gettext("No source with id %(ids)s in this compartment.")
                if model is Source
                else gettext("No person with id %(ids)s in this compartment.")
            )
            % {"ids": ", ".join(map(str, missing))},
        )
    return wanted


def _apply_incident(
    *, actor: Actor | None, incident: Incident, data: IncidentData, creating: bool
) -> Incident:
    require_compartment_write(actor, data.compartment_id)
    if not creating and incident.compartment_id != data.compartment_id:
        require_compartment_write(actor, incident.compartment_id)
    raise_problems(  # every problem at once, not one per attempt
        check_window(data.start, data.end, what="incident")
        + check_place(data.latitude, data.longitude, data.radius_m)
    )
    violation_terms = terms("violation_type", data.violation_types, field="violation_types")
    sources = _same_compartment(Source, data.source_ids, data.compartment_id, "source_ids")
    witnesses = _same_compartment(Person, data.witness_ids, data.compartment_id, "witness_ids")
    before = None if creating else snapshot(incident, INCIDENT_FIELDS)
    old_terms = [] if creating else [t.code for t in incident.violation_types.all()]
    old_sources = [] if creating else list(incident.sources.values_list("pk", flat=True))
    old_witnesses = [] if creating else list(incident.witnesses.values_list("pk", flat=True))
    incident.compartment_id = data.compartment_id
    for name in (
        "title",
        "description",
        "start",
        "end",
        "precision",
        "place_name",
        "latitude",
        "longitude",
        "radius_m",
        "status",
        "verification",
        "confidentiality",
    ):
        setattr(incident, name, getattr(data, name))
    incident.external_id = data.external_id or None
    if creating and actor is not None:
        incident.created_by_id = actor.pk
    clean(incident, exclude=["created_by"])
    extra = {
        k: v
        for k, v in {
            "violation_types": m2m_change(old_terms, [t.code for t in violation_terms]),
            "sources": m2m_change(old_sources, sources),
            "witnesses": m2m_change(old_witnesses, witnesses),
        }.items()
        if v is not None
    }
    with transaction.atomic():
        audited_save(
            actor=actor,
            instance=incident,
            before=before,
            fields=INCIDENT_FIELDS,
            extra_changes=extra,
        )
        incident.violation_types.set(violation_terms)
        incident.sources.set(sources)
        incident.witnesses.set(witnesses)
    return incident


def incident_create(*, actor: Actor | None, data: IncidentData) -> Incident:
    return _apply_incident(actor=actor, incident=Incident(), data=data, creating=True)


def incident_update(*, actor: Actor | None, incident: Incident, data: IncidentData) -> Incident:
    return _apply_incident(actor=actor, incident=incident, data=data, creating=False)


@dataclass(frozen=True)
class ActData:
    incident_id: int
    victim_id: int
    act_type: str
    injuries: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    detention_place: str | None = None
    medical_grade: str = ""
    medical_findings: str = ""
    description: str = ""


def _apply_act(*, actor: Actor | None, act: Act, data: ActData, creating: bool) -> Act:
    incident = Incident.objects.filter(pk=data.incident_id).first()
    if incident is None:
        raise ValidationFailed.single(
            "incident_id", gettext("No incident with id %(id)s.") % {"id": data.incident_id}
        )
    require_compartment_write(actor, incident.compartment_id)
    if not creating and act.incident.compartment_id != incident.compartment_id:
        require_compartment_write(actor, act.incident.compartment_id)
    if not Person.objects.filter(
        pk=data.victim_id, compartment_id=incident.compartment_id
    ).exists():
        raise ValidationFailed.single(
            "victim_id",
            gettext("No person with id %(id)s in this incident's compartment.")
            % {"id": data.victim_id},
        )
    act_type = term("act_type", data.act_type, field="act_type")
    if act_type is None:
        raise ValidationFailed.single("act_type", gettext("An act needs an act type."))
    injuries = terms("injury_type", data.injuries, field="injuries")
    methods = terms("method", data.methods, field="methods")
    place = term("detention_place", data.detention_place, field="detention_place")
    before = None if creating else snapshot(act, ACT_FIELDS)
    old_inj = [] if creating else [t.code for t in act.injuries.all()]
    old_met = [] if creating else [t.code for t in act.methods.all()]
    act.incident = incident
    act.victim_id = data.victim_id
    act.act_type = act_type
    act.detention_place = place
    act.medical_grade = data.medical_grade
    act.medical_findings = data.medical_findings
    act.description = data.description
    clean(act)
    extra = {
        k: v
        for k, v in {
            "injuries": m2m_change(old_inj, [t.code for t in injuries]),
            "methods": m2m_change(old_met, [t.code for t in methods]),
        }.items()
        if v is not None
    }
    with transaction.atomic():
        audited_save(
            actor=actor, instance=act, before=before, fields=ACT_FIELDS, extra_changes=extra
        )
        act.injuries.set(injuries)
        act.methods.set(methods)
    return act


def act_create(*, actor: Actor | None, data: ActData) -> Act:
    return _apply_act(actor=actor, act=Act(), data=data, creating=True)


def act_update(*, actor: Actor | None, act: Act, data: ActData) -> Act:
    return _apply_act(actor=actor, act=act, data=data, creating=False)


@dataclass(frozen=True)
class InvolvementData:
    act_id: int
    person_id: int
    degree: str
    confidence: str = Involvement.Confidence.POSSIBLE
    basis_source_ids: tuple[int, ...] = field(default_factory=tuple)
    basis_note: str = ""


def involvement_create(*, actor: Actor | None, data: InvolvementData) -> Involvement:
    act = Act.objects.select_related("incident").filter(pk=data.act_id).first()
    if act is None:
        raise ValidationFailed.single(
            "act_id", gettext("No act with id %(id)s.") % {"id": data.act_id}
        )
    compartment_id = act.incident.compartment_id
    require_compartment_write(actor, compartment_id)
    if not data.basis_source_ids:
        raise ValidationFailed.single(
            "basis_source_ids",
            gettext("An involvement needs a basis: name at least one source it rests on."),
        )
    basis = _same_compartment(Source, data.basis_source_ids, compartment_id, "basis_source_ids")
    if not Person.objects.filter(pk=data.person_id, compartment_id=compartment_id).exists():
        raise ValidationFailed.single(
            "person_id",
            gettext("No person with id %(id)s in this act's compartment.") % {"id": data.person_id},
        )
    involvement = Involvement(
        act=act,
        person_id=data.person_id,
        degree=data.degree,
        confidence=data.confidence,
        basis_note=data.basis_note,
        analyst_id=actor.pk if actor is not None else None,
    )
    clean(involvement, exclude=["analyst"])
    with transaction.atomic():
        audited_save(
            actor=actor,
            instance=involvement,
            before=None,
            fields=("act", "person", "degree", "confidence", "basis_note", "analyst"),
            extra_changes={"basis": [[], [str(b) for b in basis]]},
        )
        involvement.basis.set(basis)
    return involvement
