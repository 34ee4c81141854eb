"""Adding a post (a person's rank and position in a unit over a period), started from a
person's or a unit's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from crimebook.accounts.access import writable_compartment_ids
from crimebook.core.errors import NotFound
from crimebook.register import selectors, services
from crimebook.web.forms.units import PostForm
from crimebook.web.views._common import (
    attempt,
    forbidden,
    form_page,
    posted,
    register_view,
    user_of,
)

ALIASES = {"person_id": "person", "unit_id": "unit", "source_id": "source"}


@register_view
def post_create(request: HttpRequest) -> HttpResponse:
    """``?person=<id>`` or ``?unit=<id>`` fills that side in and is where Cancel and a
    successful save lead back to."""
    user = user_of(request)
    if not writable_compartment_ids(user):
        return forbidden(request, _("Your role does not allow creating records."))
    initial: dict[str, Any] = {}
    back = reverse("web:person_list")
    unit_id = request.GET.get("unit")
    person_id = request.GET.get("person")
    try:
        if unit_id:
            unit = selectors.unit_get_for(user, unit_id)
            initial["unit"] = unit.pk
            back = reverse("web:unit_detail", kwargs={"pk": unit.pk})
        if person_id:
            person = selectors.person_get_for(user, person_id)
            initial["person"] = person.pseudonym
            back = reverse("web:person_detail", kwargs={"pk": person.pk})
    except NotFound:
        pass  # a stale or foreign link: start with an empty form
    form = PostForm(posted(request), initial=initial, user=user)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        data = services.PostData(
            person_id=d["person"], unit_id=d["unit"], rank=d["rank"], position=d["position"],
            start=d["start"], end=d["end"], is_commander=d["is_commander"],
            source_id=d["source"],
        )  # fmt: skip
        post = attempt(form, lambda: services.post_create(actor=user, data=data), ALIASES)
        if post is not None:
            messages.success(request, _("Post saved."))
            if unit_id and not person_id:
                return redirect("web:unit_detail", pk=post.unit_id)
            return redirect("web:person_detail", pk=post.person_id)
    return form_page(request, form, title=_("New post"), cancel_url=back)
