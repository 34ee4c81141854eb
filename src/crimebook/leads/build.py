"""A correlation run: database rows → the pure core's inputs → stored leads.

Contract (one compartment per run; records of two compartments are never paired):

1. Watermarks are taken first (highest recording, item and deployment ids, the audit head,
   the start time), so anything written while the run works is picked up by the next one.
2. *Full* run (``full=True`` or no earlier finished run): every incident of the compartment
   against every recording, photo/video and deployment, and every pair of incidents.
   *Incremental* run: (A) incidents created or changed since the last run started (or with a
   new act) against everything; (B) all other incidents against evidence that is new since
   then (recordings and deployments by id, photos/videos by id or by an audit entry — e.g.
   metadata extracted later); merge candidates only for pairs with a changed incident.
3. Rows are read with ``values_list`` into the core's arrays and dataclasses; the core's
   ``skipped``/``rejected`` records are kept in the run summary with their reasons.
4. Storing (one transaction, the compartment row locked): a pair already decided — accepted
   or rejected — is left as it is (a rejected pair is never proposed again); a proposed one
   is refreshed; a new one is created; a proposed lead of a re-evaluated incident that the
   engine no longer produces is withdrawn (deleted: it was never decided). One ``correlate``
   audit entry records the run and its counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, get_args

import numpy as np
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import BigIntegerField, Func, Max, Q
from django.utils import timezone

from crimebook.accounts.models import Compartment
from crimebook.audit.models import AuditEntry
from crimebook.audit.services import Actor, audit_record
from crimebook.correlation import (
    CameraTable,
    IncidentTable,
    MatchConfig,
    MediaItem,
    PairTable,
    Rejection,
    SegmentTable,
    correlate,
    explain,
)
from crimebook.correlation import units as core_units
from crimebook.correlation.clusters import ClusterConfig, Report, propose_merges
from crimebook.correlation.config import Precision
from crimebook.correlation.explain import format_duration
from crimebook.correlation.geo import format_distance
from crimebook.correlation.model import KINDS, MISSING_TIME
from crimebook.correlation.model import Deployment as Deployment_
from crimebook.correlation.model import Incident as Incident_
from crimebook.correlation.prepare import prepare_incidents
from crimebook.evidence.models import Camera, EvidenceItem, Recording
from crimebook.leads.models import CorrelationRun, Lead
from crimebook.register.models import Act, Deployment, Incident, PersonIndex, Post, UnitRelation
from crimebook.register.services._common import require_compartment_write

Progress = Callable[[str, int, int], None]
DEFAULT_PER_INCIDENT = 50  # leads of one kind kept per incident and run (best first)
MAX_REASONS_LISTED = 500
MAX_IDS = 5000  # changed incidents / touched items named in one SQL list; beyond: full  # skipped/rejected records listed one by one in a run's summary
OBJECT_TYPE = "leads.correlationrun"


def _noop(stage: str, done: int, total: int) -> None:
    return None


def _epoch(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def _day_start(value: date | None) -> int | None:
    if value is None:
        return None
    return int(datetime.combine(value, time.min, tzinfo=UTC).timestamp())


def _day_end(value: date | None) -> int | None:
    if value is None:
        return None
    return int(datetime.combine(value, time.max, tzinfo=UTC).timestamp())


def match_config() -> MatchConfig:
    """The engine's configuration for runs: defaults, explanations in the workspace's zone."""
    return MatchConfig(display_tz=str(settings.TIME_ZONE))


@dataclass
class _Proposal:
    """One lead as the engine proposes it, before it meets the stored decisions."""

    kind: str
    incident_id: int
    target_key: str
    score: float
    explanation: str
    reasons: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    grade: str = ""
    fks: dict[str, int | None] = field(default_factory=dict)


@dataclass
class _Inputs:
    incidents: IncidentTable
    cameras: CameraTable
    segments: SegmentTable
    media: list[MediaItem]
    deployments: list[Deployment_]

    @property
    def has_evidence(self) -> bool:
        return bool(len(self.segments) or self.media or self.deployments)


# --- reading rows ------------------------------------------------------------------------


def _incident_table(rows: Iterable[tuple[Any, ...]], cfg: MatchConfig) -> IncidentTable:
    ids, starts, ends, lats, lons, radii, tols = [], [], [], [], [], [], []
    for pk, start, end, lat, lon, radius, precision in rows:
        ids.append(pk)
        starts.append(_epoch(start))
        ends.append(_epoch(end))
        lats.append(lat)
        lons.append(lon)
        radii.append(radius)
        tols.append(cfg.tolerance_for(precision))
    return IncidentTable.from_records(
        [Incident_(*row) for row in zip(ids, starts, ends, lats, lons, radii, tols, strict=True)]
    )


INCIDENT_FIELDS = ("id", "start", "end", "latitude", "longitude", "radius_m", "precision")


def _cameras(compartment_id: int) -> CameraTable:
    rows = list(
        Camera.objects.filter(compartment_id=compartment_id)
        .order_by("id")
        .values_list("id", "latitude", "longitude", "fov_radius_m")
    )
    cols: list[Any] = list(zip(*rows, strict=True)) if rows else [[], [], [], []]
    return CameraTable.from_arrays(
        id=np.array(cols[0], dtype=np.int64),
        lat=np.array(cols[1], dtype=np.float64),
        lon=np.array(cols[2], dtype=np.float64),
        fov_radius_m=np.array(cols[3], dtype=np.float64),
    )


class Epoch(Func):
    """Whole seconds since 1970 UTC, computed by the database (no datetime objects built for
    millions of recording rows). SQLite stores UTC text, PostgreSQL ``timestamptz``."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(strftime('%%s', {sql}) AS INTEGER)", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {sql})) AS BIGINT)", params


