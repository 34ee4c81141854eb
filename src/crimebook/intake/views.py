"""Intake pages. Each view parses input, calls one service, and renders (CONVENTIONS 1).

Nothing here reads the client's address, agent or any header beyond what Django needs, and
nothing is logged about a source. The codename appears in exactly one response (the one
that says "received") and is never put in a URL, a cookie or a session.
"""

from __future__ import annotations

import uuid
from functools import lru_cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crimebook.intake import conf
from crimebook.intake.forms import (
    CodenameForm,
    FollowupForm,
    ReportForm,
    VerifyForm,
    report_document,
)
from crimebook.intake.receipts import ReceiptInvalid, public_key_text, receipt_verify
from crimebook.intake.services import (
    TooManyFollowups,
    followup_receive,
    report_receive,
    source_open,
)
from crimebook.intake.uploads import UploadState, state_for

SESSION_SOURCE = "intake_source"
UPLOAD_PROBLEMS = {"too_large": 413, "truncated": 400, "seal_failed": 503}


def _problem(request: HttpRequest, status: int, reason: str) -> HttpResponse:
    return render(request, "intake/problem.html", {"reason": reason}, status=status)


def _upload_problem(request: HttpRequest, state: UploadState) -> HttpResponse | None:
    if state.error is None:
        return None
    return _problem(request, UPLOAD_PROBLEMS.get(state.error, 400), state.error)


def _language() -> str:
    return (get_language() or "en")[:2]


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/index.html")


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    files_dropped = False
    if request.method == "POST":
        data = request.POST  # parsing seals the attachments (see uploads.py)
        state = state_for(request)
        problem = _upload_problem(request, state)
        if problem is not None:
            return problem
        form = ReportForm(data)
        if form.is_valid():
            received = report_receive(
                report=report_document(form.cleaned_data),
                language=_language(),
                insider=bool(form.cleaned_data.get("insider")),
                uploads=list(state.uploads),
                staging=state.staging_dir(),
            )
            state.committed = True
            return render(
                request,
                "intake/received.html",
                {
                    "codename": received.codename,
                    "receipt": received.receipt,
                    "receipt_json": received.receipt.to_json() if received.receipt else "",
                },
            )
        files_dropped = bool(state.uploads)
    else:
        return render(
            request,
            "intake/report.html",
            {
                "form": ReportForm(),
                "blank_fields": _blank_report_fields(
                    get_language() or "en", conf.max_upload_bytes() // (1024 * 1024)
                ),
            },
        )
    return render(request, "intake/report.html", {"form": form, "files_dropped": files_dropped})


@lru_cache(maxsize=16)
def _blank_report_fields(language: str, max_upload_mb: int) -> str:
    """The report form's fields, unfilled, as HTML (safe: rendered by the template engine).
    They are the same for every visitor in a language and were nine tenths of the page's
    rendering cost (30 fields, each widget a template), so they are rendered once."""
    return render_to_string(
        "intake/_report_fields.html", {"form": ReportForm(), "max_upload_mb": max_upload_mb}
    )


@require_http_methods(["GET", "POST"])
def source_return(request: HttpRequest) -> HttpResponse:
    not_recognised = False
    if request.method == "POST":
        form = CodenameForm(request.POST)
        if form.is_valid():
            opened = source_open(codename=form.cleaned_data["codename"])
            if opened is not None:
                request.session.cycle_key()
                request.session[SESSION_SOURCE] = str(opened.source_id)
                return render(
                    request,
                    "intake/source_home.html",
                    {"replies": opened.replies, "form": FollowupForm()},
                )
            not_recognised = True
        form = CodenameForm()  # never echo a codename back
    else:
        form = CodenameForm()
    return render(request, "intake/return.html", {"form": form, "not_recognised": not_recognised})


@require_POST
def followup_add(request: HttpRequest) -> HttpResponse:
    data = request.POST
    state = state_for(request)
    raw_source = request.session.get(SESSION_SOURCE)
    if not raw_source:
        return _problem(request, 403, "session")
    problem = _upload_problem(request, state)
    if problem is not None:
        return problem
    form = FollowupForm(data)
    if form.is_valid() and (form.cleaned_data["text"].strip() or state.uploads):
        try:
            followup_receive(
                source_id=uuid.UUID(str(raw_source)),
                text=form.cleaned_data["text"],
                language=_language(),
                uploads=list(state.uploads),
                staging=state.staging_dir(),
            )
        except TooManyFollowups:
            return _problem(request, 429, "busy")
        state.committed = True
        return render(request, "intake/followup_received.html")
    if form.is_valid():
        form.add_error("text", "")
    return render(
        request,
        "intake/source_home.html",
        {"replies": (), "form": form, "empty": True, "files_dropped": bool(state.uploads)},
        status=400,
    )


@require_POST
def source_leave(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return render(request, "intake/index.html", {"left": True})


@require_http_methods(["GET", "POST"])
def receipt_check(request: HttpRequest) -> HttpResponse:
    key = conf.signing_key().public_key()
    context: dict[str, object] = {"public_key": public_key_text(key)}
    if request.method == "POST":
        form = VerifyForm(request.POST)
        if form.is_valid():
            try:
                context["valid"] = receipt_verify(form.cleaned_data["receipt"], [key])
            except ReceiptInvalid as exc:
                context["invalid"] = str(exc)
    else:
        form = VerifyForm()
    context["form"] = form
    return render(request, "intake/verify.html", context)


@require_POST
def receipt_download(request: HttpRequest) -> HttpResponse:
    """Hands back, as a file, a receipt this server signed (nothing is stored or looked up)."""
    key = conf.signing_key().public_key()
    try:
        receipt = receipt_verify(request.POST.get("receipt", ""), [key])
    except ReceiptInvalid:
        return _problem(request, 400, "malformed")
    response = HttpResponse(receipt.to_json(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{receipt.receipt_id}.json"'
    return response


@require_GET
def receipt_public_key(request: HttpRequest) -> HttpResponse:
    key = conf.signing_key().public_key()
    return HttpResponse(public_key_text(key) + "\n", content_type="text/plain; charset=utf-8")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _problem(request, 403, "csrf")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _problem(request, 404, "not_found")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _problem(request, 400, "malformed")


def server_error(request: HttpRequest) -> HttpResponse:
    return _problem(request, 500, "server")
