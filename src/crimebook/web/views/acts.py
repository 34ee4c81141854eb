"""Act pages: list, detail with involvements, create (from an incident), edit, and
adding an involvement on the act page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crimebook.accounts.access import writable_compartment_ids
from crimebook.accounts.models import User
from crimebook.register import selectors, services
from crimebook.register.models import Act, Incident
from crimebook.web.forms.filters import ActFilterForm
from crimebook.web.forms.incidents import ActForm, InvolvementForm
from crimebook.web.views._common import (
    attempt,
    forbidden_write,
    form_page,
    list_page,
    posted,
    register_view,
    user_of,
)

ACT_ALIASES = {"victim_id": "victim", "incident_id": "__all__"}
INVOLVEMENT_ALIASES = {"person_id": "person", "basis_source_ids": "basis", "act_id": "__all__"}


@register_view
def act_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)

    def query(data: dict[str, Any]) -> Any:
        return selectors.acts_for(
            user, incident_id=data["incident"], act_type=data["act_type"],
            medical_grade=data["medical_grade"],
        )  # fmt: skip

    return list_page(
        request, form=ActFilterForm(request.GET, user=user), query=query,
        template="web/acts/list.html",
    )  # fmt: skip


def _act_page(
    request: HttpRequest, user: User, act: Act, involvement_form: InvolvementForm | None = None
) -> HttpResponse:
    compartment_id = act.incident.compartment_id
    can_write = compartment_id in writable_compartment_ids(user)
    if can_write and involvement_form is None:
        involvement_form = InvolvementForm(user=user, compartment_id=compartment_id)
    context = {
        "act": act,
        "incident": act.incident,
        "injuries": act.injuries.all(),
        "methods": act.methods.all(),
        "involvements": selectors.involvements_for(user, act_id=act.pk)
        .select_related("analyst")
        .prefetch_related("basis"),
        "can_write": can_write,
        "involvement_form": involvement_form,
    }
    return render(request, "web/acts/detail.html", context)


@register_view
def act_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    return _act_page(request, user, selectors.act_get_for(user, pk))


def _act_data(form: ActForm, incident_id: int) -> services.ActData:
    d = form.cleaned_data
    return services.ActData(
        incident_id=incident_id, victim_id=d["victim"], act_type=d["act_type"],
        injuries=tuple(d["injuries"]), methods=tuple(d["methods"]),
        detention_place=d["detention_place"] or None, medical_grade=d["medical_grade"],
        medical_findings=d["medical_findings"], description=d["description"],
    )  # fmt: skip


@register_view
def act_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new act in incident ``pk``."""
    user = user_of(request)
    incident: Incident = selectors.incident_get_for(user, pk)
    if incident.compartment_id not in writable_compartment_ids(user):
        return forbidden_write(request)
    form = ActForm(posted(request), user=user)
    if form.is_bound and form.is_valid():
        data = _act_data(form, incident.pk)
        act = attempt(form, lambda: services.act_create(actor=user, data=data), ACT_ALIASES)
        if act is not None:
            messages.success(request, _("Act saved."))
            return redirect("web:act_detail", pk=act.pk)
    return form_page(
        request, form, title=_("New act in “%(title)s”") % {"title": incident.title},
        cancel_url=reverse("web:incident_detail", kwargs={"pk": incident.pk}),
    )  # fmt: skip


@register_view
def act_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    act = selectors.act_get_for(user, pk)
    if act.incident.compartment_id not in writable_compartment_ids(user):
        return forbidden_write(request)
    initial = {
        "victim": act.victim.pseudonym,
        "act_type": act.act_type.code,
        "injuries": [t.code for t in act.injuries.all()],
        "methods": [t.code for t in act.methods.all()],
        "detention_place": act.detention_place.code if act.detention_place else "",
        "medical_grade": act.medical_grade,
        "medical_findings": act.medical_findings,
        "description": act.description,
    }
    form = ActForm(posted(request), initial=initial, user=user)
    if form.is_bound and form.is_valid():
        data = _act_data(form, act.incident_id)
        saved = attempt(
            form, lambda: services.act_update(actor=user, act=act, data=data), ACT_ALIASES
        )
        if saved is not None:
            messages.success(request, _("Act saved."))
            return redirect("web:act_detail", pk=saved.pk)
    return form_page(
        request, form, title=_("Edit act"), record=act,
        cancel_url=reverse("web:act_detail", kwargs={"pk": act.pk}),
    )  # fmt: skip


@require_POST
@register_view
def involvement_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Adds an involvement to act ``pk``; on an error the act page shows it in its form."""
    user = user_of(request)
    act = selectors.act_get_for(user, pk)
    compartment_id = act.incident.compartment_id
    if compartment_id not in writable_compartment_ids(user):
        return forbidden_write(request)
    form = InvolvementForm(request.POST, user=user, compartment_id=compartment_id)
    if form.is_valid():
        d = form.cleaned_data
        data = services.InvolvementData(
            act_id=act.pk, person_id=d["person"], degree=d["degree"],
            confidence=d["confidence"], basis_source_ids=tuple(d["basis"]),
            basis_note=d["basis_note"],
        )  # fmt: skip
        made = attempt(
            form, lambda: services.involvement_create(actor=user, data=data), INVOLVEMENT_ALIASES
        )
        if made is not None:
            messages.success(request, _("Involvement added."))
            return redirect("web:act_detail", pk=act.pk)
    return _act_page(request, user, act, involvement_form=form)
