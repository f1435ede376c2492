"""Exports of charts and data for presentations: PNG, SVG, PDF, PowerPoint, CSV, Excel.

Pure functions, no streamlit: the dashboard (dashboard/export_ui.py), the CLI
(etl/cli/export.py) and the tests all call these.

Images are rendered with vl-convert from the same Vega-Lite spec the browser shows,
wrapped in a presentation frame: a large title, a subtitle (unit and year), readable
fonts at projector size, a source footer, and the sv-SE number locale inside the spec
("1 234,5").
"""
# The package's parts: notes.py (metadata, source notes, MIME), images.py, tables.py, and for
# PowerPoint slide_data.py (a slide's data), pptx_chart.py (the native chart), pptx_deck.py (the deck).
from dashboard.export.images import (
    PRESENTATION_HEIGHT,
    PRESENTATION_WIDTH,
    chart_to_pdf,
    chart_to_png,
    chart_to_svg,
    presentation_spec,
)
from dashboard.export.notes import MIME, ExportMeta, district_genitive, doc_type_label, source_note
from dashboard.export.pptx_deck import slides_to_pptx
from dashboard.export.slide_data import SlideSpec, frame_to_slide, slide_from_chart
from dashboard.export.tables import SWEDISH_HEADERS, frame_to_csv, frame_to_xlsx, table_for_export

__all__ = [
    "MIME", "PRESENTATION_HEIGHT", "PRESENTATION_WIDTH", "SWEDISH_HEADERS", "ExportMeta", "SlideSpec",
    "chart_to_pdf", "chart_to_png", "chart_to_svg", "district_genitive", "doc_type_label", "frame_to_csv",
    "frame_to_slide", "frame_to_xlsx", "presentation_spec", "slide_from_chart", "slides_to_pptx",
    "source_note", "table_for_export",
]
