"""The synthetic demo dataset: deterministic, internally consistent, and plausible."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from crimebook.demo import build_dataset
from crimebook.demo.dataset import MINSK_TZ, DemoDataset, headcount_decline, summarize
from crimebook.demo.names import generate_name, transliterate

VIOLATION_TYPES = {
    "torture", "ill_treatment", "arbitrary_detention", "sexual_violence",
    "enforced_disappearance", "killing", "excessive_force", "denial_of_medical_care",
}  # fmt: skip
ACT_TYPES = {
    "beating", "torture", "arbitrary_detention", "sexual_violence", "enforced_disappearance",
    "killing", "stress_position", "threat", "excessive_force", "denial_of_medical_care",
}  # fmt: skip
INJURY_TYPES = {
    "bruising", "fracture", "head_injury", "rubber_bullet_wound", "stun_grenade_burn",
    "laceration", "concussion", "kidney_injury", "psychological_trauma", "gunshot_wound",
    "chemical_burn",
}  # fmt: skip
METHODS = {
    "baton", "kicking", "punching", "stun_grenade", "rubber_bullets", "tear_gas",
    "water_cannon", "electric_shock", "stress_position", "suffocation", "sexual_threat",
    "firearm", "vehicle",
}  # fmt: skip
DETENTION_PLACES = {
    "okrestina_cip", "okrestina_izo", "zhodino_prison_8", "rovd_premises", "police_vehicle",
    "military_unit_3214", "other",
}  # fmt: skip
UNIT_TYPES = {
    "ministry", "directorate", "district_department", "riot_police", "internal_troops",
    "detention_centre", "prison", "security_service", "prosecutor",
}  # fmt: skip
DISTRICTS = {
    "Centralny", "Frunzensky", "Leninsky", "Moskovsky", "Oktyabrsky", "Partizansky",
    "Pervomaisky", "Sovetsky", "Zavodskoy",
}  # fmt: skip
DENYLIST = (
    "lukashenk", "tikhanovsk", "tsikhanousk", "latushk", "talerch", "kolesnikov",
    "kalesnikava", "babarik", "babaryk", "tsepkal", "tsapkal",
    "лукашенк", "тихановск", "цихановск", "латушк", "талерч", "колесников", "бабарик",
    "цепкал",
)  # fmt: skip

AUG_1, NOV_1 = date(2020, 8, 1), date(2020, 11, 1)


@pytest.fixture(scope="module")
def full() -> DemoDataset:
    """The dataset at full scale, built once for the module."""
    return build_dataset()


def _local_day(moment: datetime) -> date:
    return moment.astimezone(MINSK_TZ).date()


def _in_minsk(lat: float, lon: float) -> bool:
    return 53.80 <= lat <= 54.00 and 27.35 <= lon <= 27.75


def _in_zhodzina(lat: float, lon: float) -> bool:
    return 54.05 <= lat <= 54.15 and 28.25 <= lon <= 28.42


def test_same_seed_builds_identical_dataset(full: DemoDataset) -> None:
    # GIVEN the default seed WHEN the dataset is built again THEN it is equal, field by field
    assert build_dataset() == full
    # AND another seed gives other data
    assert build_dataset(seed=7, scale=0.05).incidents != build_dataset(scale=0.05).incidents


_DIGEST = """
import dataclasses, hashlib
from crimebook.demo import build_dataset
d = build_dataset(scale=0.05)
people = tuple(dataclasses.replace(p, roles=tuple(sorted(p.roles))) for p in d.persons)
print(hashlib.sha256(repr(dataclasses.replace(d, persons=people)).encode()).hexdigest())
"""


def test_output_does_not_depend_on_the_interpreters_hash_seed() -> None:
    # GIVEN two interpreters with different string hashing WHEN each builds the dataset
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    digests = {
        subprocess.run(
            [sys.executable, "-c", _DIGEST],
            env={**env, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    # THEN they produce byte-identical data
    assert len(digests) == 1


def test_tiny_scale_is_small_but_usable() -> None:
    tiny = build_dataset(scale=0.02)

    assert 20 <= len(tiny.incidents) <= 60
    assert all(i.acts and i.source_keys for i in tiny.incidents)
    assert tiny.involvements


def test_full_scale_counts(full: DemoDataset) -> None:
    first_days = [i for i in full.incidents if AUG_1 < _local_day(i.start) <= date(2020, 8, 21)]
    acts = [a for i in full.incidents for a in i.acts]
    counts = summarize(full)

    assert len(first_days) >= 1100
    assert all(_local_day(i.start) >= date(2020, 8, 9) for i in full.incidents)
    assert max(_local_day(i.start) for i in full.incidents) >= date(2020, 11, 1)
    assert len(acts) >= 3000
    assert 2.5 <= len(acts) / len(full.incidents) <= 3.5
    assert counts["persons_victim"] >= 3000
    assert 700 <= counts["persons_witness"] <= 1000
    assert 50 <= counts["persons_perpetrator"] <= 70
    assert 120 <= len(full.involvements) <= 180
    assert 350 <= len(full.sources) <= 450
    assert len(full.places) >= 40


def test_most_first_days_incidents_fall_on_the_nights_of_9_to_12_august(
    full: DemoDataset,
) -> None:
    days = Counter(_local_day(i.start) for i in full.incidents)
    early = sum(n for d, n in days.items() if d <= date(2020, 8, 13))

    assert early > sum(days.values()) / 2


def test_references_resolve(full: DemoDataset) -> None:
    persons = {p.key: p for p in full.persons}
    sources = {s.key for s in full.sources}
    places = {p.code for p in full.places}
    units = {u.code for u in full.units}
    acts = {a.key for i in full.incidents for a in i.acts}

    assert len(persons) == len(full.persons)
    assert len(acts) == sum(len(i.acts) for i in full.incidents)
    for incident in full.incidents:
        assert incident.place_code in places
        assert incident.source_keys and set(incident.source_keys) <= sources
        assert all("witness" in persons[k].roles for k in incident.witness_keys)
        assert all("victim" in persons[a.victim_key].roles for a in incident.acts)
    for unit in full.units:
        assert unit.parent_code is None or unit.parent_code in units
    for post in full.posts:
        assert post.unit_code in units and "perpetrator" in persons[post.person_key].roles
        assert post.source_key is None or post.source_key in sources
    for inv in full.involvements:
        assert inv.act_key in acts and "perpetrator" in persons[inv.person_key].roles
        assert inv.source_keys and set(inv.source_keys) <= sources
    for dep in full.deployments:
        assert dep.unit_code in units and dep.place_code in places
        assert dep.source_key in sources
    for staffing in full.staffing:
        assert staffing.unit_code in units and staffing.source_key in sources
    for dismissal in full.dismissals:
        assert dismissal.unit_code in units and dismissal.source_key in sources


def test_involvements_fall_within_the_persons_posts(full: DemoDataset) -> None:
    day_of_act = {a.key: _local_day(i.start) for i in full.incidents for a in i.acts}

    for inv in full.involvements:
        day = day_of_act[inv.act_key]
        assert any(
            p.person_key == inv.person_key and p.start <= day and (p.end is None or day <= p.end)
            for p in full.posts
        )


def test_sources_were_received_after_what_they_report(full: DemoDataset) -> None:
    received = {s.key: s.received_on for s in full.sources}

    for incident in full.incidents:
        assert all(received[k] >= _local_day(incident.end) for k in incident.source_keys)
    for dep in full.deployments:
        assert received[dep.source_key] >= _local_day(dep.end)
    for staffing in full.staffing:
        assert received[staffing.source_key] >= staffing.on
    for dismissal in full.dismissals:
        assert received[dismissal.source_key] >= dismissal.on


def test_vocabulary_codes(full: DemoDataset) -> None:
    acts = [a for i in full.incidents for a in i.acts]

    assert {v for i in full.incidents for v in i.violation_types} <= VIOLATION_TYPES
    assert {a.act_type for a in acts} <= ACT_TYPES
    assert {x for a in acts for x in a.injuries} == INJURY_TYPES
    assert {x for a in acts for x in a.methods} == METHODS
    assert {a.detention_place for a in acts} - {None} == DETENTION_PLACES
    assert {u.unit_type for u in full.units} == UNIT_TYPES
    assert {p.district for p in full.places} - {"Zhodzina"} == DISTRICTS
    assert {i.precision for i in full.incidents} == {
        "minute", "hour", "day", "part_of_day", "range",
    }  # fmt: skip
    assert {i.status for i in full.incidents} == {"reported", "under_review", "verified", "closed"}
    assert {s.reliability for s in full.sources} <= set("ABCDEF")
    assert all(1 <= s.credibility <= 6 for s in full.sources)
    assert {inv.degree for inv in full.involvements} == {
        "perpetrated", "ordered", "present", "commanded",
    }  # fmt: skip
    assert {inv.confidence for inv in full.involvements} == {"possible", "probable", "confirmed"}
    assert {r for p in full.persons for r in p.roles} == {
        "victim", "witness", "insider", "perpetrator",
    }  # fmt: skip


def test_datetimes_are_aware_utc_and_ordered(full: DemoDataset) -> None:
    windows = [(i.start, i.end) for i in full.incidents]
    windows += [(d.start, d.end) for d in full.deployments]

    for start, end in windows:
        assert start.utcoffset() == timedelta(0) and end.utcoffset() == timedelta(0)
        assert end >= start


def test_evening_windows_are_18_to_24_minsk_time(full: DemoDataset) -> None:
    evenings = [
        i
        for i in full.incidents
        if i.precision == "part_of_day" and i.start.astimezone(MINSK_TZ).hour == 18
    ]

    assert evenings
    assert all(i.start.hour == 15 and i.end - i.start == timedelta(hours=6) for i in evenings)


def test_locations_vary_and_stay_in_minsk(full: DemoDataset) -> None:
    points = [(p.latitude, p.longitude) for p in full.places]
    points += [(u.latitude, u.longitude) for u in full.units]
    points += [(i.latitude, i.longitude) for i in full.incidents]
    points += [(d.latitude, d.longitude) for d in full.deployments]
    radii = {i.radius_m for i in full.incidents}

    assert all(_in_minsk(*p) or _in_zhodzina(*p) for p in points)
    assert sum(_in_zhodzina(*p) for p in points) < len(points) / 10
    assert min(radii) == 25 and max(radii) == 2000


def test_attrition_matches_reported_figures(full: DemoDataset) -> None:
    guvd = headcount_decline(full, "guvd_minsk", AUG_1, NOV_1)
    central = headcount_decline(full, "ruvd_centralny", AUG_1, NOV_1)
    others = [
        headcount_decline(full, u.code, AUG_1, NOV_1)
        for u in full.units
        if u.code not in ("guvd_minsk", "ruvd_centralny")
    ]

    assert guvd == pytest.approx(0.18, abs=0.02)
    assert central == pytest.approx(0.29, abs=0.02)
    assert all(0.025 <= d <= 0.155 for d in others)


def test_staffing_is_start_minus_dismissals_so_far(full: DemoDataset) -> None:
    for unit in full.units:
        records = sorted((s for s in full.staffing if s.unit_code == unit.code), key=lambda s: s.on)
        gone = [d for d in full.dismissals if d.unit_code == unit.code]
        assert [s.on for s in records] == [date(2020, m, 1) for m in range(7, 13)]
        for record in records:
            so_far = sum(d.count for d in gone if d.on < record.on)
            assert record.headcount == records[0].headcount - so_far
    late_august = sum(
        d.count for d in full.dismissals if date(2020, 8, 15) <= d.on <= date(2020, 8, 31)
    )
    assert late_august > 300


def test_deployments_cover_the_first_nights_and_the_sunday_marches(full: DemoDataset) -> None:
    days = {_local_day(d.start) for d in full.deployments}
    units = {d.unit_code for d in full.deployments}

    assert {date(2020, 8, d) for d in range(9, 17)} <= days
    assert {date(2020, 8, 23), date(2020, 9, 6), date(2020, 11, 29)} <= days
    assert {"omon_minsk", "vch_3214", "gubopik", "ruvd_centralny"} <= units


def test_posts_show_commanders_and_changes(full: DemoDataset) -> None:
    per_person = Counter(p.person_key for p in full.posts)

    assert any(p.position.startswith(("Head of", "Commander")) for p in full.posts)
    assert sum(1 for n in per_person.values() if n > 1) >= 3
    assert any(p.end is not None for p in full.posts)


def test_sources_have_mixed_consent(full: DemoDataset) -> None:
    n = len(full.sources)
    investigation = sum(s.consent_investigation for s in full.sources)
    prosecution = sum(s.consent_prosecution for s in full.sources)
    publication = sum(s.consent_publication for s in full.sources)

    assert investigation > 0.8 * n
    assert publication < prosecution < investigation
    assert len({s.kind for s in full.sources}) == 7


def test_no_real_public_figure_appears(full: DemoDataset) -> None:
    texts = [t for p in full.persons for t in (p.full_name, p.full_name_latin)]
    texts += [t for i in full.incidents for t in (i.title, i.description)]
    texts += [s.title for s in full.sources]

    assert not [t for t in texts if any(bad in t.lower() for bad in DENYLIST)]


def test_names_are_generated_cyrillic_with_latin_transliteration() -> None:
    import random

    name = generate_name(random.Random(1), female=True)

    assert name.female
    assert all("А" <= c <= "я" or c in "ё " for c in name.full_name)
    assert name.full_name_latin == transliterate(name.full_name)
    assert transliterate("Щукина Юлия") == "Shchukina Iuliia"
