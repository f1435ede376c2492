"""PowerPoint: a native, editable chart (bars with the target, KF target and median as marker
series) or the chart as a picture, one slide per chart, with title, unit and source."""
from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from dashboard.export.images import chart_dict, chart_to_png
from dashboard.export.notes import ExportMeta
from dashboard.export.tables import SWEDISH_HEADERS, decimals


@dataclass
class SlideSpec:
    """One slide: the chart's data (for a native chart) and/or a picture of it."""

    meta: ExportMeta
    kind: str  # 'bar' | 'column' | 'line'
    categories: list[str]
    series: dict[str, list[float | None]]
    png: bytes | None = None  # picture without title/footer (chart_to_png(decorations=False))
    notes: str = field(default="")
    point_colors: list[str | None] | None = None   # one series: each bar's colour, as in the app ("#2e7d32")
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


MARKER_COLORS = {"Årsmål": "#111111", "KF:s årsmål": "#1a4f9c", "Stadens median": "#444444"}


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


def _markers_as_points(chart, names: list[str]) -> None:
    """Move the named series of a clustered column chart into a line chart on the same axes,
    drawn as markers only (no line): the references over the bars, editable like them."""
    from lxml import etree
    from pptx.oxml.ns import qn

    plot_area = chart._chartSpace.find(qn("c:chart")).find(qn("c:plotArea"))
    bar = plot_area.find(qn("c:barChart"))
    line = etree.SubElement(plot_area, qn("c:lineChart"))
    bar.addnext(line)
    etree.SubElement(line, qn("c:grouping")).set("val", "standard")
    etree.SubElement(line, qn("c:varyColors")).set("val", "0")
    for ser in list(bar.findall(qn("c:ser"))):
        cached = ser.find(qn("c:tx") + "//" + qn("c:v"))
        name = cached.text if cached is not None else ""
        if name not in names:
            continue
        bar.remove(ser)
        for tag in ("c:invertIfNegative", "c:dLbls"):
            for el in ser.findall(qn(tag)):
                ser.remove(el)
        colour = MARKER_COLORS.get(name, "#444444")[1:]
        sp = etree.fromstring(
            '<c:spPr xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
            'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:ln><a:noFill/></a:ln></c:spPr>')
        marker = etree.fromstring(
            '<c:marker xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
            'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
            f'<c:symbol val="{"dash" if name == "Årsmål" else "diamond"}"/><c:size val="{14 if name == "Årsmål" else 9}"/>'
            f'<c:spPr><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill>'
            f'<a:ln><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill></a:ln></c:spPr></c:marker>')
        old_sp = ser.find(qn("c:spPr"))
        if old_sp is not None:
            ser.remove(old_sp)
        tx = ser.find(qn("c:tx"))
        anchor = tx if tx is not None else ser.find(qn("c:order"))
        anchor.addnext(sp)
        sp.addnext(marker)
        line.append(ser)
    etree.SubElement(line, qn("c:marker")).set("val", "1")
    for ax in bar.findall(qn("c:axId")):
        etree.SubElement(line, qn("c:axId")).set("val", ax.get("val"))


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
    except Exception:  # heterogeneous rows; the frame fallback applies
        return None


def _mark_type(spec: dict) -> str | None:
    m = spec.get("mark")
    return m.get("type") if isinstance(m, dict) else m


def slide_chart(slide: SlideSpec) -> Any:
    """A plain Altair chart of a SlideSpec's data (used for picture slides without png)."""
    import altair as alt

    rows = [{"Kategori": c, "Serie": s, "Värde": v}
            for s, vals in slide.series.items() for c, v in zip(slide.categories, vals)]
    data = pl.DataFrame(rows, schema={"Kategori": pl.String, "Serie": pl.String,
                                      "Värde": pl.Float64})
    multi = len(slide.series) > 1
    vtitle = slide.meta.unit or None
    if slide.kind == "line":
        ch = alt.Chart(data).mark_line(point=True).encode(
            x=alt.X("Kategori:O", sort=slide.categories, title=None),
            y=alt.Y("Värde:Q", title=vtitle))
    elif slide.kind == "column":
        ch = alt.Chart(data).mark_bar().encode(
            x=alt.X("Kategori:N", sort=slide.categories, title=None),
            y=alt.Y("Värde:Q", title=vtitle))
        if multi:
            ch = ch.encode(xOffset="Serie:N")
    else:
        ch = alt.Chart(data).mark_bar().encode(
            y=alt.Y("Kategori:N", sort=slide.categories, title=None),
            x=alt.X("Värde:Q", title=vtitle))
        if multi:
            ch = ch.encode(yOffset="Serie:N")
    if multi:
        ch = ch.encode(color=alt.Color("Serie:N", title=None))
    return ch


