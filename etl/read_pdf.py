"""Read stage for PDF input: PDF bytes -> RawDocument (flavour ``pdf``), every line with its page.

pypdfium2 (PDFium) extracts the text in content order, one printed line per text line, which
is the same shape as the ``plain`` text extractions the recognisers were written for: a table
row's name cell comes out line by line, then its value cells on one line. Blank lines are
not printed in a PDF, so ``gap_before`` (a block boundary, which the recognisers use to end
paragraphs and rows) is derived from the layout: a line whose baseline is clearly below the
usual line pitch, or back up the page (the next cell of a table row), or on a new page.
Table cells are found from the word positions (see `set_cell_text`), so an empty cell becomes
the extra space the cell grammar (etl/cells.py) expects.

Line numbers run through the whole document (page 1's lines first), so ``source_line`` stays
unique; ``source_page`` tells the user where to look in the PDF.

Problems become ``ReadError`` with a message that names the file and what to do:
encrypted (password), truncated or corrupt, not a PDF at all, or a scan without a text layer
(OCR needed).
"""
from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from etl.model import Line, RawDocument
from etl.read import ReadError
from etl.sniff import describe, sniff

MIN_CHARS_PER_PAGE = 20      # fewer printable characters than this on average: a scan
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def read_pdf(path: Path | None, rel: str, sha: str, data: bytes) -> RawDocument:
    """Text of a PDF as numbered lines with page numbers (see module docstring)."""
    import pypdfium2 as pdfium

    _check_container(rel, data)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        raise ReadError(_open_error(rel, data, e)) from None
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise ReadError(f"{rel}: the PDF has no pages")
        pages: list[list[_PdfLine]] = []
        has_images = False
        for index in range(n_pages):
            try:
                page = pdf[index]
                pages.append(_page_lines(page))
                if not has_images:
                    has_images = any(True for _ in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=2))
            except pdfium.PdfiumError as e:
                raise ReadError(f"{rel}: page {index + 1} of {n_pages} cannot be read ({e}); "
                                f"the PDF is damaged, export it again") from None
    finally:
        pdf.close()
    printable = sum(len(w) for page in pages for pl in page for w, _, _ in pl.words)
    if printable < MIN_CHARS_PER_PAGE * n_pages / 4 or printable < MIN_CHARS_PER_PAGE:
        if has_images:
            raise ReadError(f"{rel}: the PDF is scanned images without a text layer ({n_pages} pages, "
                            f"{printable} characters of text); OCR behövs (needs OCR) before it can be read")
        raise ReadError(f"{rel}: the PDF contains no text ({n_pages} pages)")
    set_cell_text(pages)
    return RawDocument(source_file=rel, sha256=sha, flavour="pdf", lines=_number_lines(pages))


def _check_container(rel: str, data: bytes) -> None:
    """Bytes that are not a PDF at all (a renamed Word file, a web page) get a precise message."""
    kind = sniff(data)
    if kind != "pdf":
        raise ReadError(f"{rel}: named .pdf but the content is {describe(kind)}, not a PDF; "
                        "save or export the document as PDF and add it again")


def _open_error(rel: str, data: bytes, e: Exception) -> str:
    code = getattr(e, "err_code", None)
    text = str(e).lower()
    if code == 4 or "password" in text:
        return f"{rel}: the PDF is encrypted (password protected); save an unprotected copy and add that"
    if code == 6 or "security" in text:
        return f"{rel}: the PDF uses an unsupported security handler (encryption); save an unprotected copy"
    if b"%%EOF" not in data[-2048:]:
        return f"{rel}: the PDF is truncated or damaged (no end-of-file marker, {len(data)} bytes); download it again"
    return f"{rel}: the PDF is damaged and cannot be opened ({e}); export or download it again"


@dataclass
class _PdfLine:
    """One line as PDFium orders it: its words with their x extent, its baseline y."""

    words: list[tuple[str, float, float]]     # (text, left x, right x)
    top: float | None
    trailing_space: bool
    text: str = ""
    values: str = ""      # a table row's value cells, when they share the line with its name


