"""Swedish number formatting for the UI: "1 234,5", "3,3 %", "12 mnkr".

Thousands are separated by a non-breaking space (U+00A0) so a number never wraps.
Missing values are shown as a dash or a reason, never as 0.
"""
from __future__ import annotations

import math
import re

NBSP = "\u00a0"
MISSING = "–"


def _is_missing(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_number(value: float | int | None, decimals: int | None = None) -> str:
    """Format a number the Swedish way.

    decimals=None keeps up to two decimals and drops trailing zeros (0,48 / 1,3 / 7).
    """
    if _is_missing(value):
        return MISSING
    if decimals is None:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:,.{decimals}f}"
    if text in ("-0", "-0.0"):
        text = text[1:]
    return text.replace(",", NBSP).replace(".", ",").replace("-", "−")


def fmt_value(value: float | int | None, unit: str | None = None, decimals: int | None = None) -> str:
    """A number with its unit: "3,3 %", "1 234 kr", "7 st"."""
    if _is_missing(value):
        return MISSING
    text = fmt_number(value, decimals)
    unit = (unit or "").strip()
    if not unit:
        return text
    return f"{text}{NBSP}{unit}"


def fmt_percent(share: float | None, decimals: int = 0) -> str:
    """A share 0..1 as a percentage: 0.5 -> "50 %"."""
    if share is None or _is_missing(share):
        return MISSING
    return fmt_value(share * 100, "%", decimals)


def fmt_int(value: float | int | None) -> str:
    if value is None or _is_missing(value):
        return MISSING
    return fmt_number(round(value), 0)


def fmt_lines(start: int | None, end: int | None = None, page: int | None = None) -> str:
    """Where in the document: "rad 12", "rad 12–14", "sida 3, rad 12"."""
    if start is None:
        where = ""
    elif end is not None and end != start:
        where = f"rad {start}–{end}"
    else:
        where = f"rad {start}"
    if page is not None:
        return f"sida {page}, {where}" if where else f"sida {page}"
    return where


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&])")
_LEADING_SPACE = re.compile(r"(?m)^[ \t]+")


def md_escape(text: object, *, inline: bool = False) -> str:
    """Document (or user) text for Streamlit's Markdown, shown exactly as text: every Markdown
    character escaped (no bold, links, images, HTML, :color[...] or $math$ from a document),
    indentation dropped (four spaces would start a code block); ``inline``: a piece inside a
    line, its spaces kept."""
    if text is None:
        return ""
    text = str(text) if inline else _LEADING_SPACE.sub("", str(text))
    return _MD_SPECIAL.sub(r"\\\1", text)


def fmt_signed(value: float | int | None, unit: str | None = None) -> str:
    """A deviation with its sign always shown: "+2,9 mnkr", "−0,6 mnkr", "0 mnkr"."""
    if value is None or _is_missing(value):
        return MISSING
    text = fmt_value(abs(value), unit, 1) if unit else fmt_number(abs(value), 1)
    return ("+" if value > 0 else "−" if value < 0 else "") + text
