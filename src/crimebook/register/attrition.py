"""Personnel attrition, pure (no Django): figures exactly as sources reported them, and the
analyst's reading of them kept apart (DESIGN §4, issue 7 point 7).

A staffing record is a headcount on a date *as a source gave it*. The decline between two
dates compares the latest record on or before each date and names the sources it rests on;
it never interpolates or invents a figure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from crimebook.register.disclosure import Rule, single


@dataclass(frozen=True)
class Headcount:
    on: date
    headcount: int
    source: str  # the source's title or grade, as shown to the reader


@dataclass(frozen=True)
class Decline:
    start: Headcount
    end: Headcount

    @property
    def lost(self) -> int:
        return self.start.headcount - self.end.headcount

    @property
    def percent(self) -> float:
        return 100.0 * self.lost / self.start.headcount if self.start.headcount else 0.0

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.start.source, self.end.source)))


def latest_on_or_before(series: Sequence[Headcount], day: date) -> Headcount | None:
    """The record that stood on ``day`` (series in any order)."""
    candidates = [h for h in series if h.on <= day]
    return max(candidates, key=lambda h: h.on) if candidates else None


def decline_between(series: Sequence[Headcount], start: date, end: date) -> Decline | None:
    """Headcount change from ``start`` to ``end``; None when either date has no record."""
    if end < start:
        start, end = end, start
    first = latest_on_or_before(series, start)
    last = latest_on_or_before(series, end)
    if first is None or last is None or first == last:
        return None
    return Decline(first, last)


def dismissals_by_month(items: Iterable[tuple[date, int]]) -> list[tuple[date, int]]:
    """[(first day of month, dismissals reported that month)], months in order."""
    months: dict[date, int] = defaultdict(int)
    for day, count in items:
        months[day.replace(day=1)] += count
    return sorted(months.items())


def suppress_small(count: int, threshold: int = 5) -> str:
    """For anything marked for publication: counts below ``threshold`` (but above zero)
    are shown as "<threshold" so that no individual can be singled out. One figure on its
    own; series and tables use :mod:`crimebook.register.disclosure`, which also withholds
    what would let a small count be worked out from a total."""
    return single(count, Rule(threshold)).text
