"""Deployment pages: list with unit and date filters, detail, create and edit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from crimebook.accounts.access import writable_compartment_ids
from crimebook.register import selectors, services
from crimebook.web.forms.filters import DeploymentFilterForm
from crimebook.web.forms.units import DeploymentForm
from crimebook.web.views._common import (
    attempt,
    forbidden,
    forbidden_write,
    form_page,
    initial_of,
    list_page,
    posted,
    register_view,
    user_of,
)

ALIASES = {"unit_id": "unit", "source_id": "source"}
FORM_FIELDS = ("compartment", "unit", "source", "start", "end", "precision", "place_name",
               "latitude", "longitude", "radius_m", "note")  # fmt: skip


@register_view
def deployment_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)

    def query(data: dict[str, Any]) -> Any:
        return selectors.deployments_for(
            user, unit_id=data["unit"], date_from=data["date_from"], date_to=data["date_to"]
        )

    return list_page(
        request, form=DeploymentFilterForm(request.GET, user=user), query=query,
        template="web/deployments/list.html",
        context={"can_create": bool(writable_compartment_ids(user))},
    )  # fmt: skip


@register_view
def deployment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    deployment = selectors.deployment_get_for(user, pk)
    context = {
        "deployment": deployment,
        "can_write": deployment.compartment_id in writable_compartment_ids(user),
    }
    return render(request, "web/deployments/detail.html", context)


def _deployment_data(form: DeploymentForm) -> services.DeploymentData:
    d = form.cleaned_data
    return services.DeploymentData(
        compartment_id=d["compartment"], unit_id=d["unit"], source_id=d["source"],
        start=d["start"], end=d["end"], precision=d["precision"], place_name=d["place_name"],
        latitude=d["latitude"], longitude=d["longitude"], radius_m=d["radius_m"],
        note=d["note"],
    )  # fmt: skip


@register_view
def deployment_create(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not writable_compartment_ids(user):
        return forbidden(request, _("Your role does not allow creating records."))
    initial: dict[str, Any] = {}
    if request.GET.get("unit", "").isdigit():
        initial["unit"] = int(request.GET["unit"])
    form = DeploymentForm(posted(request), initial=initial, user=user)
    if form.is_bound and form.is_valid():
        data = _deployment_data(form)
        made = attempt(form, lambda: services.deployment_create(actor=user, data=data), ALIASES)
        if made is not None:
            messages.success(request, _("Deployment saved."))
            return redirect("web:deployment_detail", pk=made.pk)
    return form_page(
        request, form, title=_("New deployment"), cancel_url=reverse("web:deployment_list")
    )


@register_view
def deployment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    deployment = selectors.deployment_get_for(user, pk)
    if deployment.compartment_id not in writable_compartment_ids(user):
        return forbidden_write(request)
    form = DeploymentForm(posted(request), initial=initial_of(deployment, FORM_FIELDS), user=user)
    if form.is_bound and form.is_valid():
        data = _deployment_data(form)
        saved = attempt(
            form,
            lambda: services.deployment_update(actor=user, deployment=deployment, data=data),
            ALIASES,
        )
        if saved is not None:
            messages.success(request, _("Deployment saved."))
            return redirect("web:deployment_detail", pk=saved.pk)
    return form_page(
        request, form, title=_("Edit deployment"), record=deployment,
        cancel_url=reverse("web:deployment_detail", kwargs={"pk": deployment.pk}),
    )  # fmt: skip
