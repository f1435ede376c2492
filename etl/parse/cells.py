"""Split the flattened text of one table row into its cells.

PDF text puts one space between cells and one *extra* space for each empty cell, and a cell
may itself contain spaces ("3,3 %", "12 000", "Tas fram av nämnd"). So a row's value text is
ambiguous; we enumerate the readings allowed by the cell grammar (etl/parse/patterns.py) and pick
the cheapest one with the expected number of cells. Readings that need unknown words as
cells, leave cells empty, or pair a bare number with a number that has a unit cost more.
"""
from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from etl.parse import patterns as P
from etl.parse.numbers import mend
from etl.tunables import check, count, number

_WORD = re.compile(r"(?:" + "|".join(P.WORD_CELLS) + r")(?=\s|$)", re.I)
_PERIOD = re.compile(r"(?:" + P.PERIOD + r")(?=\s|$)")
_NUM_GROUPED = re.compile(r"(?:" + P.QUALIFIER + r"\s?)?" + P.NUMBER + r"(?:\s?(?:" + P.UNITS + r"))?(?=\s|$)")
_NUM_PLAIN = re.compile(r"(?:" + P.QUALIFIER + r"\s?)?" + P.NUMBER_NO_GROUPS + r"(?:\s?(?:" + P.UNITS + r"))?(?=\s|$)")
_NUM_BARE = re.compile(r"(?:" + P.QUALIFIER + r"\s?)?" + P.NUMBER_NO_GROUPS + r"(?=\s|$)")
_GENERIC = re.compile(r"\S+(?=\s|$)")
_QUALIFIER_WORD = re.compile(P.QUALIFIER)
_CAPITALISED = re.compile(r"[A-ZÅÄÖ][a-zåäöé]+")
_LEADING_ZERO = re.compile(r"^[-−+]?0\d")
_HAS_UNIT = re.compile(r"(?:" + P.UNITS + r")$")
_YEAR = re.compile(P.YEAR)
_LOWER_WORD = re.compile(r"[a-zåäöé]{2,}")



@dataclass(frozen=True)
class RowCosts:
    """What a reading of a row's value text costs (the cheapest reading wins) and how many
    readings are kept: every tunable of the row split, in one validated place (as
    pdfplumber's TableSettings). ``ROW_COSTS`` is the one the parser uses; `split_row` takes
    another for an experiment."""

    unknown_word: float = number(4.0)       # a cell that is no known word, number or period
    empty_cell: float = number(1.0)         # an empty cell an extra space (or a leading space) stands for
    missing_cell: float = number(1.5)       # a cell the row does not print at all (fewer cells than columns)
    unit_mismatch: float = number(3.0)      # plan row, values after the name on its line: a bare number beside a unit
    values_after_name: float = number(0.25) # the values start after the name on the same line
    unit_word: float = number(0.2)          # each word of an unknown unit or qualifier ("kg CO2 per kg livsmedel")
    segment_readings: int = count(64)      # readings kept per suffix of a segment
    best_readings: int = count(12)         # how many of a value text's cheapest readings a row split looks at

    def __post_init__(self) -> None:
        check(self)


ROW_COSTS = RowCosts()


@dataclass(frozen=True)
class Reading:
    cells: tuple[str | None, ...]   # None = empty cell; the last cell is the period when present
    cost: float


def _atoms(s: str) -> list[tuple[str, float]]:
    """Possible first cells of a single-spaced string, with their costs."""
    out: dict[str, float] = {}
    for rx, cost in ((_WORD, 0.0), (_PERIOD, 0.0), (_NUM_GROUPED, 0.0), (_NUM_PLAIN, 0.0), (_NUM_BARE, 0.0)):
        m = rx.match(s)
        if m and not _LEADING_ZERO.match(m.group(0)):
            out.setdefault(m.group(0), cost)
    m = _GENERIC.match(s)
    if m:
        out.setdefault(m.group(0), ROW_COSTS.unknown_word)
    # a number with an unknown unit or a qualifier of a few words ("1,80 kg CO2 per kg
    # livsmedel", "2 % energieffektivisering relativt 2018")
    m = _NUM_BARE.match(s)
    if m:
        words = s[m.end():].split(" ")[1:7]
        for k in range(1, len(words) + 1):
            w = words[k - 1]
            # unit words are not numbers, periods, qualifiers or capitalised words ("Max", "Tas");
            # a year after a lower-case word is part of the phrase ("relativt 2018")
            if _QUALIFIER_WORD.fullmatch(w) or _CAPITALISED.fullmatch(w) or (
                    (_NUM_BARE.fullmatch(w) or _PERIOD.fullmatch(w))
                    and not (k > 1 and _YEAR.fullmatch(w) and _LOWER_WORD.fullmatch(words[k - 2]))):
                break
            out.setdefault(m.group(0) + " " + " ".join(words[:k]), ROW_COSTS.unit_word * k)
    return list(out.items())