def _segments(queryset: Any) -> SegmentTable:
    rows = list(
        queryset.order_by("camera_id", "start")
        .annotate(t0=Epoch("start"), t1=Epoch("end"))
        .values_list("id", "camera_id", "t0", "t1")
    )
    table = np.array(rows, dtype=np.int64).reshape(-1, 4)
    return SegmentTable.from_arrays(
        id=table[:, 0], camera_id=table[:, 1], start=table[:, 2], end=table[:, 3]
    )


def media_queryset(compartment_id: int) -> Any:
    """Originals that can show a place and time: photos and videos in the vault."""
    return EvidenceItem.objects.filter(
        compartment_id=compartment_id,
        kind__in=(EvidenceItem.Kind.PHOTO, EvidenceItem.Kind.VIDEO),
        status=EvidenceItem.Status.INGESTED,
        derived_from__isnull=True,
    )


def _media(queryset: Any) -> list[MediaItem]:
    out = []
    for pk, kind, captured, lat, lon, acc, duration, tz_name, inferred in queryset.values_list(
        "id", "kind", "captured_at", "latitude", "longitude", "gps_accuracy_m", "duration_s",
        "tz_name", "tz_inferred",
    ):  # fmt: skip
        tz = "known" if tz_name and not inferred else ("inferred" if tz_name else "unknown")
        out.append(
            MediaItem(
                id=pk, capture_time=_epoch(captured), lat=lat, lon=lon, accuracy_m=acc,
                duration_s=max(0, round(duration)) if duration else 0, tz=tz,  # type: ignore[arg-type]
                is_video=kind == EvidenceItem.Kind.VIDEO,
            )
        )  # fmt: skip
    return out


def _deployments(queryset: Any) -> list[Deployment_]:
    return [
        Deployment_(pk, unit_id, _epoch(start), _epoch(end), lat, lon, radius)
        for pk, unit_id, start, end, lat, lon, radius in queryset.values_list(
            "id", "unit_id", "start", "end", "latitude", "longitude", "radius_m"
        )
    ]


def _structure(compartment_id: int) -> tuple[list[core_units.UnitEdge], list[core_units.Post]]:
    edges = [
        core_units.UnitEdge(child, parent, _day_start(vf), _day_end(vt))
        for child, parent, vf, vt in UnitRelation.objects.values_list(
            "child_id", "parent_id", "valid_from", "valid_to"
        )
    ]
    posts = [
        core_units.Post(pk, person, unit, _day_start(start), _day_end(end), commander,
                        " ".join(x for x in (rank, position) if x))
        for pk, person, unit, start, end, commander, rank, position in Post.objects.filter(
            person__compartment_id=compartment_id
        ).values_list(
            "id", "person_id", "unit_id", "start", "end", "is_commander", "rank", "position"
        )
    ]  # fmt: skip
    return edges, posts


