"""A lead's explanation and reasons in the active language, from the structured form the core
stores in ``Lead.details["explain"]`` (``correlation/facts.py``).

Whole clauses are messages (gettext / ngettext / pgettext, named placeholders), so a
translation can order words and choose cases freely; durations and distances are plural
messages (a *nominative* and an *accusative* context: "± 30 минут", "за 1 минуту до");
numbers use the locale's decimal separator; times are shown in the active time zone. In
English the result is the stored sentence word for word (tests hold it). A lead without the
structured form (stored before it existed) or with one this code cannot read keeps its
stored English sentence and reasons.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import npgettext, pgettext

from crimebook.correlation.facts import EVIDENCE_KINDS, VERSION, is_instant
from crimebook.leads.models import Lead

logger = logging.getLogger(__name__)
Facts = dict[str, Any]

__all__ = ["Names", "lead_reasons", "lead_sentence", "names_for", "reasons", "sentence"]


@dataclass(frozen=True)
class Names:
    """Display names the reader may see, by id: units (shared reference data); cameras,
    photos/videos (the item's name), communications (their record id), persons (their
    pseudonym, never an identity) and incidents (their title), each read through its app's
    access selector. A record missing here keeps its number."""

    units: Mapping[int, str] = field(default_factory=dict)
    cameras: Mapping[int, str] = field(default_factory=dict)
    items: Mapping[int, str] = field(default_factory=dict)
    communications: Mapping[int, str] = field(default_factory=dict)
    persons: Mapping[int, str] = field(default_factory=dict)
    incidents: Mapping[int, str] = field(default_factory=dict)

    @staticmethod
    def _of(names: Mapping[int, str], pk: Any) -> str:
        return (names.get(pk) if isinstance(pk, int) else None) or str(pk)

    def unit(self, pk: Any) -> str:
        return self._of(self.units, pk)

    def camera(self, pk: Any) -> str:
        return self._of(self.cameras, pk)

    def item(self, pk: Any) -> str:
        return self._of(self.items, pk)

    def communication(self, pk: Any) -> str:
        return self._of(self.communications, pk)

    def person(self, pk: Any) -> str:
        return self._of(self.persons, pk)

    def incident(self, pk: Any) -> str:
        return self._of(self.incidents, pk)


NUMBERS = Names()

# which records the facts mention, by kind of record: (kind of facts, key holding the id)
_MENTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "cameras": (("camera", "source"),),
    "items": (("photo", "id"), ("video", "id")),
    "communications": (("communication", "id"),),
    "persons": (("person", "person"),),
    "incidents": (("merge", "other"),),
}


def _mentioned(f: Any, out: dict[str, set[int]]) -> None:
    """Adds the ids of the records the facts name (nested ``basis`` / ``via`` too) to ``out``."""
    if not isinstance(f, dict):
        return
    for record, places in _MENTIONS.items():
        for kind, key in places:
            if f.get("kind") == kind and isinstance(f.get(key), int):
                out[record].add(f[key])
    for key in ("basis", "via"):
        _mentioned(f.get(key), out)


def names_for(user: Any, leads: Iterable[Lead]) -> Names:
    """The names to explain these leads with: units from the reference cache (no query); the
    cameras, photos/videos, communications, persons and incidents the leads mention in at
    most one query per kind of record for all the leads, each through its access selector
    for ``user`` — a record the reader may not see is not named (it keeps its number)."""
    from crimebook.evidence.selectors import cameras_for, communications_for, evidence_for
    from crimebook.register.selectors import incidents_for, persons_for
    from crimebook.web import refdata

    ids: dict[str, set[int]] = {record: set() for record in _MENTIONS}
    for lead in leads:
        _mentioned(_facts_of(lead), ids)

    def named(rows: Iterable[tuple[int, str]]) -> dict[int, str]:
        return {pk: name for pk, name in rows if name}

    cameras: dict[int, str] = {}
    if ids["cameras"]:
        rows = cameras_for(user).filter(pk__in=ids["cameras"])
        cameras = named(
            (pk, name or external)
            for pk, name, external in rows.values_list("pk", "name", "external_id")
        )
    items: dict[int, str] = {}
    if ids["items"]:  # originals, as the engine matches them
        items = named(
            evidence_for(user).filter(pk__in=ids["items"]).values_list("pk", "original_name")
        )
    communications: dict[int, str] = {}
    if ids["communications"]:  # the record id its page shows beside the number
        communications = named(
            communications_for(user)
            .filter(pk__in=ids["communications"])
            .values_list("pk", "external_id")
        )
    persons: dict[int, str] = {}
    if ids["persons"]:  # the pseudonym only: identities are not read here
        persons = named(
            persons_for(user).filter(pk__in=ids["persons"]).values_list("pk", "pseudonym")
        )
    incidents: dict[int, str] = {}
    if ids["incidents"]:
        incidents = {  # a title is a phrase of its own: in the language's quotation marks
            pk: pgettext("an incident's title quoted in a sentence", "“%(title)s”")
            % {"title": title}
            for pk, title in incidents_for(user)
            .filter(pk__in=ids["incidents"])
            .values_list("pk", "title")
            if title
        }
    return Names(
        units=refdata.unit_names(),
        cameras=cameras,
        items=items,
        communications=communications,
        persons=persons,
        incidents=incidents,
    )


# --- quantities -----------------------------------------------------------------------------


def _decimal_separator() -> str:
    return str(formats.get_format("DECIMAL_SEPARATOR"))


def _num(value: float, places: int) -> str:
    """Rounded as Python rounds (as the core does), written with the locale's separator."""
    text = f"{value:.{places}f}"
    return text.replace(".", _decimal_separator()) if places else text


