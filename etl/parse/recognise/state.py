"""The recogniser's state and what every part of it asks of it: the goals open at this
line, the open table, the records made so far (etl/parse/recognise/recogniser.py runs it)."""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from etl.model import Activity, Box, Goal, IndicatorRow, Line, ParseWarning, RawDocument
from etl.parse import patterns as P
from etl.parse import table_cells as TC
from etl.parse.recognise.row_text import lines_box, strip_markup
from etl.parse.vocabulary import Vocabulary

GOAL_LEVELS = ("inriktningsmal", "kf_mal", "namndmal", "enhetsmal")
MARKERS = (
    ("inriktningsmal", P.INRIKTNINGSMAL),
    ("kf_mal", P.KF_MAL),
    ("namndmal", P.NAMNDMAL),
    ("enhetsmal", P.ENHETSMAL),
)
MAX_ROW_LINES = 12  # lines of one table row (an activity's text wraps over up to ~9)


def _structure_lines(stripped: list[str], joined: str) -> set[int]:
    """Indices of the lines (``joined``: the lines joined with newlines) that hold one of the
    LINE_KEYWORDS (in any case) or end in a digit: only these can match the line patterns (a
    cheap necessary test; str.find scans fast)."""
    out = {i for i, t in enumerate(stripped) if t[-1:].isdigit()}
    low = joined.lower()
    hits = []
    for k in P.LINE_KEYWORDS:
        pos = low.find(k)
        while pos != -1:
            hits.append(pos)
            pos = low.find(k, pos + 1)
    line = last = 0
    for pos in sorted(hits):
        line += low.count("\n", last, pos)
        last = pos
        out.add(line)
    return out


def _footer_lines(stripped: list[str], joined: str) -> set[int]:
    """Indices of the footer lines under each page number ("Sid 49 (116)"): a street address,
    the web address and one phone number, in that order, the web address required (so a
    table's value line right after a page number, or after the footer, is never taken for a
    phone number)."""
    out: set[int] = set()
    if "Sid" not in joined:
        return out
    for i, t in enumerate(stripped):
        if "Sid" not in t or not P.PAGE_FURNITURE.match(t) or not P.PAGE_NUMBER.search(t):
            continue
        k, end = i + 1, min(i + 1 + P.FOOTER_LINES, len(stripped))
        if k + 1 < end and P.FOOTER_ADDRESS.match(stripped[k]) and P.FOOTER_WEB.match(stripped[k + 1]):
            out.add(k)
            k += 1
        if k < end and P.FOOTER_WEB.match(stripped[k]):
            out.add(k)
            if k + 1 < end and P.FOOTER_PHONE.match(stripped[k + 1]):
                out.add(k + 1)
    return out


@dataclass
class OpenTable:
    kind: str                       # plan | report | activity
    goal_key: int | None
    header_line: int
    prior_year: int | None = None
    pending: list[Line] = field(default_factory=list)
    header_since_row: bool = False
    markdown: bool = False
    cells: TC.CellColumns | None = None       # a table read from cells (PDF geometry)
    last_page: int | None = None              # (cells) page of the last row, and whether it was complete
    last_complete: bool = True
    last_analysis: bool = False               # (cells) the last row was an Analys row
    printed_ends: int = 0                     # self-check: rows that print their last cell ...
    made_ends: int = 0                        # ... and records made with it
    swallowed: list[int] = field(default_factory=list)   # row-ending lines read as other text


class RecogniserState:
    def __init__(self, raw: RawDocument, headings: frozenset[int], vocab: Vocabulary | None = None):
        self.raw = raw
        self.lines = raw.lines
        # each line's text without markup, and stripped: computed once (the loop looks at a
        # line several times: as itself, as the next line, as a possible marker)
        self.plain = [strip_markup(ln.text) for ln in raw.lines]
        self.stripped = [t.strip() for t in self.plain]
        self.line_nos = [ln.no for ln in self.lines]
        # the lines that may be structure (page furniture, goal markers, headers), found in one
        # search of the whole text; exact unless a letter that re.I folds differently from
        # str.lower() occurs (P.CASE_FOLD_EXTRAS), then every line is tried
        joined = "\n".join(self.stripped)
        self.maybe_structure = None if P.has_case_fold_extras(joined) else _structure_lines(self.stripped, joined)
        self.footer = _footer_lines(self.stripped, joined)
        # line numbers of the document's headings (etl.parse.sections): a heading ends a table
        self.headings = headings
        self.goals: list[Goal] = []
        self.rows: list[IndicatorRow] = []
        self.activities: list[Activity] = []
        self.warnings: list[ParseWarning] = []
        self.current: dict[str, int | None] = {lvl: None for lvl in GOAL_LEVELS}
        self.table: OpenTable | None = None
        self.capture: tuple[IndicatorRow | Activity, list[int]] | None = None   # Analys text being read (line indices)
        self.last_cells: OpenTable | None = None    # a cells table closed by an Analys paragraph: may go on
        self.other_tables: set[int | None] = set()       # PDF tables whose header is not an indicator/activity table
        # the document's words, to mend words broken across lines (PDF text only; built lazily)
        self.vocab = (vocab or Vocabulary(raw.lines)) if raw.flavour != "markdown" else None

    # -- helpers -------------------------------------------------------------------
    def warn(self, stage: str, message: str, line: int | None) -> None:
        self.warnings.append(ParseWarning(stage, message, line))

    def innermost_goal(self) -> int | None:
        for lvl in reversed(GOAL_LEVELS):
            if self.current[lvl] is not None:
                return self.current[lvl]
        return None

    def goal_level(self, key: int | None) -> str | None:
        return self.goals[key].level if key is not None else None

    def box_of(self, first: Line, last: Line) -> Box | None:
        """The box of the lines first..last on first's page (PDF prose lines; None for text)."""
        if first.box is None:
            return None
        i = bisect.bisect_left(self.line_nos, first.no)
        j = bisect.bisect_right(self.line_nos, last.no)
        return lines_box(self.lines[i:j], first.page)

    def is_marker(self, i: int) -> bool:
        """Is line i a goal marker or a table header?"""
        t = self.plain[i]
        return any(rx.match(t) for _, rx in MARKERS) or bool(
            P.PLAN_HEADER.match(t) or P.REPORT_HEADER_START.match(t) or P.ACTIVITY_HEADER.match(t)
        )

    def last_item(self) -> IndicatorRow | Activity | None:
        """The table's last record (read since its header), if any."""
        tb = self.table
        assert tb is not None           # called inside a table only
        if tb.kind == "activity":
            return self.activities[-1] if self.activities and self.activities[-1].source_line >= tb.header_line else None
        return self.rows[-1] if self.rows and self.rows[-1].source_line >= tb.header_line else None

    def close_table(self) -> None:
        raise NotImplementedError    # etl.parse.recognise.text_tables.TextTables.close_table
