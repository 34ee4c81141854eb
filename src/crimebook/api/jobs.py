"""/jobs: background work (evidence processing, imports) as its owner and the members of its
compartment see it on the jobs page — progress, outcome and result. Read-only: jobs are
submitted by the service that owns the work (e.g. ``POST /evidence`` returns its ``job_id``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from crimebook.api._common import (
    Page,
    PageParams,
    UtcDatetime,
    caller,
    check_filters,
    paginate,
    responses,
)
from crimebook.evidence.reasons import reason_code, reason_shown
from crimebook.jobs import progress
from crimebook.jobs.models import Job
from crimebook.jobs.selectors import job_get_for, jobs_for
from crimebook.jobs.wording import job_message, job_message_code

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str = Field(..., description='e.g. "evidence.process", "interchange.import".')
    status: str = Field(..., description="queued, running, done or failed.")
    progress_done: int
    progress_total: int | None
    message: str = Field(
        ..., description="The reason of a failure, or a progress note, in English."
    )
    message_localized: str = Field(
        ...,
        description="The message in the request's language (Accept-Language: en, ru, be); "
        "the English message for jobs stored without a structured form.",
    )
    message_code: str = Field(
        ...,
        description='A stable key of the message (e.g. "import.rejected"); empty when the '
        "message has no structured form (an exception's own text, older jobs).",
    )
    result: dict[str, Any] = Field(
        ...,
        description="What the job produced. For an intake job, `outcomes` lists every file; "
        "a failed file's `reason` is in English, `reason_localized` in the request's language "
        "and `reason_code` a stable key (empty for older jobs, whose reason is English only).",
    )
    attempts: int
    compartment_id: int | None
    subject_type: str
    subject_id: str
    created_at: UtcDatetime
    started_at: UtcDatetime | None
    finished_at: UtcDatetime | None

    @staticmethod
    def resolve_progress_done(obj: Job) -> int:
        return progress.overlay(obj).progress_done

    @staticmethod
    def resolve_progress_total(obj: Job) -> int | None:
        return progress.overlay(obj).progress_total

    @staticmethod
    def resolve_message_localized(obj: Job) -> str:
        return job_message(obj)

    @staticmethod
    def resolve_message_code(obj: Job) -> str:
        return job_message_code(obj)

    @staticmethod
    def resolve_result(obj: Job) -> dict[str, Any]:
        result = obj.result if isinstance(obj.result, dict) else {}
        outcomes = result.get("outcomes")
        if not isinstance(outcomes, list):
            return result
        shown = [
            {**o, "reason_localized": reason_shown(o), "reason_code": reason_code(o)}
            if isinstance(o, dict)
            else o
            for o in outcomes
        ]
        return {**result, "outcomes": shown}


class JobQuery(Schema):
    status: str = Field("", description="queued, running, done or failed; empty: all.")


@router.get("", response=responses(Page[JobOut]), summary="List jobs")
def list_jobs(
    request: HttpRequest, filters: Query[JobQuery], page: Query[PageParams]
) -> dict[str, Any]:
    check_filters(filters, choices={"status": Job.Status.values})
    return paginate(jobs_for(caller(request), status=filters.status), page)


@router.get("/{job_id}", response=responses(JobOut), summary="Read a job")
def get_job(request: HttpRequest, job_id: int) -> Job:
    return job_get_for(caller(request), job_id)
