"""The map's pure parts: view box parsing, the aggregation grid, layers, days, tile source."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crimebook.config import Config
from crimebook.maps.grid import (
    GRID_CELLS,
    LAYERS,
    WORLD,
    BadParameter,
    Bounds,
    cell_bounds,
    cell_box,
    cell_size_for,
    morton,
    morton_codes,
    parse_bbox,
    parse_day,
    parse_layers,
)
from crimebook.maps.tiles import tile_csp_source, validate_tile_url

ROOT = Path(__file__).resolve().parents[2]


def test_bbox_parses_and_defaults_to_the_world() -> None:
    assert parse_bbox("") == WORLD
    assert parse_bbox(None) == WORLD
    assert parse_bbox("27.4,53.8,27.7,54.0") == Bounds(27.4, 53.8, 27.7, 54.0)
    # Leaflet reports longitudes past ±180 when the world is panned: clamped
    assert parse_bbox("-200,-10,200,10") == Bounds(-180.0, -10.0, 180.0, 10.0)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1,2,3", "format"),
        ("a,b,c,d", "format"),
        ("1,2,3,4,5", "format"),
        ("nan,1,2,3", "finite"),
        ("0,inf,1,2", "finite"),
        ("0,-91,1,2", "latitude"),
        ("0,0,1,100", "latitude"),
        ("10,0,5,1", "west_east"),
        ("170,0,-170,1", "west_east"),
        ("0,5,1,5", "south_north"),
    ],
)
def test_bad_bbox_is_refused_with_a_reason(text: str, code: str) -> None:
    with pytest.raises(BadParameter) as caught:
        parse_bbox(text)
    assert caught.value.field == "bbox"
    assert caught.value.code == code
    assert caught.value.message


def test_layers_and_day() -> None:
    assert parse_layers("") == LAYERS
    assert parse_layers("evidence, incidents") == ("incidents", "evidence")
    with pytest.raises(BadParameter, match="unknown layer satellites"):
        parse_layers("incidents,satellites")
    assert parse_day("2020-08-10") == date(2020, 8, 10)
    assert parse_day(" ") is None
    with pytest.raises(BadParameter):
        parse_day("2020-13-01")


def test_cell_size_is_an_aligned_power_of_two() -> None:
    country = Bounds(23.0, 51.2, 32.8, 56.2)  # Belarus
    size = cell_size_for(country)
    assert size == 0.5  # 9.8° / 32 = 0.31 → 0.5
    district = Bounds(27.45, 53.85, 27.55, 53.92)
    assert cell_size_for(district) == 2.0**-8
    assert cell_size_for(Bounds(0, 0, 1e-9, 1e-9)) == 2.0**-14  # never below the floor
    gx, gy = int((27.56 + 180) // size), int((53.9 + 90) // size)
    cell = cell_bounds(gx, gy, size)
    assert cell.west <= 27.56 < cell.east and cell.south <= 53.9 < cell.north


@given(
    west=st.floats(-180, 179),
    south=st.floats(-90, 89),
    width=st.floats(1e-6, 360),
    height=st.floats(1e-6, 180),
)
def test_a_box_touches_at_most_grid_cells_plus_one_per_side(
    west: float, south: float, width: float, height: float
) -> None:
    box = Bounds(west, south, min(180.0, west + width), min(90.0, south + height))
    size = cell_size_for(box)
    assert max(box.width, box.height) / size <= GRID_CELLS
    assert size >= 2.0**-14


def test_tile_urls_are_checked() -> None:
    assert validate_tile_url("") == ""
    url = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    assert validate_tile_url(url) == url
    assert tile_csp_source(url) == "https://*.tile.example.org"
    assert tile_csp_source("https://tiles.example.net:8443/{z}/{x}/{y}") == (
        "https://tiles.example.net:8443"
    )
    assert tile_csp_source("http://127.0.0.1:8080/{z}/{x}/{y}.png") == "http://127.0.0.1:8080"
    for bad, reason in [
        ("http://tiles.example.org/{z}/{x}/{y}.png", "https"),
        ("https://tiles.example.org/{z}/{x}.png", "{y}"),
        ("https://tiles.example.org/{z}/{x}/{y}/{apikey}", "placeholder"),
        ("https://tiles.example.org/{z}/{x}/{y}; script-src *", "spaces"),
        ("https://user:pw@tiles.example.org/{z}/{x}/{y}", "password"),
        ("javascript:alert(1)//{z}/{x}/{y}", "https"),
        ("https://a.{s}.example.org/{z}/{x}/{y}", "host"),
    ]:
        with pytest.raises(ValueError, match=reason):
            validate_tile_url(bad)


def test_config_reads_and_refuses_tile_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Config().map_tile_url == ""
    monkeypatch.setenv("CRIMEBOOK_MAP_TILE_URL", "https://tiles.example.org/{z}/{x}/{y}.png")
    monkeypatch.setenv("CRIMEBOOK_MAP_TILE_ATTRIBUTION", "© example contributors")
    config = Config()
    assert config.map_tile_url.startswith("https://tiles.example.org/")
    assert config.map_tile_attribution == "© example contributors"
    monkeypatch.setenv("CRIMEBOOK_MAP_TILE_URL", "http://tiles.example.org/{z}/{x}/{y}.png")
    with pytest.raises(ValueError, match="https"):
        Config()


def test_vendored_map_files_match_their_sums() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "vendor_map.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "match SHA256SUMS" in result.stdout


def test_the_sums_check_names_a_changed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import vendor_map
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    static = tmp_path / "static"
    vendor = static / "vendor" / "leaflet"
    basemap = static / "crimebook" / "map"
    vendor.mkdir(parents=True)
    basemap.mkdir(parents=True)
    (vendor / "leaflet.js").write_text("L")
    (basemap / "belarus.geojson").write_text("{}")
    monkeypatch.setattr(vendor_map, "STATIC", static)
    monkeypatch.setattr(vendor_map, "VENDOR", vendor)
    monkeypatch.setattr(vendor_map, "BASEMAP", basemap)
    monkeypatch.setattr(vendor_map, "SUMS", vendor / "SHA256SUMS")
    vendor_map.write_sums()
    assert vendor_map.check() == 0
    (vendor / "leaflet.js").write_text("L; fetch('https://tracker.example')")
    (basemap / "extra.geojson").write_text("{}")
    assert vendor_map.check() == 1


def test_basemap_files_are_valid_geojson_in_belarus() -> None:
    import json

    static = ROOT / "src" / "crimebook" / "web" / "static" / "crimebook" / "map"
    country = json.loads((static / "belarus.geojson").read_text())
    (feature,) = country["features"]
    ring = feature["geometry"]["coordinates"][0]
    assert len(ring) > 500 and ring[0] == ring[-1]
    assert all(23.0 < lon < 33.0 and 51.0 < lat < 56.5 for lon, lat in ring)
    city = json.loads((static / "minsk-simplified.geojson").read_text())
    kinds = {f["properties"]["kind"] for f in city["features"]}
    assert {"city", "avenue", "river"} <= kinds
    assert all(f["properties"]["simplified"] for f in city["features"])
    for f in city["features"]:
        coords = f["geometry"]["coordinates"]
        points = coords[0] if f["geometry"]["type"] == "Polygon" else coords
        assert all(27.3 < lon < 27.8 and 53.75 < lat < 54.0 for lon, lat in points)


@given(
    st.integers(0, 2**20),
    st.integers(0, 2**20),
    st.integers(1, 40),
    st.integers(1, 40),
)
def test_morton_codes_of_a_block_are_each_cells_code(x0: int, y0: int, w: int, h: int) -> None:
    cells = [(x, y) for x in range(x0, x0 + w) for y in range(y0, y0 + h)]
    assert morton_codes(cells) == [morton(x, y) for x, y in cells]


@given(st.integers(0, 4096), st.integers(0, 2048), st.integers(-12, 4))
def test_cell_box_is_the_cells_bounds(gx: int, gy: int, exponent: int) -> None:
    size = 2.0**exponent
    assert cell_box(gx, gy, size) == cell_bounds(gx, gy, size).as_list()
