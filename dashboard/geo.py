"""Stockholm's 13 stadsdelsområden as map shapes, and the district map ("Karta").

The data lives in data/geo/ (see its README): the 117 stadsdelar (small districts) as
polygons, the water, and -- made offline by scripts/make_area_map.py with shapely -- the 13
areas dissolved from the stadsdelar through data/stadsdelsomraden.csv and a water layer
simplified for the map. This module only reads those files (once, functools.cache), so the
dashboard needs no geometry library.

`district_map` draws the areas coloured by a value (or by attainment), districts without a
value in grey with the reason in the tooltip, the chosen district outlined and the water on
top. Its style, title and Swedish locale come from dashboard.chart_style.finish(); MAP_NOTE is the
attribution line to show under the map.
"""
from __future__ import annotations

import functools
import json
import math
from typing import Any, Literal

import altair as alt
import polars as pl

from dashboard.chart_style import ATTAINMENT_COLORS, MINE_COLOR, NUMBER_FORMAT, _unvalidated, finish
from dashboard.fmt import fmt_value
from dashboard.labels import ATTAINMENT_LABELS
from etl import settings

GEO_DIR = settings.DATA_DIR / "geo"

MAP_NOTE = "Karta: Stockholms stad, öppna data (CC0)"
MISSING_FILL = ATTAINMENT_COLORS["missing"]   # a district without a value
MISSING_TEXT = "saknas"                       # its reason when the frame gives none
MISSING_LEGEND = "Inget värde"
WATER_COLOR = "#e1edf7"    # lighter than every fill (attainment's "planned" is a grey-blue)
COAST_COLOR = "#a9c4da"
LABEL_COLOR = "#1a1a1a"
AREA_STROKE = "#ffffff"
CHOSEN_STROKE = MINE_COLOR
CHOSEN_STROKE_WIDTH = 3.5
# Sequential value scale: purples (the water is blue, attainment uses green and red); the
# lightest end is kept clearly darker than the grey of a missing district.
VALUE_SCHEME: Literal["purples"] = "purples"
VALUE_EXTENT = [0.22, 1.0]
Feature = dict[str, Any]


@functools.cache
def _geojson(name: str) -> dict[str, Any]:
    return json.loads((GEO_DIR / name).read_text(encoding="utf-8"))


@functools.cache
def area_features() -> tuple[Feature, ...]:
    """The 13 stadsdelsområden, one feature each with property ``district``."""
    return tuple(_geojson("stadsdelsomraden.geo.json")["features"])


@functools.cache
def water_features() -> tuple[Feature, ...]:
    """The water (sea and lakes) simplified for the map: drawn on top of the areas."""
    return tuple(_geojson("vatten.karta.geo.json")["features"])


def map_districts() -> list[str]:
    """The districts the map has a shape for, in the order of data/districts.csv."""
    return [f["properties"]["district"] for f in area_features()]


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _frame_unit(frame: pl.DataFrame) -> str | None:
    if "unit" not in frame.columns:
        return None
    units = frame["unit"].drop_nulls()
    return str(units[0]) if len(units) else None


def map_rows(frame: pl.DataFrame, *, value_col: str = "outcome", unit: str | None = None,
             chosen: str | None = None, color_kind: str = "value") -> list[dict[str, Any]]:
    """One row per map area (the frame's rows for districts without a shape, such as former
    councils, are left out): its value, whether it is missing -- no row, a null value; for
    color_kind "attainment" no attainment class or "missing" -- and why, its class label, its
    value as tooltip text in the Swedish format, and whether it is the chosen district."""
    by_district: dict[str, dict[str, Any]] = {}
    if "district" in frame.columns:
        for record in frame.to_dicts():
            by_district.setdefault(record["district"], record)
    unit = unit or _frame_unit(frame)
    rows = []
    for name in map_districts():
        row: dict[str, Any] = by_district.get(name) or {}
        value = _number(row.get(value_col))
        code = row.get("attainment")
        klass: str | None
        if color_kind == "attainment":
            missing = not isinstance(code, str) or code not in ATTAINMENT_COLORS or code == "missing"
            klass = ATTAINMENT_LABELS["missing"] if missing else ATTAINMENT_LABELS[str(code)]
        else:
            missing = value is None
            klass = MISSING_LEGEND if missing else None
        rows.append({"district": name, "value": value, "missing": missing,
                     "reason": (row.get("missing_reason") or MISSING_TEXT) if missing else None,
                     "attainment": code, "klass": klass, "value_text": fmt_value(value, unit),
                     "chosen": name == chosen})
    return rows


def _label_lines(name: str) -> list[str]:
    """A hyphenated name on one line a part ("Enskede-", "Årsta-", "Vantör")."""
    parts = name.split("-")
    return [p + "-" for p in parts[:-1]] + parts[-1:]


def _features(rows: list[dict[str, Any]]) -> list[Feature]:
    """The areas' shapes with each row as the properties (and where its name goes)."""
    by_name = {f["properties"]["district"]: f for f in area_features()}
    out = []
    for r in rows:
        area = by_name[r["district"]]
        props = r | {"label": _label_lines(r["district"]), "label_lon": area["properties"]["label_lon"],
                     "label_lat": area["properties"]["label_lat"]}
        out.append({"type": "Feature", "geometry": area["geometry"], "properties": props})
    return out