def _number_format(slide: SlideSpec) -> str:
    vals = [v for vs in slide.series.values() for v in vs]
    dec = decimals(vals, max_dec=2)
    return "#,##0" if dec == 0 else "#,##0." + "0" * dec


def _axis_number_format(slide: SlideSpec) -> str:
    """Axis ticks: no forced decimals ("100", "0,5"); thousands grouped for large values."""
    vals = [abs(v) for vs in slide.series.values() for v in vs if v is not None]
    return "#,##0" if vals and max(vals) >= 10000 else "General"


def _title_fit(title: str, width_in: float) -> tuple[int, int]:
    """Font size (pt) and estimated line count for a slide title of this length."""
    for size in (30, 26, 22):
        per_line = max(10, int(width_in * 72 / (size * 0.58)))
        lines = len(textwrap.wrap(title, per_line)) or 1
        if lines <= 2:
            return size, lines
    return 22, min(lines, 4)


def _set_chart_language(chart, lang: str) -> None:
    """<c:lang>: the editing language of the chart (number display in some viewers)."""
    from lxml import etree
    from pptx.oxml.ns import qn

    space = chart._chartSpace
    el = space.find(qn("c:lang"))
    if el is None:
        el = etree.SubElement(space, qn("c:lang"))
        date1904 = space.find(qn("c:date1904"))
        if date1904 is not None:
            date1904.addnext(el)
        else:
            space.insert(0, el)
    el.set("val", lang)


def _value_axis_crosses_max(value_axis) -> None:
    from pptx.oxml.ns import qn

    el = value_axis._element.find(qn("c:crosses"))
    if el is not None:
        el.set("val", "max")


