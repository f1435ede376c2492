"""Every tunable of the PDF reader in one validated place (as pdfplumber's TableSettings).

Lengths are in points or, where the comment says "x font size", in multiples of the words'
font size, so a layout scaled up or down reads the same. ``PDF`` is the one the reader uses;
each stage module reads its fields from it.
"""
from __future__ import annotations

from dataclasses import dataclass

from etl.tunables import check, count, number


@dataclass(frozen=True)
class PdfSettings:
    # words and rulings (etl/read/pdf_page.py)
    edge_max_thickness: float = number(2.5, above=True)   # points: a filled rectangle this thin is a ruling line
    max_path_segments: int = count(64)   # paths with more segments are drawings (charts, logos), not tables
    paper_white: int = count(245, maximum=255)   # a colour with every channel at least this is paper, not a line
    # ruled tables (etl/read/pdf_grid.py)
    grid_snap: float = number(1.5, above=True)   # points: rulings closer than this are one line
    grid_join: float = number(2.0, above=True)   # points: collinear pieces with a gap up to this are one line
    grid_tolerance: float = number(2.0, above=True)   # points: how far a line may stop short of a crossing line
    grid_min_cell: float = number(2.0, above=True)   # points: thinner rectangles are not cells (double borders)
    # borderless tables (etl/read/pdf_align.py)
    seed_gap: float = number(0.9, above=True)   # x font size: a gap this wide between two words separates two cells
    min_gutter: float = number(0.35, above=True)   # x font size: the narrowest free band that still separates two columns
    baseline: float = number(0.35, above=True)   # x font size: words whose baselines differ less are on one line
    block_gap: float = number(2.6, above=True)   # x font size: a wider vertical gap between lines ends a table
    row_gap: float = number(1.5, above=True)   # a vertical gap (in every column) this many times the gap between a cell's lines ends a row
    row_gap_slack: float = number(0.15, above=True)   # x font size: added to that multiple (a cell's lines set solid have no gap)
    row_gap_size: float = number(0.55, above=True)   # x font size: ... and a gap this wide always does
    column_gap: float = number(1.5, above=True)   # x font size: more room between two lines of text in one column ends a row
    rule_span: float = number(0.5, above=True, maximum=1)   # a horizontal rule across this share of the table's width separates rows
    # running headers and footers (etl/read/pdf_furniture.py)
    furniture_min_share: float = number(0.4, above=True, maximum=1)   # of the pages: a line printed there on this share of pages repeats
    furniture_position: float = number(3.0, above=True)   # points: the same place on two pages
    furniture_margin: float = number(0.2, above=True, maximum=1)   # of the page height: running headers and footers sit in the top or bottom band
    furniture_max_lines: int = count(5)   # furniture lines at most, at the top and at the bottom of a page
    wrap_step: float = number(1.35, above=True)   # x font size: a step between baselines up to this is a wrapped line of one paragraph
    # the reader (etl/read/pdf.py)
    min_chars_per_page: int = count(20)   # fewer printable characters than this on average: a scan
    max_header_rows: int = count(3)
    same_columns: float = number(4.0, above=True)   # points: a table's columns on the next page are where they were
    same_columns_aligned: float = number(14.0, above=True)   # (borderless tables: columns estimated from the words)
    known_tables: int = count(6)   # borderless tables whose columns a one-row block may continue (the last ones)
    word_space: float = number(0.12, above=True)   # x font size: a smaller gap between two words on a line is no space

    def __post_init__(self) -> None:
        check(self)


PDF = PdfSettings()
