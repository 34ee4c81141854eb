"""Leads pages: the queue (filters, explanation, accept/reject as plain POST forms) and the
review actions. The incident, evidence and unit pages show their leads through
``templatetags/crimebook_leads.py`` (the same selector)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crimebook.core.errors import ValidationFailed
from crimebook.leads import selectors, services
from crimebook.leads.forms import LeadFilterForm, ReviewForm
from crimebook.leads.models import Lead
from crimebook.web.views._common import list_page, register_view, user_of

# What a run's summary counts, in the reader's language.
EVALUATED = {
    "incidents": gettext_lazy("incidents"),
    "recordings": gettext_lazy("recordings"),
    "media": gettext_lazy("photos and videos"),
    "communications": gettext_lazy("communications"),
    "deployments": gettext_lazy("deployments"),
    "reports": gettext_lazy("reports compared"),
}


@register_view
def lead_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    data = request.GET.copy()
    if "status" not in data:  # the queue: what is still to be decided
        data["status"] = Lead.Status.PROPOSED

    def query(d: dict[str, Any]) -> Any:
        return selectors.leads_for(
            user,
            selectors.LeadFilter(
                kind=d["kind"], status=d["status"], min_score=d["min_score"],
                incident_id=d["incident"], unit_id=d["unit"], item_id=d["item"],
                communication_id=d["communication"],
            ),
        )  # fmt: skip

    runs = [
        (run, [(EVALUATED.get(k, k), n) for k, n in (run.summary.get("evaluated") or {}).items()])
        for run in selectors.runs_for(user).select_related("compartment")[:5]
    ]
    return list_page(
        request, form=LeadFilterForm(data, user=user), query=query,
        template="leads/list.html",
        context={"runs": runs, "reviewable": _reviewable(user)},
    )  # fmt: skip


def _reviewable(user: Any) -> set[int]:
    from crimebook.accounts.access import readable_compartment_ids

    return {c for c in readable_compartment_ids(user) if services.can_review(user, c)}


def _back(request: HttpRequest, form: ReviewForm) -> HttpResponse:
    target = form.cleaned_data.get("next") if form.is_valid() else ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("web:lead_list")


def _review(request: HttpRequest, pk: int, *, accept: bool) -> HttpResponse:
    user = user_of(request)
    lead = selectors.lead_get_for(user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
        return _back(request, form)
    note = form.cleaned_data["note"]
    try:
        if accept:
            services.lead_accept(actor=user, lead=lead, note=note, act_id=form.cleaned_data["act"])
        else:
            services.lead_reject(actor=user, lead=lead, note=note)
    except ValidationFailed as exc:
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
    else:
        messages.success(
            request,
            _("Lead %(id)d accepted.") % {"id": lead.pk}
            if accept
            else _("Lead %(id)d rejected; it will not be proposed again.") % {"id": lead.pk},
        )
    return _back(request, form)


@require_POST
@register_view
def lead_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, accept=True)


@require_POST
@register_view
def lead_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, accept=False)
