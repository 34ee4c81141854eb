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
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, QuerySet

from crimebook.accounts.access import readable_compartment_ids
from crimebook.audit.models import AuditEntry
from crimebook.register.localtime import local_counts
from crimebook.register.models import (
    Act,
    Deployment,
    Dismissal,
    Incident,
    Person,
    Source,
    StatsSnapshot,
    Unit,
)
from crimebook.register.statistics import MINSK
from crimebook.register.stats import RegisterStats, figures_compute

__all__ = ["Overview", "overview_for", "snapshot_compute"]

MAX_PLACES = 500
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


def _counts(rows: Any, key: str) -> dict[str, int]:
    return {str(r[key]): int(r["n"]) for r in rows if r[key] is not None}


def snapshot_compute(compartment_id: int) -> StatsSnapshot:
    """Compute and store the aggregates of one compartment (inside one transaction, so the
    audit position and the figures belong together)."""
    with transaction.atomic():
        seq = last_register_write()
        incidents = Incident.objects.filter(compartment_id=compartment_id)
        acts = Act.objects.filter(incident__compartment_id=compartment_id)
        figures = figures_compute(
            incidents,
            acts.count(),
            Person.objects.filter(compartment_id=compartment_id),
            0,
            Source.objects.filter(compartment_id=compartment_id).count(),
            Deployment.objects.filter(compartment_id=compartment_id).count(),
            Dismissal.objects.filter(compartment_id=compartment_id),
        )
        days = local_counts(incidents, "start", "day", MINSK)
        types = incidents.order_by().values("violation_types__code").annotate(n=Count("id"))
        places = (
            incidents.exclude(place_name="")
            .values("place_name")
            .annotate(n=Count("id"))
            .order_by("-n", "place_name")[:MAX_PLACES]
        )
        detention = (
            acts.exclude(detention_place=None)
            .order_by()
            .values("detention_place__code")
            .annotate(n=Count("id"))
        )
        data = {
            "figures": asdict(figures),
            "days": {str(day.date()): n for day, n in sorted(days.items())},
            "types": _counts(types, "violation_types__code"),
            "places": _counts(places, "place_name"),
            "detention": _counts(detention, "detention_place__code"),
        }
        snapshot, _ = StatsSnapshot.objects.update_or_create(
            compartment_id=compartment_id,
            defaults={"audit_seq": seq, "computed_at": datetime.now(UTC), "data": data},
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
    snapshots = {s.compartment_id: s for s in StatsSnapshot.objects.visible_to(user)}
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
