"""Council-style PDFs of the seed documents: the test corpus for the PDF reader.

A district council writes its plan or report in a word processor, with real tables, and
exports it to PDF. This module does the same with a seed's content: it reads the seed as
text (the pipeline's own parse gives the structure: goals, indicator rows, activities,
budget tables, headings and prose, each with its printed cells), writes it as a Word
document with python-docx (real tables, a header row that repeats on each page, merged
header cells, a running header and footer, a table of contents with dot leaders) and
converts it with LibreOffice (``soffice --headless --convert-to pdf``).

Layouts (``LAYOUTS``) vary what a rule could come to depend on: orientation, margins, font
size, borders (grid, horizontal rules only, none), one-row or two-row merged headers,
left/right/centre alignment, column widths drawn from a seeded random generator (so narrow
value columns wrap "Tas fram av nämnd"), the Analys text as a full-width table row or as
paragraphs between tables, and rows that break across pages.

The expected records of a generated PDF are the seed's text records (the golden files
check those by hand), so ``compare`` says how many of them the PDF gives back unchanged.

    python -m bench.council_pdf --out /tmp/council-pdfs          # all seeds x all layouts
"""
from __future__ import annotations

import argparse
import hashlib
import random
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from etl.model import BudgetLine, ParsedDocument
from etl.parse import patterns as P

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "raw"


# -- the document as blocks ---------------------------------------------------------------------
@dataclass
class Para:
    text: str
    style: str = "normal"          # normal | heading1 | heading2 | heading3 | goal | title


@dataclass
class IndicatorTable:
    kind: str                      # plan | report
    kf_year: int | None            # "KF:s årsmål år 2025" when the seed prints the year
    prior_year: int | None         # reports: "Periodens utfall VB <year>"
    rows: list[list[str]] = field(default_factory=list)      # name + value cells
    analyses: list[tuple[str, str] | None] = field(default_factory=list)   # (label, text) per row


@dataclass
class ActivityTable:
    deviation: bool
    rows: list[list[str]] = field(default_factory=list)      # text, start, end (, deviation)
    analyses: list[tuple[str, str] | None] = field(default_factory=list)


@dataclass
class BudgetTable:
    caption: str | None
    stub: str
    columns: list[str]
    rows: list[tuple[str, list[str]]] = field(default_factory=list)   # label, cells ([] = group line)


Block = Para | IndicatorTable | ActivityTable | BudgetTable

_GOAL_LABEL = {"inriktningsmal": "KF:s inriktningsmål", "kf_mal": "KF:s mål för verksamhetsområdet",
               "namndmal": "Nämndmål", "enhetsmal": "Enhetsmål"}
_SQUASH = re.compile(r"\s+")
_MARKUP = re.compile(r"^\s*#{1,6}\s*|\*\*|__|<[^>]+>")
_BULLET = re.compile(r"^\s*[-–•·\u2022\uf0b7]\s")


def _squash(text: str) -> str:
    return _SQUASH.sub(" ", _MARKUP.sub("", text)).strip()


def plan_cells(row) -> list[str]:
    return [row.target.raw or "", row.kf_target.raw or "", row.periodicity or ""]


def report_cells(row) -> list[str]:
    return [row.outcome.raw or "", row.outcome_men.raw or "", row.outcome_women.raw or "",
            row.prior_outcome.raw or "", row.target.raw or "", row.kf_target.raw or "", row.periodicity or ""]


def _consume_text(lines, k: int, target: str, owned: dict, tag) -> int:
    """Mark the lines from index k whose text, joined, spells ``target`` (an Analys text or a
    goal text; page furniture in between is passed over); returns the index after the last."""
    want = re.sub(r"\s+", "", target)
    got = ""
    while k < len(lines) and len(got) < len(want):
        if owned.get(lines[k].no, ("",))[0] in ("drop", "header"):
            k += 1
            continue
        t = re.sub(r"\s+", "", _squash(lines[k].text))
        if not t or not want.startswith(got + t):
            break
        owned[lines[k].no] = tag
        got += t
        k += 1
    return k


