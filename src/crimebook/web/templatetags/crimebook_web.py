"""Template filters for register values: ``{% load crimebook_web %}``."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from django import template
from django.db.models import Model

from crimebook.web import display

register = template.Library()


@cache
def _choice_labels(model: type[Model], name: str) -> dict[Any, Any]:
    """value → (lazy) label of a field's fixed choices, once per process: Django's
    ``get_<field>_display`` rebuilds this mapping on every call."""
    field = model._meta.get_field(name)
    return dict(getattr(field, "flatchoices", ()))


@register.filter
def choice(record: Model, name: str) -> str:
    """``{{ incident|choice:"status" }}``: as ``incident.get_status_display`` (the label in
    the current language; an unknown value is shown as it is)."""
    value = getattr(record, name)
    label = _choice_labels(type(record), name).get(value, value)
    return str(label)


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