def _page_lines(page) -> list[_PdfLine]:
    """The printed lines of one page, in PDFium's content order, split into positioned words.

    PDFium ends lines with \r\n (its own generated characters, so string indices stay aligned
    with the character boxes)."""
    textpage = page.get_textpage()
    try:
        n = textpage.count_chars()
        text = textpage.get_text_range(0, n) if n else ""
        lines: list[_PdfLine] = []
        pos = 0
        # PDFium joins a word hyphenated at a line end into one line, marking the hyphen with
        # U+FFFE; it is split again there, as printed ("vård-" / "och"), like line ends
        for m in re.finditer(r"[^\r\n\ufffe]*(?:\r\n|\r|\n|\ufffe|$)", text):
            chunk = m.group(0)
            if not chunk:
                break
            printed = chunk.rstrip("\r\n").replace("\ufffe", "-")
            body = _clean(printed)
            words: list[tuple[str, float, float]] = []
            top = None
            if body.strip() and len(body) == len(printed):
                top, words = _positioned_words(textpage, pos, body)
            elif body.strip():       # characters were dropped: keep the text, without positions
                words = [(w, 0.0, 0.0) for w in body.split()]
            lines.append(_PdfLine(words, top, body.endswith(" ")))
            pos += len(chunk)
        return lines
    finally:
        textpage.close()


def _positioned_words(textpage, start: int, body: str) -> tuple[float | None, list[tuple[str, float, float]]]:
    """Words of a line with their x extent, from the boxes of each word's first and last
    character (boxes of every character would cost three times as much)."""
    words: list[tuple[str, float, float]] = []
    for m in re.finditer(r"\S+", body):
        try:
            left = textpage.get_charbox(start + m.start())[0]
            right = textpage.get_charbox(start + m.end() - 1)[2]
        except Exception:   # a box is only layout help
            left = right = words[-1][2] if words else 0.0
        words.append((m.group(0), left, right))
    return _baseline(textpage, start + len(body) - len(body.lstrip())), words