def document_blocks(doc: ParsedDocument) -> list[Block]:
    """The seed's content as paragraphs and tables, in document order (see module docstring)."""
    from etl.parse.budget.header import settle_columns
    from etl.parse.budget.tables import find_markdown_tables
    from etl.parse.budget.text_tables import find_text_tables
    from etl.parse.recognise import Recogniser
    from etl.parse.sections import heading_lines
    from etl.parse.vocabulary import Vocabulary

    raw = doc.raw
    lines = raw.lines
    index = {ln.no: i for i, ln in enumerate(lines)}
    owned: dict[int, tuple] = {}
    rec = Recogniser(raw, heading_lines(doc.sections))
    for i in rec.footer:
        owned[lines[i].no] = ("drop",)
    for ln in lines:
        t = _squash(ln.text)
        if P.PAGE_FURNITURE.match(t) or P.TOC_ENTRY.search(t):
            owned[ln.no] = ("drop",)
        elif P.PLAN_HEADER.match(t) or P.ACTIVITY_HEADER.match(t) or P.REPORT_HEADER_START.match(t) \
                or P.LOOSE_INDICATOR_HEADER.match(t):
            owned[ln.no] = ("header",)
    # report headers wrap over several lines
    for i, ln in enumerate(lines):
        if P.REPORT_HEADER_START.match(ln.text):
            j, _ = rec.skip_report_header(i)
            for k in range(i, j + 1):
                owned[lines[k].no] = ("header",)

    def mark_analysis(item, end_no: int, tag) -> None:
        if not item.analysis:
            return
        k = index.get(end_no, -1) + 1
        while k < len(lines) and owned.get(lines[k].no, ("",))[0] in ("drop", "header"):
            k += 1
        if k < len(lines) and P.ANALYSIS.match(_squash(lines[k].text)):
            owned[lines[k].no] = tag
            _consume_text(lines, k + 1, item.analysis, owned, tag)

    for n, row in enumerate(doc.indicators):
        for no in range(row.source_line, row.source_line_end + 1):
            if no in index and owned.get(no, ("",))[0] != "header":
                owned[no] = ("ind", n)
        mark_analysis(row, row.source_line_end, ("ind-analysis", n))
    for n, act in enumerate(doc.activities):
        k = index[act.source_line]
        while k < len(lines) and not P.ACTIVITY_DATES.search(lines[k].text):
            k += 1
        end = lines[min(k, len(lines) - 1)].no
        for no in range(act.source_line, end + 1):
            if no in index and owned.get(no, ("",))[0] not in ("header", "drop"):
                owned[no] = ("act", n)
        mark_analysis(act, end, ("act-analysis", n))
    # budget tables, as the budget stage reads them
    warnings: list = []
    if raw.flavour == "markdown":
        btables = find_markdown_tables(lines)
    else:
        btables = find_text_tables(lines, Vocabulary(lines))
        for t in btables:
            settle_columns(t, warnings)
    for n, t in enumerate(btables):
        if not t.rows:
            continue
        last = max(r.line.no for r in t.rows)
        for no in range(t.start.no, last + 1):
            if no in index and owned.get(no, ("header",))[0] == "header":
                owned[no] = ("budget", n)
    for g in doc.goals:
        # the lines the goal's text takes, as the recogniser reads them (etl.parse.recognise.goals.open_goal)
        k = index[g.source_line]
        owned[g.source_line] = ("goal", g.key)
        rest = re.sub(r"^\W*(?:KF:s inriktningsmål|KF:s mål för verksamhetsområdet|Nämndmål|Enhetsmål)\s*:?\s*",
                      "", _squash(lines[k].text))
        j = k
        if not rest and k + 1 < len(lines):
            j = k + 1
            owned[lines[j].no] = ("goal-cont", g.key)
        while raw.flavour != "markdown" and j + 1 < len(lines) and lines[j + 1].text.strip()[:1].islower() \
                and lines[j + 1].no not in owned:
            j += 1
            owned[lines[j].no] = ("goal-cont", g.key)
    headings = heading_lines(doc.sections)

    blocks: list[Block] = []
    seen: set = set()
    current: IndicatorTable | ActivityTable | None = None
    para: list[str] = []
    prev_kind = None

    def flush() -> None:
        if para:
            blocks.append(Para(" ".join(para)))
            para.clear()

    for ln in lines:
        tag = owned.get(ln.no)
        kind = tag[0] if tag else "text"
        text = _squash(ln.text)
        if kind == "drop":
            continue
        if kind == "header":
            continue
        if kind in ("ind", "act"):
            flush()
            key = tag
            if key in seen:
                continue
            seen.add(key)
            if kind == "ind":
                row = doc.indicators[tag[1]]
                report = row.outcome.raw is not None or row.prior_year is not None or doc.meta.doc_type != "verksamhetsplan"
                if not isinstance(current, IndicatorTable) or current.kind != ("report" if report else "plan") \
                        or prev_kind not in ("ind", "ind-analysis"):
                    kf_year = doc.meta.year if re.search(r"KF:s årsmål år \d{4}", "\n".join(l.text for l in lines)) else None
                    current = IndicatorTable("report" if report else "plan", kf_year, row.prior_year)
                    blocks.append(current)
                current.rows.append([row.name] + (report_cells(row) if report else plan_cells(row)))
                current.analyses.append(("Analys", row.analysis) if row.analysis else None)
            else:
                act = doc.activities[tag[1]]
                dev = doc.meta.doc_type != "verksamhetsplan"
                if not isinstance(current, ActivityTable) or prev_kind not in ("act", "act-analysis"):
                    current = ActivityTable(dev)
                    blocks.append(current)
                current.rows.append([act.text, act.start_date or "", act.end_date or ""] + ([act.deviation or ""] if dev else []))
                current.analyses.append(("Analys", act.analysis) if act.analysis else None)
            prev_kind = kind
            continue
        if kind in ("ind-analysis", "act-analysis"):
            prev_kind = kind
            continue
        if kind == "budget":
            flush()
            if tag not in seen:
                seen.add(tag)
                t = btables[tag[1]]
                bt = BudgetTable(t.caption, t.stub or "", list(t.columns))
                group = None
                for r in t.rows:
                    if r.group and r.group != group:
                        bt.rows.append((r.group, []))
                        group = r.group
                    bt.rows.append((r.label, [c for c in r.cells]))
                blocks.append(bt)
            prev_kind = kind
            current = None
            continue
        if kind == "goal":
            flush()
            g = doc.goals[tag[1]]
            full = f"{g.code}{'.' if g.code and '.' not in g.code else ''} {g.text}" if g.code else g.text
            blocks.append(Para(f"{_GOAL_LABEL[g.level]}: {full}", "goal"))
            current, prev_kind = None, kind
            continue
        if kind == "goal-cont":
            continue
        # prose
        current = None
        prev_kind = "text"
        if ln.no in headings or P.ASSESSMENT.match(text) or P.ANALYSIS.match(text) or P.SUBHEADINGS.match(text):
            flush()
            style = "heading3" if (P.SUBHEADINGS.match(text) or P.ASSESSMENT.match(text)) else "heading2"
            if raw.flavour == "markdown":
                m = re.match(r"^\s*(#{1,6})", ln.text)
                if m:
                    style = f"heading{min(len(m.group(1)), 3)}"
            blocks.append(Para(text, style))
            continue
        prev_line = _squash(lines[index[ln.no] - 1].text) if index[ln.no] else ""
        starts_new = (not para or _BULLET.match(text) or (raw.flavour == "markdown")
                      or (re.search(r"[.!?:]\s*$", para[-1]) or len(prev_line) < 60) and not text[:1].islower())
        if starts_new:
            flush()
        para.append(text)
    flush()
    return [b for b in blocks if not isinstance(b, Para) or b.text]


