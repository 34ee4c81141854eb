"""Reads of leads that depend on who asks (CONVENTIONS 3): one access path,
``Lead.objects.visible_to(user)``, which requires both sides of a lead to be readable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from crimebook.accounts.access import readable_compartment_ids
from crimebook.core.errors import NotFound
from crimebook.leads.models import CorrelationRun, Lead


@dataclass(frozen=True)
class LeadFilter:
    kind: str = ""
    status: str = ""
    min_score: float | None = None
    incident_id: int | None = None
    unit_id: int | None = None
    item_id: int | None = None
    person_id: int | None = None
    communication_id: int | None = None


def leads_for(user: Any, filters: LeadFilter | None = None) -> QuerySet[Lead]:
    f = filters or LeadFilter()
    qs = Lead.objects.visible_to(user)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.min_score is not None:
        qs = qs.filter(score__gte=f.min_score)
    if f.incident_id is not None:  # either side of a merge candidate
        qs = qs.filter(Q(incident_id=f.incident_id) | Q(other_incident_id=f.incident_id))
    if f.unit_id is not None:
        qs = qs.filter(unit_id=f.unit_id)
    if f.item_id is not None:  # the item itself, or a recording / communication it holds
        qs = qs.filter(
            Q(item_id=f.item_id)
            | Q(recording__item_id=f.item_id)
            | Q(communication__item_id=f.item_id)
        )
    if f.communication_id is not None:
        qs = qs.filter(communication_id=f.communication_id)
    if f.person_id is not None:
        qs = qs.filter(person_id=f.person_id)
    return qs.select_related(
        "incident",
        "other_incident",
        "camera",
        "recording",
        "item",
        "communication",
        "unit",
        "person",
        "reviewer",
    ).order_by("-score", "id")


def lead_get_for(user: Any, pk: int | str) -> Lead:
    """The lead, or ``NotFound`` both when it does not exist and when the user may not see
    one of its sides."""
    try:
        return leads_for(user).get(pk=pk)
    except (Lead.DoesNotExist, ValueError, TypeError):
        raise NotFound("lead") from None


def runs_for(user: Any) -> QuerySet[CorrelationRun]:
    ids = readable_compartment_ids(user)
    return CorrelationRun.objects.filter(compartment_id__in=ids).order_by("-started_at", "-id")
