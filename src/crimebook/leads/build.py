"""A correlation run: database rows → the pure core's inputs → stored leads.

Contract (one compartment per run; records of two compartments are never paired):

1. Watermarks are taken first (highest recording, item, deployment and communication ids,
   the audit head, the start time), so anything written while the run works is picked up by
   the next one.
2. *Full* run (``full=True`` or no earlier finished run): every incident of the compartment
   against every recording, photo/video, communication and deployment, and every pair of
   incidents. *Incremental* run: (A) incidents created or changed since the last run started
   (or with a new act) against everything; (B) all other incidents against evidence that is
   new or changed since then (recordings by id or by a change of their camera — position,
   coverage —, photos/videos by id or by an audit entry — e.g. metadata extracted later —,
   communications by id or ``updated_at``, deployments by id); (C) incidents near a changed
   deployment or a changed post (in time; plus those whose stored unit/person leads rest on
   it) have their unit and person leads re-evaluated against every deployment; merge
   candidates only for pairs with a changed incident.
3. Rows are read with ``values_list`` into the core's arrays and dataclasses; the core's
   ``skipped``/``rejected`` records are kept in the run summary with their reasons.
4. Storing (one transaction, the compartment row locked): a pair already decided — accepted
   or rejected — is left as it is (a rejected pair is never proposed again); a proposed one
   is refreshed; a new one is created; a proposed lead the run re-evaluated (its incident,
   its camera, its communication, or — unit/person — its incident in (C)) that the engine no
   longer produces is withdrawn (deleted: it was never decided). One ``correlate``
   audit entry records the run and its counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, get_args

import numpy as np
from django.db import connection, models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from crimebook.accounts.models import Compartment
from crimebook.audit.models import AuditEntry
from crimebook.audit.services import Actor, audit_record
from crimebook.correlation import (
    CameraTable,
    IncidentTable,
    MatchConfig,
    MediaItem,
    Rejection,
    SegmentTable,
    correlate,
)
from crimebook.correlation import units as core_units
from crimebook.correlation.clusters import ClusterConfig
from crimebook.correlation.config import Precision
from crimebook.correlation.model import MISSING_TIME
from crimebook.correlation.model import Communication as Communication_
from crimebook.correlation.model import Deployment as Deployment_
from crimebook.correlation.prepare import prepare_incidents
from crimebook.evidence.models import Camera, Communication, EvidenceItem, Recording
from crimebook.leads._proposals import (
    _capped,
    _evidence_proposals,
    _merge_proposals,
    _Proposal,
    _unit_proposals,
    match_config,
)
from crimebook.leads._read import (
    INCIDENT_FIELDS,
    _cameras,
    _communications,
    _deployments,
    _incident_table,
    _media,
    _reports,
    _segments,
    _structure,
    media_queryset,
)
from crimebook.leads.models import CorrelationRun, Lead
from crimebook.register.models import Deployment, Incident, Post
from crimebook.register.services._common import require_compartment_write

Progress = Callable[[str, int, int], None]
DEFAULT_PER_INCIDENT = 50  # leads of one kind kept per incident and run (best first)
MAX_REASONS_LISTED = 500
MAX_IDS = 5000  # changed records / touched items named in one SQL list; beyond: a full run
OBJECT_TYPE = "leads.correlationrun"
HIERARCHY_OBJECT_TYPE = "register.unitrelation"  # audit entries of unit_parent_add / _end


def _noop(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class _Inputs:
    incidents: IncidentTable
    cameras: CameraTable
    segments: SegmentTable
    media: list[MediaItem]
    communications: list[Communication_]
    deployments: list[Deployment_]

    @property
    def has_evidence(self) -> bool:
        return bool(len(self.segments) or self.media or self.communications or self.deployments)


@dataclass
class _Pass:
    """Incidents and the evidence they are matched against in one pass of a run; ``near``:
    keep only evidence near the incidents in time (a coarse SQL window; the rule is the
    core's)."""

    incidents: Any
    recordings: Any
    media: Any
    communications: Any
    deployments: Any
    near: bool = False


@dataclass
class _Scope:
    """What an incremental run re-evaluated: a proposed lead inside it that the run no longer
    produces is withdrawn. (A full run re-evaluates everything: no scope.)"""

    incidents: set[int] = field(default_factory=set)  # every kind of lead
    unit_incidents: set[int] = field(default_factory=set)  # their unit and person leads
    cameras: set[int] = field(default_factory=set)  # recording leads of these cameras
    communications: set[int] = field(default_factory=set)  # leads of these communications

    def covers(
        self, kind: str, incident: int, other: int | None, camera: int | None, comm: int | None
    ) -> bool:
        if incident in self.incidents or (other is not None and other in self.incidents):
            return True
        if kind in ("unit", "person") and incident in self.unit_incidents:
            return True
        if kind == "recording" and camera is not None and camera in self.cameras:
            return True
        return kind == "communication" and comm is not None and comm in self.communications


# --- the run -------------------------------------------------------------------------------


def _watermarks(compartment_id: int) -> dict[str, int]:
    def top(qs: Any) -> int:
        return int(qs.aggregate(m=Max("id"))["m"] or 0)

    return {
        "max_recording_id": top(Recording.objects.filter(compartment_id=compartment_id)),
        "max_item_id": top(EvidenceItem.objects.filter(compartment_id=compartment_id)),
        "max_deployment_id": top(Deployment.objects.filter(compartment_id=compartment_id)),
        "max_communication_id": top(Communication.objects.filter(compartment_id=compartment_id)),
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
        cfg.communication_tolerance_s,
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
        proposals, evaluated, problems, scope = _evaluate(
            compartment_id, previous if not is_full else None, cfg, per_incident, progress
        )
        if scope is None and not is_full:  # _evaluate fell back to a full run
            is_full = True
            CorrelationRun.objects.filter(pk=run.pk).update(full=True)
            run.full = True
        progress("store", 0, len(proposals))
        counts = _store(run, proposals, scope)
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
) -> tuple[list[_Proposal], dict[str, int], dict[tuple[str, int, str], None], _Scope | None]:
    """Every proposal of this run, what was evaluated, and the records not matched with their
    reasons. The scope is None for a full run (everything re-evaluated)."""
    incidents = Incident.objects.filter(compartment_id=compartment_id)
    recordings = Recording.objects.filter(compartment_id=compartment_id)
    media = media_queryset(compartment_id)
    communications = Communication.objects.filter(compartment_id=compartment_id)
    deployments = Deployment.objects.filter(compartment_id=compartment_id)
    edges, posts = _structure(compartment_id)
    problems: dict[tuple[str, int, str], None] = {}
    proposals: list[_Proposal] = []
    evaluated: Counter[str] = Counter()

    scope: _Scope | None = None
    passes = [_Pass(incidents, recordings, media, communications, deployments)]
    if previous is not None:
        scope = _incremental_scope(compartment_id, previous, cfg, edges)
    if scope is not None and previous is not None:
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
        new_recordings = recordings.filter(
            Q(pk__gt=previous.max_recording_id) | Q(camera_id__in=scope.cameras)
        )
        new_communications = communications.filter(pk__in=scope.communications)
        changed, units_again = scope.incidents, scope.unit_incidents
        passes = [
            _Pass(incidents.filter(pk__in=changed), recordings, media, communications,
                  deployments, near=True),
            _Pass(incidents.exclude(pk__in=changed | units_again), new_recordings, new_media,
                  new_communications, deployments.filter(pk__gt=previous.max_deployment_id)),
            _Pass(incidents.filter(pk__in=units_again), new_recordings, new_media,
                  new_communications, deployments, near=True),
        ]  # fmt: skip
    cameras = _cameras(compartment_id)
    for n, step in enumerate(passes, 1):
        progress("match", n - 1, len(passes))
        table = _incident_table(step.incidents.values_list(*INCIDENT_FIELDS), cfg)
        if not len(table):
            continue
        _, skipped, rejected = prepare_incidents(table, cfg)
        _note(problems, skipped)
        _note(problems, rejected)
        rec_qs, media_qs, comm_qs, dep_qs = (
            step.recordings, step.media, step.communications, step.deployments
        )  # fmt: skip
        if step.near:  # few incidents: only evidence near them in time
            bounds = _time_bounds(table, cfg)
            if bounds is None:
                rec_qs, media_qs = rec_qs.none(), media_qs.none()
                comm_qs, dep_qs = comm_qs.none(), dep_qs.none()
            else:
                lo, hi = bounds
                rec_qs = rec_qs.filter(end__gte=lo, start__lte=hi)
                media_qs = media_qs.filter(captured_at__gte=lo, captured_at__lte=hi)
                comm_qs = comm_qs.filter(end__gte=lo, start__lte=hi)
                dep_qs = dep_qs.filter(Q(end__gte=lo) | Q(end__isnull=True), start__lte=hi)
        inputs = _Inputs(table, cameras, _segments(rec_qs), _media(media_qs),
                         _communications(comm_qs), _deployments(dep_qs))  # fmt: skip
        if not inputs.has_evidence:
            continue
        evaluated["incidents"] += len(table)
        evaluated["recordings"] += len(inputs.segments)
        evaluated["media"] += len(inputs.media)
        evaluated["communications"] += len(inputs.communications)
        evaluated["deployments"] += len(inputs.deployments)
        if len(inputs.segments) or inputs.media or inputs.communications:
            result = correlate(table, cameras=inputs.cameras, segments=inputs.segments,
                               media=inputs.media, communications=inputs.communications,
                               config=cfg)  # fmt: skip
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
    changed_only = None if scope is None else scope.incidents
    if changed_only is None:
        reports = _reports(compartment_id, None, cfg)
    elif changed_only:
        near = set(changed_only)
        bounds = _time_bounds(
            _incident_table(
                incidents.filter(pk__in=changed_only).values_list(*INCIDENT_FIELDS), cfg
            ),
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
        merges, merge_problems = _merge_proposals(reports, changed_only)
        proposals += _capped(merges, per_incident)
        _note(problems, merge_problems)
    progress("merge", 1, 1)
    return proposals, {k: n for k, n in evaluated.items() if n}, problems, scope


def _incremental_scope(
    compartment_id: int, previous: CorrelationRun, cfg: MatchConfig, edges: list[Any]
) -> _Scope | None:
    """What changed since ``previous`` started; None when so much changed that a full run is
    no slower (more than ``MAX_IDS`` records to name), or when the unit hierarchy changed
    (an audited subordination added or ended since the previous run: it can move a
    commander's reach under any deployment, so every unit and person lead is re-evaluated)."""
    if AuditEntry.objects.filter(
        seq__gt=previous.audit_seq, object_type=HIERARCHY_OBJECT_TYPE
    ).exists():
        return None
    since = previous.started_at
    incidents = Incident.objects.filter(compartment_id=compartment_id)
    changed = set(
        incidents.filter(Q(updated_at__gte=since) | Q(acts__created_at__gte=since))
        .values_list("pk", flat=True)
        .distinct()
    )
    cameras = set(
        Camera.objects.filter(compartment_id=compartment_id, updated_at__gte=since).values_list(
            "pk", flat=True
        )
    )
    communications = set(
        Communication.objects.filter(compartment_id=compartment_id)
        .filter(Q(pk__gt=previous.max_communication_id) | Q(updated_at__gte=since))
        .values_list("pk", flat=True)
    )
    deployments = list(
        Deployment.objects.filter(
            compartment_id=compartment_id,
            pk__lte=previous.max_deployment_id,  # new ones are matched by id in pass (B)
            updated_at__gte=since,
        ).values_list("pk", "start", "end")
    )
    posts = list(
        Post.objects.filter(person__compartment_id=compartment_id, updated_at__gte=since)
        .values_list("pk", "unit_id", "start", "end", "is_commander")
    )  # fmt: skip
    if max(len(changed), len(cameras), len(communications), len(deployments), len(posts)) > (
        MAX_IDS
    ):
        return None
    units_again = _unit_incidents(compartment_id, deployments, posts, edges, cfg) - changed
    if len(units_again) > MAX_IDS:
        return None
    return _Scope(changed, units_again, cameras, communications)


def _unit_incidents(
    compartment_id: int,
    deployments: list[tuple[int, datetime | None, datetime | None]],
    posts: list[tuple[int, int, date | None, date | None, bool]],
    edges: list[Any],
    cfg: MatchConfig,
) -> set[int]:
    """Incidents whose unit and person leads a changed deployment or post can alter: those
    whose stored unit/person leads rest on it (what it said before), and those near in time
    to it (what it says now): for a post, near the deployments of its unit — and, for a
    commander, of the units below it — during the post."""
    if not deployments and not posts:
        return set()
    dep_ids = [pk for pk, _, _ in deployments]
    post_ids = [pk for pk, *_ in posts]
    found = set(
        Lead.objects.filter(compartment_id=compartment_id, kind__in=("unit", "person"))
        .filter(Q(deployment_id__in=dep_ids) | Q(post_id__in=post_ids))
        .values_list("incident_id", flat=True)
    )
    windows = [(start, end or start) for _, start, end in deployments if start is not None]
    children: dict[int, set[int]] = defaultdict(set)
    for edge in edges:
        children[edge.parent].add(edge.child)
    for _, unit, start, end, commander in posts:
        units, frontier = {unit}, {unit}
        for _level in range(4 if commander else 0):  # units.unit_leads looks up 4 levels
            frontier = {c for u in frontier for c in children.get(u, ())} - units
            units |= frontier
        during = Deployment.objects.filter(
            compartment_id=compartment_id, unit_id__in=units, start__isnull=False
        )
        if start is not None:
            lo = datetime.combine(start, time.min, tzinfo=UTC)
            during = during.filter(Q(end__gte=lo) | Q(end__isnull=True, start__gte=lo))
        if end is not None:
            during = during.filter(start__lte=datetime.combine(end, time.max, tzinfo=UTC))
        windows += [(s, e or s) for s, e in during.values_list("start", "end") if s is not None]
    return found | _incidents_near(compartment_id, windows, cfg)


def _incidents_near(
    compartment_id: int, windows: list[tuple[datetime, datetime]], cfg: MatchConfig
) -> set[int]:
    """Incidents whose window ± the largest tolerances meets one of ``windows`` (merged
    first; beyond 100 merged windows, one window from the first start to the last end)."""
    if not windows:
        return set()
    slack = timedelta(
        seconds=max(cfg.tolerance_for(p) for p in get_args(Precision))
        + cfg.deployment_tolerance_s + cfg.time_tolerance_s + 60
    )  # fmt: skip
    merged: list[list[datetime]] = []
    for start, end in sorted(windows):
        if merged and start - slack <= merged[-1][1] + slack:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if len(merged) > 100:
        merged = [[merged[0][0], max(e for _, e in merged)]]
    near = Q()
    for lo, hi in merged:
        near |= Q(start__lte=hi + slack) & (
            Q(end__gte=lo - slack) | Q(end__isnull=True, start__gte=lo - slack)
        )
    return set(
        Incident.objects.filter(compartment_id=compartment_id)
        .filter(near)
        .values_list("pk", flat=True)
    )


def _store(run: CorrelationRun, proposals: list[_Proposal], scope: _Scope | None) -> dict[str, int]:
    counts: Counter[str] = Counter()
    wanted = {(p.incident_id, p.target_key): p for p in proposals}
    with transaction.atomic():
        # one run at a time per compartment (SQLite: the IMMEDIATE write lock does this)
        list(Compartment.objects.select_for_update().filter(pk=run.compartment_id))
        stored = Lead.objects.filter(compartment_id=run.compartment_id)
        existing = {
            (inc, key): (pk, status, kind, other, camera, comm)
            for pk, inc, key, status, kind, other, camera, comm in stored.values_list(
                "pk", "incident_id", "target_key", "status", "kind", "other_incident_id",
                "camera_id", "communication_id",
            )
        }  # fmt: skip
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
        for key, (pk, status, kind, other, camera, comm) in existing.items():
            if key in wanted or status != Lead.Status.PROPOSED:
                continue
            if scope is None or scope.covers(kind, key[0], other, camera, comm):
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


_FKS = ("recording_id", "camera_id", "item_id", "communication_id", "other_incident_id",
        "unit_id", "person_id", "post_id", "deployment_id")  # fmt: skip
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
