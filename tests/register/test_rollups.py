"""Statistics snapshots: the overview's figures equal the live counts, are reused while no
register write happened, recomputed after one, and summed only over readable compartments."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

import pytest

from crimebook.register import services as s
from crimebook.register.models import StatsSnapshot
from crimebook.register.rollups import overview_for
from crimebook.register.stats import register_stats
from tests import factories as f

pytestmark = pytest.mark.django_db


def _world(compartment: Any, other_compartment: Any) -> None:
    victim = f.person(compartment)
    first = f.incident(compartment, place_name="Okrestina")
    f.incident(
        compartment,
        start=datetime(2020, 8, 11, 21, 30, tzinfo=UTC),  # 00:30 on 12 August in Minsk
        end=datetime(2020, 8, 11, 22, 0, tzinfo=UTC),
        violation_types=("arbitrary_detention",),
    )
    f.act(first, victim, detention_place="okrestina_cip")
    f.incident(other_compartment, place_name="Secret square")


def test_overview_equals_the_live_figures_and_is_reused(
    investigator: Any, compartment: Any, other_compartment: Any
) -> None:
    _world(compartment, other_compartment)
    overview = overview_for(investigator)
    assert overview.recomputed == 1
    assert overview.figures == register_stats(investigator)
    assert overview.days == {date(2020, 8, 10): 1, date(2020, 8, 12): 1}  # Minsk days
    assert dict(overview.types) == {"torture": 1, "arbitrary_detention": 1}
    assert ("Secret square", 1) not in overview.places
    assert overview.detention == [("okrestina_cip", 1)]

    again = overview_for(investigator)
    assert again.recomputed == 0 and again == dataclasses.replace(overview, recomputed=0)


def test_a_write_makes_the_snapshot_current_again(
    investigator: Any, compartment: Any, other_compartment: Any
) -> None:
    _world(compartment, other_compartment)
    before = overview_for(investigator)
    incident = f.incident(compartment, title="Later report")
    after = overview_for(investigator)
    assert after.recomputed == 1
    assert after.figures.incidents == before.figures.incidents + 1
    s.incident_update(
        actor=None,
        incident=incident,
        data=f.incident_data(compartment, title="Later report", violation_types=("ill_treatment",)),
    )
    assert dict(overview_for(investigator).types)["ill_treatment"] == 1


def test_only_readable_compartments_count(
    investigator: Any, mallory: Any, compartment: Any, other_compartment: Any, make_user: Any
) -> None:
    _world(compartment, other_compartment)
    assert overview_for(mallory).figures.incidents == 1
    assert overview_for(mallory).places == [("Secret square", 1)]
    both = make_user("analyst", (compartment, other_compartment))
    assert overview_for(both).figures.incidents == 3
    outsider = make_user("investigator", ())
    empty = overview_for(outsider)
    assert empty.figures.incidents == 0 and empty.days == {}
    assert StatsSnapshot.objects.visible_to(outsider).count() == 0


def test_the_live_reads_are_the_orm_queries_and_units_are_counted_live(
    investigator: Any, compartment: Any, other_compartment: Any
) -> None:
    from crimebook.register.models import Unit
    from crimebook.register.rollups import _last_write_and_units, last_register_write

    _world(compartment, other_compartment)
    assert _last_write_and_units() == (last_register_write(), Unit.objects.count())
    before = overview_for(investigator).figures.units
    f.unit("live_count_unit")
    assert _last_write_and_units() == (last_register_write(), Unit.objects.count())
    assert overview_for(investigator).figures.units == before + 1
