"""The map workspace page, its JSON data endpoint, and the small map of one incident.

The page works without JavaScript as a paged table of what the map would show; the map
itself (Leaflet, from our static files) is drawn by ``static/crimebook/map.js``, which reads
its configuration from a JSON data block (no inline script: the CSP forbids it) and fetches
``/map/data/`` for the part of the world in view.
"""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from crimebook.maps import selectors as maps
from crimebook.maps.grid import LAYERS, cell_box
from crimebook.register.models import Incident
from crimebook.register.models.units import unit_name
from crimebook.register.selectors import IncidentFilter
from crimebook.web.display import format_window
from crimebook.web.forms.maps import (
    LAYER_LABELS,
    MapDataForm,
    MapFilterForm,
    MapViewForm,
    has_filters,
)
from crimebook.web.views._common import BoundedPaginator, register_view, user_of

TABLE_PAGE_SIZE = 25
# Longest time slider in days (longer ranges: narrow the dates first).
MAX_SLIDER_DAYS = 3660


def _query(data: dict[str, Any], **extra: Any) -> maps.MapQuery:
    filters = IncidentFilter(
        q=(data.get("q") or "").strip(), status=data.get("status") or "",
        verification=data.get("verification") or "",
        violation_type=data.get("violation_type") or "",
        date_from=data.get("date_from"), date_to=data.get("date_to"),
    )  # fmt: skip
    return maps.MapQuery(
        incidents=filters,
        place=(data.get("place") or "").strip(),
        unit_id=data.get("unit"),
        layers=tuple(data.get("layers") or LAYERS),
        **extra,
    )


def tile_config() -> dict[str, str]:
    """The configured tile source, or empty strings (offline basemap only)."""
    return {
        "tileUrl": getattr(settings, "CRIMEBOOK_MAP_TILE_URL", "") or "",
        "tileAttribution": getattr(settings, "CRIMEBOOK_MAP_TILE_ATTRIBUTION", "") or "",
    }


def base_config() -> dict[str, Any]:
    """What every map needs: basemap files, tile source, time zone, labels."""
    return {
        "country": static("crimebook/map/belarus.geojson"),
        "city": static("crimebook/map/minsk-simplified.geojson"),
        **tile_config(),
        "timeZone": settings.TIME_ZONE,
        "labels": {
            "incidents": _("Incident"),
            "detention": _("Place of detention"),
            "cameras": _("Camera"),
            "evidence": _("Evidence"),
            "communications": _("Communication"),
            "cellArea": _("cell area"),
            "radius": _("uncertainty radius"),
            "fov": _("field of view"),
            "accuracy": _("GPS accuracy"),
            "unknown": _("unknown"),
            "metres": _("%(n)s m"),
            "kilometres": _("%(n)s km"),
            "open": _("Open the record"),
            "cluster": _("%(count)s records here; zoom in to see them"),
            "inView": _("In view"),
            "aggregated": _("grouped into cells, zoom in for single points"),
            "loading": _("Loading the map data…"),
            "failed": _("The map data could not be loaded."),
            "allDays": _("all days"),
            "basemap": _("Offline basemap: outlines simplified, not for measuring."),
            "layerNames": {key: str(LAYER_LABELS[key]) for key in LAYERS},
        },
    }


def _table(request: HttpRequest, user: Any, query: maps.MapQuery, layer: str) -> dict[str, Any]:
    param = f"page_{layer}"
    # at most 1,000 records counted (the incident list's rule): counting every match of a
    # country-wide filter on a large register cost seconds on each page view
    page = BoundedPaginator(maps.map_rows_for(user, query, layer), TABLE_PAGE_SIZE).get_page(
        request.GET.get(param)
    )

    def url(number: int) -> str:
        params = request.GET.copy()
        params[param] = str(number)
        return "?" + params.urlencode() + f"#table-{layer}"

    return {
        "layer": layer,
        "label": LAYER_LABELS[layer],
        "page": page,
        "prev_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
    }


def _slider(user: Any, query: maps.MapQuery) -> dict[str, Any] | None:
    start: date | None = query.incidents.date_from
    end: date | None = query.incidents.date_to
    if start is None or end is None:
        extent = maps.incident_extent_for(user, query)
        if extent is None:
            return None
        start, end = start or extent[0], end or extent[1]
    days = (end - start).days + 1
    if days < 1 or days > MAX_SLIDER_DAYS:
        return None
    return {"start": start.isoformat(), "days": days}


