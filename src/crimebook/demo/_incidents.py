"""Builder stage: incidents, their acts, victims and witnesses, in chronological order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from crimebook.demo._base import _BuilderBase, _Meta, _PersonDraft, _Pool, _Setting
from crimebook.demo._tables import (
    _ACT_LABEL,
    _CUSTODY,
    _CUSTODY_ACTS,
    _INJURIES_BY_METHOD,
    _LATER_FIRST,
    _LATER_LAST,
    _MAIN_DAYS,
    _MAIN_WEIGHTS,
    _METHOD_CHOICES,
    _PROTEST_SITES,
    _SEVERITY,
    _STREET_ACTS,
    _VERIFICATION_BY_STATUS,
    _VIOLATION_OF_ACT,
    _VIOLENT,
    _allocate,
    _fmt,
    _is_march_day,
    _jitter,
    _minsk,
    _ordered,
    _pick,
    _short,
)
from crimebook.demo.places import place
from crimebook.demo.records import (
    INJURY_TYPES,
    METHODS,
    MINSK_TZ,
    VIOLATION_TYPES,
    DemoAct,
    DemoIncident,
)
from crimebook.demo.units import (
    RUVD_BY_DISTRICT,
    UNIT_HOME_PLACE,
    UNITS_BY_CODE,
)


class IncidentStages(_BuilderBase):
    """Incidents with their acts, victims, witnesses and sources."""

    # -- incidents -----------------------------------------------------------------

    def incident_days(self) -> list[date]:
        """Local dates of all incidents: the first twelve days, then a later tail."""
        days: list[date] = []
        for day, n in zip(_MAIN_DAYS, _allocate(self.count(1180, 20), _MAIN_WEIGHTS), strict=True):
            days += [day] * n
        later = [
            _LATER_FIRST + timedelta(days=i) for i in range((_LATER_LAST - _LATER_FIRST).days + 1)
        ]
        weights = [6.0 if d.weekday() == 6 else 1.0 if d.month == 8 else 0.5 for d in later]
        for day, n in zip(later, _allocate(self.count(320, 4), weights), strict=True):
            days += [day] * n
        return days

    def setting(self, day: date) -> _Setting:
        """Choose between a street dispersal and custody, then the exact setting."""
        rng = self.rng
        street_share = (
            0.55
            if day <= date(2020, 8, 12)
            else 0.25
            if day <= _MAIN_DAYS[-1]
            else 0.6
            if day.weekday() == 6
            else 0.35
        )
        kind = "street" if rng.random() < street_share else _pick(rng, _CUSTODY)
        if kind == "unit3214" and day > _MAIN_DAYS[-1]:
            kind = "okrestina"
        return self.setting_of(kind)

    def setting_of(self, kind: str) -> _Setting:
        """Place and detention place for a setting kind."""
        fixed = {
            "okrestina": ("okrestina_cip", "okrestina_cip"),
            "okrestina_izo": ("okrestina_izo", "okrestina_izo"),
            "zhodino": ("zhodino_prison_8", "zhodino_prison_8"),
            "unit3214": ("uruchye_unit_3214", "military_unit_3214"),
        }
        if kind in fixed:
            code, detention = fixed[kind]
            return _Setting(kind, code, place(code).district, detention)
        code = _pick(self.rng, _PROTEST_SITES)
        district = place(code).district
        if kind == "rovd":
            code = UNIT_HOME_PLACE[RUVD_BY_DISTRICT[district]]
            return _Setting(kind, code, district, "rovd_premises")
        return _Setting(kind, code, district, "police_vehicle" if kind == "vehicle" else None)

    def local_minute(self, setting: _Setting, day: date) -> int:
        """Minutes after local midnight of ``day`` when the incident (mainly) happened."""
        rng = self.rng
        if setting.kind in ("street", "vehicle"):
            if _is_march_day(day):
                return 14 * 60 + int(480 * rng.random() ** 0.7)
            return 19 * 60 + int(480 * rng.betavariate(2.2, 2.6))
        return 20 * 60 + rng.randrange(18 * 60)

    def window(self, setting: _Setting, day: date, minute: int) -> tuple[str, datetime, datetime]:
        """Precision and UTC window around the local ``minute``."""
        rng = self.rng
        street = setting.kind in ("street", "vehicle")
        table = (
            (("minute", 15), ("hour", 40), ("part_of_day", 30), ("range", 10), ("day", 5))
            if street
            else (("minute", 5), ("hour", 20), ("part_of_day", 15), ("range", 45), ("day", 15))
        )
        precision = _pick(rng, table)
        if precision == "minute":
            return precision, _minsk(day, minute), _minsk(day, minute + rng.randint(1, 20))
        if precision in ("hour", "part_of_day", "day"):
            block = {"hour": 60, "part_of_day": 360, "day": 1440}[precision]
            begin = minute // block * block
            return precision, _minsk(day, begin), _minsk(day, begin + block)
        before, after = (60, 120) if street else (600, 2880)
        return (
            precision,
            _minsk(day, minute - rng.randint(15, before)),
            _minsk(day, minute + rng.randint(30, after)),
        )

    def location(self, setting: _Setting) -> tuple[float, float, float]:
        """Stated centre and uncertainty radius (metres) for an incident."""
        rng = self.rng
        if setting.kind in ("street", "vehicle"):
            radius = _pick(
                rng, ((25, 10), (50, 20), (100, 25), (200, 20), (500, 12), (1000, 8), (2000, 5))
            )
        elif setting.kind == "rovd":
            radius = _pick(rng, ((500, 30), (1000, 40), (2000, 30)))
        else:
            radius = _pick(rng, ((25, 40), (50, 40), (100, 20)))
        lat, lon = _jitter(rng, place(setting.place_code), min(radius * 0.8, 300.0))
        return lat, lon, float(radius)

    def victim(self, taken: list[str]) -> _PersonDraft:
        """A new victim, or now and then one already recorded in another incident."""
        if self.victims and self.rng.random() < 0.05:
            again = self.rng.choice(self.victims)
            if again.key not in taken:
                return again
        made = self.person("V", "victim", (17, 68), 0.65, female_share=0.3)
        self.victims.append(made)
        return made

    def witness(self, taken: list[str]) -> _PersonDraft | None:
        """A witness: new, an earlier witness, or a victim of another incident."""
        rng = self.rng
        roll = rng.random()
        pool = self.witnesses if roll < 0.15 else self.victims if roll < 0.2 else []
        if pool:
            again = rng.choice(pool)
            if again.key in taken:
                return None
            again.roles.add("witness")
            return again
        made = self.person("W", "witness", (18, 75), 0.7, female_share=0.55)
        self.witnesses.append(made)
        return made

    def act_types(self, setting: _Setting) -> list[str]:
        """One to three distinct act types suffered by one victim."""
        rng = self.rng
        street = setting.kind == "street"
        table = list(_STREET_ACTS if street else _CUSTODY_ACTS)
        wanted = _pick(rng, ((1, 70), (2, 25), (3, 5)))
        chosen: list[str] = []
        if not street and rng.random() < 0.5:
            chosen.append("arbitrary_detention")
        while len(chosen) < wanted:
            kind = _pick(rng, table)
            if kind not in chosen:
                chosen.append(kind)
        return chosen

    def methods(self, act_type: str) -> tuple[str, ...]:
        """Methods and weapons used in an act of ``act_type``."""
        rng = self.rng
        if act_type not in _METHOD_CHOICES:
            return ()
        candidates, low, high = _METHOD_CHOICES[act_type]
        chosen = rng.sample(candidates, rng.randint(low, high))
        if act_type == "stress_position":
            chosen.append("stress_position")
        if act_type == "excessive_force" and rng.random() < 0.02:
            chosen.append("vehicle")
        return _ordered(chosen, METHODS)

    def injuries(self, methods: Sequence[str]) -> tuple[str, ...]:
        """Injuries consistent with the methods used."""
        rng = self.rng
        found = [rng.choice(_INJURIES_BY_METHOD[m]) for m in methods if rng.random() < 0.8]
        if rng.random() < 0.25:
            found.append("psychological_trauma")
        return _ordered(found, INJURY_TYPES)

    def act(self, setting: _Setting, victim_key: str, act_type: str) -> DemoAct:
        """One act against one victim."""
        rng = self.rng
        methods = self.methods(act_type)
        injuries = self.injuries(methods)
        detention = setting.detention_place
        if detention is None and act_type == "arbitrary_detention":
            detention = _pick(rng, (("police_vehicle", 60), ("rovd_premises", 35), ("other", 5)))
        grade = None
        if injuries and rng.random() < 0.65:
            grade = _pick(
                rng,
                (
                    ("not_consistent", 15),
                    ("consistent", 30),
                    ("highly_consistent", 30),
                    ("typical", 15),
                    ("diagnostic", 10),
                ),
            )
        text = _ACT_LABEL[act_type]
        if methods:
            text += " (" + ", ".join(m.replace("_", " ") for m in methods) + ")"
        if injuries:
            text += "; reported injuries: " + ", ".join(i.replace("_", " ") for i in injuries)
        return DemoAct(
            self.next_key("A", 6),
            victim_key,
            act_type,
            injuries,
            methods,
            detention,
            grade,
            text + ".",
        )

    def acts(self, setting: _Setting) -> list[DemoAct]:
        """All acts of an incident, grouped by victim."""
        n_victims = _pick(self.rng, ((1, 35), (2, 30), (3, 18), (4, 10), (5, 4), (6, 3)))
        taken: list[str] = []
        made: list[DemoAct] = []
        for _ in range(n_victims):
            victim = self.victim(taken)
            if victim.key in taken:
                continue
            taken.append(victim.key)
            made += [self.act(setting, victim.key, t) for t in self.act_types(setting)]
        if made and not any(a.act_type in _VIOLENT for a in made):
            # the register documents torture and major injury: every incident has violence
            made.append(self.act(setting, made[0].victim_key, "beating"))
        return made

    def title(self, setting: _Setting, acts: Sequence[DemoAct], day: date) -> str:
        """A short English title naming the gravest act and the place."""
        worst = min((a.act_type for a in acts), key=_SEVERITY.index)
        label, spot = _ACT_LABEL[worst], place(setting.place_code)
        if setting.kind == "street":
            occasion = "a Sunday march" if _is_march_day(day) else "dispersal"
            return f"{label} during {occasion} near {_short(spot)}"
        if setting.kind == "vehicle":
            return f"{label} in a police van near {_short(spot)}"
        if setting.kind == "rovd":
            unit = UNITS_BY_CODE[RUVD_BY_DISTRICT[setting.district]]
            return f"{label} at the {unit.name_en.split(' of ')[0]}"
        return f"{label} of detainees at {_short(spot)}"

    def description(
        self, setting: _Setting, day: date, acts: Sequence[DemoAct], n_witnesses: int
    ) -> str:
        """A plain English account of the incident."""
        spot = _short(place(setting.place_code))
        victims = len({a.victim_key: None for a in acts})
        if setting.kind in ("street", "vehicle") and _is_march_day(day):
            lead = f"Security forces broke up a march near {spot} on {_fmt(day)}."
        elif setting.kind in ("street", "vehicle"):
            lead = (
                f"Security forces dispersed protesters near {spot} on the evening or "
                f"night of {_fmt(day)}."
            )
        elif setting.kind == "rovd":
            unit = UNITS_BY_CODE[RUVD_BY_DISTRICT[setting.district]].name_en
            lead = f"People detained on or around {_fmt(day)} were taken to the {unit}."
        else:
            lead = f"People detained on or around {_fmt(day)} were held at {spot}."
        return (
            f"{lead} {victims} victim(s) reported {len(acts)} act(s); "
            f"{n_witnesses} witness(es) recorded."
        )

    def incident(self, day: date, pool: _Pool) -> None:
        """Generate one incident with its acts, witnesses and sources."""
        rng = self.rng
        setting = self.setting(day)
        precision, start, end = self.window(setting, day, self.local_minute(setting, day))
        lat, lon, radius = self.location(setting)
        acts = self.acts(setting)
        taken = [a.victim_key for a in acts]
        witness_keys: list[str] = []
        for _ in range(_pick(rng, ((0, 50), (1, 38), (2, 12)))):
            found = self.witness(taken + witness_keys)
            if found is not None:
                witness_keys.append(found.key)
        known = end.astimezone(MINSK_TZ).date()
        sources = pool.after(rng, known, _pick(rng, ((1, 55), (2, 30), (3, 15))))
        types = [a.act_type for a in acts]
        status = _pick(
            rng, (("reported", 35), ("under_review", 35), ("verified", 20), ("closed", 10))
        )
        secret = "sexual_violence" in types or "enforced_disappearance" in types
        confidentiality = (
            "secret"
            if secret
            else _pick(rng, (("restricted", 65), ("confidential", 30), ("secret", 5)))
        )
        self.incidents.append(
            DemoIncident(
                key=self.next_key("I"),
                title=self.title(setting, acts, day),
                description=self.description(setting, day, acts, len(witness_keys)),
                start=start,
                end=end,
                precision=precision,
                place_code=setting.place_code,
                latitude=lat,
                longitude=lon,
                radius_m=radius,
                violation_types=_ordered([_VIOLATION_OF_ACT[t] for t in types], VIOLATION_TYPES),
                status=status,
                verification=_pick(rng, _VERIFICATION_BY_STATUS[status]),
                confidentiality=confidentiality,
                acts=tuple(acts),
                witness_keys=tuple(witness_keys),
                source_keys=sources,
            )
        )
        self.metas.append(_Meta(day, known, setting, tuple(a.key for a in acts), sources))

    def build_incidents(self) -> None:
        """All incidents, in chronological order of their local date."""
        pool = self.general_sources()
        for day in self.incident_days():
            self.incident(day, pool)
        for _ in range(self.count(40, 3)):
            self.person("N", "insider", (24, 55), 0.2, female_share=0.2)
