"""Statistics snapshots: the overview's aggregates per compartment, computed once and reused.

Counting a million incidents by local day, type and place takes seconds; the overview must
answer in milliseconds. So the aggregates of each compartment are stored as a
:class:`~crimebook.register.models.StatsSnapshot` tagged with the audit chain's position. Every
register write appends an audit entry (CONVENTIONS 3), so "is this snapshot current?" is one
indexed query: has any register write been audited after it? If so (or if there is none yet)
it is computed again before it is shown — figures are never stale or estimated.

Counts are additive across compartments (every record belongs to exactly one), so the figures
a user sees are the sums over the compartments they may read; units are shared reference data
and counted live. Places are kept per compartment up to :data:`MAX_PLACES` (the overview shows
the top 12).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from crimebook.accounts.access import readable_compartment_ids
from crimebook.accounts.models import Compartment
from crimebook.audit.models import AuditEntry
from crimebook.register.models import (
    Act,
    Deployment,
    Dismissal,
    Incident,
    Person,
    Source,
    StatsBucket,
    StatsSnapshot,
    Unit,
)
from crimebook.register.rollup_buckets import (
    EVERYTHING,
    SCALARS,
    Counts,
    Everything,
    bucket_counts,
    combine,
    empty,
    touched,
)
from crimebook.register.stats import RegisterStats, figures_compute

__all__ = ["Overview", "overview_for", "snapshot_compute"]

MAX_PLACES = 500
# beyond this many register writes since a snapshot, or buckets touched by them, every
# bucket is counted again (one grouped scan is then cheaper than the bookkeeping)
MAX_ENTRIES = 2000
MAX_BUCKETS = 64
# audited reads of register records: they change no figure
READ_ACTIONS = ("reveal_identity", "identity_lookup", "export")


def _last_register_write_query() -> QuerySet[AuditEntry, Any]:
    return (
        AuditEntry.objects.filter(object_type__startswith="register.")
        .exclude(action__in=READ_ACTIONS)
        .order_by("-seq")
        .values("seq")[:1]
    )


def last_register_write() -> int:
    seq = _last_register_write_query().values_list("seq", flat=True).first()
    return int(seq or 0)


# The overview's two live reads per request — the newest register write (is each snapshot
# current?) and the number of units — as one statement. Its SQL is compiled from the ORM query
# once per process and database: building the query cost more than running it.
_LIVE_SQL: dict[tuple[str, str], tuple[str, tuple[Any, ...]]] = {}


def _last_write_and_units() -> tuple[int, int]:
    key = (connection.alias, connection.vendor)
    compiled = _LIVE_SQL.get(key)
    if compiled is None:
        sql, params = _last_register_write_query().query.sql_with_params()
        units = connection.ops.quote_name(Unit._meta.db_table)
        # the ORM's own SQL and a quoted table name; the values stay parameters
        statement = f"SELECT ({sql}), (SELECT COUNT(*) FROM {units})"  # noqa: S608
        compiled = _LIVE_SQL[key] = (statement, params)
    with connection.cursor() as cursor:
        cursor.execute(*compiled)
        row = cursor.fetchone()
    return int(row[0] or 0), int(row[1])


def _since(after: int, upto: int) -> set[int] | Everything:
    """The buckets the register writes audited in ``(after, upto]`` may have changed."""
    entries = list(
        AuditEntry.objects.filter(seq__gt=after, seq__lte=upto, object_type__startswith="register.")
        .exclude(action__in=READ_ACTIONS)
        .order_by("seq")
        .values_list("object_type", "action", "object_id", "changes")[: MAX_ENTRIES + 1]
    )
    if len(entries) > MAX_ENTRIES:
        return EVERYTHING
    act_ids = {int(e[2]) for e in entries if e[0] == "register.act" and str(e[2]).isdigit()}
    act_incidents = dict(Act.objects.filter(pk__in=act_ids).values_list("pk", "incident_id"))
    buckets = touched(entries, act_incidents)
    if not isinstance(buckets, set) or len(buckets) > MAX_BUCKETS:
        return EVERYTHING
    return buckets


def _totals(snapshot: StatsSnapshot) -> Counts:
    figures, data = snapshot.data["figures"], snapshot.data
    return {
        **{key: int(figures.get(key, 0)) for key in SCALARS},
        "days": data["days"],
        "types": data["types"],
        "places": snapshot.places_all,
        "detention": data["detention"],
    }


def _recount(compartment_id: int, totals: Counts, buckets: set[int] | Everything) -> Counts:
    """New totals: every bucket counted again (``EVERYTHING``), or ``totals`` with the given
    buckets' old counts replaced by their recount. The stored buckets follow."""
    stored = StatsBucket.objects.filter(compartment_id=compartment_id)
    if not isinstance(buckets, set):
        fresh = bucket_counts(compartment_id)
        stored.delete()
        StatsBucket.objects.bulk_create(
            StatsBucket(compartment_id=compartment_id, bucket=b, data=c) for b, c in fresh.items()
        )
        totals = empty()
        for counts in fresh.values():
            totals = combine(totals, empty(), counts)
        return totals
    old = {b.bucket: b for b in stored.filter(bucket__in=buckets)}
    fresh = bucket_counts(compartment_id, buckets)
    for bucket in sorted(buckets):
        before = old.get(bucket)
        after = fresh.get(bucket)
        totals = combine(totals, before.data if before else empty(), after or empty())
        if after is None:
            if before is not None:
                before.delete()
        elif before is None:
            StatsBucket.objects.create(compartment_id=compartment_id, bucket=bucket, data=after)
        elif before.data != after:
            before.data = after
            before.save(update_fields=["data"])
    return totals


