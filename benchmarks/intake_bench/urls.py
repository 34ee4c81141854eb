"""The intake's URLs plus /en/baseline/: the same view pipeline with sealing replaced by a
plain copy (validation, codename, durable write, database record and the "received" page are
unchanged), so that the difference between the two is what sealing costs."""

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import get_language

from crimebook.intake.forms import ReportForm, report_document
from crimebook.intake.services import report_receive
from crimebook.intake.uploads import state_for
from crimebook.intake.urls import urlpatterns as intake_patterns


def _plain(data: bytes, recipients: Sequence[Any]) -> bytes:
    return data


def baseline(request: HttpRequest) -> HttpResponse:
    state = state_for(request)
    form = ReportForm(request.POST)
    if not form.is_valid():
        return HttpResponse("invalid", status=400)
    received = report_receive(
        report=report_document(form.cleaned_data),
        language=get_language() or "en",
        insider=False,
        uploads=[],
        staging=state.staging_dir(),
        seal=_plain,
    )
    state.committed = True
    return render(
        request,
        "intake/received.html",
        {"codename": received.codename, "receipt": None, "receipt_json": ""},
    )


urlpatterns = [path("en/baseline/", baseline), *intake_patterns]
