"""BudgetLine records: one per (row, column) of a table with a value, with the table's
section heading and the canonical activity area of the row (named by the row, its group,
the table's stub or caption, or the headings the table sits under); and one per item with
one amount of a plan's numbered decision list ("8. Nämnden ansöker om budgetjustering med
1,8 mnkr ...").
"""
from __future__ import annotations

import re

from etl.model import BudgetLine, Line, ParseWarning, Section
from etl.parse import patterns as P
from etl.parse.areas import canonical_area
from etl.parse.budget.rows import TOTAL_LABEL, clean, parse_value
from etl.parse.budget.tables import Table
from etl.parse.budget.totals import check_totals
from etl.parse.budget.tunables import SETTINGS
from etl.parse.sections import section_index_for_line

UNIT = "mnkr"
DECISION_ITEM = re.compile(r"^\s*(?P<no>\d{1,2})\.\s+(?P<text>.*\bmnkr\b.*)$", re.I)
DECISION_AMOUNT = re.compile(r"(?P<num>\d{1,3}(?:[ \u00a0]\d{3})*(?:,\d+)?|\d+(?:,\d+)?)\s*mnkr", re.I)
DECISION_KIND = [
    (re.compile(r"omslutningsförändring", re.I), "Omslutningsförändring"),
    (re.compile(r"budgetjuster", re.I), "Budgetjustering"),
]


def _section_context(sections: list[Section], line_no: int, table_start: bool = False) -> tuple[str | None, list[str]]:
    """(innermost heading, headings that may name the table's area, nearest first).

    The candidates are the heading path of the table's section and, when headings follow
    each other without text ("Förskola" / "Ekonomiska förutsättningar"), the ones before.
    With ``table_start`` (line_no is a table's first header line), a section that starts at
    that line is the table's own stub taken for a heading ("Enhet" above "2021
    Socioekonomiskt anslag (mnkr)"), so the table sits in the section before it.
    """
    idx = section_index_for_line(sections, line_no)
    if idx is not None and table_start and idx > 0 and sections[idx].source_line_start == line_no:
        idx -= 1
    if idx is None:
        return None, []
    sec = sections[idx]
    cands = list(reversed(sec.heading_path.split(" > ")))
    back = idx - 1
    while back >= 0 and not sections[back].text.strip() and idx - back <= SETTINGS.heading_lookback:
        cands.append(sections[back].heading)
        back -= 1
    return sec.heading, cands


def table_records(table: Table, table_no: int, sections: list[Section],
                  warnings: list[ParseWarning]) -> list[BudgetLine]:
    """The table's cells with a value as records; its printed totals checked (warnings)."""
    heading, area_cands = _section_context(sections, table.start.no, table_start=True)
    title = table.stub or heading or "Budgettabell"
    # the table's area: named by its stub, its caption, or the headings it sits under
    table_area = next((a for a in (canonical_area(c) for c in [table.stub, table.caption, *area_cands]) if a), None)
    out: list[BudgetLine] = []
    row_areas = [canonical_area(r.label) or canonical_area(r.group) or table_area
                 for r in table.rows if not TOTAL_LABEL.search(r.label)]
    common = row_areas[0] if row_areas and len(set(row_areas)) == 1 else None
    for row in table.rows:
        if TOTAL_LABEL.search(row.label):
            area = common
        else:
            area = canonical_area(row.label) or canonical_area(row.group) or table_area
        label = row.label
        if row.group and row.group != row.label and not TOTAL_LABEL.search(row.label):
            label = f"{row.group} › {row.label}"
        boxes = {cell.col: cell.box for cell in row.line.cells or ()}     # PDF: each cell's box
        for c, col in enumerate(table.columns):
            raw = row.cells[c] if c < len(row.cells) else ""
            raw = P.MARKUP.sub("", raw).strip()
            if not raw:
                continue
            out.append(BudgetLine(table_no, title, heading, label, area, col, parse_value(raw), raw, UNIT,
                                  row.line.no, row.line.page, boxes.get(c + 1) or row.line.box))
    check_totals(table, f"{title} (line {table.start.no})", warnings)
    return out


def decision_item(line: Line) -> tuple[re.Match, str, str, str] | None:
    """(match, text, amount, kind) of a numbered decision item with one amount, else None."""
    m = DECISION_ITEM.match(line.text)
    if not m:
        return None
    text = clean(m.group("text"))
    amounts = DECISION_AMOUNT.findall(text)
    kind = next((label for rx, label in DECISION_KIND if rx.search(text)), None)
    if len(amounts) != 1 or kind is None:
        return None
    return m, text, amounts[0], kind


def decision_records(lines: list[Line], sections: list[Section], table_no: int) -> list[BudgetLine]:
    """The numbered decision list's items with one amount; the list counts as one table."""
    out = []
    for line in lines:
        item = decision_item(line)
        if item is None:
            continue
        m, text, amount, kind = item
        heading, _ = _section_context(sections, line.no)
        out.append(BudgetLine(table_no, heading or "Förslag till beslut", heading, f"{m.group('no')}. {text}",
                              canonical_area(text), kind, parse_value(amount), amount, UNIT, line.no, line.page))
    return out