def _reports(compartment_id: int, incident_ids: set[int] | None, cfg: MatchConfig) -> list[Report]:
    """Incidents as the clustering core sees them: window, place, words and victims (one
    opaque token per victim: the smallest of its blind name digests, so two records of the
    same name count as the same victim; the person id when no name is recorded)."""
    qs = Incident.objects.filter(compartment_id=compartment_id)
    if incident_ids is not None:
        qs = qs.filter(pk__in=incident_ids)
    rows = list(qs.values_list(*INCIDENT_FIELDS, "title", "description"))
    ids = [r[0] for r in rows]
    victims: dict[int, set[int]] = defaultdict(set)
    for incident_id, victim_id in Act.objects.filter(incident_id__in=ids).values_list(
        "incident_id", "victim_id"
    ):
        victims[incident_id].add(victim_id)
    people = {p for vs in victims.values() for p in vs}
    digest: dict[int, str] = {}
    for person_id, d in PersonIndex.objects.filter(
        person_id__in=people, kind=PersonIndex.Kind.NAME
    ).values_list("person_id", "digest"):
        if person_id not in digest or d < digest[person_id]:
            digest[person_id] = d
    return [
        Report(
            id=pk, start=_epoch(start), end=_epoch(end), lat=lat, lon=lon, radius_m=radius,
            tolerance_s=cfg.tolerance_for(precision), text=f"{title}\n{description}".strip(),
            victim_digests=frozenset(digest.get(p, f"person:{p}") for p in victims[pk]),
        )
        for pk, start, end, lat, lon, radius, precision, title, description in rows
    ]  # fmt: skip


# --- turning the core's output into proposals ----------------------------------------------


def _evidence_proposals(pairs: PairTable, per_incident: int) -> list[_Proposal]:
    """The best ``per_incident`` leads of each kind per incident; the score's components are
    computed for all kept rows at once (the core's arrays), the sentence row by row."""
    out: list[_Proposal] = []
    codes = pairs.kind_code
    for code in np.unique(codes):
        kind = KINDS[int(code)]
        if kind not in ("recording", "media"):
            continue
        sub = pairs.take(codes == code)
        sub = sub.take(sub.ranked(per_incident))
        prepared = sub.prepared
        gaps, overlaps, penalties = sub.gap_s, sub.overlap_s, sub.penalty
        incident_ids, evidence_ids = sub.incident_id, sub.evidence_id
        source_ids = prepared.sites.source_id[prepared.spans.site[sub.span]]
        for k in range(len(sub)):
            gap_s, overlap_s = int(gaps[k]), int(overlaps[k])
            distance, penalty = float(sub.distance_m[k]), float(penalties[k])
            evidence_id = int(evidence_ids[k])
            when = (
                f"overlapping by {format_duration(overlap_s)}"
                if gap_s == 0
                else f"{format_duration(gap_s)} apart"
            )
            reasons = [
                f"time: {when}",
                f"place: {format_distance(distance)} between the centres",
                f"precision penalty {penalty:.2f}",
            ]
            details = {
                "distance_m": round(distance, 1), "time_gap_s": gap_s,
                "time_overlap_s": overlap_s, "precision_penalty": round(penalty, 4),
            }  # fmt: skip
            if kind == "recording":
                fks: dict[str, int | None] = {
                    "recording_id": evidence_id, "camera_id": int(source_ids[k])
                }  # fmt: skip
                key = f"recording:{evidence_id}"
            else:
                fks, key = {"item_id": evidence_id}, f"item:{evidence_id}"
            sentence = explain.sentence(
                prepared, int(sub.incident[k]), int(sub.span[k]), distance, sub.cfg
            )
            out.append(
                _Proposal(
                    kind,
                    int(incident_ids[k]),
                    key,
                    float(sub.score[k]),
                    sentence,
                    reasons,
                    details,
                    "",
                    fks,
                )
            )
    return out


