"""Dates as people write them → a UTC window with the precision it was stated with.

Accepted (local time ``Europe/Minsk`` unless the value carries ``Z`` or an offset):

| written | window | precision |
|---|---|---|
| ``2020`` | the whole year | ``range`` |
| ``08.2020``, ``2020-08`` | the whole month | ``range`` |
| ``10.08.2020``, ``2020-08-10`` | the whole day | ``day`` |
| ``10.08.2020 19``, ``2020-08-10T19`` | that hour | ``hour`` |
| ``10.08.2020 19:30``, ``2020-08-10T19:30[:00][+03:00]`` | that minute | ``minute`` |
| ``08/10/2020 [19:30]`` | only with ``us_dates=True`` (month first) | as above |

A window's end is its last second (``23:59:59`` for a day). Slash dates without
``us_dates`` are refused as ambiguous rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_ZONE = ZoneInfo("Europe/Minsk")
MIN_YEAR, MAX_YEAR = 1900, 2100


class DateProblem(ValueError):
    """The value is not a date in any accepted form (message says which forms are)."""


@dataclass(frozen=True)
class When:
    start: datetime
    end: datetime
    precision: str  # minute, hour, day, range (month and year are ranges)


_TIME = r"(?:[ T](?P<h>\d{1,2})(?::(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d{1,6})?)?)?)?"
_ZONE = r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?"
_ISO = re.compile(r"(?P<y>\d{4})(?:-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2})" + _TIME + r")?)?" + _ZONE)
_DOTTED = re.compile(r"(?:(?:(?P<d>\d{1,2})\.)?(?P<m>\d{1,2})\.)?(?P<y>\d{4})" + _TIME + _ZONE)
_SLASHED = re.compile(r"(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})" + _TIME + _ZONE)

FORMS = "YYYY, MM.YYYY, DD.MM.YYYY [HH:MM], YYYY-MM-DD[THH:MM[+03:00]]"


def _zone(tz: str | None, default: tzinfo) -> tzinfo:
    if not tz:
        return default
    if tz == "Z":
        return UTC
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _add_month(dt: datetime) -> datetime:
    return (
        dt.replace(year=dt.year + 1, month=1) if dt.month == 12 else dt.replace(month=dt.month + 1)
    )


DECLARE = "declare month-first dates (--us-dates, or the import page's month-first box)"


def _check_slash_order(value: str, a: int, b: int, year: str, us_dates: bool) -> None:
    """Slash dates are read only when declared month first; say what a refused one is."""
    if min(a, b) > 12 or min(a, b) < 1:
        raise DateProblem(f"{value!r} is not a date; write {FORMS}.")
    if us_dates:
        if a > 12 >= b >= 1:
            raise DateProblem(
                f"{value!r} has the day first, but month-first dates were declared; "
                f"write it as {a:02d}.{b:02d}.{year} (DD.MM.YYYY)."
            )
        return
    if a > 12 >= b >= 1:
        raise DateProblem(
            f"{value!r} has the day first: write it as {a:02d}.{b:02d}.{year} (DD.MM.YYYY); "
            "slash dates are read only as month first, when declared."
        )
    if b > 12 >= a >= 1:
        raise DateProblem(
            f"{value!r} has the month first: {DECLARE}, or write it as "
            f"{b:02d}.{a:02d}.{year} (DD.MM.YYYY)."
        )
    raise DateProblem(
        f"{value!r} is ambiguous (day/month or month/day?); write DD.MM.YYYY, or {DECLARE}."
    )


def _iso_minute(text: str, zone: tzinfo) -> When | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text[-1] == "Z" else text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        return None  # the slow path says why
    moment = moment.astimezone(UTC).replace(microsecond=0)
    return When(moment, moment, "minute")


def parse_when(value: str, *, us_dates: bool = False, zone: tzinfo = DEFAULT_ZONE) -> When:
    """The window ``value`` names (see the module docstring); raises :class:`DateProblem`.

    Results are memoised (bounded, ``CACHE_SIZE`` entries): imports repeat the same dates
    and times many times, and a ``When`` is immutable. Problems are not cached."""
    return _parse_cached(value, us_dates, zone)


CACHE_SIZE = 1 << 15  # ≈ 10 MiB at most; a month of minutes is 44,640 values


def _parse(value: str, us_dates: bool, zone: tzinfo) -> When:
    text = " ".join(value.strip().split())
    if not text:
        raise DateProblem("empty date")
    if len(text) >= 16 and text[4] == "-" and text[10] in "T " and text[13] == ":":
        fast = _iso_minute(text, zone)  # what our own exports write: C-speed path
        if fast is not None:
            return fast
    groups: dict[str, str | None]
    m = _ISO.fullmatch(text) or _DOTTED.fullmatch(text)
    if m:
        groups = m.groupdict()
    else:
        s = _SLASHED.fullmatch(text)
        if s is None:
            raise DateProblem(f"{value!r} is not a date; write {FORMS}.")
        _check_slash_order(value, int(s["a"]), int(s["b"]), s["y"], us_dates)
        groups = s.groupdict()
        groups["m"], groups["d"] = groups.pop("a"), groups.pop("b")
    year = int(groups["y"] or 0)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateProblem(f"{value!r}: year {year} is outside {MIN_YEAR}–{MAX_YEAR}.")
    tz = _zone(groups.get("tz"), zone)

    def num(key: str) -> int | None:
        raw = groups.get(key)
        return int(raw) if raw else None

    try:
        month, day, hour, minute = num("m"), num("d"), num("h"), num("mi")
        second = num("s") or 0
        start = datetime(year, month or 1, day or 1, hour or 0, minute or 0, second, tzinfo=tz)
    except ValueError as exc:
        raise DateProblem(f"{value!r}: {exc}.") from None
    if month is None:
        end, precision = start.replace(year=year + 1), "range"
    elif day is None:
        end, precision = _add_month(start), "range"
    elif hour is None:
        end, precision = start + timedelta(days=1), "day"
    elif minute is None:
        end, precision = start + timedelta(hours=1), "hour"
    else:
        end, precision = start + timedelta(minutes=1), "minute"
    last = start if precision == "minute" else end - timedelta(seconds=1)  # minute: a point
    return When(start.astimezone(UTC), last.astimezone(UTC), precision)


_parse_cached = lru_cache(maxsize=CACHE_SIZE)(_parse)


def window_of(
    start: str, end: str, precision: str, *, us_dates: bool = False, zone: tzinfo = DEFAULT_ZONE
) -> When | None:
    """The window of a row's ``start``/``end``/``precision`` cells (``end`` and
    ``precision`` may be empty). ``None`` when no date is given at all."""
    if not start.strip():
        if end.strip():
            raise DateProblem("an end without a start")
        return None
    first = parse_when(start, us_dates=us_dates, zone=zone)
    if end.strip():
        last = parse_when(end, us_dates=us_dates, zone=zone)
        stop = last.end if last.precision != "minute" else last.start
        return When(first.start, stop, precision.strip() or "range")
    return When(first.start, first.end, precision.strip() or first.precision)
