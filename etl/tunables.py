"""The parser's tunables: the fields of its frozen settings objects (etl/parse/cells.py
RowCosts, etl/read/pdf_settings.py PdfSettings, etl/parse/budget/tunables.py BudgetSettings),
each declared with its bounds and checked by one rule when the object is made (as pdfplumber's
TableSettings): a value that cannot work raises ValueError naming the object and the field.

    max_label_chars: int = count(60)                 # a whole number, at least 1
    heading_lookback: int = count(3, minimum=0)
    rounding_units: float = number(1.5)              # a finite number, at least 0
    seed_gap: float = number(0.9, above=True)        # ... above 0
    rule_span: float = number(0.5, above=True, maximum=1)

    def __post_init__(self) -> None:
        check(self)
"""
from __future__ import annotations

import math
from dataclasses import field, fields
from typing import Any


def count(default: int, *, minimum: int = 1, maximum: int | None = None) -> Any:
    """A whole-number field of at least ``minimum`` (and at most ``maximum``)."""
    return field(default=default, metadata={"kind": "count", "minimum": minimum, "maximum": maximum})


def number(default: float, *, minimum: float = 0, above: bool = False, maximum: float | None = None) -> Any:
    """A finite number of at least ``minimum`` (above it with ``above``; at most ``maximum``)."""
    return field(default=default, metadata={"kind": "number", "minimum": minimum, "above": above,
                                            "maximum": maximum})


def check(settings: Any) -> None:
    """Every field of the settings object within its declared bounds, else ValueError."""
    name = type(settings).__name__
    for f in fields(settings):
        value, bounds = getattr(settings, f.name), f.metadata
        lo, hi = bounds.get("minimum", 0), bounds.get("maximum")
        if bounds.get("kind") == "count":
            ok = not isinstance(value, bool) and isinstance(value, int) and value >= lo and (hi is None or value <= hi)
            what = f"a whole number of at least {lo}" + (f" and at most {hi}" if hi is not None else "")
        elif bounds.get("kind") == "number":
            ok = (not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)
                  and (value > lo if bounds["above"] else value >= lo) and (hi is None or value <= hi))
            what = (f"a finite number {'above' if bounds['above'] else 'of at least'} {lo}"
                    + (f" and at most {hi}" if hi is not None else ""))
        else:
            raise TypeError(f"{name}.{f.name} is declared without bounds (etl.tunables.count or number)")
        if not ok:
            raise ValueError(f"{name}.{f.name} must be {what}, not {value!r}")