def _capped(proposals: list[_Proposal], per_incident: int) -> list[_Proposal]:
    by_incident: dict[int, list[_Proposal]] = defaultdict(list)
    for p in proposals:
        by_incident[p.incident_id].append(p)
    out: list[_Proposal] = []
    for items in by_incident.values():
        items.sort(key=lambda p: (-p.score, p.target_key))
        out += items[:per_incident]
    return out


def _unit_proposals(result: core_units.UnitLeads, per_incident: int) -> list[_Proposal]:
    units = [
        _Proposal(
            "unit", u.incident_id, f"unit:{u.unit_id}", u.score, u.explanation,
            [u.explanation], {"level": u.level, "deployed_unit_id": u.deployed_unit_id},
            u.grade, {"unit_id": u.unit_id, "deployment_id": u.deployment_id},
        )
        for u in result.units
    ]  # fmt: skip
    people: dict[tuple[int, int], _Proposal] = {}
    for p in result.people:  # ordered best first within an incident (level, then score)
        key = (p.incident_id, p.person_id)
        if key in people:
            continue
        people[key] = _Proposal(
            "person", p.incident_id, f"person:{p.person_id}", p.score, p.explanation,
            [p.explanation], {"level": p.level, "role": p.role}, p.grade,
            {"person_id": p.person_id, "post_id": p.post_id, "unit_id": p.unit_id,
             "deployment_id": p.deployment_id},
        )  # fmt: skip
    return _capped(units, per_incident) + _capped(list(people.values()), per_incident)


def _merge_proposals(
    reports: list[Report], changed: set[int] | None
) -> tuple[list[_Proposal], list[Rejection]]:
    result = propose_merges(reports, ClusterConfig(match=match_config()))
    out = []
    for m in result.candidates:
        if changed is not None and m.a not in changed and m.b not in changed:
            continue
        out.append(
            _Proposal(
                "merge", m.a, f"incident:{m.b}", m.score,
                f"Possibly the same event as incident {m.b}: " + "; ".join(m.reasons) + ".",
                list(m.reasons),
                {"closeness": round(m.closeness, 4), "text_similarity": round(m.text_similarity, 4),
                 "shared_victims": m.shared_victims},
                "", {"other_incident_id": m.b},
            )
        )  # fmt: skip
    return out, [*result.skipped, *result.rejected]


# --- the run -------------------------------------------------------------------------------


def _watermarks(compartment_id: int) -> dict[str, int]:
    def top(qs: Any) -> int:
        return int(qs.aggregate(m=Max("id"))["m"] or 0)

    return {
        "max_recording_id": top(Recording.objects.filter(compartment_id=compartment_id)),
        "max_item_id": top(EvidenceItem.objects.filter(compartment_id=compartment_id)),
        "max_deployment_id": top(Deployment.objects.filter(compartment_id=compartment_id)),
        "audit_seq": int(AuditEntry.objects.aggregate(m=Max("seq"))["m"] or 0),
    }


def _time_bounds(table: IncidentTable, cfg: MatchConfig) -> tuple[datetime, datetime] | None:
    """A window outside which no evidence can match these incidents (a coarse SQL filter;
    the exact rule is the core's)."""
    starts = table.start[table.start != MISSING_TIME]
    if not len(starts):
        return None
    ends = np.where(table.end == MISSING_TIME, table.start, table.end)
    ends = ends[table.start != MISSING_TIME]
    incident_tol = max(cfg.tolerance_for(p) for p in get_args(Precision))
    evidence_tol = max(
        cfg.recording_tolerance_s,
        cfg.media_tolerance_s + cfg.tz_unknown_extra_s,
        cfg.deployment_tolerance_s,
    )
    slack = incident_tol + evidence_tol + cfg.time_tolerance_s + 60
    lo = datetime.fromtimestamp(int(starts.min()) - slack, tz=UTC)
    hi = datetime.fromtimestamp(int(ends.max()) + slack, tz=UTC)
    return lo, hi


def _note(bucket: dict[tuple[str, int, str], None], items: Iterable[Rejection]) -> None:
    for r in items:
        bucket[(r.kind, r.id, r.reason)] = None


