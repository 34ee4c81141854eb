"""The map data endpoint's fast paths give what the plain ORM path and the full filter form
give: the camera and evidence layers through statements compiled once
(``maps/_compiled.py``) and the endpoint without filters through ``MapViewForm``. Compared
field by field, for readers of different compartments and roles, and byte for byte at the
endpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

import pytest
from django.http import QueryDict

from crimebook.accounts.models import Compartment, User
from crimebook.maps import _compiled
from crimebook.maps import selectors as maps
from crimebook.maps.grid import Bounds
from crimebook.maps.selectors import Cluster
from crimebook.register.selectors import IncidentFilter
from crimebook.web.forms.maps import MapDataForm, MapViewForm, has_filters
from crimebook.web.views import maps as views
from tests.web.conftest import World, logged_in_client
from tests.web.test_map import camera, evidence, recording

pytestmark = pytest.mark.django_db

BOXES = (
    Bounds(27.3, 53.8, 27.8, 54.0),
    Bounds(23.0, 51.2, 32.8, 56.2),
    Bounds(27.549, 53.899, 27.551, 53.901),
    Bounds(-180.0, -90.0, 180.0, 90.0),
    Bounds(10.0, 10.0, 11.0, 11.0),  # nothing there
)


@pytest.fixture(autouse=True)
def fresh_statements() -> Iterator[None]:
    _compiled._STATEMENTS.clear()
    yield
    _compiled._STATEMENTS.clear()


@pytest.fixture
def records(world: World, case_a: Compartment, case_b: Compartment) -> None:
    for n in range(12):
        compartment = case_a if n % 3 else case_b
        lat, lon = 53.90 + n * 1e-3, 27.55 + (n % 4) * 1e-3
        cam = camera(compartment, f"C-{n}", lat, lon, fov_radius_m=30.0 + n)
        recording(cam, datetime(2020, 8, 10 + n % 3, 18, tzinfo=UTC))
        captured = datetime(2020, 8, 10 + n % 3, 19, tzinfo=UTC) if n % 5 else None
        evidence(compartment, f"e{n}.jpg", lat, lon, captured, gps_accuracy_m=5.0 * n)
    camera(case_a, "far", 53.67, 23.81)
    evidence(case_a, "far.jpg", 53.67, 23.81, datetime(2020, 8, 11, 9, tzinfo=UTC))


@pytest.fixture
def readers(
    investigator: User, reader: User, outsider: User, make_user: Any, case_a: Compartment,
    case_b: Compartment,
) -> list[User]:  # fmt: skip
    both = make_user(role="analyst", compartments=(case_a, case_b))
    return [investigator, outsider, both, reader, make_user(role="administrator")]


def _queries() -> list[maps.MapQuery]:
    out = []
    for bounds in BOXES:
        for max_points in (500, 3):  # 3: more points than allowed, the grid cells
            out += [
                maps.MapQuery(bounds=bounds, max_points=max_points),
                maps.MapQuery(bounds=bounds, max_points=max_points, day=date(2020, 8, 11)),
                maps.MapQuery(
                    bounds=bounds,
                    max_points=max_points,
                    incidents=IncidentFilter(date_from=date(2020, 8, 10)),
                ),
            ]
    return out


def _compiled_layer(name: str, source: Any, user: User, query: maps.MapQuery) -> Any:
    return maps._compiled_layer(name, partial(source, user, query), user, query)


def _fresh(user: User) -> User:
    """The user as a request loads it (no remembered compartments)."""
    return User.objects.get(pk=user.pk)


@pytest.mark.usefixtures("records")
def test_compiled_layers_equal_the_orm_layers(readers: list[User]) -> None:
    sources = {"cameras": maps._cameras, "evidence": maps._evidence}
    # every reader twice, the first pass compiling, the second reusing another reader's
    # boxes: a statement is never another reader's
    for _ in range(2):
        for query in _queries():
            for user in readers:
                for name, source in sources.items():
                    expected = maps._layer(name, source(_fresh(user), query), query)
                    got = _compiled_layer(name, source, _fresh(user), query)
                    assert got == expected, (name, user.username, query)
    # the fast path is taken: points and cells, with and without dates, on this database
    compiled = {
        (key[-1], key[5] != (None, None, False)) for key, s in _compiled._STATEMENTS.items() if s
    }
    assert compiled == {("points", False), ("points", True), ("cells", False), ("cells", True)}
    aggregated = [
        _compiled_layer(name, source, _fresh(readers[2]), q)
        for q in _queries()
        for name, source in sources.items()
    ]
    assert any(r.aggregated for r in aggregated) and any(r.points for r in aggregated)


@pytest.mark.usefixtures("records")
def test_one_statement_per_reader_compartments_and_period(
    readers: list[User], monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled: list[int] = []
    real = _compiled._compile

    def counting(build: Any, count: int) -> Any:
        compiled.append(count)
        return real(build, count)

    monkeypatch.setattr(_compiled, "_compile", counting)
    investigator = readers[0]
    for bounds in BOXES:
        query = maps.MapQuery(bounds=bounds)
        maps.map_layers_for(_fresh(investigator), query)
    assert len(compiled) == 2  # cameras and evidence points, whatever the box
    maps.map_layers_for(_fresh(readers[1]), maps.MapQuery())  # other compartments: compiled
    assert len(compiled) == 4


def test_no_compartment_reads_nothing_and_caches_nothing(world: World, make_user: Any) -> None:
    admin = make_user(role="administrator")
    for result in maps.map_layers_for(admin, maps.MapQuery()):
        assert result.count == 0 and not result.points and not result.clusters
    assert not _compiled._STATEMENTS


@pytest.mark.parametrize(
    "query",
    [
        "",
        "bbox=27.3,53.8,27.8,54.0",
        "layers=cameras,evidence&day=2020-08-11",
        "bbox=1,2,3",
        "bbox=30,50,20,55",
        "day=2020-13-01",
        "layers=incidents,satellites",
        "status=&q=&place=&unit=&date_from=&date_to=&bbox=23.0,51.2,32.8,56.2",
        "layers=detention&layers=cameras&zoom=9",
    ],
)
def test_the_view_form_cleans_as_the_full_form(
    world: World, investigator: User, query: str
) -> None:
    params = QueryDict(query)
    assert not has_filters(params)
    full = MapDataForm(params, user=investigator)
    light = MapViewForm(params)
    assert full.is_valid() == light.is_valid()
    if full.is_valid():
        assert views._query(full.cleaned_data, bounds=full.cleaned_data["bbox"]) == views._query(
            light.cleaned_data, bounds=light.cleaned_data["bbox"]
        )
        assert (full.cleaned_data["day"], full.cleaned_data["layers"]) == (
            light.cleaned_data["day"], light.cleaned_data["layers"],
        )  # fmt: skip
    else:
        assert full.errors == light.errors


@pytest.mark.parametrize("query", ["status=verified", "q=x", "unit=1", "status= ", "place=&q=a"])
def test_any_filter_value_takes_the_full_form(query: str) -> None:
    assert has_filters(QueryDict(query))


URLS = [
    "/map/data/",
    "/map/data/?bbox=27.3,53.8,27.8,54.0",
    "/map/data/?bbox=23.0,51.2,32.8,56.2&zoom=6",
    "/map/data/?bbox=27.549,53.899,27.551,53.901&layers=cameras,evidence",
    "/map/data/?day=2020-08-11",
    "/map/data/?date_from=2020-08-10&layers=evidence",
    "/map/data/?status=verified&bbox=27.3,53.8,27.8,54.0",
    "/map/data/?bbox=30,50,20,55",
    "/map/data/?layers=incidents,satellites",
    "/map/data/?status=secretly-closed",
]


@pytest.mark.usefixtures("records")
def test_the_endpoint_answers_as_the_old_path(
    readers: list[User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Byte for byte: each answer of the fast paths, then of the ORM, full-form and
    ``json.dumps`` path."""
    real_query = views._query
    monkeypatch.setattr(  # few points allowed: the grid cells too
        views, "_query", lambda data, **extra: replace(real_query(data, **extra), max_points=3)
    )
    clients = [logged_in_client(user) for user in readers[:4]]
    fast = [[c.get(url) for url in URLS] for c in clients]

    def orm_layer(name: str, source: Any, user: Any, query: maps.MapQuery) -> maps.LayerResult:
        return maps._layer(name, source(), query)

    def dict_clusters(layer: str, clusters: Any, size: float) -> list[str]:
        return [views._dumps(f) for f in views._clusters(layer, clusters, size)]

    def reencoded(head: dict[str, Any], features: list[str]) -> str:
        return views._dumps({**head, "features": json.loads("[" + ", ".join(features) + "]")})

    monkeypatch.setattr(maps, "_compiled_layer", orm_layer)
    monkeypatch.setattr(views, "has_filters", lambda data: True)
    monkeypatch.setattr(views, "_clusters_json", dict_clusters)
    monkeypatch.setattr(views, "_collection_json", reencoded)
    old = [[c.get(url) for url in URLS] for c in clients]
    for fast_answers, old_answers in zip(fast, old, strict=True):
        for url, a, b in zip(URLS, fast_answers, old_answers, strict=True):
            assert (a.status_code, a.content) == (b.status_code, b.content), url
    assert {r.status_code for answers in fast for r in answers} == {200, 400}