# Readings are built as linked cells, (first cell, the rest's linked cells) ending in None, and
# a value text's combinations as linked pieces, (the pieces before, this piece); a reading's
# cells are flattened into a tuple only for the readings a caller gets. (Building every
# candidate's tuple cost more than all the rest: a long segment has many readings, each a copy.)


_TOKEN = re.compile(r"\S+")


@lru_cache(maxsize=4096)
def _segment_readings(seg: str) -> tuple[tuple[tuple | None, float, int], ...]:
    """The 64 cheapest readings (linked cells, cost, number of cells) of a single-spaced
    segment: each possible first cell followed by the readings of the rest, sorted by cost
    (ties in the order the atoms were found). Built from the last word back (no recursion:
    a segment of any length is read in one pass, each suffix once)."""
    done: dict[int, tuple] = {len(seg): ((None, 0.0, 0),)}
    for m in reversed(list(_TOKEN.finditer(seg))):
        p = m.start()
        results: list[tuple[tuple | None, float, int]] = []
        for atom, cost in _atoms(seg[p:]):
            q = p + len(atom)
            while q < len(seg) and seg[q] == " ":
                q += 1
            results.extend([((atom, cells), cost + c, n + 1) for cells, c, n in done.get(q, ())])
        results.sort(key=_combo_cost)
        done[p] = tuple(results[:ROW_COSTS.segment_readings])
    return done[0] if seg else done[len(seg)]


# Standard phrases may be wrapped inside their cell ("Tas fram\nav\nnämnd", "Fastställs  2021"):
# their inner whitespace is collapsed before the row is split on extra spaces.
_PHRASE_SPACING = re.compile(
    r"(?<!\S)(?:" + "|".join(w.replace(r"\s?", r"\s*").replace(" ", r"\s+") for w in P.WORD_CELLS if " " in w) + r")(?=\s|$)",
    re.I,
)


_WRAPPED_PERCENT = re.compile(r"(\d) {2,}%")
_SPACES = re.compile(r"\s+")
_SEPARATOR = re.compile(r"( {2,}|\t)")
_NUMBER_CELL = re.compile(r"^(?:" + P.QUALIFIER + r"\s?)?" + P.NUMBER + r"(?:\s?(?:" + P.UNITS + r"))?$")


def _collapse(m: re.Match) -> str:
    return _SPACES.sub(" ", m.group(0))


def normalise_phrases(text: str) -> str:
    text = _WRAPPED_PERCENT.sub(r"\1 %", mend(text))   # "80  %": a wrapped number, not an empty cell
    return _PHRASE_SPACING.sub(_collapse, text)


def readings(text: str) -> list[Reading]:
    """All readings of a row's value text (cheapest first)."""
    return list(_cached_readings(text))


def best_readings(text: str, max_cells: int | None = None) -> tuple[Reading, ...]:
    """The ROW_COSTS.best_readings cheapest readings of a row's value text: ``readings(text)[:12]``,
    without building and sorting the readings the row split never looks at; with max_cells,
    only those of them that have at most max_cells cells."""
    return _cached_best_readings(text, max_cells)


def _with_leading_empties(text: str, read) -> tuple[Reading, ...]:
    text = normalise_phrases(text).rstrip()
    if not text.strip():
        return (Reading((), 0.0),)
    lead = len(text) - len(text.lstrip(" "))
    text = text.strip()
    out = read(text)
    if lead:
        # Leading spaces on a value line may be empty leading cells (one space each).
        out += [Reading((None,) * lead + r.cells, r.cost + ROW_COSTS.empty_cell * lead) for r in out]
        out.sort(key=_cost)
    return tuple(out)


