"""Page furniture by layout: the running header and footer, and the table of contents.

A word processor prints the page header and footer at the same place on every page
("Tjänsteutlåtande  Sid 5 (21)", "Dnr …", the office's address, "start.stockholm"), whatever
the council or the address. So a line is furniture when its text, with every number as '#',
is printed at the same distance from the top (or the bottom) of the page on a good share of
the pages, and it is among the outermost lines of its page (nothing but other furniture
above it, or below it, and within the page's top or bottom band). A table's repeated header row repeats too, but it is a table's
header (several header-like cells), not furniture.

A table of contents is found by its dot leaders: a line ending in "....... 12" and the lines
of the same entry above it (a wrapped entry).
"""
from __future__ import annotations

import math
import re
from collections import Counter

from etl.parse import patterns as P
from etl.read.pdf_align import PhysLine, looks_like_header
from etl.read.pdf_settings import PDF

_DIGITS = re.compile(r"\d+")
_SHORT_LEADER = re.compile(r"[^.\d]\.{2,}\s*\d+\s*$")     # "… för alla...25"


def line_text(line: PhysLine) -> str:
    return " ".join(w.text for w in line.words)


def _key(line: PhysLine, y: float) -> tuple[str, int]:
    return _DIGITS.sub("#", line_text(line)), round(y / PDF.furniture_position)


def furniture(pages: list[list[PhysLine]], heights: list[float]) -> list[set[int]]:
    """For each page, the indices of its lines (sorted top to bottom) that are furniture."""
    n = len(pages)
    out: list[set[int]] = [set() for _ in range(n)]
    if n < 2:
        return out
    tops: Counter = Counter()
    bottoms: Counter = Counter()
    for lines, h in zip(pages, heights):
        tops.update({_key(ln, ln.top) for ln in lines})
        bottoms.update({_key(ln, h - ln.bottom) for ln in lines})
    need = max(2, math.ceil(PDF.furniture_min_share * n))
    for p, (lines, h) in enumerate(zip(pages, heights)):
        for k, ln in enumerate(lines[:PDF.furniture_max_lines]):           # from the top
            if (ln.bottom > PDF.furniture_margin * h or tops[_key(ln, ln.top)] < need
                    or looks_like_header(ln)):
                break
            out[p].add(k)
        for k in range(len(lines) - 1, max(-1, len(lines) - 1 - PDF.furniture_max_lines), -1):   # from the bottom
            ln = lines[k]
            if (h - ln.top > PDF.furniture_margin * h or bottoms[_key(ln, h - ln.bottom)] < need
                    or looks_like_header(ln) or k in out[p]):
                break
            out[p].add(k)
    return out


def toc_lines(lines: list[PhysLine]) -> set[int]:
    """Indices of table-of-contents lines: the lines from the first to the last dot-leader
    entry of the page (a long entry leaves room for one dot only), and the wrapped lines of
    an entry above its first line (no paragraph gap between them)."""
    entries = [k for k, ln in enumerate(lines) if P.TOC_ENTRY.search(line_text(ln))]
    if not entries:
        return set()
    out = set(entries)
    if len(entries) >= 3:
        out.update(range(entries[0], entries[-1] + 1))
        # a long entry at either end of the contents leaves room for fewer dots ("alla...25")
        k = entries[0] - 1
        while k >= 0 and _SHORT_LEADER.search(line_text(lines[k])):
            out.add(k)
            k -= 1
        k = entries[-1] + 1
        while k < len(lines) and _SHORT_LEADER.search(line_text(lines[k])):
            out.add(k)
            k += 1
    for k in sorted(out):
        j, ln = k - 1, lines[k]
        while j >= 0 and j not in out and ln.baseline - lines[j].baseline < PDF.wrap_step * ln.size:
            out.add(j)
            ln = lines[j]
            j -= 1
    return out
