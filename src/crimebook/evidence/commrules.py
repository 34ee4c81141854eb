"""PURE rules for communication records (calls, messages, intercepts): no Django.

Each ``check_*`` returns a list of (field, message) problems, empty when valid; the service
(:mod:`crimebook.evidence.communications`) and the CSV import turn them into errors before
anything is written.

Rules (ARCHITECTURE "Evidence vault" → communications):

- times are aware (a time without a zone is refused — the import may name the zone with
  ``--assume-tz``); ``end`` ≥ ``start``; no end means a point in time;
- the cell area is latitude, longitude *and* radius together, or none (no place: the
  correlation core skips the record with the reason "no place", it never guesses one);
  the radius is > 0 and ≤ :data:`MAX_RADIUS_M` (the core's own limit: a wider area says
  nothing about where the call was placed);
- the parties are pseudonymous labels; a label or summary that looks like a phone number is
  refused (numbers go in the ``*_phone`` inputs, which are kept only as blind digests).
"""

from __future__ import annotations

import math
import re
from datetime import datetime

from crimebook.register.domain import Message

Problem = tuple[str, str]

KINDS = ("call", "message", "radio", "other")
MAX_RADIUS_M = 50_000.0  # = correlation.MatchConfig.max_radius_m
MAX_LABEL = 100
MAX_SUMMARY = 5000
MAX_SPAN_S = 31 * 24 * 3600  # = correlation.MatchConfig.max_span_s

# A phone number as people write one: an optional +, then 7 or more digits with single
# spaces, dashes, dots or brackets between them. Dates and clock times are removed first.
_DATE_OR_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?|\d{1,2}:\d{2}")
_PHONE = re.compile(r"\+?\(?\d(?:[\s\-.()]{0,2}\d){6,}")
_PHONE_DIGITS = re.compile(r"^\+?[\d\s\-.()]+$")


# Problem templates (English; marked for translation in evidence/communications.py).
_NO_ZONE = {
    "start": "The start must include a time zone (UTC offset).",
    "end": "The end must include a time zone (UTC offset).",
}
_OUT_OF_RANGE = (
    "(%(latitude)s, %(longitude)s) is out of range (latitude -90…90, longitude -180…180)."
)
_OUT_OF_RANGE_SWAPPED = (
    "(%(latitude)s, %(longitude)s) is out of range (latitude -90…90, longitude -180…180); "
    "latitude and longitude look swapped."
)


def looks_like_phone(text: str) -> bool:
    """True if ``text`` holds something that reads as a phone number (≥ 7 digits)."""
    return bool(_PHONE.search(_DATE_OR_TIME.sub(" ", text)))


def check_phone(value: str, *, field: str) -> list[Problem]:
    """A phone number given to be blind-indexed: digits with the usual separators, 7–20
    digits. The message never repeats the number."""
    if not value:
        return []
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE_DIGITS.fullmatch(value) or not 7 <= digits <= 20:
        return [(field, Message("Not a phone number (7 to 20 digits, optional + and separators)."))]
    return []


def check_labels(party_a: str, party_b: str, summary: str) -> list[Problem]:
    problems: list[Problem] = []
    for field, label in (("party_a", party_a), ("party_b", party_b)):
        if len(label) > MAX_LABEL:
            problems.append(
                (field, Message("A party label has at most %(n)d characters.", n=MAX_LABEL))
            )
        elif looks_like_phone(label):
            problems.append(
                (field, Message("A party label must be a pseudonym (e.g. “subscriber A”), not a "
                 "phone number: give the number as the party's phone, which is kept only as "
                 "a blind digest."))
            )  # fmt: skip
    if len(summary) > MAX_SUMMARY:
        problems.append(
            ("summary", Message("The summary has at most %(n)d characters.", n=MAX_SUMMARY))
        )
    elif looks_like_phone(summary):
        problems.append(
            ("summary", Message("The summary seems to contain a phone number; refer to the "
             "parties by their labels."))
        )  # fmt: skip
    return problems


def check_span(start: datetime | None, end: datetime | None) -> list[Problem]:
    if start is None:
        return [("start", Message("A communication needs its start time."))]
    problems: list[Problem] = []
    for name, value in (("start", start), ("end", end)):
        if value is not None and value.tzinfo is None:
            problems.append((name, Message(_NO_ZONE[name])))
    if problems:
        return problems
    if end is not None and end < start:
        problems.append(
            ("end", Message("The end (%(end)s) is before the start.", end=end.isoformat()))
        )
    elif end is not None and (end - start).total_seconds() > MAX_SPAN_S:
        problems.append(("end", Message("A communication cannot last more than 31 days.")))
    return problems


def check_area(
    latitude: float | None, longitude: float | None, radius_m: float | None
) -> list[Problem]:
    """Centre and radius together or not at all; ranges; a swapped pair is named."""
    given = [v is not None for v in (latitude, longitude, radius_m)]
    if not any(given):
        return []
    if not all(given):
        return [
            ("radius_m" if radius_m is None else "latitude" if latitude is None else "longitude",
             Message("A cell area needs latitude, longitude and radius together (or none of "
                     "them)."))
        ]  # fmt: skip
    assert latitude is not None
    assert longitude is not None
    assert radius_m is not None
    problems: list[Problem] = []
    for name, value in (("latitude", latitude), ("longitude", longitude), ("radius_m", radius_m)):
        if not math.isfinite(value):
            problems.append((name, Message("Not a number.")))
    if problems:
        return problems
    if not -90.0 <= latitude <= 90.0 or not -180.0 <= longitude <= 180.0:
        swapped = -90.0 <= longitude <= 90.0 and -180.0 <= latitude <= 180.0
        template = _OUT_OF_RANGE_SWAPPED if swapped else _OUT_OF_RANGE
        problems.append(("latitude", Message(template, latitude=latitude, longitude=longitude)))
    if radius_m <= 0:
        problems.append(
            ("radius_m", Message("The cell area radius must be more than 0 m (%(radius)s).",
                                 radius=f"{radius_m:g}"))
        )  # fmt: skip
    elif radius_m > MAX_RADIUS_M:
        problems.append(
            ("radius_m", Message("The cell area radius cannot exceed %(km)s km (%(radius)s m): such "
             "an area says nothing about where the call was placed.",
             km=f"{MAX_RADIUS_M / 1000:g}", radius=f"{radius_m:g}"))
        )  # fmt: skip
    return problems
