"""Tables without vertical rulings: columns from the alignment of word boxes across lines.

Input: the words of a page that are in no ruled table (etl/read/pdf_grid.py), and its horizontal
rulings. Stages:

1. lines: words on one baseline, left to right (``PhysLine``);
2. blocks: a table starts at a line with a wide gap between words (a "seed" line: two cells
   side by side) and goes on while each next line leaves the block's gutters (the x ranges
   between its columns) free; a word in a gutter that touches no column starts a new column
   there (a second header row: "Årsmål | KF:s årsmål" under "Mål"); a line whose words bridge
   a gutter (prose, a full-width "Analys" text) ends the table, and so does a header row
   after the table's rows (the next table starts there). Neighbouring columns that no
   line prints in together are one column (a left-aligned header over centred values). A
   block with fewer than two seed lines is prose;
3. rows: the block's lines are grouped into table rows by the horizontal rules between them;
   without rules by the vertical gap a cell's padding or spacing leaves between rows (across
   every column); without either, a row starts at each line that has text in the first and
   the last column, not in lower case (cells are top-aligned: a row's name and its last cell
   start together; a wrapped name goes on in lower case).

The result is an ``AlignedTable``: column boundaries and rows of per-column lines of words,
the same shape the ruled tables give, so the cell text is made the same way for both.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from etl.parse.columns import header_roles, is_header_row, table_kind
from etl.read.pdf_page import Edge, Word
from etl.read.pdf_settings import PDF


@dataclass
class PhysLine:
    words: list[Word]

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def baseline(self) -> float:
        return self.words[0].baseline

    @property
    def size(self) -> float:
        return max(w.size for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)


@dataclass
class AlignedTable:
    xs: list[float]                            # column boundaries (left edge, gutters' middles, right edge)
    rows: list[list[PhysLine]] = field(default_factory=list)
    lines: list[PhysLine] = field(default_factory=list)
    extents: list[list[float]] = field(default_factory=list)   # each column's text from left to right

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1

    def column_of(self, w: Word) -> int:
        for k in range(1, len(self.xs) - 1):
            if w.xc < self.xs[k]:
                return k - 1
        return len(self.xs) - 2


def phys_lines(words: list[Word]) -> list[PhysLine]:
    """Words grouped by baseline into printed lines, top to bottom, each left to right."""
    out: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.baseline, w.x0)):
        if out and abs(w.baseline - out[-1][0].baseline) <= PDF.baseline * max(w.size, out[-1][0].size):
            out[-1].append(w)
        else:
            out.append([w])
    return [PhysLine(sorted(ws, key=lambda w: w.x0)) for ws in out]


def _segments(line: PhysLine) -> list[tuple[float, float]]:
    segs: list[list[float]] = []
    for w in line.words:
        if segs and w.x0 - segs[-1][1] <= PDF.seed_gap * w.size:
            segs[-1][1] = max(segs[-1][1], w.x1)
        else:
            segs.append([w.x0, w.x1])
    return [(a, b) for a, b in segs]


def _segment_texts(line: PhysLine) -> list[str]:
    return [" ".join(w.text for w in line.words if a <= w.x0 and w.x1 <= b) for a, b in _segments(line)]


def looks_like_header(line: PhysLine) -> bool:
    """Is the line a table's header row (two or more cells, header words, no values)?"""
    texts = _segment_texts(line)
    return len(texts) >= 2 and is_header_row(texts)


def _starts_record_table(line: PhysLine) -> bool:
    """Is the line the header of an indicator or activity table ("Aktivitet | Startdatum |
    Slutdatum")? (A budget table's second header row, "Budget | Bokslut", is not.)"""
    texts = _segment_texts(line)
    return len(texts) >= 2 and is_header_row(texts) and table_kind(header_roles(texts)) is not None