def correlation_run(
    *,
    actor: Actor | None,
    compartment_id: int,
    full: bool = False,
    per_incident: int = DEFAULT_PER_INCIDENT,
    progress: Progress = _noop,
) -> CorrelationRun:
    """Correlate one compartment (see the module's contract) and return the finished run."""
    require_compartment_write(actor, compartment_id)
    if per_incident < 1:
        raise ValueError("per_incident must be at least 1")
    if not Compartment.objects.filter(pk=compartment_id).exists():
        from crimebook.core.errors import NotFound

        raise NotFound("compartment")
    cfg = match_config()
    previous = (
        CorrelationRun.objects.filter(
            compartment_id=compartment_id, status=CorrelationRun.Status.DONE
        )
        .order_by("-started_at", "-id")
        .first()
    )
    is_full = full or previous is None
    marks = _watermarks(compartment_id)
    run = CorrelationRun.objects.create(
        compartment_id=compartment_id, full=is_full,
        actor_id=actor.pk if actor is not None else None,
        started_at=timezone.now(), **marks,
    )  # fmt: skip
    try:
        proposals, evaluated, problems, changed = _evaluate(
            compartment_id, previous if not is_full else None, cfg, per_incident, progress
        )
        if changed is None and not is_full:  # _evaluate fell back to a full run
            is_full = True
            CorrelationRun.objects.filter(pk=run.pk).update(full=True)
            run.full = True
        progress("store", 0, len(proposals))
        counts = _store(run, proposals, changed, is_full)
        progress("store", len(proposals), len(proposals))
    except Exception as exc:
        CorrelationRun.objects.filter(pk=run.pk).update(
            status=CorrelationRun.Status.FAILED, finished_at=timezone.now(),
            summary={"error": type(exc).__name__},
        )  # fmt: skip
        raise
    reasons = Counter(f"{kind}: {reason}" for kind, _, reason in problems)
    listed = [
        {"kind": kind, "id": pk, "reason": reason}
        for kind, pk, reason in list(problems)[:MAX_REASONS_LISTED]
    ]
    summary = {
        "evaluated": evaluated,
        "leads": counts,
        "not_matched": dict(sorted(reasons.items())),
        "not_matched_records": listed,
        "not_matched_total": len(problems),
    }
    with transaction.atomic():
        run.status = CorrelationRun.Status.DONE
        run.finished_at = timezone.now()
        run.summary = summary
        run.save(update_fields=["status", "finished_at", "summary"])
        audit_record(
            actor=actor, action="correlate", object_type=OBJECT_TYPE, object_id=run.pk,
            changes={"compartment": compartment_id, "full": is_full, "evaluated": evaluated,
                     "leads": counts, "not_matched_total": len(problems)},
        )  # fmt: skip
    return run


