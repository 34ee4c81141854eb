"""The project's own interchange JSON: every field of incidents and sources, lossless.

``{"format": "crimebook-interchange", "version": 1, "sources": [...], "incidents": [...],
"metadata": {...}}``. Times are ISO 8601 with offset, floats exact (JSON numbers),
``source_refs`` name sources by external id. Export → import gives the same records
(tests/interchange/test_roundtrip.py, property-based).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any, BinaryIO, TextIO

from crimebook.interchange.formats.jsonsafe import JsonProblem, load_capped
from crimebook.interchange.formats.records import (
    IncidentRecord,
    Row,
    RowError,
    RowOk,
    SourceRecord,
    check_coordinates,
    check_incident,
)

FORMAT = "crimebook-interchange"
VERSION = 1
_INCIDENT_FIELDS = {f.name for f in fields(IncidentRecord)}
_SOURCE_FIELDS = {f.name for f in fields(SourceRecord)}


def incident_json(rec: IncidentRecord) -> dict[str, Any]:
    out = asdict(rec)
    out["start"] = rec.start.isoformat() if rec.start else None
    out["end"] = rec.end.isoformat() if rec.end else None
    out["violation_types"] = list(rec.violation_types)
    out["source_refs"] = list(rec.source_refs)
    return out


def write_document(
    out: TextIO,
    *,
    sources: Iterable[SourceRecord],
    incidents: Iterable[IncidentRecord],
    metadata: dict[str, Any],
) -> tuple[int, int]:
    """Streamed; ``metadata`` is written last so a generator may fill in counts."""
    out.write(f'{{"format": "{FORMAT}", "version": {VERSION},\n"sources": [\n')
    n_src = n_inc = 0
    for src in sources:
        out.write((",\n" if n_src else "") + json.dumps(asdict(src), ensure_ascii=False))
        n_src += 1
    out.write('\n],\n"incidents": [\n')
    for rec in incidents:
        out.write((",\n" if n_inc else "") + json.dumps(incident_json(rec), ensure_ascii=False))
        n_inc += 1
    out.write('\n],\n"metadata": ' + json.dumps(metadata, ensure_ascii=False) + "}\n")
    return n_src, n_inc


def _time(value: Any, name: str, errors: dict[str, list[str]]) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        errors[name] = [f"{value!r} is not an ISO 8601 time."]
        return None
    if parsed.tzinfo is None:
        errors[name] = [f"{value!r} has no UTC offset."]
        return None
    return parsed


def _number(value: Any, name: str, errors: dict[str, list[str]]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors[name] = [f"{value!r} is not a number."]
        return None
    return float(value)


def _strings(value: Any, name: str, errors: dict[str, list[str]]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors[name] = ["Expected a list of strings."]
        return ()
    return tuple(value)


def parse_incident(number: int, item: Any) -> Row:
    if not isinstance(item, dict):
        return RowError(number, {"__all__": ["An incident must be an object."]})
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(item) - _INCIDENT_FIELDS)
    if unknown:
        errors["__all__"] = [f"Unknown field(s): {', '.join(unknown)}."]
    text = {k: item.get(k) for k in ("title", "description", "place_name", "precision",
                                     "status", "verification", "confidentiality")}  # fmt: skip
    for k, v in text.items():
        if v is not None and not isinstance(v, str):
            errors[k] = ["Expected a string."]
    ext = item.get("external_id")
    if ext is not None and not isinstance(ext, str):
        errors["external_id"] = ["Expected a string or null."]
        ext = None
    rec = IncidentRecord(
        external_id=ext,
        title=str(text["title"] or ""),
        description=str(text["description"] or ""),
        start=_time(item.get("start"), "start", errors),
        end=_time(item.get("end"), "end", errors),
        precision=str(text["precision"] or "hour"),
        place_name=str(text["place_name"] or ""),
        latitude=_number(item.get("latitude"), "latitude", errors),
        longitude=_number(item.get("longitude"), "longitude", errors),
        radius_m=_number(item.get("radius_m"), "radius_m", errors),
        violation_types=_strings(item.get("violation_types", []), "violation_types", errors),
        status=str(text["status"] or "reported"),
        verification=str(text["verification"] or "unverified"),
        confidentiality=str(text["confidentiality"] or "confidential"),
        source_refs=_strings(item.get("source_refs", []), "source_refs", errors),
    )
    if (rec.latitude is None) != (rec.longitude is None):
        errors.setdefault("latitude", []).append("Give both latitude and longitude, or neither.")
    elif rec.latitude is not None and rec.longitude is not None:
        for k, v in check_coordinates(rec.latitude, rec.longitude, None).items():
            errors.setdefault(k, []).extend(v)
    for k, v in check_incident(rec).items():
        errors.setdefault(k, []).extend(v)
    return RowError(number, errors, ext) if errors else RowOk(number, rec)


def parse_source(number: int, item: Any) -> Row:
    if not isinstance(item, dict):
        return RowError(number, {"__all__": ["A source must be an object."]})
    unknown = sorted(set(item) - _SOURCE_FIELDS)
    if unknown:
        return RowError(number, {"__all__": [f"Unknown field(s): {', '.join(unknown)}."]})
    try:
        rec = SourceRecord(**item)
    except TypeError as exc:
        return RowError(number, {"__all__": [str(exc)]})
    types_ok = (
        isinstance(rec.title, str)
        and isinstance(rec.kind, str)
        and isinstance(rec.credibility, int)
        and all(
            isinstance(getattr(rec, f), bool)
            for f in ("consent_investigation", "consent_prosecution", "consent_publication")
        )
    )
    if not types_ok:
        return RowError(number, {"__all__": ["A field has the wrong type."]}, rec.external_id)
    return RowOk(number, rec)


def read_document(raw: BinaryIO, **caps: int) -> tuple[Iterator[Row], Iterator[Row]]:
    """(source rows, incident rows); ``line`` is the 1-based position in each list."""
    doc = load_capped(raw, **caps)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise JsonProblem(f"Not a {FORMAT} document (no 'format': '{FORMAT}').")
    if doc.get("version") != VERSION:
        raise JsonProblem(f"Unsupported version {doc.get('version')!r}; this reads {VERSION}.")
    sources, incidents = doc.get("sources", []), doc.get("incidents", [])
    if not isinstance(sources, list) or not isinstance(incidents, list):
        raise JsonProblem("'sources' and 'incidents' must be lists.")
    return (
        (parse_source(i, s) for i, s in enumerate(sources, start=1)),
        (parse_incident(i, x) for i, x in enumerate(incidents, start=1)),
    )
