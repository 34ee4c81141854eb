"""From a decrypted report to the initial values of the conversion form (PURE: no Django).

Times the source gave in local time (``tz``) become a UTC window with the precision they were
stated with; "how sure" becomes an uncertainty radius.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

RADIUS_BY_CERTAINTY = {
    "exact": 25.0,
    "street": 100.0,
    "district": 1000.0,
    "city": 10000.0,
    "unsure": 5000.0,
}
PARTS_OF_DAY = {"morning": (6, 12), "afternoon": (12, 18), "evening": (18, 24), "night": (0, 6)}


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _time(value: Any) -> time | None:
    try:
        return time.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def window(report: dict[str, Any], tz: str) -> tuple[datetime | None, datetime | None, str]:
    zone = ZoneInfo(tz)
    kind = report.get("when_kind")
    start_day, start_time = _day(report.get("when_date")), _time(report.get("when_time"))

    def at(day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=zone).astimezone(UTC)

    if kind == "exact" and start_day:
        if start_time:
            begin = at(start_day, start_time)
            return begin, begin + timedelta(minutes=1), "minute"
        return at(start_day, time(0)), at(start_day + timedelta(days=1), time(0)), "day"
    if kind == "part_of_day" and start_day:
        first, last = PARTS_OF_DAY.get(str(report.get("when_part_of_day")), (0, 24))
        begin = at(start_day, time(first))
        return begin, begin + timedelta(hours=last - first), "part_of_day"
    end_day = _day(report.get("when_end_date"))
    if kind == "range" and start_day and end_day:
        end_time = _time(report.get("when_end_time"))
        begin = at(start_day, start_time or time(0))
        end = at(end_day, end_time) if end_time else at(end_day + timedelta(days=1), time(0))
        return begin, end, "range"
    return None, None, "range"


def _section(label: str, *values: Any) -> str:
    text = "; ".join(str(v).strip() for v in values if v and str(v).strip())
    return f"{label}: {text}" if text else ""


def description(report: dict[str, Any]) -> str:
    parts = [
        str(report.get("what_happened", "")).strip(),
        _section("When (as told)", report.get("when_note")),
        _section("Injuries", report.get("injuries_description")),
        _section("Medical help", report.get("medical_help"), report.get("medical_note")),
        _section("Detention", report.get("detention_note")),
        _section(
            "Perpetrators",
            report.get("perpetrators_uniform"),
            report.get("perpetrators_insignia"),
            report.get("perpetrators_unit"),
            report.get("perpetrators_masks") and f"masks: {report.get('perpetrators_masks')}",
            report.get("perpetrators_vehicles"),
            report.get("perpetrators_description"),
        ),
        _section("Other victims", report.get("other_victims")),
    ]
    return "\n\n".join(p for p in parts if p)


def initial(report: dict[str, Any], tz: str) -> dict[str, Any]:
    start, end, precision = window(report, tz)
    what = " ".join(str(report.get("what_happened", "")).split())
    return {
        "title": (what[:77] + "…") if len(what) > 80 else what,
        "description": description(report),
        "start": start,
        "end": end,
        "precision": precision,
        "place_name": str(report.get("where", ""))[:300],
        "latitude": report.get("latitude"),
        "longitude": report.get("longitude"),
        "radius_m": RADIUS_BY_CERTAINTY.get(str(report.get("location_certainty")), 5000.0)
        if report.get("latitude") is not None
        else None,
        "violation_types": list(report.get("violation_types") or []),
        "injuries": list(report.get("injuries") or []),
        "detention_place": report.get("detention_place") or "",
        "consent_investigation": bool(report.get("consent_investigation")),
        "consent_prosecution": bool(report.get("consent_prosecution")),
        "consent_publication": bool(report.get("consent_publication")),
    }
