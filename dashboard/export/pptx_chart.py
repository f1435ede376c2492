"""The native PowerPoint chart of a slide: an editable bar, column or line chart of a
SlideSpec's data, with the references drawn as markers, Swedish number formats and the
chart's language."""
from __future__ import annotations

import re

from dashboard.export.slide_data import SlideSpec
from dashboard.export.tables import decimals


def add_native_chart(sl, spec: SlideSpec, left, top, width, height, font_color) -> None:
    """The slide's data as an editable PowerPoint chart in the box at (left, top) of the given
    size: its data in the embedded workbook ("Redigera data" works), the references as
    markers over the bars, data labels, each bar's colour as in the app."""
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
    from pptx.util import Pt

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
    gf = sl.shapes.add_chart(ctype, left, top, width, height, cd)
    gf.name = "Diagram"
    chart = gf.chart
    if spec.markers:
        _markers_as_points(chart, list(spec.markers))
    chart.font.size = Pt(14)
    chart.font.color.rgb = font_color
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


MARKER_COLORS = {"Årsmål": "#111111", "KF:s årsmål": "#1a4f9c", "Stadens median": "#444444"}


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


def _number_format(slide: SlideSpec) -> str:
    vals = [v for vs in slide.series.values() for v in vs]
    dec = decimals(vals, max_dec=2)
    return "#,##0" if dec == 0 else "#,##0." + "0" * dec


def _axis_number_format(slide: SlideSpec) -> str:
    """Axis ticks: no forced decimals ("100", "0,5"); thousands grouped for large values."""
    vals = [abs(v) for vs in slide.series.values() for v in vs if v is not None]
    return "#,##0" if vals and max(vals) >= 10000 else "General"


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
