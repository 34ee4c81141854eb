"""The structured form of an explanation ("facts"): a small plain-JSON dict that carries
everything the English sentence of a lead says, so that another layer can say it in another
language (the Django shell's ``leads/wording.py``). Pure: no Django.

Version 1 shapes (all times epoch seconds UTC, distances metres):

- evidence (``kind`` camera / photo / video / communication / deployment)::

    {"v": 1, "kind": "camera", "id": 12, "source": 1432, "tz": "Europe/Minsk",
     "incident": [start, end, tol_s], "span": [start, end], "span_tol_s": 60,
     "radius_m": 50.0, "distance_m": 40.0, "relation": "covers", "gap_s": 0,
     "overlap_s": 1800, "capture_tz": "known", "penalty": 0.17}

  ``relation`` is ``before`` / ``after`` (apart by ``gap_s``), else ``covers`` / ``overlaps``
  for a span, ``within`` for an instant (a photo, a video of no length, any communication).
  ``capture_tz`` only for photos/videos; ``penalty`` only when the shell passes it (it is
  used by the reasons).
- ``{"v": 1, "kind": "unit", "unit", "level", "deployed", "below", "basis": <deployment>}``
- ``{"v": 1, "kind": "person", "person", "title", "role", "unit", "level", "via": <unit>}``
- ``{"v": 1, "kind": "merge", "other": 17, "reasons": [{"kind": "close", "distance_m",
  "gap_s"}, {"kind": "text", "similarity"}, {"kind": "victims", "count", "gap_s"?,
  "distance_m"?}]}``

``render_en`` / ``reasons_en`` say the facts in English and give exactly the sentences the core
(``explain.sentence``, ``units``, ``clusters``) and the shell store; tests hold the two
implementations to each other.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from crimebook.correlation.config import MatchConfig
from crimebook.correlation.explain import _clock, _local, format_duration, reported_time
from crimebook.correlation.geo import format_distance
from crimebook.correlation.prepare import (
    FLAG_VIDEO,
    KIND_COMMUNICATION,
    KIND_DEPLOYMENT,
    KIND_MEDIA,
    Prepared,
)

VERSION = 1
Facts = dict[str, Any]
EVIDENCE_KINDS = ("camera", "photo", "video", "communication", "deployment")
_CAPTURE_TZ = {0: "known", 1: "inferred", 2: "unknown"}


def windows(i_start: int, i_end: int, s_start: int, s_end: int) -> tuple[str, int, int]:
    """(relation of the span to the incident window, gap, overlap) — relation is ``before``,
    ``after``, ``covers`` or ``overlaps`` (an instant that falls inside: ``covers`` or
    ``overlaps``; ``evidence_facts`` calls that ``within`` where the sentence does)."""
    gap = max(0, s_start - i_end, i_start - s_end)
    overlap = max(0, min(i_end, s_end) - max(i_start, s_start))
    if s_end < i_start:
        return "before", gap, overlap
    if s_start > i_end:
        return "after", gap, overlap
    if s_start <= i_start and s_end >= i_end:
        return "covers", gap, overlap
    return "overlaps", gap, overlap


def is_instant(f: Facts) -> bool:
    """Whether the sentence treats the evidence as a moment (no "starts"/"ends")."""
    span = f["span"]
    return bool(
        f["kind"] == "communication" or (f["kind"] in ("photo", "video") and span[0] == span[1])
    )


def evidence_facts(
    p: Prepared,
    i: int,
    s: int,
    distance_m: float,
    cfg: MatchConfig,
    penalty: float | None = None,
) -> Facts:
    """The facts of the lead (prepared incident ``i``, prepared span ``s``)."""
    inc, spans, sites = p.incidents, p.spans, p.sites
    i_start, i_end, i_tol = int(inc.start[i]), int(inc.end[i]), int(inc.tolerance_s[i])
    s_start, s_end = int(spans.start[s]), int(spans.end[s])
    site = int(spans.site[s])
    code = int(sites.kind[site])
    flags = int(spans.flags[s])
    if code == KIND_MEDIA:
        kind = "video" if flags & FLAG_VIDEO else "photo"
    elif code == KIND_COMMUNICATION:
        kind = "communication"
    elif code == KIND_DEPLOYMENT:
        kind = "deployment"
    else:
        kind = "camera"
    rel, gap, overlap = windows(i_start, i_end, s_start, s_end)
    out: Facts = {
        "v": VERSION,
        "kind": kind,
        "id": int(spans.id[s]),
        "source": int(sites.source_id[site]),
        "tz": cfg.display_tz,
        "incident": [i_start, i_end, i_tol],
        "span": [s_start, s_end],
        "span_tol_s": int(spans.tol[s]),
        "radius_m": float(sites.radius_m[site]),
        "distance_m": float(distance_m),
        "relation": rel,
        "gap_s": int(gap),
        "overlap_s": int(overlap),
    }
    if code == KIND_MEDIA:
        out["capture_tz"] = _CAPTURE_TZ.get(flags & 3, "known")
    if rel in ("covers", "overlaps") and is_instant(out):
        out["relation"] = "within"
    if penalty is not None:
        out["penalty"] = float(penalty)
    return out


def unit_facts(unit: int, level: int, deployed: int, below: int, basis: Facts) -> Facts:
    return {
        "v": VERSION, "kind": "unit", "unit": unit, "level": level, "deployed": deployed,
        "below": below, "basis": basis,
    }  # fmt: skip


def person_facts(person: int, title: str, role: str, via: Facts) -> Facts:
    return {
        "v": VERSION, "kind": "person", "person": person, "title": title, "role": role,
        "unit": via["unit"], "level": via["level"], "via": via,
    }  # fmt: skip


def merge_facts(other: int, reasons: list[Facts] | tuple[Facts, ...]) -> Facts:
    return {"v": VERSION, "kind": "merge", "other": other, "reasons": list(reasons)}


# --- English --------------------------------------------------------------------------------


def _span_text(f: Facts, ref: date) -> str:
    tz = f["tz"]
    s_start, s_end = f["span"]
    if s_start == s_end:
        return _clock(s_start, ref, tz)
    return f"{_clock(s_start, ref, tz)}–{_clock(s_end, _local(s_start, tz).date(), tz)}"


def _relation_en(f: Facts, noun: str) -> str:
    rel, gap = f["relation"], format_duration(f["gap_s"])
    instant = not noun
    if rel == "before":
        return f"{noun + ' ' if noun else ''}{'' if instant else 'ends '}{gap} before"
    if rel == "after":
        return f"{noun + ' ' if noun else ''}{'' if instant else 'starts '}{gap} after"
    if rel == "within":
        return "within"
    return f"{noun} {rel}"


def _evidence_en(f: Facts) -> str:
    tz = f["tz"]
    i_start, i_end, i_tol = f["incident"]
    ref = _local(i_start, tz).date()
    when = f"the reported {reported_time(i_start, i_end, i_tol, tz)}"
    away = f"{format_distance(f['distance_m'])} away"
    radius = format_distance(f["radius_m"])
    span_text = _span_text(f, ref)
    kind = f["kind"]
    if kind in ("photo", "video"):
        tz_note = {"inferred": ", time zone inferred from GPS", "unknown": ", time zone unknown"}
        verb = "taken" if kind == "photo" else "filmed"
        rel = _relation_en(f, "" if is_instant(f) else kind).removeprefix(f"{kind} ")
        return (
            f"{kind} {f['id']}, {verb} {span_text} (± {format_duration(f['span_tol_s'])}"
            f"{tz_note.get(f.get('capture_tz', 'known'), '')}), "
            f"{away} (GPS accuracy {radius}), {rel} {when}"
        )
    if kind == "communication":
        rel = _relation_en(f, "")
        rel = "during" if rel == "within" else rel
        return (
            f"communication {f['id']} at {span_text} in a cell area of radius {radius} "
            f"centred {away}, {rel} {when}"
        )
    if kind == "deployment":
        return (
            f"unit {f['source']} deployed {span_text} in an area of radius {radius} "
            f"centred {away}; the {_relation_en(f, 'deployment')} {when}"
        )
    return f"camera {f['source']}, {away}, {_relation_en(f, f'recording {span_text}')} {when}"


def _unit_en(f: Facts) -> str:
    basis = f"unit {f['deployed']} deployed there: {_evidence_en(f['basis'])}"
    level = f["level"]
    if level == 0:
        return basis
    return (
        f"unit {f['unit']} was {level} level{'s' if level > 1 else ''} above unit "
        f"{f['deployed']} at the time (directly above unit {f['below']}); {basis}"
    )


def _person_en(f: Facts) -> str:
    title = f" ({f['title']})" if f["title"] else ""
    return (
        f"possible: person {f['person']} held a post{title} as {f['role']} of unit "
        f"{f['unit']} at the time; {_unit_en(f['via'])}"
    )


def merge_reason_en(r: Facts) -> str:
    if r["kind"] == "close":
        gap = r["gap_s"]
        return (
            f"close in time and place ({format_distance(r['distance_m'])} apart, "
            + ("overlapping times" if gap == 0 else f"{format_duration(gap)} apart in time")
            + ")"
        )
    if r["kind"] == "text":
        return f"similar wording ({r['similarity']:.0%} similar)"
    n = r["count"]
    where = (
        ""
        if r.get("gap_s") is None
        else f", {format_duration(r['gap_s'])} apart in time and "
        f"{format_distance(r['distance_m'])} apart"
    )
    return f"{n} shared victim{'s' if n > 1 else ''}{where}"


def render_en(f: Facts) -> str:
    """The English sentence of the facts (equal to the one the core and shell store)."""
    kind = f["kind"]
    if kind in EVIDENCE_KINDS:
        return _evidence_en(f)
    if kind == "unit":
        return _unit_en(f)
    if kind == "person":
        return _person_en(f)
    if kind == "merge":
        reasons = "; ".join(merge_reason_en(r) for r in f["reasons"])
        return f"Possibly the same event as incident {f['other']}: {reasons}."
    raise ValueError(f"unknown kind of explanation: {kind!r}")


def reasons_en(f: Facts) -> list[str]:
    """The English reasons list the shell stores beside the sentence."""
    kind = f["kind"]
    if kind in EVIDENCE_KINDS:
        gap, overlap = f["gap_s"], f["overlap_s"]
        when = f"overlapping by {format_duration(overlap)}" if gap == 0 else (
            f"{format_duration(gap)} apart"
        )  # fmt: skip
        out = [f"time: {when}", f"place: {format_distance(f['distance_m'])} between the centres"]
        if "penalty" in f:
            out.append(f"precision penalty {f['penalty']:.2f}")
        return out
    if kind == "merge":
        return [merge_reason_en(r) for r in f["reasons"]]
    return [render_en(f)]
