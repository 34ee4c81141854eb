"""Job pages in the workspace (URL names ``web:job_*``): the list of one's jobs and one's
compartments' jobs, a job's page, and "retry" for a failed one. While a shown job is queued
or running the page reloads itself with a ``<meta http-equiv="refresh">`` (no JavaScript,
nothing for the content security policy to allow)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from crimebook.accounts.access import writable_compartment_ids
from crimebook.core.errors import ValidationFailed
from crimebook.evidence.reasons import reason_shown
from crimebook.jobs import progress, registry, selectors, services
from crimebook.jobs.imports import import_options_shown
from crimebook.jobs.kinds import EVIDENCE_ITEM, IMPORT_FILE, SUBMISSION
from crimebook.jobs.models import Job
from crimebook.web.views._common import register_view, user_of

__all__ = ["job_detail", "job_list", "job_retry"]

REFRESH_SECONDS = 3
# what became of an intake attachment (``IngestOutcome.outcome``)
OUTCOMES = {
    "ingested": pgettext_lazy("attachment outcome", "stored"),
    "duplicate": pgettext_lazy("attachment outcome", "already in the vault"),
    "failed": pgettext_lazy("attachment outcome", "failed"),
}


def _label(job: Job) -> Any:
    kind = registry.get(job.kind)
    return kind.label if kind is not None else job.kind


def _subject_url(user: Any, job: Job) -> str:
    """A link to the record the job works on, only if the user may open it."""
    from django.urls import reverse

    if job.subject_type == EVIDENCE_ITEM and job.subject_id.isdigit():
        from crimebook.evidence.selectors import evidence_for

        if evidence_for(user).filter(pk=int(job.subject_id)).exists():
            return reverse("web:evidence_detail", args=[int(job.subject_id)])
    if job.subject_type == SUBMISSION:
        from crimebook.triage.selectors import can_triage

        if can_triage(user):
            return reverse("triage:detail", args=[job.subject_id])
    return ""


@require_GET
@register_view
def job_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    status = request.GET.get("status", "")
    if status not in Job.Status.values:
        status = ""
    page = Paginator(selectors.jobs_for(user, status=status), 50).get_page(request.GET.get("page"))
    rows = [{"job": progress.overlay(job), "label": _label(job)} for job in page.object_list]
    context = {
        "page_obj": page, "rows": rows, "status": status, "statuses": Job.Status.choices,
        "refresh": REFRESH_SECONDS if any(r["job"].is_active for r in rows) else None,
        "can_import": bool(writable_compartment_ids(user)),
    }  # fmt: skip
    return render(request, "jobs/list.html", context)


@require_GET
@register_view
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    job = progress.overlay(selectors.job_get_for(user, pk))
    result = job.result if isinstance(job.result, dict) else {}
    outcomes = result.get("outcomes")
    rejected = result.get("errors")
    summaries = result.get("summaries")
    context = {
        "job": job, "label": _label(job), "subject_url": _subject_url(user, job),
        "can_retry": services.can_retry(user, job),
        "outcomes": [
            {
                **o, "outcome_label": OUTCOMES.get(str(o.get("outcome")), o.get("outcome")),
                "reason": reason_shown(o),
            }
            for o in (outcomes if isinstance(outcomes, list) else [])
            if isinstance(o, dict)
        ],
        "rejected_rows": rejected if isinstance(rejected, list) else [],
        "rejected_count": result.get("rejected", 0),
        "summaries": summaries if isinstance(summaries, list) else [],
        "import_options": (
            import_options_shown(job.parameters) if job.kind == IMPORT_FILE else []
        ),
        "refresh": REFRESH_SECONDS if job.is_active else None,
    }  # fmt: skip
    return render(request, "jobs/detail.html", context)


@require_POST
@register_view
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    job = selectors.job_get_for(user, pk)
    try:
        services.job_retry(actor=user, job=job)
    except ValidationFailed as exc:
        messages.error(request, exc.text)
    else:
        messages.success(request, _("The job was queued again."))
    return redirect("web:job_detail", pk=job.pk)
