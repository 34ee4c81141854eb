"""Pure validation rules of the register (no Django): time windows, places, hierarchy.

Each function returns a list of (field, message) problems; an empty list means valid.
Services turn problems into ``ValidationFailed`` before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime


class Message(str):
    """A problem's English text that also keeps its template and parameters, so the Django
    layer can say it in the reader's language (``services._common.raise_problems``); to
    everything else (import reports, the API in English) it is the plain English string."""

    template: str
    params: dict[str, object]

    def __new__(cls, template: str, **params: object) -> Message:
        text = super().__new__(cls, template % params if params else template)
        text.template, text.params = template, params
        return text


Problem = tuple[str, str]


def _when(value: datetime | date) -> str:
    """A time as people write it (to the minute, in its own zone), a date as ISO."""
    return f"{value:%Y-%m-%d %H:%M}" if isinstance(value, datetime) else value.isoformat()


MAX_RADIUS_M = 1_000_000.0  # 1,000 km: beyond that a "place" says nothing


def check_window(
    start: datetime | date | None, end: datetime | date | None, *, what: str = "window"
) -> list[Problem]:
    problems: list[Problem] = []
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, datetime) and value.tzinfo is None:
            problems.append((name, f"The {what} {name} must include a time zone."))
    if problems:
        return problems
    if start is not None and end is not None and end < start:
        template = f"The {what} ends (%(end)s) before it starts (%(start)s)."
        problems.append(("end", Message(template, end=_when(end), start=_when(start))))
    return problems


def check_place(
    latitude: float | None, longitude: float | None, radius_m: float | None
) -> list[Problem]:
    problems: list[Problem] = []
    if (latitude is None) != (longitude is None):
        field = "longitude" if longitude is None else "latitude"
        problems.append((field, Message("Give both latitude and longitude, or neither.")))
    if latitude is not None and not -90.0 <= latitude <= 90.0:
        problems.append(
            ("latitude", Message("Latitude %(value)s is outside -90 … 90.", value=latitude))
        )
    if longitude is not None and not -180.0 <= longitude <= 180.0:
        problems.append(
            ("longitude", Message("Longitude %(value)s is outside -180 … 180.", value=longitude))
        )
    for name, value in (("latitude", latitude), ("longitude", longitude), ("radius_m", radius_m)):
        if value is not None and value != value:  # NaN
            problems.append((name, Message("Not a number.")))
    if radius_m is not None:
        if radius_m < 0:
            problems.append((
                "radius_m",
                Message("The uncertainty radius cannot be negative (%(value)s).", value=radius_m),
            ))  # fmt: skip
        elif radius_m > MAX_RADIUS_M:
            problems.append(("radius_m", Message("The uncertainty radius cannot exceed 1,000 km.")))
    return problems


def creates_cycle(edges: Mapping[int, Iterable[int]], child: int, parent: int) -> bool:
    """Would adding child→parent close a loop? ``edges`` maps a unit to its parents."""
    if child == parent:
        return True
    seen: set[int] = set()
    stack = [parent]
    while stack:
        node = stack.pop()
        if node == child:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(edges.get(node, ()))
    return False


def periods_overlap(
    a_from: date | None, a_to: date | None, b_from: date | None, b_to: date | None
) -> bool:
    """Closed periods, None meaning open-ended."""
    lo_ok = a_to is None or b_from is None or b_from <= a_to
    hi_ok = b_to is None or a_from is None or a_from <= b_to
    return lo_ok and hi_ok


def check_within_lifetime(
    start: date | None,
    end: date | None,
    life_from: date | None,
    life_to: date | None,
    *,
    unit_name: str,
) -> list[Problem]:
    problems: list[Problem] = []
    if life_from is not None and start is not None and start < life_from:
        problems.append(("start", f"{unit_name} did not exist before {life_from}."))
    if life_from is not None and start is None:
        problems.append(("start", f"Give a start date: {unit_name} exists only from {life_from}."))
    if life_to is not None and (end is None or end > life_to):
        problems.append(("end", f"{unit_name} ceased to exist on {life_to}."))
    return problems
