#!/usr/bin/env python3
"""Re-fetch the map's third-party files from the npm registry and check them.

    python scripts/vendor_map.py          # fetch the pinned versions, verify, write the files
    python scripts/vendor_map.py --check  # verify the files in the tree against SHA256SUMS
    python scripts/vendor_map.py --sums   # after editing the hand-made Minsk layer: new sums

The pinned package tarballs are fetched with ``npm pack`` (the registry's own client) into a
temporary directory and must have exactly the SHA-256 written below; a different tarball is
refused before anything is written. From them this script copies only what the browser loads
(Leaflet's ``leaflet.js``, ``leaflet.css`` and ``images/``, markercluster's minified script and
its two style sheets) with their licence files, and converts the outline of Belarus (ISO 3166
numeric 112) from world-atlas's Natural Earth 1:10m TopoJSON to GeoJSON. It then writes
``SHA256SUMS`` over every vendored file; ``--check`` (run by the tests) recomputes it.

The Minsk layer (``minsk-simplified.geojson``) is hand-compiled and lives in the tree; it is
covered by the same sums but not regenerated here.

Standard library only: no Django, no third-party Python packages.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "src" / "crimebook" / "web" / "static" / "vendor" / "leaflet"
BASEMAP = ROOT / "src" / "crimebook" / "web" / "static" / "crimebook" / "map"
SUMS = VENDOR / "SHA256SUMS"

# package@version -> SHA-256 of the tarball `npm pack` downloads.
PACKAGES = {
    "leaflet@1.9.4": "84c65a256e50657896f54c33bd857b6849ebe94c817803be818bf32a3dde0b77",
    "leaflet.markercluster@1.5.3": (
        "fc6b0b1d00b6c708ae54e43ee4a11ac345e41660e19f0a570190bb35babb1a1c"
    ),
    "world-atlas@2.0.2": "032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97",
}

# (package, path inside the tarball, destination relative to VENDOR or BASEMAP)
COPIES = [
    ("leaflet@1.9.4", "package/dist/leaflet.js", "leaflet.js"),
    ("leaflet@1.9.4", "package/dist/leaflet.css", "leaflet.css"),
    ("leaflet@1.9.4", "package/dist/images/layers.png", "images/layers.png"),
    ("leaflet@1.9.4", "package/dist/images/layers-2x.png", "images/layers-2x.png"),
    ("leaflet@1.9.4", "package/dist/images/marker-icon.png", "images/marker-icon.png"),
    ("leaflet@1.9.4", "package/dist/images/marker-icon-2x.png", "images/marker-icon-2x.png"),
    ("leaflet@1.9.4", "package/dist/images/marker-shadow.png", "images/marker-shadow.png"),
    ("leaflet@1.9.4", "package/LICENSE", "LICENSE"),
    (
        "leaflet.markercluster@1.5.3",
        "package/dist/leaflet.markercluster.js",
        "markercluster/leaflet.markercluster.js",
    ),
    (
        "leaflet.markercluster@1.5.3",
        "package/dist/MarkerCluster.css",
        "markercluster/MarkerCluster.css",
    ),
    (
        "leaflet.markercluster@1.5.3",
        "package/dist/MarkerCluster.Default.css",
        "markercluster/MarkerCluster.Default.css",
    ),
    ("leaflet.markercluster@1.5.3", "package/MIT-LICENCE.txt", "markercluster/MIT-LICENCE.txt"),
]
ATLAS = ("world-atlas@2.0.2", "package/countries-10m.json")
ATLAS_LICENSE = ("world-atlas@2.0.2", "package/LICENSE")
BELARUS_ID = "112"

# Files covered by SHA256SUMS, relative to the static root (src/crimebook/web/static).
STATIC = ROOT / "src" / "crimebook" / "web" / "static"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(spec: str, into: Path) -> Path:
    """``npm pack`` one pinned package and check its tarball's SHA-256."""
    command = ["npm", "pack", spec, "--silent", "--pack-destination", str(into)]
    out = subprocess.run(  # noqa: S603 - fixed arguments, pinned specs; npm from PATH
        command,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    if not out:
        raise SystemExit(f"npm pack {spec} printed no file name")
    tarball = into / out[-1]
    got = sha256(tarball)
    if got != PACKAGES[spec]:
        raise SystemExit(f"{spec}: tarball SHA-256 {got} is not the pinned {PACKAGES[spec]}")
    return tarball


def member(tarball: Path, name: str) -> bytes:
    with tarfile.open(tarball) as tar:
        info = tar.getmember(name)
        fh = tar.extractfile(info)
        if fh is None:
            raise SystemExit(f"{tarball.name}: {name} is not a file")
        return fh.read()


def topology_object_to_geojson(topology: dict[str, Any], geometry: dict[str, Any]) -> Any:
    """Decode one TopoJSON (quantized, delta-encoded) Polygon/MultiPolygon to GeoJSON."""
    scale = topology["transform"]["scale"]
    translate = topology["transform"]["translate"]

    def arc_points(index: int) -> list[list[float]]:
        arc = topology["arcs"][index if index >= 0 else ~index]
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append([
                round(x * scale[0] + translate[0], 5),
                round(y * scale[1] + translate[1], 5),
            ])  # fmt: skip
        return points if index >= 0 else points[::-1]

    def ring(indexes: list[int]) -> list[list[float]]:
        coords: list[list[float]] = []
        for i, index in enumerate(indexes):
            pts = arc_points(index)
            coords.extend(pts if i == 0 else pts[1:])
        return coords

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["arcs"]]}
    if geometry["type"] == "MultiPolygon":
        return {
            "type": "MultiPolygon",
            "coordinates": [[ring(r) for r in poly] for poly in geometry["arcs"]],
        }
    raise SystemExit(f"unexpected geometry type {geometry['type']}")


