"""Recognise stage: numbered lines -> goals, indicator rows, activities (+ warnings).

A single pass over the lines with a small state machine:
  * goal markers open goals (KF:s inriktningsmål > KF:s mål för verksamhetsområdet >
    Nämndmål > Enhetsmål); the goal text may follow on the next lines and wrap;
  * "Uppfylls helt/delvis/inte" under a goal is its assessment (reports);
  * a table header opens a table (plan, report or activity); lines are gathered into a row
    until the row's last cell (periodicity / period / dates) is seen; repeated headers after
    page breaks are skipped, also in the middle of a row; "Analys"/"Kommentar" paragraphs
    after a row are attached to it;
  * a heading (as the sections stage finds them: '#' lines, the template's labels, and in
    PDF text short lines shaped like headings) ends a table and the Analys text being read.
The flattened row text is then split into name and cells by etl.parse.cells.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from etl.model import Activity, Box, Cell, Goal, IndicatorRow, Line, ParseWarning, RawDocument, union_box
from etl.parse import patterns as P
from etl.parse import table_cells as TC
from etl.parse.cells import CELL_START, ROW_COSTS, RowCosts, best_readings, is_period, unit_mismatch
from etl.parse.columns import ACTIVITY_ROLES, INDICATOR_ROLES
from etl.parse.numbers import clean_cell, is_word_cell, parse_number
from etl.parse.vocabulary import Vocabulary

GOAL_LEVELS = ("inriktningsmal", "kf_mal", "namndmal", "enhetsmal")
_MARKERS = (
    ("inriktningsmal", P.INRIKTNINGSMAL),
    ("kf_mal", P.KF_MAL),
    ("namndmal", P.NAMNDMAL),
    ("enhetsmal", P.ENHETSMAL),
)
PLAN_CELLS = 3      # Årsmål, KF:s årsmål, Periodicitet
REPORT_CELLS = 7    # utfall, män, kvinnor, utfall VB <prev>, Årsmål, KF:s årsmål, Period
MAX_ROW_LINES = 12  # lines of one table row (an activity's text wraps over up to ~9)
MAX_WORDS_PER_CELL = 8  # the longest value cell: "1,80 kg CO2 per kg livsmedel", "Tas fram av nämnd/styrelse"

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


_ENDS_YEAR = re.compile(r"\d{4}\s*$")
_ENDS_PERIODICITET = re.compile(r"Periodicitet\s*$")
_ENDS_PERIOD_WORD = re.compile(r"Period\s*$")
_KF_PHRASE = re.compile(r"(?i)tas fram|fastställs")
_WORD_START = re.compile(r"(?<!\S)\S")


_HEADING_HASHES = re.compile(r"^\s*#{1,6}\s*")
_EMPHASIS_STAR = re.compile(r"(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)")


def strip_markup(text: str) -> str:
    """Markdown markup removed: heading hashes, emphasis, bullet markers."""
    if "#" not in text and "*" not in text and "__" not in text:
        return text          # PDF text: nothing to remove
    t = _HEADING_HASHES.sub("", text)
    t = t.replace("**", "").replace("__", "")
    return _EMPHASIS_STAR.sub("", t)


def line_text(ln: Line) -> str:
    """A line's text without markup and without the one trailing space PDF text adds."""
    t = strip_markup(ln.text)
    return t[:-1] if t.endswith(" ") else t


_FRAGMENT = re.compile(r"^([a-zåäö]{1,3})(?:\s*$|\s{2,})")
_BROKEN_HEAD = re.compile(r"^([a-zåäöé]+)(?=\s|$)")       # the lower-case start of a line
_BROKEN_TAIL = re.compile(r"(?<![\w-])([A-Za-zÅÄÖåäöé]+)$")  # the word a line ends in


