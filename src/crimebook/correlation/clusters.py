"""Report ↔ report: several people describing the same event, proposed as merge candidates.

Signals, each reported as a reason:

- *close*: the two reports satisfy the incident matching rule with each other (time windows
  within both tolerances, places within both radii; ``MatchConfig``), with its fit
  ``closeness`` = time fit × place fit × precision, the same formula as leads;
- *similar text*: character-3-gram TF-IDF cosine (``text.TfIdf``; ru/be/en, no network);
- *shared victims*: equal blind-index digests (opaque strings from ``crypto.blindindex``).

Proposal rule (``ClusterConfig``): close and (similar text ≥ ``text_min`` or a shared
victim), or a shared victim with the reports at most ``victim_max_gap_s`` apart in time.
Score = (closeness + text similarity + [1 if a shared victim]) / 3, in [0, 1].
Clusters are the connected components of proposed pairs (union-find); an analyst decides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from crimebook.correlation._join import join
from crimebook.correlation.config import DAY, MatchConfig
from crimebook.correlation.facts import merge_reason_en
from crimebook.correlation.geo import haversine_scalar_m
from crimebook.correlation.model import Incident, IncidentTable, Rejection
from crimebook.correlation.prepare import Sites, Spans, prepare_incidents
from crimebook.correlation.text import TfIdf


@dataclass(frozen=True, slots=True)
class Report:
    """A submission or incident as stated: window, place, words, victims (blind digests)."""

    id: int
    start: int | None
    end: int | None
    lat: float | None
    lon: float | None
    radius_m: float | None
    tolerance_s: int = 0
    text: str = ""
    victim_digests: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    match: MatchConfig = field(default_factory=MatchConfig)
    text_min: float = 0.3
    victim_max_gap_s: int = 2 * DAY
    ngram: int = 3


@dataclass(frozen=True, slots=True)
class MergeCandidate:
    a: int  # the smaller report id
    b: int
    score: float
    close: bool
    closeness: float
    text_similarity: float
    shared_victims: int
    reasons: tuple[str, ...]
    reason_facts: tuple[dict[str, Any], ...] = field(default=(), compare=False)  # ``facts.py``


@dataclass(frozen=True)
class Clusters:
    candidates: tuple[MergeCandidate, ...]
    clusters: tuple[tuple[int, ...], ...]  # each sorted; components of two or more reports
    skipped: tuple[Rejection, ...] = ()
    rejected: tuple[Rejection, ...] = ()


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.size: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        self.size.setdefault(x, 1)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]

    def groups(self) -> list[tuple[int, ...]]:
        out: dict[int, list[int]] = defaultdict(list)
        for x in self.parent:
            out[self.find(x)].append(x)
        return sorted(tuple(sorted(g)) for g in out.values() if len(g) > 1)


def _close_pairs(
    table: IncidentTable, cfg: MatchConfig
) -> dict[tuple[int, int], tuple[float, float]]:
    """(row a, row b) with a < b → (distance, closeness) for reports close to each other."""
    n = len(table)
    sites = Sites(
        np.zeros(n, np.uint8), table.id, table.lat, table.lon, table.radius_m, np.arange(n + 1)
    )
    spans = Spans(
        np.arange(n), table.id, table.start, table.end, table.tolerance_s, np.zeros(n, np.uint8)
    )
    ii, ss, dist, score = join(table, sites, spans, cfg)
    keep = ii < ss
    return {
        (int(a), int(b)): (float(d), float(s))
        for a, b, d, s in zip(ii[keep], ss[keep], dist[keep], score[keep], strict=True)
    }


def propose_merges(reports: Sequence[Report], config: ClusterConfig | None = None) -> Clusters:
    cfg = config or ClusterConfig()
    table, skipped, rejected = prepare_incidents(
        IncidentTable.from_records(
            [
                Incident(r.id, r.start, r.end, r.lat, r.lon, r.radius_m, r.tolerance_s)
                for r in reports
            ]
        ),
        cfg.match,
    )
    by_id = {r.id: r for r in reports}
    valid = [by_id[int(i)] for i in table.id]
    close = _close_pairs(table, cfg.match)

    # Shared victims: every pair of valid reports naming the same digest.
    victims: dict[tuple[int, int], int] = defaultdict(int)
    holders: dict[str, list[int]] = defaultdict(list)
    for k, r in enumerate(valid):
        for digest in r.victim_digests:
            holders[digest].append(k)
    for rows in holders.values():
        for x in range(len(rows)):
            for y in range(x + 1, len(rows)):
                victims[(min(rows[x], rows[y]), max(rows[x], rows[y]))] += 1

    tfidf = TfIdf([r.text for r in valid], cfg.ngram)
    uf = UnionFind()
    out: list[MergeCandidate] = []
    for a, b in sorted(set(close) | set(victims)):
        ra, rb = valid[a], valid[b]
        dist, closeness = close.get((a, b), (float("nan"), 0.0))
        text = tfidf.similarity(a, b) if ra.text and rb.text else 0.0
        shared = victims.get((a, b), 0)
        gap = max(0, int(table.start[b] - table.end[a]), int(table.start[a] - table.end[b]))
        is_close = (a, b) in close
        if not (
            (is_close and (text >= cfg.text_min or shared))
            or (shared and gap <= cfg.victim_max_gap_s)
        ):
            continue
        facts: list[dict[str, Any]] = []
        if is_close:
            facts.append({"kind": "close", "distance_m": dist, "gap_s": gap})
        if text >= cfg.text_min:
            facts.append({"kind": "text", "similarity": float(text)})
        if shared:
            victims_fact: dict[str, Any] = {"kind": "victims", "count": shared}
            if not is_close:
                victims_fact["gap_s"] = gap
                victims_fact["distance_m"] = haversine_scalar_m(
                    float(table.lat[a]),
                    float(table.lon[a]),
                    float(table.lat[b]),
                    float(table.lon[b]),
                )
            facts.append(victims_fact)
        reasons = [merge_reason_en(r) for r in facts]
        score = (closeness + text + (1.0 if shared else 0.0)) / 3.0
        lo, hi = sorted((ra.id, rb.id))
        out.append(
            MergeCandidate(
                lo, hi, score, is_close, closeness, text, shared, tuple(reasons), tuple(facts)
            )
        )
        uf.union(ra.id, rb.id)
    out.sort(key=lambda m: (-m.score, m.a, m.b))
    return Clusters(tuple(out), tuple(uf.groups()), tuple(skipped), tuple(rejected))
