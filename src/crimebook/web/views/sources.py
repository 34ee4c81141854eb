"""Source pages: list, detail (grading, consent, what rests on it), create and edit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from crimebook.accounts.access import writable_compartment_ids
from crimebook.register import selectors, services
from crimebook.register.services.sources import SOURCE_FIELDS
from crimebook.web.forms.filters import SourceFilterForm
from crimebook.web.forms.sources import SourceForm
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

FORM_FIELDS = tuple(name for name in SOURCE_FIELDS if name != "external_id")


@register_view
def source_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)

    def query(data: dict[str, Any]) -> Any:
        return selectors.sources_for(
            user, kind=data["kind"], reliability=data["reliability"], q=data["q"].strip()
        )

    return list_page(
        request, form=SourceFilterForm(request.GET, user=user), query=query,
        template="web/sources/list.html",
        context={"can_create": bool(writable_compartment_ids(user))},
    )  # fmt: skip


@register_view
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    source = selectors.source_get_for(user, pk)
    context = {
        "source": source,
        "incidents": selectors.incidents_for(user).filter(sources=source),
        "deployments": selectors.deployments_for(user).filter(source=source),
        "posts": selectors.posts_for(user).filter(source=source),
        "involvements": selectors.involvements_for(user).filter(basis=source),
        "can_write": source.compartment_id in writable_compartment_ids(user),
    }
    return render(request, "web/sources/detail.html", context)


def _source_data(form: SourceForm, *, external_id: str | None) -> services.SourceData:
    d = form.cleaned_data
    return services.SourceData(
        compartment_id=d["compartment"], kind=d["kind"], title=d["title"],
        description=d["description"], url=d["url"].strip(), received_on=d["received_on"],
        reliability=d["reliability"], credibility=d["credibility"],
        consent_investigation=d["consent_investigation"],
        consent_prosecution=d["consent_prosecution"],
        consent_prosecution_with=d["consent_prosecution_with"],
        consent_publication=d["consent_publication"], external_id=external_id,
    )  # fmt: skip


@register_view
def source_create(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not writable_compartment_ids(user):
        return forbidden(request, _("Your role does not allow creating records."))
    form = SourceForm(posted(request), user=user)
    if form.is_bound and form.is_valid():
        data = _source_data(form, external_id=None)
        source = attempt(form, lambda: services.source_create(actor=user, data=data))
        if source is not None:
            messages.success(request, _("Source saved."))
            return redirect("web:source_detail", pk=source.pk)
    return form_page(request, form, title=_("New source"), cancel_url=reverse("web:source_list"))


@register_view
def source_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    source = selectors.source_get_for(user, pk)
    if source.compartment_id not in writable_compartment_ids(user):
        return forbidden_write(request)
    form = SourceForm(posted(request), initial=initial_of(source, FORM_FIELDS), user=user)
    if form.is_bound and form.is_valid():
        data = _source_data(form, external_id=source.external_id)
        saved = attempt(form, lambda: services.source_update(actor=user, source=source, data=data))
        if saved is not None:
            messages.success(request, _("Source saved."))
            return redirect("web:source_detail", pk=saved.pk)
    return form_page(
        request, form, title=_("Edit source"), record=source,
        cancel_url=reverse("web:source_detail", kwargs={"pk": source.pk}),
    )  # fmt: skip
