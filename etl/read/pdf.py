"""Read stage for PDF input: PDF bytes -> RawDocument (flavour ``pdf``) with tables as tables.

A council writes its plan or report in a word processor and exports it to PDF, so its
tables are real tables: bordered (or shaded, or borderless) cells, a header row repeated on
every page, value columns a few centimetres wide. The stages, each in its own module:

1. page geometry (etl/read/pdf_page.py): every word with its box, every ruling line;
2. ruled tables (etl/read/pdf_grid.py): rulings -> intersections -> cells; a word belongs to the
   cell whose box holds its centre, so a wrap inside a cell never splits the cell and a
   right-aligned or centred number lands in its own column;
3. page furniture (etl/read/pdf_furniture.py): the running header and footer by what repeats at
   the same place on the pages, the table of contents by its dot leaders; both left out;
4. borderless tables (etl/read/pdf_align.py): columns from the words' alignment across lines;
5. tables across pages, here: a table that goes on at the top of the next page (same
   columns) keeps its number; its header rows are found by their words (etl/parse/columns.py) and
   composed into one label per column ("Mål" over "Årsmål" -> "Mål Årsmål"); a repeated
   header is marked as the same table's header again.

The result is the usual RawDocument: prose lines (with their page and box, ``gap_before``
from the layout) and, for each table row, one Line with its ``cells`` (text, column, span,
box); the header row's Line has ``header=True`` and the column labels as cells. Line numbers
run through the document (one per prose line or table row), so ``source_line`` stays
unique; ``source_page`` and the boxes tell the user where to look.

Problems become ``ReadError`` with a message that names the file and what to do:
encrypted (password), truncated or corrupt, not a PDF at all, or a scan without a text layer
(OCR needed).
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

from etl.model import Box, Line, RawDocument, TableCell, union_box
from etl.parse.columns import compose_labels, is_header_row
from etl.read.errors import ReadError
from etl.read.pdf_align import AlignedTable, PhysLine, find_aligned_tables, phys_lines
from etl.read.pdf_furniture import furniture, toc_lines
from etl.read.pdf_grid import Grid, find_grids
from etl.read.pdf_page import PageContent, Word, page_content
from etl.read.pdf_settings import PDF
from etl.read.pdf_text import (
    ProseWords,
    cell_text,
    is_bold,
    line_text,
)
from etl.read.sniff import MAX_PAGES, MAX_TEXT_CHARS, describe, sniff


def read_pdf(path: Path | None, rel: str, sha: str, data: bytes) -> RawDocument:
    """Text and tables of a PDF as numbered lines with pages and boxes (see module docstring)."""
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
        if n_pages > MAX_PAGES:
            raise ReadError(f"{rel}: the PDF has {n_pages} pages; the limit is {MAX_PAGES}")
        pages: list[PageContent] = []
        for index in range(n_pages):
            try:
                pages.append(page_content(pdf, index))
            except pdfium.PdfiumError as e:
                raise ReadError(f"{rel}: page {index + 1} of {n_pages} cannot be read ({e}); "
                                f"the PDF is damaged, export it again") from None
    finally:
        pdf.close()
    printable = sum(len(w.text) for p in pages for w in p.words)
    if printable > MAX_TEXT_CHARS:
        raise ReadError(f"{rel}: the PDF holds too much text ({printable:,} characters; the limit is {MAX_TEXT_CHARS:,})")
    if printable < PDF.min_chars_per_page * n_pages / 4 or printable < PDF.min_chars_per_page:
        if any(p.has_images for p in pages):
            raise ReadError(f"{rel}: the PDF is scanned images without a text layer ({n_pages} pages, "
                            f"{printable} characters of text); OCR behövs (needs OCR) before it can be read")
        raise ReadError(f"{rel}: the PDF contains no text ({n_pages} pages)")
    return RawDocument(source_file=rel, sha256=sha, flavour="pdf", lines=layout_lines(pages))


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


# -- one page: tables and prose lines ----------------------------------------------------------
@dataclass
class _Cell:
    col: int
    span: int
    box: Box | None
    words: list[Word]
    avail: float = 0.0       # the width a line of text has in the cell (its box less the padding)


@dataclass
class _Fragment:
    """A table's part on one page: column boundaries and rows of cells."""

    xs: list[float]
    rows: list[list[_Cell]]
    ruled: bool
    top: float
    table: int = -1
    extents: list[list[float]] | None = None     # (borderless) each column's text, left to right

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1