def belarus_geojson(atlas: bytes, licence: bytes) -> str:
    topology = json.loads(atlas)
    (geometry,) = [
        g for g in topology["objects"]["countries"]["geometries"] if str(g.get("id")) == BELARUS_ID
    ]
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"kind": "country", "name": "Belarus", "iso_n3": BELARUS_ID},
                "geometry": topology_object_to_geojson(topology, geometry),
            }
        ],
        "source": (
            "Natural Earth 1:10m admin-0 countries (public domain) via world-atlas 2.0.2 "
            "(ISC, Michael Bostock); converted by scripts/vendor_map.py"
        ),
    }
    del licence  # the ISC notice is written next to the file
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n"


def vendored_files() -> list[Path]:
    files = [p for p in VENDOR.rglob("*") if p.is_file() and p != SUMS]
    files += [p for p in BASEMAP.rglob("*") if p.is_file()]
    return sorted(files)


def write_sums() -> None:
    lines = [f"{sha256(p)}  {p.relative_to(STATIC).as_posix()}\n" for p in vendored_files()]
    SUMS.write_text("".join(lines), encoding="utf-8")


def check() -> int:
    """Compare every listed file with SHA256SUMS; name what differs, is missing or extra."""
    if not SUMS.exists():
        print(f"missing {SUMS.relative_to(ROOT)}; run scripts/vendor_map.py", file=sys.stderr)
        return 1
    expected = {}
    for line in SUMS.read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        expected[name] = digest
    present = {p.relative_to(STATIC).as_posix(): p for p in vendored_files()}
    problems = []
    for name, digest in sorted(expected.items()):
        if name not in present:
            problems.append(f"missing: {name}")
        elif sha256(present[name]) != digest:
            problems.append(f"changed: {name}")
    problems += [f"not listed: {name}" for name in sorted(set(present) - set(expected))]
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"{len(expected)} vendored map files match SHA256SUMS")
    return 1 if problems else 0


def vendor() -> int:
    if shutil.which("npm") is None:
        print("npm is needed to fetch the packages (apt-get install npm)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        tarballs = {spec: fetch(spec, Path(tmp)) for spec in PACKAGES}
        if VENDOR.exists():
            shutil.rmtree(VENDOR)
        for spec, name, dest in COPIES:
            target = VENDOR / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(member(tarballs[spec], name))
        BASEMAP.mkdir(parents=True, exist_ok=True)
        atlas = member(tarballs[ATLAS[0]], ATLAS[1])
        licence = member(tarballs[ATLAS_LICENSE[0]], ATLAS_LICENSE[1])
        (BASEMAP / "belarus.geojson").write_text(belarus_geojson(atlas, licence), "utf-8")
        (BASEMAP / "belarus.LICENSE.txt").write_bytes(
            b"Outline of Belarus: Natural Earth 1:10m (public domain), from the npm package\n"
            b"world-atlas 2.0.2, whose licence follows.\n\n" + licence
        )
    write_sums()
    print(f"vendored {', '.join(PACKAGES)} into {VENDOR.relative_to(ROOT)}")
    return check()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only verify SHA256SUMS")
    parser.add_argument("--sums", action="store_true", help="only rewrite SHA256SUMS")
    args = parser.parse_args()
    if args.sums:
        write_sums()
        return check()
    return check() if args.check else vendor()


if __name__ == "__main__":
    sys.exit(main())
