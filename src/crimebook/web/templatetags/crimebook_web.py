"""Template filters for register values: ``{% load crimebook_web %}``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template

from crimebook.web import display

register = template.Library()


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
