"""Incident ↔ unit ↔ person leads: who *could* have been there. Always graded "possible".

1. Units deployed there and then: deployments that match the incident by the same rule as
   any evidence (``correlate``; area centre + radius, window ± tolerances).
2. Commanding units up the hierarchy: parent edges valid at the incident's time (an edge
   counts if its validity overlaps the incident window ± its tolerance), up to ``max_levels``.
3. People: everyone who held a post in a deployed unit during the incident window; in a unit
   above it, only the commanders (command responsibility). A post without an end is held
   until further notice; without a start, since always.

Nothing here is promoted beyond "possible": an analyst grades involvement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from crimebook.correlation.config import MatchConfig
from crimebook.correlation.core import correlate
from crimebook.correlation.facts import Facts, evidence_facts, person_facts, unit_facts
from crimebook.correlation.model import Deployment, IncidentTable, Rejection

Grade = Literal["possible"]


@dataclass(frozen=True, slots=True)
class UnitEdge:
    """``child`` was subordinate to ``parent`` from ``valid_from`` to ``valid_to`` (None: open)."""

    child: int
    parent: int
    valid_from: int | None = None
    valid_to: int | None = None


@dataclass(frozen=True, slots=True)
class Post:
    """``person_id`` held a post in ``unit_id`` from ``start`` to ``end`` (None: open)."""

    id: int
    person_id: int
    unit_id: int
    start: int | None
    end: int | None
    is_commander: bool = False
    title: str = ""


@dataclass(frozen=True, slots=True)
class UnitLead:
    incident_id: int
    unit_id: int
    deployment_id: int
    deployed_unit_id: int
    level: int  # 0: the deployed unit itself; k: k steps up the hierarchy
    score: float
    grade: Grade
    explanation: str
    facts: Facts = field(default_factory=dict, compare=False)  # see ``facts.py``


@dataclass(frozen=True, slots=True)
class PersonLead:
    incident_id: int
    person_id: int
    post_id: int
    unit_id: int
    role: Literal["member", "commander"]
    level: int
    deployment_id: int
    score: float
    grade: Grade
    explanation: str
    facts: Facts = field(default_factory=dict, compare=False)  # see ``facts.py``


@dataclass(frozen=True)
class UnitLeads:
    units: tuple[UnitLead, ...]
    people: tuple[PersonLead, ...]
    skipped: tuple[Rejection, ...] = ()
    rejected: tuple[Rejection, ...] = ()


def _overlaps(a0: int | None, a1: int | None, b0: int, b1: int) -> bool:
    return (a0 is None or a0 <= b1) and (a1 is None or a1 >= b0)


def _ancestors(
    unit: int, parents: dict[int, list[UnitEdge]], t0: int, t1: int, max_levels: int
) -> list[tuple[int, int, int]]:
    """(ancestor, level, the child it was reached from), breadth first, each unit once."""
    seen = {unit}
    out: list[tuple[int, int, int]] = []
    frontier = [unit]
    for level in range(1, max_levels + 1):
        nxt: list[int] = []
        for child in frontier:
            for e in parents.get(child, ()):
                if e.parent not in seen and _overlaps(e.valid_from, e.valid_to, t0, t1):
                    seen.add(e.parent)
                    out.append((e.parent, level, child))
                    nxt.append(e.parent)
        frontier = nxt
    return out


def unit_leads(
    incidents: IncidentTable,
    *,
    deployments: Sequence[Deployment],
    edges: Sequence[UnitEdge] = (),
    posts: Sequence[Post] = (),
    config: MatchConfig | None = None,
    max_levels: int = 4,
) -> UnitLeads:
    cfg = config or MatchConfig()
    result = correlate(incidents, deployments=deployments, config=cfg)
    parents: dict[int, list[UnitEdge]] = defaultdict(list)
    for e in edges:
        parents[e.child].append(e)
    posts_of: dict[int, list[Post]] = defaultdict(list)
    for p in posts:
        posts_of[p.unit_id].append(p)

    pairs = result.pairs
    inc = pairs.prepared.incidents
    units: dict[tuple[int, int], UnitLead] = {}
    people: dict[tuple[int, int], PersonLead] = {}
    for k in pairs.ranked():
        pair = pairs[int(k)]
        row = int(pairs.incident[int(k)])
        t0 = int(inc.start[row] - inc.tolerance_s[row])
        t1 = int(inc.end[row] + inc.tolerance_s[row])
        deployed = pair.source_id
        basis = f"unit {deployed} deployed there: {pair.explanation}"
        basis_facts = evidence_facts(
            pairs.prepared, row, int(pairs.span[int(k)]), pair.distance_m, pairs.cfg
        )
        chain = [(deployed, 0, deployed), *_ancestors(deployed, parents, t0, t1, max_levels)]
        for unit, level, below in chain:
            key = (pair.incident_id, unit)
            if key in units and units[key].level <= level:
                continue
            why = (
                basis
                if level == 0
                else f"unit {unit} was {level} level{'s' if level > 1 else ''} above unit "
                f"{deployed} at the time (directly above unit {below}); {basis}"
            )
            units[key] = UnitLead(
                pair.incident_id,
                unit,
                pair.evidence_id,
                deployed,
                level,
                pair.score,
                "possible",
                why,
                unit_facts(unit, level, deployed, below, basis_facts),
            )
            for post in posts_of.get(unit, ()):
                if not _overlaps(post.start, post.end, t0, t1):
                    continue
                if level > 0 and not post.is_commander:
                    continue
                pkey = (pair.incident_id, post.id)
                if pkey in people and people[pkey].level <= level:
                    continue
                role: Literal["member", "commander"] = (
                    "commander" if post.is_commander else "member"
                )
                title = f" ({post.title})" if post.title else ""
                people[pkey] = PersonLead(
                    pair.incident_id, post.person_id, post.id, unit, role, level,
                    pair.evidence_id, pair.score, "possible",
                    f"possible: person {post.person_id} held a post{title} as {role} of unit "
                    f"{unit} at the time; {why}",
                    person_facts(post.person_id, post.title, role, units[key].facts),
                )  # fmt: skip
    order_u = sorted(units.values(), key=lambda u: (u.incident_id, u.level, -u.score, u.unit_id))
    order_p = sorted(
        people.values(), key=lambda p: (p.incident_id, p.level, -p.score, p.person_id, p.post_id)
    )
    return UnitLeads(tuple(order_u), tuple(order_p), result.skipped, result.rejected)