def cell_texts(lines: list[Line], vocab: Vocabulary | None = None) -> list[str]:
    """Line texts of one table row, with words broken across lines glued back: a line that
    ends in a letter with no trailing space (PDF text ends a finished word with a space) is
    one word with the next line's start when that start is a lone 1-3 letter fragment
    ("livsmede" + "l", "Fastställ" + "s  2021"), or when the joined text is a word of the
    document's prose and the pieces are not both words ("energieffekti" + "visering")."""
    texts = [line_text(ln) for ln in lines]
    for k in range(1, len(texts)):
        prev = lines[k - 1].text
        if not (prev[-1:].isalpha() and texts[k - 1]):
            continue
        head = texts[k].lstrip()
        m = _FRAGMENT.match(head)
        if m:
            texts[k - 1] = texts[k - 1] + m.group(1)
            texts[k] = head[len(m.group(1)):]
            continue
        if vocab is None:
            continue
        m, tail = _BROKEN_HEAD.match(head), _BROKEN_TAIL.search(texts[k - 1])
        if m and tail and vocab.broken(tail.group(1), m.group(1)):
            texts[k - 1] = texts[k - 1] + m.group(1)
            texts[k] = head[len(m.group(1)):]
    return texts


def join_lines(lines: list[Line], vocab: Vocabulary | None = None) -> str:
    """Join wrapped lines with one space; an extra inner/trailing space (empty cell) survives."""
    return " ".join(t.lstrip() for t in cell_texts(lines, vocab) if t.strip())


_SPACES = re.compile(r"\s+")


def squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def lines_box(lines: list[Line], page: int | None) -> Box | None:
    """The box around the lines printed on one page (a PDF's provenance; None for text)."""
    return union_box(ln.box for ln in lines if ln.page == page)


@dataclass
class _Table:
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


