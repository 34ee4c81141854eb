"""Headline counts of the register as a given user may see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from crimebook.register import selectors
from crimebook.register.models import (
    Act,
    Deployment,
    Dismissal,
    Incident,
    Person,
    Source,
    Unit,
)

__all__ = [
    "RegisterStats",
    "figures_compute",
    "register_stats",
    "register_stats_all",
    "torture_window",
    "torture_window_q",
]

MINSK = ZoneInfo("Europe/Minsk")
# The headline figure counts incidents of torture or ill-treatment, or with a recorded injury.
TORTURE_OR_MAJOR_INJURY = (
    "torture",
    "ill_treatment",
    "excessive_force",
    "sexual_violence",
    "killing",
)


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


def torture_window_q() -> Q:
    """The condition of the headline figure: torture or major injury, 9–21 August 2020
    (Minsk days). EXISTS per incident, not joins + DISTINCT: each incident counts once, and
    the incidents' own filters (a compartment, an id range) drive the plan — with joins SQLite
    started from the 700,000 links of the types."""
    typed = Incident.violation_types.through.objects.filter(
        incident_id=OuterRef("pk"), term__code__in=TORTURE_OR_MAJOR_INJURY
    )
    injured = Act.injuries.through.objects.filter(act__incident_id=OuterRef("pk"))
    return Q(
        Q(start__gte=_local_day(date(2020, 8, 9)))
        & Q(start__lte=_local_day(date(2020, 8, 21), end=True))
        & (Q(Exists(typed)) | Q(Exists(injured)))
    )


def torture_window(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """The incidents of the headline figure (see :func:`torture_window_q`)."""
    return incidents.filter(torture_window_q())


def figures_compute(
    incidents: QuerySet[Incident],
    acts: int,
    persons: QuerySet[Person],
    units: int,
    sources: int,
    deployments: int,
    dismissals: QuerySet[Dismissal],
) -> RegisterStats:
    window = torture_window(incidents)
    dismissed = dismissals.aggregate(total=Sum("count"))["total"] or 0
    return RegisterStats(
        incidents=incidents.count(),
        acts=acts,
        persons=persons.count(),
        victims=persons.filter(is_victim=True).count(),
        units=units,
        sources=sources,
        deployments=deployments,
        torture_and_injury_9_21_aug_2020=window.count(),
        dismissals=int(dismissed),
    )


def register_stats(user: Any) -> RegisterStats:
    """Figures over the records ``user`` may see (through the selectors)."""
    return figures_compute(
        selectors.incidents_for(user),
        selectors.acts_for(user).count(),
        selectors.persons_for(user),
        selectors.units_for(user).count(),
        selectors.sources_for(user).count(),
        selectors.deployments_for(user).count(),
        selectors.dismissals_for(user),
    )


def register_stats_all() -> RegisterStats:
    """Figures over the whole register, for the operator's command line only (the operator
    holds the database and the keys; no web page or API route calls this)."""
    return figures_compute(
        Incident.objects.all(),
        Act.objects.count(),
        Person.objects.all(),
        Unit.objects.count(),
        Source.objects.count(),
        Deployment.objects.count(),
        Dismissal.objects.all(),
    )