def _tooltip(color_kind: str, missing: bool) -> list[alt.Tooltip]:
    tips = [alt.Tooltip("properties.district:N", title="Stadsdel")]
    if missing:
        return tips + [alt.Tooltip("properties.reason:N", title="Inget värde")]
    tips.append(alt.Tooltip("properties.value_text:N", title="Utfall"))
    if color_kind == "attainment":
        tips.append(alt.Tooltip("properties.klass:N", title="Måluppfyllelse"))
    return tips


def _colours(rows: list[dict[str, Any]], color_kind: str, unit: str | None) -> tuple[alt.Color, alt.Color]:
    """The colour encodings of the areas with a value and of those without."""
    if color_kind == "attainment":
        shown = {r["attainment"] for r in rows if not r["missing"]} | {
            "missing" for r in rows if r["missing"]}
        codes = [c for c in ATTAINMENT_COLORS if c in shown]   # legend: the classes shown only
        colour = alt.Color("properties.klass:N", title="Måluppfyllelse",
                           scale=alt.Scale(domain=[ATTAINMENT_LABELS[c] for c in codes],
                                           range=[ATTAINMENT_COLORS[c] for c in codes]))
        return colour, colour
    colour = alt.Color("properties.value:Q", title=f"Utfall ({unit})" if unit else "Utfall",
                       scale=alt.Scale(scheme=alt.SchemeParams(name=VALUE_SCHEME, extent=VALUE_EXTENT),
                                       zero=False),
                       legend=alt.Legend(format=NUMBER_FORMAT, orient="right", gradientLength=180))
    grey = alt.Color("properties.klass:N", title="Status", legend=alt.Legend(title=None, orient="right"),
                     scale=alt.Scale(domain=[MISSING_LEGEND], range=[MISSING_FILL]))
    return colour, grey


@_unvalidated
def district_map(frame: pl.DataFrame, *, value_col: str = "outcome", unit: str | None = None,
                 chosen: str | None = None, title: str | None = None, subtitle: str | None = None,
                 color_kind: str = "value", width: Any = "container", height: int = 460,
                 labels: bool = True):
    """A map of the 13 stadsdelsområden coloured by ``value_col`` (sequential scale) or, with
    color_kind="attainment", by the frame's attainment class (the colours and labels of the bar
    charts). Districts missing from the frame or without a value: light grey, the tooltip gives
    ``missing_reason`` (else "saknas"). ``chosen`` ("Min stadsdel"): a thick dark outline.
    The water is drawn on top; Mercator, fitted to the city; ``labels``: the areas' names (on a
    white halo, on land). Frame columns: ``district``, ``value_col``, optionally
    ``missing_reason``, ``attainment``, ``unit`` (the ``unit`` argument wins)."""
    if color_kind not in ("value", "attainment"):
        raise ValueError(f"color_kind must be 'value' or 'attainment', not {color_kind!r}")
    unit = unit or _frame_unit(frame)
    rows = map_rows(frame, value_col=value_col, unit=unit, chosen=chosen, color_kind=color_kind)
    colour, missing_colour = _colours(rows, color_kind, unit)
    chosen_row = next((r for r in rows if r["chosen"]), None)
    # The areas are the layer's data (their geometry once in the spec); the water has its own.
    layers = []
    if any(not r["missing"] for r in rows):
        layers.append(alt.Chart().transform_filter("!datum.properties.missing").mark_geoshape(
            stroke=AREA_STROKE, strokeWidth=0.8).encode(color=colour, tooltip=_tooltip(color_kind, False)))
    if any(r["missing"] for r in rows):
        layers.append(alt.Chart().transform_filter("datum.properties.missing").mark_geoshape(
            stroke=AREA_STROKE, strokeWidth=0.8).encode(color=missing_colour, tooltip=_tooltip(color_kind, True)))
    layers.append(alt.Chart(alt.Data(values=list(water_features()))).mark_geoshape(
        fill=WATER_COLOR, stroke=COAST_COLOR, strokeWidth=0.4, tooltip=False))
    if chosen_row is not None:
        layers.append(alt.Chart().transform_filter("datum.properties.chosen").mark_geoshape(
            filled=False, stroke=CHOSEN_STROKE, strokeWidth=CHOSEN_STROKE_WIDTH, strokeJoin="round"
        ).encode(tooltip=_tooltip(color_kind, chosen_row["missing"])))
    if labels:
        lon, lat = alt.Longitude("properties.label_lon:Q"), alt.Latitude("properties.label_lat:Q")
        name = alt.Text("properties.label:N")
        halo = alt.Chart().mark_text(fontSize=11, lineHeight=12, baseline="middle", tooltip=False,
                                     stroke="white", strokeWidth=3, strokeOpacity=0.85, strokeJoin="round")
        layers.append(halo.encode(longitude=lon, latitude=lat, text=name))
        bold = alt.ExprRef("datum.properties.chosen ? 'bold' : 'normal'")
        label = alt.Chart().mark_text(fontSize=11, lineHeight=12, baseline="middle", tooltip=False,
                                      color=LABEL_COLOR, fontWeight=bold)
        layers.append(label.encode(longitude=lon, latitude=lat, text=name))
    chart = alt.layer(*layers, data=alt.Data(values=_features(rows)), projection=alt.Projection(type="mercator"))
    return finish(chart, title=title, subtitle=subtitle, width=width, height=height,
                  resolve_color="independent" if color_kind == "value" else None)
