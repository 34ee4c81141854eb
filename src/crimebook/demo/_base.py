"""The builder's state and the steps every stage uses (persons, sources). Private to
:mod:`crimebook.demo`; the stages are in ``_incidents.py`` and ``_personnel.py``."""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from crimebook.demo._tables import _GRADES, _SOURCE_KIND_WEIGHTS, _SOURCE_SPECS, _between, _pick
from crimebook.demo.names import GeneratedName, generate_name
from crimebook.demo.records import (
    DemoDeployment,
    DemoDismissal,
    DemoIncident,
    DemoInvolvement,
    DemoPerson,
    DemoPost,
    DemoSource,
    DemoStaffing,
)

# --------------------------------------------------------------------------- builder


@dataclass
class _PersonDraft:
    """A person while roles are still being added."""

    key: str
    name: GeneratedName
    birth_date: date | None
    contact: str | None
    roles: set[str]

    def freeze(self) -> DemoPerson:
        """The immutable person."""
        return DemoPerson(
            self.key,
            self.name.full_name,
            self.name.full_name_latin,
            self.birth_date,
            self.contact,
            frozenset(self.roles),
        )


@dataclass(frozen=True)
class _Setting:
    """Where an incident takes place."""

    kind: str
    place_code: str
    district: str
    detention_place: str | None


@dataclass(frozen=True)
class _Meta:
    """What the later stages need to know about an incident."""

    day: date
    known: date
    setting: _Setting
    act_keys: tuple[str, ...]
    source_keys: tuple[str, ...]


class _Pool:
    """Sources sorted by the date received, to pick ones received on or after an event."""

    def __init__(self, sources: Sequence[DemoSource]) -> None:
        ordered = sorted(sources, key=lambda s: (s.received_on, s.key))
        self._dates = [s.received_on for s in ordered]
        self._keys = [s.key for s in ordered]

    def after(self, rng: random.Random, day: date, k: int) -> tuple[str, ...]:
        """Up to ``k`` distinct source keys received on or after ``day``."""
        candidates = self._keys[bisect.bisect_left(self._dates, day) :] or self._keys[-1:]
        return tuple(sorted(rng.sample(candidates, min(k, len(candidates)))))


@dataclass
class _BuilderBase:
    """Accumulates the dataset; each stage is a method with one job."""

    rng: random.Random
    scale: float
    persons: list[_PersonDraft] = field(default_factory=list)
    sources: list[DemoSource] = field(default_factory=list)
    incidents: list[DemoIncident] = field(default_factory=list)
    metas: list[_Meta] = field(default_factory=list)
    posts: list[DemoPost] = field(default_factory=list)
    deployments: list[DemoDeployment] = field(default_factory=list)
    involvements: list[DemoInvolvement] = field(default_factory=list)
    staffing: list[DemoStaffing] = field(default_factory=list)
    dismissals: list[DemoDismissal] = field(default_factory=list)
    victims: list[_PersonDraft] = field(default_factory=list)
    witnesses: list[_PersonDraft] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)

    def count(self, base: int, minimum: int) -> int:
        """``base`` scaled, but at least ``minimum``."""
        return max(minimum, round(base * self.scale))

    def next_key(self, prefix: str, width: int = 5) -> str:
        """The next stable key with ``prefix``."""
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}{self.counters[prefix]:0{width}d}"

    # -- persons and sources -------------------------------------------------------

    def person(
        self,
        prefix: str,
        role: str,
        ages: tuple[int, int],
        contact_share: float,
        female_share: float = 0.45,
    ) -> _PersonDraft:
        """Create a fictitious person with one role."""
        rng = self.rng
        name = generate_name(rng, female=rng.random() < female_share)
        birth: date | None = None
        if rng.random() < 0.9:
            birth = date(2020 - rng.randint(*ages), 1, 1) + timedelta(days=rng.randrange(365))
        draft = _PersonDraft(
            self.next_key(prefix),
            name,
            birth,
            self.contact(name) if rng.random() < contact_share else None,
            {role},
        )
        self.persons.append(draft)
        return draft

    def contact(self, name: GeneratedName) -> str:
        """A fictitious contact: an example.org address, or a number with no operator code."""
        rng = self.rng
        if rng.random() < 0.7:
            local = ".".join(name.full_name_latin.lower().split()[:2])
            return f"{local}.{rng.randrange(100):02d}@example.org"
        return f"+375 00 555-{rng.randrange(100):02d}-{rng.randrange(100):02d}"

    def source(self, kind: str, title: str, received_on: date) -> DemoSource:
        """Create a graded source with consent flags typical for its kind."""
        rng = self.rng
        key = self.next_key("S")
        reliabilities, (low, high) = _GRADES[kind]
        public = kind in ("open_source", "media")
        investigation = public or rng.random() < 0.9
        prosecution = public or (investigation and rng.random() < 0.55)
        publication = public or (kind != "leaked_document" and rng.random() < 0.3)
        url = f"https://example.org/{kind.replace('_', '-')}/{key.lower()}" if public else None
        made = DemoSource(
            key,
            kind,
            title,
            _pick(rng, reliabilities),
            rng.randint(low, high),
            received_on,
            investigation,
            prosecution,
            publication,
            url,
        )
        self.sources.append(made)
        return made

    def general_sources(self) -> _Pool:
        """The pool of testimony, media and records that incidents cite."""
        made: list[DemoSource] = []
        for i in range(self.count(280, 8)):
            kind = "submission" if i < 2 else _pick(self.rng, _SOURCE_KIND_WEIGHTS)
            first, last, titles = _SOURCE_SPECS[kind]
            made.append(
                self.source(kind, self.rng.choice(titles), _between(self.rng, first, last, 1.8))
            )
        return _Pool(made)
