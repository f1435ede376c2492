"""The text of a PDF's words: a line's words joined (a space where the gap is wide enough),
a cell's wrapped lines joined, and a word broken across two lines of a narrow cell told from
two words (by the words of the document's prose)."""
from __future__ import annotations

import bisect
import re
from collections import Counter

from etl.parse.columns import TEMPLATE_WORDS
from etl.read.pdf_align import PhysLine, phys_lines
from etl.read.pdf_page import Word
from etl.read.pdf_settings import PDF

_WORD = re.compile(r"[A-Za-zÅÄÖåäöéü]+")
_WORD_END = re.compile(r"[A-Za-zÅÄÖåäöéü]+$")
_GROUP_HEAD = re.compile(r"(?:^|\s)[-−]?\d{1,3}(?:\s\d{3})*$")     # "9", "12", "1 234" before a thousands group
_GROUP_TAIL = re.compile(r"^\d{3}(?:,\d+)?$")                     # "000", "500,5"


class ProseWords:
    """The words of the document's prose (lines of running text outside tables, where no
    narrow cell breaks a word), to tell a word broken inside a narrow cell ("Fastställ" /
    "s") from two words on two lines ("Tas" / "fram")."""

    PROSE_CHARS = 40

    def __init__(self, lines: list[PhysLine]):
        self.counts = Counter(m.lower() for ln in lines if sum(len(w.text) + 1 for w in ln.words) >= self.PROSE_CHARS
                              for w in ln.words for m in _WORD.findall(w.text))

        self._sorted = sorted(set(self.counts) | TEMPLATE_WORDS)

    def known(self, word: str) -> bool:
        w = word.lower()
        return (len(w) >= 2 or w in "iåö") and (self.counts.get(w, 0) > 0 or w in TEMPLATE_WORDS)

    def starts_word(self, piece: str) -> bool:
        """Is the piece a known word or the start of one ("årsm" of "årsmål")?"""
        w = piece.lower()
        if len(w) < 3:
            return False
        k = bisect.bisect_left(self._sorted, w)
        return k < len(self._sorted) and self._sorted[k].startswith(w)


def line_words(words: list[Word]) -> str:
    out = ""
    prev = None
    for w in words:
        if prev is not None:
            gap = w.x0 - prev.x1
            out += " " if (prev.space_after or gap > PDF.word_space * w.size) else ""
        out += w.text
        prev = w
    return out


def cell_text(words: list[Word], avail: float, vocab: ProseWords) -> str:
    """A cell's words in reading order, its wrapped lines joined: with a space where it
    wrapped at a space, directly where a hyphen broke a word or the word did not fit the cell."""
    if not words:
        return ""
    lines = phys_lines(words)
    out = line_words(lines[0].words)
    for prev, ln in zip(lines, lines[1:]):
        text = line_words(ln.words)
        out += text if broken_word(out, prev, ln, avail, vocab) else " " + text
    return out


def broken_word(before: str, prev: PhysLine, ln: PhysLine, avail: float, vocab: ProseWords) -> bool:
    """Did the line break inside a word (``before``: the cell's text up to the break)? A
    hyphen at the end says so (a soft one was not printed, a hard one stays: "2021-|01-01").
    Without a hyphen a word processor breaks a word only where it does not fit the cell, so
    with no space after it: letters that make a known word ("Års|mål", "Peri|od", "näm|nd")
    where the pieces are not both words ("Tas|fram", "Periodens|utfall"); letters that are
    no known word either way, on a line full to the cell's edge; digits ("VB 202|1",
    "0,5|3 %"), unless the rest is a thousands group ("9|000 st"); punctuation that starts
    the next line ("KF|:s")."""
    last, first = prev.words[-1], ln.words[0]
    if last.space_after:
        return False             # "hälso- " + "och": the space was printed
    if last.hyphen_after:
        return True
    full = prev.x1 - prev.x0 >= avail - 0.7 * last.size
    a, b = before[-1:], first.text[:1]
    if b in ":;,.)/":
        return True              # "KF" + ":s": a wrapped line never starts with these
    if (a.isdigit() or a in ",." and before[-2:-1].isdigit()) and b.isdigit():
        # "VB 202|1", "80,|49 %", "90,0|7 %"; but "9 | 000 st" wrapped at a thousands space
        return not (_GROUP_HEAD.search(before) and _GROUP_TAIL.match(first.text))
    if a == ":" and b == "s" and len(first.text) <= 2:
        return True
    if not (a.isalpha() and b.isalpha() and (b.islower() or a.isupper() and b.isupper())):
        return False
    tail, head = _WORD_END.search(before), _WORD.match(first.text)
    if tail is None or head is None or ":" in before[-len(tail.group(0)) - 1:-len(tail.group(0))]:
        return False             # "KF:s" is a whole word
    t, h = tail.group(0), head.group(0)
    if vocab.known(t) and vocab.known(h):
        return False
    if vocab.known(t + h) or (vocab.starts_word(t + h) and len(h) == len(first.text)):
        return True              # ("År|sm|ål": "årsm" starts "årsmål", the rest follows)
    return full and not vocab.known(t) and not vocab.known(h)


def line_text(line: PhysLine) -> str:
    text = line_words(line.words)
    last = line.words[-1]
    if last.hyphen_after == "soft":
        text += "-"
    elif last.space_after:
        text += " "              # a wrapped line keeps its trailing space, as in the text extractions
    return text


def is_bold(line: PhysLine) -> bool:
    return sum(len(w.text) for w in line.words if w.bold) * 2 > sum(len(w.text) for w in line.words)
