"""The workspace's import page (``web:import_create``): a file for ``crimebook import`` run as
a background job. The file is sealed into the vault while it uploads (as an evidence item of
the compartment, so every imported record can be traced to the file it came from) and the
job imports it, all or nothing, with progress and the rejected rows on the job's page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from crimebook.accounts.access import writable_compartment_ids
from crimebook.core.errors import ValidationFailed
from crimebook.evidence import services as evidence_services
from crimebook.evidence.uploads import (
    StagedUpload,
    VaultUploadHandler,
    discard_uploads,
    upload_failures,
)
from crimebook.interchange.files import FORMATS, format_of
from crimebook.interchange.formats.csvio import SCHEMAS
from crimebook.jobs.kinds import EVIDENCE_ITEM, IMPORT_FILE
from crimebook.jobs.services import job_submit
from crimebook.web.forms import UserForm
from crimebook.web.forms._fields import compartment_choices, compartment_field, set_choices
from crimebook.web.views._common import apply_errors, forbidden, posted, register_view, user_of

__all__ = ["ImportForm", "import_create"]


class ImportForm(UserForm):
    compartment = compartment_field()
    kind = forms.ChoiceField(
        label=gettext_lazy("Records in the file (CSV, XLSX)"),
        choices=[(k, k) for k in SCHEMAS],
        initial="incidents",
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("auto", gettext_lazy("by file name")), *((f, f) for f in FORMATS)],
        initial="auto",
    )
    on_duplicate = forms.ChoiceField(
        label=gettext_lazy("A record already imported (same external id)"),
        choices=[("skip", gettext_lazy("skip it")), ("update", gettext_lazy("update it"))],
        initial="skip",
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check every row, write nothing"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "compartment", compartment_choices(self.user))


@csrf_exempt
def import_create(request: HttpRequest) -> HttpResponse:
    """Seal the upload as it streams in (before anything reads the body), then check CSRF."""
    if request.method == "POST":
        request.upload_handlers = [VaultUploadHandler(request)]
    try:
        return _import_create(request)
    finally:
        discard_uploads(request)


@csrf_protect
@register_view
def _import_create(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not writable_compartment_ids(user):
        return forbidden(request, _("Your role does not allow creating records."))
    form = ImportForm(posted(request), user=user)
    files = [f for f in request.FILES.getlist("file") if isinstance(f, StagedUpload)]
    for name, reason in upload_failures(request):
        form.add_error(
            None, _("%(name)s could not be stored: %(reason)s") % {"name": name, "reason": reason}
        )
    if form.is_bound and form.is_valid() and not form.errors:
        data = form.cleaned_data
        fmt = format_of(files[0].name or "", data["format"]) if len(files) == 1 else None
        if len(files) != 1:
            form.add_error(None, _("Choose one file."))
        elif fmt is None:
            form.add_error("format", _("The format cannot be told from the file name; choose it."))
        else:
            try:
                stored = evidence_services.evidence_ingest_staged(
                    actor=user, compartment_id=data["compartment"], name=files[0].name or "",
                    staged=files[0].staged, via="import-upload", process=False,
                    description="file uploaded for import into the register",
                )  # fmt: skip
            except ValidationFailed as exc:
                apply_errors(form, exc)
            else:
                job = job_submit(
                    actor=user, kind=IMPORT_FILE, compartment_id=data["compartment"],
                    parameters={"item_id": stored.item_id, "compartment_id": data["compartment"],
                                "format": fmt, "kind": data["kind"],
                                "on_duplicate": data["on_duplicate"],
                                "dry_run": bool(data["dry_run"])},
                    subject=(EVIDENCE_ITEM, stored.item_id),
                )  # fmt: skip
                messages.success(
                    request, _("The file is stored; the import runs in the background.")
                )
                return redirect("web:job_detail", pk=job.pk)
    return render(
        request, "jobs/import.html", {"form": form, "cancel_url": reverse("web:job_list")}
    )
