"""Import steps for persons, units and acts (each row → its register service).

Duplicates: persons by ``external_id`` (or ``crimebook:<uuid>``), units by ``code``, acts by
their natural key (incident, victim, act type) — acts have no external id of their own.
"""

from __future__ import annotations

from datetime import date

from crimebook.interchange._rows import Run, lookup, service_row
from crimebook.interchange.formats.records import ActRecord, PersonRecord, RowError, UnitRecord
from crimebook.register.models import Act, Incident, Unit
from crimebook.register.services import (
    ActData,
    PersonData,
    PersonIdentity,
    UnitData,
    act_create,
    act_update,
    person_create,
    person_update,
    unit_create,
    unit_update,
)


def _day(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def person_row(run: Run, line: int, rec: PersonRecord) -> None:
    from crimebook.register.models import Person

    ext = rec.external_id
    existing = lookup(Person, [ext]).get(ext) if ext else None
    action = run.duplicate(line, ext, existing)
    if action in ("error", "skip"):
        run.summary.skipped += action == "skip"
        return
    identity = PersonIdentity(
        full_name=rec.full_name,
        birth_date=_day(rec.birth_date),
        contacts=rec.contacts,
        identifiers=rec.identifiers,
    )
    data = PersonData(
        compartment_id=run.options.compartment_id,
        is_victim="victim" in rec.roles,
        is_witness="witness" in rec.roles,
        is_insider="insider" in rec.roles,
        is_perpetrator="perpetrator" in rec.roles,
        identity=None if identity.is_empty() else identity,
        external_id=ext,
    )
    if action == "update" and existing is not None:
        person = Person.objects.get(pk=existing)
        data = PersonData(**{**data.__dict__, "external_id": person.external_id or ext})
        if service_row(
            run, line, ext, lambda: person_update(actor=run.actor, person=person, data=data)
        ):
            run.summary.updated += 1
        return
    if service_row(run, line, ext, lambda: person_create(actor=run.actor, data=data)):
        run.summary.created += 1


def unit_row(run: Run, line: int, rec: UnitRecord) -> None:
    existing = Unit.objects.filter(code=rec.code).values_list("pk", flat=True).first()
    action = run.duplicate(line, rec.code, existing)
    if action in ("error", "skip"):
        run.summary.skipped += action == "skip"
        return
    data = UnitData(
        code=rec.code,
        name=rec.name,
        unit_type=rec.unit_type,
        name_ru=rec.name_ru,
        name_be=rec.name_be,
        valid_from=_day(rec.valid_from),
        valid_to=_day(rec.valid_to),
        latitude=rec.latitude,
        longitude=rec.longitude,
    )
    if action == "update" and existing is not None:
        unit = Unit.objects.get(pk=existing)
        if service_row(
            run, line, rec.code, lambda: unit_update(actor=run.actor, unit=unit, data=data)
        ):
            run.summary.updated += 1
        return
    if service_row(run, line, rec.code, lambda: unit_create(actor=run.actor, data=data)):
        run.summary.created += 1


def act_row(run: Run, line: int, rec: ActRecord) -> None:
    from crimebook.register.models import Person

    cid = run.options.compartment_id
    incident = lookup(Incident, [rec.incident_ref]).get(rec.incident_ref)
    victim = lookup(Person, [rec.victim_ref]).get(rec.victim_ref)
    errors: dict[str, list[str]] = {}
    if incident is None or not Incident.objects.filter(pk=incident, compartment_id=cid).exists():
        errors["incident_ref"] = [f"No incident {rec.incident_ref!r} in this compartment."]
    if victim is None or not Person.objects.filter(pk=victim, compartment_id=cid).exists():
        errors["victim_ref"] = [f"No person {rec.victim_ref!r} in this compartment."]
    if errors or incident is None or victim is None:
        run.reject(RowError(line, errors, rec.incident_ref))
        return
    existing = (
        Act.objects.filter(incident_id=incident, victim_id=victim, act_type__code=rec.act_type)
        .values_list("pk", flat=True)
        .first()
    )
    key = f"{rec.incident_ref}/{rec.victim_ref}/{rec.act_type}"
    action = run.duplicate(line, key, existing)
    if action in ("error", "skip"):
        run.summary.skipped += action == "skip"
        return
    data = ActData(
        incident_id=incident,
        victim_id=victim,
        act_type=rec.act_type,
        injuries=rec.injuries,
        methods=rec.methods,
        detention_place=rec.detention_place or None,
        medical_grade=rec.medical_grade,
        medical_findings=rec.medical_findings,
        description=rec.description,
    )
    if action == "update" and existing is not None:
        act = Act.objects.select_related("incident").get(pk=existing)
        if service_row(run, line, key, lambda: act_update(actor=run.actor, act=act, data=data)):
            run.summary.updated += 1
        return
    if service_row(run, line, key, lambda: act_create(actor=run.actor, data=data)):
        run.summary.created += 1