# -- layouts ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Layout:
    name: str
    seed: int
    landscape: bool = False
    font: str = "Arial"
    font_size: float = 10.0
    table_font_size: float = 9.0
    margins_cm: float = 2.2
    borders: str = "grid"            # grid | horizontal | none
    two_row_header: bool = False
    align: str = "left"              # left | right | center (value cells)
    name_share: tuple[float, float] = (0.40, 0.55)   # share of the table width for the name column
    analysis: str = "row"            # row | paragraph | paragraph-no-header
    header_shading: bool = True
    toc: bool = True
    split_rows: bool = True          # rows may break across pages


LAYOUTS = [
    Layout("portrait-grid", seed=1),
    Layout("landscape-merged-right", seed=2, landscape=True, two_row_header=True, align="right",
           name_share=(0.30, 0.45), analysis="paragraph", font="Times New Roman", font_size=11, table_font_size=10),
    Layout("portrait-horizontal-centre", seed=3, borders="horizontal", align="center",
           name_share=(0.45, 0.62), analysis="paragraph-no-header", margins_cm=1.8, table_font_size=8.5,
           header_shading=False),
    Layout("portrait-borderless-narrow", seed=4, borders="none", two_row_header=True, name_share=(0.50, 0.60),
           table_font_size=8, font_size=9.5, margins_cm=2.5, header_shading=False),
]
# Layouts tried after the reader was tuned, kept out of the test corpus (tests/test_council_pdf.py)
# so they stay an honest check on the next council's file: `--layout NAME` measures them.
EXTRA_LAYOUTS = [
    # landscape, horizontal rules, a ruled two-row header over borderless rows, narrow
    # right-aligned Times values (2 Dec 2026: 0 % of the indicator rows before the review's
    # fixes, 97,8 % after)
    Layout("landscape-horizontal-narrow-times", seed=11, landscape=True, borders="horizontal",
           two_row_header=True, align="right", name_share=(0.25, 0.35), font="Times New Roman",
           font_size=10, table_font_size=8),
]


