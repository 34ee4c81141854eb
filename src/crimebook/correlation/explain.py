"""One plain English sentence per lead, e.g.

    camera 1432, 40 m away, recording 21:55–22:40 covers the reported 22:00 ± 30 min

Times are shown in ``MatchConfig.display_tz``; a date is added only when a time falls on a
different day than the incident's start.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from crimebook.correlation.config import MatchConfig
from crimebook.correlation.geo import format_distance
from crimebook.correlation.prepare import (
    FLAG_VIDEO,
    KIND_COMMUNICATION,
    KIND_DEPLOYMENT,
    KIND_MEDIA,
    Prepared,
)


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(t: int, tz: str) -> datetime:
    return datetime.fromtimestamp(t, tz=UTC).astimezone(_zone(tz))


def format_duration(seconds: int) -> str:
    """'45 s', '30 min', '2 h', '1 h 30 min', '3 days'."""
    s = abs(int(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{round(s / 60)} min"
    if s < 2 * 86400:
        h, m = divmod(round(s / 60), 60)
        return f"{h} h" + (f" {m} min" if m else "")
    return f"{s / 86400:.3g} days"


def _clock(t: int, ref: date, tz: str) -> str:
    dt = _local(t, tz)
    return dt.strftime("%H:%M") if dt.date() == ref else dt.strftime("%Y-%m-%d %H:%M")


def reported_time(start: int, end: int, tol: int, tz: str) -> str:
    """'22:00 ± 30 min', '18:00–23:59', '2020-08-10 00:00–2020-08-11 00:00 ± 1 h'."""
    ref = _local(start, tz).date()
    text = (
        _clock(start, ref, tz)
        if start == end
        else f"{_clock(start, ref, tz)}–{_clock(end, ref, tz)}"
    )
    if tol:
        text += f" ± {format_duration(tol)}"
    return text


def relation(i_start: int, i_end: int, s_start: int, s_end: int, noun: str = "") -> str:
    """How an evidence window relates to the incident window, as words.

    With a ``noun`` (a span): "recording … covers / overlaps / ends 10 min before / starts
    5 min after"; without one (an instant): "within / 10 min before / 5 min after".
    """
    lead = f"{noun} " if noun else ""
    if s_end < i_start:
        return f"{lead}{'ends ' if noun else ''}{format_duration(i_start - s_end)} before"
    if s_start > i_end:
        return f"{lead}{'starts ' if noun else ''}{format_duration(s_start - i_end)} after"
    if not noun:
        return "within"
    if s_start <= i_start and s_end >= i_end:
        return f"{noun} covers"
    return f"{noun} overlaps"


def sentence(p: Prepared, i: int, s: int, distance_m: float, cfg: MatchConfig) -> str:
    """The explanation of the lead (prepared incident ``i``, prepared span ``s``)."""
    tz = cfg.display_tz
    inc, spans, sites = p.incidents, p.spans, p.sites
    i_start, i_end, i_tol = int(inc.start[i]), int(inc.end[i]), int(inc.tolerance_s[i])
    s_start, s_end, s_tol = int(spans.start[s]), int(spans.end[s]), int(spans.tol[s])
    site = int(spans.site[s])
    kind = int(sites.kind[site])
    ref = _local(i_start, tz).date()
    when = f"the reported {reported_time(i_start, i_end, i_tol, tz)}"
    away = f"{format_distance(distance_m)} away"
    radius = format_distance(float(sites.radius_m[site]))
    span_text = (
        _clock(s_start, ref, tz)
        if s_start == s_end
        else f"{_clock(s_start, ref, tz)}–{_clock(s_end, _local(s_start, tz).date(), tz)}"
    )
    if kind == KIND_MEDIA:
        flags = int(spans.flags[s])
        noun = "video" if flags & FLAG_VIDEO else "photo"
        tz_note = {1: ", time zone inferred from GPS", 2: ", time zone unknown"}.get(flags & 3, "")
        verb = "taken" if noun == "photo" else "filmed"
        rel = relation(i_start, i_end, s_start, s_end, "" if s_start == s_end else noun)
        rel = rel.removeprefix(f"{noun} ")
        return (
            f"{noun} {int(spans.id[s])}, {verb} {span_text} (± {format_duration(s_tol)}{tz_note}), "
            f"{away} (GPS accuracy {radius}), {rel} {when}"
        )
    if kind == KIND_COMMUNICATION:
        rel = relation(i_start, i_end, s_start, s_end)
        rel = "during" if rel == "within" else rel
        return (
            f"communication {int(spans.id[s])} at {span_text} in a cell area of radius {radius} "
            f"centred {away}, {rel} {when}"
        )
    if kind == KIND_DEPLOYMENT:
        return (
            f"unit {int(sites.source_id[site])} deployed {span_text} in an area of radius {radius} "
            f"centred {away}; the {relation(i_start, i_end, s_start, s_end, 'deployment')} {when}"
        )
    return (
        f"camera {int(sites.source_id[site])}, {away}, "
        f"{relation(i_start, i_end, s_start, s_end, f'recording {span_text}')} {when}"
    )
