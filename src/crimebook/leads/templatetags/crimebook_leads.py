"""``{% leads_section incident=… %}`` / ``item=…`` / ``unit=…`` / ``communication=…``: the
leads of one record on its page, read through the leads selector for the signed-in user
(never filtered here)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from crimebook.accounts.access import readable_compartment_ids
from crimebook.leads import selectors, services

register = template.Library()
SHOWN = 10


@register.inclusion_tag("leads/_section.html", takes_context=True)
def leads_section(
    context: dict[str, Any],
    *,
    incident: Any = None,
    item: Any = None,
    unit: Any = None,
    communication: Any = None,
) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    filters = selectors.LeadFilter(
        incident_id=getattr(incident, "pk", None),
        item_id=getattr(item, "pk", None),
        unit_id=getattr(unit, "pk", None),
        communication_id=getattr(communication, "pk", None),
    )
    leads = selectors.leads_for(user, filters)
    query: dict[str, int | str] = {
        k: v
        for k, v in (
            ("incident", filters.incident_id),
            ("item", filters.item_id),
            ("unit", filters.unit_id),
            ("communication", filters.communication_id),
        )
        if v is not None
    }
    query["status"] = ""
    return {
        "request": request,
        "leads": list(leads[:SHOWN]),
        "total": leads.count(),
        "queue_url": f"{reverse('web:lead_list')}?{urlencode(query)}",
        "reviewable": {c for c in readable_compartment_ids(user) if services.can_review(user, c)},
        "csrf_token": context.get("csrf_token"),
    }
