"""Headline counts of the register as a given user may see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Sum

from crimebook.register import selectors

MINSK = ZoneInfo("Europe/Minsk")


@dataclass(frozen=True)
class RegisterStats:
    incidents: int
    acts: int
    persons: int
    victims: int
    units: int
    sources: int
    deployments: int
    torture_and_injury_9_21_aug_2020: int
    dismissals: int


def _local_day(d: date, end: bool = False) -> datetime:
    return datetime.combine(d, time.max if end else time.min, tzinfo=MINSK)


def register_stats(user: Any) -> RegisterStats:
    incidents = selectors.incidents_for(user)
    window = incidents.filter(
        start__gte=_local_day(date(2020, 8, 9)),
        start__lte=_local_day(date(2020, 8, 21), end=True),
        violation_types__code__in=["torture", "ill_treatment", "excessive_force"],
    ).distinct()
    dismissed = selectors.dismissals_for(user).aggregate(total=Sum("count"))["total"] or 0
    return RegisterStats(
        incidents=incidents.count(),
        acts=selectors.acts_for(user).count(),
        persons=selectors.persons_for(user).count(),
        victims=selectors.persons_for(user, role="victim").count(),
        units=selectors.units_for(user).count(),
        sources=selectors.sources_for(user).count(),
        deployments=selectors.deployments_for(user).count(),
        torture_and_injury_9_21_aug_2020=window.count(),
        dismissals=int(dismissed),
    )


__all__ = ["RegisterStats", "register_stats"]