def duration(seconds: int, *, accusative: bool = False) -> str:
    """'30 minutes'-style, as the core rounds it ('45 s', '1 h 30 min', '3 days' in English)."""
    s = abs(int(seconds))
    # The accusative messages name their number "count" so that each message is distinct.
    if accusative:
        parts = {
            "s": lambda n: (
                npgettext("duration, accusative", "%(count)d s", "%(count)d s", n) % {"count": n}
            ),
            "min": lambda n: (
                npgettext("duration, accusative", "%(count)d min", "%(count)d min", n)
                % {"count": n}
            ),
            "h": lambda n: (
                npgettext("duration, accusative", "%(count)d h", "%(count)d h", n) % {"count": n}
            ),
        }
    else:
        parts = {
            "s": lambda n: npgettext("duration", "%(n)d s", "%(n)d s", n) % {"n": n},
            "min": lambda n: npgettext("duration", "%(n)d min", "%(n)d min", n) % {"n": n},
            "h": lambda n: npgettext("duration", "%(n)d h", "%(n)d h", n) % {"n": n},
        }
    if s < 60:
        return parts["s"](s)
    if s < 3600:
        return parts["min"](round(s / 60))
    if s < 2 * 86400:
        h, m = divmod(round(s / 60), 60)
        return f"{parts['h'](h)} {parts['min'](m)}" if m else parts["h"](h)
    days = float(f"{s / 86400:.3g}")
    if days.is_integer():  # the same form in both cases in Russian and Belarusian
        n = int(days)
        return npgettext("duration", "%(n)d day", "%(n)d days", n) % {"n": n}
    text = f"{days:g}".replace(".", _decimal_separator())
    return pgettext("duration, a fraction", "%(n)s days") % {"n": text}


def distance(metres: float) -> str:
    """'40 m', '1.2 km', '35 km' as the core rounds them, in words of the language."""
    if metres < 1000.0:
        n = round(metres)
        return npgettext("distance", "%(n)s m", "%(n)s m", n) % {"n": _num(n, 0)}
    if metres < 10_000.0:
        return pgettext("distance, a fraction", "%(km)s km") % {"km": _num(metres / 1000.0, 1)}
    n = round(metres / 1000.0)
    return npgettext("distance", "%(n)s km", "%(n)s km", n) % {"n": _num(n, 0)}


# --- times ----------------------------------------------------------------------------------


def _local(t: int) -> datetime:
    return datetime.fromtimestamp(t, tz=UTC).astimezone(timezone.get_current_timezone())


def _clock(t: int, ref: date) -> str:
    dt = _local(t)
    return dt.strftime("%H:%M") if dt.date() == ref else dt.strftime("%Y-%m-%d %H:%M")


