"""Forensic Architecture's TimeMap / datasheet-server format.

Field names follow timemap's validators (``src/reducers/validate/*Schema.js``):

- event: ``id``, ``description`` (required), ``date``, ``time``, ``time_precision``,
  ``location``, ``latitude``, ``longitude`` (strings), ``category``, ``associations`` (ids),
  ``sources`` (ids), ``comments``;
- source: ``id``, ``title``, ``paths`` (list), ``type``, ``url``, ``description``, ``date``;
- association: ``id``, ``title``, ``desc``, ``mode`` (``FILTER`` / ``NARRATIVE``),
  ``filter_paths``.

Import reads one JSON object ``{"events": [...], "sources": [...], "associations": [...]}``
(what the three datasheet-server endpoints return, put together). Event dates are
month-first (``8/23/2020``, as datasheet-server writes them) or ISO. An association becomes
a violation type when its id, title or last filter path is a known vocabulary code;
the others are kept in the description as "TimeMap associations: …" (never dropped). An
event citing an association that the file does not define, or whose ``associations`` or
``sources`` is not a list of ids, is a rejected row.

Export is for publication: aggregate (one event per day × ~1 km cell × violation type, with
a count) or anonymised (one event per incident, day and ~1 km cell only); never titles,
descriptions, place names, exact points or sources. Both follow the small-count rule
(:mod:`crimebook.register.disclosure`): small counts read "<5" (complementary ones "*"),
and an anonymised day and cell with fewer incidents than the threshold is withheld.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import tzinfo
from typing import Any, BinaryIO, TextIO

from crimebook.interchange.formats.csvio import _incident
from crimebook.interchange.formats.dates import DEFAULT_ZONE
from crimebook.interchange.formats.jsonsafe import JsonProblem, load_capped
from crimebook.interchange.formats.records import (
    CsvOptions,
    IncidentRecord,
    Row,
    RowError,
    RowOk,
    SourceRecord,
)
from crimebook.register.disclosure import Count, Rule, series

TITLE_CHARS = 120


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def read_timemap(
    raw: BinaryIO,
    *,
    known_terms: set[str],
    region: Any = None,
    zone: tzinfo = DEFAULT_ZONE,
    **caps: int,
) -> tuple[Iterator[Row], Iterator[Row], list[str]]:
    """(source rows, event rows, notes)."""
    doc = load_capped(raw, **caps)
    if isinstance(doc, list):
        doc = {"events": doc}
    if not isinstance(doc, dict) or not isinstance(doc.get("events"), list):
        raise JsonProblem("Expected {'events': [...], 'sources': [...], 'associations': [...]}.")
    sources = doc.get("sources") or []
    associations = doc.get("associations") or []
    if not isinstance(sources, list) or not isinstance(associations, list):
        raise JsonProblem("'sources' and 'associations' must be lists.")
    terms: dict[str, str | None] = {}
    labels: dict[str, str] = {}
    without_id = 0
    for assoc in associations:
        if not isinstance(assoc, dict) or not _str(assoc.get("id")):
            without_id += 1  # no event can refer to it: said in the notes, not imported
            continue
        key = _str(assoc["id"])
        title = _str(assoc.get("title")) or key
        paths = assoc.get("filter_paths") or []
        candidates = [key, _slug(key), _slug(title)]
        if isinstance(paths, list) and paths:
            candidates.append(_slug(_str(paths[-1])))
        terms[key] = next((c for c in candidates if c in known_terms), None)
        labels[key] = title
    unmapped = sorted({labels[k] for k, v in terms.items() if v is None})
    notes = (
        [f"associations kept in descriptions (no vocabulary term): {', '.join(unmapped)}"]
        if unmapped
        else []
    )
    if without_id:
        notes.append(f"{without_id} association(s) without an id ignored (no event can cite them)")
    opts = CsvOptions(us_dates=True, region=region, zone=zone)
    return (
        (_source(i, s) for i, s in enumerate(sources, start=1)),
        (_event(i, e, terms, labels, opts) for i, e in enumerate(doc["events"], start=1)),
        notes,
    )


def _source(number: int, item: Any) -> Row:
    if not isinstance(item, dict) or not _str(item.get("id")):
        return RowError(number, {"id": ["A TimeMap source needs an id."]})
    paths_raw = item.get("paths")
    paths: list[Any] = paths_raw if isinstance(paths_raw, list) else []
    url = _str(item.get("url")) or next(
        (p for p in map(_str, paths) if p.startswith(("http://", "https://"))), ""
    )
    title = _str(item.get("title")) or _str(item["id"])
    return RowOk(
        number,
        SourceRecord(
            external_id=_str(item["id"]),
            title=title[:300],
            kind="open_source",
            description=_str(item.get("description")),
            url=url,
        ),
    )


def _event(
    number: int, item: Any, terms: dict[str, str | None], labels: dict[str, str], opts: CsvOptions
) -> Row:
    if not isinstance(item, dict):
        return RowError(number, {"__all__": ["An event must be an object."]})
    description = _str(item.get("description")).strip()
    problems: dict[str, list[str]] = {}
    ids: dict[str, list[str]] = {}
    for field in ("associations", "sources"):
        value = item.get(field)
        if value is None:
            value = []
        if not isinstance(value, list) or not all(
            isinstance(v, str | int) and not isinstance(v, bool) for v in value
        ):
            problems[field] = [f"'{field}' must be a list of ids (strings)."]
            value = []
        ids[field] = [str(v) for v in value]
    dangling = [a for a in ids["associations"] if a not in terms]
    if dangling and "associations" not in problems:
        problems["associations"] = [
            f"No association with id {', '.join(repr(a) for a in dangling[:10])} in the file's "
            "'associations'."
        ]
    if problems:
        return RowError(number, problems, external_id=_str(item.get("id")) or None)
    assoc_ids = ids["associations"]
    codes = [terms[a] for a in assoc_ids if terms.get(a)]
    extra = [labels.get(a, a) for a in assoc_ids if not terms.get(a)]
    if extra:
        description += ("\n\n" if description else "") + "TimeMap associations: " + ", ".join(extra)
    date, time = _str(item.get("date")).strip(), _str(item.get("time")).strip()
    start = f"{date} {time}".strip() if date else ""
    precision = _str(item.get("time_precision")).strip()
    if precision not in ("minute", "hour", "day", "range", "part_of_day"):
        precision = ""
    title = (
        _str(item.get("title"))
        or description.split("\n", 1)[0][:TITLE_CHARS]
        or f"TimeMap event {item.get('id', number)}"
    )
    values = {
        "external_id": _str(item.get("id")),
        "title": title,
        "description": description,
        "start": start,
        "precision": precision,
        "place_name": _str(item.get("location")),
        "latitude": _str(item.get("latitude")),
        "longitude": _str(item.get("longitude")),
        "violation_types": ";".join(dict.fromkeys(c for c in codes if c)),
        "source_refs": ";".join(ids["sources"]),
    }
    return _incident(number, values, opts)


def _cell(rec: IncidentRecord, cell_deg: float, zone: tzinfo) -> tuple[str, float, float] | None:
    """(local day, cell centre lat, lon) of a record, or None when it cannot be placed."""
    if rec.start is None or rec.latitude is None or rec.longitude is None:
        return None
    day = rec.start.astimezone(zone).date().isoformat()
    lat = (math.floor(rec.latitude / cell_deg) + 0.5) * cell_deg
    lon = (math.floor(rec.longitude / cell_deg) + 0.5) * cell_deg
    return day, round(lat, 6), round(lon, 6)


def _us_date(day: str) -> str:
    y, m, d = day.split("-")
    return f"{int(m)}/{int(d)}/{y}"


def aggregate(
    records: Iterable[IncidentRecord],
    *,
    cell_deg: float = 0.01,
    zone: tzinfo = DEFAULT_ZONE,
    rule: Rule | None = None,
) -> tuple[list[dict[str, Any]], Count]:
    """Publication events: count per (local day, grid cell centre, violation type), and
    the total. Records without a date or place are left out of the map (they cannot be
    placed). Counts follow the publication rule (:mod:`crimebook.register.disclosure`):
    1 … threshold−1 read "<threshold", ``*`` is withheld so that no small count follows
    from the total; such events keep ``count`` null and say why in ``count_text``."""
    counts: Counter[tuple[str, float, float, str]] = Counter()
    for rec in records:
        where = _cell(rec, cell_deg, zone)
        if where is None:
            continue
        for code in rec.violation_types or ("unclassified",):
            counts[(*where, code)] += 1
    keys = sorted(counts)
    published = series([counts[k] for k in keys], rule or Rule())
    events = []
    for i, ((day, lat, lon, code), shown) in enumerate(
        zip(keys, published.items, strict=True), start=1
    ):
        noun = "incident" if shown.value == 1 else "incidents"
        events.append(
            {
                "id": f"agg-{i}",
                "description": f"{shown.text} {noun} ({code.replace('_', ' ')})",
                "date": _us_date(day),
                "time": "",
                "time_precision": "day",
                "location": "",
                "latitude": f"{lat:.6f}",
                "longitude": f"{lon:.6f}",
                "category": code,
                "associations": [code],
                "sources": [],
                "count": shown.value,
                "count_text": shown.text,
            }
        )
    return events, published.total


def anonymise(
    records: Iterable[IncidentRecord],
    *,
    cell_deg: float = 0.01,
    zone: tzinfo = DEFAULT_ZONE,
    rule: Rule | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Publication events, one per incident: local day only, the centre of its ~1 km cell,
    violation types as associations; no title, description, place name, id or source.
    A (day, cell) with fewer incidents than the publication threshold would single them
    out: its incidents are withheld. Returns the events and how many were withheld."""
    threshold = (rule or Rule()).threshold
    groups: dict[tuple[str, float, float], list[tuple[str, ...]]] = {}
    for rec in records:
        where = _cell(rec, cell_deg, zone)
        if where is not None:
            groups.setdefault(where, []).append(tuple(rec.violation_types) or ("unclassified",))
    events: list[dict[str, Any]] = []
    withheld = 0
    for (day, lat, lon), members in sorted(groups.items()):
        if len(members) < threshold:
            withheld += len(members)
            continue
        for codes in members:
            events.append(
                {
                    "id": f"anon-{len(events) + 1}",
                    "description": ", ".join(c.replace("_", " ") for c in codes),
                    "date": _us_date(day),
                    "time": "",
                    "time_precision": "day",
                    "location": "",
                    "latitude": f"{lat:.6f}",
                    "longitude": f"{lon:.6f}",
                    "category": codes[0],
                    "associations": list(codes),
                    "sources": [],
                }
            )
    return events, withheld


def write_timemap(out: TextIO, events: list[dict[str, Any]], metadata: dict[str, Any]) -> int:
    codes = sorted({a for e in events for a in e["associations"]})
    doc = {
        "events": events,
        "sources": [],
        "associations": [
            {
                "id": c,
                "title": c.replace("_", " "),
                "desc": "",
                "mode": "FILTER",
                "filter_paths": [c],
            }
            for c in codes
        ],
        "metadata": metadata,
    }
    json.dump(doc, out, ensure_ascii=False, indent=1)
    out.write("\n")
    return len(events)