def _fit(columns: list[list[float]], line: PhysLine, min_gutter: float) -> list[list[float]] | None:
    """The block's columns after adding the line, or None when a word bridges a gutter."""
    cols = [c[:] for c in columns]
    for w in line.words:
        hit = [k for k, (a, b) in enumerate(cols) if w.x0 < b + min_gutter and w.x1 > a - min_gutter]
        if len(hit) > 1:
            return None
        if hit:
            k = hit[0]
            cols[k][0], cols[k][1] = min(cols[k][0], w.x0), max(cols[k][1], w.x1)
        else:
            cols.append([w.x0, w.x1])
            cols.sort()
    # columns that grew into each other
    for a, b in zip(cols, cols[1:]):
        if b[0] - a[1] < min_gutter:
            return None
    return cols


def _merge_exclusive(columns: list[list[float]], rows: list[list[PhysLine]]) -> list[list[float]]:
    """Neighbouring columns that no table row prints in together, one of them not labelled
    in the header rows, are one column whose header and values are aligned differently (a
    left-aligned "Årsmål" over centred "32 %")."""
    cols = [c[:] for c in columns]
    while len(cols) > 1:
        used = [{k for k, (a, b) in enumerate(cols) for ln in row for w in ln.words if a - 0.5 <= w.xc <= b + 0.5}
                for row in rows]
        n_header = 0
        while n_header < min(3, len(rows) - 1) and is_header_row(
                [" ".join(w.text for ln in rows[n_header] for w in ln.words if a - 0.5 <= w.xc <= b + 0.5)
                 for a, b in cols]):
            n_header += 1
        labelled = set().union(*used[:n_header]) if n_header else set()
        pair = next((k for k in range(len(cols) - 1) if not any(k in u and k + 1 in u for u in used)
                     and not (k in labelled and k + 1 in labelled)), None)
        if pair is None:
            break
        cols[pair:pair + 2] = [[cols[pair][0], max(cols[pair][1], cols[pair + 1][1])]]
    return cols


def _boundaries(columns: list[list[float]]) -> list[float]:
    return [columns[0][0] - 1] + [(a[1] + b[0]) / 2 for a, b in zip(columns, columns[1:])] + [columns[-1][1] + 1]


def _continues_known(segs: list[tuple[float, float]], known: list[list[list[float]]]) -> bool:
    """Do the segments of a single line sit in three or more columns of a table seen before
    (one row of a table that goes on after Analys text, its header not repeated)?"""
    for extents in known:
        hit = [next((k for k, (a, b) in enumerate(extents) if a - 2 <= (x0 + x1) / 2 <= b + 2), None) for x0, x1 in segs]
        if None not in hit and len(set(hit)) == len(hit) >= 3:
            return True
    return False


def find_aligned_tables(lines: list[PhysLine], h_edges: list[Edge],
                        known: Sequence[list[list[float]]] = ()) -> list[AlignedTable]:
    """Borderless (or horizontally ruled) tables among a page's lines (see module docstring).
    ``known``: column extents of the tables before (a one-line block in their columns is a
    table row, not prose)."""
    tables: list[AlignedTable] = []
    known = list(known)
    i = 0
    while i < len(lines):
        first = lines[i]
        segs = _segments(first)
        if len(segs) < 2:
            i += 1
            continue
        size = first.size
        min_gutter = PDF.min_gutter * size
        columns = [[a, b] for a, b in segs]
        block = [first]
        seeds = 1
        body = not looks_like_header(first)
        j = i + 1
        while j < len(lines):
            ln = lines[j]
            if ln.top - block[-1].bottom > PDF.block_gap * size:
                break
            header = looks_like_header(ln)
            if header and body and _starts_record_table(ln):
                break                   # another table's header: that table starts here
            body = body or (not header and len(_segments(ln)) >= 2)   # a row of cells, not a wrapped label
            fitted = _fit(columns, ln, min_gutter)
            if fitted is None:
                break
            columns = fitted
            block.append(ln)
            seeds += len(_segments(ln)) >= 2
            j += 1
        if (seeds >= 2 or _continues_known(segs, known)) and len(columns) >= 2:
            table = AlignedTable(_boundaries(columns), lines=block, extents=columns)
            table.rows = _rows(block, table, h_edges)
            merged = _merge_exclusive(columns, table.rows)
            if len(merged) < len(columns):
                table.xs, table.extents = _boundaries(merged), merged
            if len(merged) >= 2:
                tables.append(table)
                known = known + [table.extents]     # the tables above on this page too
            i = j
        else:
            i += 1
    return tables


