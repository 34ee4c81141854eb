"""Aggregate figures for the statistics on the overview and unit pages. Every query starts
from a selector, so counts never include records outside the user's compartments."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Max, Min, QuerySet

from crimebook.accounts.access import readable_compartment_ids
from crimebook.register import selectors
from crimebook.register.attrition import Decline, Headcount, decline_between, dismissals_by_month
from crimebook.register.localtime import local_counts
from crimebook.register.models import Incident, Unit

MINSK = ZoneInfo("Europe/Minsk")
MAX_DAYS = 366


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=MINSK)


def first_incident_day(user: Any) -> date | None:
    first = selectors.incidents_for(user).aggregate(first=Min("start"))["first"]
    return first.astimezone(MINSK).date() if first else None


def incidents_by_day(user: Any, start: date, end: date) -> list[tuple[date, int]]:
    """Incidents per local day (by the start of their window), every day in range listed."""
    end = min(end, start + timedelta(days=MAX_DAYS))
    within = selectors.incidents_for(user).filter(
        start__gte=_day_start(start), start__lt=_day_start(end + timedelta(days=1))
    )
    counts = {day.date(): n for day, n in local_counts(within, "start", "day", MINSK).items()}
    return [
        (start + timedelta(days=i), counts.get(start + timedelta(days=i), 0))
        for i in range((end - start).days + 1)
    ]


def incidents_by_violation_type(user: Any) -> list[tuple[str, int]]:
    rows = (
        selectors.incidents_for(user)
        .values("violation_types__code", "violation_types__label_en")
        .annotate(n=Count("id"))
        .exclude(violation_types__code=None)
        .order_by("-n")
    )
    labels = {t.code: t.label for t in selectors.terms_of("violation_type")}
    return [
        (labels.get(r["violation_types__code"], r["violation_types__code"]), r["n"]) for r in rows
    ]


def incidents_by_place(user: Any, limit: int = 12) -> list[tuple[str, int]]:
    rows = (
        selectors.incidents_for(user)
        .exclude(place_name="")
        .values("place_name")
        .annotate(n=Count("id"))
        .order_by("-n", "place_name")[:limit]
    )
    return [(r["place_name"], r["n"]) for r in rows]


def acts_by_detention_place(user: Any) -> list[tuple[str, int]]:
    rows = (
        selectors.acts_for(user)
        .exclude(detention_place=None)
        .values("detention_place__code")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    labels = {t.code: t.label for t in selectors.terms_of("detention_place")}
    return [
        (labels.get(r["detention_place__code"], r["detention_place__code"]), r["n"]) for r in rows
    ]


@dataclass(frozen=True)
class UnitAttrition:
    unit: Unit
    series: list[Headcount]
    decline: Decline | None
    dismissals_monthly: list[tuple[date, int]]


def unit_attrition(user: Any, unit: Unit, start: date, end: date) -> UnitAttrition:
    series = [
        Headcount(r.on, r.headcount, f"{r.source.title} ({r.source.grade})")
        for r in selectors.staffing_for(user, unit_id=unit.pk)
    ]
    dismissals = dismissals_by_month(
        (d.on, d.count) for d in selectors.dismissals_for(user, unit_id=unit.pk)
    )
    return UnitAttrition(unit, series, decline_between(series, start, end), dismissals)


# The overview's staffing read, compiled from the selector's query once per database and set
# of readable compartments (the only input of ``visible_to``): building the query cost about
# 0.3 ms, running it a few microseconds, on every overview (also when it finds nothing).
# ``tests/web/test_statistics.py`` holds it equal to the selector's SQL.
_STAFFING_SQL: dict[tuple[str, frozenset[int]], tuple[str, tuple[Any, ...]]] = {}
_STAFFING_SQL_KEPT = 256  # sets of compartments: one per distinct membership, forgotten beyond


def _staffing_query(user: Any) -> QuerySet[Any]:
    """The columns the overview needs of the staffing records ``user`` may read."""
    return selectors.staffing_for(user).values_list(
        "unit_id", "on", "headcount", "source__title", "source__reliability",
        "source__credibility",
    )  # fmt: skip


def _staffing_rows(user: Any) -> list[tuple[Any, ...]]:
    ids = readable_compartment_ids(user)
    if not ids:  # visible_to: nothing
        return []
    key = (connection.alias, frozenset(ids))
    compiled = _STAFFING_SQL.get(key)
    if compiled is None:
        if len(_STAFFING_SQL) >= _STAFFING_SQL_KEPT:
            _STAFFING_SQL.clear()
        compiled = _STAFFING_SQL[key] = _staffing_query(user).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(*compiled)
        return list(cursor.fetchall())


def attrition_overview(user: Any, start: date, end: date) -> list[UnitAttrition]:
    """Every unit with staffing records the user can see, largest decline first."""
    by_unit: dict[int, list[Headcount]] = defaultdict(list)
    # the columns it needs, then the units it names (the query with both related rows
    # selected took longer to build than to run, also when it found nothing)
    for unit_id, on, headcount, title, reliability, credibility in _staffing_rows(user):
        # the source as "title (grade)", Source.grade being reliability + credibility
        by_unit[unit_id].append(Headcount(on, headcount, f"{title} ({reliability}{credibility})"))
    if not by_unit:
        return []
    units: dict[int, Unit] = selectors.units_for(user).in_bulk(list(by_unit))
    rows = [
        UnitAttrition(units[uid], s, decline_between(s, start, end), [])
        for uid, s in by_unit.items()
    ]
    return sorted(rows, key=lambda a: -(a.decline.percent if a.decline else -1.0))


MAX_BUCKETS = 744  # a month of hours, or two years of days


def incidents_over_time(
    incidents: QuerySet[Incident], by: str
) -> tuple[str, list[tuple[datetime, int]]]:
    """Incidents per local hour or day (by the start of their window), empty buckets
    included. ``incidents`` must come from a selector. Falls back from hours to days when
    the span is too long to read hour by hour; returns the unit actually used."""
    span = incidents.aggregate(first=Min("start"), last=Max("start"))
    if span["first"] is None:
        return by, []
    first, last = span["first"].astimezone(MINSK), span["last"].astimezone(MINSK)
    if by == "hour" and (last - first) > timedelta(hours=MAX_BUCKETS):
        by = "day"
    counts = local_counts(incidents, "start", "hour" if by == "hour" else "day", MINSK)
    step = timedelta(hours=1) if by == "hour" else timedelta(days=1)
    cursor = first.replace(minute=0, second=0, microsecond=0)
    if by == "day":
        cursor = cursor.replace(hour=0)
    buckets: list[tuple[datetime, int]] = []
    while cursor <= last and len(buckets) < MAX_BUCKETS:
        buckets.append((cursor, counts.get(cursor, 0)))
        cursor = (cursor + step).astimezone(MINSK)
    return by, buckets
