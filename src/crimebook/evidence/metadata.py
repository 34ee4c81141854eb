"""Normalising what the worker read (PURE: no Django).

Every value is checked against a plausible range; an absurd one is left out of the
normalised fields (it stays in the raw tags) and named in ``problems``. Capture time is made
aware and converted to UTC: with the file's own offset when it has one, else in the time zone
of its GPS position (``tz_inferred``), else taken as UTC with the zone marked unknown.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["Normalised", "normalise"]

_EXIF_TIME = re.compile(r"(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})")
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


@dataclass
class Normalised:
    captured_at: datetime | None = None
    tz_name: str = ""
    tz_inferred: bool = False
    latitude: float | None = None
    longitude: float | None = None
    gps_accuracy_m: float | None = None
    device_make: str = ""
    device_model: str = ""
    software: str = ""
    orientation: int | None = None
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    fps: float | None = None
    problems: list[str] = field(default_factory=list)


def _text(value: Any, limit: int = 200) -> str:
    return value.replace("\x00", "").strip()[:limit] if isinstance(value, str) else ""


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _dms(value: Any, ref: Any, limit: float) -> float | None:
    parts = value if isinstance(value, list) else [value]
    nums = [_number(p) for p in parts[:3]]
    if not nums or any(n is None or n < 0 for n in nums):
        return None
    deg = sum(n / 60**i for i, n in enumerate(nums) if n is not None)
    if isinstance(ref, str) and ref.strip().upper() in {"S", "W"}:
        deg = -deg
    return deg if -limit <= deg <= limit else None


@lru_cache(maxsize=1)
def _finder() -> Any:
    from timezonefinder import TimezoneFinder

    return TimezoneFinder(in_memory=True)


def zone_at(latitude: float, longitude: float) -> str:
    return str(_finder().timezone_at(lng=longitude, lat=latitude) or "")


def _captured(fields: dict[str, Any], out: Normalised, now: datetime) -> None:
    text = _text(fields.get("DateTimeOriginal"), 40)
    if not text:
        return
    match = _EXIF_TIME.match(text)
    if not match:
        out.problems.append(f"capture time not understood: {text!r}")
        return
    try:
        y, mo, d, h, mi, sec = (int(g) for g in match.groups())
        local = datetime(y, mo, d, h, mi, sec)
    except ValueError:
        out.problems.append(f"capture time impossible: {text!r}")
        return
    offset = _OFFSET.fullmatch(_text(fields.get("OffsetTimeOriginal"), 10))
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        delta = timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3)))
        if delta > timedelta(hours=14):
            out.problems.append("time zone offset out of range")
            offset = None
        else:
            aware = local.replace(tzinfo=timezone(sign * delta))
            out.tz_name = offset.group(0)
    if not offset:
        zone = (
            zone_at(out.latitude, out.longitude)
            if out.latitude is not None and out.longitude is not None
            else ""
        )
        try:
            tz = ZoneInfo(zone) if zone else UTC
        except ZoneInfoNotFoundError:
            tz, zone = UTC, ""
        aware = local.replace(tzinfo=tz)
        out.tz_name = zone
        out.tz_inferred = True
    result = aware.astimezone(UTC)
    if not EARLIEST <= result <= now + timedelta(days=2):
        out.problems.append(f"capture time implausible: {text!r}")
        return
    out.captured_at = result


def normalise(fields: dict[str, Any], *, now: datetime | None = None) -> Normalised:
    """The normalised fields of one file, from the worker's ``fields``."""
    out = Normalised()
    lat = _dms(fields.get("GPSLatitude"), fields.get("GPSLatitudeRef"), 90.0)
    lon = _dms(fields.get("GPSLongitude"), fields.get("GPSLongitudeRef"), 180.0)
    if fields.get("GPSLatitude") is not None and (lat is None or lon is None):
        out.problems.append("GPS position absurd or incomplete")
    elif lat is not None and lon is not None and not (lat == 0.0 and lon == 0.0):
        out.latitude, out.longitude = lat, lon
        accuracy = _number(fields.get("GPSHPositioningError"))
        if accuracy is not None and 0 <= accuracy <= 100_000:
            out.gps_accuracy_m = accuracy
    out.device_make = _text(fields.get("Make"))
    out.device_model = _text(fields.get("Model"))
    out.software = _text(fields.get("Software"))
    orientation = fields.get("Orientation")
    if isinstance(orientation, int) and 1 <= orientation <= 8:
        out.orientation = orientation
    elif orientation is not None:
        out.problems.append("orientation out of range")
    for name in ("width", "height"):
        value = fields.get(name)
        if isinstance(value, int) and 0 < value < 1_000_000:
            setattr(out, name, value)
    duration = _number(fields.get("duration"))
    if duration is not None and 0 <= duration < 10 * 86400:
        out.duration_s = duration
    fps = _number(fields.get("fps"))
    if fps is not None and 0 < fps <= 1000:
        out.fps = fps
    _captured(fields, out, now or datetime.now(UTC))
    return out
