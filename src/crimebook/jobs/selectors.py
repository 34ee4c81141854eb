"""Reads of jobs that depend on who asks (CONVENTIONS 3): one's own jobs and those of one's
compartments; anything else is "not found"."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from crimebook.accounts.access import readable_compartment_ids
from crimebook.core.errors import NotFound
from crimebook.jobs.models import Job

__all__ = ["job_for_subject", "job_get_for", "jobs_for"]


def jobs_for(user: Any, *, status: str = "") -> QuerySet[Job]:
    if not (getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)):
        return Job.objects.none()
    visible = Q(created_by_id=user.pk)
    compartments = readable_compartment_ids(user)
    if compartments:
        visible |= Q(compartment_id__in=compartments)
    qs = Job.objects.filter(visible).select_related("created_by", "compartment")
    if status in Job.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def job_get_for(user: Any, job_id: int) -> Job:
    found = jobs_for(user).filter(pk=job_id).first()
    if found is None:
        raise NotFound("job")
    return found


def job_for_subject(user: Any, subject_type: str, subject_id: object, kind: str) -> Job | None:
    """The latest job of ``kind`` about one record, if the user may see it."""
    return (
        jobs_for(user)
        .filter(subject_type=subject_type, subject_id=str(subject_id), kind=kind)
        .first()
    )