def slides_to_pptx(slides: Sequence[SlideSpec], native: bool = True) -> bytes:
    """A 16:9 deck, one slide per SlideSpec: title, subtitle, the chart, the source note.

    native=True: an editable PowerPoint chart whose data sits in the embedded workbook
    ("Redigera data" works); a slide without data (a chart type PowerPoint cannot redraw)
    gets its picture. native=False: the slide's png (rendered from its data if it has
    none), with the title and source as editable text.
    """
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]
    dark = RGBColor(0x1A, 0x1A, 0x1A)
    muted = RGBColor(0x55, 0x55, 0x55)
    margin = Inches(0.6)
    content_w = prs.slide_width - 2 * margin

    def textbox(sl, top, height, text, size, *, bold=False, color=dark, name=None):
        tb = sl.shapes.add_textbox(margin, top, content_w, height)
        if name:
            tb.name = name
        tf = tb.text_frame
        tf.word_wrap = True
        p = tf.paragraphs[0]
        p.alignment = PP_ALIGN.LEFT
        run = p.add_run()
        run.text = text
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.color.rgb = color
        run.font._rPr.set("lang", "sv-SE")
        return tb

    for spec in slides:
        sl = prs.slides.add_slide(blank)
        meta = spec.meta
        size, n_lines = _title_fit(meta.title, content_w / 914400)
        title_h = Inches(n_lines * size * 1.22 / 72 + 0.15)
        top: int = Inches(0.35)
        textbox(sl, top, title_h, meta.title, size, bold=True, name="Rubrik")
        top += title_h
        sub = meta.subtitle_line()
        if sub:
            textbox(sl, top, Inches(0.45), sub, 18, color=muted, name="Underrubrik")
            top += Inches(0.5)
        chart_top = top + Inches(0.1)
        # the source note wraps inside the slide: as many lines as it needs (about 140
        # characters a line at 12 pt across the slide), the chart above it gives way
        n_src = max(1, math.ceil(len(meta.source or "") / 140)) if meta.source else 0
        src_h = Inches(0.22 * n_src + 0.1)
        src_top = int(prs.slide_height or Inches(7.5)) - Inches(0.25) - src_h
        chart_h = (src_top if meta.source else Inches(6.9)) - Inches(0.1) - chart_top
        if meta.source:
            textbox(sl, src_top, src_h, meta.source, 12, color=muted, name="Källa")
        if native and spec.categories and spec.series:
            cd = CategoryChartData(number_format=_number_format(spec))
            cd.categories = spec.categories
            for name, vals in {**spec.series, **spec.markers}.items():
                cd.add_series(name, vals)
            # references as markers over the bars: PowerPoint combines them with columns,
            # not with horizontal bars, so such a slide shows the districts as columns
            kind = "column" if spec.markers and spec.kind == "bar" else spec.kind
            ctype = {"bar": XL_CHART_TYPE.BAR_CLUSTERED,
                     "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
                     "line": XL_CHART_TYPE.LINE_MARKERS}[kind]
            gf = sl.shapes.add_chart(ctype, margin, chart_top, content_w, chart_h, cd)
            gf.name = "Diagram"
            chart = gf.chart
            if spec.markers:
                _markers_as_points(chart, list(spec.markers))
            chart.font.size = Pt(14)
            chart.font.color.rgb = dark
            multi = len(spec.series) > 1
            # A line's series is a district or a group: name it even when alone; the
            # reference markers are named in the legend.
            show_legend = multi or spec.kind == "line" or bool(spec.markers)
            chart.has_legend = show_legend
            if show_legend:
                chart.legend.position = XL_LEGEND_POSITION.BOTTOM
                chart.legend.include_in_layout = False
            va = chart.value_axis
            va.has_major_gridlines = True
            va.tick_labels.number_format = _axis_number_format(spec)
            va.tick_labels.number_format_is_linked = False
            va.major_gridlines.format.line.color.rgb = RGBColor(0xDD, 0xDD, 0xDD)
            values = [v for vals in spec.series.values() for v in vals if v is not None]
            if kind in ("bar", "column") and values and min(values) >= 0:
                va.minimum_scale = 0          # bars start at 0: their lengths compare (99 vs 111, not 1:3)
            chart.has_title = False  # the slide's own title says it
            _set_chart_language(chart, "sv-SE")
            if kind == "bar":
                # PowerPoint draws bar categories bottom-up; keep the data's order top-down,
                # and keep the value axis at the bottom ("crosses at maximum category").
                chart.category_axis.reverse_order = True
                _value_axis_crosses_max(va)
            if len(spec.categories) <= 20 and len(spec.series) <= 3:
                plot = chart.plots[0]
                plot.has_data_labels = True
                dl = plot.data_labels
                dl.number_format = _number_format(spec)
                dl.number_format_is_linked = False
                dl.font.size = Pt(12)
                if kind in ("bar", "column"):
                    dl.position = XL_LABEL_POSITION.OUTSIDE_END
                else:
                    dl.position = XL_LABEL_POSITION.ABOVE
            if kind in ("bar", "column"):
                plot = chart.plots[0]
                plot.gap_width = 60
                if not multi:
                    fill = plot.series[0].format.fill
                    fill.solid()
                    fill.fore_color.rgb = RGBColor(0x1F, 0x5F, 0x99)
                    for i, hex_colour in enumerate(spec.point_colors or []):
                        if hex_colour and re.fullmatch(r"#[0-9A-Fa-f]{6}", hex_colour):
                            point = plot.series[0].points[i].format.fill
                            point.solid()
                            point.fore_color.rgb = RGBColor.from_string(hex_colour[1:])
        else:
            png = spec.png
            if png is None and not spec.categories:
                raise ValueError(f"slide {meta.title!r} has neither data nor a picture")
            if png is None:
                png = chart_to_png(slide_chart(spec), meta, decorations=False)
            from PIL import Image

            with Image.open(io.BytesIO(png)) as im:
                w_px, h_px = im.size
            box_w, box_h = content_w, chart_h
            ratio = min(box_w / w_px, box_h / h_px)
            w, h = Emu(int(w_px * ratio)), Emu(int(h_px * ratio))
            left = margin + Emu(int((box_w - w) / 2))
            pic = sl.shapes.add_picture(io.BytesIO(png), left, chart_top, width=w, height=h)
            pic.name = "Diagram (bild)"
            pic._element.nvPicPr.cNvPr.set("descr", meta.title + (". " + sub if sub else ""))
        notes = "\n".join(x for x in (sub, meta.source, spec.notes) if x)
        if notes:
            sl.notes_slide.notes_text_frame.text = notes
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
