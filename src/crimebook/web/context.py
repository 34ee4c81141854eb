"""Template context shared by every workspace page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crimebook.accounts.models import Compartment

# (section, list URL name, label). A page belongs to the section its URL name starts with.
NAV = (
    ("home", "web:home", _("Overview")),
    ("search", "web:search_page", _("Search")),
    ("incident", "web:incident_list", _("Incidents")),
    ("map", "web:map_page", _("Map")),
    ("act", "web:act_list", _("Acts")),
    ("person", "web:person_list", _("Persons")),
    ("unit", "web:unit_list", _("Units")),
    ("deployment", "web:deployment_list", _("Deployments")),
    ("source", "web:source_list", _("Sources")),
    ("evidence", "web:evidence_list", _("Evidence")),
    ("case", "web:case_list", _("Cases")),
    ("job", "web:job_list", _("Jobs")),
    ("lead", "web:lead_list", _("Leads")),
)
# Pages whose URL name does not start with their section.
SECTION_OF = {
    "involvement_create": "act",
    "post_create": "person",
    "communication_list": "evidence",
    "communication_detail": "evidence",
}


def current_section(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "web" or not match.url_name:
        return ""
    name = match.url_name
    return SECTION_OF.get(name) or name.split("_", 1)[0]


def nav_items(request: HttpRequest) -> list[dict[str, Any]]:
    """The main navigation. The item of the current section is ``active``; ``current`` is
    the value for ``aria-current``: "page" on the section's own page, "true" below it."""
    section = current_section(request)
    path = getattr(request, "path", "")
    items = []
    for key, url_name, label in NAV:
        url = reverse(url_name)
        active = key == section
        current = ("page" if path == url else "true") if active else ""
        items.append({"url": url, "label": label, "active": active, "current": current})
    return items


def workspace(request: HttpRequest) -> dict[str, Any]:
    """The fictitious-data banner shows whenever the demo compartment exists."""
    demo = Compartment.objects.filter(name__startswith="DEMO").exists()
    return {"demo_data": demo, "nav_items": nav_items(request)}
