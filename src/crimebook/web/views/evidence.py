"""Evidence pages: list with filters, detail (metadata, hashes, custody, links,
near-duplicates), upload streamed into the vault, safe preview, audited download."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from crimebook.accounts.access import writable_compartment_ids
from crimebook.core.errors import ValidationFailed
from crimebook.evidence import selectors, services
from crimebook.evidence.forms import EvidenceFilterForm, EvidenceLinkForm, EvidenceUploadForm
from crimebook.evidence.pipeline import OBJECT_TYPE
from crimebook.evidence.sealing import SealError
from crimebook.evidence.storage import StoreError
from crimebook.evidence.uploads import (
    StagedUpload,
    VaultUploadHandler,
    discard_uploads,
    upload_failures,
)
from crimebook.jobs.kinds import PROCESS_ITEM
from crimebook.jobs.selectors import job_for_subject
from crimebook.register import selectors as register_selectors
from crimebook.web.views._common import (
    apply_errors,
    forbidden,
    forbidden_write,
    list_page,
    posted,
    register_view,
    user_of,
)


@register_view
def evidence_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)

    def query(data: dict[str, Any]) -> Any:
        return selectors.evidence_for(
            user,
            selectors.EvidenceFilter(
                kind=data["kind"], status=data["status"], date_from=data["date_from"],
                date_to=data["date_to"], near=data["near"], q=data["q"].strip(),
                source_id=data["source"],
                near_place=(data["near_lat"], data["near_lon"], data["within_km"])
                if data["within_km"] is not None else None,
            ),
        )  # fmt: skip

    return list_page(
        request, form=EvidenceFilterForm(request.GET, user=user), query=query,
        template="evidence/list.html",
        context={"can_create": bool(writable_compartment_ids(user))},
    )  # fmt: skip


@register_view
def evidence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    item = selectors.evidence_get_for(user, pk)
    context = {
        "item": item,
        "custody": selectors.evidence_custody(item),
        "incidents": register_selectors.incidents_for(user).filter(evidence=item),
        "acts": register_selectors.acts_for(user).filter(evidence=item),
        "near": selectors.evidence_near_duplicates(user, item),
        "derivatives": item.derivatives.all(),
        "has_preview": item.derivatives.filter(status="ingested", kind="photo").exists(),
        "can_write": item.compartment_id in writable_compartment_ids(user),
        "link_form": EvidenceLinkForm(),
        "raw": sorted((item.metadata_raw or {}).items()),
        "metadata_job": job_for_subject(user, OBJECT_TYPE, item.pk, PROCESS_ITEM),
    }
    return render(request, "evidence/detail.html", context)


@csrf_exempt
def evidence_create(request: HttpRequest) -> HttpResponse:
    """Install the sealing upload handler before anything reads the body, then check
    CSRF (csrf_protect) as usual."""
    if request.method == "POST":
        request.upload_handlers = [VaultUploadHandler(request)]
    try:
        return _evidence_create(request)
    finally:
        discard_uploads(request)


@csrf_protect
@register_view
def _evidence_create(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not writable_compartment_ids(user):
        return forbidden(request, _("Your role does not allow creating records."))
    form = EvidenceUploadForm(posted(request), user=user)
    files = [f for f in request.FILES.getlist("files") if isinstance(f, StagedUpload)]
    failures = upload_failures(request)
    for name, reason in failures:
        form.add_error(
            None,
            _("%(name)s could not be stored: %(reason)s") % {"name": name, "reason": reason},
        )
    if form.is_bound and form.is_valid() and not failures:
        if not files:
            form.add_error(None, _("Choose at least one file."))
        else:
            outcomes = []
            try:
                for upload in files:
                    outcomes.append(
                        services.evidence_ingest_staged(
                            actor=user,
                            compartment_id=form.cleaned_data["compartment"],
                            name=upload.name or "",
                            staged=upload.staged,
                            source_id=form.cleaned_data["source"],
                            description=form.cleaned_data["description"],
                        )
                    )
            except ValidationFailed as exc:
                apply_errors(form, exc)
            else:
                dups = sum(1 for o in outcomes if o.outcome == "duplicate")
                messages.success(
                    request,
                    _("%(stored)d file(s) stored, %(dups)d already in the vault.")
                    % {"stored": len(outcomes) - dups, "dups": dups},
                )
                if len(outcomes) == 1 and outcomes[0].item_id:
                    return redirect("web:evidence_detail", pk=outcomes[0].item_id)
                return redirect("web:evidence_list")
    return render(
        request, "evidence/upload.html",
        {"form": form, "cancel_url": reverse("web:evidence_list")},
    )  # fmt: skip


@register_view
def evidence_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The re-encoded thumbnail derivative, inline; never the original."""
    user = user_of(request)
    preview = selectors.evidence_preview_for(user, pk)
    try:
        body = services.evidence_original_stream(actor=user, item=preview, purpose="view_preview")
    except (StoreError, SealError):
        return HttpResponse(status=503)  # the object store is unreachable; nothing was sent
    response = StreamingHttpResponse(body, content_type="image/jpeg")
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store"
    return cast(HttpResponse, response)  # streamed; register_view only passes it through


@require_POST
@register_view
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """An explicit, audited POST: the plaintext as an attachment, never shown inline."""
    user = user_of(request)
    item = selectors.evidence_get_for(user, pk)
    try:
        body = services.evidence_original_stream(actor=user, item=item, purpose="download")
    except (StoreError, SealError) as exc:  # nothing was sent, and no download was recorded
        messages.error(
            request, _("The stored copy cannot be read right now: %(reason)s") % {"reason": exc}
        )
        return redirect("web:evidence_detail", pk=item.pk)
    response = StreamingHttpResponse(body, content_type="application/octet-stream")
    response["Content-Disposition"] = (
        f'attachment; filename="evidence-{item.pk}-{item.sha256[:12]}"'
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return cast(HttpResponse, response)  # streamed; register_view only passes it through


def _link_action(request: HttpRequest, pk: int, *, unlink: bool) -> HttpResponse:
    user = user_of(request)
    item = selectors.evidence_get_for(user, pk)
    if item.compartment_id not in writable_compartment_ids(user):
        return forbidden_write(request)
    form = EvidenceLinkForm(request.POST)
    if form.is_valid():
        call = services.evidence_unlink if unlink else services.evidence_link
        try:
            call(actor=user, item=item, kind=form.cleaned_data["kind"],
                 target_id=form.cleaned_data["target"])  # fmt: skip
        except ValidationFailed as exc:
            messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
        else:
            messages.success(request, _("Link removed.") if unlink else _("Link saved."))
    else:
        messages.error(request, _("Give a record type and number."))
    return redirect("web:evidence_detail", pk=item.pk)


@require_POST
@register_view
def evidence_link(request: HttpRequest, pk: int) -> HttpResponse:
    return _link_action(request, pk, unlink=False)


@require_POST
@register_view
def evidence_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    return _link_action(request, pk, unlink=True)
