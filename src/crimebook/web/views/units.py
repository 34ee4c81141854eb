"""Unit pages: list, detail (hierarchy over time, chain of command, posts, deployments,
staffing), create, edit, and adding a parent unit. Units are shared reference data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crimebook.accounts.access import can_edit_reference_data, writable_compartment_ids
from crimebook.accounts.models import User
from crimebook.register import selectors, services
from crimebook.register.models import Unit
from crimebook.register.models.units import unit_name_expression
from crimebook.web.forms._fields import local_zone
from crimebook.web.forms.filters import UnitFilterForm
from crimebook.web.forms.units import UnitForm, UnitParentForm
from crimebook.web.views._common import (
    attempt,
    forbidden,
    form_page,
    initial_of,
    list_page,
    posted,
    register_view,
    user_of,
)

# The domain checks name a period's ends "start"/"end"; the unit forms say valid_from/to.
ALIASES = {"start": "valid_from", "end": "valid_to"}
FORM_FIELDS = ("code", "name", "name_ru", "name_be", "valid_from", "valid_to", "latitude",
               "longitude")  # fmt: skip


def _no_reference_write(request: HttpRequest) -> HttpResponse:
    return forbidden(request, _("Your role does not allow changing units and their hierarchy."))


@register_view
def unit_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)

    def query(data: dict[str, Any]) -> Any:
        units = selectors.units_for(user, q=data["q"].strip(), unit_type=data["unit_type"])
        return units.order_by(unit_name_expression(), "pk")  # by the name the reader sees

    return list_page(
        request, form=UnitFilterForm(request.GET, user=user), query=query,
        template="web/units/list.html", context={"can_create": can_edit_reference_data(user)},
    )  # fmt: skip


def _unit_page(
    request: HttpRequest, user: User, unit: Unit, parent_form: UnitParentForm | None = None
) -> HttpResponse:
    can_edit = can_edit_reference_data(user)
    if can_edit and parent_form is None:
        parent_form = UnitParentForm(user=user, unit_id=unit.pk)
    today = datetime.now(local_zone()).date()
    context = {
        "unit": unit,
        "parents": selectors.unit_parents(unit),
        "children": selectors.unit_children(unit),
        "today": today,
        "chain": selectors.unit_ancestors_at(unit, today),
        "posts": selectors.posts_for(user, unit_id=unit.pk),
        "deployments": selectors.deployments_for(user, unit_id=unit.pk),
        "staffing": selectors.staffing_for(user, unit_id=unit.pk),
        "dismissals": selectors.dismissals_for(user, unit_id=unit.pk).select_related("person"),
        "can_edit": can_edit,
        "can_add_post": bool(writable_compartment_ids(user)),
        "parent_form": parent_form,
    }
    return render(request, "web/units/detail.html", context)


@register_view
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    return _unit_page(request, user, selectors.unit_get_for(user, pk))


def _unit_data(form: UnitForm) -> services.UnitData:
    d = form.cleaned_data
    return services.UnitData(
        code=d["code"].strip(), name=d["name"], unit_type=d["unit_type"], name_ru=d["name_ru"],
        name_be=d["name_be"], valid_from=d["valid_from"], valid_to=d["valid_to"],
        latitude=d["latitude"], longitude=d["longitude"],
    )  # fmt: skip


@register_view
def unit_create(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not can_edit_reference_data(user):
        return _no_reference_write(request)
    form = UnitForm(posted(request), user=user)
    if form.is_bound and form.is_valid():
        data = _unit_data(form)
        unit = attempt(form, lambda: services.unit_create(actor=user, data=data), ALIASES)
        if unit is not None:
            messages.success(request, _("Unit saved."))
            return redirect("web:unit_detail", pk=unit.pk)
    return form_page(request, form, title=_("New unit"), cancel_url=reverse("web:unit_list"))


@register_view
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    unit = selectors.unit_get_for(user, pk)
    if not can_edit_reference_data(user):
        return _no_reference_write(request)
    initial = initial_of(unit, FORM_FIELDS)
    initial["unit_type"] = unit.unit_type.code
    form = UnitForm(posted(request), initial=initial, user=user)
    if form.is_bound and form.is_valid():
        data = _unit_data(form)
        saved = attempt(
            form, lambda: services.unit_update(actor=user, unit=unit, data=data), ALIASES
        )
        if saved is not None:
            messages.success(request, _("Unit saved."))
            return redirect("web:unit_detail", pk=saved.pk)
    return form_page(
        request, form, title=_("Edit unit"), record=unit,
        cancel_url=reverse("web:unit_detail", kwargs={"pk": unit.pk}),
    )  # fmt: skip


@require_POST
@register_view
def unit_parent_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Makes unit ``pk`` subordinate to another for a period; errors show on the unit page."""
    user = user_of(request)
    unit = selectors.unit_get_for(user, pk)
    if not can_edit_reference_data(user):
        return _no_reference_write(request)
    form = UnitParentForm(request.POST, user=user, unit_id=unit.pk)
    if form.is_valid():
        d = form.cleaned_data
        parent = selectors.unit_get_for(user, d["parent"])
        link = attempt(
            form,
            lambda: services.unit_parent_add(
                actor=user,
                child=unit,
                parent=parent,
                valid_from=d["valid_from"],
                valid_to=d["valid_to"],
            ),
            ALIASES,
        )
        if link is not None:
            messages.success(request, _("Parent unit added."))
            return redirect("web:unit_detail", pk=unit.pk)
    return _unit_page(request, user, unit, parent_form=form)
