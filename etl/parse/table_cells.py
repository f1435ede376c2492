"""Table rows with cells (PDF geometry) -> indicator rows and activities, by column role.

The recogniser (etl/parse/recognise/) keeps the document's state (the goal a table sits under,
the Analys text being read); this module knows what one row says: the header's column roles
(etl/parse/columns.py) name each cell, so no cell grammar is needed and an empty cell is simply
empty. A row is *complete* when it has the cell that ends every printed row: the
periodicity (plans) or period (reports), a date (activities). An incomplete row right
after a page break is the rest of the row above (a row the word processor broke across
the page); rows are merged cell by cell.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.model import Activity, Box, Cell, IndicatorRow, Line, TableCell
from etl.parse import patterns as P
from etl.parse.columns import header_roles, prior_year, table_kind
from etl.parse.numbers import clean_cell, parse_number

_SPACES = re.compile(r"\s+")
ANALYSIS_LABEL = re.compile(r"^\W*(?P<label>Analys|Kommentar)\b\s*:?\s*(?P<rest>.*)$", re.I | re.S)
VALUE_FIELDS = ("target", "kf_target", "outcome", "outcome_men", "outcome_women", "prior_outcome")


def squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


@dataclass
class CellColumns:
    """A table's columns as its header names them."""

    labels: list[str]
    roles: list[str | None]
    kind: str | None
    prior_year: int | None
    tables: set[int | None] = field(default_factory=set)     # the PDF table numbers it spans

    @classmethod
    def from_header(cls, line: Line) -> CellColumns:
        labels = [c.text for c in line.cells or ()]
        roles = header_roles(labels)
        return cls(labels, roles, table_kind(roles), prior_year(labels), {line.table} if line.table else set())

    @property
    def n_cols(self) -> int:
        return len(self.labels)

    def unknown(self) -> list[str]:
        return [lb for lb, r in zip(self.labels, self.roles) if r is None and lb.strip()]


def fields_of(cols: CellColumns, cells: tuple[TableCell, ...]) -> dict[str, tuple[str, Box | None]]:
    """The row's printed cells by role: {role: (text, box)}."""
    out: dict[str, tuple[str, Box | None]] = {}
    for c in cells:
        if c.col < len(cols.roles):
            role = cols.roles[c.col]
            if role is not None and c.text.strip():
                out[role] = (squash(c.text), c.box)
    return out


def analysis_text(cols: CellColumns, cells: tuple[TableCell, ...]) -> tuple[str, str] | None:
    """(label, text) of an "Analys"/"Kommentar" row: one printed cell (full width, or the
    first column) that starts with the label."""
    printed = [c for c in cells if c.text.strip()]
    if len(printed) != 1:
        return None
    c = printed[0]
    if c.col != 0 and c.span < cols.n_cols:
        return None
    m = ANALYSIS_LABEL.match(c.text.strip())
    if not m:
        return None
    return m.group("label"), squash(m.group("rest"))


def full_width_text(cols: CellColumns, cells: tuple[TableCell, ...]) -> str | None:
    """A row that is one cell across the table (a note, a group label): its text."""
    printed = [c for c in cells if c.text.strip()]
    if len(printed) == 1 and printed[0].span >= max(cols.n_cols - 1, 2):
        return squash(printed[0].text)
    return None


def is_complete(cols: CellColumns, f: dict) -> bool:
    if cols.kind == "activity":
        return "start_date" in f or "end_date" in f
    return "periodicity" in f


def make_cell(raw: str | None) -> Cell:
    value, unit, text = parse_number(raw)
    return Cell(raw=text, value=value, unit=unit)


def indicator_row(cols: CellColumns, f: dict, line: Line, goal_key: int | None) -> IndicatorRow:
    def raw(role: str) -> str | None:
        return f[role][0] if role in f else None

    row = IndicatorRow(
        name=raw("name") or "", goal_key=goal_key, source_line=line.no, source_line_end=line.no,
        target=make_cell(raw("target")), kf_target=make_cell(raw("kf_target")),
        periodicity=clean_cell(raw("periodicity")), source_page=line.page, source_box=line.box,
    )
    if cols.kind == "report":
        row.outcome = make_cell(raw("outcome"))
        row.outcome_men = make_cell(raw("outcome_men"))
        row.outcome_women = make_cell(raw("outcome_women"))
        row.prior_outcome = make_cell(raw("prior_outcome"))
        row.prior_year = cols.prior_year
    row.cell_boxes = {role: box for role, (_, box) in f.items() if box is not None} or None
    return row


def activity(cols: CellColumns, f: dict, line: Line, goal_key: int | None) -> Activity:
    return Activity(
        text=f.get("activity", ("",))[0], goal_key=goal_key, source_line=line.no,
        start_date=f["start_date"][0] if "start_date" in f else None,
        end_date=f["end_date"][0] if "end_date" in f else None,
        deviation=f["deviation"][0] if "deviation" in f else None,
        source_page=line.page, source_box=line.box,
    )


def _joined(above: str | None, rest: str) -> str:
    """A cell's text on two pages: digits broken at the page join directly ("VB 202" + "1")."""
    if not above:
        return rest
    return above + rest if above[-1:].isdigit() and rest[:1].isdigit() else squash(f"{above} {rest}")


def merge_into(item: IndicatorRow | Activity, cols: CellColumns, f: dict, line: Line) -> None:
    """The rest of a row broken across a page: each printed cell joins the cell above."""
    if isinstance(item, Activity):
        if "activity" in f:
            item.text = _joined(item.text, f["activity"][0])
        for role in ("start_date", "end_date", "deviation"):
            if role in f:
                setattr(item, role, _joined(getattr(item, role), f[role][0]))
        return
    if "name" in f:
        item.name = _joined(item.name, f["name"][0])
    for role in VALUE_FIELDS:
        if role in f:
            setattr(item, role, make_cell(_joined(getattr(item, role).raw, f[role][0])))
    if "periodicity" in f:
        item.periodicity = clean_cell(_joined(item.periodicity, f["periodicity"][0]))
    item.source_line_end = line.no
    boxes = dict(item.cell_boxes or {})
    for role, (_, box) in f.items():
        if box is not None:
            boxes.setdefault(role, box)
    item.cell_boxes = boxes or None


def period_printed(cols: CellColumns, f: dict) -> bool:
    """Does the row print the cell every row ends in (the self-check's count)?"""
    if cols.kind == "activity":
        return bool(f.get("start_date") or f.get("end_date"))
    return "periodicity" in f and bool(P.PERIOD_AT_END.search(" " + f["periodicity"][0]))