@dataclass
class _Page:
    number: int
    items: list[tuple[float, PhysLine | _Fragment]] = field(default_factory=list)


def _grid_fragments(grids: list[Grid], words: list[Word]) -> tuple[list[_Fragment], list[Word]]:
    """Words into the cells of the ruled tables (by their centre); the other words back."""
    tables = [g for g in grids if g.n_cols >= 2]
    per_cell: dict[int, dict[int, list[Word]]] = {k: {} for k in range(len(tables))}
    free: list[Word] = []
    for w in words:
        for k, g in enumerate(tables):
            if g.contains(w.xc, w.yc):
                cell = g.cell_at(w.xc, w.yc)
                if cell is not None:
                    per_cell[k].setdefault(id(cell), []).append(w)
                    break
        else:
            free.append(w)
    out = []
    for k, g in enumerate(tables):
        cells = per_cell[k]
        if not cells:
            continue            # rulings around nothing: a frame or a drawing
        # the cell padding: the least distance from a cell's left edge to its text
        pad = min((min(w.x0 for w in ws) - c.x0 for c in g.cells if (ws := cells.get(id(c)))), default=0.0)
        pad = min(max(pad, 0.0), 12.0)
        rows: list[list[_Cell]] = []
        for r in range(g.n_rows):
            row = [_Cell(c.col, c.col_span, c.box, cells.get(id(c), []), c.x1 - c.x0 - 2 * pad)
                   for c in g.cells if c.row == r]
            if any(c.words for c in row):
                rows.append(row)
        out.append(_Fragment(g.xs, rows, True, g.ys[0]))
    return out, free


def _aligned_fragment(t: AlignedTable) -> _Fragment:
    extent = [0.0] * t.n_cols             # the widest text of each column
    for ln in t.lines:
        for w in ln.words:
            c = t.column_of(w)
            extent[c] = max(extent[c], w.x1)
    left = [min((w.x0 for ln in t.lines for w in ln.words if t.column_of(w) == c), default=0.0) for c in range(t.n_cols)]
    rows = []
    for lines in t.rows:
        by_col: dict[int, list[Word]] = {}
        for ln in lines:
            for w in ln.words:
                by_col.setdefault(t.column_of(w), []).append(w)
        row = []
        for c in range(t.n_cols):
            ws = by_col.get(c, [])
            box = (min(w.x0 for w in ws), min(w.top for w in ws), max(w.x1 for w in ws),
                   max(w.bottom for w in ws)) if ws else None
            row.append(_Cell(c, 1, box, ws, extent[c] - left[c]))
        rows.append(row)
    return _Fragment(t.xs, rows, False, t.lines[0].top, extents=t.extents)


