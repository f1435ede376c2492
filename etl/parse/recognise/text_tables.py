"""Tables read from text: a row's lines gathered until its last cell, Analys paragraphs,
rows completed into records, and the table's self-check."""
from __future__ import annotations

import re

from etl.model import Activity, IndicatorRow, Line
from etl.parse import patterns as P
from etl.parse.cells import is_period
from etl.parse.numbers import clean_cell, is_word_cell, parse_number
from etl.parse.recognise.row_text import (
    FIRST_VALUE,
    PLAN_CELLS,
    REPORT_CELLS,
    join_lines,
    lines_box,
    make_cell,
    split_row,
    squash,
    strip_markup,
)
from etl.parse.recognise.state import MAX_ROW_LINES, OpenTable, RecogniserState

_ENDS_YEAR = re.compile(r"\d{4}\s*$")
_KF_PHRASE = re.compile(r"(?i)tas fram|fastställs")


class TextTables(RecogniserState):
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
            first_value = FIRST_VALUE.search(body)
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

    def self_check(self, tb: OpenTable) -> None:
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
