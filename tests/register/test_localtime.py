"""Counting by local day or hour in the database's UTC hours: the counts equal converting
every record's time in Python, also in zones whose offset is not a whole number of hours
(where an hour straddles a local boundary and is counted row by row)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from crimebook.register.localtime import local_counts
from crimebook.register.models import Incident
from tests import factories as f

pytestmark = pytest.mark.django_db

# around local midnights in Minsk (+3), Kathmandu (+5:45), Adelaide (+9:30/+10:30, DST change
# on 4 October 2020) and Minsk's local mean time (+1:50:16, before 1924)
MOMENTS = (
    datetime(2020, 8, 9, 20, 59, 59, tzinfo=UTC),
    datetime(2020, 8, 9, 21, 0, tzinfo=UTC),
    datetime(2020, 8, 9, 21, 30, tzinfo=UTC),
    datetime(2020, 8, 10, 18, 14, 59, 999999, tzinfo=UTC),
    datetime(2020, 8, 10, 18, 15, tzinfo=UTC),
    datetime(2020, 8, 10, 18, 40, tzinfo=UTC),
    datetime(2020, 10, 3, 14, 29, tzinfo=UTC),
    datetime(2020, 10, 3, 14, 31, tzinfo=UTC),
    datetime(2020, 10, 3, 16, 45, tzinfo=UTC),
    datetime(1920, 5, 1, 22, 9, 43, tzinfo=UTC),
    datetime(1920, 5, 1, 22, 9, 44, tzinfo=UTC),
    datetime(1920, 5, 1, 22, 50, tzinfo=UTC),
)
ZONES = ("Europe/Minsk", "Asia/Kathmandu", "Australia/Adelaide", "UTC")


def _expected(moments: Any, zone: ZoneInfo, unit: str) -> Counter[datetime]:
    counts: Counter[datetime] = Counter()
    for moment in moments:
        local = moment.astimezone(zone).replace(minute=0, second=0, microsecond=0)
        counts[local.replace(hour=0) if unit == "day" else local] += 1
    return counts


@pytest.mark.parametrize("unit", ["day", "hour"])
@pytest.mark.parametrize("zone_name", ZONES)
def test_counts_equal_the_per_record_conversion(
    compartment: Any, other_compartment: Any, unit: Any, zone_name: str
) -> None:
    # GIVEN incidents at moments near local boundaries, two of them twice, one elsewhere
    for moment in (*MOMENTS, MOMENTS[1], MOMENTS[4]):
        f.incident(compartment, start=moment, end=moment + timedelta(minutes=5))
    f.incident(other_compartment, start=MOMENTS[0], end=MOMENTS[0] + timedelta(minutes=5))
    zone = ZoneInfo(zone_name)
    records = Incident.objects.filter(compartment=compartment)

    # WHEN they are counted by local day or hour
    counts = local_counts(records, "start", unit, zone)

    # THEN every count equals converting each record's time, and only the queryset counts
    expected = _expected([*MOMENTS, MOMENTS[1], MOMENTS[4]], zone, unit)
    assert counts == dict(expected)
    assert sum(counts.values()) == len(MOMENTS) + 2
    assert all(key.utcoffset() == key.astimezone(zone).utcoffset() for key in counts)


def test_nothing_to_count(compartment: Any) -> None:
    assert local_counts(Incident.objects.none(), "start", "day", ZoneInfo("Europe/Minsk")) == {}
    assert local_counts(Incident.objects.all(), "start", "hour", ZoneInfo("UTC")) == {}
