"""The map: the workspace page and its data endpoint (filters, compartments, bounds,
server-side aggregation, bad parameters), the CSP and tile source, the page without
JavaScript, and the incident page's neighbourhood of cameras and evidence."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection, reset_queries, transaction
from django.db.models import Exists, OuterRef
from django.test import Client
from django.test.utils import CaptureQueriesContext

from crimebook.accounts.models import Compartment
from crimebook.audit.services import audit_record
from crimebook.evidence.models import Camera, EvidenceItem, Recording
from crimebook.maps import selectors as map_selectors
from crimebook.maps.selectors import MAX_POINTS
from crimebook.register.models import Incident, Term, Unit
from tests.web.conftest import World, make_incident, make_unit

pytestmark = pytest.mark.django_db

MINSK = "27.3,53.8,27.8,54.0"


def data(client: Client, **params: Any) -> dict[str, Any]:
    response = client.get("/map/data/", params)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return dict(response.json())


def ids(payload: dict[str, Any], layer: str) -> set[int]:
    return {
        f["properties"]["id"]
        for f in payload["features"]
        if f["properties"]["layer"] == layer and not f["properties"].get("cluster")
    }


def bulk_incidents(rows: Any) -> list[Incident]:
    """Rows inserted as the bulk importer does: one batch and one audit entry naming them
    (the map's grid index follows the audit log)."""
    created = Incident.objects.bulk_create(rows)
    ids = sorted(i.pk for i in created)
    with transaction.atomic():
        audit_record(
            actor=None, action="import", object_type="register.incident",
            object_id=f"{ids[0]}..{ids[-1]}", changes={"ids": [[ids[0], ids[-1]]]},
        )  # fmt: skip
    return created


def camera(compartment: Compartment, code: str, lat: float, lon: float, **kw: Any) -> Camera:
    return Camera.objects.create(
        compartment=compartment, external_id=code, latitude=lat, longitude=lon, **kw
    )


def recording(cam: Camera, start: datetime, hours: float = 2.0) -> Recording:
    return Recording.objects.create(
        compartment=cam.compartment, camera=cam, start=start, end=start + timedelta(hours=hours)
    )


def evidence(compartment: Compartment, name: str, lat: float, lon: float,
             captured: datetime | None, **kw: Any) -> EvidenceItem:  # fmt: skip
    return EvidenceItem.objects.create(
        compartment=compartment, kind="photo", original_name=name, sha256=f"{abs(hash(name)):064x}"[:64],
        status="ingested", latitude=lat, longitude=lon, captured_at=captured, **kw,
    )  # fmt: skip


# --- the data endpoint ------------------------------------------------------------------


def test_data_shows_the_users_points_with_radius_and_link(world: World, inv_client: Client) -> None:
    payload = data(inv_client, bbox=MINSK)
    assert payload["type"] == "FeatureCollection"
    assert ids(payload, "incidents") == {world.incident.pk}
    (feature,) = [f for f in payload["features"] if f["properties"]["layer"] == "incidents"]
    assert feature["geometry"]["coordinates"] == [27.4955, 53.9093]
    props = feature["properties"]
    assert props["radius_m"] == 300.0
    assert props["url"] == f"/incidents/{world.incident.pk}/"
    assert props["label"] == world.incident.title
    assert payload["layers"]["incidents"] == {"count": 1, "aggregated": False, "cell_deg": None}


def test_another_compartments_points_never_appear(
    world: World, case_a: Compartment, case_b: Compartment, inv_client: Client,
    outsider_client: Client,
) -> None:  # fmt: skip
    own_cam = camera(case_a, "A-1", 53.909, 27.496)
    foreign_cam = camera(case_b, "B-1", 53.909, 27.496)
    own_item = evidence(case_a, "a.jpg", 53.909, 27.4951, datetime(2020, 8, 10, 19, tzinfo=UTC))
    foreign_item = evidence(case_b, "b.jpg", 53.909, 27.4951, datetime(2020, 8, 10, 19, tzinfo=UTC))
    mine = data(inv_client)
    theirs = data(outsider_client)
    assert ids(mine, "incidents") == {world.incident.pk}
    assert ids(theirs, "incidents") == {world.foreign_incident.pk}
    assert ids(mine, "cameras") == {own_cam.pk} and ids(theirs, "cameras") == {foreign_cam.pk}
    assert ids(mine, "evidence") == {own_item.pk}
    assert ids(theirs, "evidence") == {foreign_item.pk}
    assert world.incident.title not in json.dumps(theirs, ensure_ascii=False)
    assert "a.jpg" not in json.dumps(theirs)
    # aggregated counts leak nothing either: many of A's incidents, mallory counts only B's
    bulk_incidents(
        Incident(compartment=case_a, title=f"A bulk {i}", latitude=53.9 + i * 1e-4,
                 longitude=27.55, radius_m=100.0)
        for i in range(MAX_POINTS + 20)
    )  # fmt: skip
    theirs = data(outsider_client, layers="incidents")
    assert theirs["layers"]["incidents"] == {"count": 1, "aggregated": False, "cell_deg": None}


def test_an_administrator_without_membership_sees_no_case_points(
    world: World, make_user: Any
) -> None:
    client = Client()
    client.force_login(make_user(role="administrator"))
    payload = data(client)
    assert ids(payload, "incidents") == set()
    assert payload["layers"]["incidents"]["count"] == 0


def test_filters_are_the_lists_facets(
    world: World, case_a: Compartment, inv_client: Client
) -> None:
    other = make_incident(
        case_a, "Detention at Okrestina", place_name="Okrestina lane", latitude=53.8621,
        longitude=27.48, radius_m=50.0, violation_types=("arbitrary_detention",),
        start=datetime(2020, 8, 12, 8, tzinfo=UTC), end=datetime(2020, 8, 12, 9, tzinfo=UTC),
        status="verified", verification="verified",
    )  # fmt: skip
    both = {world.incident.pk, other.pk}
    assert ids(data(inv_client), "incidents") == both
    assert ids(data(inv_client, violation_type="torture"), "incidents") == {world.incident.pk}
    assert ids(data(inv_client, status="verified"), "incidents") == {other.pk}
    assert ids(data(inv_client, verification="verified"), "incidents") == {other.pk}
    assert ids(data(inv_client, place="okrestina"), "incidents") == {other.pk}
    assert ids(data(inv_client, q="Pushkinskaya"), "incidents") == {world.incident.pk}
    assert ids(data(inv_client, date_from="2020-08-11"), "incidents") == {other.pk}
    assert ids(data(inv_client, date_to="2020-08-11"), "incidents") == {world.incident.pk}
    # the time slider's day, inside and outside the date range
    assert ids(data(inv_client, day="2020-08-12"), "incidents") == {other.pk}
    assert ids(data(inv_client, day="2020-08-11"), "incidents") == set()
    assert ids(data(inv_client, day="2020-08-12", date_to="2020-08-11"), "incidents") == set()
    # unit: incidents where an alleged perpetrator held a post in it
    assert ids(data(inv_client, unit=world.unit.pk), "incidents") == {world.incident.pk}
    assert ids(data(inv_client, unit=world.parent_unit.pk), "incidents") == set()
    # layers
    only = data(inv_client, layers="cameras,evidence")
    assert set(only["layers"]) == {"cameras", "evidence"}
    repeated = inv_client.get("/map/data/?layers=incidents&layers=detention").json()
    assert set(repeated["layers"]) == {"incidents", "detention"}


def test_time_filters_apply_to_cameras_and_evidence(
    case_a: Compartment, inv_client: Client
) -> None:
    busy = camera(case_a, "C-1", 53.90, 27.55)
    idle = camera(case_a, "C-2", 53.90, 27.56)
    recording(busy, datetime(2020, 8, 10, 18, tzinfo=UTC))
    recording(idle, datetime(2020, 9, 1, 18, tzinfo=UTC))
    early = evidence(case_a, "e1.jpg", 53.9, 27.55, datetime(2020, 8, 10, 19, tzinfo=UTC))
    evidence(case_a, "e2.jpg", 53.9, 27.55, datetime(2020, 8, 20, 19, tzinfo=UTC))
    evidence(case_a, "nogps.jpg", 53.9, 27.55, None).__class__.objects.filter(
        original_name="nogps.jpg"
    ).update(latitude=None, longitude=None)
    assert ids(data(inv_client), "cameras") == {busy.pk, idle.pk}
    assert ids(data(inv_client, day="2020-08-10"), "cameras") == {busy.pk}
    assert ids(data(inv_client, day="2020-08-10"), "evidence") == {early.pk}
    assert len(ids(data(inv_client), "evidence")) == 2  # the item without GPS is not drawn


def test_detention_places_are_units_of_that_type_with_a_position(
    db: Any, inv_client: Client
) -> None:
    centre = make_unit("okrestina-cip", "Okrestina TsIP", "detention_centre")
    Unit.objects.filter(pk=centre.pk).update(latitude=53.8627, longitude=27.4789)
    make_unit("omon-x", "Riot police", "riot_police")
    make_unit("prison-nowhere", "Prison without coordinates", "prison")
    payload = data(inv_client, layers="detention")
    assert ids(payload, "detention") == {centre.pk}
    (feature,) = payload["features"]
    assert feature["properties"]["url"] == f"/units/{centre.pk}/"


def test_detention_places_follow_unit_and_type_writes(db: Any, inv_client: Client) -> None:
    """The places are cached with the units: every Unit or Term write shows at once, and the
    answer is the one the units_for query gives."""
    from crimebook.maps import selectors as maps
    from crimebook.maps.grid import Bounds
    from crimebook.register.models import Term

    centre = make_unit("okrestina-cip", "Okrestina TsIP", "detention_centre")
    centre.latitude, centre.longitude = 53.8627, 27.4789
    centre.save()
    assert ids(data(inv_client, layers="detention"), "detention") == {centre.pk}
    prison = make_unit("prison-1", "Prison No. 1", "prison")
    prison.latitude, prison.longitude = 53.9, 27.55
    prison.save()
    assert ids(data(inv_client, layers="detention"), "detention") == {centre.pk, prison.pk}
    box = "27.50,53.88,27.60,53.95"  # the prison only; bounds inclusive as the query's
    assert ids(data(inv_client, layers="detention", bbox=box), "detention") == {prison.pk}
    edge = "27.55,53.9,27.56,53.91"
    assert ids(data(inv_client, layers="detention", bbox=edge), "detention") == {prison.pk}
    term = Term.objects.get(vocabulary__code="unit_type", code="prison")
    term.code = "prison_renamed"
    term.save()
    assert ids(data(inv_client, layers="detention"), "detention") == {centre.pk}
    user = inv_client.session["_auth_user_id"]
    from crimebook.accounts.models import User

    reader = User.objects.get(pk=user)
    for bounds in (Bounds(23.0, 51.0, 33.0, 57.0), Bounds(27.55, 53.9, 27.56, 53.91)):
        query = maps.MapQuery(bounds=bounds, layers=("detention",))
        (cached,) = maps.map_layers_for(reader, query)
        direct = maps._layer("detention", maps._detention(reader), query)
        assert sorted(cached.points, key=lambda p: p["pk"]) == sorted(
            direct.points, key=lambda p: p["pk"]
        )


def test_bbox_bounds_the_answer(world: World, inv_client: Client) -> None:
    assert ids(data(inv_client, bbox="27.49,53.90,27.50,53.92"), "incidents") == {world.incident.pk}
    assert ids(data(inv_client, bbox="27.60,53.90,27.70,53.92"), "incidents") == set()
    assert data(inv_client, bbox="27.49,53.90,27.50,53.92")["bbox"] == [27.49, 53.9, 27.5, 53.92]


def test_zoomed_out_the_server_returns_grid_cells(case_a: Compartment, inv_client: Client) -> None:
    # two dense spots in Minsk and one in Hrodna: more points than a page may draw
    spots = [(53.9093, 27.4955, 400), (53.8627, 27.4789, 300), (53.6694, 23.8131, 100)]
    bulk_incidents(
        Incident(compartment=case_a, title=f"bulk {n}", latitude=lat + (i % 20) * 1e-4,
                 longitude=lon + (i // 20) * 1e-4, radius_m=100.0)
        for n, (lat, lon, count) in enumerate(spots) for i in range(count)
    )  # fmt: skip
    country = data(inv_client, bbox="23.0,51.2,32.8,56.2", layers="incidents")
    info = country["layers"]["incidents"]
    assert info["aggregated"] is True and info["count"] == 800
    assert info["cell_deg"] == 0.5
    cells = [f["properties"] for f in country["features"]]
    assert all(c["cluster"] for c in cells)
    assert sorted(c["count"] for c in cells) == [100, 700]  # both Minsk spots share a cell
    for feature in country["features"]:
        west, south, east, north = feature["properties"]["cell"]
        lon, lat = feature["geometry"]["coordinates"]
        assert west <= lon <= east and south <= lat <= north
        assert east - west == 0.5
    # one district: few enough points to draw them all
    district = data(inv_client, bbox="27.47,53.85,27.49,53.87", layers="incidents")
    assert district["layers"]["incidents"] == {"count": 300, "aggregated": False, "cell_deg": None}
    assert len(district["features"]) == 300


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "west,south,east,north"}, "bbox"),
        ({"bbox": "30,50,20,55"}, "bbox"),
        ({"bbox": "20,-95,30,55"}, "bbox"),
        ({"day": "2020-13-01"}, "day"),
        ({"layers": "incidents,satellites"}, "layers"),
        ({"date_from": "2020-08-20", "date_to": "2020-08-10"}, "date_to"),
        ({"status": "secretly-closed"}, "status"),
        ({"unit": "not-a-number"}, "unit"),
        ({"date_from": "yesterday"}, "date_from"),
    ],
)
def test_bad_parameters_are_a_400_with_the_reason(
    world: World, inv_client: Client, params: dict[str, str], field: str
) -> None:
    response = inv_client.get("/map/data/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "The map request is not valid."
    assert field in body["fields"] and body["fields"][field][0]
    assert "features" not in body


def test_the_data_endpoint_needs_a_login_and_get(world: World, inv_client: Client) -> None:
    response = Client().get("/map/data/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert inv_client.post("/map/data/").status_code == 405


# --- page, assets, CSP ------------------------------------------------------------------


def _config(page: bytes) -> dict[str, Any]:
    match = re.search(
        rb'<script id="map-config" type="application/json">(.*?)</script>', page, re.S
    )
    assert match, "the map configuration block is missing"
    return dict(json.loads(match.group(1)))


def test_page_uses_only_vendored_assets_and_no_inline_script(
    world: World, inv_client: Client
) -> None:
    page = inv_client.get("/map/")
    assert page.status_code == 200
    html = page.content
    for asset in [
        "vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css",
        "vendor/leaflet/markercluster/leaflet.markercluster.js",
        "vendor/leaflet/markercluster/MarkerCluster.css", "crimebook/map.js", "crimebook/map.css",
    ]:  # fmt: skip
        assert f"{settings.STATIC_URL}{asset}".encode() in html, asset
        assert finders.find(asset), asset
    for name in ("vendor/leaflet/LICENSE", "vendor/leaflet/markercluster/MIT-LICENCE.txt"):
        assert finders.find(name), name
    scripts = re.findall(rb"<script([^>]*)>(.*?)</script>", html, re.S)
    for attrs, body in scripts:
        assert b"src=" in attrs or b'type="application/json"' in attrs, attrs
        if b"src=" in attrs:
            assert not body.strip()
    assert b"http://" not in html and b"https://" not in html  # nothing from elsewhere
    config = _config(html)
    assert config["dataUrl"] == "/map/data/"
    assert config["tileUrl"] == ""
    for key in ("country", "city"):
        assert finders.find(config[key].removeprefix(settings.STATIC_URL)), config[key]
    assert config["slider"] == {"start": "2020-08-10", "days": 1}


def test_page_passes_its_filters_to_the_data_url(world: World, inv_client: Client) -> None:
    page = inv_client.get("/map/", {"status": "reported", "date_from": "2020-08-01",
                                    "date_to": "2020-08-31", "page_incidents": "1"})  # fmt: skip
    config = _config(page.content)
    assert config["dataUrl"].startswith("/map/data/?")
    assert "status=reported" in config["dataUrl"] and "page_incidents" not in config["dataUrl"]
    assert config["slider"] == {"start": "2020-08-01", "days": 31}


def test_csp_has_no_third_party_host_by_default(world: World, inv_client: Client) -> None:
    for path in ("/map/", "/map/data/", f"/incidents/{world.incident.pk}/"):
        csp = inv_client.get(path)["Content-Security-Policy"]
        assert "script-src 'self';" in csp
        assert re.search(r"img-src 'self' data:;", csp), csp
        assert "http" not in csp, csp


def test_a_configured_tile_source_joins_img_src_only(
    world: World, inv_client: Client, settings: Any
) -> None:
    settings.CRIMEBOOK_MAP_TILE_URL = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    settings.CRIMEBOOK_MAP_TILE_ATTRIBUTION = "© Example <b>contributors</b>"
    page = inv_client.get("/map/")
    csp = page["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.example.org;" in csp
    assert csp.count("example.org") == 1  # not in script-src, connect-src, …
    config = _config(page.content)
    assert config["tileUrl"] == settings.CRIMEBOOK_MAP_TILE_URL
    assert config["tileAttribution"] == "© Example <b>contributors</b>"
    assert b"<b>contributors" not in page.content  # escaped inside the JSON block
    # an invalid template set behind config's back adds nothing
    settings.CRIMEBOOK_MAP_TILE_URL = "https://x.org/{z}/{x}/{y}; script-src *"
    assert "x.org" not in inv_client.get("/map/")["Content-Security-Policy"]


def test_without_javascript_the_page_lists_what_the_map_shows(
    world: World, case_a: Compartment, inv_client: Client
) -> None:
    bulk_incidents(
        Incident(compartment=case_a, title=f"Listed incident {i:02d}", latitude=53.9,
                 longitude=27.55, radius_m=100.0, start=datetime(2020, 8, 9, 20, tzinfo=UTC))
        for i in range(30)
    )  # fmt: skip
    cam = camera(case_a, "CAM-77", 53.91, 27.5)
    page = inv_client.get("/map/")
    html = page.content.decode()
    assert "<noscript>" in html and "The map needs JavaScript" in html
    assert 'id="table-incidents"' in html and 'id="table-cameras"' in html
    assert "31 records" in html and "Page 1 of 2" in html
    assert "page_incidents=2" in html
    assert cam.external_id in html
    second = inv_client.get("/map/", {"page_incidents": 2}).content.decode()
    assert "Page 2 of 2" in second
    assert html.count("Listed incident") + second.count("Listed incident") == 30
    # filters apply to the tables, and a bad filter shows nothing rather than everything
    assert "Listed incident" not in inv_client.get("/map/", {"status": "verified"}).content.decode()
    bad = inv_client.get("/map/", {"date_from": "2020-09-01", "date_to": "2020-08-01"})
    assert bad.status_code == 200
    assert b"Listed incident" not in bad.content and b"map-config" not in bad.content


def test_the_tables_count_at_most_the_lists_cap(
    world: World, case_a: Compartment, inv_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tables' pagers count no further than the incident list's (a country-wide filter
    on a large register would otherwise be counted in full on every page view)."""
    from crimebook.web.views import _common

    monkeypatch.setattr(_common, "COUNT_CAP", 40)
    bulk_incidents(
        Incident(compartment=case_a, title=f"Capped incident {i:02d}", latitude=53.9,
                 longitude=27.55, radius_m=100.0, start=datetime(2020, 8, 9, 20, tzinfo=UTC))
        for i in range(60)
    )  # fmt: skip
    html = inv_client.get("/map/").content.decode()
    assert "More than 40 records: narrow the filters" in html
    assert "Page 1 of 2" in html
    last = inv_client.get("/map/", {"page_incidents": 9}).content.decode()
    assert "Page 2 of 2" in last and last.count("Capped incident") == 15


def _old_type_semi_join(user: Any, query: Any) -> Any:
    """The map's incidents as selected before the type facet came from the list's selector:
    a semi-join to the terms by code (PostgreSQL could not estimate its share)."""
    from crimebook.register.selectors import incidents_for

    start, end, empty = query.period()
    code = query.incidents.violation_type
    filters = dataclasses.replace(query.incidents, date_from=start, date_to=end, violation_type="")
    qs = incidents_for(user, filters)
    if empty:
        return qs.none()
    typed = Incident.violation_types.through.objects.filter(
        incident_id=OuterRef("pk"), term__code=code
    )
    return qs.filter(Exists(typed))


def test_type_filtered_tables_keep_their_html_and_filter_by_term_id(
    world: World, case_a: Compartment, case_b: Compartment, inv_client: Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # GIVEN typed incidents in and around August 2020 (one with two types, some out of range,
    # one in another compartment), two table pages of them
    at = datetime(2020, 8, 9, 18, tzinfo=UTC)
    rows = bulk_incidents(
        Incident(compartment=case_b if i == 7 else case_a, title=f"Typed incident {i:02d}",
                 latitude=53.9, longitude=27.55, radius_m=100.0,
                 start=at + timedelta(hours=4 * i), end=at + timedelta(hours=4 * i + 1))
        for i in range(90)
    )  # fmt: skip
    terms = dict(Term.objects.filter(vocabulary__code="violation_type").values_list("code", "pk"))
    through = Incident.violation_types.through
    through.objects.bulk_create(
        [through(incident_id=r.pk, term_id=terms["torture"]) for r in rows if r.pk % 3]
        + [through(incident_id=r.pk, term_id=terms["arbitrary_detention"]) for r in rows[::2]]
    )
    query = {"violation_type": "torture", "date_from": "2020-08-09", "date_to": "2020-08-21"}
    pages = [{}, {"page_incidents": 2}, {"page_incidents": 3}]

    def html(params: dict[str, Any]) -> str:
        body = inv_client.get("/map/", {**query, **params}).content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)

    # WHEN the page is read, and read again with the old selection by term code
    reset_queries()  # each request empties the log: capture one request from an empty log
    with CaptureQueriesContext(connection) as captured:
        now = [html(pages[0])]
    statements = [q["sql"] for q in captured.captured_queries]  # before the next request
    now += [html(p) for p in pages[1:]]
    monkeypatch.setattr(map_selectors, "map_incidents_for", _old_type_semi_join)
    before = [html(p) for p in pages]
    # THEN the HTML is the same byte for byte, the rows are the typed ones in range ...
    assert now == before
    assert "Page 1 of 2" in now[0] and "Page 2 of 2" in now[1]
    upper = datetime(2020, 8, 21, 21, tzinfo=UTC)  # midnight after 21 Aug in Minsk
    typed = [r for r in rows if r.pk % 3 and r.compartment_id == case_a.pk and r.start < upper]
    assert 25 < len(typed) + 1 <= 50  # + the world's torture incident: two pages
    assert sum(page.count("Typed incident") for page in now[:2]) == len(typed)
    # ... and the incidents table reads the type by its id, no join to the terms by code
    table = [sql for sql in statements if "register_incident_violation" in sql]
    assert table and not any("register_term" in sql for sql in table)


def test_the_page_is_translated(world: World, inv_client: Client) -> None:
    inv_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = inv_client.get("/map/", HTTP_ACCEPT_LANGUAGE="ru")
    assert page.status_code == 200
    assert '<html lang="ru">' in page.content.decode()


def test_mallory_sees_nothing_of_a_on_the_map_page(world: World, outsider_client: Client) -> None:
    html = outsider_client.get("/map/").content.decode()
    assert world.incident.title not in html
    assert world.foreign_incident.title in html


# --- the incident page -------------------------------------------------------------------


def test_incident_page_shows_cameras_and_evidence_near_in_time_and_place(
    world: World, case_a: Compartment, case_b: Compartment, inv_client: Client
) -> None:
    at = datetime(2020, 8, 10, 19, 30, tzinfo=UTC)  # the incident is 19:00–20:00 UTC
    near = camera(case_a, "CAM-NEAR", 53.9100, 27.4960, fov_radius_m=50.0)  # ~80 m away
    recording(near, at - timedelta(minutes=30), hours=1)
    late = camera(case_a, "CAM-LATE", 53.9094, 27.4956)
    recording(late, at + timedelta(hours=5))  # same place, hours later
    far = camera(case_a, "CAM-FAR", 53.95, 27.60)  # kilometres away
    recording(far, at)
    foreign = camera(case_b, "CAM-FOREIGN", 53.9093, 27.4955)
    recording(foreign, at)
    photo = evidence(case_a, "near-photo.jpg", 53.9095, 27.4957, at, gps_accuracy_m=10.0)
    evidence(case_a, "old-photo.jpg", 53.9095, 27.4957, at - timedelta(days=3))
    evidence(case_b, "foreign-photo.jpg", 53.9093, 27.4955, at)
    page = inv_client.get(f"/incidents/{world.incident.pk}/")
    html = page.content.decode()
    assert "CAM-NEAR" in html and "near-photo.jpg" in html
    for absent in ("CAM-LATE", "CAM-FAR", "CAM-FOREIGN", "old-photo.jpg", "foreign-photo.jpg"):
        assert absent not in html, absent
    assert f"/evidence/{photo.pk}/" in html
    config = _config(page.content)
    layers = sorted(f["properties"]["layer"] for f in config["features"])
    assert layers == ["cameras", "evidence", "incidents"]
    assert config["features"][0]["properties"]["radius_m"] == 300.0
    assert 'data-map="incident"' in html


def test_incident_page_shows_communications_whose_cell_area_reaches_it(
    world: World, case_a: Compartment, case_b: Compartment, inv_client: Client
) -> None:
    from crimebook.evidence.models import Communication

    at = datetime(2020, 8, 10, 19, 30, tzinfo=UTC)  # the incident is 19:00–20:00 UTC

    def call(comp: Compartment, label: str, lat: float, lon: float, radius: float,
             start: datetime) -> Communication:  # fmt: skip
        return Communication.objects.create(
            compartment=comp, kind="call", start=start, end=start + timedelta(minutes=3),
            latitude=lat, longitude=lon, radius_m=radius, party_a=label, summary=label,
        )  # fmt: skip

    # a wide cell area centred ~1.4 km away covers the place; the others do not qualify
    near = call(case_a, "subscriber NEAR", 53.9220, 27.4956, 1500.0, at)
    call(case_a, "subscriber FAR", 54.10, 27.80, 500.0, at)
    call(case_a, "subscriber LATE", 53.9094, 27.4956, 500.0, at + timedelta(hours=6))
    call(case_b, "subscriber FOREIGN", 53.9094, 27.4956, 500.0, at)
    page = inv_client.get(f"/incidents/{world.incident.pk}/")
    html = page.content.decode()
    assert f"/communications/{near.pk}/" in html
    features = [f for f in _config(page.content)["features"]
                if f["properties"]["layer"] == "communications"]  # fmt: skip
    assert [f["properties"]["id"] for f in features] == [near.pk]
    assert features[0]["properties"]["radius_m"] == 1500.0
    for other in Communication.objects.exclude(pk=near.pk):
        assert f"/communications/{other.pk}/" not in html


def test_an_incident_without_a_place_has_no_map(case_a: Compartment, inv_client: Client) -> None:
    nowhere = make_incident(case_a, "Somewhere unknown", latitude=None, longitude=None,
                            radius_m=None, place_name="")  # fmt: skip
    html = inv_client.get(f"/incidents/{nowhere.pk}/").content.decode()
    assert "has no position" in html
    assert 'data-map="incident"' not in html


def test_static_map_files_exist() -> None:
    root = Path(__file__).resolve().parents[2] / "src" / "crimebook" / "web" / "static"
    for name in ("crimebook/map.js", "crimebook/map.css", "vendor/leaflet/SHA256SUMS",
                 "vendor/leaflet/images/layers.png"):  # fmt: skip
        assert (root / name).is_file(), name
    assert "innerHTML" not in (root / "crimebook/map.js").read_text()
