"""Reads of case files that depend on who asks (CONVENTIONS 3).

A case is visible to a user who is a member of it *and* can read its compartment; a missing
case and one the user may not see both raise ``NotFound``. What a case holds is listed through
the register's own ``visible_to`` filters as well, so a member never sees more than the
compartment allows.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from crimebook.accounts.access import writable_compartment_ids
from crimebook.accounts.models import Role
from crimebook.cases.models import (
    Case,
    CaseMember,
    CaseRole,
    Classification,
    ElementSupport,
    LegalDefinition,
    LegalElement,
)
from crimebook.core.errors import NotFound
from crimebook.evidence.models import EvidenceItem
from crimebook.register.models import Act, Incident, Person, Source

__all__ = [
    "CREATOR_ROLES",
    "can_contribute",
    "can_create_cases",
    "can_export",
    "can_manage",
    "case_acts",
    "case_exhibits",
    "case_get_for",
    "case_incidents",
    "case_role_of",
    "case_suspects",
    "case_testimonies",
    "cases_for",
    "classification_get",
    "classifications_of",
    "definitions_active",
]

# Who may open a case file (the design's "legal reviewer"), in a compartment they write.
CREATOR_ROLES = frozenset({Role.LEGAL_REVIEWER})


def cases_for(user: Any, *, q: str = "", status: str = "") -> QuerySet[Case]:
    qs = Case.objects.visible_to(user)
    if q:
        qs = qs.filter(title__icontains=q)
    if status:
        qs = qs.filter(status=status)
    return qs


def case_get_for(user: Any, pk: object) -> Case:
    try:
        case = cases_for(user).filter(pk=int(str(pk))).first()
    except (TypeError, ValueError):
        case = None
    if case is None:
        raise NotFound("case")
    return case


def case_role_of(user: Any, case: Case) -> str:
    """The user's role in a case they can see ('' when none)."""
    role = CaseMember.objects.filter(case=case, user_id=user.pk).values_list("role", flat=True)
    return str(role.first() or "")


def can_create_cases(user: Any) -> bool:
    return bool(getattr(user, "role", None) in CREATOR_ROLES and writable_compartment_ids(user))


def can_manage(user: Any, case: Case) -> bool:
    """Edit the case itself and its membership: its lead, with write access to the records."""
    return case_role_of(
        user, case
    ) == CaseRole.LEAD and case.compartment_id in writable_compartment_ids(user)


def can_contribute(user: Any, case: Case) -> bool:
    """Add material, classify acts, link support: lead or reviewer with write access."""
    return case_role_of(user, case) in {
        CaseRole.LEAD,
        CaseRole.REVIEWER,
    } and case.compartment_id in writable_compartment_ids(user)


def can_export(user: Any, case: Case) -> bool:
    """Dossiers leave the organisation: leads and reviewers only (not viewers)."""
    return case_role_of(user, case) in {CaseRole.LEAD, CaseRole.REVIEWER}


def definitions_active() -> QuerySet[LegalDefinition]:
    return LegalDefinition.objects.filter(retired_in="").prefetch_related(
        Prefetch("elements", queryset=LegalElement.objects.filter(retired_in=""))
    )


def case_acts(user: Any, case: Case) -> QuerySet[Act]:
    """Acts of the case's incidents that the user can see."""
    return (
        Act.objects.visible_to(user)
        .filter(incident__cases=case)
        .select_related("incident", "victim", "act_type")
    )


def case_incidents(user: Any, case: Case) -> QuerySet[Incident]:
    return Incident.objects.visible_to(user).filter(cases=case)


def case_suspects(user: Any, case: Case) -> QuerySet[Person]:
    return Person.objects.visible_to(user).filter(suspect_in_cases=case)


def case_exhibits(user: Any, case: Case) -> QuerySet[EvidenceItem]:
    return EvidenceItem.objects.visible_to(user).filter(cases=case).select_related("source")


def case_testimonies(user: Any, case: Case) -> QuerySet[Source]:
    return Source.objects.visible_to(user).filter(cases=case)


def classifications_of(case: Case) -> QuerySet[Classification]:
    return (
        Classification.objects.filter(case=case)
        .select_related("act__incident", "act__victim", "act__act_type", "definition")
        .prefetch_related(
            Prefetch(
                "supports",
                queryset=ElementSupport.objects.select_related("exhibit", "testimony", "element"),
            ),
            "definition__elements",
        )
    )


def classification_get(case: Case, pk: object) -> Classification:
    try:
        found = classifications_of(case).filter(pk=int(str(pk))).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise NotFound("classification")
    return found
