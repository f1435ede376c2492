"""The district map: its data (data/geo/, data/stadsdelsomraden.csv) and dashboard.geo.district_map.

The chart tests render the spec with vl-convert and read the SVG Vega draws: each area is a
<path> whose aria-label Vega-Lite builds from the mark's encoded fields (the tooltip among
them), so fill, outline and tooltip text are checked as drawn, not as the builder meant them.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
import subprocess
import sys
from collections import Counter
from html import unescape
from pathlib import Path

import polars as pl
import pytest

shapely = pytest.importorskip("shapely")
from shapely.geometry import LinearRing, Point, shape  # noqa: E402
from shapely.ops import unary_union  # noqa: E402

from dashboard import geo  # noqa: E402
from dashboard.chart_style import ATTAINMENT_COLORS, MINE_COLOR  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GEO_DIR = ROOT / "data" / "geo"
KM2_PER_DEG2 = (111.32 ** 2) * math.cos(math.radians(59.33))
NBSP = "\u00a0"


def _read_json(name: str) -> dict:
    return json.loads((GEO_DIR / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def stadsdel_shapes() -> dict[str, object]:
    return {f["properties"]["name"]: shape(f["geometry"]) for f in _read_json("stadsdelar.geo.json")["features"]}


@pytest.fixture(scope="module")
def mapping_rows() -> list[dict[str, str]]:
    with (ROOT / "data" / "stadsdelsomraden.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def current_districts() -> set[str]:
    with (ROOT / "data" / "districts.csv").open(encoding="utf-8", newline="") as fh:
        return {row["name"] for row in csv.DictReader(fh) if not row["valid_to"]}


# --- the data -------------------------------------------------------------------------------

def test_every_stadsdel_is_mapped_exactly_once(stadsdel_shapes, mapping_rows):
    names = [row["stadsdel"] for row in mapping_rows]
    assert [n for n, c in Counter(names).items() if c > 1] == []
    assert set(names) == set(stadsdel_shapes)
    assert len(stadsdel_shapes) == 117


def test_areas_are_the_current_districts(mapping_rows, current_districts):
    areas = Counter(row["stadsdelsomrade"] for row in mapping_rows)
    assert set(areas) == current_districts
    assert len(current_districts) == 13
    assert min(areas.values()) >= 1


def test_areas_named_in_the_source_readme(mapping_rows):
    # /work/shared/geo/README.md lists two areas in full: an independent check of the mapping
    members: dict[str, set[str]] = {}
    for row in mapping_rows:
        members.setdefault(row["stadsdelsomrade"], set()).add(row["stadsdel"])
    assert members["Rinkeby-Kista"] == {"AKALLA", "HANSTA", "HUSBY", "KISTA", "RINKEBY"}
    assert members["Skärholmen"] == {"BREDÄNG", "SKÄRHOLMEN", "SÄTRA", "VÅRBERG"}


def test_each_area_is_one_connected_region(stadsdel_shapes, mapping_rows):
    members: dict[str, list] = {}
    for row in mapping_rows:
        members.setdefault(row["stadsdelsomrade"], []).append(stadsdel_shapes[row["stadsdel"]])
    split = {area: len(u.geoms) for area, u in ((a, unary_union(p)) for a, p in members.items())
             if u.geom_type != "Polygon"}
    assert split == {}


def test_source_copies_are_valid_and_wound_for_d3():
    for name in ("stadsdelar.geo.json", "vatten.geo.json"):
        for feature in _read_json(name)["features"]:
            geom = shape(feature["geometry"])
            assert geom.is_valid, (name, feature["properties"])
            polygons = feature["geometry"]["coordinates"]
            if feature["geometry"]["type"] == "Polygon":
                polygons = [polygons]
            # d3-geo (Vega) fills the rest of the globe for a counter-clockwise outer ring
            assert not any(LinearRing(p[0]).is_ccw for p in polygons), name


def test_dissolved_areas_match_the_stadsdelar(stadsdel_shapes, mapping_rows, current_districts):
    """data/geo/stadsdelsomraden.geo.json is made from the source and the mapping (a stale file
    after a change of the mapping fails here): each area covers its stadsdelar's union."""
    features = _read_json("stadsdelsomraden.geo.json")["features"]
    assert sorted(f["properties"]["district"] for f in features) == sorted(current_districts)
    dissolved = {f["properties"]["district"]: f for f in features}
    for area in current_districts:
        parts = unary_union([stadsdel_shapes[r["stadsdel"]] for r in mapping_rows if r["stadsdelsomrade"] == area])
        feature = dissolved[area]
        geom = shape(feature["geometry"])
        assert geom.is_valid and geom.geom_type == "Polygon", area
        assert not LinearRing(feature["geometry"]["coordinates"][0]).is_ccw, area
        # the dissolve closes slivers and simplifies below a pixel; a stadsdel in the wrong
        # area would differ by at least the smallest stadsdel (Riddarholmen, 0.2 km²); the slivers
        # and the simplification add up to 0.01-0.04 km² over an area's border
        assert geom.symmetric_difference(parts).area * KM2_PER_DEG2 < 0.1, area
        label = Point(feature["properties"]["label_lon"], feature["properties"]["label_lat"])
        assert geom.contains(label), area


