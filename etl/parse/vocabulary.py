"""A document's own vocabulary, to rejoin words that text extraction broke across lines.

Used by the budget tables ("Budge|t", "Omslutnings-|förändring") and by indicator cells
("energieffekti|visering"): a break is mended only when the joined text is a word of the
document's prose, so two real words printed on two lines stay apart.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter

from etl.model import Line

WORD = re.compile(r"[A-Za-zÅÄÖåäöéü]+")


class Vocabulary:
    """Words of one document's prose with their counts, to rejoin words broken by extraction.

    Only long lines count: table headers and labels (where the fragments live) are short.
    The counts are built on first use (most documents never need them in the indicator
    tables).
    """

    PROSE_CHARS = 40

    def __init__(self, lines: list[Line]):
        self._lines = lines
        self._counts: Counter[str] | None = None
        self._sorted: list[str] = []

    @property
    def counts(self) -> Counter[str]:
        if self._counts is None:
            prose = "\n".join(ln.text for ln in self._lines if len(ln.text.strip()) >= self.PROSE_CHARS)
            self._counts = Counter(map(str.lower, WORD.findall(prose)))
            self._sorted = sorted(self._counts)
        return self._counts

    @property
    def sorted_words(self) -> list[str]:
        _ = self.counts          # computes _sorted
        return self._sorted

    def known(self, word: str) -> bool:
        w = word.lower()
        return len(w) >= 3 and self.counts.get(w, 0) >= 1

    def word(self, *parts: str) -> bool:
        """Is the joined text a word of the prose, or the start of one ("stadsmiljöverksamhet"
        in "stadsmiljöverksamheten")?"""
        whole = "".join(parts).lower()
        if self.counts.get(whole, 0) >= 1:
            return True
        if len(whole) < 8 and len(parts[-1]) > 2:
            return False      # short words must match exactly, unless the tail is a fragment ("nett|o")
        words = self.sorted_words
        pos = bisect.bisect_left(words, whole)
        return pos < len(words) and words[pos].startswith(whole)

    def compound(self, left: str, right: str) -> bool:
        """'Omslutnings-' + 'förändring': one compound word hyphenated at the line end?"""
        a, b = WORD.findall(left), WORD.findall(right)
        return bool(a and b) and b[0][0].islower() and self.word(a[-1], b[0])

    def broken(self, left: str, right: str) -> bool:
        """'energieffekti' + 'visering': one word broken at a line end (the joined text is a
        word of the document, and the two pieces are not both words of their own)?"""
        return self.word(left, right) and not (self.known(left) and self.known(right))
