"""Plain data passed between the ETL stages: read -> recognise -> assemble -> load.

Every stage takes and returns these dataclasses, so each intermediate can be printed
(`python -m etl inspect FILE`) and compared in golden-file tests.
"""
from __future__ import annotations

import hashlib
from array import array
from dataclasses import asdict, dataclass, field
from typing import Any

Box = tuple[float, float, float, float]     # x0, top, x1, bottom in points from the page's top left


def union_box(boxes) -> Box | None:
    """The smallest box around the boxes given (None ones skipped); None when there are none."""
    bs = [b for b in boxes if b is not None]
    if not bs:
        return None
    return (min(b[0] for b in bs), min(b[1] for b in bs), max(b[2] for b in bs), max(b[3] for b in bs))


@dataclass(frozen=True)
class TableCell:
    """One cell of a table row as the document prints it (PDF geometry or a tab-separated line)."""

    text: str                # the cell's words in reading order, wrapped lines joined
    col: int                 # the first column it covers (0-based)
    span: int = 1            # the number of columns it covers (merged cells)
    box: Box | None = None   # where it is printed (PDF input)


@dataclass(frozen=True)
class Line:
    """One non-empty line of a document, with where it came from.

    A table row read from a PDF's geometry (or a Markdown tab-separated row) is one Line with
    ``cells``; its ``text`` is the cells joined by tabs, so every text-based stage still sees
    it. ``header`` marks a table's header row: for PDFs its cells are the column labels,
    composed from all header rows ("Mål" over "Årsmål" gives "Mål Årsmål")."""

    no: int                  # 1-based line number in the source file
    text: str                # the line as printed, trailing whitespace removed
    page: int | None = None  # page number for PDF input
    gap_before: bool = False # a blank line preceded it in the source
    box: Box | None = None   # where it is printed (PDF input)
    cells: tuple[TableCell, ...] | None = None   # a table row
    table: int | None = None # the table it belongs to (numbered through the document)
    header: bool = False     # the table's header (column labels)


@dataclass
class RawDocument:
    """Output of the read stage: the text of one file, split into lines."""

    source_file: str         # path relative to the input folder (as shown to users)
    sha256: str              # of the raw bytes
    flavour: str             # spaced | plain | markdown | pdf
    lines: list[Line]
    n_lines: int = -1        # number of lines; kept when `lines` is dropped after parsing
    warnings: list[ParseWarning] = field(default_factory=list)   # the read stage's (lines cut at a limit)

    def __post_init__(self) -> None:
        if self.n_lines < 0:
            self.n_lines = len(self.lines)


@dataclass
class DocMeta:
    district: str
    year: int
    doc_type: str            # verksamhetsplan | verksamhetsberattelse | tertialrapport
    level: str               # namnd | enhet
    unit_name: str | None = None
    detected_by: str = "content"   # content | sidecar


@dataclass
class ParseWarning:
    stage: str
    message: str
    source_line: int | None = None


@dataclass
class Goal:
    key: int                 # index within the document; parent_key refers to it
    level: str               # inriktningsmal | kf_mal | namndmal | enhetsmal
    text: str
    code: str | None
    source_line: int
    parent_key: int | None = None
    parent_code: str | None = None
    assessment: str | None = None      # helt | delvis | inte
    assessment_raw: str | None = None
    source_page: int | None = None
    source_box: Box | None = None
    section_no: int | None = None      # the section it is printed in (index into doc.sections; link stage)


@dataclass
class Cell:
    raw: str | None
    value: float | None = None
    unit: str | None = None


@dataclass
class IndicatorRow:
    name: str
    goal_key: int | None
    source_line: int
    source_line_end: int
    target: Cell = field(default_factory=lambda: Cell(None))
    kf_target: Cell = field(default_factory=lambda: Cell(None))
    periodicity: str | None = None
    outcome: Cell = field(default_factory=lambda: Cell(None))
    outcome_men: Cell = field(default_factory=lambda: Cell(None))
    outcome_women: Cell = field(default_factory=lambda: Cell(None))
    prior_outcome: Cell = field(default_factory=lambda: Cell(None))
    prior_year: int | None = None
    analysis: str | None = None
    source_page: int | None = None
    source_box: Box | None = None                 # the row's box on the page (PDF tables)
    cell_boxes: dict[str, Box] | None = None      # each value cell's box, by field name
    section_no: int | None = None                 # the section it is printed in (link stage)
    name_key: str = ""                            # the name normalised (link stage; derive gives the identity)
    kf_goal_code: str | None = None               # the KF goal it sits under (link stage)
    namnd_goal_text: str | None = None            # the council goal it sits under (link stage)

    @property
    def unit(self) -> str | None:
        for c in (self.outcome, self.target, self.kf_target, self.prior_outcome):
            if c.unit:
                return c.unit
        return None


@dataclass
class Activity:
    text: str
    goal_key: int | None
    source_line: int
    start_date: str | None = None
    end_date: str | None = None
    deviation: str | None = None
    source_page: int | None = None
    analysis: str | None = None   # "Analys" text printed under the activity (reports)
    source_box: Box | None = None
    section_no: int | None = None  # the section it is printed in (link stage)


@dataclass
class Section:
    """A heading and the text under it (to the next heading of any level)."""

    heading: str
    heading_path: str        # the headings above it and its own, joined by " > "
    text: str
    source_line_start: int   # the heading's line (the first text line for the preamble)
    source_line_end: int
    source_page: int | None = None


@dataclass
class BudgetLine:
    """One value cell of a budget table (or one amount of the decision list)."""

    table_no: int            # the document's budget tables numbered in document order
    table_title: str
    section: str | None      # the heading the table sits under
    row_label: str           # "group › row" for a row under a group label
    area: str | None         # the activity area (etl/parse/areas.py), when one is named
    column_label: str
    value: float | None
    value_raw: str
    unit: str
    source_line: int
    source_page: int | None = None
    source_box: Box | None = None   # PDF: the cell's box on its page


@dataclass
class SearchTerms:
    """A document's search index rows as compact columns (etl/search/index.py): posting k is
    term ``term_id[k]`` counted ``tf[k]`` times in section ``section[k]`` (index into
    doc.sections); ``n_terms[i]`` is section i's length. Arrays travel from the parse workers
    cheaply and become Arrow columns without a copy."""

    section: array = field(default_factory=lambda: array("i"))
    term_id: array = field(default_factory=lambda: array("q"))
    tf: array = field(default_factory=lambda: array("i"))
    n_terms: array = field(default_factory=lambda: array("i"))


@dataclass
class ParsedDocument:
    """Output of the assemble stage for one file: everything the load stage writes."""

    raw: RawDocument
    meta: DocMeta | None
    goals: list[Goal] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    budget_lines: list[BudgetLine] = field(default_factory=list)
    search_terms: SearchTerms = field(default_factory=SearchTerms)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["raw"] = {k: v for k, v in d["raw"].items() if k != "lines"}
        # the index rows as their sizes and a digest (they are long; equal digests, equal rows)
        d["search_terms"] = {k: {"n": len(v), "sha256": hashlib.sha256(v.tobytes()).hexdigest()}
                             for k, v in vars(self.search_terms).items()}
        return d
