"""Reading a table row from its text: line texts without markup, words broken across lines
glued back, and the split of a row's lines into its name and value cells (the cheapest
reading, etl.parse.cells)."""
from __future__ import annotations

import re

from etl.model import Box, Cell, Line, union_box
from etl.parse import patterns as P
from etl.parse.cells import CELL_START, ROW_COSTS, RowCosts, best_readings, is_period, unit_mismatch
from etl.parse.numbers import parse_number
from etl.parse.vocabulary import Vocabulary

PLAN_CELLS = 3      # Årsmål, KF:s årsmål, Periodicitet
REPORT_CELLS = 7    # utfall, män, kvinnor, utfall VB <prev>, Årsmål, KF:s årsmål, Period
MAX_WORDS_PER_CELL = 8  # the longest value cell: "1,80 kg CO2 per kg livsmedel", "Tas fram av nämnd/styrelse"

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


FIRST_VALUE = re.compile(r"(?<!\S)(?:" + P.NUMBER + r")(?:\s?(?:" + P.UNITS + r"))?(?=\s|$)|(?<!\S)(?:Tas fram|Fastställs)")


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
