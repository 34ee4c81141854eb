"""Template filters for register values, and the workspace layout's language menu:
``{% load crimebook_web %}``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import cache
from typing import Any

from django import template
from django.db.models import Model
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from crimebook.audit.labels import action_label, actor_label
from crimebook.register.models import Incident
from crimebook.web import context, display
from crimebook.web.escaping import conditional_escape as _escaped

register = template.Library()


@cache
def _choice_labels(model: type[Model], name: str) -> dict[Any, Any]:
    """value → (lazy) label of a field's fixed choices, once per process: Django's
    ``get_<field>_display`` rebuilds this mapping on every call."""
    field = model._meta.get_field(name)
    return dict(getattr(field, "flatchoices", ()))


def _labels_now(model: type[Model], name: str) -> dict[Any, str]:
    """value → label in the current language (for many records: :func:`choice` once)."""
    return {value: str(label) for value, label in _choice_labels(model, name).items()}


@register.filter
def choice(record: Model, name: str) -> str:
    """``{{ incident|choice:"status" }}``: as ``incident.get_status_display`` (the label in
    the current language; an unknown value is shown as it is)."""
    value = getattr(record, name)
    label = _choice_labels(type(record), name).get(value, value)
    return str(label)


@register.filter
def audit_action(code: str) -> str:
    """``{{ entry.action|audit_action }}``: the audit action's label in the current language
    (``audit/labels.py``; an unknown code as itself)."""
    return action_label(code)


@register.filter
def audit_actor(name: str) -> str:
    """``{{ entry.actor_name|audit_actor }}``: "system" translated, a username as it is."""
    return actor_label(name)


@register.filter
def window(record: Any) -> str:
    """``{{ incident|window }}``: time window in local time, with zone and precision."""
    return display.window_text(record)


@register.filter
def place(record: Any) -> str:
    """``{{ incident|place }}``: place name and point "± radius m"."""
    return display.place_text(record)


@register.filter
def period(record: Any, names: str = "start,end") -> str:
    """``{{ post|period }}`` or ``{{ unit|period:"valid_from,valid_to" }}``."""
    first, last = names.split(",", 1)
    start: date | None = getattr(record, first, None)
    end: date | None = getattr(record, last, None)
    return display.period_text(start, end)


@register.filter
def roles(person: Any) -> str:
    """``{{ person|roles }}``: translated role labels."""
    return display.roles_text(person)


@register.filter
def window_short(record: Any) -> str:
    """``{{ incident|window_short }}``: the window alone, for tables."""
    return display.format_window(record.start, record.end, record.precision)


_PK = 2147483647  # a key no record has: its digits mark where a key goes in a reversed URL


def _record_urls(name: str) -> Callable[[Any], str]:
    """``pk → reverse(name, args=[pk])`` for an ``<int:pk>`` route, reversed once per call
    (the int converter writes a key as its digits, which need no quoting)."""
    before, after = reverse(name, args=[_PK]).split(str(_PK))
    return lambda pk: f"{before}{int(pk)}{after}"


@register.simple_tag
def incident_rows(incidents: Iterable[Any]) -> SafeString:
    """``{% incident_rows page_obj %}``: the incident list's table rows, written here rather
    than by a template loop (ten tags per row, fifty rows: the most expensive part of the
    page). The same HTML as the template did, every value escaped as it would have been;
    ``tests/web/test_list_rows.py`` compares the two. Incidents need their
    ``violation_type_labels`` (``views.incidents.attach_violation_type_labels``)."""
    url = _record_urls("web:incident_detail")
    place_of = display.PlaceWriter()
    statuses, verifications = _labels_now(Incident, "status"), _labels_now(Incident, "verification")
    esc = conditional_escape
    rows = []
    for incident in incidents:
        types = ", ".join(esc(label) for label in incident.violation_type_labels)
        status = statuses.get(incident.status, incident.status)
        verification = verifications.get(incident.verification, incident.verification)
        rows.append(
            "<tr>\n"
            f'  <th scope="row"><a href="{esc(url(incident.pk))}">{esc(incident.title)}</a></th>\n'
            f"  <td>{esc(window_short(incident))}</td><td>{esc(place_of(incident))}</td>\n"
            f"  <td>{types}</td>\n"
            f"  <td>{esc(str(status))}</td><td>{esc(str(verification))}</td>\n"
            "</tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag
def language_options() -> SafeString:
    """The language menu's options, the current language selected (``web/base.html``)."""
    return context.language_options()


@register.simple_tag
def date_inputs(form: Any, *names: str) -> SafeString:
    """A ``<p>`` with a label, a date input and the field's errors for each named field of
    ``form`` (the overview's periods): what the template's loop over the fields wrote, with
    about thirty fewer template lookups per page (``tests/web/test_statistics.py``)."""
    out = []
    for name in names:
        field = form[name]
        ident = _escaped(field.id_for_label)
        value = field.value()
        errors = field.errors
        out.append(
            f'<p><label for="{ident}">{_escaped(field.label)}</label><input type="date" '
            f'name="{_escaped(field.html_name)}" id="{ident}" '
            f'value="{_escaped("" if value is None else value)}">'
            f"{_escaped(errors) if errors else ''}</p>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above
