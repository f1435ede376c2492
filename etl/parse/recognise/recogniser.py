"""The recogniser: one pass over a document's lines (see etl/parse/recognise/__init__.py)."""
from __future__ import annotations

from etl.model import RawDocument
from etl.parse.recognise.cell_tables import CellTables
from etl.parse.recognise.goals import GoalStructure
from etl.parse.recognise.text_tables import TextTables
from etl.parse.vocabulary import Vocabulary


class Recogniser(GoalStructure, TextTables, CellTables):
    # -- main loop -----------------------------------------------------------------
    def run(self) -> Recogniser:
        i = 0
        n = len(self.lines)
        while i < n:
            i = self.step(i) + 1
        self.close_table()
        return self

    def step(self, i: int) -> int:
        if self.lines[i].cells is not None and not self.heading_row(i):
            return self.cells_line(i)
        if i in self.footer:
            return i            # the page footer under "Sid N (M)": page furniture
        if self.maybe_structure is None or i in self.maybe_structure:
            j = self.structure(i)
            if j is not None:
                return j
        if self.table is None:
            return i
        return self.table_line(i)

    def result(self):
        return self.goals, self.rows, self.activities, self.warnings


def recognise(raw: RawDocument, headings: frozenset[int], vocab: Vocabulary | None = None):
    """Goals, indicator rows, activities and warnings of a document. ``headings``: the line
    numbers of its headings (etl.parse.sections.heading_lines of the sections the assemble
    stage parsed), ``vocab`` its Vocabulary (shared with the budget stage; made here when not
    passed)."""
    return Recogniser(raw, headings, vocab).run().result()