def _evaluate(
    compartment_id: int,
    previous: CorrelationRun | None,
    cfg: MatchConfig,
    per_incident: int,
    progress: Progress,
) -> tuple[list[_Proposal], dict[str, int], dict[tuple[str, int, str], None], set[int] | None]:
    """Every proposal of this run, what was evaluated, and the records not matched with their
    reasons. ``changed`` is None for a full run (every incident re-evaluated)."""
    incidents = Incident.objects.filter(compartment_id=compartment_id)
    recordings = Recording.objects.filter(compartment_id=compartment_id)
    media = media_queryset(compartment_id)
    deployments = Deployment.objects.filter(compartment_id=compartment_id)
    edges, posts = _structure(compartment_id)
    problems: dict[tuple[str, int, str], None] = {}
    proposals: list[_Proposal] = []
    evaluated: Counter[str] = Counter()

    changed: set[int] | None = None
    passes = [(incidents, recordings, media, deployments)]
    if previous is not None:
        since = previous.started_at
        changed = set(
            incidents.filter(Q(updated_at__gte=since) | Q(acts__created_at__gte=since))
            .values_list("pk", flat=True)
            .distinct()
        )
        touched_items = {
            int(x)
            for x in AuditEntry.objects.filter(
                seq__gt=previous.audit_seq, object_type="evidence.evidenceitem"
            ).values_list("object_id", flat=True)
            if str(x).isdigit()
        }
        new_media = (
            media.filter(Q(pk__gt=previous.max_item_id) | Q(pk__in=touched_items))
            if len(touched_items) <= MAX_IDS
            else media  # too many to name: all of them (a superset, never fewer)
        )
        if len(changed) > MAX_IDS:
            changed = None  # much of the compartment changed: a full run (no slower)
        else:
            passes = [
                (incidents.filter(pk__in=changed), recordings, media, deployments),
                (
                    incidents.exclude(pk__in=changed),
                    recordings.filter(pk__gt=previous.max_recording_id),
                    new_media,
                    deployments.filter(pk__gt=previous.max_deployment_id),
                ),
            ]
    cameras = _cameras(compartment_id)
    for n, (inc_qs, rec_qs, media_qs, dep_qs) in enumerate(passes, 1):
        progress("match", n - 1, len(passes))
        table = _incident_table(inc_qs.values_list(*INCIDENT_FIELDS), cfg)
        if not len(table):
            continue
        _, skipped, rejected = prepare_incidents(table, cfg)
        _note(problems, skipped)
        _note(problems, rejected)
        if changed is not None and n == 1:  # few changed incidents: only evidence near in time
            bounds = _time_bounds(table, cfg)
            if bounds is None:
                rec_qs, media_qs, dep_qs = rec_qs.none(), media_qs.none(), dep_qs.none()
            else:
                lo, hi = bounds
                rec_qs = rec_qs.filter(end__gte=lo, start__lte=hi)
                media_qs = media_qs.filter(captured_at__gte=lo, captured_at__lte=hi)
                dep_qs = dep_qs.filter(Q(end__gte=lo) | Q(end__isnull=True), start__lte=hi)
        inputs = _Inputs(table, cameras, _segments(rec_qs), _media(media_qs),
                         _deployments(dep_qs))  # fmt: skip
        if not inputs.has_evidence:
            continue
        evaluated["incidents"] += len(table)
        evaluated["recordings"] += len(inputs.segments)
        evaluated["media"] += len(inputs.media)
        evaluated["deployments"] += len(inputs.deployments)
        if len(inputs.segments) or inputs.media:
            result = correlate(table, cameras=inputs.cameras, segments=inputs.segments,
                               media=inputs.media, config=cfg)  # fmt: skip
            _note(problems, result.skipped)
            _note(problems, result.rejected)
            proposals += _evidence_proposals(result.pairs, per_incident)
        if inputs.deployments:
            ul = core_units.unit_leads(table, deployments=inputs.deployments, edges=edges,
                                       posts=posts, config=cfg)  # fmt: skip
            _note(problems, ul.skipped)
            _note(problems, ul.rejected)
            proposals += _unit_proposals(ul, per_incident)
    progress("match", len(passes), len(passes))

    # Report ↔ report: every pair (full), or pairs with a changed incident (incremental).
    progress("merge", 0, 1)
    if changed is None:
        reports = _reports(compartment_id, None, cfg)
    elif changed:
        near = set(changed)
        bounds = _time_bounds(
            _incident_table(incidents.filter(pk__in=changed).values_list(*INCIDENT_FIELDS), cfg),
            cfg,
        )
        if bounds is not None:
            lo, hi = bounds
            gap = ClusterConfig().victim_max_gap_s
            near |= set(
                incidents.filter(
                    Q(end__gte=lo - timedelta(seconds=gap))
                    | Q(end__isnull=True, start__gte=lo - timedelta(seconds=gap)),
                    start__lte=hi + timedelta(seconds=gap),
                ).values_list("pk", flat=True)
            )
        reports = _reports(compartment_id, near, cfg)
    else:
        reports = []
    if reports:
        evaluated["reports"] += len(reports)
        merges, merge_problems = _merge_proposals(reports, changed)
        proposals += _capped(merges, per_incident)
        _note(problems, merge_problems)
    progress("merge", 1, 1)
    return proposals, {k: n for k, n in evaluated.items() if n}, problems, changed


