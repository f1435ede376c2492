"""Ruled tables: ruling lines -> intersections -> cells -> tables (geometry only, no words).

The stages of pdfplumber's lattice finder, written for our pages (see etl/read/pdf_page.py):

1. snap: rulings a little apart (a border drawn once per neighbouring cell) get one position;
2. join: collinear pieces that touch become one line;
3. intersections: where a horizontal and a vertical line cross (or meet at a corner);
4. cells: from each intersection, the smallest rectangle whose four sides are drawn, so a
   merged cell (a header "Mål" over two columns, a full-width "Analys" row) is one cell;
5. tables: cells that share corners; each table gets its column and row boundaries, and
   every cell its first row/column and how many it spans.

A shaded cell's rectangle counts as four rulings, so a table with shaded header cells and no
borders still has a grid there. Tables with horizontal rules only have no intersections
inside; they are read by their words' alignment (etl/read/pdf_align.py), with the rules as row
separators.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from etl.read.pdf_page import Edge
from etl.read.pdf_settings import PDF


@dataclass
class GridCell:
    x0: float
    top: float
    x1: float
    bottom: float
    row: int = 0
    col: int = 0
    row_span: int = 1
    col_span: int = 1

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.x0, self.top, self.x1, self.bottom)


@dataclass
class Grid:
    xs: list[float]                       # column boundaries, left to right
    ys: list[float]                       # row boundaries, top to bottom
    cells: list[GridCell] = field(default_factory=list)

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    def contains(self, x: float, y: float) -> bool:
        return self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]

    def cell_at(self, x: float, y: float) -> GridCell | None:
        """The cell whose box holds the point (merged cells included)."""
        c = bisect_right(self.xs, x) - 1
        r = bisect_right(self.ys, y) - 1
        if not (0 <= c < self.n_cols and 0 <= r < self.n_rows):
            return None
        return self._lookup().get((r, c))

    def _lookup(self) -> dict[tuple[int, int], GridCell]:
        if not hasattr(self, "_by_slot"):
            slots = {}
            for cell in self.cells:
                for r in range(cell.row, cell.row + cell.row_span):
                    for c in range(cell.col, cell.col + cell.col_span):
                        slots[(r, c)] = cell
            self._by_slot = slots
        return self._by_slot


def _snap(edges: list[Edge]) -> list[Edge]:
    """Rulings of one orientation, positions within PDF.grid_snap merged to their mean."""
    out: list[Edge] = []
    group: list[Edge] = []

    def flush() -> None:
        pos = sum(e.pos for e in group) / len(group)
        out.extend(Edge(e.orient, pos, e.start, e.end) for e in group)

    for e in sorted(edges, key=lambda e: e.pos):
        if group and e.pos - group[0].pos > PDF.grid_snap:
            flush()
            group = []
        group.append(e)
    if group:
        flush()
    return out


def _join(edges: list[Edge]) -> list[Edge]:
    """Collinear pieces that overlap or nearly touch, as one line."""
    out: list[Edge] = []
    for e in sorted(edges, key=lambda e: (e.pos, e.start)):
        if out and out[-1].pos == e.pos and e.start <= out[-1].end + PDF.grid_join:
            last = out[-1]
            out[-1] = Edge(last.orient, last.pos, last.start, max(last.end, e.end))
        else:
            out.append(e)
    return out


class _Lines:
    """Joined rulings of one orientation by position, for 'is this span drawn?' questions."""

    def __init__(self, edges: list[Edge]):
        self.by_pos: dict[float, list[tuple[float, float]]] = {}
        for e in edges:
            self.by_pos.setdefault(e.pos, []).append((e.start, e.end))
        self.positions = sorted(self.by_pos)

    def covers(self, pos: float, a: float, b: float) -> bool:
        """Is there a line at ``pos`` from a to b (within the tolerance)?"""
        return any(s <= a + PDF.grid_tolerance and e >= b - PDF.grid_tolerance for s, e in self.by_pos.get(pos, ()))

    def touches(self, pos: float, x: float) -> bool:
        return any(s - PDF.grid_tolerance <= x <= e + PDF.grid_tolerance for s, e in self.by_pos.get(pos, ()))


def find_grids(edges: list[Edge]) -> list[Grid]:
    """The ruled tables of a page (see module docstring)."""
    hs = _join(_snap([e for e in edges if e.orient == "h" and e.end - e.start > PDF.grid_min_cell]))
    vs = _join(_snap([e for e in edges if e.orient == "v" and e.end - e.start > PDF.grid_min_cell]))
    if not hs or not vs:
        return []
    H, V = _Lines(hs), _Lines(vs)
    ys, xs = H.positions, V.positions
    # 3. intersections, as (row index, column index) into ys / xs
    points: set[tuple[int, int]] = set()
    for v in vs:
        lo = bisect_left(ys, v.start - PDF.grid_tolerance)
        hi = bisect_right(ys, v.end + PDF.grid_tolerance)
        xi = bisect_left(xs, v.pos)
        for yi in range(lo, hi):
            if H.touches(ys[yi], v.pos):
                points.add((yi, xi))
    # 4. cells: from each intersection the smallest closed rectangle
    by_row: dict[int, list[int]] = {}
    by_col: dict[int, list[int]] = {}
    for yi, xi in points:
        by_row.setdefault(yi, []).append(xi)
        by_col.setdefault(xi, []).append(yi)
    for lst in (*by_row.values(), *by_col.values()):
        lst.sort()
    cells: list[tuple[int, int, int, int]] = []
    for yi, xi in sorted(points):
        found = None
        for yb in by_col[xi]:
            if yb <= yi:
                continue
            if not V.covers(xs[xi], ys[yi], ys[yb]):
                break
            for xb in by_row[yi]:
                if xb <= xi:
                    continue
                if not H.covers(ys[yi], xs[xi], xs[xb]):
                    break
                if (yb, xb) in points and V.covers(xs[xb], ys[yi], ys[yb]) and H.covers(ys[yb], xs[xi], xs[xb]):
                    found = (yi, xi, yb, xb)
                    break
            if found:
                break
        if found and xs[found[3]] - xs[found[1]] > PDF.grid_min_cell and ys[found[2]] - ys[found[0]] > PDF.grid_min_cell:
            cells.append(found)
    # 5. tables: cells sharing a corner
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    corner_owner: dict[tuple[int, int], int] = {}
    for k, (y0, x0, y1, x1) in enumerate(cells):
        for corner in ((y0, x0), (y0, x1), (y1, x0), (y1, x1)):
            other = corner_owner.setdefault(corner, k)
            if other != k:
                parent[root(k)] = root(other)
    groups: dict[int, list[tuple[int, int, int, int]]] = {}
    for k, c in enumerate(cells):
        groups.setdefault(root(k), []).append(c)
    grids = []
    for group in groups.values():
        col_idx = sorted({c[1] for c in group} | {c[3] for c in group})
        row_idx = sorted({c[0] for c in group} | {c[2] for c in group})
        grid = Grid([xs[i] for i in col_idx], [ys[i] for i in row_idx])
        cpos = {v: k for k, v in enumerate(col_idx)}
        rpos = {v: k for k, v in enumerate(row_idx)}
        for y0, x0, y1, x1 in group:
            grid.cells.append(GridCell(xs[x0], ys[y0], xs[x1], ys[y1], rpos[y0], cpos[x0],
                                       rpos[y1] - rpos[y0], cpos[x1] - cpos[x0]))
        grid.cells.sort(key=lambda c: (c.row, c.col))
        grids.append(grid)
    grids.sort(key=lambda g: (g.ys[0], g.xs[0]))
    return grids
