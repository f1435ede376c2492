"""A budget table's printed row: its label and trailing cells, the cells as numbers, and what
the label says (a total, a "varav" sub-row, a row introducing sub-rows).

An empty cell is printed as an extra space; thousands groups ("2 813,3") are joined when the
row has more cells than the table has columns.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeGuard

from etl.parse import patterns as P
from etl.parse.budget.tunables import SETTINGS
from etl.parse.numbers import parse_number

CELL = re.compile(r"^[-−–]?\d+(?:,\d+)?\**$")
YEAR_CELL = re.compile(r"^(?:19|20)\d\d\**$")
THOUSANDS_HEAD = re.compile(r"^[-−–]?\d{1,3}$")
THOUSANDS_TAIL = re.compile(r"^\d{3}(?:,\d+)?\**$")
TEXT_ROW = re.compile(
    r"^(?P<label>[A-Za-zÅÄÖåäöÉé][^\t]*?)\s+(?P<nums>[-−]?\d+(?:,\d+)?(?:\s+[-−]?\d+(?:,\d+)?)*)"
    r"(?:\s+(?P<note>\D.*))?$")
TOTAL_LABEL = re.compile(r"^(?:summa|totalt|total)\b|\btotalt$|^netto$", re.I)
PARENT_ROW = re.compile(r"\bvarav:?$", re.I)
SUB_ROW = re.compile(r"^[\s\-–—]*varav\b", re.I)


def parse_value(raw: str | None) -> float | None:
    """A printed cell ("1 487,5", "-6,4*", "<b>3 224,7</b>", "−2,5") as a number (mnkr)."""
    if raw is None:
        return None
    text = P.MARKUP.sub("", raw).replace("–", "-").strip().rstrip("*").strip()
    if not text:
        return None
    value, _unit, _mended = parse_number(text)
    return value


def clean(text: str) -> str:
    """A cell or label without markup, its whitespace runs as one space."""
    return re.sub(r"\s+", " ", P.MARKUP.sub("", text)).strip()


@dataclass
class Split:
    label: str
    cells: list[str]          # '' = empty cell


def split_row(text: str) -> Split | None:
    """Split a text row into its label and trailing cells; None when it ends in no number."""
    tokens = text.rstrip().split(" ")
    cells: list[str] = []
    i = len(tokens)
    while i > 0 and (tokens[i - 1] == "" or CELL.match(tokens[i - 1])):
        i -= 1
        cells.insert(0, tokens[i])
    label = " ".join(t for t in tokens[:i] if t).strip()
    # the space between the label and the first cell is a separator, not an empty cell
    if label and cells and cells[0] == "":
        cells = cells[1:]
    if not any(c for c in cells):
        return None
    return Split(label, cells)


def merge_thousands(cells: list[str], n: int) -> list[str]:
    """Join thousands groups ("2", "813,3" -> "2 813,3") from the left until n cells remain."""
    cells = list(cells)
    i = 0
    while len(cells) > n and i < len(cells) - 1:
        if THOUSANDS_HEAD.match(cells[i]) and THOUSANDS_TAIL.match(cells[i + 1]):
            cells[i:i + 2] = [f"{cells[i]} {cells[i + 1]}"]
        else:
            i += 1
    return cells


def min_cells(cells: list[str]) -> int:
    """The fewest cells a row's cells can be read as (every thousands group joined)."""
    return len(merge_thousands(cells, 0))


def fit_cells(cells: list[str], n: int) -> list[str] | None:
    """The row's cells as exactly n cells (None when they cannot be read as n cells)."""
    if len(cells) > n:
        cells = merge_thousands(cells, n)
    while len(cells) > n and cells and cells[0] == "":
        cells = cells[1:]
    if len(cells) > n:
        return None
    return cells + [""] * (n - len(cells))


def is_data_row(sp: Split | None) -> TypeGuard[Split]:
    """A value row: a label of a row's length and cells that are not all years."""
    if sp is None:
        return False
    filled = [c for c in sp.cells if c]
    if all(YEAR_CELL.match(c) for c in filled):
        return False     # "Analys av årsresultat 2021": a heading with a year, not a row
    return len(sp.label) <= SETTINGS.max_label_chars and len(sp.label.split()) <= SETTINGS.max_label_words


def is_label_line(text: str) -> bool:
    """A line that can be (part of) a row label: short, not a sentence or a caption."""
    t = text.strip()
    return (0 < len(t) <= SETTINGS.max_label_chars and len(t.split()) <= SETTINGS.max_label_words
            and not t.endswith((".", ":")))


def continues_label(pending: list[str], label: str) -> bool:
    """Does a row label continue the label lines above it (rather than follow a group line)?"""
    if not label:
        return True
    last = pending[-1].rstrip()
    if label[:1].islower() or label[:1] in "(&/":
        return True
    if last.endswith(("-", ",", "/", "&")):
        return True
    return bool(re.search(r"\b(?:och|med|för|till|av|i|samt|inom)$", last, re.I))


def text_row(text: str) -> tuple[str, list[str], str] | None:
    """'Signalparken 7 Genomförande av ...' -> (label, cells, note) for tables with a text column."""
    m = TEXT_ROW.match(text.strip())
    if not m or re.search(r"\d,\d", m.group("label")) or len(m.group("label")) > SETTINGS.max_label_chars:
        return None
    label = m.group("label")
    if not (label[:1].isupper() or SUB_ROW.match(label)):
        return None
    cells = m.group("nums").split()
    if all(YEAR_CELL.match(c) for c in cells):
        return None
    return label, cells, (m.group("note") or "").strip()