def _reported(f: Facts) -> str:
    start, end, tol = f["incident"]
    ref = _local(start).date()
    text = _clock(start, ref) if start == end else f"{_clock(start, ref)}–{_clock(end, ref)}"
    return f"{text} ± {duration(tol)}" if tol else text


def _span(f: Facts) -> str:
    start, end = f["span"]
    ref = _local(f["incident"][0]).date()
    if start == end:
        return _clock(start, ref)
    return f"{_clock(start, ref)}–{_clock(end, _local(start).date())}"


def _relation(f: Facts, subject: str) -> str:
    """The clause that relates the evidence to the reported time."""
    values = {
        "subject": subject,
        "when": _reported(f),
        "gap": duration(f["gap_s"], accusative=True),
    }
    rel = f["relation"]
    if rel == "within":
        text = (
            _("during the reported %(when)s")
            if f["kind"] == "communication"
            else _("within the reported %(when)s")
        )
    elif is_instant(f):
        text = {
            "before": _("%(gap)s before the reported %(when)s"),
            "after": _("%(gap)s after the reported %(when)s"),
        }[rel]
    else:
        text = {
            "covers": _("%(subject)s covers the reported %(when)s"),
            "overlaps": _("%(subject)s overlaps the reported %(when)s"),
            "before": _("%(subject)s ends %(gap)s before the reported %(when)s"),
            "after": _("%(subject)s starts %(gap)s after the reported %(when)s"),
        }[rel]
    return (text % values).strip()


# --- sentences ------------------------------------------------------------------------------


def _evidence(f: Facts, names: Names = NUMBERS) -> str:
    kind = f["kind"]
    values = {
        "id": f["id"],
        "source": f["source"],
        "time": _span(f),
        "distance": distance(f["distance_m"]),
        "radius": distance(f["radius_m"]),
    }
    if kind in ("photo", "video"):
        note = {
            "inferred": ", " + _("time zone inferred from GPS"),
            "unknown": ", " + _("time zone unknown"),
        }.get(f.get("capture_tz", "known"), "")
        values |= {
            "id": names.item(f["id"]),
            "tolerance": duration(f["span_tol_s"]) + note,
            "relation": _relation(f, ""),
        }
        if kind == "photo":
            text = _(
                "photo %(id)s, taken %(time)s (± %(tolerance)s), %(distance)s away "
                "(GPS accuracy %(radius)s), %(relation)s"
            )
        else:
            text = _(
                "video %(id)s, filmed %(time)s (± %(tolerance)s), %(distance)s away "
                "(GPS accuracy %(radius)s), %(relation)s"
            )
        return text % values
    if kind == "communication":
        values["id"] = names.communication(f["id"])
        values["relation"] = _relation(f, "")
        return (
            _(
                "communication %(id)s at %(time)s in a cell area of radius %(radius)s "
                "centred %(distance)s away, %(relation)s"
            )
            % values
        )
    if kind == "deployment":
        values["relation"] = _relation(f, _("the deployment"))
        values["source"] = names.unit(f["source"])
        return (
            _(
                "unit %(source)s deployed %(time)s in an area of radius %(radius)s "
                "centred %(distance)s away; %(relation)s"
            )
            % values
        )
    values["relation"] = _relation(f, _("recording %(time)s") % values)
    values["source"] = names.camera(f["source"])
    return _("camera %(source)s, %(distance)s away, %(relation)s") % values


def _unit(f: Facts, names: Names = NUMBERS) -> str:
    basis = _("unit %(unit)s deployed there: %(basis)s") % {
        "unit": names.unit(f["deployed"]),
        "basis": _evidence(f["basis"], names),
    }
    level = int(f["level"])
    if level == 0:
        return basis
    levels = npgettext("units in a hierarchy", "%(n)d level", "%(n)d levels", level) % {"n": level}
    return _(
        "unit %(unit)s was %(levels)s above unit %(deployed)s at the time "
        "(directly above unit %(below)s); %(basis)s"
    ) % {
        "unit": names.unit(f["unit"]),
        "levels": levels,
        "deployed": names.unit(f["deployed"]),
        "below": names.unit(f["below"]),
        "basis": basis,
    }