def _baseline(textpage, index: int) -> float | None:
    """The y of a character's baseline (glyph boxes differ: 'A' is taller than 'r')."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    x, y = ctypes.c_double(), ctypes.c_double()
    if pdfium_c.FPDFText_GetCharOrigin(textpage.raw, index, x, y):
        return y.value
    return None


COLUMN_TOLERANCE = 3.0       # points: cell starts this close are one column
CELL_GAP = 8.0               # points: a wider gap between words separates two table cells


def set_cell_text(pages: list[list[_PdfLine]]) -> None:
    """Each line's text, written the way the recognisers read table rows: one space between
    cells and one extra space for every empty cell (column) in between or before them.

    A cell is a run of words separated from the next by a wide gap. Columns are the cell start
    positions right of the page margin that recur in the document (left-aligned table cells).
    A table layout is a set of columns seen together on one line (a header or a full row); a
    row's empty cells are the columns it skips of the widest layout that contains all of its
    cells. Prose, and lines that fit no layout, are written with single spaces."""
    lines = [(page_index, pl, _cells(pl)) for page_index, page in enumerate(pages) for pl in page]
    margins = {}
    for page_index, page in enumerate(pages):
        starts = [round(pl.words[0][1]) for pl in page if pl.words and pl.top is not None]
        margins[page_index] = Counter(starts).most_common(1)[0][0] if starts else 0.0
    xs = sorted(x for p, _, cells in lines if len(cells) >= 2 for _, x in cells
                if x > margins[p] + COLUMN_TOLERANCE)
    columns = _cluster(xs)

    def column_of(x: float) -> int | None:
        return next((i for i, c in enumerate(columns) if abs(x - c) <= COLUMN_TOLERANCE), None)

    ids_per_line = []
    for p, _, cells in lines:
        ids = [column_of(x) if x > margins[p] + COLUMN_TOLERANCE else -1 for _, x in cells]
        ids_per_line.append(ids)
    layouts = Counter(frozenset(i for i in ids if i >= 0) for ids in ids_per_line
                      if None not in ids and sum(i >= 0 for i in ids) >= 2)
    for (_, pl, cells), ids in zip(lines, ids_per_line):
        pl.text, in_table = _join_cells(cells, ids, layouts)
        if in_table and ids[0] == -1 and ids.count(-1) == 1 and any(ch.isdigit() for t, _ in cells[1:] for ch in t):
            # a one-line name and its values (not a header): two lines, as when the name
            # wraps, so the recognisers need not guess where the name ends
            name = " ".join(t for (t, _), i in zip(cells, ids) if i == -1)
            pl.text, pl.values = name, pl.text[len(name) + 1:]
        elif pl.text and pl.trailing_space:
            pl.text += " "


def _cells(pl: _PdfLine) -> list[tuple[str, float]]:
    """(text, start x) of the cells of a line: words closer than a wide gap form one cell."""
    cells: list[tuple[str, float]] = []
    prev_right = None
    for word, left, right in pl.words:
        if cells and (pl.top is None or (prev_right is not None and left - prev_right <= CELL_GAP)):
            cells[-1] = (cells[-1][0] + " " + word, cells[-1][1])
        else:
            cells.append((word, left))
        prev_right = right
    return cells


def _cluster(xs: list[float]) -> list[float]:
    """Positions that occur at least twice, merged within the tolerance."""
    groups: list[list[float]] = []
    for x in xs:
        if groups and x - groups[-1][-1] <= COLUMN_TOLERANCE:
            groups[-1].append(x)
        else:
            groups.append([x])
    return [sum(g) / len(g) for g in groups if len(g) >= 2]


def _join_cells(cells: list[tuple[str, float]], ids: list[int | None], layouts: Counter) -> tuple[str, bool]:
    """The line's text, and whether it was read as a table row. `ids`: each cell's column,
    -1 for the name/prose at the margin, None for no column."""
    plain = " ".join(t for t, _ in cells)
    value_ids = {i for i in ids if i is not None and i >= 0}
    if len(cells) < 2 or None in ids or not value_ids:
        return plain, False
    fitting = [(len(layout), n, layout) for layout, n in layouts.items() if value_ids <= layout]
    if not fitting:
        return plain, False
    table = sorted(max(fitting, key=lambda f: (f[0], f[1]))[2])
    out, prev_pos = "", -1              # position of the previous value cell in its table
    for (text, _), i in zip(cells, ids):
        if i == -1:                     # the name (or prose) at the margin
            out = (out + " " if out else "") + text
            continue
        pos = table.index(i)
        out = (out + " " if out else "") + " " * max(pos - prev_pos - 1, 0) + text
        prev_pos = pos
    return out, True


def _clean(text: str) -> str:
    """PDFium's markers out: \x02 marks a soft hyphen at a line end; controls dropped."""
    text = text.replace("\x02", "-").replace("\u00ad", "-").replace("\u00a0", " ")
    return _CONTROL.sub("", text)


def _number_lines(pages: list[list[_PdfLine]]) -> list[Line]:
    steps = [prev.top - cur.top for page in pages for prev, cur in zip(page, page[1:])
             if prev.top is not None and cur.top is not None and prev.top - cur.top > 0.5]
    # the line pitch of running text: the most common step between lines (paragraph and row
    # gaps are rarer); a median would be pulled up by them in table-heavy documents
    pitch = statistics.mode(round(st * 2) / 2 for st in steps) if steps else 12.0
    lines: list[Line] = []
    no = 0
    for page_no, page in enumerate(pages, start=1):
        prev_y: float | None = None
        first_on_page = True
        for pl in page:
            no += 1
            if not pl.text.strip():
                continue
            if first_on_page:
                gap = True
            elif pl.top is None or prev_y is None:
                gap = False
            else:
                step = prev_y - pl.top
                gap = step > 1.3 * pitch or step < -0.5 * pitch
            lines.append(Line(no=no, text=pl.text, page=page_no, gap_before=gap))
            if pl.values:
                no += 1
                lines.append(Line(no=no, text=pl.values, page=page_no, gap_before=True))
            first_on_page = False
            if pl.top is not None:
                prev_y = pl.top
    return lines
