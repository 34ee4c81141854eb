"""The headline figure: incidents of torture or major injury between 9 and 21 August 2020
(Minsk days), each counted once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crimebook.register.models import Incident
from crimebook.register.stats import torture_window
from tests import factories as f

pytestmark = pytest.mark.django_db


def _at(compartment: Any, title: str, start: datetime, types: tuple[str, ...]) -> Any:
    return f.incident(
        compartment, title=title, start=start, end=start + timedelta(minutes=30),
        violation_types=types,
    )  # fmt: skip


def test_the_window_counts_each_incident_of_torture_or_injury_once(compartment: Any) -> None:
    victim = f.person(compartment)
    first_minute = datetime(2020, 8, 8, 21, 0, tzinfo=UTC)  # 9 Aug 00:00 in Minsk
    last_minute = datetime(2020, 8, 21, 20, 59, tzinfo=UTC)  # 21 Aug 23:59 in Minsk
    counted = {
        _at(compartment, "typed", datetime(2020, 8, 10, 19, 0, tzinfo=UTC), ("torture",)),
        _at(compartment, "two types", first_minute, ("torture", "ill_treatment")),
        _at(compartment, "last minute", last_minute, ("excessive_force",)),
    }
    injured = _at(compartment, "injured", datetime(2020, 8, 12, 1, 0, tzinfo=UTC), ())
    f.act(injured, victim, injuries=("fracture",))
    f.act(injured, victim, injuries=("fracture",))  # two injured acts: still one incident
    typed_and_injured = _at(
        compartment, "both", datetime(2020, 8, 11, 1, 0, tzinfo=UTC), ("torture",)
    )
    f.act(typed_and_injured, victim, injuries=("fracture",))
    counted |= {injured, typed_and_injured}
    # not counted: before, after, another type, an act without injury
    _at(compartment, "before", first_minute - timedelta(minutes=1), ("torture",))
    _at(compartment, "after", last_minute + timedelta(minutes=1), ("torture",))
    _at(
        compartment,
        "detention only",
        datetime(2020, 8, 10, 9, 0, tzinfo=UTC),
        ("arbitrary_detention",),
    )
    uninjured = _at(compartment, "no injury", datetime(2020, 8, 10, 9, 0, tzinfo=UTC), ())
    f.act(uninjured, victim)

    window = torture_window(Incident.objects.filter(compartment=compartment))
    assert sorted(window.values_list("title", flat=True)) == sorted(i.title for i in counted)
    assert window.count() == len(counted)
