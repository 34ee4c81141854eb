"""``{% lead_names leads as names %}``, then ``{{ lead|lead_sentence:names }}`` and
``{{ lead|lead_reasons:names }}``: a lead's explanation and reasons in the active language
(``leads.wording``; the stored English when a lead has no structured form), naming the units
and the cameras, photos/videos, communications, persons and incidents the reader may see (one
query per kind of record for the whole list)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from crimebook.leads import wording
from crimebook.leads.models import Lead

register = template.Library()


@register.simple_tag(takes_context=True)
def lead_names(context: dict[str, Any], leads: Iterable[Lead]) -> wording.Names:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return wording.NUMBERS
    return wording.names_for(user, list(leads))


@register.filter
def lead_sentence(lead: Lead, names: wording.Names | None = None) -> str:
    return wording.lead_sentence(lead, names or wording.NUMBERS)


@register.filter
def lead_reasons(lead: Lead, names: wording.Names | None = None) -> list[str]:
    return wording.lead_reasons(lead, names or wording.NUMBERS)