# -- writing the Word document ---------------------------------------------------------------------
def _plan_header(table: IndicatorTable) -> list[str]:
    kf = "KF:s årsmål" + (f" år {table.kf_year}" if table.kf_year else "")
    return ["Indikator", "Årsmål", kf, "Periodicitet"]


def _report_header(table: IndicatorTable) -> list[str]:
    prior = f"Periodens utfall VB {table.prior_year}" if table.prior_year else "Periodens utfall föregående år"
    return ["Indikator", "Periodens utfall", "Utfall män/ pojkar", "Utfall kvinnor/ flickor", prior,
            "Årsmål", "KF:s årsmål", "Period"]


MIN_VALUE_CM = 1.45


class DocxWriter:
    def __init__(self, layout: Layout):
        from docx import Document
        from docx.enum.section import WD_ORIENT
        from docx.shared import Cm, Pt

        self.layout = layout
        self.rng = random.Random(layout.seed)
        self.doc = Document()
        style = self.doc.styles["Normal"]
        style.font.name = layout.font
        style.font.size = Pt(layout.font_size)
        style.paragraph_format.space_after = Pt(4)
        for name in ("Heading 1", "Heading 2", "Heading 3"):
            self.doc.styles[name].font.name = layout.font
        sec = self.doc.sections[0]
        sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
        if layout.landscape:
            sec.orientation = WD_ORIENT.LANDSCAPE
            sec.page_width, sec.page_height = sec.page_height, sec.page_width
        m = Cm(layout.margins_cm)
        sec.left_margin = sec.right_margin = sec.top_margin = sec.bottom_margin = m
        self.text_width = sec.page_width - 2 * m
        self._running_header_footer(sec)

    # -- page furniture
    def _field(self, par, instr: str) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        f = OxmlElement("w:fldSimple")
        f.set(qn("w:instr"), instr)
        r = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = "1"
        r.append(t)
        f.append(r)
        par._p.append(f)

    def _running_header_footer(self, sec) -> None:
        from docx.enum.text import WD_TAB_ALIGNMENT

        hp = sec.header.paragraphs[0]
        hp.paragraph_format.tab_stops.add_tab_stop(self.text_width, WD_TAB_ALIGNMENT.RIGHT)
        hp.add_run("Tjänsteutlåtande\tSid ")
        self._field(hp, "PAGE")
        hp.add_run(" (")
        self._field(hp, "NUMPAGES")
        hp.add_run(")")
        sec.header.add_paragraph(f"Dnr {self.rng.randint(1, 9)}.{self.rng.randint(1, 9)}-{self.rng.randint(100, 999)}/2021")
        fp = sec.footer.paragraphs[0]
        fp.text = "Stadsdelsförvaltningen"
        sec.footer.add_paragraph(f"Box {self.rng.randint(1000, 9999)}, 1{self.rng.randint(10, 99)} 00 Stockholm")
        sec.footer.add_paragraph(f"Telefon 08-508 {self.rng.randint(10, 99)} {self.rng.randint(100, 999)}")
        sec.footer.add_paragraph("start.stockholm")

    # -- blocks
    def toc(self, blocks: list[Block]) -> None:
        from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER

        self.doc.add_paragraph("Innehåll", style="Heading 1")
        page = 3
        entries = [b for b in blocks if isinstance(b, Para) and b.style in ("goal", "heading1", "heading2")]
        for b in entries[:60]:
            if True:
                p = self.doc.add_paragraph()
                p.paragraph_format.tab_stops.add_tab_stop(self.text_width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
                p.add_run(f"{b.text}\t{page}")
                page += self.rng.randint(0, 2)

    def paragraph(self, b: Para) -> None:
        from docx.shared import Pt

        if b.style.startswith("heading"):
            self.doc.add_paragraph(b.text, style=f"Heading {b.style[-1]}")
        elif b.style == "goal":
            p = self.doc.add_paragraph()
            run = p.add_run(b.text)
            run.bold = True
            run.font.size = Pt(self.layout.font_size + 2)
            p.paragraph_format.space_before = Pt(10)
        else:
            self.doc.add_paragraph(b.text)

    def _widths(self, n_values: int) -> list[int]:
        """The name column's share drawn from the layout's range, the value columns' widths
        varied around their share; no value column narrower than MIN_VALUE_CM (a word
        processor's user widens a column whose heading breaks letter by letter)."""
        from docx.shared import Cm

        lo, hi = self.layout.name_share
        name = self.rng.uniform(lo, hi)
        name = min(name, 1 - n_values * Cm(MIN_VALUE_CM) / self.text_width)
        weights = [self.rng.uniform(0.7, 1.3) for _ in range(n_values)]
        rest = (1 - name) * self.text_width
        values = [max(int(rest * w / sum(weights)), int(Cm(MIN_VALUE_CM))) for w in weights]
        return [int(self.text_width - sum(values))] + values

    def _table(self, n_cols: int, widths: list[int]):
        from docx.enum.table import WD_TABLE_ALIGNMENT

        t = self.doc.add_table(rows=0, cols=n_cols)
        if self.layout.borders == "grid":
            t.style = "Table Grid"
        elif self.layout.borders == "horizontal":
            self._horizontal_borders(t)
        t.autofit = False
        t.alignment = WD_TABLE_ALIGNMENT.LEFT
        for i, w in enumerate(widths):
            t.columns[i].width = w
        return t

    def _horizontal_borders(self, t) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        borders = OxmlElement("w:tblBorders")
        for side in ("top", "bottom", "insideH"):
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:val"), "single")
            el.set(qn("w:sz"), "6")
            el.set(qn("w:color"), "808080")
            borders.append(el)
        t._tbl.tblPr.append(borders)

    def _row(self, t, texts: list[str], widths: list[int], header: bool = False, align_values: bool = True):
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt

        row = t.add_row()
        if header:
            trPr = row._tr.get_or_add_trPr()
            el = OxmlElement("w:tblHeader")
            el.set(qn("w:val"), "true")
            trPr.append(el)
        if not self.layout.split_rows:
            trPr = row._tr.get_or_add_trPr()
            trPr.append(OxmlElement("w:cantSplit"))
        for k, (cell, text, w) in enumerate(zip(row.cells, texts, widths)):
            cell.width = w
            par = cell.paragraphs[0]
            run = par.add_run(text)
            run.font.size = Pt(self.layout.table_font_size)
            if header:
                run.bold = True
                if self.layout.header_shading:
                    self._shade(cell)
            if k and align_values:
                par.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                                 "center": WD_ALIGN_PARAGRAPH.CENTER}[self.layout.align]
        return row

    def _shade(self, cell) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:fill"), "D9E2F3")
        cell._tc.get_or_add_tcPr().append(shd)

    def _full_width_row(self, t, label: str, text: str, widths: list[int]) -> None:
        from docx.shared import Pt

        row = t.add_row()
        for cell, w in zip(row.cells, widths):
            cell.width = w
        cell = row.cells[0].merge(row.cells[-1])
        r = cell.paragraphs[0].add_run(label)
        r.bold = True
        r.font.size = Pt(self.layout.table_font_size)
        r2 = cell.add_paragraph().add_run(text)
        r2.font.size = Pt(self.layout.table_font_size)

    def _header(self, t, labels: list[str], widths: list[int], groups: dict[int, tuple[int, str, str]]) -> None:
        """One header row, or two when ``groups`` merges columns under a common label:
        {first column: (number of columns, group label, ...)}."""
        if not (self.layout.two_row_header and groups):
            self._row(t, labels, widths, header=True, align_values=False)
            return
        top = self._row(t, [""] * len(labels), widths, header=True, align_values=False)
        bottom = self._row(t, [""] * len(labels), widths, header=True, align_values=False)
        from docx.shared import Pt

        def put(cell, text):
            for p in cell.paragraphs[1:]:
                p._p.getparent().remove(p._p)
            par = cell.paragraphs[0]
            for r in list(par.runs):
                r._r.getparent().remove(r._r)
            run = par.add_run(text)
            run.bold = True
            run.font.size = Pt(self.layout.table_font_size)

        c = 0
        while c < len(labels):
            if c in groups:
                n, group, _ = groups[c]
                merged = top.cells[c].merge(top.cells[c + n - 1])
                put(merged, group)
                for k in range(n):
                    put(bottom.cells[c + k], groups[c][2].split("|")[k])
                c += n
            else:
                merged = top.cells[c].merge(bottom.cells[c])
                put(merged, labels[c])
                c += 1

    def indicator_table(self, b: IndicatorTable) -> None:
        labels = _plan_header(b) if b.kind == "plan" else _report_header(b)
        widths = self._widths(len(labels) - 1)
        if b.kind == "plan":
            groups = {1: (2, "Mål", f"Årsmål|{labels[2]}")}
        else:
            groups = {2: (2, "Utfall", "män/pojkar|kvinnor/flickor")}
        t = self._table(len(labels), widths)
        self._header(t, labels, widths, groups)
        for k, (cells, analysis) in enumerate(zip(b.rows, b.analyses)):
            self._row(t, cells, widths)
            if analysis:
                if self.layout.analysis == "row":
                    self._full_width_row(t, analysis[0], analysis[1], widths)
                elif k < len(b.rows) - 1 or True:
                    self.paragraph(Para(analysis[0], "heading3"))
                    self.doc.add_paragraph(analysis[1])
                    if k < len(b.rows) - 1:
                        t = self._table(len(labels), widths)
                        if self.layout.analysis == "paragraph":
                            self._header(t, labels, widths, groups)

    def activity_table(self, b: ActivityTable) -> None:
        labels = ["Aktivitet", "Startdatum", "Slutdatum"] + (["Avvikelse"] if b.deviation else [])
        widths = self._widths(len(labels) - 1)
        t = self._table(len(labels), widths)
        self._header(t, labels, widths, {})
        for k, (cells, analysis) in enumerate(zip(b.rows, b.analyses)):
            self._row(t, cells, widths)
            if analysis:
                if self.layout.analysis == "row":
                    self._full_width_row(t, analysis[0], analysis[1], widths)
                else:
                    self.paragraph(Para(analysis[0], "heading3"))
                    self.doc.add_paragraph(analysis[1])
                    if k < len(b.rows) - 1:
                        t = self._table(len(labels), widths)
                        if self.layout.analysis == "paragraph":
                            self._header(t, labels, widths, {})

    def budget_table(self, b: BudgetTable) -> None:
        if b.caption:
            self.doc.add_paragraph(b.caption)
        n = len(b.columns)
        share = self.rng.uniform(0.30, 0.45)
        widths = [int(share * self.text_width)] + [int((1 - share) * self.text_width / n)] * n
        t = self._table(n + 1, widths)
        self._row(t, [b.stub] + b.columns, widths, header=True, align_values=False)
        for label, cells in b.rows:
            self._row(t, [label] + (cells + [""] * n)[:n], widths)

    def write(self, blocks: list[Block], path: Path) -> None:
        body = list(blocks)
        if self.layout.toc:
            # the title lines first, then the table of contents, as councils print them
            k = next((i for i, b in enumerate(body) if not isinstance(b, Para) or b.style != "normal"), len(body))
            k = min(k, 4)
            for b in body[:k]:
                self.paragraph(b)
            self.toc(body[k:])
            body = body[k:]
        for b in body:
            if isinstance(b, Para):
                self.paragraph(b)
            elif isinstance(b, IndicatorTable):
                self.indicator_table(b)
            elif isinstance(b, ActivityTable):
                self.activity_table(b)
            else:
                self.budget_table(b)
            if not isinstance(b, Para):
                self.doc.add_paragraph()
        self.doc.save(str(path))