class Recogniser:
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
        self.table: _Table | None = None
        self.capture: tuple[IndicatorRow | Activity, list[int]] | None = None   # Analys text being read (line indices)
        self.last_cells: _Table | None = None    # a cells table closed by an Analys paragraph: may go on
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

    # -- goals ---------------------------------------------------------------------
    def open_goal(self, level: str, i: int, rest: str) -> int:
        """Open a goal at line index i; returns the index of the last line consumed."""
        ln = self.lines[i]
        j = i
        text = squash(rest)
        if not text:   # the goal text is on the next line
            if i + 1 < len(self.lines) and not self.is_marker(i + 1):
                j = i + 1
                text = squash(self.plain[j])
        # wrapped continuation: next line starts in lower case (or previous ends mid-phrase)
        while j + 1 < len(self.lines) and text:
            nxt = self.stripped[j + 1]
            if not nxt or self.is_marker(j + 1) or P.ASSESSMENT.match(nxt):
                break
            # a goal's text wraps onto lines that start in lower case ("svenskkunskaper är kort");
            # in a PDF onto the lines of its paragraph (no block boundary); Markdown lines are
            # not wrapped at all
            pdf_wrap = self.raw.flavour == "pdf" and not self.lines[j + 1].gap_before and j - i < 3
            if (nxt[0].islower() or pdf_wrap) and self.raw.flavour != "markdown":
                text = squash(text + " " + nxt)
                j += 1
            else:
                break
        code = None
        m = P.GOAL_CODE.match(text)
        if m:
            code, text = m.group("code"), m.group("text").strip()
        if not text:
            self.warn("goals", f"{level}: goal marker without goal text", ln.no)
            return j
        depth = GOAL_LEVELS.index(level)
        parent_key = None
        for lvl in reversed(GOAL_LEVELS[:depth]):
            if self.current[lvl] is not None:
                parent_key = self.current[lvl]
                break
        goal = Goal(
            key=len(self.goals), level=level, text=text, code=code, source_line=ln.no,
            parent_key=parent_key, parent_code=self.goals[parent_key].code if parent_key is not None else None,
            source_page=ln.page, source_box=lines_box(self.lines[i:j + 1], ln.page),
        )
        self.goals.append(goal)
        self.current[level] = goal.key
        for lvl in GOAL_LEVELS[depth + 1:]:
            self.current[lvl] = None
        self.last_cells = None          # a new goal: no table goes on from before it
        return j

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
        return any(rx.match(t) for _, rx in _MARKERS) or bool(
            P.PLAN_HEADER.match(t) or P.REPORT_HEADER_START.match(t) or P.ACTIVITY_HEADER.match(t)
        )

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

    def heading_row(self, i: int) -> bool:
        """A borderless table's "row" that is the heading after the table: text in the first
        column only, a goal marker ("Nämndmål: 1.1.1 ...") or an assessment ("Uppfylls helt").
        The page's geometry cannot tell it from a row (same spacing); its words can."""
        ln = self.lines[i]
        assert ln.cells is not None     # step calls this for a table row only
        if ln.header or any(c.text.strip() for c in ln.cells if c.col != 0):
            return False
        t = self.stripped[i]
        return any(rx.match(t) for _, rx in _MARKERS) or bool(P.ASSESSMENT.match(t))

    def structure(self, i: int) -> int | None:
        """Page furniture, goal markers, assessments and table headers; returns the index of
        the last line consumed, or None when line i is none of these."""
        ln = self.lines[i]
        t = self.stripped[i]
        if P.PAGE_FURNITURE.match(t) or P.TOC_ENTRY.search(t):
            return i
        # Repeated table header (page break) while inside the same kind of table.
        if self.table and self.table.kind == "plan" and P.PLAN_HEADER.match(t):
            self.table.header_since_row = True
            return i
        if P.REPORT_HEADER_START.match(t):
            j, prior = self.skip_report_header(i)
            if self.table and self.table.kind == "report":
                self.table.header_since_row = True
            else:
                self.close_table()
                self.table = _Table("report", self.innermost_goal(), ln.no, prior_year=prior)
            return j
        if self.table and self.table.kind == "activity" and P.ACTIVITY_HEADER.match(t):
            self.table.header_since_row = True
            return i
        for level, rx in _MARKERS:
            m = rx.match(t)
            if m:
                self.close_table()
                return self.open_goal(level, i, m.group("rest"))
        m = P.ASSESSMENT.match(t)
        if m:
            self.close_table()
            key = self.innermost_goal()
            if key is not None and self.goals[key].assessment is None:
                grade = m.group("grade").lower()
                self.goals[key].assessment = "inte" if grade == "ej" else grade
                self.goals[key].assessment_raw = t
            return i
        if P.PLAN_HEADER.match(t):
            self.close_table()
            self.table = _Table("plan", self.innermost_goal(), ln.no, markdown="\t" in ln.text)
            return i
        if P.ACTIVITY_HEADER.match(t):
            self.close_table()
            self.table = _Table("activity", self.innermost_goal(), ln.no, markdown="\t" in ln.text)
            return i
        if P.LOOSE_INDICATOR_HEADER.match(t):
            self.close_table()
            readable = _ENDS_PERIODICITET.search(t) is not None
            self.warn("indicators", f"indicator table header with missing or unknown columns: {t!r}"
                      + ("; read as a plan table" if readable else "; table skipped"), ln.no)
            if readable:
                self.table = _Table("plan", self.innermost_goal(), ln.no, markdown="\t" in ln.text)
            return i
        return None

    def table_line(self, i: int) -> int:
        """A line inside a table: Analys text, a row's lines, or the end of the table."""
        ln = self.lines[i]
        t = self.stripped[i]
        tb = self.table
        assert tb is not None           # step calls this inside a table only
        if P.ANALYSIS.match(t):
            self.flush_incomplete()
            last = self.last_item()
            self.capture = (last, []) if last is not None else None
            tb.header_since_row = False
            return i
        if tb.cells is not None and self.capture is not None and self.in_capture(i):
            self.capture[1].append(i)        # (a short line of Analys text may look like a heading)
            self.capture[0].analysis = squash((self.capture[0].analysis or "") + " " + t)
            return i
        if ln.text.lstrip().startswith("#") or P.SUBHEADINGS.match(t) or (
                ln.no in self.headings and not self.row_follows(i)):
            # a heading ("Uppföljning av ekonomi" after the last activity table) ends the table
            # and any Analys text being read
            self.close_table()
            return i
        if tb.cells is not None:
            # prose after a table read from cells ends it (a table without a header may go on
            # with the same columns after the prose: Analys text printed between two tables)
            self.close_table()
            return i
        if self.capture is not None and self.in_capture(i):
            if self.ends_row(i):
                # a line that completes a table row ends the Analys/Kommentar paragraph: the
                # lines after its last sentence are that row's first lines
                self.end_capture_at_row()
            else:
                self.capture[1].append(i)
                item = self.capture[0]
                item.analysis = squash((item.analysis or "") + " " + t)
                if P.PERIOD_AT_END.search(t) and tb.kind != "activity":
                    tb.swallowed.append(ln.no)
                return i
        self.capture = None
        last = self.last_item()
        if (tb.header_since_row and not tb.pending and t[:1].islower() and isinstance(last, IndicatorRow)):
            # the rest of the previous row's name, printed after a page-break header
            last.name = squash(last.name + " " + t)
            last.source_line_end = max(last.source_line_end, ln.no)
            if P.PERIOD_AT_END.search(t):
                tb.swallowed.append(ln.no)
            return i
        tb.pending.append(ln)
        nxt = self.lines[i + 1].text.strip() if i + 1 < len(self.lines) else ""
        # a row ending in a bare year may go on with its period cell on the next line
        if not (_ENDS_YEAR.search(ln.text) and is_period(nxt)):
            self.try_complete()
        return i

    def row_follows(self, i: int) -> bool:
        """Does a row of the open table end within the next few lines, before the next heading?
        Then the heading-shaped line i is the first line of that row (an activity's text), not
        a heading that ends the table."""
        tb = self.table
        assert tb is not None           # called inside a table only (table_line)
        kind = tb.kind
        for k in range(i, min(i + MAX_ROW_LINES, len(self.lines))):
            ln = self.lines[k]
            if k > i and ln.no in self.headings:
                return False
            if P.ACTIVITY_DATES.search(ln.text) or (
                    kind != "activity" and P.PERIOD_AT_END.search(self.plain[k].rstrip())):
                return True
        return False

    def in_capture(self, i: int) -> bool:
        """Does an Analys/Kommentar paragraph go on (at line i)? It may be interrupted by a
        page-break header; it ends at a blank line after a finished sentence."""
        ln = self.lines[i]
        assert self.capture is not None     # called while Analys text is read only (table_line)
        text_lines = self.capture[1]
        if not text_lines:
            return True
        if not ln.gap_before and self.raw.flavour != "spaced":
            return True
        # after a blank line the paragraph goes on only mid-sentence, and with a line that looks
        # like running text (long, or starting in lower case), not a short capitalised cell
        if self.stripped[text_lines[-1]].rstrip().endswith((".", "!", "?", ":")):
            return False
        t = self.stripped[i]
        return len(t) > 60 or t[:1].islower()

    def ends_row(self, i: int) -> bool:
        """Does line i complete a row of the open (text) table: it ends in the row's last cell
        and, read with the lines after the Analys text's last sentence, has a value before it?"""
        tb = self.table
        assert tb is not None           # called inside a table only (table_line)
        t = self.stripped[i]
        if tb.kind == "activity":
            return P.ACTIVITY_DATES.search(t) is not None
        if not P.PERIOD_AT_END.search(t) or t.endswith("."):
            return False
        tail = [self.lines[k] for k in self._after_last_sentence()] + [self.lines[i]]
        best = split_row(tail, REPORT_CELLS if tb.kind == "report" else PLAN_CELLS, self.vocab)
        return best is not None and bool(best[0]) and any(c is not None for c in best[1][:-1])

    def _after_last_sentence(self) -> list[int]:
        captured = self.capture[1] if self.capture else []
        k = len(captured)
        while k > 0 and not self.stripped[captured[k - 1]].rstrip().endswith((".", "!", "?", ":")):
            k -= 1
        return captured[k:]

    def end_capture_at_row(self) -> None:
        """Give the captured lines after the Analys text's last sentence back to the table (the
        first lines of the row that ends now) and rebuild the Analys text without them."""
        tb, capture = self.table, self.capture
        assert tb is not None and capture is not None   # called inside a table, reading Analys text (table_line)
        item, captured = capture
        tail = self._after_last_sentence()
        kept = captured[: len(captured) - len(tail)]
        item.analysis = squash(" ".join(self.stripped[k] for k in kept)) or None
        tb.pending.extend(self.lines[k] for k in tail)
        self.capture = None

    def last_item(self) -> IndicatorRow | Activity | None:
        """The table's last record (read since its header), if any."""
        tb = self.table
        assert tb is not None           # called inside a table only
        if tb.kind == "activity":
            return self.activities[-1] if self.activities and self.activities[-1].source_line >= tb.header_line else None
        return self.rows[-1] if self.rows and self.rows[-1].source_line >= tb.header_line else None

    def skip_report_header(self, i: int) -> tuple[int, int | None]:
        j = i
        prior = None
        buf = [self.lines[i].text]
        while j + 1 < len(self.lines) and j - i < 20:
            nxt = self.lines[j + 1].text
            if P.REPORT_HEADER_WORDS.match(nxt) or P.REPORT_HEADER_END.match(nxt):
                j += 1
                buf.append(nxt)
                if P.REPORT_HEADER_END.match(nxt) and _ENDS_PERIOD_WORD.search(nxt):
                    break
            else:
                break
        m = P.PRIOR_YEAR.search(" ".join(s.strip() for s in buf))
        if m:
            prior = int(m.group("year"))
        return j, prior

    # -- rows ----------------------------------------------------------------------
    def try_complete(self) -> None:
        tb = self.table
        assert tb is not None           # called inside a table only
        last = tb.pending[-1]
        if tb.kind == "activity":
            m = P.ACTIVITY_DATES.search(last.text)
            if m:
                self.finish_activity(m)
            return
        m = P.ACTIVITY_DATES.search(last.text)
        if m:
            # an activity row under an indicator header (a mislabelled table): keep it as one
            self.warn("activities", f"activity row in an indicator table (header line {tb.header_line})", last.no)
            self.finish_activity(m)
            return
        if tb.markdown and "\t" in last.text:
            self.finish_markdown_row(last)
            return
        if P.PERIOD_AT_END.search(strip_markup(last.text).rstrip()):
            self.finish_row()

    def finish_activity(self, m: re.Match) -> None:
        tb = self.table
        assert tb is not None           # called inside a table only
        tb.made_ends += 1
        lines = tb.pending
        head = lines[-1].text[: m.start()]
        text = squash(join_lines(lines[:-1], self.vocab) + " " + strip_markup(head))
        if not text:
            self.warn("activities", "activity dates without activity text", lines[-1].no)
        else:
            dev = squash(m.group("dev") or "") or None
            self.activities.append(Activity(
                text=text, goal_key=tb.goal_key, source_line=lines[0].no,
                start_date=m.group("start"), end_date=m.group("end"), deviation=dev,
                source_page=lines[0].page, source_box=lines_box(lines, lines[0].page),
            ))
        tb.pending = []
        tb.header_since_row = False

    def finish_markdown_row(self, ln: Line) -> None:
        tb = self.table
        assert tb is not None           # called inside a table only
        prefix = tb.pending[:-1]
        cells = [strip_markup(c).strip() for c in ln.text.split("\t")]
        while cells and cells[-1] == "" and len(cells) > PLAN_CELLS + 1:
            cells.pop()
        name = squash(join_lines(prefix) + " " + cells[0])
        rest = cells[1:]
        if len(rest) != PLAN_CELLS:
            self.warn("indicators", f"markdown row with {len(rest)} cells, expected {PLAN_CELLS}: {ln.text.strip()!r}", ln.no)
            rest = (rest + [""] * PLAN_CELLS)[:PLAN_CELLS]
        target, kf, period = (c or None for c in rest)
        self.add_plan_row(name, [target, kf], period, prefix[0] if prefix else ln, ln)
        tb.pending = []
        tb.header_since_row = False

    def finish_row(self) -> None:
        tb = self.table
        assert tb is not None           # called inside a table only
        tb.made_ends += 1
        lines = tb.pending
        expected = REPORT_CELLS if tb.kind == "report" else PLAN_CELLS
        best = split_row(lines, expected, self.vocab)
        if best is None:
            # keep the row (it exists in the document) with its name and period, cells unread
            text = squash(join_lines(lines, self.vocab))
            period = P.PERIOD_AT_END.search(text)
            body = text[: period.start()].strip() if period else text
            first_value = _FIRST_VALUE.search(body)
            name = body[: first_value.start()].strip() if first_value else body
            self.warn("indicators", f"row cells unreadable, kept without values: {text!r}", lines[0].no)
            cells = (None,) * (expected - 1) + ((period.group("period") if period else None),)
            if name and tb.kind == "report":
                self.add_report_row(name, cells, lines[0], lines[-1])
            elif name:
                self.add_plan_row(name, [None, None], cells[-1], lines[0], lines[-1])
        else:
            name, cells = best
            if tb.kind == "report":
                self.add_report_row(name, cells, lines[0], lines[-1])
            else:
                self.add_plan_row(name, list(cells[:-1]), cells[-1], lines[0], lines[-1])
        tb.pending = []
        tb.header_since_row = False

    def add_plan_row(self, name: str, targets: list[str | None], period: str | None, first: Line, last: Line) -> None:
        tb = self.table
        assert tb is not None           # called inside a table only
        target_raw, kf_raw = (targets + [None, None])[:2] if len(targets) >= 2 else (targets[0], None) if targets else (None, None)
        if len(targets) == 1 and targets[0] is not None:
            lone = clean_cell(targets[0])
            assert lone is not None     # a cell of a reading is a word of the row's text, never blank
            lone_is_word = parse_number(lone)[0] is None
            # A lone KF phrase, or a lone value in the KF goal's own table, is the KF target.
            if (lone_is_word and is_word_cell(lone) and _KF_PHRASE.match(lone)) or self.goal_level(tb.goal_key) in ("kf_mal", "inriktningsmal", None):
                target_raw, kf_raw = None, targets[0]
        row = IndicatorRow(
            name=name, goal_key=tb.goal_key, source_line=first.no, source_line_end=last.no,
            target=make_cell(target_raw), kf_target=make_cell(kf_raw), periodicity=clean_cell(period),
            source_page=first.page, source_box=self.box_of(first, last),
        )
        self.rows.append(row)

    def add_report_row(self, name: str, cells: tuple[str | None, ...], first: Line, last: Line) -> None:
        tb = self.table
        assert tb is not None           # called inside a table only
        outcome, men, women, prior, target, kf, period = cells
        self.rows.append(IndicatorRow(
            name=name, goal_key=tb.goal_key, source_line=first.no, source_line_end=last.no,
            outcome=make_cell(outcome), outcome_men=make_cell(men), outcome_women=make_cell(women),
            prior_outcome=make_cell(prior), prior_year=tb.prior_year, target=make_cell(target),
            kf_target=make_cell(kf), periodicity=clean_cell(period), source_page=first.page,
            source_box=self.box_of(first, last),
        ))

    def flush_incomplete(self) -> None:
        """Lines gathered without a row end: a name continued after a page-break header,
        a comment's further sentences, or an unreadable row (warned, never dropped silently)."""
        tb = self.table
        if not tb or not tb.pending:
            return
        text = squash(join_lines(tb.pending, self.vocab))
        last = self.last_item()
        if tb.header_since_row and last is not None and tb.kind != "activity" and not text.endswith("."):
            assert isinstance(last, IndicatorRow)   # not an activity table: its records are rows
            last.name = squash(last.name + " " + text)
            last.source_line_end = max(last.source_line_end, tb.pending[-1].no)
        elif last is not None and last.analysis and text.endswith((".", "!", "?")):
            last.analysis = squash(last.analysis + " " + text)
        else:
            stage = "activities" if tb.kind == "activity" else "indicators"
            self.warn(stage, f"text in a {tb.kind} table that is not a complete row: {text[:160]!r}", tb.pending[0].no)
        tb.swallowed.extend(ln.no for ln in tb.pending
                            if tb.kind != "activity" and P.PERIOD_AT_END.search(strip_markup(ln.text).rstrip()))
        tb.pending = []

    def close_table(self) -> None:
        tb = self.table
        if tb is not None:
            self.flush_incomplete()
            self.self_check(tb)
            if tb.cells is not None:
                self.last_cells = tb
        self.table = None
        self.capture = None

    def self_check(self, tb: _Table) -> None:
        """Every printed row that ends in its last cell (period, periodicity, dates) must have
        become a record: a difference is a warning naming the lines."""
        stage = "activities" if tb.kind == "activity" else "indicators"
        if tb.cells is not None and tb.printed_ends != tb.made_ends:
            self.warn(stage, f"self-check: the {tb.kind} table has {tb.printed_ends} rows with their last cell "
                             f"printed but {tb.made_ends} records were made", tb.header_line)
        if tb.swallowed:
            lines = ", ".join(map(str, tb.swallowed[:10]))
            self.warn(stage, f"self-check: {len(tb.swallowed)} line(s) of the {tb.kind} table end like a row "
                             f"but were read as other text (lines {lines})", tb.swallowed[0])
        tb.swallowed = []

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
        self.table = _Table(cols.kind, self.innermost_goal(), ln.no, prior_year=cols.prior_year, cells=cols)
        return i

    def result(self):
        return self.goals, self.rows, self.activities, self.warnings