@register_view
@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = MapFilterForm(request.GET, user=user)
    context: dict[str, Any] = {"form": form, "filters_invalid": not form.is_valid()}
    if form.is_valid():
        query = _query(form.cleaned_data)
        params = request.GET.copy()
        for layer in LAYERS:
            params.pop(f"page_{layer}", None)
        config = base_config()
        config["dataUrl"] = reverse("web:map_data") + ("?" + params.urlencode() if params else "")
        config["slider"] = _slider(user, query)
        context["map_config"] = config
        context["tables"] = [_table(request, user, query, layer) for layer in query.layers]
    return render(request, "web/map/page.html", context)


def _feature(layer: str, row: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {"layer": layer, "id": row["pk"]}
    if layer == "incidents":
        props.update(
            label=row["title"],
            url=reverse("web:incident_detail", args=[row["pk"]]),
            radius_m=row["radius_m"],
            when=format_window(row["start"], row["end"], row["precision"]),
            place=row["place_name"],
        )
    elif layer == "detention":
        props.update(
            label=unit_name(row["name"], row.get("name_ru", ""), row.get("name_be", "")),
            url=reverse("web:unit_detail", args=[row["pk"]]),
            radius_m=None,
        )
    elif layer == "communications":
        props.update(
            label=row["label"],
            url=reverse("web:communication_detail", args=[row["pk"]]),
            radius_m=row["radius_m"],
            when=format_window(row["start"], row["end"], "minute"),
        )
    elif layer == "cameras":
        # cameras have no page of their own (yet): the popup names the camera id
        props.update(
            label=row["name"] or row["external_id"],
            radius_m=row["fov_radius_m"],
            camera_id=row["external_id"],
        )
    else:
        props.update(
            label=row["original_name"],
            url=reverse("web:evidence_detail", args=[row["pk"]]),
            radius_m=row["gps_accuracy_m"],
            when=format_window(row["captured_at"], row["captured_at"], "minute")
            if row["captured_at"]
            else "",
        )
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
        "properties": props,
    }


def _clusters(layer: str, clusters: list[maps.Cluster], size: float) -> list[dict[str, Any]]:
    """The grid cells as features (a district view has hundreds: the cells are unpacked, not
    read by attribute)."""
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
            "properties": {
                "layer": layer,
                "cluster": True,
                "count": count,
                "cell": cell_box(gx, gy, size),
            },
        }
        for gx, gy, count, latitude, longitude in clusters
    ]


def _dumps(value: Any) -> str:
    """What ``JsonResponse`` writes for ``value``."""
    return json.dumps(value, cls=DjangoJSONEncoder)


def _clusters_json(layer: str, clusters: list[maps.Cluster], size: float) -> list[str]:
    """``_dumps`` of each feature of ``_clusters(layer, clusters, size)``, written directly:
    a district view has hundreds of cells, and building their dicts and encoding them cost
    more than the SQL. ``json`` writes a finite float as its ``repr`` and an int as ``str``;
    anything else (a NaN, a subclass) goes through ``_dumps``. A cell's west and east edges
    depend on its column only, south and north on its row: written once per column and row
    (a district's 462 cells lie in 21 columns and 22 rows). Tested equal byte for byte."""
    name = _dumps(layer)
    columns: dict[int, tuple[str, str]] = {}
    rows: dict[int, tuple[str, str]] = {}
    out = []
    for cluster in clusters:
        gx, gy, count, lat, lon = cluster
        plain = type(count) is int and type(lat) is float and type(lon) is float
        if plain and math.isfinite(lat) and math.isfinite(lon) and math.isfinite(size):
            x, y = columns.get(gx), rows.get(gy)
            if x is None or y is None:
                w, s, e, n = cell_box(gx, gy, size)
                x = columns[gx] = (repr(w), repr(e))
                y = rows[gy] = (repr(s), repr(n))
            out.append(
                '{"type": "Feature", "geometry": {"type": "Point", "coordinates": '
                f'[{lon!r}, {lat!r}]}}, "properties": {{"layer": {name}, "cluster": true, '
                f'"count": {count}, "cell": [{x[0]}, {y[0]}, {x[1]}, {y[1]}]}}}}'
            )
        else:
            out.append(_dumps(_clusters(layer, [cluster], size)[0]))
    return out