def test_cells_written_as_json_dumps_writes_them() -> None:
    size = 2.0**-9
    cells = [
        Cluster(100_000, 20_000, 1, 53.90123456789012, 27.5),
        Cluster(0, 0, 12_345_678, -89.99, -179.99),
        Cluster(92_159, 46_079, 2, 89.999, 179.999),  # the last cell: clamped at 180 and 90
        Cluster(5, 6, 3, float("nan"), 1.0),  # not finite: through json.dumps
        Cluster(5, 6, 3, 1e-300, -0.0),
        *(Cluster(100_000 + i % 3, 20_000 + i // 3, i, 53.9 + i / 7, 27.5) for i in range(9)),
        Cluster(0, 46_079, 4, 89.9, -179.9),  # a column and a row seen before
    ]
    for layer, box in (("incidents", size), ("cameras", 0.5), ("evidence", 180.0)):
        written = views._clusters_json(layer, cells, box)
        assert written == [views._dumps(f) for f in views._clusters(layer, cells, box)]
    head = {"type": "FeatureCollection", "bbox": [1.5, 2.0, 3.0, 4.0], "day": None, "layers": {}}
    features = [views._dumps({"a": [1, 2.5]}), views._dumps({"b": "ü"})]
    whole = {**head, "features": [{"a": [1, 2.5]}, {"b": "ü"}]}
    assert views._collection_json(head, features) == views._dumps(whole)
    assert views._collection_json(head, []) == views._dumps({**head, "features": []})
