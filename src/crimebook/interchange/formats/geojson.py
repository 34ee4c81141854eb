"""GeoJSON (RFC 7946) FeatureCollections of Points ↔ incidents.

Import: every feature must be a Point with ``[longitude, latitude]`` (GeoJSON order); its
``properties`` use the CSV column names (``title``, ``start``, …, ``violation_types`` as a
list or ``;``-separated), case-insensitive, ``--map`` applied; other properties reject the
feature unless ``--ignore-extra``, as unknown CSV columns do. Export: the same properties, plus a ``metadata`` member on the
collection that says what was left out and why.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, TextIO

from crimebook.interchange.formats.csvio import _incident
from crimebook.interchange.formats.jsonsafe import JsonProblem, load_capped
from crimebook.interchange.formats.records import (
    CsvOptions,
    Errors,
    IncidentRecord,
    Row,
    RowError,
)

PROPERTY_NAMES = (
    "external_id", "title", "description", "start", "end", "precision", "place_name",
    "radius_m", "violation_types", "status", "verification", "confidentiality", "source_refs",
)  # fmt: skip


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def read_features(raw: BinaryIO, options: CsvOptions | None = None, **caps: int) -> Iterator[Row]:
    """One row result per feature; ``line`` is the feature's 1-based position."""
    opts = options or CsvOptions()
    doc = load_capped(raw, **caps)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise JsonProblem("Expected a GeoJSON FeatureCollection.")
    features = doc.get("features")
    if not isinstance(features, list):
        raise JsonProblem("The FeatureCollection has no 'features' list.")
    for number, feature in enumerate(features, start=1):
        yield _feature(number, feature, opts)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _properties(props: dict[str, Any], opts: CsvOptions) -> tuple[dict[str, str], Errors]:
    """Cells by column name, as for a CSV row: names case-insensitive, ``--map`` applied; an
    unknown property is an error unless ``--ignore-extra`` (never silently dropped: a
    ``latitude`` property beside a null geometry would lose the place); an object where a
    value belongs is an error (never imported as its Python text)."""
    names = {n.casefold(): n for n in PROPERTY_NAMES}
    mapping = {k.strip().casefold(): v.strip() for k, v in opts.mapping.items()}
    values = dict.fromkeys(PROPERTY_NAMES, "")
    unknown: list[str] = []
    errors: Errors = {}
    for key, value in props.items():
        folded = str(key).strip().casefold()
        name = mapping.get(folded) or names.get(folded)
        if name is None or name not in values:
            unknown.append(str(key))
        elif not (_scalar(value) or (isinstance(value, list) and all(map(_scalar, value)))):
            errors[name] = ["Expected text, a number or a list of them, not an object."]
        else:
            values[name] = _cell(value)
    if unknown and not opts.ignore_extra:
        where = (
            " (coordinates belong in the Point geometry, [longitude, latitude])"
            if {"latitude", "longitude", "lat", "lon", "lng"} & {u.casefold() for u in unknown}
            else ""
        )
        errors["properties"] = [
            f"Unknown properties: {', '.join(unknown[:20])}{where}; map them with "
            "--map 'NAME=column' or pass --ignore-extra."
        ]
    return values, errors


def _feature(number: int, feature: Any, opts: CsvOptions) -> Row:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return RowError(number, {"__all__": ["Not a GeoJSON Feature."]})
    geometry = feature.get("geometry")
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        return RowError(number, {"properties": ["'properties' must be an object."]})
    values, errors = _properties(props, opts)
    if errors:
        return RowError(number, errors, external_id=values["external_id"] or None)
    if geometry is not None:
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
            return RowError(
                number, {"geometry": [f"Only Point geometries are accepted, not {kind}."]}
            )
        coords = geometry.get("coordinates")
        if (
            not isinstance(coords, list)
            or len(coords) not in (2, 3)
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords)
        ):
            return RowError(number, {"geometry": ["A Point needs [longitude, latitude] numbers."]})
        values["longitude"], values["latitude"] = repr(float(coords[0])), repr(float(coords[1]))
    return _incident(number, values, opts)


def feature_of(rec: IncidentRecord) -> dict[str, Any]:
    geometry = None
    if rec.latitude is not None and rec.longitude is not None:
        geometry = {"type": "Point", "coordinates": [rec.longitude, rec.latitude]}
    props: dict[str, Any] = {
        "external_id": rec.external_id,
        "title": rec.title,
        "description": rec.description,
        "start": rec.start.isoformat() if rec.start else None,
        "end": rec.end.isoformat() if rec.end else None,
        "precision": rec.precision,
        "place_name": rec.place_name,
        "radius_m": rec.radius_m,
        "violation_types": list(rec.violation_types),
        "status": rec.status,
        "verification": rec.verification,
        "confidentiality": rec.confidentiality,
        "source_refs": list(rec.source_refs),
    }
    return {"type": "Feature", "geometry": geometry, "properties": props}


def write_collection(
    out: TextIO, records: Iterable[IncidentRecord], metadata: dict[str, Any]
) -> int:
    """Streamed: one feature at a time; ``metadata`` is written after the features so it
    can include counts."""
    out.write('{"type": "FeatureCollection", "features": [\n')
    count = 0
    for rec in records:
        if count:
            out.write(",\n")
        out.write(json.dumps(feature_of(rec), ensure_ascii=False))
        count += 1
    out.write('\n], "metadata": ')
    out.write(json.dumps(metadata, ensure_ascii=False))
    out.write("}\n")
    return count