def _collection_json(head: dict[str, Any], features: list[str]) -> str:
    """``_dumps(head | {"features": [...]})`` from features already written as JSON."""
    empty = _dumps({**head, "features": []})
    return empty[: -len("[]}")] + "[" + ", ".join(features) + "]}"


@register_view
@require_GET
def map_data(request: HttpRequest) -> HttpResponse:
    """GeoJSON of the requested layers inside ``bbox`` for the filters; 400 with the
    reasons for parameters that cannot be used (nothing is guessed)."""
    user = user_of(request)
    # without a filter the filters' choices need not be built: the same cleaned data
    form: forms.Form = (
        MapDataForm(request.GET, user=user)
        if has_filters(request.GET)
        else MapViewForm(request.GET)
    )
    if not form.is_valid():
        fields = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
        return JsonResponse(
            {"error": _("The map request is not valid."), "fields": fields}, status=400
        )
    data = form.cleaned_data
    query = _query(data, bounds=data["bbox"], day=data["day"])
    features: list[str] = []  # JSON, each a feature or a comma-separated run of them
    layers: dict[str, Any] = {}
    for result in maps.map_layers_for(user, query):
        layers[result.name] = {
            "count": result.count,
            "aggregated": result.aggregated,
            "cell_deg": result.cell_deg,
        }
        if result.points:
            features.append(_dumps([_feature(result.name, row) for row in result.points])[1:-1])
        if result.cell_deg is not None:
            features += _clusters_json(result.name, result.clusters, result.cell_deg)
    head = {
        "type": "FeatureCollection",
        "bbox": query.bounds.as_list(),
        "day": query.day.isoformat() if query.day else None,
        "max_points": query.max_points,
        "layers": layers,
    }
    return HttpResponse(_collection_json(head, features), content_type="application/json")


def distance_text(metres: float) -> str:
    """'40 m', '1.2 km', '35 km' in the reader's language."""
    if metres < 1000.0:
        return _("%(n)s m") % {"n": round(metres)}
    if metres < 10_000.0:
        return _("%(n)s km") % {"n": formats.number_format(metres / 1000.0, 1)}
    return _("%(n)s km") % {"n": round(metres / 1000.0)}


def incident_map_context(user: Any, incident: Incident) -> dict[str, Any]:
    """The small map on an incident's page and the list of what is near it in time and
    place (cameras with overlapping recordings, evidence captured then and there)."""
    nearby = maps.near_incident_for(user, incident)
    config: dict[str, Any] | None = None
    if incident.latitude is not None and incident.longitude is not None:
        config = base_config()
        points = [
            _feature(
                "incidents",
                {
                    "pk": incident.pk, "title": incident.title,
                    "place_name": incident.place_name, "latitude": incident.latitude,
                    "longitude": incident.longitude, "radius_m": incident.radius_m,
                    "start": incident.start, "end": incident.end,
                    "precision": incident.precision,
                },
            )
        ]  # fmt: skip
        for near in nearby:
            record = near.record
            if near.kind == "camera":
                row = {
                    "pk": record.pk, "name": record.name, "external_id": record.external_id,
                    "latitude": record.latitude, "longitude": record.longitude,
                    "fov_radius_m": record.fov_radius_m,
                }  # fmt: skip
                points.append(_feature("cameras", row))
            elif near.kind == "communication":
                row = {
                    "pk": record.pk, "label": str(record), "latitude": record.latitude,
                    "longitude": record.longitude, "radius_m": record.radius_m,
                    "start": record.start, "end": record.end,
                }  # fmt: skip
                points.append(_feature("communications", row))
            else:
                row = {
                    "pk": record.pk, "original_name": record.original_name,
                    "latitude": record.latitude, "longitude": record.longitude,
                    "gps_accuracy_m": record.gps_accuracy_m, "captured_at": record.captured_at,
                }  # fmt: skip
                points.append(_feature("evidence", row))
        config["features"] = points
    rows = [
        {
            "kind": near.kind,
            "record": near.record,
            "distance": distance_text(near.distance_m),
            "reach": distance_text(near.reach_m),
            "recordings": [format_window(r.start, r.end, "minute") for r in near.recordings],
            "when": format_window(near.record.captured_at, near.record.captured_at, "minute")
            if near.kind == "evidence" and near.record.captured_at
            else format_window(near.record.start, near.record.end, "minute")
            if near.kind == "communication"
            else "",
        }
        for near in nearby
    ]
    return {"incident_map": config, "nearby": rows}
