"""Plain data passed between the ETL stages: read -> recognise -> assemble -> load.

Every stage takes and returns these dataclasses, so each intermediate can be printed
(`python -m etl inspect FILE`) and compared in golden-file tests.
"""
from __future__ import annotations

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


@dataclass
class ParsedDocument:
    """Output of the assemble stage for one file: everything the load stage writes."""

    raw: RawDocument
    meta: DocMeta | None
    goals: list[Goal] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)   # budget_lines, sections, ... (later stages)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["raw"] = {k: v for k, v in d["raw"].items() if k != "lines"}
        return d
