"""Goal markers, assessments and table headers: the structure lines of a document."""
from __future__ import annotations

import re

from etl.model import Goal
from etl.parse import patterns as P
from etl.parse.recognise.row_text import lines_box, squash
from etl.parse.recognise.state import GOAL_LEVELS, MARKERS, OpenTable, RecogniserState

_ENDS_PERIODICITET = re.compile(r"Periodicitet\s*$")
_ENDS_PERIOD_WORD = re.compile(r"Period\s*$")


class GoalStructure(RecogniserState):
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

    def heading_row(self, i: int) -> bool:
        """A borderless table's "row" that is the heading after the table: text in the first
        column only, a goal marker ("Nämndmål: 1.1.1 ...") or an assessment ("Uppfylls helt").
        The page's geometry cannot tell it from a row (same spacing); its words can."""
        ln = self.lines[i]
        assert ln.cells is not None     # step calls this for a table row only
        if ln.header or any(c.text.strip() for c in ln.cells if c.col != 0):
            return False
        t = self.stripped[i]
        return any(rx.match(t) for _, rx in MARKERS) or bool(P.ASSESSMENT.match(t))

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
                self.table = OpenTable("report", self.innermost_goal(), ln.no, prior_year=prior)
            return j
        if self.table and self.table.kind == "activity" and P.ACTIVITY_HEADER.match(t):
            self.table.header_since_row = True
            return i
        for level, rx in MARKERS:
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
            self.table = OpenTable("plan", self.innermost_goal(), ln.no, markdown="\t" in ln.text)
            return i
        if P.ACTIVITY_HEADER.match(t):
            self.close_table()
            self.table = OpenTable("activity", self.innermost_goal(), ln.no, markdown="\t" in ln.text)
            return i
        if P.LOOSE_INDICATOR_HEADER.match(t):
            self.close_table()
            readable = _ENDS_PERIODICITET.search(t) is not None
            self.warn("indicators", f"indicator table header with missing or unknown columns: {t!r}"
                      + ("; read as a plan table" if readable else "; table skipped"), ln.no)
            if readable:
                self.table = OpenTable("plan", self.innermost_goal(), ln.no, markdown="\t" in ln.text)
            return i
        return None

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
