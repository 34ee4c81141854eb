"""``{{ job|job_message }}``: a job's message in the active language (``jobs.wording``; the
stored English when the job has no structured message)."""

from __future__ import annotations

from typing import Any

from django import template

from crimebook.jobs import wording

register = template.Library()


@register.filter
def job_message(job: Any) -> str:
    return wording.job_message(job)