# -- converting -----------------------------------------------------------------------------------
def docx_to_pdf(docx_paths: list[Path], out_dir: Path) -> list[Path]:
    """LibreOffice's PDF export of each document (one soffice run for all)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise RuntimeError("LibreOffice is not installed (apt-get install libreoffice-writer)")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out_dir), *map(str, docx_paths)],
                       check=True, capture_output=True, timeout=900)
    pdfs = [out_dir / (p.stem + ".pdf") for p in docx_paths]
    missing = [p for p in pdfs if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice wrote no PDF for {missing}")
    return pdfs


def _fingerprint() -> str:
    h = hashlib.sha256(Path(__file__).read_bytes())
    for p in sorted(SEEDS.iterdir()):
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def build_corpus(out_dir: Path, seeds: list[Path] | None = None, layouts: list[Layout] | None = None) -> dict[tuple[str, str], Path]:
    """Every seed in every layout as a PDF under out_dir: {(seed file name, layout name): pdf}.
    PDFs already made by the same generator and seeds are reused."""
    from etl.parse.assemble import parse_file

    seeds = seeds or sorted(p for p in SEEDS.iterdir() if p.is_file())
    layouts = layouts or LAYOUTS
    out_dir = Path(out_dir) / _fingerprint()
    out_dir.mkdir(parents=True, exist_ok=True)
    todo, result = [], {}
    for seed in seeds:
        blocks = None
        for layout in layouts:
            stem = f"{seed.stem}__{layout.name}"
            pdf = out_dir / f"{stem}.pdf"
            result[(seed.name, layout.name)] = pdf
            if pdf.exists():
                continue
            if blocks is None:
                blocks = document_blocks(parse_file(seed))
            docx = out_dir / f"{stem}.docx"
            DocxWriter(layout).write(blocks, docx)
            todo.append(docx)
    if todo:
        docx_to_pdf(todo, out_dir)
    return result


# -- comparing ------------------------------------------------------------------------------------
_LINE_END_HYPHEN = re.compile(r"(?<=\w)-\s+(?=[a-zåäö])")


def printed(text: str | None) -> str | None:
    """A name as printed, whether the text extraction kept a line break after a hyphen
    ("SoL- dokumentationen") or the PDF shows the word whole ("SoL-dokumentationen")."""
    return _LINE_END_HYPHEN.sub("-", text) if text else text


def row_key(row) -> tuple:
    return (printed(row.name), row.target.raw, row.kf_target.raw, row.periodicity, row.outcome.raw, row.outcome_men.raw,
            row.outcome_women.raw, row.prior_outcome.raw)


def goal_key(g) -> tuple:
    return (g.level, g.code, g.text, g.assessment)


def activity_key(a) -> tuple:
    return (printed(a.text), a.start_date, a.end_date, a.deviation)


def budget_key(b: BudgetLine) -> tuple:
    return (b.row_label, b.column_label, b.value_raw)


def _matched(expected: list, got: list) -> int:
    from collections import Counter

    e, g = Counter(expected), Counter(got)
    return sum(min(n, g[k]) for k, n in e.items())


def compare(text_doc: ParsedDocument, pdf_doc: ParsedDocument) -> dict:
    """How many of the text's records the PDF gives back unchanged (multiset match)."""
    out = {"meta": pdf_doc.meta is not None and text_doc.meta is not None and (
        (pdf_doc.meta.district, pdf_doc.meta.year, pdf_doc.meta.doc_type, pdf_doc.meta.level, pdf_doc.meta.unit_name)
        == (text_doc.meta.district, text_doc.meta.year, text_doc.meta.doc_type, text_doc.meta.level,
            text_doc.meta.unit_name))}
    for name, key, attr in (("indicators", row_key, "indicators"), ("goals", goal_key, "goals"),
                            ("activities", activity_key, "activities")):
        exp = [key(x) for x in getattr(text_doc, attr)]
        got = [key(x) for x in getattr(pdf_doc, attr)]
        out[name] = (_matched(exp, got), len(exp), len(got))
    exp = [budget_key(b) for b in text_doc.budget_lines]
    got = [budget_key(b) for b in pdf_doc.budget_lines]
    out["budget"] = (_matched(exp, got), len(exp), len(got))
    out["warnings"] = len(pdf_doc.warnings)
    return out


