"""The overview's snapshot kept current by recounting only the buckets a write touched: after
every kind of register write the totals equal a count from scratch and the live figures."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from crimebook.interchange.formats import csvio
from crimebook.interchange.imports import ImportOptions, records_import
from crimebook.register import rollup_buckets as rb
from crimebook.register import rollups
from crimebook.register import services as s
from crimebook.register.models import Act, Incident, StatsBucket, StatsSnapshot
from crimebook.register.rollups import overview_for
from crimebook.register.stats import register_stats
from tests import factories as f

# --- pure parts -------------------------------------------------------------------------


def test_touched_names_the_buckets_of_incidents_and_acts() -> None:
    entries = [
        ("register.incident", "create", str(3 * rb.BUCKET + 5), {}),
        ("register.act", "update", "7", {"incident": ["1", str(9 * rb.BUCKET)]}),
        ("register.person", "create", "12", {}),  # counted for the whole compartment
        ("register.incident", "delete", str(5 * rb.BUCKET), {}),  # recounted: now without it
    ]
    assert rb.touched(entries, {7: 2 * rb.BUCKET}) == {3, 2, 0, 9, 5}


def test_an_imports_batches_name_their_buckets_and_its_summary_none() -> None:
    batch: dict[str, Any] = {"ids": [[1, 3], [2 * rb.BUCKET, 2 * rb.BUCKET + 1]]}
    entries = [
        ("register.incident", "import", "1..8193", batch),
        ("register.incident", "import", "*", {"created": 5}),  # its rows have entries
    ]
    assert rb.touched(entries, {}) == {0, 2}


@pytest.mark.parametrize(
    "entry",
    [
        ("register.incident", "import", "1..40", {}),  # a batch that does not say
        ("register.incident", "import", "1..40", {"ids": [["1", "40"]]}),
        ("register.incident", "import", "1..9", {"ids": [[1, 10**9]]}),  # too many to list
        ("register.act", "import", "1..40", {"ids": [[1, 40]]}),
        ("register.term", "update", "4", {}),  # a code may be renamed
        ("register.vocabulary", "import", "injury_type", {}),
        ("register.somethingnew", "create", "1", {}),  # unknown: never guessed
        ("register.act", "update", "99", {}),  # an act that is gone
    ],
)
def test_an_entry_that_does_not_name_its_records_means_everything(
    entry: tuple[str, str, str, dict[str, Any]],
) -> None:
    assert rb.touched([entry], {}) is rb.EVERYTHING


def test_combine_replaces_a_buckets_counts_and_drops_zeros() -> None:
    totals = {**rb.empty(), "incidents": 5, "types": {"torture": 4, "arson": 1}}
    old = {**rb.empty(), "incidents": 2, "types": {"torture": 1, "arson": 1}}
    new = {**rb.empty(), "incidents": 3, "types": {"torture": 2, "ill_treatment": 1}}
    out = rb.combine(totals, old, new)
    assert out["incidents"] == 6
    assert out["types"] == {"torture": 5, "ill_treatment": 1}
    assert rb.combine(out, new, old)["types"] == totals["types"]


# --- against the database ---------------------------------------------------------------


@pytest.fixture
def small_buckets(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Buckets of two ids, so a handful of incidents spans several; records every recount."""
    monkeypatch.setattr(rb, "BUCKET", 2)
    calls: list[Any] = []
    real = rb.bucket_counts

    def recording(compartment_id: int, buckets: Any = None) -> Any:
        calls.append(None if buckets is None else sorted(buckets))
        return real(compartment_id, buckets)

    monkeypatch.setattr(rollups, "bucket_counts", recording)
    return calls


def _from_scratch(user: Any) -> rollups.Overview:
    StatsSnapshot.objects.all().delete()
    StatsBucket.objects.all().delete()
    return overview_for(user)


def _same(user: Any) -> None:
    """The incrementally kept overview equals one counted from scratch and the live figures."""
    kept = overview_for(user)
    scratch = _from_scratch(user)
    assert replace(kept, recomputed=0, as_of=None) == replace(scratch, recomputed=0, as_of=None)
    assert kept.figures == register_stats(user)


