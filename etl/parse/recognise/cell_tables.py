"""Tables read from a PDF's cells (etl/parse/table_cells.py): rows, Analys rows, rows a page
break split, headers repeated or not understood."""
from __future__ import annotations

from etl.model import Line
from etl.parse import table_cells as TC
from etl.parse.columns import ACTIVITY_ROLES, INDICATOR_ROLES
from etl.parse.recognise.row_text import squash
from etl.parse.recognise.state import OpenTable, RecogniserState


class CellTables(RecogniserState):
    # -- tables read from cells (PDF geometry) ------------------------------------------------
    def cells_line(self, i: int) -> int:
        ln = self.lines[i]
        if ln.header:
            return self.cells_header(ln, i)
        cells = ln.cells
        assert cells is not None        # step calls this for a table row only
        tb = self.table
        if tb is None or tb.cells is None:
            if tb is not None:
                self.close_table()
            resume = self.last_cells
            if resume is None:
                return i
            cols = resume.cells
            assert cols is not None       # close_table keeps only a table read from cells as last_cells
            if ln.table in self.other_tables or not self._fits(cols, ln):
                return i
            self.table = tb = resume          # goes on after an Analys paragraph, without a header
            cols.tables.add(ln.table)
        else:
            cols = tb.cells
            if ln.table not in cols.tables:
                if not self._fits(cols, ln):
                    self.close_table()
                    return i
                cols.tables.add(ln.table)     # a table split by the Analys text, header not repeated
        self.capture = None
        analysis = TC.analysis_text(cols, cells)
        page_break = tb.last_page is not None and ln.page != tb.last_page
        if analysis is None and page_break and tb.last_analysis and (wide := TC.full_width_text(cols, cells)):
            analysis = ("Analys", wide)   # the Analys row goes on on this page
        tb.last_page = ln.page
        f = TC.fields_of(cols, cells)
        if analysis is None and tb.last_analysis and set(f) <= {"name", "activity"} and self.last_item() is not None:
            analysis = ("Analys", squash(" ".join(v for v, _ in f.values())))   # more lines of its text
        tb.last_analysis = analysis is not None
        if analysis is not None:
            last = self.last_item()
            if last is None:
                self.warn("indicators", f"page {ln.page}: {analysis[0]} text without a row above it: "
                                        f"{analysis[1][:120]!r}", ln.no)
            elif analysis[1]:
                last.analysis = squash(f"{last.analysis or ''} {analysis[1]}")
            else:
                self.capture = (last, [])     # the label alone: its text follows as prose
            return i
        if not f:
            return i
        stage = "activities" if cols.kind == "activity" else "indicators"
        text_role = "activity" if cols.kind == "activity" else "name"
        if text_role not in f and (wide := TC.full_width_text(cols, cells)) is not None:
            self.warn(stage, f"page {ln.page}: a full-width row in a {cols.kind} table is not a row: "
                             f"{wide[:120]!r}", ln.no)
            return i
        complete = TC.is_complete(cols, f)
        tb.printed_ends += complete
        last = self.last_item()
        continued = text_role not in f or f[text_role][0][:1].islower()     # no name, or one that goes on
        if last is not None and page_break and (not complete or not tb.last_complete or continued):
            # the rest of a row the page broke (its first part above, at the foot of the page)
            TC.merge_into(last, cols, f, ln)
            tb.made_ends += complete and not tb.last_complete
            tb.last_complete = tb.last_complete or complete
            return i
        if text_role not in f:
            self.warn(stage, f"page {ln.page}: a {cols.kind} row without its "
                             f"{'activity text' if text_role == 'activity' else 'indicator name'}: {ln.text[:120]!r}",
                      ln.no)
        if cols.kind == "activity":
            self.activities.append(TC.activity(cols, f, ln, tb.goal_key))
        else:
            self.rows.append(TC.indicator_row(cols, f, ln, tb.goal_key))
        tb.made_ends += complete
        if not complete:
            what = "dates" if cols.kind == "activity" else "period"
            self.warn(stage, f"page {ln.page}: a {cols.kind} row without its {what} cell: {ln.text[:120]!r}", ln.no)
        tb.last_complete = complete
        return i

    @staticmethod
    def _fits(cols: TC.CellColumns, ln: Line) -> bool:
        return max((c.col + c.span for c in ln.cells or ()), default=0) == cols.n_cols

    def cells_header(self, ln: Line, i: int) -> int:
        cols = TC.CellColumns.from_header(ln)
        tb = self.table
        if tb is not None and tb.cells is not None and (ln.table in tb.cells.tables or cols.labels == tb.cells.labels):
            tb.cells.tables.add(ln.table)     # the header again: a page break, or the table split by Analys text
            tb.header_since_row = True
            return i
        self.close_table()
        self.last_cells = None
        if cols.kind is None:
            self.other_tables.add(ln.table)
            roles = set(cols.roles) - {None}
            if roles & (INDICATOR_ROLES | ACTIVITY_ROLES) - {"target"} and ({"name", "activity"} & roles):
                self.warn("indicators", f"page {ln.page}: a table header that is not understood: "
                                        f"{' | '.join(cols.labels)!r}; its rows are not read", ln.no)
            return i
        unknown = cols.unknown()
        if unknown:
            stage = "activities" if cols.kind == "activity" else "indicators"
            self.warn(stage, f"page {ln.page}: header cell(s) {unknown} of a {cols.kind} table not understood; "
                             "those columns are not read", ln.no)
        self.table = OpenTable(cols.kind, self.innermost_goal(), ln.no, prior_year=cols.prior_year, cells=cols)
        return i
