"""The overview's aggregates of one compartment in buckets of incident ids, so that a write
recounts only the buckets it touched (used by :mod:`crimebook.register.rollups`).

A bucket is the incidents of one compartment whose id falls in ``[k·BUCKET, (k+1)·BUCKET)``,
with their acts. Its counts (incidents, acts, the headline window, local days, types,
places, places of detention) are stored as a :class:`~crimebook.register.models.StatsBucket`;
the compartment's totals are the sum of its buckets. After register writes, the audit
entries since the snapshot name the incidents and acts written (CONVENTIONS 3: every write is
audited), so the new totals are ``totals − old bucket + recounted bucket`` for each touched
bucket: exact, and a few milliseconds instead of a scan of the whole compartment. An entry
that does not name its records (an import's summary, a vocabulary change, an unknown kind)
makes the whole compartment be counted again.

Pure parts (:func:`touched`, :func:`combine`) are separate from the queries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Final

from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, Q, QuerySet
from django.db.models.expressions import CombinedExpression

from crimebook.register.changes import incidents_named
from crimebook.register.localtime import local_counts_by
from crimebook.register.models import Act, Incident
from crimebook.register.statistics import MINSK
from crimebook.register.stats import torture_window_q

__all__ = [
    "BUCKET",
    "EVERYTHING",
    "Counts",
    "Everything",
    "bucket_counts",
    "combine",
    "empty",
    "touched",
]

BUCKET: Final = 4096
MAX_RUN_BUCKETS: Final = 1024  # a run of imported ids spanning more is "everything"
# keys of a bucket's (and a compartment's) counts: scalar figures, then dictionaries
SCALARS: Final = ("incidents", "acts", "torture_and_injury_9_21_aug_2020")
MAPS: Final = ("days", "types", "places", "detention")
Counts = dict[str, Any]

# Register records whose writes change no bucket: their figures (persons, victims, sources,
# deployments, dismissals) are counted for the whole compartment at every refresh, or they
# are not counted at all (units, posts, involvements, staffing records).
COMPARTMENT_LEVEL: Final = frozenset(
    {
        "register.person",
        "register.source",
        "register.deployment",
        "register.dismissal",
        "register.involvement",
        "register.unit",
        "register.unitrelation",
        "register.post",
        "register.staffingrecord",
    }
)


class Everything:
    """The type of :data:`EVERYTHING`: "count every bucket again"."""

    def __repr__(self) -> str:
        return "EVERYTHING"


EVERYTHING: Final = Everything()


def empty() -> Counts:
    return {**dict.fromkeys(SCALARS, 0), **{m: {} for m in MAPS}}


def touched(
    entries: Iterable[tuple[str, str, str, Mapping[str, Any]]],
    act_incidents: Mapping[int, int],
) -> set[int] | Everything:
    """The buckets that audit entries ``(object_type, action, object_id, changes)`` may have
    changed, or :data:`EVERYTHING`. ``act_incidents`` maps the ids of the acts named to their
    incident now; an act moved to another incident also touches its old one (``changes``)."""
    buckets: set[int] = set()
    incident_entries: list[tuple[str, Any, str]] = []
    for object_type, action, object_id, changes in entries:
        if object_type in COMPARTMENT_LEVEL:
            continue
        if object_type == "register.incident":
            incident_entries.append((object_id, changes, action))
            continue
        if object_type != "register.act":
            return EVERYTHING
        if action == "import" and object_id == "*":
            continue  # an import's summary: its rows have their own entries
        if not str(object_id).isdigit() or int(object_id) not in act_incidents:
            return EVERYTHING  # no act named, or an act that is gone: its incident unknown
        named: list[Any] = [act_incidents[int(object_id)]]
        moved = changes.get("incident")
        if isinstance(moved, list):
            named.extend(moved)
        for value in named:
            if not str(value).isdigit():
                return EVERYTHING
            buckets.add(int(value) // BUCKET)
    incidents = incidents_named(incident_entries)
    if incidents is None:
        return EVERYTHING
    ids, ranges = incidents
    buckets.update(pk // BUCKET for pk in ids)
    for first, last in ranges:
        low, high = sorted((first // BUCKET, last // BUCKET))
        if high - low > MAX_RUN_BUCKETS:
            return EVERYTHING
        buckets.update(range(low, high + 1))
    return buckets


def combine(totals: Counts, old: Counts, new: Counts) -> Counts:
    """``totals − old + new``, key by key; keys whose count falls to zero are dropped."""
    out = empty()
    for key in SCALARS:
        out[key] = int(totals.get(key, 0)) - int(old.get(key, 0)) + int(new.get(key, 0))
    for key in MAPS:
        merged: Counter[str] = Counter(totals.get(key, {}))
        merged.subtract(old.get(key, {}))
        merged.update(new.get(key, {}))
        out[key] = {k: n for k, n in merged.items() if n}
    return out


def _bucket_expr(field: str) -> ExpressionWrapper[CombinedExpression]:
    # integer division on both databases (integer operands)
    return ExpressionWrapper(F(field) / BUCKET, output_field=BigIntegerField())


def _ranges(buckets: Iterable[int], field: str) -> Q:
    q = Q()
    for bucket in sorted(buckets):
        q |= Q(**{f"{field}__gte": bucket * BUCKET, f"{field}__lt": (bucket + 1) * BUCKET})
    return q


def bucket_counts(compartment_id: int, buckets: Iterable[int] | None = None) -> dict[int, Counts]:
    """The counts of the compartment's buckets (all when ``buckets`` is None), by grouped
    queries over every wanted bucket at once; a bucket with no incident is absent."""
    incidents: QuerySet[Incident] = Incident.objects.filter(compartment_id=compartment_id)
    acts: QuerySet[Act] = Act.objects.filter(incident__compartment_id=compartment_id)
    if buckets is not None:
        wanted = set(buckets)
        if not wanted:
            return {}
        incidents = incidents.filter(_ranges(wanted, "pk"))
        acts = acts.filter(_ranges(wanted, "incident_id"))
    out: dict[int, Counts] = {}

    def counts(bucket: Any) -> Counts:
        return out.setdefault(int(bucket), empty())

    by_bucket = incidents.annotate(bucket=_bucket_expr("pk"))
    # the headline window as a conditional count beside the total: the id range drives the
    # plan (filtered by the window's dates, SQLite chose the date index: 0.2 s per bucket)
    totals = by_bucket.order_by().values("bucket")
    totals = totals.annotate(n=Count("pk"), w=Count("pk", filter=torture_window_q()))
    for row in totals:
        counts(row["bucket"])["incidents"] = int(row["n"])
        counts(row["bucket"])["torture_and_injury_9_21_aug_2020"] = int(row["w"])
    acts_by_bucket = acts.annotate(bucket=_bucket_expr("incident_id"))
    for row in acts_by_bucket.order_by().values("bucket").annotate(n=Count("pk")):
        counts(row["bucket"])["acts"] = int(row["n"])
    for bucket, days in local_counts_by(by_bucket, "start", "day", MINSK, "bucket").items():
        counts(bucket)["days"] = {str(day.date()): n for day, n in sorted(days.items())}
    types = by_bucket.order_by().values("bucket", "violation_types__code").annotate(n=Count("pk"))
    _fill(types, "violation_types__code", "types", counts)
    places = (
        by_bucket.exclude(place_name="")
        .order_by()
        .values("bucket", "place_name")
        .annotate(n=Count("pk"))
    )
    _fill(places, "place_name", "places", counts)
    detention = (
        acts_by_bucket.exclude(detention_place=None)
        .order_by()
        .values("bucket", "detention_place__code")
        .annotate(n=Count("pk"))
    )
    _fill(detention, "detention_place__code", "detention", counts)
    return out


def _fill(rows: Iterable[Mapping[str, Any]], name: str, key: str, counts: Any) -> None:
    for row in rows:
        if row[name] is not None:
            counts(row["bucket"])[key][str(row[name])] = int(row["n"])