@pytest.mark.django_db
def test_every_kind_of_write_keeps_the_totals_exact(
    small_buckets: list[Any], investigator: Any, compartment: Any, other_compartment: Any,
    make_user: Any,
) -> None:  # fmt: skip
    both = make_user("analyst", (compartment, other_compartment))
    victim = f.person(compartment, name="Янка Прыдуманы")
    incidents = [
        f.incident(compartment, place_name=f"Place {i % 3}", violation_types=("torture",))
        for i in range(7)
    ]
    f.act(incidents[0], victim, detention_place="okrestina_cip")
    f.incident(other_compartment, place_name="Elsewhere")
    overview_for(both)  # snapshots exist from here on
    small_buckets.clear()

    # a new incident in the window, outside it, at a Minsk day boundary
    late = f.incident(
        compartment,
        start=datetime(2020, 8, 11, 21, 30, tzinfo=UTC),
        end=datetime(2020, 8, 11, 22, 0, tzinfo=UTC),
        place_name="Place 9",
        violation_types=("arbitrary_detention",),
    )
    _same(both)
    assert [b for b in small_buckets[:2] if b is not None], "counted by buckets, not all"

    # an update that changes types, place and day
    small_buckets.clear()
    s.incident_update(
        actor=None,
        incident=incidents[3],
        data=f.incident_data(
            compartment,
            place_name="Place 9",
            start=datetime(2021, 3, 1, 12, 0, tzinfo=UTC),
            end=datetime(2021, 3, 1, 13, 0, tzinfo=UTC),
            violation_types=("ill_treatment", "excessive_force"),
        ),
    )
    overview_for(both)
    assert small_buckets and all(b == [incidents[3].pk // 2] for b in small_buckets)
    _same(both)

    # an incident moved to the other compartment: both compartments' totals follow
    s.incident_update(
        actor=None, incident=incidents[5], data=f.incident_data(other_compartment, title="Moved")
    )
    _same(both)
    assert (
        overview_for(investigator).figures.incidents
        == Incident.objects.filter(compartment=compartment).count()
    )

    # acts: created with an injury, moved to an incident in another bucket
    act = f.act(incidents[1], victim, injuries=("fracture",), detention_place="zhodino_prison_8")
    _same(both)
    s.act_update(
        actor=None,
        act=Act.objects.get(pk=act.pk),
        data=s.ActData(
            incident_id=late.pk, victim_id=victim.pk, act_type="beating", injuries=("fracture",)
        ),
    )
    small_buckets.clear()
    overview_for(both)
    assert sorted({b for call in small_buckets for b in call or []}) == sorted(
        {incidents[1].pk // 2, late.pk // 2}
    )
    _same(both)

    # records counted for the whole compartment
    f.person(compartment, name="Міхась Выдуманы", is_witness=True)
    f.source(compartment, title="Another interview")
    _same(both)


def _bulk_import(compartment: Any, rows: int, start: int = 0) -> None:
    text = "external_id,title,start,place_name,violation_types\r\n" + "".join(
        f"bk-{i},Imported {i},2020-08-1{i % 9}T10:00+03:00,Place {i % 2},torture\r\n"
        for i in range(start, start + rows)
    )
    summary = records_import(
        actor=None, kind="incidents",
        rows=csvio.read_records(io.StringIO(text, newline=""), "incidents"),
        options=ImportOptions(compartment_id=compartment.pk, bulk=True, batch_size=3),
        on_error=lambda row: pytest.fail(f"unexpected error {row}"),
    )  # fmt: skip
    assert summary.created == rows


@pytest.mark.django_db
def test_a_bulk_import_recounts_the_buckets_of_its_batches(
    small_buckets: list[Any], investigator: Any, compartment: Any
) -> None:
    f.incident(compartment)
    overview_for(investigator)
    small_buckets.clear()
    _bulk_import(compartment, 7)
    overview_for(investigator)
    assert len(small_buckets) == 1 and small_buckets[0] is not None
    imported = Incident.objects.filter(external_id__startswith="bk-").values_list("pk", flat=True)
    assert set(small_buckets[0]) == {pk // 2 for pk in imported}
    _same(investigator)


@pytest.mark.django_db
def test_a_vocabulary_entry_counts_every_bucket_again(
    small_buckets: list[Any], investigator: Any, compartment: Any
) -> None:
    from crimebook.audit.services import audit_record

    f.incident(compartment)
    overview_for(investigator)
    small_buckets.clear()
    f.incident(compartment, place_name="Second")
    audit_record(
        actor=None, action="update", object_type="register.term", object_id="4", changes={}
    )
    overview_for(investigator)
    assert small_buckets == [None]
    _same(investigator)


@pytest.mark.django_db
def test_many_writes_since_the_snapshot_count_every_bucket_again(
    small_buckets: list[Any], monkeypatch: pytest.MonkeyPatch, investigator: Any, compartment: Any
) -> None:
    monkeypatch.setattr(rollups, "MAX_ENTRIES", 3)
    f.incident(compartment)
    overview_for(investigator)
    small_buckets.clear()
    for i in range(4):
        f.incident(compartment, place_name=f"Place {i}")
    overview_for(investigator)
    assert small_buckets == [None]
    _same(investigator)