def _line_gap(block: list[PhysLine], table: AlignedTable) -> float:
    """The least vertical gap between two lines of text in one column."""
    best = float("inf")
    for c in range(table.n_cols):
        lines = [ln for ln in block if any(table.column_of(w) == c for w in ln.words)]
        for a, b in zip(lines, lines[1:]):
            gap = b.top - a.bottom
            if gap > 0:
                best = min(best, gap)
    return best if best != float("inf") else 0.0


def _rows(block: list[PhysLine], table: AlignedTable, h_edges: list[Edge]) -> list[list[PhysLine]]:
    width = table.xs[-1] - table.xs[0]
    rules = sorted(e.pos for e in h_edges
                   if min(e.end, table.xs[-1]) - max(e.start, table.xs[0]) >= PDF.rule_span * width
                   and block[0].top - 3 <= e.pos <= block[-1].bottom + 3)
    inner = [y for y in rules if block[0].bottom < y < block[-1].top]
    if inner:
        rows: list[list[PhysLine]] = [[]]
        for ln in block:
            if rows[-1] and any(rows[-1][-1].bottom - 1 <= y <= ln.top + 1 for y in inner):
                rows.append([])
            rows[-1].append(ln)
        return rows
    return _split_at_column_gaps(_rows_by_spacing(block, table), table)


def _split_at_column_gaps(rows: list[list[PhysLine]], table: AlignedTable) -> list[list[PhysLine]]:
    """A row whose text in one column leaves an empty line's room or more between two of its
    lines is two rows: a cell's lines follow each other at the line pitch (a repeated
    header and the rest of a row the page broke, printed without cell padding)."""
    out: list[list[PhysLine]] = []
    for row in rows:
        bottoms: dict[int, float] = {}
        out.append([])
        for ln in row:
            cols = {table.column_of(w) for w in ln.words}
            if out[-1] and any(c in bottoms and ln.top - bottoms[c] > PDF.column_gap * ln.size for c in cols):
                out.append([])
                bottoms = {}
            out[-1].append(ln)
            for c in cols:
                bottoms[c] = ln.bottom
    return out


def _rows_by_spacing(block: list[PhysLine], table: AlignedTable) -> list[list[PhysLine]]:
    # bands of text with a clear vertical gap between them, across all columns: a cell's
    # lines follow each other at the line pitch, a row's padding or spacing leaves more room
    words = sorted((w for ln in block for w in ln.words), key=lambda w: w.top)
    bands: list[list[float]] = []
    for w in words:
        if bands and w.top <= bands[-1][1]:
            bands[-1][1] = max(bands[-1][1], w.bottom)
        else:
            bands.append([w.top, w.bottom])
    gaps = [b[0] - a[1] for a, b in zip(bands, bands[1:])]
    if gaps:
        size = block[0].size
        # a row's gap is wider than the gap between a cell's lines (about a third of the font
        # size at single spacing; the least gap between two lines of one column); with only
        # single-line rows every gap is a row's
        threshold = min(PDF.row_gap_size * size, _line_gap(block, table) * PDF.row_gap + PDF.row_gap_slack * size)
        if max(gaps) > threshold:
            rows: list[list[PhysLine]] = [[]]
            for ln in block:
                if rows[-1] and ln.top - rows[-1][-1].bottom > threshold:
                    rows.append([])
                rows[-1].append(ln)
            return rows
    # no gaps at all: a row starts at each line with text in the first and the last column,
    # the first starting a sentence (a wrapped name goes on in lower case)
    last = table.n_cols - 1
    rows = []
    for ln in block:
        cols = {table.column_of(w) for w in ln.words}
        first = next((w.text for w in ln.words if table.column_of(w) == 0), "")
        if not rows or (0 in cols and last in cols and not first[:1].islower()):
            rows.append([])
        rows[-1].append(ln)
    return rows
