"""Incident pages: list with filters, detail, create and edit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from crimebook.accounts.access import writable_compartment_ids
from crimebook.evidence.selectors import evidence_for
from crimebook.register import selectors, services
from crimebook.register import statistics as st
from crimebook.register.models import Incident, Term
from crimebook.register.selectors import IncidentFilter
from crimebook.web import refdata
from crimebook.web.charts import Bar, column_chart
from crimebook.web.forms.filters import IncidentFilterForm
from crimebook.web.forms.incidents import IncidentForm
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
from crimebook.web.views.maps import incident_map_context

# Service error keys that name a differently called form field.
ALIASES = {"source_ids": "sources", "witness_ids": "witnesses"}
FORM_FIELDS = (
    "compartment", "title", "description", "start", "end", "precision", "place_name",
    "latitude", "longitude", "radius_m", "status", "verification", "confidentiality",
)  # fmt: skip


@register_view
def incident_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)

    def query(data: dict[str, Any]) -> Any:
        filters = IncidentFilter(
            q=data["q"].strip(), status=data["status"], verification=data["verification"],
            violation_type=data["violation_type"], date_from=data["date_from"],
            date_to=data["date_to"],
        )  # fmt: skip
        return selectors.incidents_for(user, filters)

    form = IncidentFilterForm(request.GET, user=user)
    context: dict[str, Any] = {"can_create": bool(writable_compartment_ids(user))}
    if request.GET.get("view") == "timeline" and form.is_valid():
        context["timeline"] = _timeline(query(form.cleaned_data), request.GET.get("by", "day"))
    return list_page(
        request, form=form, query=query, template="web/incidents/list.html", context=context,
        rows=attach_violation_type_labels,
    )  # fmt: skip


def attach_violation_type_labels(incidents: list[Incident]) -> None:
    """Give each incident ``violation_type_labels``: its types' labels in the current
    language, in the terms' order. One query on the link table, the labels from the shared
    reference cache; a prefetch of the terms built a model per type and per row (and into
    ``.all()`` a queryset and a manager per row), which cost more than the query itself."""
    terms = refdata.terms_by_id()
    found: dict[int, list[tuple[tuple[str, str], str]]] = {i.pk: [] for i in incidents}
    links = Incident.violation_types.through.objects.filter(incident_id__in=list(found))
    for incident_id, term_id in links.values_list("incident_id", "term_id"):
        term = terms.get(term_id)
        if term is None:  # written since the cache was read: from the database
            row = Term.objects.select_related("vocabulary").get(pk=term_id)
            term = terms[term_id] = ((row.vocabulary.code, row.code), row.label)
        found[incident_id].append(term)
    for incident in incidents:
        labels = [label for _order, label in sorted(found[incident.pk])]
        incident.violation_type_labels = labels  # type: ignore[attr-defined]


def _timeline(incidents: Any, by: str) -> dict[str, Any]:
    """Chart and chronology of the filtered incidents, per hour or per day (Minsk time)."""
    unit, buckets = st.incidents_over_time(incidents, "hour" if by == "hour" else "day")
    notes = []
    if by == "hour" and unit == "day":  # said, not silent: the reader asked for hours
        notes.append(_(
            "These incidents span more than a month, too long to show hour by hour: they "
            "are shown per day. Narrow the dates to see hours."
        ))  # fmt: skip
    fmt = "%d.%m %H:00" if unit == "hour" else "%d.%m.%Y"
    chart = column_chart(
        [Bar(b.strftime(fmt), n, f"{b.strftime(fmt)}: {n}") for b, n in buckets],
        _("Incidents per hour") if unit == "hour" else _("Incidents per day"),
    )
    return {
        "by": unit, "chart": chart, "notes": notes,
        "chronology": incidents.order_by("start", "id")[:200],
    }  # fmt: skip


@register_view
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    incident = selectors.incident_get_for(user, pk)
    acts = list(
        selectors.acts_for(user, incident_id=incident.pk).prefetch_related("injuries", "methods")
    )
    victims = list({act.victim_id: act.victim for act in acts}.values())
    context = {
        "incident": incident,
        "acts": acts,
        "victims": victims,
        "witnesses": selectors.persons_for(user).filter(witnessed=incident),
        "sources": selectors.sources_for(user).filter(incidents=incident),
        "evidence": evidence_for(user).filter(incidents=incident).order_by("id"),
        "violation_types": incident.violation_types.all(),
        "can_write": incident.compartment_id in writable_compartment_ids(user),
        **incident_map_context(user, incident),
    }
    return render(request, "web/incidents/detail.html", context)


def _incident_data(form: IncidentForm, *, external_id: str | None) -> services.IncidentData:
    d = form.cleaned_data
    return services.IncidentData(
        compartment_id=d["compartment"], title=d["title"], description=d["description"],
        start=d["start"], end=d["end"], precision=d["precision"], place_name=d["place_name"],
        latitude=d["latitude"], longitude=d["longitude"], radius_m=d["radius_m"],
        violation_types=tuple(d["violation_types"]), status=d["status"],
        verification=d["verification"], confidentiality=d["confidentiality"],
        source_ids=tuple(d["sources"]), witness_ids=tuple(d["witnesses"]),
        external_id=external_id,
    )  # fmt: skip


@register_view
def incident_create(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not writable_compartment_ids(user):
        return forbidden(request, _("Your role does not allow creating records."))
    form = IncidentForm(posted(request), user=user)
    if form.is_bound and form.is_valid():
        data = _incident_data(form, external_id=None)
        incident = attempt(form, lambda: services.incident_create(actor=user, data=data), ALIASES)
        if incident is not None:
            messages.success(request, _("Incident saved."))
            return redirect("web:incident_detail", pk=incident.pk)
    return form_page(
        request, form, title=_("New incident"), cancel_url=reverse("web:incident_list")
    )


@register_view
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    incident: Incident = selectors.incident_get_for(user, pk)
    if incident.compartment_id not in writable_compartment_ids(user):
        return forbidden_write(request)
    initial = initial_of(incident, FORM_FIELDS)
    initial["violation_types"] = [t.code for t in incident.violation_types.all()]
    initial["sources"] = list(
        selectors.sources_for(user).filter(incidents=incident).values_list("pk", flat=True)
    )
    initial["witnesses"] = list(
        selectors.persons_for(user).filter(witnessed=incident).values_list("pseudonym", flat=True)
    )
    form = IncidentForm(posted(request), initial=initial, user=user)
    if form.is_bound and form.is_valid():
        data = _incident_data(form, external_id=incident.external_id)
        saved = attempt(
            form,
            lambda: services.incident_update(actor=user, incident=incident, data=data),
            ALIASES,
        )
        if saved is not None:
            messages.success(request, _("Incident saved."))
            return redirect("web:incident_detail", pk=saved.pk)
    return form_page(
        request, form, title=_("Edit incident"), record=incident,
        cancel_url=reverse("web:incident_detail", kwargs={"pk": incident.pk}),
    )  # fmt: skip
