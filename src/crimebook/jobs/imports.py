"""The workspace's import page (``web:import_create``): a file for ``crimebook import`` run as
a background job. The file is sealed into the vault while it uploads (as an evidence item of
the compartment, so every imported record can be traced to the file it came from) and the
job imports it, all or nothing, with progress and the rejected rows on the job's page."""

from __future__ import annotations

import json
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
from crimebook.interchange.formats.records import REGIONS
from crimebook.interchange.mapping import MappingError, parse_mapping
from crimebook.jobs.kinds import EVIDENCE_ITEM, IMPORT_FILE
from crimebook.jobs.services import MAX_PARAMETER_BYTES, job_submit
from crimebook.web.forms import UserForm
from crimebook.web.forms._fields import compartment_choices, compartment_field, set_choices
from crimebook.web.views._common import apply_errors, forbidden, posted, register_view, user_of

__all__ = ["ImportForm", "import_create", "import_options_shown"]

# The mapping travels in the job's parameters (at most MAX_PARAMETER_BYTES as JSON, where a
# Cyrillic letter takes six bytes); half of that leaves room for the other options.
MAPPING_MAX_BYTES = MAX_PARAMETER_BYTES // 2

# Files whose fields are named by their own format, so a column mapping has nothing to rename.
UNMAPPED = ("json", "timemap")


def unmapped_problem(fmt: str) -> str:
    return _(
        "A column mapping applies to CSV, XLSX and GeoJSON files; a %(format)s file names its "
        "fields itself. Clear the mapping."
    ) % {"format": {"json": "JSON", "timemap": "TimeMap"}.get(fmt, fmt)}


REGION_LABELS = {
    "belarus": gettext_lazy("Belarus"),
    "ukraine": gettext_lazy("Ukraine"),
    "world": gettext_lazy("the world"),
}


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
    mapping = forms.CharField(
        label=gettext_lazy("Column names in your file"),
        help_text=gettext_lazy(
            "One 'Column in file=field' a line, e.g. 'Дата=start', for columns whose names are "
            "not the import schema's (CSV, XLSX, GeoJSON properties)."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=10_000,
    )
    us_dates = forms.BooleanField(
        label=gettext_lazy("Dates with slashes are month first (MM/DD/YYYY)"),
        help_text=gettext_lazy("Otherwise a date such as 08/10/2020 is refused as ambiguous."),
        required=False,
    )
    region = forms.ChoiceField(
        label=gettext_lazy("Declared region"),
        help_text=gettext_lazy("Coordinates outside it are rejected (a swapped pair, a typo)."),
        choices=[("none", gettext_lazy("none")), *((k, REGION_LABELS[k]) for k in REGIONS)],
        initial="none",
        required=False,
    )
    ignore_extra = forms.BooleanField(
        label=gettext_lazy("Ignore columns the import does not know"),
        help_text=gettext_lazy("Otherwise such a column stops the import, naming it."),
        required=False,
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Encoding"),
        choices=[
            ("", gettext_lazy("detect (UTF-8 or Windows-1251)")),
            ("utf-8", "UTF-8"),
            ("cp1251", "Windows-1251"),
            ("utf-16", "UTF-16"),
        ],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "compartment", compartment_choices(self.user))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = "incidents" if data.get("format") == "geojson" else data.get("kind")
        if data.get("format") in UNMAPPED and str(data.get("mapping") or "").strip():
            self.add_error("mapping", unmapped_problem(str(data["format"])))
        elif kind in SCHEMAS and "mapping" in data:
            try:
                data["mapping"] = parse_mapping(str(data["mapping"]).splitlines(), kind)
            except MappingError as exc:
                for problem in exc.problems:
                    self.add_error("mapping", problem)
            else:
                size = len(json.dumps(data["mapping"]))
                if size > MAPPING_MAX_BYTES:
                    self.add_error(
                        "mapping",
                        _(
                            "The column names are too long together (%(size)s bytes stored, at "
                            "most %(limit)s); map only the columns whose names differ from the "
                            "schema."
                        )
                        % {"size": size, "limit": MAPPING_MAX_BYTES},
                    )
        return data


def import_options_shown(parameters: Any) -> list[tuple[str, str]]:
    """The options an import job was asked with, as (label, value) for its page."""
    if not isinstance(parameters, dict):
        return []
    mapping = parameters.get("mapping")
    pairs = mapping.items() if isinstance(mapping, dict) else ()
    yes, no = _("yes"), _("no")
    region = str(parameters.get("region") or "none")
    shown = [
        (_("Records in the file (CSV, XLSX)"), str(parameters.get("kind", ""))),
        (_("Format"), str(parameters.get("format", ""))),
        (_("Dry run"), yes if parameters.get("dry_run") is True else no),
        (_("Column names in your file"), "; ".join(f"{k}={v}" for k, v in pairs) or "—"),
        (_("Month-first dates"), yes if parameters.get("us_dates") is True else no),
        (_("Declared region"), str(REGION_LABELS.get(region, _("none")))),
        (_("Unknown columns ignored"), yes if parameters.get("ignore_extra") is True else no),
        (_("Encoding"), str(parameters.get("encoding") or _("detected"))),
        (
            _("A record already imported (same external id)"),
            _("update it") if parameters.get("on_duplicate") == "update" else _("skip it"),
        ),
    ]
    return shown


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
        elif fmt in UNMAPPED and data["mapping"]:
            form.add_error("mapping", unmapped_problem(fmt))
        else:
            try:
                stored = evidence_services.evidence_ingest_staged(
                    actor=user, compartment_id=data["compartment"], name=files[0].name or "",
                    staged=files[0].staged, via="import-upload", process=False,
                    description="file uploaded for import into the register",
                )  # fmt: skip
            except ValidationFailed as exc:
                apply_errors(form, exc)
                return _page(request, form)
            try:
                job = job_submit(
                    actor=user, kind=IMPORT_FILE, compartment_id=data["compartment"],
                    parameters={"item_id": stored.item_id, "compartment_id": data["compartment"],
                                "format": fmt, "kind": data["kind"],
                                "on_duplicate": data["on_duplicate"],
                                "dry_run": bool(data["dry_run"]),
                                "mapping": data["mapping"], "us_dates": bool(data["us_dates"]),
                                "region": data["region"],
                                "ignore_extra": bool(data["ignore_extra"]),
                                "encoding": data["encoding"]},
                    subject=(EVIDENCE_ITEM, stored.item_id),
                )  # fmt: skip
            except ValidationFailed as exc:  # the file stays, as the upload's trace
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("The file is stored; the import runs in the background.")
                )
                return redirect("web:job_detail", pk=job.pk)
    return _page(request, form)


def _page(request: HttpRequest, form: ImportForm) -> HttpResponse:
    return render(
        request, "jobs/import.html", {"form": form, "cancel_url": reverse("web:job_list")}
    )
