"""Template context shared by every workspace page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

from crimebook.web import refdata
from crimebook.web.escaping import escape

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


# The navigation's URLs per (URL configuration, script prefix): reversed once per process
# (the URL patterns do not change while it runs; no pattern depends on the language).
_NAV_URLS: dict[tuple[object, str], tuple[str, ...]] = {}


def _nav_urls() -> tuple[str, ...]:
    key = (get_urlconf(), get_script_prefix())
    urls = _NAV_URLS.get(key)
    if urls is None:
        urls = _NAV_URLS[key] = tuple(reverse(name) for _key, name, _label in NAV)
    return urls


def nav_items(request: HttpRequest) -> list[dict[str, Any]]:
    """The main navigation. The item of the current section is ``active``; ``current`` is
    the value for ``aria-current``: "page" on the section's own page, "true" below it."""
    section = current_section(request)
    path = getattr(request, "path", "")
    items = []
    for (key, _name, label), url in zip(NAV, _nav_urls(), strict=True):
        active = key == section
        current = ("page" if path == url else "true") if active else ""
        items.append({"url": url, "label": label, "active": active, "current": current})
    return items


# The navigation's markup per (URL configuration, script prefix, language, current section,
# how it is current): a few dozen strings per process, written once each instead of by the
# template engine on every page (13 items, 4 values each).
_NAV_HTML: dict[tuple[object, str, str, str, str], SafeString] = {}
_LANGUAGE_OPTIONS: dict[str, SafeString] = {}


def nav_html(request: HttpRequest) -> SafeString:
    """:func:`nav_items` as ``<li>`` elements, every value escaped."""
    section = current_section(request)
    path = getattr(request, "path", "")
    current = ""
    for (item, _name, _label), url in zip(NAV, _nav_urls(), strict=True):
        if item == section:
            current = "page" if path == url else "true"
    key = (get_urlconf(), get_script_prefix(), get_language() or "", section, current)
    html = _NAV_HTML.get(key)
    if html is None:
        html = _NAV_HTML[key] = SafeString(  # every value escaped here
            "".join(
                f'<li><a href="{escape(item["url"])}"'
                + (f' aria-current="{escape(item["current"])}"' if item["active"] else "")
                + f">{escape(item['label'])}</a></li>"
                for item in nav_items(request)
            )
        )
    return html


def language_options() -> SafeString:
    """The language menu's ``<option>`` elements (``settings.LANGUAGES``, each in its own
    language), the current language selected: once per language and process."""
    current = get_language() or ""
    html = _LANGUAGE_OPTIONS.get(current)
    if html is None:
        options = []
        for code, _name in settings.LANGUAGES:
            selected = " selected" if code == current else ""
            name = get_language_info(code)["name_local"]
            options.append(f'<option value="{escape(code)}"{selected}>{escape(name)}</option>')
        html = _LANGUAGE_OPTIONS[current] = SafeString("".join(options))  # every value escaped
    return html


def workspace(request: HttpRequest) -> dict[str, Any]:
    """The fictitious-data banner shows whenever the demo compartment exists (a cached
    flag, invalidated by every compartment save: ``web/refdata.py``)."""
    return {
        "demo_data": refdata.demo_data_present(),
        "nav_html": nav_html(request),
    }
