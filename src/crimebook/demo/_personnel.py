"""Builder stage: perpetrators, posts, involvements, deployments, staffing and dismissals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from crimebook.demo._base import _BuilderBase, _PersonDraft, _Pool
from crimebook.demo._tables import (
    _COMMAND_UNITS,
    _LATER_LAST,
    _PROTEST_SITES,
    _RANK_AND_FILE_UNITS,
    _STAFFING_DATES,
    _UNIT_SETTINGS,
    _between,
    _fmt,
    _is_march_day,
    _jitter,
    _minsk,
    _pick,
)
from crimebook.demo.places import place
from crimebook.demo.records import (
    DemoDeployment,
    DemoDismissal,
    DemoInvolvement,
    DemoPost,
    DemoSource,
    DemoStaffing,
)
from crimebook.demo.units import (
    COMMANDER_POSITIONS,
    POSITIONS,
    RANKS,
    RUVD_BY_DISTRICT,
    UNIT_DECLINE,
    UNITS,
    UNITS_BY_CODE,
    DemoUnit,
)


class PersonnelStages(_BuilderBase):
    """The security forces' side: who served where, deployed when, left when."""

    # -- perpetrators, posts and involvements -------------------------------------

    def personnel_sources(self) -> _Pool:
        """Leaks and identifications that place officers in units."""
        titles = (
            ("leaked_document", "Leaked personnel list"),
            ("insider", "Insider identification of officers"),
            ("open_source", "Open-source identification of officers from video"),
            ("leaked_document", "Leaked duty roster for the night shifts"),
        )
        made: list[DemoSource] = []
        for i in range(12):
            kind, title = titles[i % len(titles)]
            received = _between(self.rng, date(2020, 8, 20), date(2021, 2, 28))
            made.append(self.source(kind, f"{title} ({i + 1})", received))
        return _Pool(made)

    def post(
        self,
        person: _PersonDraft,
        unit_code: str,
        rank: int,
        position: str,
        start: date,
        end: date | None,
        pool: _Pool,
    ) -> None:
        """Record a post, usually with the source that revealed it."""
        source = pool.after(self.rng, start, 1)[0] if self.rng.random() < 0.85 else None
        self.posts.append(
            DemoPost(person.key, unit_code, RANKS[rank], position, start, end, source)
        )

    def commanders(self, pool: _Pool) -> list[tuple[_PersonDraft, str]]:
        """Heads of units; the Central district department changes head in September."""
        made: list[tuple[_PersonDraft, str]] = []
        for code in _COMMAND_UNITS[: min(len(_COMMAND_UNITS), self.count(16, 2))]:
            position, rank = COMMANDER_POSITIONS[UNITS_BY_CODE[code].unit_type]
            head = self.person("P", "perpetrator", (38, 56), 0.0, female_share=0.05)
            change = code == "ruvd_centralny"
            start = _between(self.rng, date(2013, 1, 1), date(2020, 5, 31))
            self.post(
                head, code, rank, position, start, date(2020, 9, 14) if change else None, pool
            )
            made.append((head, code))
            if change:
                new = self.person("P", "perpetrator", (38, 56), 0.0, female_share=0.05)
                self.post(new, code, rank, position, date(2020, 9, 15), None, pool)
                made.append((new, code))
        return made

    def rank_and_file(self, pool: _Pool) -> list[tuple[_PersonDraft, str]]:
        """Officers and servicemen, some with earlier posts, promotions or dismissal."""
        rng = self.rng
        made: list[tuple[_PersonDraft, str]] = []
        for i in range(self.count(44, 4)):
            code = _pick(rng, _RANK_AND_FILE_UNITS)
            position, low, high = rng.choice(POSITIONS[UNITS_BY_CODE[code].unit_type])
            rank = rng.randint(low, high)
            officer = self.person("P", "perpetrator", (21, 48), 0.0, female_share=0.08)
            start = _between(rng, date(2012, 1, 1), date(2020, 6, 30))
            if i % 4 == 1:
                earlier = _pick(rng, _RANK_AND_FILE_UNITS)
                first = start - timedelta(days=rng.randint(700, 2000))
                self.post(
                    officer,
                    earlier,
                    max(0, rank - 1),
                    rng.choice(POSITIONS[UNITS_BY_CODE[earlier].unit_type])[0],
                    first,
                    start - timedelta(days=1),
                    pool,
                )
            end: date | None = None
            if i % 15 == 7:
                end = _between(rng, date(2020, 8, 17), date(2020, 9, 10))
                officer.roles.add("insider")
            elif i % 9 == 4:
                end = date(2020, 9, 30)
                self.post(
                    officer,
                    code,
                    min(rank + 1, len(RANKS) - 1),
                    position,
                    date(2020, 10, 1),
                    None,
                    pool,
                )
            self.post(officer, code, rank, position, start, end, pool)
            made.append((officer, code))
        return made

    def candidates(self) -> dict[str, list[int]]:
        """Incident indexes each unit could plausibly be linked to."""
        found: dict[str, list[int]] = {}
        for index, meta in enumerate(self.metas):
            kind, district = meta.setting.kind, meta.setting.district
            for code, kinds in _UNIT_SETTINGS.items():
                if kind in kinds:
                    found.setdefault(code, []).append(index)
            if kind in ("street", "vehicle", "rovd") and district in RUVD_BY_DISTRICT:
                found.setdefault(RUVD_BY_DISTRICT[district], []).append(index)
        return found

    def involvement(
        self,
        person: _PersonDraft,
        unit_code: str,
        commander: bool,
        options: Sequence[int],
        pool: _Pool,
        seen: set[tuple[str, str]],
    ) -> None:
        """Link a person to one act of a matching incident while in post, if possible."""
        rng = self.rng
        meta = self.metas[rng.choice(options)]
        posts = [
            p
            for p in self.posts
            if p.person_key == person.key
            and p.unit_code == unit_code
            and p.start <= meta.day
            and (p.end is None or meta.known <= p.end)
        ]
        act_key = rng.choice(meta.act_keys)
        if not posts or (act_key, person.key) in seen:
            return
        seen.add((act_key, person.key))
        officer = RANKS.index(posts[0].rank) >= 4
        degree = (
            _pick(rng, (("commanded", 75), ("ordered", 25)))
            if commander
            else _pick(rng, (("perpetrated", 50), ("present", 30), ("ordered", 20)))
            if officer
            else _pick(rng, (("perpetrated", 65), ("present", 35)))
        )
        sources = list(rng.sample(meta.source_keys, rng.randint(1, min(2, len(meta.source_keys)))))
        if rng.random() < 0.3:
            sources += pool.after(rng, meta.known, 1)
        self.involvements.append(
            DemoInvolvement(
                act_key,
                person.key,
                degree,
                _pick(rng, (("possible", 50), ("probable", 38), ("confirmed", 12))),
                tuple(sorted(dict.fromkeys(sources))),
            )
        )

    def build_perpetrators(self) -> None:
        """Alleged perpetrators, their posts, and involvements in acts."""
        pool = self.personnel_sources()
        heads = self.commanders(pool)
        people = [(p, c, True) for p, c in heads] + [
            (p, c, False) for p, c in self.rank_and_file(pool)
        ]
        options = self.candidates()
        target, seen = self.count(150, 5), set[tuple[str, str]]()
        for attempt in range(target * 30):
            if len(self.involvements) >= target:
                break
            person, code, commander = people[attempt % len(people)]
            if options.get(code):
                self.involvement(person, code, commander, options[code], pool, seen)

    # -- deployments ----------------------------------------------------------------

    def deployment_days(self) -> list[date]:
        """Nights of 9-16 August, then every Sunday to the end of November."""
        days = [date(2020, 8, d) for d in range(9, 17)]
        day = date(2020, 8, 23)
        while day <= _LATER_LAST:
            days.append(day)
            day += timedelta(days=7)
        return days

    def deployment_plan(self, sunday: bool) -> list[tuple[str, str]]:
        """(unit, place) pairs deployed on one day."""
        rng = self.rng
        plan: list[tuple[str, str]] = []
        for code, low, high in (("omon_minsk", 3, 5), ("vch_3214", 2, 3), ("gubopik", 0, 1)):
            wanted = rng.randint(low, high)
            spots: list[str] = []
            while len(spots) < wanted:
                spot = _pick(rng, _PROTEST_SITES)
                if spot not in spots:
                    spots.append(spot)
            plan += [(code, s) for s in spots]
        for district, code in RUVD_BY_DISTRICT.items():
            local = [(c, w) for c, w in _PROTEST_SITES if place(c).district == district]
            if local and (not sunday or rng.random() < 0.5):
                plan.append((code, _pick(rng, local)))
        return plan

    def build_deployments(self) -> None:
        """Units present at protest places, each with a source received afterwards."""
        rng = self.rng
        for day in self.deployment_days():
            sunday = _is_march_day(day)
            sources = [
                self.source(kind, f"{title}, {_fmt(day)}", day + timedelta(days=rng.randint(1, 20)))
                for kind, title in (
                    ("media", "Reports of security-force positions"),
                    ("insider", "Insider account of unit deployments"),
                )
            ]
            begin, end = (12 * 60, 21 * 60) if sunday else (18 * 60, 26 * 60)
            for code, spot_code in self.deployment_plan(sunday):
                lat, lon = _jitter(rng, place(spot_code), 200)
                self.deployments.append(
                    DemoDeployment(
                        code,
                        spot_code,
                        lat,
                        lon,
                        float(rng.choice((300, 500, 800, 1000, 1500, 2000))),
                        _minsk(day, begin + rng.randrange(0, 121, 15)),
                        _minsk(day, end + rng.randrange(0, 181, 15)),
                        rng.choice(sources).key,
                    )
                )

    # -- staffing and dismissals ---------------------------------------------------

    def losses(self, unit: DemoUnit) -> list[tuple[date, date, int, Sequence[float]]]:
        """Dismissals per period: (first day, last day, number, daily weights)."""
        rng = self.rng
        aug = [date(2020, 8, 1) + timedelta(days=i) for i in range(92)]
        weights = [
            0.2
            if d.day < 10 and d.month == 8
            else 1.5
            if d.month == 8 and d.day < 15
            else 4.0
            if d.month == 8
            else 0.9
            if d.month == 9
            else 0.4
            for d in aug
        ]
        head = unit.headcount
        return [
            (
                date(2020, 7, 1),
                date(2020, 7, 31),
                round(head * rng.uniform(0.002, 0.008)),
                [1.0] * 31,
            ),
            (aug[0], aug[-1], round(head * UNIT_DECLINE[unit.code]), weights),
            (
                date(2020, 11, 1),
                date(2020, 11, 30),
                round(head * rng.uniform(0.005, 0.02)),
                [1.0] * 30,
            ),
        ]

    def dismissal_source(self, family: str, day: date, made: dict[tuple[str, date], str]) -> str:
        """The weekly insider list that reported dismissals in ``family`` on ``day``."""
        monday = day - timedelta(days=day.weekday())
        if (family, monday) not in made:
            kind = "insider" if family == "internal affairs" else "media"
            made[(family, monday)] = self.source(
                kind,
                f"List of dismissal reports, {family}, week of {_fmt(monday)}",
                monday + timedelta(days=6 + self.rng.randint(2, 10)),
            ).key
        return made[(family, monday)]

    def build_staffing(self) -> None:
        """Monthly headcounts that equal the start figure minus the dismissals so far."""
        rng = self.rng
        weekly: dict[tuple[str, date], str] = {}
        monthly: dict[tuple[str, date], str] = {}
        for unit in UNITS:
            family = (
                "security service"
                if unit.unit_type == "security_service"
                else "prosecution"
                if unit.unit_type == "prosecutor"
                else "internal affairs"
            )
            per_day: dict[date, int] = {}
            for first, last, number, weights in self.losses(unit):
                days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
                for day in rng.choices(days, weights=weights, k=number):
                    per_day[day] = per_day.get(day, 0) + 1
            for day in sorted(per_day):
                self.dismissals.append(
                    DemoDismissal(
                        unit.code, day, per_day[day], self.dismissal_source(family, day, weekly)
                    )
                )
            start = unit.headcount + sum(n for d, n in per_day.items() if d.month == 7)
            for on in _STAFFING_DATES:
                if (family, on) not in monthly:
                    monthly[(family, on)] = self.source(
                        "leaked_document",
                        f"Staffing table, {family}, as of {_fmt(on)}",
                        on + timedelta(days=rng.randint(5, 25)),
                    ).key
                gone = sum(n for d, n in per_day.items() if d < on)
                self.staffing.append(
                    DemoStaffing(unit.code, on, start - gone, monthly[(family, on)])
                )
