"""Make the map data in data/geo/ (run by hand when the source or the mapping changes).

    python scripts/make_area_map.py                        # dissolve data/geo/stadsdelar.geo.json
    python scripts/make_area_map.py --source /work/shared/geo   # first re-copy the source files

With ``--source DIR``: DIR/stadsdelar.geo.json and DIR/vatten.geo.json are copied into data/geo/
with their coordinates snapped to a 5-decimal grid (about 1 m; repeated points drop out) and
kept valid (checked, the run stops otherwise).

Always: the 117 stadsdelar are joined to data/stadsdelsomraden.csv and dissolved into the 13
stadsdelsområden, written to data/geo/stadsdelsomraden.geo.json (one feature per area, property
``district``), and the water is simplified for the map into data/geo/vatten.karta.geo.json.

The source polygons were simplified one by one, so neighbours leave slivers (at most about
0.001 km²) between them: the dissolve closes them with a 10 m buffer out and back in and drops
holes smaller than HOLE_MIN_KM2 (no area has a real hole). Shapely is needed here only; the
dashboard reads the GeoJSON written here (dashboard/geo.py).
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path
from typing import Any

from shapely import set_precision
from shapely.geometry import MultiPolygon, Point, Polygon, shape
from shapely.geometry.polygon import orient
from shapely.ops import polylabel, unary_union

ROOT = Path(__file__).resolve().parent.parent
GEO_DIR = ROOT / "data" / "geo"
MAPPING = ROOT / "data" / "stadsdelsomraden.csv"
DISTRICTS = ROOT / "data" / "districts.csv"

DECIMALS = 5
CLOSE_DEG = 0.0001          # ≈ 6 m east-west, 11 m north-south: closes the slivers between stadsdelar
# Simplification tolerances in degrees: the map shows the city's 0.44° of longitude in 600-1800 px,
# about 0.00025-0.0007° a pixel, so these stay below a pixel.
AREA_SIMPLIFY_DEG = 0.0001   # ≈ 6 m east-west, 11 m north-south
WATER_SIMPLIFY_DEG = 0.0002   # ≈ 11 m east-west, 22 m north-south
HOLE_MIN_KM2 = 0.01
WATER_MIN_KM2 = 0.005       # lakes and ponds smaller than this (a few pixels) are left out of the map
# Names placed by hand where the automatic place would collide with a neighbour's name:
# Norrmalm's and Östermalm's points lie ~0.04° apart (their names overlap); these are on land
# in Vasastaden and on Ladugårdsgärdet (checked when the file is made).
LABEL_AT = {"Norrmalm": (18.045, 59.342), "Östermalm": (18.106, 59.343)}
KM2_PER_DEG2 = (111.32 ** 2) * math.cos(math.radians(59.33))


def _clean_ring(coords) -> list[list[float]]:
    """A ring of grid-snapped points as [lon, lat] (the float noise of the snapping rounded off)."""
    return [[round(x, DECIMALS), round(y, DECIMALS)] for x, y, *_ in coords]


def _geojson_polygons(geom) -> dict[str, Any]:
    """A (Multi)Polygon as GeoJSON with coordinates on a 5-decimal grid (shapely's set_precision,
    which keeps the geometry valid where plain rounding could make two rings cross) and exterior
    rings clockwise, holes counter-clockwise: the winding of the source files and the one d3-geo
    (Vega's geoshape) needs -- the other way round it fills the whole globe except the polygon."""
    snapped = set_precision(geom, 10 ** -DECIMALS)
    if not snapped.is_valid or snapped.geom_type not in ("Polygon", "MultiPolygon"):
        sys.exit(f"not a valid polygon on the {DECIMALS}-decimal grid: {snapped.geom_type}")
    polys = [orient(p, sign=-1.0) for p in (snapped.geoms if isinstance(snapped, MultiPolygon) else [snapped])]
    rings = [[_clean_ring(p.exterior.coords)] + [_clean_ring(r.coords) for r in p.interiors] for p in polys]
    if len(rings) == 1:
        return {"type": "Polygon", "coordinates": rings[0]}
    return {"type": "MultiPolygon", "coordinates": rings}


def _collection(name: str, features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "name": name,
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
            "features": features}


def _write(path: Path, data: dict[str, Any]) -> None:
    """Compact JSON, one feature a line (small files, readable diffs)."""
    head = {k: v for k, v in data.items() if k != "features"}
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in data["features"]]
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    text += ',"features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1000:.0f} kB)")


