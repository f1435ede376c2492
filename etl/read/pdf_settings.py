"""Every tunable of the PDF reader in one validated place (as pdfplumber's TableSettings).

Lengths are in points or, where the comment says "x font size", in multiples of the words'
font size, so a layout scaled up or down reads the same. ``PDF`` is the one the reader uses;
each stage module reads its fields from it.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

SHARES = {"furniture_min_share", "furniture_margin", "rule_span"}   # parts of a whole: (0, 1]


@dataclass(frozen=True)
class PdfSettings:
    # words and rulings (etl/read/pdf_page.py)
    edge_max_thickness: float = 2.5   # points: a filled rectangle this thin is a ruling line
    max_path_segments: int = 64   # paths with more segments are drawings (charts, logos), not tables
    paper_white: int = 245   # a colour with every channel at least this is paper, not a line
    # ruled tables (etl/read/pdf_grid.py)
    grid_snap: float = 1.5   # points: rulings closer than this are one line
    grid_join: float = 2.0   # points: collinear pieces with a gap up to this are one line
    grid_tolerance: float = 2.0   # points: how far a line may stop short of a crossing line
    grid_min_cell: float = 2.0   # points: thinner rectangles are not cells (double borders)
    # borderless tables (etl/read/pdf_align.py)
    seed_gap: float = 0.9   # x font size: a gap this wide between two words separates two cells
    min_gutter: float = 0.35   # x font size: the narrowest free band that still separates two columns
    baseline: float = 0.35   # x font size: words whose baselines differ less are on one line
    block_gap: float = 2.6   # x font size: a wider vertical gap between lines ends a table
    row_gap: float = 1.5   # a vertical gap (in every column) this many times the gap between a cell's lines ends a row
    row_gap_slack: float = 0.15   # x font size: added to that multiple (a cell's lines set solid have no gap)
    row_gap_size: float = 0.55   # x font size: ... and a gap this wide always does
    column_gap: float = 1.5   # x font size: more room between two lines of text in one column ends a row
    rule_span: float = 0.5   # a horizontal rule across this share of the table's width separates rows
    # running headers and footers (etl/read/pdf_furniture.py)
    furniture_min_share: float = 0.4   # of the pages: a line printed there on this share of pages repeats
    furniture_position: float = 3.0   # points: the same place on two pages
    furniture_margin: float = 0.2   # of the page height: running headers and footers sit in the top or bottom band
    furniture_max_lines: int = 5   # furniture lines at most, at the top and at the bottom of a page
    wrap_step: float = 1.35   # x font size: a step between baselines up to this is a wrapped line of one paragraph
    # the reader (etl/read/pdf.py)
    min_chars_per_page: int = 20   # fewer printable characters than this on average: a scan
    max_header_rows: int = 3
    same_columns: float = 4.0   # points: a table's columns on the next page are where they were
    same_columns_aligned: float = 14.0   # (borderless tables: columns estimated from the words)
    known_tables: int = 6   # borderless tables whose columns a one-row block may continue (the last ones)
    word_space: float = 0.12   # x font size: a smaller gap between two words on a line is no space

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type == "int":
                if not isinstance(value, int) or value < 1:
                    raise ValueError(f"PdfSettings.{f.name} must be a whole number of at least 1, not {value!r}")
            elif not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"PdfSettings.{f.name} must be a number above 0, not {value!r}")
            if f.name in SHARES and value > 1:
                raise ValueError(f"PdfSettings.{f.name} is a share of a whole (at most 1), not {value!r}")
        if self.paper_white > 255:
            raise ValueError(f"PdfSettings.paper_white is a colour channel (at most 255), not {self.paper_white!r}")


PDF = PdfSettings()