def _rebucket(frag: _Fragment, prev: _Fragment) -> _Fragment | None:
    """A borderless table without a header, laid out in the columns of the table before it
    (the same table, split by Analys text or a page break, or rows under a ruled header: a
    column that is empty in all of its rows is not seen in its own words). None when its
    words do not fit those columns."""
    if frag.ruled:
        return None              # a ruled piece has cells of its own
    # (a ruled table above -- a shaded or ruled header over borderless rows -- lends its
    # cells' columns as the extents)
    words = [w for row in frag.rows for c in row for w in c.words]
    if not words or min(w.x0 for w in words) < prev.xs[0] - PDF.same_columns_aligned \
            or max(w.x1 for w in words) > prev.xs[-1] + PDF.same_columns_aligned:
        return None

    extents = prev.extents or [[a, b] for a, b in zip(prev.xs, prev.xs[1:])]

    def gap(a: tuple[float, float], k: int) -> float:
        # how far the text a is from column k's text (minus the overlap when they overlap)
        lo, hi = extents[k]
        return max(lo - a[1], a[0] - hi, 0.0) - max(0.0, min(a[1], hi) - max(a[0], lo))

    # each cell into one of those: the first column's into the first (a name column is as
    # wide as its longest name, which the table above need not have), the others, left to
    # right, each into the column whose text it is in (or nearest to). Cell by cell: two
    # columns that are never filled in the same row may have come out as one here.
    target: dict[int, list[int]] = {}
    for r, row in enumerate(frag.rows):
        last = -1
        for c in sorted((c for c in row if c.words), key=lambda c: c.col):
            span = (min(w.x0 for w in c.words), max(w.x1 for w in c.words))
            options = range(0, 1) if c.col == 0 else range(last + 1, len(extents))
            if not options:
                return None      # more cells than the columns there
            last = min(options, key=lambda k: gap(span, k))
            target.setdefault(r, []).append(last)
    avails = {c.col: c.avail for row in prev.rows for c in row}
    rows = []
    for r, row in enumerate(frag.rows):
        by_col: dict[int, list[Word]] = {}
        for c, k in zip(sorted((c for c in row if c.words), key=lambda c: c.col), target.get(r, [])):
            by_col.setdefault(k, []).extend(c.words)
        rows.append([_Cell(k, 1, union_box([(w.x0, w.top, w.x1, w.bottom) for w in by_col[k]]) if k in by_col else None,
                           by_col.get(k, []), avails.get(k, 0.0)) for k in range(prev.n_cols)])
    return _Fragment(prev.xs, rows, False, frag.top, extents=prev.extents)


def _page_layout(page: PageContent) -> tuple[list[_Fragment], list[PhysLine]]:
    grids = find_grids(page.edges)
    fragments, free = _grid_fragments(grids, page.words)
    return fragments, phys_lines(free)


def _round_box(b: Box | None) -> Box | None:
    return None if b is None else tuple(round(v, 1) for v in b)       # type: ignore[return-value]


# -- the document -------------------------------------------------------------------------------------
def layout_lines(pages: list[PageContent]) -> list[Line]:
    """Every page's prose lines and table rows as numbered Lines (see module docstring)."""
    per_page = [_page_layout(p) for p in pages]
    free_lines = [lines for _, lines in per_page]
    drop = furniture(free_lines, [p.height for p in pages])
    laid: list[_Page] = []
    known: list[list[list[float]]] = []      # column extents of the borderless tables so far
    for page, (fragments, lines), dropped in zip(pages, per_page, drop):
        kept = [ln for k, ln in enumerate(lines) if k not in dropped]
        toc = toc_lines(kept)
        kept = [ln for k, ln in enumerate(kept) if k not in toc]
        h_edges = [e for e in page.edges if e.orient == "h"]
        # the ruled tables' columns count too: a borderless row under a ruled (or shaded) header
        known += [[[a, b] for a, b in zip(f.xs, f.xs[1:])] for f in fragments if f.n_cols >= 3]
        aligned = find_aligned_tables(kept, h_edges, known[-PDF.known_tables:])
        known += [t.extents for t in aligned]
        in_aligned = {id(ln) for t in aligned for ln in t.lines}
        lp = _Page(page.number)
        lp.items = [(ln.top, ln) for ln in kept if id(ln) not in in_aligned]
        lp.items += [(f.top, f) for f in fragments]
        lp.items += [(t.lines[0].top, _aligned_fragment(t)) for t in aligned]
        lp.items.sort(key=lambda it: it[0])
        laid.append(lp)
    vocab = ProseWords([item for p in laid for _, item in p.items if isinstance(item, PhysLine)])
    return _number(laid, vocab)


def _same_columns(a: _Fragment, b: _Fragment) -> bool:
    if a.ruled != b.ruled or a.n_cols != b.n_cols:
        return False
    tol = PDF.same_columns if a.ruled else PDF.same_columns_aligned
    return all(abs(x - y) <= tol for x, y in zip(a.xs, b.xs))


def _row_texts(row: list[_Cell], vocab: ProseWords) -> list[str]:
    return [cell_text(c.words, c.avail, vocab) for c in row]