@lru_cache(maxsize=8192)
def _cached_readings(text: str) -> tuple[Reading, ...]:
    return _with_leading_empties(text, _readings)


@lru_cache(maxsize=8192)
def _cached_best_readings(text: str, max_cells: int | None) -> tuple[Reading, ...]:
    text = normalise_phrases(text).rstrip()
    if not text.strip():
        return (Reading((), 0.0),)
    lead = len(text) - len(text.lstrip(" "))
    # (leading empty cells, linked pieces, cost, number of cells) of the cheapest readings
    best = [(0, pieces, cost, n) for pieces, cost, n in
            heapq.nsmallest(ROW_COSTS.best_readings, _combos(text.strip()), key=_combo_cost)]   # = sorted(...)[:12]
    if lead:
        # Leading spaces on a value line may be empty leading cells (one space each). The k
        # cheapest of the readings and of their shifted copies are among the k cheapest of each
        # (a stable sort keeps every reading behind the cheaper-or-equal ones of its list).
        best += [(lead, pieces, cost + ROW_COSTS.empty_cell * lead, n) for _, pieces, cost, n in best]
        best.sort(key=_lead_combo_cost)
    return tuple(Reading((None,) * k + _cells(pieces), cost) for k, pieces, cost, n in best[:ROW_COSTS.best_readings]
                 if max_cells is None or k + n <= max_cells)


def _lead_combo_cost(best: tuple) -> float:
    return best[2]


def _cost(r: Reading) -> float:
    return r.cost


def _combo_cost(combo: tuple) -> float:
    return combo[1]


def _combos(text: str) -> list[tuple[tuple | None, float, int]]:
    """(linked pieces, cost, number of cells) of the readings of a stripped value text, in the
    order the segments' readings combine (at most 256), unsorted. A piece is a segment's
    linked cells or the number of empty cells an extra space stands for."""
    parts = _SEPARATOR.split(text)
    # parts alternate segment, separator, segment ...
    combos: list[tuple[tuple | None, float, int]] = [(None, 0.0, 0)]
    for i, part in enumerate(parts):
        if i % 2 == 1:
            empties = 1 if part == "\t" else len(part) - 1
            combos = [((pieces, empties), c + ROW_COSTS.empty_cell * empties, n + empties) for pieces, c, n in combos]
            continue
        seg = part.strip(" ")
        segs = _segment_readings(seg)
        # the first 256 of the product (built lazily: the product itself may hold thousands)
        combos = list(islice((((pieces, s_cells), c + s_c, n + s_n)
                              for pieces, c, n in combos for s_cells, s_c, s_n in segs), 256))
    return combos


def _cells(pieces: tuple | None) -> tuple[str | None, ...]:
    """The flat cells of a combination's linked pieces."""
    stack = []
    while pieces is not None:
        pieces, piece = pieces
        stack.append(piece)
    out: list[str | None] = []
    for piece in reversed(stack):
        if type(piece) is int:
            out.extend([None] * piece)
            continue
        while piece is not None:
            cell, piece = piece
            out.append(cell)
    return tuple(out)


def _readings(text: str) -> list[Reading]:
    return sorted((Reading(_cells(pieces), cost) for pieces, cost, _ in _combos(text)), key=_cost)


def unit_mismatch(cells: tuple[str | None, ...]) -> bool:
    """A bare number next to numbers with units, e.g. '9' beside '85 %' (the 9 is name text)."""
    nums = [c for c in cells if c and _NUMBER_CELL.match(c)]
    with_unit = [c for c in nums if _HAS_UNIT.search(c)]
    bare = [c for c in nums if not _HAS_UNIT.search(c)]
    return bool(with_unit) and bool(bare)


# What a row's first value cell can start with (a cheap filter before the full reading).
CELL_START = re.compile(r"(?:[-−–+<>≤≥±]|\d|" + P.QUALIFIER + r"\s|" + "|".join(P.WORD_CELLS[:-3]) + r"|" + P.PERIOD + r")", re.I)


_PERIOD_CELL = re.compile(P.PERIOD)


def is_period(cell: str | None) -> bool:
    if not cell:
        return False
    return _PERIOD_CELL.fullmatch(cell) is not None