def copy_source(source: Path) -> None:
    """Rounded, valid copies of the source files in data/geo/."""
    GEO_DIR.mkdir(parents=True, exist_ok=True)
    for name in ("stadsdelar.geo.json", "vatten.geo.json"):
        data = json.loads((source / name).read_text(encoding="utf-8"))
        for feature in data["features"]:
            feature["geometry"] = _geojson_polygons(shape(feature["geometry"]))
        _write(GEO_DIR / name, data)


def read_mapping() -> dict[str, str]:
    with MAPPING.open(encoding="utf-8", newline="") as fh:
        return {row["stadsdel"]: row["stadsdelsomrade"] for row in csv.DictReader(fh)}


def current_districts() -> list[str]:
    with DISTRICTS.open(encoding="utf-8", newline="") as fh:
        return [row["name"] for row in csv.DictReader(fh) if not row["valid_to"]]


def _without_small_holes(geom) -> Polygon | MultiPolygon:
    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    kept = [Polygon(p.exterior, [r for r in p.interiors if Polygon(r).area * KM2_PER_DEG2 >= HOLE_MIN_KM2])
            for p in polys]
    return kept[0] if len(kept) == 1 else MultiPolygon(kept)


def label_point(district: str, area, water) -> tuple[float, float]:
    """Where the area's name goes: the pole of inaccessibility of its largest piece of land
    (the point farthest inside it), so the label sits on land, away from the borders; or the
    place in LABEL_AT, which must be on the area's land."""
    land = area.difference(water)
    if district in LABEL_AT:
        if not land.contains(Point(LABEL_AT[district])):
            sys.exit(f"{district}: the label place {LABEL_AT[district]} is not on its land")
        return LABEL_AT[district]
    pieces = list(land.geoms) if isinstance(land, MultiPolygon) else [land]
    biggest = max(pieces, key=lambda p: p.area)
    point = polylabel(biggest, tolerance=0.0002)
    return round(point.x, DECIMALS), round(point.y, DECIMALS)


def dissolve() -> None:
    source = json.loads((GEO_DIR / "stadsdelar.geo.json").read_text(encoding="utf-8"))
    water = json.loads((GEO_DIR / "vatten.geo.json").read_text(encoding="utf-8"))
    water_geom = unary_union([shape(f["geometry"]) for f in water["features"]])
    area_of = read_mapping()
    districts = current_districts()
    parts: dict[str, list] = {d: [] for d in districts}
    for feature in source["features"]:
        name = feature["properties"]["name"]
        area = area_of.get(name)
        if area not in parts:
            sys.exit(f"{name}: no stadsdelsområde in {MAPPING.name} (or not a current district: {area})")
        parts[area].append(shape(feature["geometry"]))
    features = []
    for district in districts:
        if not parts[district]:
            sys.exit(f"{district}: no stadsdel maps to it")
        merged = unary_union(parts[district]).buffer(CLOSE_DEG, join_style="mitre").buffer(
            -CLOSE_DEG, join_style="mitre")
        merged = _without_small_holes(merged).simplify(AREA_SIMPLIFY_DEG, preserve_topology=True)
        if not merged.is_valid or merged.geom_type != "Polygon":
            sys.exit(f"{district}: the dissolved area is {merged.geom_type} (valid: {merged.is_valid})")
        lon, lat = label_point(district, merged, water_geom)
        features.append({"type": "Feature", "properties": {"district": district,
                                                           "stadsdelar": len(parts[district]),
                                                           "label_lon": lon, "label_lat": lat},
                         "geometry": _geojson_polygons(merged)})
    _write(GEO_DIR / "stadsdelsomraden.geo.json", _collection("stadsdelsomraden", features))

    geom = water_geom
    polys = [p for p in (geom.geoms if isinstance(geom, MultiPolygon) else [geom])
             if p.area * KM2_PER_DEG2 >= WATER_MIN_KM2]
    simple = MultiPolygon(polys).simplify(WATER_SIMPLIFY_DEG, preserve_topology=True)
    simple = _without_small_holes(simple)     # islets of a few pixels drawn as water
    if not simple.is_valid:
        simple = simple.buffer(0)
    _write(GEO_DIR / "vatten.karta.geo.json",
           _collection("vatten_karta", [{"type": "Feature", "properties": {"layer": "vatten"},
                                          "geometry": _geojson_polygons(simple)}]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="folder with the source stadsdelar/vatten GeoJSON")
    args = parser.parse_args()
    if args.source:
        copy_source(args.source)
    dissolve()


if __name__ == "__main__":
    main()
