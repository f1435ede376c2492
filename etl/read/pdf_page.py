"""PDF page -> positioned words and ruling lines (the raw geometry the table reader works on).

pypdfium2 (PDFium) gives, at C speed, every character with its box and every path object
(the borders and shaded backgrounds a word processor draws for a table). This module turns
a page into plain data: ``Word`` (text, box, baseline, font size, how it ends) and ``Edge``
(a horizontal or vertical ruling), in points with the origin at the page's top left.

Words are runs of characters between spaces in PDFium's text, so a word never crosses a
table cell (the cell padding leaves a gap that PDFium reads as a space); a word that does
cross a ruling is split there by ``etl.read.pdf_grid``.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass

from etl.read.pdf_settings import PDF


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float               # baseline - 0.8 x size, from the page's top
    bottom: float            # baseline + 0.2 x size
    baseline: float
    size: float              # font size in points
    line: int                # PDFium's line number on the page (content order)
    space_after: bool        # PDFium put a space after it (also at the end of a wrapped line)
    hyphen_after: str = ""   # "soft" (a discretionary hyphen ended the line) | "hard" (a printed '-' did)
    bold: bool = False       # its font's weight is 600 or more

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def yc(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class Edge:
    orient: str              # "h" (y = pos, from start to end in x) | "v" (x = pos, start..end in y)
    pos: float
    start: float
    end: float


@dataclass
class PageContent:
    number: int              # 1-based
    width: float
    height: float
    words: list[Word]
    edges: list[Edge]
    has_images: bool
    n_chars: int


def page_content(pdf, index: int) -> PageContent:
    """Words, rulings and whether there are images, for page ``index`` of a PdfDocument."""
    page = pdf[index]
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            words, n_chars = _words(textpage, height)
        finally:
            textpage.close()
        edges, has_images = _edges(page, height)
        return PageContent(index + 1, width, height, words, edges, has_images, n_chars)
    finally:
        page.close()


_SPACE = frozenset(" \t\u00a0\u2009\u200a\u2002\u2003\u3000")
_LINE_END = frozenset("\r\n")
_CONTROL = frozenset(chr(c) for c in range(32)) - {"\t", "\r", "\n", "\x02"}


def _words(textpage, height: float) -> tuple[list[Word], int]:
    import pypdfium2.raw as R

    n = textpage.count_chars()
    if n <= 0:
        return [], 0
    text = textpage.get_text_range(0, n)
    if len(text) != n:          # characters outside the BMP: one code unit each, per character
        text = "".join(chr(R.FPDFText_GetUnicode(textpage.raw, i)) for i in range(n))
    raw = textpage.raw
    rect = R.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    words: list[Word] = []
    line = 0
    i = 0
    while i < n:
        c = text[i]
        if c in _LINE_END:
            if c == "\n" or i + 1 >= n or text[i + 1] != "\n":
                line += 1
            i += 1
            continue
        if c in _SPACE or c in _CONTROL:
            i += 1
            continue
        j = i
        while j < n and text[j] not in _SPACE and text[j] not in _LINE_END and text[j] not in _CONTROL:
            j += 1
            if text[j - 1] == "\ufffe":      # PDFium joins a hyphenated line end: the word ends here
                break
        chars = text[i:j]
        hyphen = ""
        # PDFium marks a hyphen at a line end as U+FFFE (printed '-') and a soft hyphen as \x02
        if chars.endswith("\ufffe"):
            chars, hyphen = chars[:-1] + "-", "hard"
        elif chars.endswith("\x02") and (j >= n or text[j] in _LINE_END):
            chars, hyphen = chars[:-1], "soft"
        chars = chars.replace("\ufffe", "-").replace("\x02", "").replace("\u00ad", "")
        if chars.endswith("-") and not hyphen and (j >= n or text[j] in _LINE_END):
            hyphen = "hard"
        if chars:
            R.FPDFText_GetLooseCharBox(raw, i, rect)
            x0, bottom = rect.left, height - rect.bottom
            last = j - 1
            while last > i and text[last] in "\ufffe\x02":
                last -= 1
            R.FPDFText_GetLooseCharBox(raw, last, rect)
            x1 = rect.right
            if R.FPDFText_GetCharOrigin(raw, i, ox, oy):
                baseline = height - oy.value
            else:
                baseline = bottom
            size = R.FPDFText_GetFontSize(raw, i) or 10.0
            bold = R.FPDFText_GetFontWeight(raw, i) >= 600
            # the vertical extent from the baseline and the size, the same for every glyph
            words.append(Word(chars, x0, max(x1, x0), baseline - 0.8 * size, baseline + 0.2 * size, baseline,
                              size, line, j < n and text[j] in _SPACE, hyphen, bold))
        if hyphen == "hard" and text[j - 1] == "\ufffe":
            line += 1
        i = j
    return words, n


def _is_white(r: int, g: int, b: int, a: int) -> bool:
    return a == 0 or (r >= PDF.paper_white and g >= PDF.paper_white and b >= PDF.paper_white)


def _edges(page, height: float) -> tuple[list[Edge], bool]:
    """Ruling lines: stroked lines, thin filled rectangles, and the sides of stroked or
    filled (non-white) rectangles (shaded cells)."""
    import pypdfium2.raw as R

    edges: list[Edge] = []
    has_images = False
    raw_page = page.raw
    l, b, r, t = (ctypes.c_float() for _ in range(4))
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    cr, cg, cb, ca = (ctypes.c_uint() for _ in range(4))
    for k in range(R.FPDFPage_CountObjects(raw_page)):
        obj = R.FPDFPage_GetObject(raw_page, k)
        kind = R.FPDFPageObj_GetType(obj)
        if kind == R.FPDF_PAGEOBJ_IMAGE:
            has_images = True
            continue
        if kind == R.FPDF_PAGEOBJ_FORM:
            has_images = has_images or _form_has_images(obj)
            continue
        if kind != R.FPDF_PAGEOBJ_PATH:
            continue
        if not R.FPDFPageObj_GetBounds(obj, l, b, r, t):
            continue
        R.FPDFPath_GetDrawMode(obj, fill, stroke)
        filled, stroked = fill.value != 0, bool(stroke.value)
        if not filled and not stroked:
            continue
        visible = False
        if stroked and R.FPDFPageObj_GetStrokeColor(obj, cr, cg, cb, ca):
            visible = not _is_white(cr.value, cg.value, cb.value, ca.value)
        if not visible and filled and R.FPDFPageObj_GetFillColor(obj, cr, cg, cb, ca):
            visible = not _is_white(cr.value, cg.value, cb.value, ca.value)
        if not visible:
            continue
        x0, x1 = l.value, r.value
        y0, y1 = height - t.value, height - b.value          # top-down
        w, h = x1 - x0, y1 - y0
        if h <= PDF.edge_max_thickness and w > h:
            edges.append(Edge("h", (y0 + y1) / 2, x0, x1))
            continue
        if w <= PDF.edge_max_thickness and h > w:
            edges.append(Edge("v", (x0 + x1) / 2, y0, y1))
            continue
        n_seg = R.FPDFPath_CountSegments(obj)
        if n_seg <= 0 or n_seg > PDF.max_path_segments:
            continue
        seg_edges = _segment_edges(obj, n_seg, height)
        if seg_edges is None:         # curves: a drawing, not a table border
            continue
        if seg_edges:
            edges.extend(seg_edges)
        else:                         # a rectangle drawn as one operator: its four sides
            edges += [Edge("h", y0, x0, x1), Edge("h", y1, x0, x1), Edge("v", x0, y0, y1), Edge("v", x1, y0, y1)]
    return edges, has_images


def _form_has_images(form) -> bool:
    import pypdfium2.raw as R

    for k in range(R.FPDFFormObj_CountObjects(form)):
        o = R.FPDFFormObj_GetObject(form, k)
        kind = R.FPDFPageObj_GetType(o)
        if kind == R.FPDF_PAGEOBJ_IMAGE or (kind == R.FPDF_PAGEOBJ_FORM and _form_has_images(o)):
            return True
    return False


def _segment_edges(obj, n_seg: int, height: float) -> list[Edge] | None:
    """Axis-parallel straight segments of a path, in page coordinates; None for a path with
    curves."""
    import pypdfium2.raw as R

    m = R.FS_MATRIX()
    if not R.FPDFPageObj_GetMatrix(obj, m):
        m.a, m.b, m.c, m.d, m.e, m.f = 1, 0, 0, 1, 0, 0
    px, py = ctypes.c_float(), ctypes.c_float()
    pts: list[tuple[float, float, int, bool]] = []
    for k in range(n_seg):
        seg = R.FPDFPath_GetPathSegment(obj, k)
        kind = R.FPDFPathSegment_GetType(seg)
        if kind == R.FPDF_SEGMENT_BEZIERTO:
            return None
        R.FPDFPathSegment_GetPoint(seg, px, py)
        x = m.a * px.value + m.c * py.value + m.e
        y = m.b * px.value + m.d * py.value + m.f
        pts.append((x, height - y, kind, bool(R.FPDFPathSegment_GetClose(seg))))
    out: list[Edge] = []
    start = None
    prev = None
    for x, y, kind, close in pts:
        if kind == R.FPDF_SEGMENT_MOVETO:
            start = prev = (x, y)
            continue
        if prev is not None:
            out.extend(_axis_edge(prev, (x, y)))
        prev = (x, y)
        if close and start is not None:
            out.extend(_axis_edge(prev, start))
            prev = start
    return out


def _axis_edge(a: tuple[float, float], b: tuple[float, float]) -> list[Edge]:
    (x0, y0), (x1, y1) = a, b
    if abs(y0 - y1) <= 0.5 and abs(x1 - x0) > 0.5:
        return [Edge("h", (y0 + y1) / 2, min(x0, x1), max(x0, x1))]
    if abs(x0 - x1) <= 0.5 and abs(y1 - y0) > 0.5:
        return [Edge("v", (x0 + x1) / 2, min(y0, y1), max(y0, y1))]
    return []