def main() -> None:
    from etl.parse.assemble import parse_file

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "council-pdfs")
    ap.add_argument("--layout", action="append",
                    help="layout name(s); default the test corpus's (EXTRA_LAYOUTS only when named)")
    ap.add_argument("--seed", action="append", help="seed file name(s); default all")
    args = ap.parse_args()
    layouts = [l for l in LAYOUTS + EXTRA_LAYOUTS if l.name in (args.layout or [x.name for x in LAYOUTS])]
    seeds = [p for p in sorted(SEEDS.iterdir()) if not args.seed or p.name in args.seed]
    corpus = build_corpus(args.out, seeds, layouts)
    totals: dict[str, list[int]] = {}
    per_layout: dict[str, list[int]] = {}
    for (seed, layout), pdf in corpus.items():
        text_doc = parse_file(SEEDS / seed)
        pdf_doc = parse_file(pdf)
        res = compare(text_doc, pdf_doc)
        print(f"{seed[:40]:40} {layout:28} meta={'ok' if res['meta'] else 'NO'} "
              + " ".join(f"{k}={v[0]}/{v[1]}({v[2]})" for k, v in res.items() if isinstance(v, tuple))
              + f" warnings={res['warnings']}  {pdf}")
        for k, v in res.items():
            if isinstance(v, tuple):
                t = totals.setdefault(k, [0, 0])
                t[0] += v[0]
                t[1] += v[1]
        lt = per_layout.setdefault(layout, [0, 0])
        lt[0] += res["indicators"][0]
        lt[1] += res["indicators"][1]
    for layout, (a, b) in per_layout.items():
        print(f"layout {layout:28} indicators {a}/{b} ({100 * a / max(b, 1):.1f} %)")
    print("total: " + " ".join(f"{k}={a}/{b} ({100 * a / max(b, 1):.1f} %)" for k, (a, b) in totals.items()))


if __name__ == "__main__":
    main()