def test_areas_do_not_overlap():
    shapes = [shape(f["geometry"]) for f in _read_json("stadsdelsomraden.geo.json")["features"]]
    overlap = sum(a.intersection(b).area for i, a in enumerate(shapes) for b in shapes[i + 1:])
    assert overlap * KM2_PER_DEG2 < 0.05


def test_map_water_follows_the_source_water():
    water = unary_union([shape(f["geometry"]) for f in _read_json("vatten.geo.json")["features"]])
    simple = unary_union([shape(f["geometry"]) for f in geo.water_features()])
    assert simple.is_valid
    difference = simple.symmetric_difference(water)
    assert difference.area < 0.05 * water.area
    # only slivers along the shores and ponds of a few pixels: no lake or bay lost
    pieces = list(getattr(difference, "geoms", [difference]))
    assert max(p.area for p in pieces) * KM2_PER_DEG2 < 0.05


# --- the chart ------------------------------------------------------------------------------

def _paths(chart) -> list[dict[str, str]]:
    """The drawn geoshapes of the chart's SVG in drawing order: aria-label (where the mark has
    encoded fields), fill, stroke, stroke-width, and "layer", the layer's name in the spec."""
    vlc = pytest.importorskip("vl_convert")
    svg = vlc.vegalite_to_svg(chart.to_dict())
    out = []
    for group in re.finditer(r'<g class="mark-shape role-mark (\w+)"[^>]*>(.*?)</g>', svg, re.S):
        for tag in re.findall(r"<path\b[^>]*>", group.group(2)):
            attrs = {k: unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', tag) if k != "d"}
            out.append(attrs | {"layer": group.group(1)})
    return out


def _area_paths(paths, name: str) -> list[dict[str, str]]:
    return [p for p in paths if f"Stadsdel: {name};" in p.get("aria-label", "") + ";"]


def _frame(values: dict[str, float | None], reasons: dict[str, str] | None = None) -> pl.DataFrame:
    reasons = reasons or {}
    return pl.DataFrame({"district": list(values), "outcome": list(values.values()),
                         "missing_reason": [reasons.get(d) for d in values]},
                        schema={"district": pl.String, "outcome": pl.Float64, "missing_reason": pl.String})


def test_missing_district_is_grey_with_its_reason():
    names = geo.map_districts()
    absent, empty = "Farsta", "Kungsholmen"
    values: dict[str, float | None] = {d: 10.0 + i for i, d in enumerate(names) if d != absent}
    values[empty] = None
    chart = geo.district_map(_frame(values, {empty: "inget dokument för året"}), width=500)
    paths = _paths(chart)
    (gone,) = _area_paths(paths, absent)
    (blank,) = _area_paths(paths, empty)
    assert gone["fill"].lower() == geo.MISSING_FILL
    assert blank["fill"].lower() == geo.MISSING_FILL
    assert f"Inget värde: {geo.MISSING_TEXT}" in gone["aria-label"]
    assert "Inget värde: inget dokument för året" in blank["aria-label"]
    others = [p for d in names if d not in (absent, empty) for p in _area_paths(paths, d)]
    assert len(others) == len(names) - 2
    assert all(p["fill"].lower() != geo.MISSING_FILL for p in others)
    # the sequential scale: a larger value is drawn darker
    def lightness(path):
        r, g, b = (int(x) for x in re.findall(r"\d+", path["fill"])[:3])
        return r + g + b
    low, high = _area_paths(paths, names[0])[0], _area_paths(paths, names[-1])[0]
    assert lightness(low) > lightness(high)


def test_chosen_district_is_outlined():
    names = geo.map_districts()
    frame = _frame({d: float(i) for i, d in enumerate(names)})
    outlined = [p for p in _paths(geo.district_map(frame, chosen="Bromma", width=500)) if "fill" not in p]
    assert len(outlined) == 1
    assert "Stadsdel: Bromma" in outlined[0]["aria-label"]
    assert outlined[0]["stroke"].lower() == MINE_COLOR
    assert float(outlined[0]["stroke-width"]) >= 2.5
    assert [p for p in _paths(geo.district_map(frame, width=500)) if "fill" not in p] == []
    # a name that is not a district outlines nothing
    assert [p for p in _paths(geo.district_map(frame, chosen="Atlantis", width=500)) if "fill" not in p] == []


def test_tooltip_has_swedish_number_format():
    names = geo.map_districts()
    frame = _frame({d: 1234.5 if d == "Södermalm" else 1.0 for d in names}).with_columns(unit=pl.lit("kr"))
    (path,) = _area_paths(_paths(geo.district_map(frame, width=500)), "Södermalm")
    assert f"Utfall: 1{NBSP}234,5{NBSP}kr" in path["aria-label"]


def test_attainment_colours_and_labels():
    names = geo.map_districts()
    codes = ["met", "not_met", "no_target", "missing", None]
    frame = pl.DataFrame({"district": names, "outcome": [1.0] * len(names),
                          "attainment": [codes[i % len(codes)] for i in range(len(names))]})
    paths = _paths(geo.district_map(frame, color_kind="attainment", width=500))
    for i, name in enumerate(names):
        code = codes[i % len(codes)] or "missing"
        (path,) = _area_paths(paths, name)
        assert path["fill"].lower() == ATTAINMENT_COLORS[code], name
        if code != "missing":
            assert f"Måluppfyllelse: {geo.ATTAINMENT_LABELS[code]}" in path["aria-label"]
        else:
            assert f"Inget värde: {geo.MISSING_TEXT}" in path["aria-label"]


def test_water_is_drawn_over_the_areas():
    frame = _frame({d: float(i) for i, d in enumerate(geo.map_districts())})
    paths = _paths(geo.district_map(frame, chosen="Norrmalm", width=500))
    (water,) = [i for i, p in enumerate(paths) if p.get("fill", "").lower() == geo.WATER_COLOR]
    assert "aria-label" not in paths[water]      # no tooltip over the water
    areas = [i for i, p in enumerate(paths) if "Stadsdel:" in p.get("aria-label", "") and "fill" in p]
    assert len(areas) == 13 and max(areas) < water
    # the chosen outline comes after the water, so it shows across it
    assert [i for i, p in enumerate(paths) if "fill" not in p][0] > water


def test_renders_to_png_that_looks_like_the_map():
    vlc = pytest.importorskip("vl_convert")
    image = pytest.importorskip("PIL.Image")
    names = geo.map_districts()
    values: dict[str, float | None] = {d: float(i) for i, d in enumerate(names)}
    values["Skarpnäck"] = None
    chart = geo.district_map(_frame(values), chosen="Södermalm", title="Test", width=500, height=420)
    png = vlc.vegalite_to_png(chart.to_dict())
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    picture = image.open(io.BytesIO(png)).convert("RGB")
    assert picture.width >= 500 and picture.height >= 420
    counts = Counter(picture.tobytes()[i:i + 3] for i in range(0, picture.width * picture.height * 3, 3))
    def share(hex_colour: str) -> float:
        rgb = bytes.fromhex(hex_colour[1:])
        return counts[rgb] / (picture.width * picture.height)
    assert share(geo.WATER_COLOR) > 0.005         # the water is there
    assert share(geo.MISSING_FILL) > 0.01         # and the grey of Skarpnäck
    assert share(MINE_COLOR) > 0.0005             # the outline


def test_spec_size_is_reasonable():
    frame = _frame({d: float(i) for i, d in enumerate(geo.map_districts())})
    spec = geo.district_map(frame, chosen="Farsta", width=500).to_dict()
    size = len(json.dumps(spec, separators=(",", ":")))
    assert size < 150_000
    # the areas' geometry is in the spec once (the layer's data), not once per layer
    assert json.dumps(spec).count('"Polygon"') == 13


def test_dashboard_does_not_need_shapely():
    code = ("import sys, polars as pl\n"
            "from dashboard.geo import district_map, map_districts\n"
            "district_map(pl.DataFrame({'district': map_districts(), 'outcome': [1.0] * 13})).to_dict()\n"
            "assert 'shapely' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)


def test_unknown_color_kind_is_refused():
    with pytest.raises(ValueError):
        geo.district_map(_frame({"Bromma": 1.0}), color_kind="rainbow")