def _number(laid: list[_Page], vocab: ProseWords) -> list[Line]:
    steps = []
    for p in laid:
        prev = None
        for _, item in p.items:
            if isinstance(item, PhysLine):
                if prev is not None and 0.5 < item.baseline - prev.baseline:
                    steps.append(round((item.baseline - prev.baseline) * 2) / 2)
                prev = item
            else:
                prev = None
    # the line pitch of running text: the most common step between lines
    pitch = statistics.mode(steps) if steps else 12.0
    out: list[Line] = []
    no = 0
    n_tables = 0
    open_table: tuple[_Fragment, list[list[str]], list[str]] | None = None   # last fragment, header texts, labels
    last_headed: _Fragment | None = None        # the last table fragment that had a header
    for p in laid:
        prev_line: PhysLine | None = None
        prev_was_table = True
        for k, (_, item) in enumerate(p.items):
            if isinstance(item, PhysLine):
                no += 1
                if prev_was_table or prev_line is None:
                    gap = True
                else:
                    # a block boundary: a paragraph's space, a column's top, another style
                    step = item.baseline - prev_line.baseline
                    gap = (step > 1.3 * pitch or step < -0.5 * pitch or abs(item.size - prev_line.size) > 0.6
                           or is_bold(item) != is_bold(prev_line))
                box = (item.x0, item.top, item.x1, item.bottom)
                out.append(Line(no=no, text=line_text(item), page=p.number, gap_before=gap, box=_round_box(box)))
                prev_line, prev_was_table = item, False
                open_table = None
                continue
            frag = item
            texts = [_row_texts(r, vocab) for r in frag.rows]
            if last_headed is not None and texts and not is_header_row(texts[0]):
                again = _rebucket(frag, last_headed)
                if again is not None:
                    frag = again
                    texts = [_row_texts(r, vocab) for r in frag.rows]
            continues = (open_table is not None and k == 0 and _same_columns(open_table[0], frag))
            header_n = 0
            if continues:
                assert open_table is not None    # continues: it is the table open above
                frag.table = open_table[0].table
                header_texts, labels = open_table[1], open_table[2]
                while header_n < len(header_texts) and header_n < len(texts) and texts[header_n] == header_texts[header_n]:
                    header_n += 1
                if header_n < len(header_texts) or not header_texts:
                    header_n = 0                 # not the whole header repeated: rows only ...
            if not header_n:
                # ... or a header of its own (the table above came without one: its header,
                # printed on the page before, was the recogniser's to match)
                # (all of a piece's rows may be header rows: a header alone at the foot of a
                # page, or a two-row header its rule set apart from the rows)
                while header_n < min(PDF.max_header_rows, len(texts)) and is_header_row(texts[header_n]):
                    header_n += 1
                if not continues:
                    n_tables += 1
                    frag.table = n_tables
                if header_n or not continues:
                    header_texts = texts[:header_n]
                    labels = compose_labels([[(c.col, c.span, t) for c, t in zip(r, tx)]
                                             for r, tx in zip(frag.rows[:header_n], header_texts)], frag.n_cols)
            if header_n:
                no += 1
                header_box = union_box([c.box for r in frag.rows[:header_n] for c in r])
                cells = tuple(TableCell(lb, c, 1, None) for c, lb in enumerate(labels))
                out.append(Line(no=no, text="\t".join(labels), page=p.number, gap_before=True,
                                box=_round_box(header_box), cells=cells, table=frag.table, header=True))
            for row, tx in zip(frag.rows[header_n:], texts[header_n:]):
                no += 1
                fields = [""] * frag.n_cols
                for c, t in zip(row, tx):
                    if c.col < frag.n_cols:
                        fields[c.col] = t
                cells = tuple(TableCell(t, c.col, c.span, _round_box(c.box)) for c, t in zip(row, tx))
                out.append(Line(no=no, text="\t".join(fields), page=p.number, gap_before=True,
                                box=_round_box(union_box([c.box for c in row if c.words])), cells=cells,
                                table=frag.table))
            open_table = (frag, header_texts, labels)
            if header_n:
                last_headed = frag
            prev_was_table, prev_line = True, None
    return out
