"""The page behind a number: a cut-out of the printed PDF page with the value's cell marked,
and a link that opens the original file at that page.

The PDF reader stores each extracted row's box (`source_box`) and, for indicator values,
each cell's box (`cell_boxes`), in points from the page's top left. pypdfium2 renders the
page; Pillow crops it to the row and draws the marks. The original is served by Streamlit's
static file serving (`server.enableStaticServing`): a copy named by the file's sha256 is
placed in the app's `static/original/` folder the first time it is linked.
"""
from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

from etl import settings

STATIC_DIR = settings.ROOT / "static" / "original"       # served at app/static/original/<sha256>.pdf
SCALE = 2.0              # render scale (144 dpi): readable without being heavy
CONTEXT_PT = 60          # points of the page shown above and below the marked row
ROW_COLOR = (26, 79, 156)     # the row: a thin blue frame
CELL_COLOR = (198, 40, 40)    # the value's cell: a thick red frame

# the rows that carry a printed box, by table: (id column, whether it has cell boxes)
_BOXED = {"indicator_values": ("value_id", True), "activities": ("activity_id", False),
          "budget_lines": ("budget_line_id", False), "goals": ("goal_id", False)}


def printed_box(con, table: str, row_id: int) -> dict | None:
    """Where a row was printed in its PDF: {source_file, sha256, page, box, cells} (boxes as
    [x0, top, x1, bottom] points), or None when the row has no box (text input, no page)."""
    id_col, has_cells = _BOXED[table]
    cells = "t.cell_boxes" if has_cells else "NULL"
    row = con.execute(
        f"SELECT d.source_file, d.sha256, t.source_page, t.source_box, {cells} "
        f"FROM {table} t JOIN documents d USING (document_id) WHERE t.{id_col} = ?", [row_id]).fetchone()
    if row is None or row[2] is None or row[3] is None:
        return None
    return {"source_file": row[0], "sha256": row[1], "page": int(row[2]), "box": json.loads(row[3]),
            "cells": json.loads(row[4]) if row[4] else {}}


def cutout(pdf: Path, page: int, box: list[float], cell: list[float] | None = None, *,
           context: float = CONTEXT_PT) -> bytes:
    """PNG of the page's full width from `context` points above the row's box to as far
    below it, the row framed in blue and the value's cell (when given) in red."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    doc = pdfium.PdfDocument(str(pdf))
    try:
        if not 1 <= page <= len(doc):
            raise ValueError(f"page {page} is not in {pdf.name} ({len(doc)} pages)")
        pg = doc[page - 1]
        image = pg.render(scale=SCALE).to_pil().convert("RGB")
    finally:
        doc.close()
    px = lambda v: round(v * SCALE)  # noqa: E731
    draw = ImageDraw.Draw(image)
    x0, top, x1, bottom = box
    draw.rectangle([px(x0) - 3, px(top) - 3, px(x1) + 3, px(bottom) + 3], outline=ROW_COLOR, width=2)
    if cell:
        c0, ctop, c1, cbottom = cell
        draw.rectangle([px(c0) - 4, px(ctop) - 4, px(c1) + 4, px(cbottom) + 4], outline=CELL_COLOR, width=5)
    lo, hi = max(0, px(top - context)), min(image.height, px(bottom + context))
    out = io.BytesIO()
    image.crop((0, lo, image.width, hi)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def original_url(pdf: Path, sha256: str, page: int) -> str:
    """A link (relative to the app) that opens the original PDF at `page`; the file is made
    available to the static file server the first time (a hard link, else a copy)."""
    STATIC_DIR.mkdir(parents=True, exist_ok=True)
    target = STATIC_DIR / f"{sha256}.pdf"
    if not target.exists():
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        try:
            os.link(pdf, tmp)
        except OSError:
            shutil.copyfile(pdf, tmp)
        os.replace(tmp, target)
    return f"app/static/original/{sha256}.pdf#page={page}"
