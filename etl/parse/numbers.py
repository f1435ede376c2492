"""Numbers as printed in Swedish documents -> (value, unit, mended raw text).

Conventions (see README): "3,3 %" -> 3.3 "%"; "12 000" -> 12000; "1 487,5" -> 1487.5;
"Max 10 personer" -> 10 "personer"; "+/- 1 %" -> 1 "%"; words ("Tas fram av nämnd",
"Ökning", "Fastställs 2021") -> no number. The raw text is always kept (mended where
extraction broke a word: "Fastställ s 2021" -> "Fastställs 2021").
"""
from __future__ import annotations

import re
from functools import lru_cache

from etl.parse import patterns as P

_NUMBER_CELL = re.compile(
    r"^(?:(?P<qual>" + P.QUALIFIER + r")\s?)?(?P<num>" + P.NUMBER + r")(?:\s?(?P<unit>" + P.UNITS + r"))?$"
)
# A number with a unit the table printed in words ("13,7 barn/avd.", "1,8 kg CO2 per kg livsmedel").
_NUMBER_FREE_UNIT = re.compile(
    r"^(?:(?P<qual>" + P.QUALIFIER + r")\s?)?(?P<num>" + P.NUMBER + r")\s(?P<unit>[^\d\s]\S*(?:\s\S+){0,5})$"
)
_LEADING_UNIT = re.compile(r"^(?:" + P.UNITS + r")(?=\s[^\d\s])")   # "% energieffektivisering relativt 2018"
_WORD_CELL = re.compile(r"^(?:" + "|".join(P.WORD_CELLS) + r")$", re.I)


def _mend_pattern(word: str) -> re.Pattern[str]:
    # The word with one extraction break (spaces/newline) at any inner position.
    alts = [re.escape(word[:i]) + r"[ \t]+" + re.escape(word[i:]) for i in range(1, len(word))]
    return re.compile(r"\b(?:" + "|".join(alts) + r")\b")


_MENDERS = [(w, _mend_pattern(w)) for w in P.MENDABLE_WORDS]


def mend(text: str) -> str:
    """Rejoin words that text extraction broke ("Fastställ s" -> "Fastställs")."""
    # (a broken word is the whole word once the spaces and tabs are gone: a cheap test first)
    joined = text.replace(" ", "").replace("\t", "")
    for word, pat in _MENDERS:
        if word in joined:
            text = pat.sub(word, text)
    return text


def clean_cell(raw: str | None) -> str | None:
    if raw is None:
        return None
    text = mend(re.sub(r"\s+", " ", raw.replace("\u00a0", " ")).strip())
    text = re.sub(r"\s*/\s*", "/", text) if "/" in text and "+/-" not in text else text
    return text or None


def to_float(num: str) -> float:
    return float(re.sub(r"\s", "", num).replace("−", "-").replace(",", "."))


@lru_cache(maxsize=8192)
def parse_number(raw: str | None) -> tuple[float | None, str | None, str | None]:
    """Parse one table cell. Returns (value, unit, mended raw); value None for words.
    (Cached: the same cells recur in every table.)"""
    text = clean_cell(raw)
    if text is None:
        return None, None, None
    m = _NUMBER_CELL.match(text)
    if m:
        unit = m.group("unit")
        if unit == "procent":
            unit = "%"
        return to_float(m.group("num")), unit, text
    m = _NUMBER_FREE_UNIT.match(text)
    if m and not is_word_cell(m.group("unit")):
        unit = m.group("unit")
        if not any(w.isdigit() for w in unit.split()):
            return to_float(m.group("num")), unit, text
        # words with a year qualify the number ("2 % energieffektivisering relativt 2018"):
        # the unit is the one printed before them
        u = _LEADING_UNIT.match(unit)
        if u:
            return to_float(m.group("num")), "%" if u.group(0) == "procent" else u.group(0), text
    return None, None, text


def is_word_cell(text: str) -> bool:
    return bool(_WORD_CELL.match(text))
