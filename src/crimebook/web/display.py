"""How register values read on a page: time windows in local time with their precision,
places with their uncertainty radius, periods of dates, person roles. All translatable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.utils import formats, numberformat
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from crimebook.register.models import Precision
from crimebook.web.forms._fields import local_zone

ROLE_LABELS = {
    "victim": lambda: _("victim"),
    "witness": lambda: _("witness"),
    "insider": lambda: _("insider"),
    "perpetrator": lambda: _("alleged perpetrator"),
}


def _day(value: date) -> str:
    """``Y-m-d`` as Django's date format writes it (digits only, nothing localised), without
    its per-call format parsing: list pages show this twice per row."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _moment(value: datetime, *, day_only: bool) -> tuple[str, str]:
    local = value.astimezone(local_zone())
    return _day(local.date()), "" if day_only else f"{local.hour:02d}:{local.minute:02d}"


def format_window(start: datetime | None, end: datetime | None, precision: str) -> str:
    """``start``–``end`` in local time; only dates when the precision is a day."""
    if start is None and end is None:
        return _("time unknown")
    day_only = precision == Precision.DAY
    if start is not None and end is not None:
        (d1, t1), (d2, t2) = _moment(start, day_only=day_only), _moment(end, day_only=day_only)
        if d1 == d2:
            if day_only or t1 == t2:
                return f"{d1} {t1}".strip()
            return f"{d1} {t1}–{t2}"
        return f"{d1} {t1}".strip() + " – " + f"{d2} {t2}".strip()
    if start is not None:
        d, t = _moment(start, day_only=day_only)
        return _("from %(moment)s") % {"moment": f"{d} {t}".strip()}
    assert end is not None
    d, t = _moment(end, day_only=day_only)
    return _("until %(moment)s") % {"moment": f"{d} {t}".strip()}


def window_text(record: Any) -> str:
    """A record's time window with the zone and how precisely it was stated."""
    text = format_window(record.start, record.end, record.precision)
    if record.start is None and record.end is None:
        return text
    return _("%(window)s (%(zone)s time; precision: %(precision)s)") % {
        "window": text,
        "zone": local_zone().key,
        "precision": record.get_precision_display(),
    }


def _number(value: float, places: int) -> str:
    return formats.number_format(value, decimal_pos=places)


class PlaceWriter:
    """:func:`place_text` for many records in one language: the number format's separators
    and the translated words are looked up once, not three times per record (a list page
    writes fifty places). The text is the same as ``place_text``'s."""

    def __init__(self) -> None:
        language = get_language()
        self._separators = tuple(
            formats.get_format(name, language, use_l10n=True)
            for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
        )
        self._radius = _("± %(radius)s m")
        self._unknown = _("place unknown")

    def _number(self, value: float, places: int) -> str:
        # formats.number_format(value, decimal_pos=places) with the separators looked up
        decimal, grouping, thousands = self._separators
        return numberformat.format(value, decimal, places, grouping, thousands, use_l10n=True)

    def __call__(self, record: Any) -> str:
        return _place_text(record, self._number, self._radius, self._unknown)


def _place_text(
    record: Any, number: Callable[[float, int], str], radius_text: str, unknown: str
) -> str:
    parts: list[str] = []
    if getattr(record, "place_name", ""):
        parts.append(record.place_name)
    lat, lon = getattr(record, "latitude", None), getattr(record, "longitude", None)
    if lat is not None and lon is not None:
        point = f"{number(lat, 5)}, {number(lon, 5)}"
        radius = getattr(record, "radius_m", None)
        if radius is not None:
            point += " " + radius_text % {"radius": number(radius, 0)}
        parts.append(point)
    return " · ".join(parts) if parts else unknown


def place_text(record: Any) -> str:
    """Place name, then the point and its uncertainty radius: "… 53.90, 27.56 ± 50 m"."""
    return _place_text(record, _number, _("± %(radius)s m"), _("place unknown"))


def period_text(start: date | None, end: date | None) -> str:
    if start is None and end is None:
        return _("dates unknown")
    if start is not None and end is not None:
        return f"{_day(start)} – {_day(end)}"
    if start is not None:
        return _("since %(day)s") % {"day": _day(start)}
    assert end is not None
    return _("until %(day)s") % {"day": _day(end)}


def roles_text(person: Any) -> str:
    labels = [ROLE_LABELS[name]() for name in person.roles if name in ROLE_LABELS]
    return ", ".join(labels) if labels else _("no role recorded")