def _person(f: Facts, names: Names = NUMBERS) -> str:
    values = {
        "person": names.person(f["person"]),
        "title": f" ({f['title']})" if f["title"] else "",
        "unit": names.unit(f["unit"]),
        "via": _unit(f["via"], names),
    }
    if f["role"] == "commander":
        text = _(
            "possible: person %(person)s held a post%(title)s as commander of unit %(unit)s "
            "at the time; %(via)s"
        )
    else:
        text = _(
            "possible: person %(person)s held a post%(title)s as member of unit %(unit)s "
            "at the time; %(via)s"
        )
    return text % values


def _merge_reason(r: Facts) -> str:
    if r["kind"] == "close":
        values = {"distance": distance(r["distance_m"]), "gap": duration(r["gap_s"])}
        if r["gap_s"] == 0:
            return _("close in time and place (%(distance)s apart, overlapping times)") % values
        return _("close in time and place (%(distance)s apart, %(gap)s apart in time)") % values
    if r["kind"] == "text":
        return _("similar wording (%(percent)s similar)") % {
            "percent": f"{float(r['similarity']):.0%}"
        }
    if r["kind"] != "victims":
        raise ValueError(f"unknown merge reason: {r['kind']!r}")
    n = int(r["count"])
    victims = npgettext("merge reason", "%(n)d shared victim", "%(n)d shared victims", n) % {"n": n}
    if r.get("gap_s") is None:
        return victims
    return _("%(victims)s, %(gap)s apart in time and %(distance)s apart") % {
        "victims": victims,
        "gap": duration(r["gap_s"]),
        "distance": distance(r["distance_m"]),
    }


def sentence(f: Facts, names: Names = NUMBERS) -> str:
    """The explanation of the facts in the active language (raises on facts it cannot read);
    records are named from ``names`` (their numbers by default: the stored English)."""
    kind = f["kind"]
    if kind in EVIDENCE_KINDS:
        return _evidence(f, names)
    if kind == "unit":
        return _unit(f, names)
    if kind == "person":
        return _person(f, names)
    if kind == "merge":
        return _("Possibly the same event as incident %(other)s: %(reasons)s.") % {
            "other": names.incident(f["other"]),
            "reasons": "; ".join(_merge_reason(r) for r in f["reasons"]),
        }
    raise ValueError(f"unknown kind of explanation: {kind!r}")


def reasons(f: Facts, names: Names = NUMBERS) -> list[str]:
    """The reasons list of the facts in the active language."""
    kind = f["kind"]
    if kind in EVIDENCE_KINDS:
        gap, overlap = int(f["gap_s"]), int(f["overlap_s"])
        out = [
            _("time: overlapping by %(duration)s") % {"duration": duration(overlap)}
            if gap == 0
            else _("time: %(duration)s apart") % {"duration": duration(gap)},
            _("place: %(distance)s between the centres") % {"distance": distance(f["distance_m"])},
        ]
        if "penalty" in f:
            out.append(_("precision penalty %(penalty)s") % {"penalty": _num(f["penalty"], 2)})
        return out
    if kind == "merge":
        return [_merge_reason(r) for r in f["reasons"]]
    return [sentence(f, names)]


# --- for a stored lead ----------------------------------------------------------------------


def _facts_of(lead: Lead) -> Facts | None:
    details = lead.details if isinstance(lead.details, dict) else {}
    facts = details.get("explain")
    if isinstance(facts, dict) and facts.get("v") == VERSION:
        return facts
    return None


def lead_sentence(lead: Lead, names: Names = NUMBERS) -> str:
    """The lead's explanation in the active language; its stored English sentence when it
    has no structured form (older rows) or one that cannot be read."""
    facts = _facts_of(lead)
    if facts is None:
        return lead.explanation
    try:
        return sentence(facts, names)
    except (KeyError, TypeError, ValueError, IndexError):
        logger.warning("lead %s: unreadable structured explanation", lead.pk)
        return lead.explanation


def lead_reasons(lead: Lead, names: Names = NUMBERS) -> list[str]:
    """The lead's reasons in the active language (stored English ones as the fallback)."""
    facts = _facts_of(lead)
    stored = [str(r) for r in lead.reasons] if isinstance(lead.reasons, list) else []
    if facts is None:
        return stored
    try:
        return reasons(facts, names)
    except (KeyError, TypeError, ValueError, IndexError):
        logger.warning("lead %s: unreadable structured reasons", lead.pk)
        return stored