def snapshot_compute(compartment_id: int) -> StatsSnapshot:
    """Bring the compartment's snapshot up to the newest register write, in one transaction
    (so the audit position and the figures belong together): the buckets the writes since
    the snapshot touched are counted again, or every bucket when the writes do not say which
    records they changed (or there is no snapshot yet). Refreshes of one compartment take
    turns (its row is locked on PostgreSQL; SQLite has one writer)."""
    with transaction.atomic():
        list(Compartment.objects.select_for_update().filter(pk=compartment_id).values("pk"))
        seq = last_register_write()
        current = StatsSnapshot.objects.filter(compartment_id=compartment_id).first()
        if current is not None and current.audit_seq >= seq:
            return current  # another request brought it up to date meanwhile
        buckets: set[int] | Everything
        if current is None or current.places_all is None:  # none yet, or stored without
            totals, buckets = empty(), EVERYTHING  # its places (an older version): count all
        else:
            totals, buckets = _totals(current), _since(current.audit_seq, seq)
        totals = _recount(compartment_id, totals, buckets)
        persons = Person.objects.filter(compartment_id=compartment_id)
        figures = figures_compute(
            Incident.objects.none(),  # counted by buckets (below)
            totals["acts"],
            persons,
            0,
            Source.objects.filter(compartment_id=compartment_id).count(),
            Deployment.objects.filter(compartment_id=compartment_id).count(),
            Dismissal.objects.filter(compartment_id=compartment_id),
        )
        figures = replace(
            figures,
            incidents=totals["incidents"],
            torture_and_injury_9_21_aug_2020=totals["torture_and_injury_9_21_aug_2020"],
        )
        places = sorted(totals["places"].items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_PLACES]
        data = {
            "figures": asdict(figures),
            "days": dict(sorted(totals["days"].items())),
            "types": totals["types"],
            "places": dict(places),
            "detention": totals["detention"],
        }
        snapshot, _ = StatsSnapshot.objects.update_or_create(
            compartment_id=compartment_id,
            defaults={
                "audit_seq": seq,
                "computed_at": datetime.now(UTC),
                "data": data,
                "places_all": totals["places"],
            },
        )
    return snapshot


@dataclass(frozen=True)
class Overview:
    figures: RegisterStats
    days: dict[date, int]
    types: list[tuple[str, int]]
    places: list[tuple[str, int]]
    detention: list[tuple[str, int]]
    as_of: datetime | None
    recomputed: int

    def first_day(self) -> date | None:
        return min(self.days) if self.days else None


def _ranked(counts: Counter[str]) -> list[tuple[str, int]]:
    """Largest first, ties by name: the same order whatever order the JSON came back in
    (PostgreSQL's jsonb does not keep the keys' order)."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def overview_for(user: Any) -> Overview:
    """The sums of the current snapshots of every compartment ``user`` may read."""
    ids = readable_compartment_ids(user)
    last, units = _last_write_and_units()
    visible = StatsSnapshot.objects.visible_to(user).defer("places_all")
    snapshots = {s.compartment_id: s for s in visible}
    recomputed = 0
    for cid in sorted(ids):
        current = snapshots.get(cid)
        if current is None or current.audit_seq < last:
            snapshots[cid] = snapshot_compute(cid)
            recomputed += 1
    wanted = [snapshots[cid] for cid in sorted(ids) if cid in snapshots]
    totals: Counter[str] = Counter()
    days: Counter[str] = Counter()
    types: Counter[str] = Counter()
    places: Counter[str] = Counter()
    detention: Counter[str] = Counter()
    for s in wanted:
        totals.update(s.data["figures"])
        days.update(s.data["days"])
        types.update(s.data["types"])
        places.update(s.data["places"])
        detention.update(s.data["detention"])
    totals["units"] = units
    figures = RegisterStats(**{f.name: int(totals.get(f.name, 0)) for f in fields(RegisterStats)})
    return Overview(
        figures=figures,
        days={date.fromisoformat(d): n for d, n in days.items()},
        types=_ranked(types),
        places=_ranked(places),
        detention=_ranked(detention),
        as_of=min((s.computed_at for s in wanted), default=None),
        recomputed=recomputed,
    )
