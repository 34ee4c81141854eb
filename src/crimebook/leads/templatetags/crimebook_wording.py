"""``{{ lead|lead_sentence }}`` and ``{{ lead|lead_reasons }}``: a lead's explanation and
reasons in the active language (``leads.wording``; the stored English when a lead has no
structured form)."""

from __future__ import annotations

from django import template

from crimebook.leads import wording
from crimebook.leads.models import Lead

register = template.Library()


@register.filter
def lead_sentence(lead: Lead) -> str:
    return wording.lead_sentence(lead)


@register.filter
def lead_reasons(lead: Lead) -> list[str]:
    return wording.lead_reasons(lead)
