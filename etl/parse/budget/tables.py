"""What a budget table is (its stub, header, rows as printed), and the tables found in a
Markdown document (tab-separated or pipe blocks whose header names the unit, mnkr) and in a
PDF's table cells (a header row that names the unit; a header repeated after a page break is
passed over). Tables in flattened text: text_tables.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.model import Line
from etl.parse.budget.rows import TOTAL_LABEL, clean
from etl.parse.budget.tunables import SETTINGS

STAGE = "budget"
UNIT_IN_TEXT = re.compile(r"\bm(?:n)?kr\b", re.I)     # a header that names the unit
MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
# "Nämndens parkinvesteringsmedel fördelas följande:" (a capital, at most the limit, a colon)
CAPTION = re.compile(rf"^[A-ZÅÄÖ][^\t]{{0,{SETTINGS.max_caption_chars - 2}}}:$")


@dataclass
class Row:
    label: str
    group: str | None         # the group line above the row ("Investeringar"), if any
    cells: list[str]
    line: Line                # the row's first printed line


@dataclass
class Table:
    stub: str
    header_text: str
    start: Line
    rows: list[Row] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    note_column: bool = False      # the table's last column is text (not stored)
    caption: str | None = None     # the line introducing the table ("… fördelas följande:")
    group: str | None = None       # while reading: the group label the next rows sit under

    def add_row(self, label: str, cells: list[str], line: Line) -> None:
        """A row under the open group label ("Investeringar"); a total row closes the group."""
        self.rows.append(Row(label, self.group, cells, line))
        if TOTAL_LABEL.search(label):
            self.group = None


def caption(lines: list[Line], start: int) -> str | None:
    """The line right above a table's header when it introduces the table (ends in ':')."""
    if start <= 0:
        return None
    text = clean(lines[start - 1].text)
    return text if CAPTION.match(text) else None


def _md_cells(text: str) -> list[str] | None:
    """Cells of a Markdown table line: tab-separated, or a pipe table ("| a | b |")."""
    if "\t" in text:
        return [clean(c) for c in text.split("\t")]
    t = text.strip()
    if t.startswith("|") and t.count("|") >= 2:
        return [clean(c) for c in t.strip("|").split("|")]
    return None


def find_markdown_tables(lines: list[Line]) -> list[Table]:
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        if _md_cells(lines[i].text) is None:
            i += 1
            continue
        j = i
        while j < len(lines) and _md_cells(lines[j].text) is not None:
            j += 1
        block = [ln for ln in lines[i:j] if not MD_RULE.match(ln.text)]   # no "|---|---|" rows
        header = _md_cells(block[0].text)
        assert header is not None       # every line of the block is a table line
        if not UNIT_IN_TEXT.search(" ".join(header)):
            i = j
            continue
        table = Table(stub=header[0], header_text="\t".join(header[1:]), start=block[0],
                      caption=caption(lines, i))
        table.columns = [h or f"Kolumn {n + 1}" for n, h in enumerate(header[1:])]
        for line in block[1:]:
            cells = _md_cells(line.text)
            assert cells is not None    # every line of the block is a table line
            label, values = cells[0], cells[1:]
            if not any(values):
                table.group = label or table.group      # a row with no amounts: a group label
                continue
            table.add_row(label, values, line)
        if table.rows:
            tables.append(table)
        i = j
    return tables


def find_cell_tables(lines: list[Line]) -> list[Table]:
    """Budget tables read from a PDF's geometry: a table whose header (its column labels,
    composed from all header rows) names the unit, its rows as printed; a header repeated
    after a page break is passed over, a row with no amounts is a group label."""
    tables: list[Table] = []
    current: Table | None = None
    labels: list[str] = []
    for i, ln in enumerate(lines):
        if ln.cells is None:
            current = None                   # prose ends a table
            continue
        if ln.header:
            new = [clean(c.text) for c in ln.cells]
            if current is not None and new == labels:
                continue                     # the header again, on the next page
            current, labels = None, new
            if UNIT_IN_TEXT.search(" ".join(new)):
                current = Table(stub=new[0], header_text="\t".join(new[1:]), start=ln, caption=caption(lines, i))
                current.columns = [h or f"Kolumn {n + 1}" for n, h in enumerate(new[1:])]
                tables.append(current)
            continue
        if current is None:
            continue
        cells = [clean(c) for c in ln.text.split("\t")]
        label, values = cells[0], (cells[1:] + [""] * len(current.columns))[:len(current.columns)]
        if not any(values):
            current.group = label or current.group       # a row with no amounts: a group label
            continue
        current.add_row(label, values, ln)
    return [t for t in tables if t.rows]
