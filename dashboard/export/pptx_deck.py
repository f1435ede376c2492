"""PowerPoint: a 16:9 deck, one slide per SlideSpec with title, subtitle and source, and the
chart as a native, editable chart (pptx_chart.py) or as a picture."""
from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from typing import Any

import polars as pl

from dashboard.export.images import chart_to_png
from dashboard.export.pptx_chart import add_native_chart
from dashboard.export.slide_data import SlideSpec


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


def _title_fit(title: str, width_in: float) -> tuple[int, int]:
    """Font size (pt) and estimated line count for a slide title of this length."""
    for size in (30, 26, 22):
        per_line = max(10, int(width_in * 72 / (size * 0.58)))
        lines = len(textwrap.wrap(title, per_line)) or 1
        if lines <= 2:
            return size, lines
    return 22, min(lines, 4)


def slides_to_pptx(slides: Sequence[SlideSpec], native: bool = True) -> bytes:
    """A 16:9 deck, one slide per SlideSpec: title, subtitle, the chart, the source note.

    native=True: an editable PowerPoint chart whose data sits in the embedded workbook
    ("Redigera data" works); a slide without data (a chart type PowerPoint cannot redraw)
    gets its picture. native=False: the slide's png (rendered from its data if it has
    none), with the title and source as editable text.
    """
    from pptx import Presentation
    from pptx.dml.color import RGBColor
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
            add_native_chart(sl, spec, margin, chart_top, content_w, chart_h, font_color=dark)
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
