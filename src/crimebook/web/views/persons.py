"""Person pages: list, detail (pseudonym and roles only), create, edit, and the audited
identity reveal, whose result is shown on the response page only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from crimebook.accounts.access import can_reveal_identity, writable_compartment_ids
from crimebook.accounts.models import User
from crimebook.register import selectors, services
from crimebook.register.models import Person
from crimebook.web.forms._fields import lines
from crimebook.web.forms.filters import PersonFilterForm
from crimebook.web.forms.persons import IDENTITY_FIELDS, PersonForm, RevealForm
from crimebook.web.views._common import (
    attempt,
    forbidden,
    forbidden_write,
    form_page,
    list_page,
    posted,
    register_view,
    user_of,
)

ROLE_FIELDS = ("is_victim", "is_witness", "is_insider", "is_perpetrator")


@register_view
def person_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)

    def query(data: dict[str, Any]) -> Any:
        return selectors.persons_for(user, role=data["role"], q=data["q"])

    return list_page(
        request, form=PersonFilterForm(request.GET, user=user), query=query,
        template="web/persons/list.html",
        context={"can_create": bool(writable_compartment_ids(user))},
    )  # fmt: skip


def _person_page(
    request: HttpRequest, user: User, person: Person, *, reveal_form: RevealForm | None = None,
    identity: services.PersonIdentity | None = None,
) -> HttpResponse:  # fmt: skip
    context = {
        "person": person,
        "has_identity": any(getattr(person, f"{name}_enc") for name in IDENTITY_FIELDS),
        "acts": selectors.acts_for(user, victim_id=person.pk),
        "witnessed": selectors.incidents_for(user).filter(witnesses=person),
        "posts": selectors.posts_for(user, person_id=person.pk),
        "involvements": selectors.involvements_for(user, person_id=person.pk).select_related(
            "act__act_type"
        ),
        "can_write": person.compartment_id in writable_compartment_ids(user),
        "can_reveal": can_reveal_identity(user, person.compartment_id),
        "reveal_form": reveal_form or RevealForm(),
        "identity": identity,
    }
    return render(request, "web/persons/detail.html", context)


@register_view
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    return _person_page(request, user, selectors.person_get_for(user, pk))


@never_cache
@require_POST
@register_view
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Decrypts the identity for this response only: never in a URL, never cached."""
    user = user_of(request)
    person = selectors.person_get_for(user, pk)
    form = RevealForm(request.POST)
    identity = None
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        identity = attempt(
            form,
            lambda: services.person_identity_reveal(actor=user, person=person, reason=reason),
        )
    return _person_page(request, user, person, reveal_form=form, identity=identity)


def _person_data(form: PersonForm, *, external_id: str | None) -> services.PersonData:
    d = form.cleaned_data
    identity = None
    if form.identity_given():
        identity = services.PersonIdentity(
            full_name=d["full_name"].strip(), birth_date=d["birth_date"],
            contacts=lines(d["contacts"]), identifiers=lines(d["identifiers"]),
        )  # fmt: skip
    return services.PersonData(
        compartment_id=d["compartment"], is_victim=d["is_victim"], is_witness=d["is_witness"],
        is_insider=d["is_insider"], is_perpetrator=d["is_perpetrator"], identity=identity,
        external_id=external_id,
    )  # fmt: skip


@register_view
def person_create(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not writable_compartment_ids(user):
        return forbidden(request, _("Your role does not allow creating records."))
    form = PersonForm(posted(request), user=user)
    if form.is_bound and form.is_valid():
        data = _person_data(form, external_id=None)
        person = attempt(form, lambda: services.person_create(actor=user, data=data))
        if person is not None:
            messages.success(
                request, _("Person %(pseudonym)s saved.") % {"pseudonym": person.pseudonym}
            )
            return redirect("web:person_detail", pk=person.pk)
    return form_page(
        request, form, title=_("New person"), cancel_url=reverse("web:person_list"),
        intro=_("A pseudonym is assigned automatically. Identity fields are optional and "
                "stored encrypted."),
    )  # fmt: skip


@register_view
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    person = selectors.person_get_for(user, pk)
    if person.compartment_id not in writable_compartment_ids(user):
        return forbidden_write(request)
    initial: dict[str, Any] = {name: getattr(person, name) for name in ROLE_FIELDS}
    initial["compartment"] = person.compartment_id
    form = PersonForm(posted(request), initial=initial, user=user, editing=True)
    if form.is_bound and form.is_valid():
        data = _person_data(form, external_id=person.external_id)
        saved = attempt(form, lambda: services.person_update(actor=user, person=person, data=data))
        if saved is not None:
            messages.success(
                request, _("Person %(pseudonym)s saved.") % {"pseudonym": saved.pseudonym}
            )
            return redirect("web:person_detail", pk=saved.pk)
    return form_page(
        request, form, title=_("Edit person %(pseudonym)s") % {"pseudonym": person.pseudonym},
        record=person, cancel_url=reverse("web:person_detail", kwargs={"pk": person.pk}),
        intro=_("The stored identity is not shown here. Leave all identity fields blank to "
                "keep it unchanged; filling any of them replaces the whole stored identity."),
    )  # fmt: skip
