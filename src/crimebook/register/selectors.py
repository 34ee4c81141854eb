"""Reads that depend on who asks (CONVENTIONS 3). Every list, page, API route and export
gets its records through these functions; none filters permissions on its own."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from crimebook.accounts.access import is_staff_user
from crimebook.audit.services import audit_record
from crimebook.core.errors import NotFound
from crimebook.core.keys import get_keyring
from crimebook.crypto import normalise_identifier, normalise_name
from crimebook.register.models import (
    Act,
    Deployment,
    Dismissal,
    Incident,
    Involvement,
    Person,
    PersonIndex,
    Post,
    Source,
    StaffingRecord,
    Term,
    Unit,
    UnitRelation,
)
from crimebook.web import refdata  # reference data shared by all staff (core/refcache.py)

M = TypeVar("M", bound=models.Model)
logger = logging.getLogger(__name__)


def _get(queryset: QuerySet[M], pk: object, what: str) -> M:
    try:
        obj = queryset.filter(pk=int(str(pk))).first()
    except (TypeError, ValueError):
        obj = None
    if obj is None:
        raise NotFound(what)
    return obj


def _day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


@dataclass(frozen=True)
class IncidentFilter:
    q: str = ""
    status: str = ""
    verification: str = ""
    violation_type: str = ""
    date_from: date | None = None
    date_to: date | None = None
    compartment_id: int | None = None


def incidents_for(user: Any, filters: IncidentFilter | None = None) -> QuerySet[Incident]:
    f = filters or IncidentFilter()
    qs = Incident.objects.visible_to(user)
    if f.q:
        qs = qs.filter(
            Q(title__icontains=f.q) | Q(place_name__icontains=f.q) | Q(description__icontains=f.q)
        )
    if f.status:
        qs = qs.filter(status=f.status)
    if f.verification:
        qs = qs.filter(verification=f.verification)
    if f.violation_type:  # EXISTS, not a join: no DISTINCT over a million rows
        # the term's id from the shared reference cache (invalidated by every term write)
        term_ids = refdata.term_ids("violation_type", f.violation_type)
        typed = Incident.violation_types.through.objects.filter(
            incident_id=OuterRef("pk"), term_id__in=term_ids
        )
        qs = qs.filter(Exists(typed))
    if f.date_from:
        qs = qs.filter(end__gte=_day_start(f.date_from))
    if f.date_to:
        qs = qs.filter(start__lt=_day_start(f.date_to) + timedelta(days=1))
    if f.compartment_id:
        qs = qs.filter(compartment_id=f.compartment_id)
    return qs


def incident_get_for(user: Any, pk: object) -> Incident:
    return _get(Incident.objects.visible_to(user), pk, "incident")


def acts_for(
    user: Any,
    *,
    incident_id: int | None = None,
    act_type: str = "",
    victim_id: int | None = None,
    medical_grade: str = "",
) -> QuerySet[Act]:
    qs = Act.objects.visible_to(user).select_related("incident", "victim", "act_type")
    if incident_id:
        qs = qs.filter(incident_id=incident_id)
    if act_type:
        qs = qs.filter(act_type__code=act_type)
    if victim_id:
        qs = qs.filter(victim_id=victim_id)
    if medical_grade:
        qs = qs.filter(medical_grade=medical_grade)
    return qs


def act_get_for(user: Any, pk: object) -> Act:
    return _get(Act.objects.visible_to(user).select_related("incident", "victim"), pk, "act")


def involvements_for(
    user: Any, *, act_id: int | None = None, person_id: int | None = None
) -> QuerySet[Involvement]:
    qs = Involvement.objects.visible_to(user).select_related("act__incident", "person")
    if act_id:
        qs = qs.filter(act_id=act_id)
    if person_id:
        qs = qs.filter(person_id=person_id)
    return qs


PERSON_ROLES = ("victim", "witness", "insider", "perpetrator")


def persons_for(user: Any, *, role: str = "", q: str = "") -> QuerySet[Person]:
    qs = Person.objects.visible_to(user)
    if role in PERSON_ROLES:
        qs = qs.filter(**{f"is_{role}": True})
    if q:
        qs = qs.filter(pseudonym__icontains=q.strip())
    return qs


def person_get_for(user: Any, pk: object) -> Person:
    return _get(Person.objects.visible_to(user), pk, "person")


def persons_find_by_identity(
    user: Any, *, name: str = "", identifier: str = ""
) -> QuerySet[Person]:
    """Exact-match lookup through blind indexes. The lookup itself is audited (it links a
    known identity to records) with a keyed digest in place of what was searched."""
    keyring = get_keyring()
    wanted: list[tuple[str, str]] = []
    if name.strip():
        wanted.append((PersonIndex.Kind.NAME, keyring.blind_index("name", normalise_name(name))))
    if identifier.strip():
        norm = normalise_identifier(identifier)
        wanted += [
            (PersonIndex.Kind.IDENTIFIER, keyring.blind_index("identifier", norm)),
            (PersonIndex.Kind.CONTACT, keyring.blind_index("contact", norm)),
        ]
    if not wanted:
        return Person.objects.none()
    cond = Q()
    for kind, digest in wanted:
        cond |= Q(index_entries__kind=kind, index_entries__digest=digest)
    with transaction.atomic():
        audit_record(
            actor=user,
            action="identity_lookup",
            object_type="register.person",
            object_id="*",
            changes={"query": keyring.audit_digest(f"{name}\x00{identifier}")},
        )
    candidates = Person.objects.visible_to(user).filter(cond).distinct()
    return Person.objects.filter(pk__in=_verified_matches(candidates, set(wanted)))


def _verified_matches(candidates: QuerySet[Person], wanted: set[tuple[str, str]]) -> list[int]:
    """Keep a candidate only if its own (decrypted) identity yields a searched digest: an
    index row that was tampered with, or copied from another person, cannot produce a hit."""
    from crimebook.crypto import DecryptionError
    from crimebook.register.services.persons import (
        person_identity_decrypt,
        person_index_digests,
    )

    verified: list[int] = []
    for person in candidates:
        try:
            own = person_index_digests(person_identity_decrypt(person))
        except DecryptionError:
            own = set()
        if own & wanted:
            verified.append(person.pk)
        else:
            logger.warning(
                "blind index of person %s does not match its identity; "
                "it was altered; saving the identity again rebuilds it",
                person.pseudonym,
            )
    return verified


def units_for(user: Any, *, q: str = "", unit_type: str = "") -> QuerySet[Unit]:
    if not is_staff_user(user):
        return Unit.objects.none()
    qs = Unit.objects.select_related("unit_type")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(name_ru__icontains=q) | Q(code__icontains=q))
    if unit_type:
        qs = qs.filter(unit_type__code=unit_type)
    return qs


def unit_get_for(user: Any, pk: object) -> Unit:
    return _get(units_for(user), pk, "unit")


def unit_parents(unit: Unit) -> QuerySet[UnitRelation]:
    return UnitRelation.objects.filter(child=unit).select_related("parent")


def unit_children(unit: Unit) -> QuerySet[UnitRelation]:
    return UnitRelation.objects.filter(parent=unit).select_related("child")


def unit_ancestors_at(unit: Unit, on: date) -> list[Unit]:
    """The chain of command above ``unit`` on a date, nearest first."""
    chain: list[Unit] = []
    seen = {unit.pk}
    current = unit
    while True:
        link = (
            UnitRelation.objects.filter(child=current)
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
            .select_related("parent")
            .first()
        )
        if link is None or link.parent_id in seen:
            return chain
        chain.append(link.parent)
        seen.add(link.parent_id)
        current = link.parent


def posts_for(
    user: Any, *, unit_id: int | None = None, person_id: int | None = None
) -> QuerySet[Post]:
    qs = Post.objects.visible_to(user).select_related("person", "unit")
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if person_id:
        qs = qs.filter(person_id=person_id)
    return qs


def post_get_for(user: Any, pk: object) -> Post:
    return _get(Post.objects.visible_to(user), pk, "post")


def deployments_for(
    user: Any,
    *,
    unit_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Deployment]:
    qs = Deployment.objects.visible_to(user).select_related("unit", "source")
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if date_from:
        qs = qs.filter(end__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(start__lt=_day_start(date_to) + timedelta(days=1))
    return qs


def deployment_get_for(user: Any, pk: object) -> Deployment:
    return _get(Deployment.objects.visible_to(user), pk, "deployment")


def sources_for(
    user: Any, *, kind: str = "", reliability: str = "", q: str = ""
) -> QuerySet[Source]:
    qs = Source.objects.visible_to(user)
    if kind:
        qs = qs.filter(kind=kind)
    if reliability:
        qs = qs.filter(reliability=reliability)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs


def source_get_for(user: Any, pk: object) -> Source:
    return _get(Source.objects.visible_to(user), pk, "source")


def staffing_for(user: Any, *, unit_id: int | None = None) -> QuerySet[StaffingRecord]:
    qs = StaffingRecord.objects.visible_to(user).select_related("unit", "source")
    return qs.filter(unit_id=unit_id) if unit_id else qs


def dismissals_for(user: Any, *, unit_id: int | None = None) -> QuerySet[Dismissal]:
    qs = Dismissal.objects.visible_to(user).select_related("unit", "source")
    return qs.filter(unit_id=unit_id) if unit_id else qs


def terms_of(vocabulary: str) -> QuerySet[Term]:
    return Term.objects.filter(vocabulary__code=vocabulary, retired_in="")
