"""Load the fictitious demo data set into the register through the ordinary services, so
the demo exercises validation, encryption and the audit chain exactly as real use does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from crimebook.accounts.models import Compartment, User
from crimebook.accounts.services import compartment_create, membership_set, user_create
from crimebook.demo.dataset import DemoDataset, build_dataset
from crimebook.register import services as s

DEMO_COMPARTMENT = "DEMO — Minsk, August 2020 (fictitious)"
DEMO_PASSWORD = "fictitious-demo-2020"  # noqa: S105 - demo accounts on a loopback demo only
DEMO_USERS = (
    ("demo", "investigator", True),
    ("analyst", "analyst", True),
    ("legal", "legal_reviewer", True),
    ("reader", "read_only", True),
    ("admin", "administrator", False),
)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    incidents: int
    acts: int
    persons: int
    users: tuple[str, ...]


def demo_exists() -> bool:
    return Compartment.objects.filter(name=DEMO_COMPARTMENT).exists()


def _noop(stage: str, done: int, total: int) -> None:
    return None


def demo_load(*, seed: int = 2020, scale: float = 1.0, progress: Progress = _noop) -> DemoSummary:
    """Create the demo compartment, users and records in one transaction (all or nothing)."""
    if demo_exists():
        return DemoSummary(False, 0, 0, 0, tuple(u for u, _, _ in DEMO_USERS))
    data = build_dataset(seed=seed, scale=scale)
    with transaction.atomic():
        compartment = compartment_create(
            actor=None,
            name=DEMO_COMPARTMENT,
            kind=Compartment.Kind.RECORD_SET,
            description="Generated test data. Every person and incident is fictitious.",
        )
        for username, role, member in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                continue
            user = user_create(actor=None, username=username, password=DEMO_PASSWORD, role=role)
            if member:
                membership_set(actor=None, user=user, compartment=compartment, role=role)
        acts = _load_records(data, compartment.pk, progress)
    # Propose leads (deployments ↔ incidents, reports of the same event) so the queue has work.
    from crimebook.leads.build import correlation_run

    correlation_run(actor=None, compartment_id=compartment.pk, progress=progress)
    return DemoSummary(
        True, len(data.incidents), acts, len(data.persons), tuple(u for u, _, _ in DEMO_USERS)
    )


def _load_records(data: DemoDataset, cid: int, progress: Progress) -> int:
    units = _load_units(data, progress)
    sources = {}
    for i, src in enumerate(data.sources, 1):
        sources[src.key] = s.source_create(
            actor=None,
            data=s.SourceData(
                compartment_id=cid,
                kind=src.kind,
                title=src.title,
                url=src.url or "",
                received_on=src.received_on,
                reliability=src.reliability,
                credibility=src.credibility,
                consent_investigation=src.consent_investigation,
                consent_prosecution=src.consent_prosecution,
                consent_prosecution_with="Universal-jurisdiction prosecutors"
                if src.consent_prosecution
                else "",
                consent_publication=src.consent_publication,
            ),
        ).pk
        progress("sources", i, len(data.sources))
    persons = {}
    for i, person in enumerate(data.persons, 1):
        identity = s.PersonIdentity(
            full_name=person.full_name,
            birth_date=person.birth_date,
            contacts=(person.contact,) if person.contact else (),
        )
        persons[person.key] = s.person_create(
            actor=None,
            data=s.PersonData(
                compartment_id=cid,
                is_victim="victim" in person.roles,
                is_witness="witness" in person.roles,
                is_insider="insider" in person.roles,
                is_perpetrator="perpetrator" in person.roles,
                identity=identity,
            ),
        ).pk
        progress("persons", i, len(data.persons))
    acts: dict[str, int] = {}
    for i, inc in enumerate(data.incidents, 1):
        incident = s.incident_create(
            actor=None,
            data=s.IncidentData(
                compartment_id=cid,
                title=inc.title,
                description=inc.description,
                start=inc.start,
                end=inc.end,
                precision=inc.precision,
                place_name=next(p.name_en for p in data.places if p.code == inc.place_code),
                latitude=inc.latitude,
                longitude=inc.longitude,
                radius_m=inc.radius_m,
                violation_types=inc.violation_types,
                status=inc.status,
                verification=inc.verification,
                confidentiality=inc.confidentiality,
                source_ids=tuple(sources[k] for k in inc.source_keys),
                witness_ids=tuple(persons[k] for k in inc.witness_keys),
            ),
        )
        for act in inc.acts:
            acts[act.key] = s.act_create(
                actor=None,
                data=s.ActData(
                    incident_id=incident.pk,
                    victim_id=persons[act.victim_key],
                    act_type=act.act_type,
                    injuries=act.injuries,
                    methods=act.methods,
                    detention_place=act.detention_place,
                    medical_grade=act.medical_grade or "",
                    description=act.description,
                ),
            ).pk
        progress("incidents", i, len(data.incidents))
    _load_structure(data, cid, units, sources, persons, acts, progress)
    _load_communications(data, cid, sources, progress)
    return len(acts)


def _load_communications(
    data: DemoDataset, cid: int, sources: dict[str, int], progress: Progress
) -> None:
    """Fictitious call detail records and intercepts, through the audited service."""
    from crimebook.demo.communications import build_communications
    from crimebook.evidence.communications import CommunicationData, communication_create

    leaked = next((x.key for x in data.sources if x.kind == "leaked_document"), None)
    records = build_communications(data)
    for i, c in enumerate(records, 1):
        communication_create(
            actor=None,
            data=CommunicationData(
                compartment_id=cid, kind=c.kind, start=c.start, end=c.end, latitude=c.latitude,
                longitude=c.longitude, radius_m=c.radius_m, party_a=c.party_a, party_b=c.party_b,
                party_a_phone=c.party_a_phone or None, summary=c.summary,
                source_id=sources[leaked] if leaked else None, external_id=c.external_id,
            ),
        )  # fmt: skip
        progress("communications", i, len(records))


def _load_units(data: DemoDataset, progress: Progress) -> dict[str, int]:
    units = {}
    for i, unit in enumerate(data.units, 1):
        units[unit.code] = s.unit_create(
            actor=None,
            data=s.UnitData(
                code=unit.code,
                name=unit.name_en,
                name_ru=unit.name_ru,
                unit_type=unit.unit_type,
                valid_from=unit.valid_from,
                valid_to=unit.valid_to,
                latitude=unit.latitude,
                longitude=unit.longitude,
            ),
        )
        progress("units", i, len(data.units))
    for unit in data.units:
        if unit.parent_code:
            s.unit_parent_add(
                actor=None,
                child=units[unit.code],
                parent=units[unit.parent_code],
                valid_from=unit.valid_from,
            )
    return {code: u.pk for code, u in units.items()}


def _load_structure(
    data: DemoDataset,
    cid: int,
    units: dict[str, int],
    sources: dict[str, int],
    persons: dict[str, int],
    acts: dict[str, int],
    progress: Progress,
) -> None:
    for i, post in enumerate(data.posts, 1):
        s.post_create(
            actor=None,
            data=s.PostData(
                person_id=persons[post.person_key],
                unit_id=units[post.unit_code],
                rank=post.rank,
                position=post.position,
                start=post.start,
                end=post.end,
                is_commander=post.position.lower().startswith(("head", "commander", "chief")),
                source_id=sources[post.source_key] if post.source_key else None,
            ),
        )
        progress("posts", i, len(data.posts))
    for i, inv in enumerate(data.involvements, 1):
        s.involvement_create(
            actor=None,
            data=s.InvolvementData(
                act_id=acts[inv.act_key],
                person_id=persons[inv.person_key],
                degree=inv.degree,
                confidence=inv.confidence,
                basis_source_ids=tuple(sources[k] for k in inv.source_keys),
            ),
        )
        progress("involvements", i, len(data.involvements))
    places = {p.code: p.name_en for p in data.places}
    for i, dep in enumerate(data.deployments, 1):
        s.deployment_create(
            actor=None,
            data=s.DeploymentData(
                compartment_id=cid,
                unit_id=units[dep.unit_code],
                source_id=sources[dep.source_key],
                start=dep.start,
                end=dep.end,
                place_name=places.get(dep.place_code, ""),
                latitude=dep.latitude,
                longitude=dep.longitude,
                radius_m=dep.radius_m,
            ),
        )
        progress("deployments", i, len(data.deployments))
    for rec in data.staffing:
        s.staffing_record_create(
            actor=None,
            compartment_id=cid,
            unit_id=units[rec.unit_code],
            on=rec.on,
            headcount=rec.headcount,
            source_id=sources[rec.source_key],
            as_reported=f"{rec.headcount} staff on {rec.on:%d.%m.%Y}",
        )
    for dis in data.dismissals:
        s.dismissal_create(
            actor=None,
            compartment_id=cid,
            unit_id=units[dis.unit_code],
            on=dis.on,
            count=dis.count,
            source_id=sources[dis.source_key],
        )
    progress("staffing", 1, 1)
