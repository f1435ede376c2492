"""The budget reader's tunables in one place (in the spirit of pdfplumber's TableSettings):
how long a row label or a header line may be, how far the reader looks for a table's header
and labels, how much a printed total may differ from its rows. The reader reads SETTINGS;
each field says which rule it bounds. Values that cannot work (a count below its minimum, a
negative or non-finite tolerance) raise ValueError when the object is made.
"""
from __future__ import annotations

from dataclasses import dataclass

from etl.tunables import check, count, number


@dataclass(frozen=True)
class BudgetSettings:
    # a row label, one printed line: at most this many characters (prose lines are longer) ...
    max_label_chars: int = count(60)
    # ... and at most this many words
    max_label_words: int = count(9)
    # wrapped label lines held before a row's numbers (0: a label is never wrapped)
    max_pending_lines: int = count(4, minimum=0)
    # lines held in a table whose last column is text (a row's wrapped note, the next row's
    # wrapped label) before the table is taken to have ended
    max_note_lines: int = count(6)
    # header lines after the unit line before the first value row (the report's result table
    # wraps its header over ~27 lines)
    max_header_lines: int = count(32)
    # a header line is at most this long; in a table with a text column a longer line is the
    # prose after the table
    max_header_line_chars: int = count(80)
    # the unit ("Mnkr", "(mnkr)", "Verksamhet, mnkr") is among a header line's first this many words
    unit_within_words: int = count(8)
    # a stub line above the unit line ("Verksamhet,") is at most this long
    max_stub_line_chars: int = count(40)
    # header lines printed above the unit line (a stub line, dated columns "2021
    # Socioekonomiskt anslag / (mnkr)"): at most this many (0: the header starts at the unit line)
    max_header_lines_above: int = count(4, minimum=0)
    # the row header above dated columns ("Enhet") has at most this many words
    max_row_header_words: int = count(3, minimum=0)
    # a caption introducing a table ("… fördelas följande:") is at most this long, its
    # capital and colon included
    max_caption_chars: int = count(100, minimum=2)
    # a printed total may differ from the sum of its rows by this many units of its last
    # printed decimal ("370,4": 1.5 x 0.1): rounded rows may differ by one unit, not by two
    rounding_units: float = number(1.5)
    # headings without text right before a table's section that may still name its area
    # ("Förskola" / "Ekonomiska förutsättningar"), at most this many (0: none)
    heading_lookback: int = count(3, minimum=0)

    def __post_init__(self) -> None:
        check(self)


SETTINGS = BudgetSettings()
