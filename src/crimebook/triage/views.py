"""Triage pages (workspace, login required by the workspace middleware)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed
from crimebook.evidence.reasons import reason_shown
from crimebook.intake.models import Submission
from crimebook.jobs.kinds import FROM_INTAKE, SUBMISSION
from crimebook.jobs.models import Job
from crimebook.jobs.selectors import job_for_subject
from crimebook.triage import prefill
from crimebook.triage.forms import ConvertForm, MarkForm, ReplyForm, VaultForm
from crimebook.triage.selectors import links_for, submission_get_for, submissions_for
from crimebook.triage.services import (
    ConversionData,
    reply_send,
    submission_convert,
    submission_mark,
    submission_open,
    submission_to_vault,
)


def _get(request: HttpRequest, submission_id: str) -> Submission:
    try:
        return submission_get_for(request.user, submission_id)
    except NotFound:
        raise Http404 from None


def _errors(form: Any, exc: ValidationFailed) -> None:
    for name, problems in exc.errors.items():
        for problem in problems:
            form.add_error(name if name in form.fields else None, problem)


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    page = Paginator(submissions_for(request.user, state=state), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "triage/queue.html", {"page": page, "state": state})


def _failed_reasons(job: Job | None) -> list[str]:
    """Why each attachment the vault job could not move failed, in the reader's language (no
    file names here: the job page lists them)."""
    result = job.result if job is not None and isinstance(job.result, dict) else {}
    outcomes = result.get("outcomes")
    if not isinstance(outcomes, list):
        return []
    return [
        reason_shown(o) for o in outcomes if isinstance(o, dict) and o.get("outcome") == "failed"
    ]


def _detail(
    request: HttpRequest, submission: Submission, *, convert_form: ConvertForm | None = None
) -> HttpResponse:
    vault_job = job_for_subject(request.user, SUBMISSION, submission.uuid, FROM_INTAKE)
    context: dict[str, Any] = {
        "submission": submission,
        "links": links_for(request.user, submission),
        "others": submissions_for(request.user)
        .filter(source=submission.source)
        .exclude(pk=submission.pk),
        "reply_form": ReplyForm(),
        "mark_form": MarkForm(),
        "vault_form": VaultForm(user=request.user),
        "vault_job": vault_job,
        "vault_reasons": _failed_reasons(vault_job),
    }
    if request.method == "POST":
        opened = submission_open(actor=request.user, submission=submission)
        context["opened"] = opened
        report = opened.document.get("report") or {}
        context["report_items"] = sorted(report.items())
        context["convert_form"] = convert_form or ConvertForm(
            user=request.user,
            initial={**prefill.initial(report, settings.TIME_ZONE), "create_victim": True},
        )
    return render(request, "triage/detail.html", context)


@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, submission_id: str) -> HttpResponse:
    """GET shows what is known without decrypting; POST ("Open") decrypts, audited."""
    return _detail(request, _get(request, submission_id))


@require_POST
def reply(request: HttpRequest, submission_id: str) -> HttpResponse:
    submission = _get(request, submission_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            reply_send(actor=request.user, submission=submission, text=form.cleaned_data["text"])
            messages.success(request, _("Reply sealed for the source."))
        except ValidationFailed as exc:
            messages.error(request, exc.text)
    else:
        messages.error(request, _("Write a reply."))
    return redirect("triage:detail", submission_id=submission.uuid)


@require_POST
def mark(request: HttpRequest, submission_id: str) -> HttpResponse:
    submission = _get(request, submission_id)
    form = MarkForm(request.POST)
    if form.is_valid():
        duplicate_of = None
        if form.cleaned_data.get("duplicate_of"):
            try:
                duplicate_of = submission_get_for(request.user, form.cleaned_data["duplicate_of"])
            except NotFound:
                messages.error(request, _("No such submission."))
                return redirect("triage:detail", submission_id=submission.uuid)
        try:
            submission_mark(
                actor=request.user,
                submission=submission,
                state=form.cleaned_data["state"],
                duplicate_of=duplicate_of,
            )
            messages.success(request, _("Marked."))
        except ValidationFailed as exc:
            messages.error(request, exc.text)
    return redirect("triage:detail", submission_id=submission.uuid)


@require_POST
def convert(request: HttpRequest, submission_id: str) -> HttpResponse:
    submission = _get(request, submission_id)
    form = ConvertForm(request.POST, user=request.user)
    if form.is_valid():
        d = form.cleaned_data
        try:
            result = submission_convert(
                actor=request.user,
                submission=submission,
                data=ConversionData(
                    compartment_id=d["compartment"],
                    title=d["title"],
                    description=d["description"],
                    start=d["start"],
                    end=d["end"],
                    precision=d["precision"],
                    place_name=d["place_name"],
                    latitude=d["latitude"],
                    longitude=d["longitude"],
                    radius_m=d["radius_m"],
                    violation_types=tuple(d["violation_types"]),
                    act_types=tuple(d["act_types"]),
                    injuries=tuple(d["injuries"]),
                    detention_place=d["detention_place"],
                    create_victim=d["create_victim"],
                    victim_name=d["victim_name"],
                    consent_investigation=d["consent_investigation"],
                    consent_prosecution=d["consent_prosecution"],
                    consent_publication=d["consent_publication"],
                ),
            )
            messages.success(request, _("Register records created."))
            return redirect("web:incident_detail", pk=result.incident_id)
        except ValidationFailed as exc:
            _errors(form, exc)
        except (NotFound, PermissionDenied):
            form.add_error("compartment", _("You cannot write to this compartment."))
    return _detail(request, submission, convert_form=form)


@require_POST
def vault(request: HttpRequest, submission_id: str) -> HttpResponse:
    """Queue the job that moves the attachments into the evidence vault; show the job."""
    submission = _get(request, submission_id)
    form = VaultForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose a compartment you may write to."))
        return redirect("triage:detail", submission_id=submission.uuid)
    try:
        job = submission_to_vault(
            actor=request.user, submission=submission,
            compartment_id=form.cleaned_data["compartment"],
        )  # fmt: skip
    except ValidationFailed as exc:
        messages.error(request, exc.text)
        return redirect("triage:detail", submission_id=submission.uuid)
    except (NotFound, PermissionDenied):
        messages.error(request, _("Choose a compartment you may write to."))
        return redirect("triage:detail", submission_id=submission.uuid)
    messages.success(request, _("The attachments are being moved into the evidence vault."))
    return redirect("web:job_detail", pk=job.pk)
