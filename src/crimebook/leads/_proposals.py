"""The core's output as proposals: one :class:`_Proposal` per lead before it meets the
stored decisions (evidence pairs, unit and person leads, merge candidates). Private to
:mod:`crimebook.leads.build`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings

from crimebook.correlation import (
    MatchConfig,
    PairTable,
    Rejection,
    explain,
)
from crimebook.correlation import facts as core_facts
from crimebook.correlation import units as core_units
from crimebook.correlation.clusters import ClusterConfig, Report, propose_merges
from crimebook.correlation.explain import format_duration
from crimebook.correlation.geo import format_distance
from crimebook.correlation.model import KINDS


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


def _evidence_proposals(pairs: PairTable, per_incident: int) -> list[_Proposal]:
    """The best ``per_incident`` leads of each kind per incident; the score's components are
    computed for all kept rows at once (the core's arrays), the sentence row by row."""
    out: list[_Proposal] = []
    codes = pairs.kind_code
    for code in np.unique(codes):
        kind = KINDS[int(code)]
        if kind not in ("recording", "media", "communication"):
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
            details: dict[str, Any] = {
                "distance_m": round(distance, 1), "time_gap_s": gap_s,
                "time_overlap_s": overlap_s, "precision_penalty": round(penalty, 4),
            }  # fmt: skip
            if kind == "recording":
                fks: dict[str, int | None] = {
                    "recording_id": evidence_id, "camera_id": int(source_ids[k])
                }  # fmt: skip
                key = f"recording:{evidence_id}"
            elif kind == "communication":
                fks = {"communication_id": evidence_id}
                key = f"communication:{evidence_id}"
            else:
                fks, key = {"item_id": evidence_id}, f"item:{evidence_id}"
            sentence = explain.sentence(
                prepared, int(sub.incident[k]), int(sub.span[k]), distance, sub.cfg
            )
            details["explain"] = core_facts.evidence_facts(  # for other languages: wording.py
                prepared, int(sub.incident[k]), int(sub.span[k]), distance, sub.cfg, penalty
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
            [u.explanation],
            {"level": u.level, "deployed_unit_id": u.deployed_unit_id, "explain": u.facts},
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
            [p.explanation], {"level": p.level, "role": p.role, "explain": p.facts}, p.grade,
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
                 "shared_victims": m.shared_victims,
                 "explain": core_facts.merge_facts(m.b, m.reason_facts)},
                "", {"other_incident_id": m.b},
            )
        )  # fmt: skip
    return out, [*result.skipped, *result.rejected]
