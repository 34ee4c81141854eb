"""Import steps for persons, units, acts, posts and deployments (each row → its register service).

Duplicates: persons by ``external_id`` (or ``crimebook:<uuid>``), units by ``code``, acts by
their natural key (incident, victim, act type), posts by (person, unit, start), deployments by
(unit, source, start) — those three have no external id of their own.
"""

from __future__ import annotations

from datetime import date

from crimebook.interchange._rows import Run, foreign_ids, lookup, service_row
from crimebook.interchange.formats.records import (
    ActRecord,
    DeploymentRecord,
    PersonRecord,
    PostRecord,
    RowError,
    UnitRecord,
)
from crimebook.register.models import Act, Deployment, Incident, Post, Unit
from crimebook.register.services import (
    ActData,
    DeploymentData,
    PersonData,
    PersonIdentity,
    PostData,
    UnitData,
    act_create,
    act_update,
    deployment_create,
    deployment_update,
    person_create,
    person_update,
    post_create,
    post_update,
    unit_create,
    unit_update,
)


def _day(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def person_row(run: Run, line: int, rec: PersonRecord) -> None:
    from crimebook.register.models import Person

    ext = rec.external_id
    existing = lookup(Person, [ext]).get(ext) if ext else None
    cid = run.options.compartment_id
    foreign = existing in foreign_ids(Person, [existing] if existing else [], cid)
    action = run.duplicate(line, ext, existing, foreign=foreign)
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


def _source_in(run: Run, ref: str) -> int | None:
    from crimebook.register.models import Source

    pk = lookup(Source, [ref]).get(ref)
    cid = run.options.compartment_id
    if pk is None or not Source.objects.filter(pk=pk, compartment_id=cid).exists():
        return None
    return pk


def post_row(run: Run, line: int, rec: PostRecord) -> None:
    from crimebook.register.models import Person

    cid = run.options.compartment_id
    errors: dict[str, list[str]] = {}
    person = lookup(Person, [rec.person_ref]).get(rec.person_ref)
    if person is None or not Person.objects.filter(pk=person, compartment_id=cid).exists():
        errors["person_ref"] = [f"No person {rec.person_ref!r} in this compartment."]
    unit = Unit.objects.filter(code=rec.unit_code).values_list("pk", flat=True).first()
    if unit is None:
        errors["unit_code"] = [f"No unit with code {rec.unit_code!r}."]
    source = _source_in(run, rec.source_ref) if rec.source_ref else None
    if rec.source_ref and source is None:
        errors["source_ref"] = [f"No source {rec.source_ref!r} in this compartment."]
    if errors or person is None or unit is None:
        run.reject(RowError(line, errors, rec.person_ref))
        return
    existing = (
        Post.objects.filter(person_id=person, unit_id=unit, start=_day(rec.start))
        .values_list("pk", flat=True)
        .first()
    )
    key = f"{rec.person_ref}/{rec.unit_code}/{rec.start}"
    action = run.duplicate(line, key, existing)
    if action in ("error", "skip"):
        run.summary.skipped += action == "skip"
        return
    data = PostData(
        person_id=person,
        unit_id=unit,
        rank=rec.rank,
        position=rec.position,
        start=_day(rec.start),
        end=_day(rec.end),
        is_commander=rec.is_commander,
        source_id=source,
    )
    if action == "update" and existing is not None:
        post = Post.objects.get(pk=existing)
        if service_row(run, line, key, lambda: post_update(actor=run.actor, post=post, data=data)):
            run.summary.updated += 1
        return
    if service_row(run, line, key, lambda: post_create(actor=run.actor, data=data)):
        run.summary.created += 1


def deployment_row(run: Run, line: int, rec: DeploymentRecord) -> None:
    cid = run.options.compartment_id
    errors: dict[str, list[str]] = {}
    unit = Unit.objects.filter(code=rec.unit_code).values_list("pk", flat=True).first()
    if unit is None:
        errors["unit_code"] = [f"No unit with code {rec.unit_code!r}."]
    source = _source_in(run, rec.source_ref)
    if source is None:
        errors["source_ref"] = [f"No source {rec.source_ref!r} in this compartment."]
    if errors or unit is None or source is None:
        run.reject(RowError(line, errors, rec.unit_code))
        return
    existing = (
        Deployment.objects.filter(unit_id=unit, source_id=source, start=rec.start)
        .values_list("pk", flat=True)
        .first()
    )
    key = f"{rec.unit_code}/{rec.source_ref}/{rec.start}"
    action = run.duplicate(line, key, existing)
    if action in ("error", "skip"):
        run.summary.skipped += action == "skip"
        return
    data = DeploymentData(
        compartment_id=cid,
        unit_id=unit,
        source_id=source,
        start=rec.start,
        end=rec.end,
        precision=rec.precision,
        place_name=rec.place_name,
        latitude=rec.latitude,
        longitude=rec.longitude,
        radius_m=rec.radius_m,
        note=rec.note,
    )
    if action == "update" and existing is not None:
        dep = Deployment.objects.get(pk=existing)
        if service_row(
            run, line, key, lambda: deployment_update(actor=run.actor, deployment=dep, data=data)
        ):
            run.summary.updated += 1
        return
    if service_row(run, line, key, lambda: deployment_create(actor=run.actor, data=data)):
        run.summary.created += 1
