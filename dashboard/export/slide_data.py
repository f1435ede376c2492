"""What one slide shows (`SlideSpec`: title, unit and source, the chart's categories and
series, the references over the bars, a picture), from a long frame or read from the
Altair/Vega-Lite chart the page draws (`slide_from_chart`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from dashboard.export.images import chart_dict
from dashboard.export.notes import ExportMeta
from dashboard.export.tables import SWEDISH_HEADERS


@dataclass
class SlideSpec:
    """One slide: the chart's data (for a native chart) and/or a picture of it."""

    meta: ExportMeta
    kind: str  # 'bar' | 'column' | 'line'
    categories: list[str]
    series: dict[str, list[float | None]]
    png: bytes | None = None  # picture without title/footer (chart_to_png(decorations=False))
    notes: str = field(default="")
    point_colors: list[str | None] | None = None   # one series: each bar's colour, as in the app ("#007f5f")
    # references drawn over the bars, as marker series: "Årsmål" per category (the app's
    # tick), "KF:s årsmål" and "Stadens median" (the app's rules; the same value throughout)
    markers: dict[str, list[float | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in ("bar", "column", "line"):
            raise ValueError(f"kind must be 'bar', 'column' or 'line', not {self.kind!r}")
        self.categories = [str(c) for c in self.categories]
        for name, vals in {**self.series, **self.markers}.items():
            if len(vals) != len(self.categories):
                raise ValueError(f"series {name!r} has {len(vals)} values for "
                                 f"{len(self.categories)} categories")


def frame_to_slide(frame: pl.DataFrame, meta: ExportMeta, *, category: str, value: str,
                   series: str | None = None, kind: str = "bar",
                   png: bytes | None = None) -> SlideSpec:
    """A SlideSpec from a long frame: one category column, one value column and an
    optional series column (e.g. year or district). Category order follows the frame."""
    cats: list[str] = []
    for c in frame.get_column(category).to_list():
        s = "" if c is None else str(c)
        if s not in cats:
            cats.append(s)
    data: dict[str, list[float | None]] = {}
    names = ([str(s) for s in frame.get_column(series).to_list()] if series
             else [_series_label(meta, value)] * frame.height)
    for name, c, v in zip(names, frame.get_column(category).to_list(),
                          frame.get_column(value).to_list()):
        col = data.setdefault(name, [None] * len(cats))
        col[cats.index("" if c is None else str(c))] = None if v is None else float(v)
    return SlideSpec(meta=meta, kind=kind, categories=cats, series=data, png=png)


def _series_label(meta: ExportMeta, value: str) -> str:
    label = SWEDISH_HEADERS.get(value, value)
    return f"{label} ({meta.unit})" if meta.unit else label


def slide_from_chart(chart: Any, frame: pl.DataFrame | None, meta: ExportMeta, *,
                     png: bytes | None = None) -> SlideSpec | None:
    """Infer a SlideSpec (data for a native PowerPoint chart) from an Altair chart.

    Takes the first bar or line layer whose one axis is quantitative and the other
    nominal/ordinal/temporal. The data are the rows embedded in the chart (exactly what is
    drawn), else ``frame``. Series: the xOffset/yOffset field (grouped bars), else the
    colour field of a line chart (a line per district, named after it, also when it is the
    only one), or of a bar chart when it splits a category into several rows; a colour that
    only paints one bar per category (e.g. attainment) is not a series.
    Category order follows an explicit sort list, a value sort, or the data's order.
    Returns None when nothing fits (then only the picture variant can be offered).
    """
    spec = chart_dict(chart)
    found = _find_unit(spec, spec.get("data"), spec.get("encoding", {}))
    if found is None:
        return None
    unit, data_ref, enc = found
    rows = _unit_rows(spec, data_ref)
    if rows is None:
        if frame is None:
            return None
        rows = frame
    mark = _mark_type(unit)
    x, y = enc.get("x", {}), enc.get("y", {})
    q_axis = [a for a in (x, y) if a.get("type") == "quantitative" and a.get("field")]
    c_axis = [a for a in (x, y) if a.get("type") in ("nominal", "ordinal", "temporal")
              and a.get("field")]
    if len(q_axis) != 1 or len(c_axis) != 1:
        return None
    value, category = q_axis[0]["field"], c_axis[0]["field"]
    offset = enc.get("yOffset" if c_axis[0] is y else "xOffset", {}).get("field")
    color = enc.get("color", {}).get("field")
    series = offset
    if series is None and color and color != category and color in rows.columns:
        # lines: the colour is always the series (one line per district, even when only one
        # district has values); bars: only when it splits a category into several bars
        if mark == "line" or (category in rows.columns and rows.height > rows.get_column(category).n_unique()):
            series = color
    needed = [value, category] + ([series] if series else [])
    if any(f not in rows.columns for f in needed):
        return None
    if any(ch in enc for ch in ("row", "column", "facet")) or "facet" in spec:
        return None  # small multiples: one PowerPoint chart cannot hold them
    if rows.select(needed[1:]).is_duplicated().any():
        return None  # several values per bar (stacked or aggregated): a picture, not wrong data
    kind = "line" if mark == "line" else ("bar" if c_axis[0] is y else "column")
    sort = c_axis[0].get("sort")
    ordered = rows
    if isinstance(sort, list):
        order = {str(v): i for i, v in enumerate(sort)}
        ordered = rows.with_columns(
            pl.col(category).cast(pl.String).replace_strict(order, default=len(order),
                                                             return_dtype=pl.Int64)
            .alias("__order")).sort("__order", maintain_order=True).drop("__order")
    elif sort in ("-x", "-y", "x", "y") and not series:
        ordered = rows.sort(value, descending=sort.startswith("-"), nulls_last=True)
    elif c_axis[0].get("type") in ("ordinal", "temporal") or mark == "line":
        ordered = rows.sort(category, maintain_order=True)
    slide = frame_to_slide(ordered, meta, category=category, value=value, series=series,
                           kind=kind, png=png)
    scale = enc.get("color", {}).get("scale") or {}
    if not series and color and color in ordered.columns and isinstance(scale.get("domain"), list) \
            and isinstance(scale.get("range"), list):
        # bars coloured by a field (attainment): the same colour for each bar on the slide
        to_hex = dict(zip(map(str, scale["domain"]), scale["range"]))
        by_cat = {str(c): to_hex.get(str(v)) for c, v in
                  zip(ordered.get_column(category).to_list(), ordered.get_column(color).to_list())}
        slide.point_colors = [by_cat.get(c) for c in slide.categories]
    if mark == "bar" and not series:
        slide.markers = _reference_markers(spec, ordered, category, slide.categories)
    return slide


def _layers(spec: dict):
    yield spec
    for sub in spec.get("layer", []) or []:
        yield from _layers(sub)


def _reference_markers(spec: dict, rows: pl.DataFrame, category: str, categories: list[str]) -> dict:
    """The references the bar chart draws, per category: the tick layer's field (the
    district's own target) and each reference rule ({"ref": name, "value": v} rows, the KF
    target and the city median, only when the picture draws them)."""
    out: dict[str, list[float | None]] = {}
    for layer in _layers(spec):
        mark = _mark_type(layer)
        enc = layer.get("encoding", {})
        if mark == "tick":
            field_ = (enc.get("x") or {}).get("field") or (enc.get("y") or {}).get("field")
            if field_ in rows.columns and rows.get_column(field_).drop_nulls().len():
                by_cat = {str(c): v for c, v in zip(rows.get_column(category).to_list(), rows.get_column(field_).to_list())}
                out["Årsmål"] = [None if by_cat.get(c) is None else float(by_cat[c]) for c in categories]
        elif mark == "rule":
            data = layer.get("data") or {}
            values = data.get("values") or (spec.get("datasets") or {}).get(data.get("name"), [])
            for r in values or []:
                if isinstance(r, dict) and r.get("ref") and isinstance(r.get("value"), (int, float)):
                    out[str(r["ref"])] = [float(r["value"])] * len(categories)
    return out


def _find_unit(spec: dict, data: Any, enc: dict) -> tuple[dict, Any, dict] | None:
    """First bar/line unit spec (depth-first through layers), with its effective data
    reference and encoding (a layer inherits both from its parent)."""
    data = spec.get("data", data)
    enc = {**enc, **spec.get("encoding", {})}
    if _mark_type(spec) in ("bar", "line") and not ("detail" in enc and "color" not in enc):
        return spec, data, enc     # (a grey context layer, lines by `detail` without colour, is no series)
    for sub in spec.get("layer", []) or []:
        hit = _find_unit(sub, data, enc)
        if hit is not None:
            return hit
    return None


def _unit_rows(spec: dict, data_ref: Any) -> pl.DataFrame | None:
    if not isinstance(data_ref, dict):
        return None
    values = data_ref.get("values")
    if values is None and data_ref.get("name"):
        values = (spec.get("datasets") or {}).get(data_ref["name"])
    if not isinstance(values, list) or not values:
        return None
    try:
        return pl.DataFrame(values, infer_schema_length=None)
    except (pl.exceptions.PolarsError, TypeError, ValueError):  # heterogeneous rows: the frame fallback applies
        return None


def _mark_type(spec: dict) -> str | None:
    m = spec.get("mark")
    return m.get("type") if isinstance(m, dict) else m
