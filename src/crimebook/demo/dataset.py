"""Deterministic synthetic register data: Minsk, August-November 2020.

:func:`build_dataset` returns a :class:`DemoDataset` of plain frozen dataclasses. Places
and the structure of the security forces are real (see :mod:`crimebook.demo.places` and
:mod:`crimebook.demo.units`); every person, incident, act, source, post and involvement
is synthetic. Headline figures follow what was reported publicly: more than 1,100 cases
of torture and major injury between 9 and 21 August 2020, staffing of the Minsk city
directorate falling about 18 % and of one district department about 29 % by 1 November,
and hundreds of dismissal reports at the end of August.

The output depends only on ``seed`` and ``scale``: one seeded :class:`random.Random` drives
everything, no clock or global state is read, and no set is iterated while generating.
Local Minsk time is UTC+3 (no daylight saving since 2011); all datetimes are aware UTC.

Where things are: the records and vocabularies in :mod:`crimebook.demo.records`; the
tables and helpers in ``_tables.py``; the builder's state and common steps in ``_base.py``;
its stages in ``_incidents.py`` (incidents, acts, victims, witnesses) and ``_personnel.py``
(posts, involvements, deployments, staffing); the order of the stages here.
"""

from __future__ import annotations

import random
from datetime import date

from crimebook.demo._incidents import IncidentStages
from crimebook.demo._personnel import PersonnelStages
from crimebook.demo.places import PLACES, DemoPlace
from crimebook.demo.records import (
    ACT_TYPES,
    DETENTION_PLACES,
    INJURY_TYPES,
    METHODS,
    MINSK_TZ,
    VIOLATION_TYPES,
    DemoAct,
    DemoDataset,
    DemoDeployment,
    DemoDismissal,
    DemoIncident,
    DemoInvolvement,
    DemoPerson,
    DemoPost,
    DemoSource,
    DemoStaffing,
)
from crimebook.demo.units import UNITS, DemoUnit

__all__ = [
    "ACT_TYPES",
    "DETENTION_PLACES",
    "INJURY_TYPES",
    "METHODS",
    "MINSK_TZ",
    "VIOLATION_TYPES",
    "DemoAct",
    "DemoDataset",
    "DemoDeployment",
    "DemoDismissal",
    "DemoIncident",
    "DemoInvolvement",
    "DemoPerson",
    "DemoPlace",
    "DemoPost",
    "DemoSource",
    "DemoStaffing",
    "DemoUnit",
    "build_dataset",
    "headcount_decline",
    "summarize",
]


class _Builder(IncidentStages, PersonnelStages):
    """Accumulates the dataset; each stage is a method with one job."""

    def dataset(self) -> DemoDataset:
        """Freeze everything built so far."""
        return DemoDataset(
            places=PLACES,
            units=UNITS,
            persons=tuple(p.freeze() for p in self.persons),
            sources=tuple(sorted(self.sources, key=lambda s: s.key)),
            incidents=tuple(self.incidents),
            posts=tuple(self.posts),
            deployments=tuple(self.deployments),
            involvements=tuple(self.involvements),
            staffing=tuple(self.staffing),
            dismissals=tuple(self.dismissals),
        )


# --------------------------------------------------------------------------- public API


def build_dataset(seed: int = 2020, scale: float = 1.0) -> DemoDataset:
    """Build the synthetic register; the same ``seed`` and ``scale`` give equal output.

    ``scale`` multiplies the number of incidents, sources, perpetrators and involvements
    (at 1.0 about 1,500 incidents; 0.02 still gives more than 20). Units, staffing and
    deployments keep their full structure at every scale.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    builder = _Builder(random.Random(seed), scale)
    builder.build_incidents()
    builder.build_perpetrators()
    builder.build_deployments()
    builder.build_staffing()
    return builder.dataset()


def headcount_decline(dataset: DemoDataset, unit_code: str, start: date, end: date) -> float:
    """Share of a unit's staff lost between two staffing dates, from the staffing records."""
    counts = {s.on: s.headcount for s in dataset.staffing if s.unit_code == unit_code}
    return (counts[start] - counts[end]) / counts[start]


def summarize(dataset: DemoDataset) -> dict[str, int]:
    """Counts of every kind of record, for logs and command-line output."""
    acts = [a for i in dataset.incidents for a in i.acts]
    roles = [r for p in dataset.persons for r in sorted(p.roles)]
    return {
        "places": len(dataset.places),
        "units": len(dataset.units),
        "persons": len(dataset.persons),
        **{f"persons_{r}": roles.count(r) for r in ("victim", "witness", "insider", "perpetrator")},
        "sources": len(dataset.sources),
        "incidents": len(dataset.incidents),
        "acts": len(acts),
        "posts": len(dataset.posts),
        "deployments": len(dataset.deployments),
        "involvements": len(dataset.involvements),
        "staffing": len(dataset.staffing),
        "dismissals": sum(d.count for d in dataset.dismissals),
    }
