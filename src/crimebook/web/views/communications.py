"""Communication pages (calls, messages, intercepts: metadata only): a list with filters and
a detail page with the cell area, the pseudonymous parties (and the persons whose contact
digest equals a party's phone digest), the record in the vault, the audit trail and leads."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from crimebook.accounts.access import writable_compartment_ids
from crimebook.audit.selectors import audit_entries_for_object
from crimebook.evidence import selectors
from crimebook.evidence.forms import CommunicationFilterForm
from crimebook.web.views._common import list_page, register_view, user_of

OBJECT_TYPE = "evidence.communication"


@register_view
def communication_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)

    def query(data: dict[str, Any]) -> Any:
        return selectors.communications_for(
            user,
            selectors.CommunicationFilter(
                kind=data["kind"], date_from=data["date_from"], date_to=data["date_to"],
                q=data["q"].strip(), source_id=data["source"], item_id=data["item"],
                near_place=(data["near_lat"], data["near_lon"], data["within_km"])
                if data["within_km"] is not None else None,
            ),
        )  # fmt: skip

    return list_page(
        request, form=CommunicationFilterForm(request.GET, user=user), query=query,
        template="evidence/communication_list.html",
        context={"can_import": bool(writable_compartment_ids(user))},
    )  # fmt: skip


@register_view
def communication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    comm = selectors.communication_get_for(user, pk)
    matches = selectors.communication_party_matches(user, comm)
    context = {
        "comm": comm,
        "matches_a": matches.get("party_a", []),
        "matches_b": matches.get("party_b", []),
        "history": audit_entries_for_object(OBJECT_TYPE, comm.pk).order_by("seq"),
    }
    return render(request, "evidence/communication_detail.html", context)
