"""Reads for triage. Only intake reviewers see submissions; everyone else gets "not found"."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet

from crimebook.accounts.models import Role
from crimebook.core.errors import NotFound
from crimebook.intake.models import Submission
from crimebook.triage.models import RecordLink


def can_triage(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and user.role == Role.INTAKE_REVIEWER
    )


def submissions_for(user: Any, *, state: str = "") -> QuerySet[Submission]:
    if not can_triage(user):
        return Submission.objects.none()
    qs = Submission.objects.select_related("review", "source").order_by("-received_on", "-id")
    if state == "new":
        qs = qs.filter(Q(review__isnull=True) | Q(review__state="new"))
    elif state:
        qs = qs.filter(review__state=state)
    return qs


def submission_get_for(user: Any, submission_id: uuid.UUID | str) -> Submission:
    try:
        key = uuid.UUID(str(submission_id))
    except ValueError:
        raise NotFound("submission") from None
    found = submissions_for(user).filter(uuid=key).first()
    if found is None:
        raise NotFound("submission")
    return found


def links_for(user: Any, submission: Submission) -> QuerySet[RecordLink]:
    if not can_triage(user):
        return RecordLink.objects.none()
    return RecordLink.objects.filter(submission=submission)
