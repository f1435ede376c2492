"""Budget tables: recognise the economic tables (mnkr) in a document's lines.

Stages (each passes plain data to the next), one module each:

1. find tables (``tables.py``: what a table is; Markdown blocks and a PDF's cells whose
   header names the unit; ``text_tables.py``: in flattened text, a header line that names the
   unit, wrapped header lines, then value rows);
2. header -> column labels (``header.py``: broken words rejoined with the document's own
   vocabulary, labels cut where a new column word starts, fitted to the rows' cells);
3. rows (``rows.py``: a row's label and cells, the cells as numbers, what a label says);
4. records (``records.py``: one per (row, column) with a value, plus the canonical activity
   area; the numbered decision list of a plan gives one record per item with an amount);
5. checks (``totals.py``: a printed total against the sum of the rows above it).
"""
from __future__ import annotations

from etl.model import BudgetLine, ParseWarning, RawDocument, Section
from etl.parse.budget.header import FOOTNOTE_MARK, settle_columns
from etl.parse.budget.records import decision_item, decision_records, table_records
from etl.parse.budget.tables import find_cell_tables, find_markdown_tables
from etl.parse.budget.text_tables import find_text_tables
from etl.parse.vocabulary import Vocabulary


def parse_budget(raw: RawDocument, sections: list[Section],
                 vocab: Vocabulary | None = None) -> tuple[list[BudgetLine], list[ParseWarning]]:
    """All budget-table cells of a document as BudgetLine records, plus warnings.

    ``sections`` (the document's, etl.parse.sections.parse_sections) gives each table its
    section heading and area context, ``vocab`` the document's Vocabulary (made here when not
    passed).
    """
    warnings: list[ParseWarning] = []
    if raw.flavour == "markdown":
        tables = find_markdown_tables(raw.lines)
    elif raw.flavour == "pdf":
        # tables the reader found in the page's geometry, then any left in the text
        tables = find_cell_tables(raw.lines)
        prose = [ln for ln in raw.lines if ln.cells is None]
        found = find_text_tables(prose, vocab or Vocabulary(prose))
        for t in found:
            settle_columns(t, warnings)
        tables += found
    else:
        tables = find_text_tables(raw.lines, vocab or Vocabulary(raw.lines))
        for t in tables:
            settle_columns(t, warnings)
    for t in tables:
        t.columns = [FOOTNOTE_MARK.sub("", c) for c in t.columns]
    # tables are numbered in document order; the decision list (when it has items) is one table
    decisions_at = next((ln.no for ln in raw.lines if decision_item(ln) is not None), None)
    order = sorted([(t.start.no, k) for k, t in enumerate(tables)]
                   + ([(decisions_at, len(tables))] if decisions_at is not None else []))
    table_no = {k: n for n, (_, k) in enumerate(order, start=1)}
    records: list[BudgetLine] = []
    for k, t in enumerate(tables):
        records.extend(table_records(t, table_no[k], sections, warnings))
    if decisions_at is not None:
        records.extend(decision_records(raw.lines, sections, table_no[len(tables)]))
    return records, warnings