def _store(
    run: CorrelationRun, proposals: list[_Proposal], changed: set[int] | None, full: bool
) -> dict[str, int]:
    counts: Counter[str] = Counter()
    wanted = {(p.incident_id, p.target_key): p for p in proposals}
    with transaction.atomic():
        # one run at a time per compartment (SQLite: the IMMEDIATE write lock does this)
        list(Compartment.objects.select_for_update().filter(pk=run.compartment_id))
        stored = Lead.objects.filter(compartment_id=run.compartment_id)
        existing = {
            (inc, key): (pk, status, other)
            for pk, inc, key, status, other in stored.values_list(
                "pk", "incident_id", "target_key", "status", "other_incident_id"
            )
        }
        now = timezone.now()
        creates: list[_Proposal] = []
        updates: list[tuple[int, _Proposal]] = []
        withdraw: list[int] = []
        for key, proposal in wanted.items():
            found = existing.get(key)
            if found is None:
                creates.append(proposal)
            elif found[1] == Lead.Status.PROPOSED:
                updates.append((found[0], proposal))
            else:
                counts[f"kept_{found[1]}"] += 1
        for key, (pk, status, other) in existing.items():
            if key in wanted or status != Lead.Status.PROPOSED:
                continue
            re_evaluated = full or key[0] in (changed or ()) or other in (changed or ())
            if re_evaluated:
                withdraw.append(pk)
        _insert(run, creates, now)
        _update(run, updates, now)
        for chunk in range(0, len(withdraw), 1000):
            Lead.objects.filter(pk__in=withdraw[chunk : chunk + 1000]).delete()
        counts["proposed_new"] = len(creates)
        counts["refreshed"] = len(updates)
        counts["withdrawn"] = len(withdraw)
        for p in creates:
            counts[f"new_{p.kind}"] += 1
    return dict(counts)


_FKS = ("recording_id", "camera_id", "item_id", "other_incident_id", "unit_id", "person_id",
        "post_id", "deployment_id")  # fmt: skip
_INSERT_COLUMNS = ("compartment_id", "kind", "incident_id", "target_key", *_FKS, "score",
                   "grade", "explanation", "reasons", "details", "status", "decision_note",
                   "link", "run_id", "created_at", "updated_at")  # fmt: skip


def _json(name: str, value: Any) -> Any:
    field = Lead._meta.get_field(name)
    assert isinstance(field, models.JSONField)
    return field.get_db_prep_save(value, connection)


def _insert(run: CorrelationRun, proposals: list[_Proposal], now: datetime) -> None:
    """Plain ``executemany`` of backend-adapted values: ``bulk_create`` spent most of a run's
    time preparing model instances (and SQLite's variable limit cut it into tiny batches)."""
    if not proposals:
        return
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(Lead._meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(quote(c) for c in _INSERT_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(_INSERT_COLUMNS))})"
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    empty = _json("link", {})
    rows = [
        (run.compartment_id, p.kind, p.incident_id, p.target_key,
         *(p.fks.get(name) for name in _FKS), p.score, p.grade, p.explanation,
         _json("reasons", p.reasons), _json("details", p.details), Lead.Status.PROPOSED, "",
         empty, run.pk, stamp, stamp)
        for p in proposals
    ]  # fmt: skip
    with connection.cursor() as cursor:
        for chunk in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[chunk : chunk + 5000])


def _update(run: CorrelationRun, updates: list[tuple[int, _Proposal]], now: datetime) -> None:
    """Refresh proposed leads (score, sentence, reasons) by primary key, ``executemany``."""
    if not updates:
        return
    quote = connection.ops.quote_name
    names = ("score", "grade", "explanation", "reasons", "details", "run_id", "updated_at")
    sql = (
        f"UPDATE {quote(Lead._meta.db_table)} SET "  # noqa: S608 - names from the model
        + ", ".join(f"{quote(n)} = %s" for n in names)
        + f" WHERE {quote('id')} = %s AND {quote('status')} = %s"
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    rows = [
        (p.score, p.grade, p.explanation, _json("reasons", p.reasons),
         _json("details", p.details), run.pk, stamp, pk, Lead.Status.PROPOSED)
        for pk, p in updates
    ]  # fmt: skip
    with connection.cursor() as cursor:
        for chunk in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[chunk : chunk + 5000])


def correlation_runs(
    *,
    actor: Actor | None,
    compartment_ids: Iterable[int],
    full: bool = False,
    progress: Progress = _noop,
) -> list[CorrelationRun]:
    """One run per compartment, in turn (never pairing records across them)."""
    return [
        correlation_run(actor=actor, compartment_id=cid, full=full, progress=progress)
        for cid in compartment_ids
    ]