_FIRST_VALUE = re.compile(r"(?<!\S)(?:" + P.NUMBER + r")(?:\s?(?:" + P.UNITS + r"))?(?=\s|$)|(?<!\S)(?:Tas fram|Fastställs)")


def make_cell(raw: str | None) -> Cell:
    value, unit, text = parse_number(raw)
    return Cell(raw=text, value=value, unit=unit)


def split_row(lines: list[Line], expected: int, vocab: Vocabulary | None = None,
              costs: RowCosts = ROW_COSTS) -> tuple[str, tuple[str | None, ...]] | None:
    """Best (name, cells) reading of a row's lines; cells end with the period cell.

    Every word where a value cell can start (CELL_START) is tried as the start of the values;
    the cheapest reading wins (the first one tried, on a tie; ``costs``: etl.parse.cells)."""
    best: tuple[float, str, tuple] | None = None
    texts = cell_texts(lines, vocab)
    report = expected == REPORT_CELLS
    for j, text in enumerate(texts):
        if not text.strip():
            continue
        # a value line keeps its leading spaces (empty leading cells)
        # in reports, leading spaces of later value lines are empty cells too
        tail = "".join(" " + (t if report else t.lstrip()) for t in texts[j + 1:] if t.strip())
        no_name_above = not any(t.strip() for t in texts[:j])
        for b_i, m in enumerate(_WORD_START.finditer(text)):
            b = m.start()
            if b_i:
                if not CELL_START.match(text, b):
                    continue   # values cannot start with this word
            elif no_name_above:
                continue       # the values would leave no name
            at_line_start = b_i == 0
            values = (text if at_line_start else text[b:]) + tail
            if len(values.split()) > expected * MAX_WORDS_PER_CELL:
                continue       # more words than `expected` cells can hold: the values start later
            name = None
            for r in best_readings(values, expected):
                cells = r.cells
                if len(cells) > expected or len(cells) < 2 or not is_period(cells[-1]):
                    continue
                if any(c is not None and is_period(c) for c in cells[:-1]):
                    continue
                missing = expected - len(cells)
                cost = r.cost + missing * costs.missing_cell
                # in a plan row whose values follow the name on the same line, a bare number beside
                # a unit-bearing target is usually name text ("... i årskurs 9 85 % År");
                # report rows mix units legitimately ("5 3 % 2 %")
                if expected == PLAN_CELLS and not at_line_start and unit_mismatch(cells[:-1]):
                    cost += costs.unit_mismatch
                if not at_line_start:
                    cost += costs.values_after_name
                if best is not None and cost >= best[0]:
                    continue
                if missing:
                    cells = cells[:-1] + (None,) * missing + cells[-1:] if report else cells
                if name is None:
                    name = squash(" ".join(texts[:j] + [text[:b]]))
                best = (cost, name, cells)
    return None if best is None else (best[1], best[2])


def recognise(raw: RawDocument, headings: frozenset[int], vocab: Vocabulary | None = None):
    """Goals, indicator rows, activities and warnings of a document. ``headings``: the line
    numbers of its headings (etl.parse.sections.heading_lines of the sections the assemble
    stage parsed), ``vocab`` its Vocabulary (shared with the budget stage; made here when not
    passed)."""
    return Recogniser(raw, headings, vocab).run().result()
